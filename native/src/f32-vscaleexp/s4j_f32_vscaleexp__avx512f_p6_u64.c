/* Pass 2 of two-pass and pass 3 of the three-pass (recompute) baseline of The Two-Pass Softmax
 * Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438), with exact power-of-two scaling instead of
 * x - max: y = (p * inv) * 2^(n - E) where exp(s*x) = p * 2^n. AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* One 16-lane step: (p * inv) rounds once; vscalefps scales by 2^(n - E) exactly (gradual underflow). */
S4J_INLINE __m512 s4j_step(__m512 vx, __m512 vs, __m512 vxlo, __m512 vinv, __m512 ve, const int scaled) {
  __m512 vn;
  const __m512 vp = s4j_avx512_exp_pn_s(vx, vs, vxlo, scaled, &vn);
  return _mm512_scalef_ps(_mm512_mul_ps(vp, vinv), _mm512_sub_ps(vn, ve));
}

/* u64: 4 independent vectors per iteration; all loads precede the stores (in place works). */
S4J_INLINE void s4j_body(size_t n, const float* x, float* y, float s, float inv, float e_max,
                         const int scaled) {
  const __m512 vs = _mm512_set1_ps(s);
  const __m512 vxlo = _mm512_set1_ps(S4J_X_LO / s);
  const __m512 vinv = _mm512_set1_ps(inv);
  const __m512 ve = _mm512_set1_ps(e_max);
  for (; n >= 64; n -= 64, x += 64, y += 64) {
    const __m512 vy0 = s4j_step(_mm512_loadu_ps(x), vs, vxlo, vinv, ve, scaled);
    const __m512 vy1 = s4j_step(_mm512_loadu_ps(x + 16), vs, vxlo, vinv, ve, scaled);
    const __m512 vy2 = s4j_step(_mm512_loadu_ps(x + 32), vs, vxlo, vinv, ve, scaled);
    const __m512 vy3 = s4j_step(_mm512_loadu_ps(x + 48), vs, vxlo, vinv, ve, scaled);
    _mm512_storeu_ps(y, vy0);
    _mm512_storeu_ps(y + 16, vy1);
    _mm512_storeu_ps(y + 32, vy2);
    _mm512_storeu_ps(y + 48, vy3);
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    _mm512_storeu_ps(y, s4j_step(_mm512_loadu_ps(x), vs, vxlo, vinv, ve, scaled));
  }
  if (n != 0) {
    const __mmask16 vmask = s4j_avx512_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, s4j_step(s4j_avx512_load_tail(x, vmask), vs, vxlo, vinv, ve, scaled));
  }
}

/* s == 1 (no temperature) runs the loop without the exact-product steps. */
void s4j_f32_vscaleexp__avx512f_p6_u64(size_t n, const float* x, float* y, float s, float inv, float e_max) {
  if (s == 1.0f) {
    s4j_body(n, x, y, 1.0f, inv, e_max, 0);
  } else {
    s4j_body(n, x, y, s, inv, e_max, 1);
  }
}
