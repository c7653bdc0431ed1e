/* Softmax of a short row (1 <= n <= 16) in registers: the three-pass reload fused into one masked
 * vector, as s4j_f32_vsoftmaxshort__avx2_p6_u8 (which explains why). AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

S4J_INLINE int s4j_body(size_t n, const float* x, float* y, float s, const int scaled) {
  const __mmask16 vmask = s4j_avx512_tail_mask(n); /* (1 << 16) - 1 for n = 16 */
  const __m512 vx = s4j_avx512_load_tail(x, vmask); /* masked-out lanes: -Inf, nothing */
  if (_mm512_cmp_ps_mask(vx, vx, _CMP_UNORD_Q) != 0) return 0; /* NaN: exact path */
  const float xlo = S4J_X_LO / s;
  const float max = s4j_avx512_hmax(_mm512_max_ps(vx, _mm512_set1_ps(S4J_X_LO)));
  const float e = s4j_f32_exponent_of_max(max, s); /* as the driver computes E for the reload */
  if (!(e >= S4J_E_LO && e <= S4J_E_HI)) return 0; /* +Inf, all -Inf, beyond the fast range */
  __m512 vn;
  const __m512 vp = s4j_avx512_exp_pn_s(vx, _mm512_set1_ps(s), _mm512_set1_ps(xlo), scaled, &vn);
  const __m512 vz = _mm512_scalef_ps(vp, _mm512_sub_ps(vn, _mm512_set1_ps(e)));
  __m512d vlo = _mm512_setzero_pd(), vhi = vlo;
  s4j_avx512_add_pd(&vlo, &vhi, vz);
  const float inv = (float)(1.0 / s4j_avx512_hsum2_pd(vlo, vhi));
  _mm512_mask_storeu_ps(y, vmask, _mm512_mul_ps(vz, _mm512_set1_ps(inv)));
  return 1;
}

int s4j_f32_vsoftmaxshort__avx512f_p6_u16(size_t n, const float* x, float* y, float s) {
  return s == 1.0f ? s4j_body(n, x, y, 1.0f, 0) : s4j_body(n, x, y, s, 1);
}
