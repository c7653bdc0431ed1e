/* Pass 2 of two-pass and pass 3 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm
 * (Dukhan & Ablavatski, 2020, arXiv:2001.04438), double precision: y = (p * inv) * 2^(n - E) for
 * exp(x*s) = p * 2^n, with inv = inv_hi + inv_lo = 1/S. Written once over the f64 layer; compiled once per vector
 * tier (s4j_f64_simd.h). */
#include "s4j_f64_simd.h"

/* q vectors (the exps in one group): p * (inv_hi + inv_lo) = fma(p, inv_hi, p * inv_lo) rounds once (the
 * double-double inverse saves the rounding of 1/S); the scaling by 2^(n - E) <= 1 is exact (s4j_dldexp: to gradual
 * underflow on AVX-512, within DBL_MIN below DBL_MIN on AVX2). */
S4J_INLINE void s4j_stepq(s4j_dvf* vy, const s4j_dvf* vhi, const s4j_dvf* vlo, s4j_dvf vinv_hi, s4j_dvf vinv_lo,
                          s4j_dvf ve, const int q) {
  s4j_dvf vp[2], vn[2];
  s4j_dexp_pnq(vp, vn, vhi, vlo, q);
  for (int i = 0; i < q; i++) {
    vy[i] = s4j_dldexp(s4j_dfma(vp[i], vinv_hi, s4j_dmulv(vp[i], vinv_lo)), s4j_dsub(vn[i], ve));
  }
}
static inline s4j_dvf s4j_step(s4j_dvf vhi, s4j_dvf vlo, s4j_dvf vinv_hi, s4j_dvf vinv_lo, s4j_dvf ve) {
  s4j_dvf vy;
  s4j_stepq(&vy, &vhi, &vlo, vinv_hi, vinv_lo, ve, 1);
  return vy;
}

/* Two independent vectors per iteration, in groups of S4J_DEXP_GROUP(scaled) (at most both), loads before stores
 * (in place works). */
S4J_INLINE void s4j_body(size_t n, const double* x, double* y, s4j_dvf vs, s4j_dvf vinv_hi, s4j_dvf vinv_lo,
                         s4j_dvf ve, const int scaled) {
  s4j_dvf vlo0;
  for (; n >= 2 * S4J_DVLEN; n -= 2 * S4J_DVLEN, x += 2 * S4J_DVLEN, y += 2 * S4J_DVLEN) {
    s4j_dvf vh[2], vlo[2], vy[2];
    for (int q = 0; q < 2; q++) vh[q] = s4j_dmul(s4j_dload(x + q * S4J_DVLEN), vs, &vlo[q], scaled);
    const int group = S4J_DEXP_GROUP(scaled) < 2 ? S4J_DEXP_GROUP(scaled) : 2;
    for (int g = 0; g < 2; g += group) s4j_stepq(vy + g, vh + g, vlo + g, vinv_hi, vinv_lo, ve, group);
    s4j_dstore(y, vy[0]);
    s4j_dstore(y + S4J_DVLEN, vy[1]);
  }
  if (n >= S4J_DVLEN) {
    const s4j_dvf vh = s4j_dmul(s4j_dload(x), vs, &vlo0, scaled);
    s4j_dstore(y, s4j_step(vh, vlo0, vinv_hi, vinv_lo, ve));
    n -= S4J_DVLEN;
    x += S4J_DVLEN;
    y += S4J_DVLEN;
  }
  if (n != 0) {
    const s4j_dmask vmask = s4j_dtail_mask(n);
    const s4j_dvf vh = s4j_dmul_tail(x, vmask, vs, &vlo0, scaled);
    s4j_dstore_tail(y, vmask, s4j_step(vh, vlo0, vinv_hi, vinv_lo, ve));
  }
}

void S4J_DNAME(s4j_f64_vscaleexp__, S4J_DISA, _p13_, S4J_DU2, )(size_t n, const double* x, double* y, double scale,
                                                                double inv_hi, double inv_lo, double e_max) {
  const s4j_dvf vs = s4j_dset1(scale);
  const s4j_dvf vih = s4j_dset1(inv_hi);
  const s4j_dvf vil = s4j_dset1(inv_lo);
  const s4j_dvf ve = s4j_dset1(e_max);
  if (scale == 1.0) {
    s4j_body(n, x, y, vs, vih, vil, ve, 0);
  } else {
    s4j_body(n, x, y, vs, vih, vil, ve, 1);
  }
}
