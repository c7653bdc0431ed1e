/* Pass 2 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438), double precision: z = p * 2^(n - E) stored into y and summed as a double-double. Written
 * once over the f64 layer; compiled once per vector tier (s4j_f64_simd.h). */
#include "s4j_f64_simd.h"

/* 4 vectors per iteration into 2 compensated accumulators, as raddexp; all loads of an iteration precede its
 * stores, so x == y (in place) is safe. */
S4J_INLINE double s4j_body(size_t n, const double* x, double* y, s4j_dvf vs, s4j_dvf ve, double* sum_lo,
                           const int scaled) {
  s4j_dvf vs0 = s4j_dset1(0.0), vc0 = vs0, vs1 = vs0, vc1 = vs0;
  s4j_dvf vlo0;
  for (; n >= 4 * S4J_DVLEN; n -= 4 * S4J_DVLEN, x += 4 * S4J_DVLEN, y += 4 * S4J_DVLEN) {
    s4j_dvf vh[4], vlo[4], vz[4];
    for (int q = 0; q < 4; q++) vh[q] = s4j_dmul(s4j_dload(x + q * S4J_DVLEN), vs, &vlo[q], scaled);
    s4j_dterm4(vz, vh, vlo, ve, scaled);
    for (int q = 0; q < 4; q++) s4j_dstore(y + q * S4J_DVLEN, vz[q]);
    s4j_dacc(&vs0, &vc0, vz[0]);
    s4j_dacc(&vs1, &vc1, vz[1]);
    s4j_dacc(&vs0, &vc0, vz[2]);
    s4j_dacc(&vs1, &vc1, vz[3]);
  }
  for (; n >= S4J_DVLEN; n -= S4J_DVLEN, x += S4J_DVLEN, y += S4J_DVLEN) {
    const s4j_dvf vh = s4j_dmul(s4j_dload(x), vs, &vlo0, scaled);
    const s4j_dvf vz = s4j_dterm(vh, vlo0, ve);
    s4j_dstore(y, vz);
    s4j_dacc(&vs0, &vc0, vz);
  }
  if (n != 0) {
    const s4j_dmask vmask = s4j_dtail_mask(n);
    const s4j_dvf vh = s4j_dmul_tail(x, vmask, vs, &vlo0, scaled);
    const s4j_dvf vz = s4j_dterm(vh, vlo0, ve);
    s4j_dstore_tail(y, vmask, vz);
    s4j_dacc(&vs1, &vc1, vz);
  }
  return s4j_dreduce(vs0, vc0, vs1, vc1, sum_lo);
}

double S4J_DNAME(s4j_f64_raddstoreexp__, S4J_DISA, _p13_, S4J_DU4, _acc2)(size_t n, const double* x, double* y,
                                                                         double scale, double e_max, double* sum_lo) {
  const s4j_dvf vs = s4j_dset1(scale);
  const s4j_dvf ve = s4j_dset1(e_max);
  return scale == 1.0 ? s4j_body(n, x, y, vs, ve, sum_lo, 0) : s4j_body(n, x, y, vs, ve, sum_lo, 1);
}
