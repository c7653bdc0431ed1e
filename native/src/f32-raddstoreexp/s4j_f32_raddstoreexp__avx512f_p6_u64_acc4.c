/* Pass 2 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438): z = p * 2^(n - E) stored into y and summed. AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* exp(x) relative to 2^E: p * 2^(n - E) by vscalefps, an exact scaling. */
static inline __m512 s4j_step(__m512 vx, __m512 ve) {
  __m512 vn;
  const __m512 vp = s4j_avx512_exp_pn(vx, &vn);
  return _mm512_scalef_ps(vp, _mm512_sub_ps(vn, ve));
}

/* u64 with 4 float accumulators, combined in double; all loads of an iteration precede its stores. */
double s4j_f32_raddstoreexp__avx512f_p6_u64_acc4(size_t n, const float* x, float* y, float e_max) {
  const __m512 ve = _mm512_set1_ps(e_max);
  __m512 vacc0 = _mm512_setzero_ps(), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
  for (; n >= 64; n -= 64, x += 64, y += 64) {
    const __m512 vz0 = s4j_step(_mm512_loadu_ps(x), ve);
    const __m512 vz1 = s4j_step(_mm512_loadu_ps(x + 16), ve);
    const __m512 vz2 = s4j_step(_mm512_loadu_ps(x + 32), ve);
    const __m512 vz3 = s4j_step(_mm512_loadu_ps(x + 48), ve);
    _mm512_storeu_ps(y, vz0);
    _mm512_storeu_ps(y + 16, vz1);
    _mm512_storeu_ps(y + 32, vz2);
    _mm512_storeu_ps(y + 48, vz3);
    vacc0 = _mm512_add_ps(vacc0, vz0);
    vacc1 = _mm512_add_ps(vacc1, vz1);
    vacc2 = _mm512_add_ps(vacc2, vz2);
    vacc3 = _mm512_add_ps(vacc3, vz3);
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m512 vz = s4j_step(_mm512_loadu_ps(x), ve);
    _mm512_storeu_ps(y, vz);
    vacc0 = _mm512_add_ps(vacc0, vz);
  }
  if (n != 0) {
    const __mmask16 vmask = s4j_avx512_tail_mask(n);
    const __m512 vz = s4j_step(s4j_avx512_load_tail(x, vmask), ve);
    _mm512_mask_storeu_ps(y, vmask, vz);
    vacc1 = _mm512_add_ps(vacc1, vz);
  }
  return s4j_avx512_hsum_pd(_mm512_add_ps(_mm512_add_ps(vacc0, vacc1), _mm512_add_ps(vacc2, vacc3)));
}
