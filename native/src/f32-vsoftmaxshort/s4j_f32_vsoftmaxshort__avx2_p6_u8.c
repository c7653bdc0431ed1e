/* Softmax of a short row (1 <= n <= 8) in registers: the three-pass reload of The Two-Pass Softmax
 * Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438) fused into one masked vector: max, E, the
 * terms p * 2^(n - E), their sum in double, the scaling. The same steps and roundings as rmax +
 * raddstoreexp + vscale, without their per-call set-up: batches of short rows (attention over a few
 * positions) spent ~37 ns per row of 4 in those five calls on Zen 3. AVX2 + FMA. */
#include "kernels.h"
#include "s4j_avx2.h"

S4J_INLINE int s4j_body(size_t n, const float* x, float* y, float s, const int scaled) {
  const __m256i vmask = s4j_avx2_tail_mask(n);
  const __m256 vx = s4j_avx2_load_tail(x, vmask); /* masked-out lanes: -Inf, nothing */
  if (_mm256_movemask_ps(_mm256_cmp_ps(vx, vx, _CMP_UNORD_Q)) != 0) return 0; /* NaN: exact path */
  const float xlo = S4J_X_LO / s;
  const float max = s4j_avx2_hmax(_mm256_max_ps(vx, _mm256_set1_ps(S4J_X_LO)));
  const float e = s4j_f32_exponent_of_max(max, s); /* as the driver computes E for the reload */
  if (!(e >= S4J_E_LO && e <= S4J_E_HI)) return 0; /* +Inf, all -Inf, beyond the fast range */
  __m256 vn;
  const __m256 vp = s4j_avx2_exp_pn_s(vx, _mm256_set1_ps(s), _mm256_set1_ps(xlo), scaled, &vn);
  const __m256 vz = _mm256_mul_ps(vp, s4j_avx2_exp2(_mm256_sub_ps(vn, _mm256_set1_ps(e))));
  __m256d vlo = _mm256_setzero_pd(), vhi = vlo;
  s4j_avx2_add_pd(&vlo, &vhi, vz);
  const float inv = (float)(1.0 / s4j_avx2_hsum2_pd(vlo, vhi));
  _mm256_maskstore_ps(y, vmask, _mm256_mul_ps(vz, _mm256_set1_ps(inv)));
  return 1;
}

int s4j_f32_vsoftmaxshort__avx2_p6_u8(size_t n, const float* x, float* y, float s) {
  return s == 1.0f ? s4j_body(n, x, y, 1.0f, 0) : s4j_body(n, x, y, s, 1);
}
