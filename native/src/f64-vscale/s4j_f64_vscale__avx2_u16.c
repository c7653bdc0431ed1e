/* Pass 3 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski,
 * 2020, arXiv:2001.04438), double precision: y = z * (inv_hi + inv_lo) in place, one rounding. AVX2 + FMA. */
#include "kernels.h"
#include "s4j_f64_avx2.h"

static inline __m256d s4j_step(__m256d vz, __m256d vinv_hi, __m256d vinv_lo) {
  return _mm256_fmadd_pd(vz, vinv_hi, _mm256_mul_pd(vz, vinv_lo));
}

/* u16: 4 vectors per iteration (a load-multiply-store stream). */
void s4j_f64_vscale__avx2_u16(size_t n, double* y, double inv_hi, double inv_lo) {
  const __m256d vih = _mm256_set1_pd(inv_hi);
  const __m256d vil = _mm256_set1_pd(inv_lo);
  for (; n >= 16; n -= 16, y += 16) {
    const __m256d vy0 = s4j_step(_mm256_loadu_pd(y), vih, vil);
    const __m256d vy1 = s4j_step(_mm256_loadu_pd(y + 4), vih, vil);
    const __m256d vy2 = s4j_step(_mm256_loadu_pd(y + 8), vih, vil);
    const __m256d vy3 = s4j_step(_mm256_loadu_pd(y + 12), vih, vil);
    _mm256_storeu_pd(y, vy0);
    _mm256_storeu_pd(y + 4, vy1);
    _mm256_storeu_pd(y + 8, vy2);
    _mm256_storeu_pd(y + 12, vy3);
  }
  for (; n >= 4; n -= 4, y += 4) {
    _mm256_storeu_pd(y, s4j_step(_mm256_loadu_pd(y), vih, vil));
  }
  if (n != 0) {
    const __m256i vmask = s4j_avx2_f64_tail_mask(n);
    _mm256_maskstore_pd(y, vmask, s4j_step(_mm256_maskload_pd(y, vmask), vih, vil));
  }
}
