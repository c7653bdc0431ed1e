/* Pass 2 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438): sum of p * 2^(n - E), E = rint(max * LOG2E) >= every n. AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* exp(x) relative to 2^E: p * 2^(n - E) by vscalefps, an exact scaling. */
static inline __m512 s4j_step(__m512 vx, __m512 ve) {
  __m512 vn;
  const __m512 vp = s4j_avx512_exp_pn(vx, &vn);
  return _mm512_scalef_ps(vp, _mm512_sub_ps(vn, ve));
}

/* u64 with 4 float accumulators (independent add chains), combined in double at the end. */
double s4j_f32_raddexp__avx512f_p6_u64_acc4(size_t n, const float* x, float e_max) {
  const __m512 ve = _mm512_set1_ps(e_max);
  __m512 vacc0 = _mm512_setzero_ps(), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
  for (; n >= 64; n -= 64, x += 64) {
    vacc0 = _mm512_add_ps(vacc0, s4j_step(_mm512_loadu_ps(x), ve));
    vacc1 = _mm512_add_ps(vacc1, s4j_step(_mm512_loadu_ps(x + 16), ve));
    vacc2 = _mm512_add_ps(vacc2, s4j_step(_mm512_loadu_ps(x + 32), ve));
    vacc3 = _mm512_add_ps(vacc3, s4j_step(_mm512_loadu_ps(x + 48), ve));
  }
  for (; n >= 16; n -= 16, x += 16) {
    vacc0 = _mm512_add_ps(vacc0, s4j_step(_mm512_loadu_ps(x), ve));
  }
  if (n != 0) {
    /* Masked-out lanes (X_LO) scale to 0 against any fast-path E. */
    vacc1 = _mm512_add_ps(vacc1, s4j_step(s4j_avx512_load_tail(x, s4j_avx512_tail_mask(n)), ve));
  }
  return s4j_avx512_hsum_pd(_mm512_add_ps(_mm512_add_ps(vacc0, vacc1), _mm512_add_ps(vacc2, vacc3)));
}
