/* Pass 1 of the three-pass baselines of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438), double precision: max of the clamped products hi = fl(x*s) plus a NaN flag.
 * AVX-512F. */
#include "kernels.h"
#include "s4j_f64_avx512.h"

/* hi = fl(x*s); the low part of the product is not needed for the max (fl is monotone). */
S4J_INLINE __m512d s4j_hi(__m512d vx, __m512d vs, const int scaled) {
  return scaled ? _mm512_mul_pd(vx, vs) : vx;
}

/* u32 with 4 max accumulators (max has latency 1-3; the pass is load-bound in cache). */
S4J_INLINE double s4j_body(size_t n, const double* x, __m512d vs, int* has_nan, const int scaled) {
  /* Starting at X_LO is the clamp. max_pd(h, acc) returns acc when h is NaN: NaN never enters the
   * max; unordered compares flag it (x NaN, s NaN, 0 * Inf). */
  __m512d vmax0 = _mm512_set1_pd(S4J_F64_X_LO), vmax1 = vmax0, vmax2 = vmax0, vmax3 = vmax0;
  __mmask8 knan = 0;
  for (; n >= 32; n -= 32, x += 32) {
    const __m512d vh0 = s4j_hi(_mm512_loadu_pd(x), vs, scaled);
    const __m512d vh1 = s4j_hi(_mm512_loadu_pd(x + 8), vs, scaled);
    const __m512d vh2 = s4j_hi(_mm512_loadu_pd(x + 16), vs, scaled);
    const __m512d vh3 = s4j_hi(_mm512_loadu_pd(x + 24), vs, scaled);
    vmax0 = _mm512_max_pd(vh0, vmax0);
    vmax1 = _mm512_max_pd(vh1, vmax1);
    vmax2 = _mm512_max_pd(vh2, vmax2);
    vmax3 = _mm512_max_pd(vh3, vmax3);
    /* unord(a, b) is true when a or b is NaN: one compare checks two vectors. */
    knan |= _mm512_cmp_pd_mask(vh0, vh1, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(vh2, vh3, _CMP_UNORD_Q);
  }
  for (; n >= 8; n -= 8, x += 8) {
    const __m512d vh = s4j_hi(_mm512_loadu_pd(x), vs, scaled);
    vmax0 = _mm512_max_pd(vh, vmax0);
    knan |= _mm512_cmp_pd_mask(vh, vh, _CMP_UNORD_Q);
  }
  if (n != 0) {
    /* Masked-out lanes are X_LO after the product: ordered, and not above the clamp. */
    __m512d vlo;
    const __m512d vh = s4j_avx512_f64_mul_tail(x, s4j_avx512_f64_tail_mask(n), vs, &vlo, scaled);
    vmax1 = _mm512_max_pd(vh, vmax1);
    knan |= _mm512_cmp_pd_mask(vh, vh, _CMP_UNORD_Q);
  }
  vmax0 = _mm512_max_pd(_mm512_max_pd(vmax0, vmax1), _mm512_max_pd(vmax2, vmax3));
  *has_nan = knan != 0;
  return s4j_avx512_f64_hmax(vmax0);
}

double s4j_f64_rmax__avx512f_u32_acc4(size_t n, const double* x, double scale, int* has_nan) {
  const __m512d vs = _mm512_set1_pd(scale);
  return scale == 1.0 ? s4j_body(n, x, vs, has_nan, 0) : s4j_body(n, x, vs, has_nan, 1);
}
