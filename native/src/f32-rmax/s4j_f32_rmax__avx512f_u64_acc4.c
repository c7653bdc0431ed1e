/* Pass 1 of the three-pass baselines of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438): max of the clamped inputs plus a NaN flag. AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* u64 with 4 max accumulators: this pass is load-bound in cache. */
float s4j_f32_rmax__avx512f_u64_acc4(size_t n, const float* x, int* has_nan) {
  /* Starting at X_LO is the clamp. max_ps(x, acc) returns acc when x is NaN: NaN never enters the
   * max; it is tracked in an opmask by unordered compares (-Inf and +Inf are ordered). */
  __m512 vmax0 = _mm512_set1_ps(S4J_X_LO), vmax1 = vmax0, vmax2 = vmax0, vmax3 = vmax0;
  __mmask16 knan = 0;
  for (; n >= 64; n -= 64, x += 64) {
    const __m512 vx0 = _mm512_loadu_ps(x);
    const __m512 vx1 = _mm512_loadu_ps(x + 16);
    const __m512 vx2 = _mm512_loadu_ps(x + 32);
    const __m512 vx3 = _mm512_loadu_ps(x + 48);
    vmax0 = _mm512_max_ps(vx0, vmax0);
    vmax1 = _mm512_max_ps(vx1, vmax1);
    vmax2 = _mm512_max_ps(vx2, vmax2);
    vmax3 = _mm512_max_ps(vx3, vmax3);
    /* unord(a, b) is true when a or b is NaN: one compare checks two vectors. */
    knan |= _mm512_cmp_ps_mask(vx0, vx1, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(vx2, vx3, _CMP_UNORD_Q);
  }
  for (; n >= 16; n -= 16, x += 16) {
    const __m512 vx = _mm512_loadu_ps(x);
    vmax0 = _mm512_max_ps(vx, vmax0);
    knan |= _mm512_cmp_ps_mask(vx, vx, _CMP_UNORD_Q);
  }
  if (n != 0) {
    /* Masked-out lanes read as -Inf: ordered, and below the clamp. */
    const __m512 vx = s4j_avx512_load_tail(x, s4j_avx512_tail_mask(n));
    vmax1 = _mm512_max_ps(vx, vmax1);
    knan |= _mm512_cmp_ps_mask(vx, vx, _CMP_UNORD_Q);
  }
  vmax0 = _mm512_max_ps(_mm512_max_ps(vmax0, vmax1), _mm512_max_ps(vmax2, vmax3));
  *has_nan = knan != 0;
  return s4j_avx512_hmax(vmax0);
}
