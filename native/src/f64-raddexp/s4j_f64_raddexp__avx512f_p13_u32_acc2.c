/* Pass 2 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), and the per-block sum of pass 1 of two-pass, double
 * precision: sum of p * 2^(n - E) for exp(x*s) = p * 2^n, E >= every n, as a double-double. AVX-512F. */
#include "kernels.h"
#include "s4j_f64_avx512.h"

/* u32: 4 vectors per iteration into 2 compensated accumulators, as the AVX2 kernel (not measured on
 * AVX-512 here). */
S4J_INLINE double s4j_body(size_t n, const double* x, __m512d vs, __m512d ve, double* sum_lo, const int scaled) {
  __m512d vs0 = _mm512_setzero_pd(), vc0 = vs0, vs1 = vs0, vc1 = vs0;
  __m512d vlo0, vlo1, vlo2, vlo3;
  for (; n >= 32; n -= 32, x += 32) {
    const __m512d vh0 = s4j_avx512_f64_mul(_mm512_loadu_pd(x), vs, &vlo0, scaled);
    const __m512d vh1 = s4j_avx512_f64_mul(_mm512_loadu_pd(x + 8), vs, &vlo1, scaled);
    const __m512d vh2 = s4j_avx512_f64_mul(_mm512_loadu_pd(x + 16), vs, &vlo2, scaled);
    const __m512d vh3 = s4j_avx512_f64_mul(_mm512_loadu_pd(x + 24), vs, &vlo3, scaled);
    s4j_avx512_f64_acc(&vs0, &vc0, s4j_avx512_f64_term(vh0, vlo0, ve));
    s4j_avx512_f64_acc(&vs1, &vc1, s4j_avx512_f64_term(vh1, vlo1, ve));
    s4j_avx512_f64_acc(&vs0, &vc0, s4j_avx512_f64_term(vh2, vlo2, ve));
    s4j_avx512_f64_acc(&vs1, &vc1, s4j_avx512_f64_term(vh3, vlo3, ve));
  }
  for (; n >= 8; n -= 8, x += 8) {
    const __m512d vh = s4j_avx512_f64_mul(_mm512_loadu_pd(x), vs, &vlo0, scaled);
    s4j_avx512_f64_acc(&vs0, &vc0, s4j_avx512_f64_term(vh, vlo0, ve));
  }
  if (n != 0) {
    /* Masked-out lanes (X_LO) scale to 0 against any fast-path E. */
    const __m512d vh = s4j_avx512_f64_mul_tail(x, s4j_avx512_f64_tail_mask(n), vs, &vlo0, scaled);
    s4j_avx512_f64_acc(&vs1, &vc1, s4j_avx512_f64_term(vh, vlo0, ve));
  }
  return s4j_avx512_f64_reduce(vs0, vc0, vs1, vc1, sum_lo);
}

double s4j_f64_raddexp__avx512f_p13_u32_acc2(size_t n, const double* x, double scale, double e_max, double* sum_lo) {
  const __m512d vs = _mm512_set1_pd(scale);
  const __m512d ve = _mm512_set1_pd(e_max);
  return scale == 1.0 ? s4j_body(n, x, vs, ve, sum_lo, 0) : s4j_body(n, x, vs, ve, sum_lo, 1);
}
