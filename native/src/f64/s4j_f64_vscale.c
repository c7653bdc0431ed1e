/* Pass 3 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438), double precision: y = z * (inv_hi + inv_lo) in place, one rounding. Written once over the
 * f64 layer; compiled once per vector tier (s4j_f64_simd.h). */
#include "s4j_f64_simd.h"

static inline s4j_dvf s4j_step(s4j_dvf vz, s4j_dvf vinv_hi, s4j_dvf vinv_lo) {
  return s4j_dfma(vz, vinv_hi, s4j_dmulv(vz, vinv_lo));
}

/* 4 vectors per iteration (a load-multiply-store stream). */
void S4J_DNAME(s4j_f64_vscale__, S4J_DISA, _, S4J_DU4, )(size_t n, double* y, double inv_hi, double inv_lo) {
  const s4j_dvf vih = s4j_dset1(inv_hi);
  const s4j_dvf vil = s4j_dset1(inv_lo);
  for (; n >= 4 * S4J_DVLEN; n -= 4 * S4J_DVLEN, y += 4 * S4J_DVLEN) {
    const s4j_dvf vy0 = s4j_step(s4j_dload(y), vih, vil);
    const s4j_dvf vy1 = s4j_step(s4j_dload(y + S4J_DVLEN), vih, vil);
    const s4j_dvf vy2 = s4j_step(s4j_dload(y + 2 * S4J_DVLEN), vih, vil);
    const s4j_dvf vy3 = s4j_step(s4j_dload(y + 3 * S4J_DVLEN), vih, vil);
    s4j_dstore(y, vy0);
    s4j_dstore(y + S4J_DVLEN, vy1);
    s4j_dstore(y + 2 * S4J_DVLEN, vy2);
    s4j_dstore(y + 3 * S4J_DVLEN, vy3);
  }
  for (; n >= S4J_DVLEN; n -= S4J_DVLEN, y += S4J_DVLEN) s4j_dstore(y, s4j_step(s4j_dload(y), vih, vil));
  if (n != 0) {
    const s4j_dmask vmask = s4j_dtail_mask(n);
    s4j_dstore_tail(y, vmask, s4j_step(s4j_dload_tail_zero(y, vmask), vih, vil));
  }
}
