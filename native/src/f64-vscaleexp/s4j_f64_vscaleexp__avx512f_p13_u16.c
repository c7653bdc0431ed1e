/* Pass 2 of two-pass and pass 3 of the three-pass (recompute) baseline of The Two-Pass Softmax
 * Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438), double precision:
 * y = (p * inv) * 2^(n - E) for exp(x*s) = p * 2^n, with inv = inv_hi + inv_lo = 1/S. AVX-512F. */
#include "kernels.h"
#include "s4j_f64_avx512.h"

/* One 8-lane step: p * (inv_hi + inv_lo) = fma(p, inv_hi, p * inv_lo) rounds once (the double-double
 * inverse saves the rounding of 1/S); vscalefpd scales by 2^(n - E) exactly (gradual underflow). */
static inline __m512d s4j_step(__m512d vhi, __m512d vlo, __m512d vinv_hi, __m512d vinv_lo, __m512d ve) {
  __m512d vn;
  const __m512d vp = s4j_avx512_f64_exp_pn(vhi, vlo, &vn);
  const __m512d vy = _mm512_fmadd_pd(vp, vinv_hi, _mm512_mul_pd(vp, vinv_lo));
  return _mm512_scalef_pd(vy, _mm512_sub_pd(vn, ve));
}

/* u16: two independent vectors per iteration, loads before stores (in place works). */
S4J_INLINE void s4j_body(size_t n, const double* x, double* y, __m512d vs, __m512d vinv_hi, __m512d vinv_lo,
                         __m512d ve, const int scaled) {
  __m512d vlo0, vlo1;
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m512d vh0 = s4j_avx512_f64_mul(_mm512_loadu_pd(x), vs, &vlo0, scaled);
    const __m512d vh1 = s4j_avx512_f64_mul(_mm512_loadu_pd(x + 8), vs, &vlo1, scaled);
    const __m512d vy0 = s4j_step(vh0, vlo0, vinv_hi, vinv_lo, ve);
    const __m512d vy1 = s4j_step(vh1, vlo1, vinv_hi, vinv_lo, ve);
    _mm512_storeu_pd(y, vy0);
    _mm512_storeu_pd(y + 8, vy1);
  }
  if (n >= 8) {
    const __m512d vh = s4j_avx512_f64_mul(_mm512_loadu_pd(x), vs, &vlo0, scaled);
    _mm512_storeu_pd(y, s4j_step(vh, vlo0, vinv_hi, vinv_lo, ve));
    n -= 8;
    x += 8;
    y += 8;
  }
  if (n != 0) {
    const __mmask8 vmask = s4j_avx512_f64_tail_mask(n);
    const __m512d vh = s4j_avx512_f64_mul_tail(x, vmask, vs, &vlo0, scaled);
    _mm512_mask_storeu_pd(y, vmask, s4j_step(vh, vlo0, vinv_hi, vinv_lo, ve));
  }
}

void s4j_f64_vscaleexp__avx512f_p13_u16(size_t n, const double* x, double* y, double scale, double inv_hi,
                                    double inv_lo, double e_max) {
  const __m512d vs = _mm512_set1_pd(scale);
  const __m512d vih = _mm512_set1_pd(inv_hi);
  const __m512d vil = _mm512_set1_pd(inv_lo);
  const __m512d ve = _mm512_set1_pd(e_max);
  if (scale == 1.0) {
    s4j_body(n, x, y, vs, vih, vil, ve, 0);
  } else {
    s4j_body(n, x, y, vs, vih, vil, ve, 1);
  }
}
