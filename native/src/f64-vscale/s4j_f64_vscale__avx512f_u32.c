/* Pass 3 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski,
 * 2020, arXiv:2001.04438), double precision: y = z * (inv_hi + inv_lo) in place, one rounding. AVX-512F. */
#include "kernels.h"
#include "s4j_f64_avx512.h"

static inline __m512d s4j_step(__m512d vz, __m512d vinv_hi, __m512d vinv_lo) {
  return _mm512_fmadd_pd(vz, vinv_hi, _mm512_mul_pd(vz, vinv_lo));
}

/* u32: 4 vectors per iteration (a load-multiply-store stream). */
void s4j_f64_vscale__avx512f_u32(size_t n, double* y, double inv_hi, double inv_lo) {
  const __m512d vih = _mm512_set1_pd(inv_hi);
  const __m512d vil = _mm512_set1_pd(inv_lo);
  for (; n >= 32; n -= 32, y += 32) {
    const __m512d vy0 = s4j_step(_mm512_loadu_pd(y), vih, vil);
    const __m512d vy1 = s4j_step(_mm512_loadu_pd(y + 8), vih, vil);
    const __m512d vy2 = s4j_step(_mm512_loadu_pd(y + 16), vih, vil);
    const __m512d vy3 = s4j_step(_mm512_loadu_pd(y + 24), vih, vil);
    _mm512_storeu_pd(y, vy0);
    _mm512_storeu_pd(y + 8, vy1);
    _mm512_storeu_pd(y + 16, vy2);
    _mm512_storeu_pd(y + 24, vy3);
  }
  for (; n >= 8; n -= 8, y += 8) {
    _mm512_storeu_pd(y, s4j_step(_mm512_loadu_pd(y), vih, vil));
  }
  if (n != 0) {
    const __mmask8 vmask = s4j_avx512_f64_tail_mask(n);
    _mm512_mask_storeu_pd(y, vmask, s4j_step(_mm512_maskz_loadu_pd(vmask, y), vih, vil));
  }
}
