/* Pass 2 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), and the per-block sum of pass 1 of two-pass, double
 * precision: sum of p * 2^(n - E) for exp(x*s) = p * 2^n, E >= every n, as a double-double. AVX2 + FMA. */
#include "kernels.h"
#include "s4j_f64_avx2.h"

/* u16: 4 vectors per iteration into 2 compensated accumulators (the 2Sum adds run on Zen 3's add
 * pipes beside the FMA-bound polynomial; two chains of latency 3 keep up with 4 terms per ~13 cycles). */
S4J_INLINE double s4j_body(size_t n, const double* x, __m256d vs, __m256d ve, double* sum_lo, const int scaled) {
  __m256d vs0 = _mm256_setzero_pd(), vc0 = vs0, vs1 = vs0, vc1 = vs0;
  __m256d vlo0, vlo1, vlo2, vlo3;
  for (; n >= 16; n -= 16, x += 16) {
    const __m256d vh0 = s4j_avx2_f64_mul(_mm256_loadu_pd(x), vs, &vlo0, scaled);
    const __m256d vh1 = s4j_avx2_f64_mul(_mm256_loadu_pd(x + 4), vs, &vlo1, scaled);
    const __m256d vh2 = s4j_avx2_f64_mul(_mm256_loadu_pd(x + 8), vs, &vlo2, scaled);
    const __m256d vh3 = s4j_avx2_f64_mul(_mm256_loadu_pd(x + 12), vs, &vlo3, scaled);
    s4j_avx2_f64_acc(&vs0, &vc0, s4j_avx2_f64_term(vh0, vlo0, ve));
    s4j_avx2_f64_acc(&vs1, &vc1, s4j_avx2_f64_term(vh1, vlo1, ve));
    s4j_avx2_f64_acc(&vs0, &vc0, s4j_avx2_f64_term(vh2, vlo2, ve));
    s4j_avx2_f64_acc(&vs1, &vc1, s4j_avx2_f64_term(vh3, vlo3, ve));
  }
  for (; n >= 4; n -= 4, x += 4) {
    const __m256d vh = s4j_avx2_f64_mul(_mm256_loadu_pd(x), vs, &vlo0, scaled);
    s4j_avx2_f64_acc(&vs0, &vc0, s4j_avx2_f64_term(vh, vlo0, ve));
  }
  if (n != 0) {
    /* Masked-out lanes (X_LO) scale to 0 against any fast-path E. */
    const __m256d vh = s4j_avx2_f64_mul_tail(x, s4j_avx2_f64_tail_mask(n), vs, &vlo0, scaled);
    s4j_avx2_f64_acc(&vs1, &vc1, s4j_avx2_f64_term(vh, vlo0, ve));
  }
  return s4j_avx2_f64_reduce(vs0, vc0, vs1, vc1, sum_lo);
}

double s4j_f64_raddexp__avx2_p13_u16_acc2(size_t n, const double* x, double scale, double e_max, double* sum_lo) {
  const __m256d vs = _mm256_set1_pd(scale);
  const __m256d ve = _mm256_set1_pd(e_max);
  return scale == 1.0 ? s4j_body(n, x, vs, ve, sum_lo, 0) : s4j_body(n, x, vs, ve, sum_lo, 1);
}
