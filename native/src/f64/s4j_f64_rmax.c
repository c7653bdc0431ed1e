/* Pass 1 of the three-pass baselines of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438), double precision: max of the clamped products hi = fl(x*s) plus a NaN flag. Written once
 * over the f64 layer (src/simd/s4j_f64_<isa>.h); compiled once per vector tier (s4j_f64_simd.h). */
#include "s4j_f64_simd.h"

/* hi = fl(x*s); the low part of the product is not needed for the max (fl is monotone). */
S4J_INLINE s4j_dvf s4j_hi(s4j_dvf vx, s4j_dvf vs, const int scaled) { return scaled ? s4j_dmulv(vx, vs) : vx; }

/* 4 vectors per iteration, 4 max accumulators (max has latency 1-3; the pass is load-bound in cache). */
S4J_INLINE double s4j_body(size_t n, const double* x, s4j_dvf vs, int* has_nan, const int scaled) {
  /* Starting at X_LO is the clamp. max(h, acc) returns acc when h is NaN: NaN never enters the max; unordered
   * compares flag it (x NaN, s NaN, 0 * Inf), one compare per two vectors. */
  s4j_dvf vmax0 = s4j_dset1(S4J_F64_X_LO), vmax1 = vmax0, vmax2 = vmax0, vmax3 = vmax0;
  s4j_dnan nan0 = s4j_dnan_init(), nan1 = nan0;
  for (; n >= 4 * S4J_DVLEN; n -= 4 * S4J_DVLEN, x += 4 * S4J_DVLEN) {
    const s4j_dvf vh0 = s4j_hi(s4j_dload(x), vs, scaled);
    const s4j_dvf vh1 = s4j_hi(s4j_dload(x + S4J_DVLEN), vs, scaled);
    const s4j_dvf vh2 = s4j_hi(s4j_dload(x + 2 * S4J_DVLEN), vs, scaled);
    const s4j_dvf vh3 = s4j_hi(s4j_dload(x + 3 * S4J_DVLEN), vs, scaled);
    vmax0 = s4j_dmax(vh0, vmax0);
    vmax1 = s4j_dmax(vh1, vmax1);
    vmax2 = s4j_dmax(vh2, vmax2);
    vmax3 = s4j_dmax(vh3, vmax3);
    nan0 = s4j_dnan_add(nan0, vh0, vh1);
    nan1 = s4j_dnan_add(nan1, vh2, vh3);
  }
  for (; n >= S4J_DVLEN; n -= S4J_DVLEN, x += S4J_DVLEN) {
    const s4j_dvf vh = s4j_hi(s4j_dload(x), vs, scaled);
    vmax0 = s4j_dmax(vh, vmax0);
    nan0 = s4j_dnan_add(nan0, vh, vh);
  }
  if (n != 0) {
    /* Masked-out lanes are X_LO after the product: ordered, and not above the clamp. */
    s4j_dvf vlo;
    const s4j_dvf vh = s4j_dmul_tail(x, s4j_dtail_mask(n), vs, &vlo, scaled);
    vmax1 = s4j_dmax(vh, vmax1);
    nan1 = s4j_dnan_add(nan1, vh, vh);
  }
  vmax0 = s4j_dmax(s4j_dmax(vmax0, vmax1), s4j_dmax(vmax2, vmax3));
  *has_nan = s4j_dnan_any(nan0) || s4j_dnan_any(nan1);
  return s4j_dhmax(vmax0);
}

double S4J_DNAME(s4j_f64_rmax__, S4J_DISA, _, S4J_DU4, _acc4)(size_t n, const double* x, double scale, int* has_nan) {
  const s4j_dvf vs = s4j_dset1(scale);
  return scale == 1.0 ? s4j_body(n, x, vs, has_nan, 0) : s4j_body(n, x, vs, has_nan, 1);
}
