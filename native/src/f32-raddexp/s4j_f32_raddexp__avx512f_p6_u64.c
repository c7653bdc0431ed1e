/* Pass 2 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), and the per-block sum of pass 1 of two-pass: sum of
 * p * 2^(n - E) for E >= every n, where exp(s*x) = p * 2^n. AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* exp(s*x) relative to 2^E: p * 2^(n - E) by vscalefps, an exact scaling. */
S4J_INLINE __m512 s4j_step(__m512 vx, __m512 vs, __m512 vxlo, __m512 ve, const int scaled) {
  __m512 vn;
  const __m512 vp = s4j_avx512_exp_pn_s(vx, vs, vxlo, scaled, &vn);
  return _mm512_scalef_ps(vp, _mm512_sub_ps(vn, ve));
}

/* u64: 4 vectors per iteration, added in pairs in fp32 (one rounding per pair) and then into double
 * lanes, as in s4j_f32_raddexp__avx2_p6_u64 (same accuracy argument; not measured on AVX-512 here). */
S4J_INLINE double s4j_body(size_t n, const float* x, float s, float e_max, const int scaled) {
  const __m512 vs = _mm512_set1_ps(s);
  const __m512 vxlo = _mm512_set1_ps(S4J_X_LO / s);
  const __m512 ve = _mm512_set1_ps(e_max);
  __m512d vlo = _mm512_setzero_pd(), vhi = vlo;
  for (; n >= 64; n -= 64, x += 64) {
    const __m512 vz0 = s4j_step(_mm512_loadu_ps(x), vs, vxlo, ve, scaled);
    const __m512 vz1 = s4j_step(_mm512_loadu_ps(x + 16), vs, vxlo, ve, scaled);
    const __m512 vz2 = s4j_step(_mm512_loadu_ps(x + 32), vs, vxlo, ve, scaled);
    const __m512 vz3 = s4j_step(_mm512_loadu_ps(x + 48), vs, vxlo, ve, scaled);
    s4j_avx512_add_pd(&vlo, &vhi, _mm512_add_ps(vz0, vz2));
    s4j_avx512_add_pd(&vlo, &vhi, _mm512_add_ps(vz1, vz3));
  }
  for (; n >= 16; n -= 16, x += 16) {
    s4j_avx512_add_pd(&vlo, &vhi, s4j_step(_mm512_loadu_ps(x), vs, vxlo, ve, scaled));
  }
  if (n != 0) {
    const __m512 vx = s4j_avx512_load_tail(x, s4j_avx512_tail_mask(n));
    s4j_avx512_add_pd(&vlo, &vhi, s4j_step(vx, vs, vxlo, ve, scaled));
  }
  return s4j_avx512_hsum2_pd(vlo, vhi);
}

/* s == 1 (no temperature) runs the loop without the exact-product steps. */
double s4j_f32_raddexp__avx512f_p6_u64(size_t n, const float* x, float s, float e_max) {
  return s == 1.0f ? s4j_body(n, x, 1.0f, e_max, 0) : s4j_body(n, x, s, e_max, 1);
}
