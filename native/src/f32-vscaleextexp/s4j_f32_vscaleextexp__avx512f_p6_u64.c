/* Pass 2 of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438):
 * y = exp(x) / (M * 2^E) computed as (p * inv) * 2^(n - E). AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* One 16-lane step: (p * inv) rounds once; vscalefps scales by 2^(n - E) exactly (gradual underflow). */
static inline __m512 s4j_step(__m512 vx, __m512 vinv, __m512 ve) {
  __m512 vn;
  const __m512 vp = s4j_avx512_exp_pn(vx, &vn);
  return _mm512_scalef_ps(_mm512_mul_ps(vp, vinv), _mm512_sub_ps(vn, ve));
}

/* u64: 4 independent vectors per iteration; all loads precede the stores (in place works). */
void s4j_f32_vscaleextexp__avx512f_p6_u64(size_t n, const float* x, float* y, float inv, float e) {
  const __m512 vinv = _mm512_set1_ps(inv);
  const __m512 ve = _mm512_set1_ps(e);
  for (; n >= 64; n -= 64, x += 64, y += 64) {
    const __m512 vy0 = s4j_step(_mm512_loadu_ps(x), vinv, ve);
    const __m512 vy1 = s4j_step(_mm512_loadu_ps(x + 16), vinv, ve);
    const __m512 vy2 = s4j_step(_mm512_loadu_ps(x + 32), vinv, ve);
    const __m512 vy3 = s4j_step(_mm512_loadu_ps(x + 48), vinv, ve);
    _mm512_storeu_ps(y, vy0);
    _mm512_storeu_ps(y + 16, vy1);
    _mm512_storeu_ps(y + 32, vy2);
    _mm512_storeu_ps(y + 48, vy3);
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    _mm512_storeu_ps(y, s4j_step(_mm512_loadu_ps(x), vinv, ve));
  }
  if (n != 0) {
    const __mmask16 vmask = s4j_avx512_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, s4j_step(s4j_avx512_load_tail(x, vmask), vinv, ve));
  }
}
