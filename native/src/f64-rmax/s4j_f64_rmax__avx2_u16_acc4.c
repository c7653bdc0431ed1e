/* Pass 1 of the three-pass baselines of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438), double precision: max of the clamped products hi = fl(x*s) plus a NaN flag.
 * AVX2. */
#include "kernels.h"
#include "s4j_f64_avx2.h"

/* hi = fl(x*s); the low part of the product is not needed for the max (fl is monotone). */
S4J_INLINE __m256d s4j_hi(__m256d vx, __m256d vs, const int scaled) {
  return scaled ? _mm256_mul_pd(vx, vs) : vx;
}

/* u16 with 4 max accumulators (max has latency 1-3; the pass is load-bound in cache). */
S4J_INLINE double s4j_body(size_t n, const double* x, __m256d vs, int* has_nan, const int scaled) {
  /* Starting at X_LO is the clamp. max_pd(h, acc) returns acc when h is NaN: NaN never enters the
   * max; unordered compares flag it (x NaN, s NaN, 0 * Inf). */
  __m256d vmax0 = _mm256_set1_pd(S4J_F64_X_LO), vmax1 = vmax0, vmax2 = vmax0, vmax3 = vmax0;
  __m256d vnan0 = _mm256_setzero_pd(), vnan1 = vnan0;
  for (; n >= 16; n -= 16, x += 16) {
    const __m256d vh0 = s4j_hi(_mm256_loadu_pd(x), vs, scaled);
    const __m256d vh1 = s4j_hi(_mm256_loadu_pd(x + 4), vs, scaled);
    const __m256d vh2 = s4j_hi(_mm256_loadu_pd(x + 8), vs, scaled);
    const __m256d vh3 = s4j_hi(_mm256_loadu_pd(x + 12), vs, scaled);
    vmax0 = _mm256_max_pd(vh0, vmax0);
    vmax1 = _mm256_max_pd(vh1, vmax1);
    vmax2 = _mm256_max_pd(vh2, vmax2);
    vmax3 = _mm256_max_pd(vh3, vmax3);
    /* unord(a, b) is true when a or b is NaN: one compare checks two vectors. */
    vnan0 = _mm256_or_pd(vnan0, _mm256_cmp_pd(vh0, vh1, _CMP_UNORD_Q));
    vnan1 = _mm256_or_pd(vnan1, _mm256_cmp_pd(vh2, vh3, _CMP_UNORD_Q));
  }
  for (; n >= 4; n -= 4, x += 4) {
    const __m256d vh = s4j_hi(_mm256_loadu_pd(x), vs, scaled);
    vmax0 = _mm256_max_pd(vh, vmax0);
    vnan0 = _mm256_or_pd(vnan0, _mm256_cmp_pd(vh, vh, _CMP_UNORD_Q));
  }
  if (n != 0) {
    /* Masked-out lanes are X_LO after the product: ordered, and not above the clamp. */
    __m256d vlo;
    const __m256d vh = s4j_avx2_f64_mul_tail(x, s4j_avx2_f64_tail_mask(n), vs, &vlo, scaled);
    vmax1 = _mm256_max_pd(vh, vmax1);
    vnan1 = _mm256_or_pd(vnan1, _mm256_cmp_pd(vh, vh, _CMP_UNORD_Q));
  }
  vmax0 = _mm256_max_pd(_mm256_max_pd(vmax0, vmax1), _mm256_max_pd(vmax2, vmax3));
  *has_nan = _mm256_movemask_pd(_mm256_or_pd(vnan0, vnan1)) != 0;
  return s4j_avx2_f64_hmax(vmax0);
}

double s4j_f64_rmax__avx2_u16_acc4(size_t n, const double* x, double scale, int* has_nan) {
  const __m256d vs = _mm256_set1_pd(scale);
  return scale == 1.0 ? s4j_body(n, x, vs, has_nan, 0) : s4j_body(n, x, vs, has_nan, 1);
}
