/* Pass 2 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), double precision: z = p * 2^(n - E) stored into y and summed
 * as a double-double. AVX2 + FMA. */
#include "kernels.h"
#include "s4j_f64_avx2.h"

/* u16 into 2 compensated accumulators, as s4j_f64_raddexp__avx2_p13_u16_acc2; all loads of an
 * iteration precede its stores, so x == y (in place) is safe. */
S4J_INLINE double s4j_body(size_t n, const double* x, double* y, __m256d vs, __m256d ve, double* sum_lo,
                           const int scaled) {
  __m256d vs0 = _mm256_setzero_pd(), vc0 = vs0, vs1 = vs0, vc1 = vs0;
  __m256d vlo0, vlo1, vlo2, vlo3;
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m256d vh0 = s4j_avx2_f64_mul(_mm256_loadu_pd(x), vs, &vlo0, scaled);
    const __m256d vh1 = s4j_avx2_f64_mul(_mm256_loadu_pd(x + 4), vs, &vlo1, scaled);
    const __m256d vh2 = s4j_avx2_f64_mul(_mm256_loadu_pd(x + 8), vs, &vlo2, scaled);
    const __m256d vh3 = s4j_avx2_f64_mul(_mm256_loadu_pd(x + 12), vs, &vlo3, scaled);
    const __m256d vz0 = s4j_avx2_f64_term(vh0, vlo0, ve);
    const __m256d vz1 = s4j_avx2_f64_term(vh1, vlo1, ve);
    const __m256d vz2 = s4j_avx2_f64_term(vh2, vlo2, ve);
    const __m256d vz3 = s4j_avx2_f64_term(vh3, vlo3, ve);
    _mm256_storeu_pd(y, vz0);
    _mm256_storeu_pd(y + 4, vz1);
    _mm256_storeu_pd(y + 8, vz2);
    _mm256_storeu_pd(y + 12, vz3);
    s4j_avx2_f64_acc(&vs0, &vc0, vz0);
    s4j_avx2_f64_acc(&vs1, &vc1, vz1);
    s4j_avx2_f64_acc(&vs0, &vc0, vz2);
    s4j_avx2_f64_acc(&vs1, &vc1, vz3);
  }
  for (; n >= 4; n -= 4, x += 4, y += 4) {
    const __m256d vh = s4j_avx2_f64_mul(_mm256_loadu_pd(x), vs, &vlo0, scaled);
    const __m256d vz = s4j_avx2_f64_term(vh, vlo0, ve);
    _mm256_storeu_pd(y, vz);
    s4j_avx2_f64_acc(&vs0, &vc0, vz);
  }
  if (n != 0) {
    const __m256i vmask = s4j_avx2_f64_tail_mask(n);
    const __m256d vh = s4j_avx2_f64_mul_tail(x, vmask, vs, &vlo0, scaled);
    const __m256d vz = s4j_avx2_f64_term(vh, vlo0, ve);
    _mm256_maskstore_pd(y, vmask, vz);
    s4j_avx2_f64_acc(&vs1, &vc1, vz);
  }
  return s4j_avx2_f64_reduce(vs0, vc0, vs1, vc1, sum_lo);
}

double s4j_f64_raddstoreexp__avx2_p13_u16_acc2(size_t n, const double* x, double* y, double scale, double e_max,
                                               double* sum_lo) {
  const __m256d vs = _mm256_set1_pd(scale);
  const __m256d ve = _mm256_set1_pd(e_max);
  return scale == 1.0 ? s4j_body(n, x, y, vs, ve, sum_lo, 0) : s4j_body(n, x, y, vs, ve, sum_lo, 1);
}
