/* Pass 2 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438): z = p * 2^(n - E) stored into y and summed. AVX2 + FMA. */
#include "kernels.h"
#include "s4j_avx2.h"

/* exp(x) relative to 2^E: p * 2^(n - E), an exact scaling (masked-out tail lanes give 0). */
static inline __m256 s4j_step(__m256 vx, __m256 ve) {
  __m256 vn;
  const __m256 vp = s4j_avx2_exp_pn(vx, &vn);
  return _mm256_mul_ps(vp, s4j_avx2_exp2(_mm256_sub_ps(vn, ve)));
}

/* u64 with the sum as in s4j_f32_raddexp__avx2_p6_u64 (pairs in fp32, then double lanes); all loads
 * of an iteration precede its stores, so x == y (in place) is safe. */
double s4j_f32_raddstoreexp__avx2_p6_u64(size_t n, const float* x, float* y, float e_max) {
  const __m256 ve = _mm256_set1_ps(e_max);
  __m256d vlo = _mm256_setzero_pd(), vhi = vlo;
  for (; n >= 64; n -= 64, x += 64, y += 64) {
    __m256 vz[8];
    for (int i = 0; i < 8; i++) {
      vz[i] = s4j_step(_mm256_loadu_ps(x + 8 * i), ve);
    }
    for (int i = 0; i < 8; i++) {
      _mm256_storeu_ps(y + 8 * i, vz[i]);
    }
    for (int i = 0; i < 4; i++) {
      s4j_avx2_add_pd(&vlo, &vhi, _mm256_add_ps(vz[i], vz[i + 4]));
    }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const __m256 vz = s4j_step(_mm256_loadu_ps(x), ve);
    _mm256_storeu_ps(y, vz);
    s4j_avx2_add_pd(&vlo, &vhi, vz);
  }
  if (n != 0) {
    const __m256i vmask = s4j_avx2_tail_mask(n);
    const __m256 vz = s4j_step(s4j_avx2_load_tail(x, vmask), ve);
    _mm256_maskstore_ps(y, vmask, vz);
    s4j_avx2_add_pd(&vlo, &vhi, vz);
  }
  return s4j_avx2_hsum2_pd(vlo, vhi);
}
