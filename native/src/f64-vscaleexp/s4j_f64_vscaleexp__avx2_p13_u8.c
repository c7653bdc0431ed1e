/* Pass 2 of two-pass and pass 3 of the three-pass (recompute) baseline of The Two-Pass Softmax
 * Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438), double precision:
 * y = (p * inv) * 2^(n - E) for exp(x*s) = p * 2^n, with inv = inv_hi + inv_lo = 1/S. AVX2 + FMA. */
#include "kernels.h"
#include "s4j_f64_avx2.h"

/* One 4-lane step: p * (inv_hi + inv_lo) = fma(p, inv_hi, p * inv_lo) rounds once (the double-double
 * inverse saves the rounding of 1/S); the scaling by 2^(n - E) <= 1 is exact unless the output is
 * below DBL_MIN (then within DBL_MIN absolute). */
static inline __m256d s4j_step(__m256d vhi, __m256d vlo, __m256d vinv_hi, __m256d vinv_lo, __m256d ve) {
  __m256d vn;
  const __m256d vp = s4j_avx2_f64_exp_pn(vhi, vlo, &vn);
  const __m256d vy = _mm256_fmadd_pd(vp, vinv_hi, _mm256_mul_pd(vp, vinv_lo));
  return _mm256_mul_pd(vy, s4j_avx2_f64_exp2(_mm256_sub_pd(vn, ve)));
}

/* u8: two independent vectors per iteration, loads before stores (in place works). */
S4J_INLINE void s4j_body(size_t n, const double* x, double* y, __m256d vs, __m256d vinv_hi, __m256d vinv_lo,
                         __m256d ve, const int scaled) {
  __m256d vlo0, vlo1;
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const __m256d vh0 = s4j_avx2_f64_mul(_mm256_loadu_pd(x), vs, &vlo0, scaled);
    const __m256d vh1 = s4j_avx2_f64_mul(_mm256_loadu_pd(x + 4), vs, &vlo1, scaled);
    const __m256d vy0 = s4j_step(vh0, vlo0, vinv_hi, vinv_lo, ve);
    const __m256d vy1 = s4j_step(vh1, vlo1, vinv_hi, vinv_lo, ve);
    _mm256_storeu_pd(y, vy0);
    _mm256_storeu_pd(y + 4, vy1);
  }
  if (n >= 4) {
    const __m256d vh = s4j_avx2_f64_mul(_mm256_loadu_pd(x), vs, &vlo0, scaled);
    _mm256_storeu_pd(y, s4j_step(vh, vlo0, vinv_hi, vinv_lo, ve));
    n -= 4;
    x += 4;
    y += 4;
  }
  if (n != 0) {
    const __m256i vmask = s4j_avx2_f64_tail_mask(n);
    const __m256d vh = s4j_avx2_f64_mul_tail(x, vmask, vs, &vlo0, scaled);
    _mm256_maskstore_pd(y, vmask, s4j_step(vh, vlo0, vinv_hi, vinv_lo, ve));
  }
}

void s4j_f64_vscaleexp__avx2_p13_u8(size_t n, const double* x, double* y, double scale, double inv_hi,
                                    double inv_lo, double e_max) {
  const __m256d vs = _mm256_set1_pd(scale);
  const __m256d vih = _mm256_set1_pd(inv_hi);
  const __m256d vil = _mm256_set1_pd(inv_lo);
  const __m256d ve = _mm256_set1_pd(e_max);
  if (scale == 1.0) {
    s4j_body(n, x, y, vs, vih, vil, ve, 0);
  } else {
    s4j_body(n, x, y, vs, vih, vil, ve, 1);
  }
}
