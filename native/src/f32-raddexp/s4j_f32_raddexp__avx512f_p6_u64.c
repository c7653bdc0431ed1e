/* Pass 2 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), and the per-block sum of pass 1 of two-pass: sum of
 * p * 2^(n - E) for E >= every n. AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* exp(x) relative to 2^E: p * 2^(n - E) by vscalefps, an exact scaling. */
static inline __m512 s4j_step(__m512 vx, __m512 ve) {
  __m512 vn;
  const __m512 vp = s4j_avx512_exp_pn(vx, &vn);
  return _mm512_scalef_ps(vp, _mm512_sub_ps(vn, ve));
}

/* u64: 4 vectors per iteration, added in pairs in fp32 (one rounding per pair) and then into double
 * lanes, as in s4j_f32_raddexp__avx2_p6_u64 (same accuracy argument; not measured on AVX-512 here). */
double s4j_f32_raddexp__avx512f_p6_u64(size_t n, const float* x, float e_max) {
  const __m512 ve = _mm512_set1_ps(e_max);
  __m512d vlo = _mm512_setzero_pd(), vhi = vlo;
  for (; n >= 64; n -= 64, x += 64) {
    const __m512 vs0 = _mm512_add_ps(s4j_step(_mm512_loadu_ps(x), ve), s4j_step(_mm512_loadu_ps(x + 32), ve));
    const __m512 vs1 = _mm512_add_ps(s4j_step(_mm512_loadu_ps(x + 16), ve), s4j_step(_mm512_loadu_ps(x + 48), ve));
    s4j_avx512_add_pd(&vlo, &vhi, vs0);
    s4j_avx512_add_pd(&vlo, &vhi, vs1);
  }
  for (; n >= 16; n -= 16, x += 16) {
    s4j_avx512_add_pd(&vlo, &vhi, s4j_step(_mm512_loadu_ps(x), ve));
  }
  if (n != 0) {
    /* Masked-out lanes (X_LO) scale to 0 against any fast-path E. */
    s4j_avx512_add_pd(&vlo, &vhi, s4j_step(s4j_avx512_load_tail(x, s4j_avx512_tail_mask(n)), ve));
  }
  return s4j_avx512_hsum2_pd(vlo, vhi);
}
