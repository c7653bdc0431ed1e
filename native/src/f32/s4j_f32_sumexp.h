/* raddexp's body, shared by raddexp and raddexpshort (which must give the same sum, grouped alike for each n):
 * the sum of exp(s*x) * 2^-E * 2^EXP_BIAS over x[0..n), returned without the bias. Included by those kernels'
 * sources only. */
#ifndef S4J_F32_SUMEXP_H
#define S4J_F32_SUMEXP_H

#include "s4j_f32_simd.h"

/* 4 independent vectors (the exp's latency chain is ~12 operations deep), returned in z. */
S4J_INLINE void s4j_sumexp4(const float* x, s4j_vf* z, const s4j_expp* p, const int mode) {
  s4j_vf vx[4];
  for (int q = 0; q < 4; q++) vx[q] = s4j_vclamp_hi(s4j_vload(x + q * S4J_VLEN), p);
  s4j_vexp4(z, vx, p, mode, S4J_VEXP_GROUP(mode));
}

/* One step of the main loop: S4J_SUM_STEP vectors (s4j_f32_simd.h), one sum step. */
S4J_INLINE void s4j_sumexp_step(const float* x, s4j_vsum* acc, const s4j_expp* p, const int mode) {
  s4j_vf z[S4J_SUM_STEP];
  for (int q = 0; q < S4J_SUM_STEP; q += 4) s4j_sumexp4(x + q * S4J_VLEN, z + q, p, mode);
  s4j_vsum_add_step(acc, z, mode);
}

S4J_INLINE double s4j_sumexp_body(size_t n, const float* x, const s4j_expp* p, const int mode) {
  s4j_vsum acc;
  s4j_vsum_init(&acc);
  S4J_SUM_MAIN(n, x, acc, s4j_sumexp_step(x, &acc, p, mode), (void)0);
  for (; n >= 4 * S4J_VLEN; n -= 4 * S4J_VLEN, x += 4 * S4J_VLEN) {
    s4j_vf z[4];
    s4j_sumexp4(x, z, p, mode);
    s4j_vsum_add4(&acc, z[0], z[1], z[2], z[3]);
  }
  for (; n >= S4J_VLEN; n -= S4J_VLEN, x += S4J_VLEN) {
    s4j_vsum_add(&acc, s4j_vexp(s4j_vclamp_hi(s4j_vload(x), p), p, mode));
  }
  if (n != 0) {
    s4j_vsum_add(&acc, s4j_vexp(s4j_vclamp_hi(s4j_vload_tail(x, s4j_vtail_mask(n)), p), p, mode));
  }
  return s4j_vsum_reduce(&acc) * S4J_EXP_UNBIAS;
}

#endif /* S4J_F32_SUMEXP_H */
