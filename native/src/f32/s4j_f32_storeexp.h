/* The store pass's body, shared by raddstoreexp and vsoftmaxshort (which must give the same terms and the same sum,
 * grouped alike for each n): z = exp(s*x) * 2^-E * 2^EXP_BIAS stored into y and summed. All loads of an
 * iteration precede its stores, so x == y (in place) works. Included by those kernels' sources only. */
#ifndef S4J_F32_STOREEXP_H
#define S4J_F32_STOREEXP_H

#include "s4j_f32_simd.h"

/* 4 independent vectors, stored and returned in z; all loads precede the stores, so x == y (in place) works. */
S4J_INLINE void s4j_exp4(const float* x, float* y, s4j_vf* z, const s4j_expp* p, const int mode) {
  s4j_vf vx[4];
  for (int q = 0; q < 4; q++) vx[q] = s4j_vclamp_hi(s4j_vload(x + q * S4J_VLEN), p);
  s4j_vexp4(z, vx, p, mode, S4J_VEXP_GROUP(mode));
  for (int q = 0; q < 4; q++) s4j_vstore(y + q * S4J_VLEN, z[q]);
}

/* One step of the main loop: S4J_SUM_STEP vectors (s4j_f32_simd.h), one sum step. */
S4J_INLINE void s4j_step(const float* x, float* y, s4j_vsum* acc, const s4j_expp* p, const int mode) {
  s4j_vf z[S4J_SUM_STEP];
  for (int q = 0; q < S4J_SUM_STEP; q += 4) s4j_exp4(x + q * S4J_VLEN, y + q * S4J_VLEN, z + q, p, mode);
  s4j_vsum_add_step(acc, z, mode);
}

S4J_INLINE double s4j_storeexp_body(size_t n, const float* x, float* y, const s4j_expp* p, const int mode) {
  s4j_vsum acc;
  s4j_vsum_init(&acc);
  S4J_SUM_MAIN(n, x, acc, s4j_step(x, y, &acc, p, mode), (y) += S4J_SUM_STEP * S4J_VLEN);
  for (; n >= 4 * S4J_VLEN; n -= 4 * S4J_VLEN, x += 4 * S4J_VLEN, y += 4 * S4J_VLEN) {
    s4j_vf z[4];
    s4j_exp4(x, y, z, p, mode);
    s4j_vsum_add4(&acc, z[0], z[1], z[2], z[3]);
  }
  for (; n >= S4J_VLEN; n -= S4J_VLEN, x += S4J_VLEN, y += S4J_VLEN) {
    const s4j_vf vz = s4j_vexp(s4j_vclamp_hi(s4j_vload(x), p), p, mode);
    s4j_vstore(y, vz);
    s4j_vsum_add(&acc, vz);
  }
  if (n != 0) {
    const s4j_vmask m = s4j_vtail_mask(n);
    const s4j_vf vz = s4j_vexp(s4j_vclamp_hi(s4j_vload_tail(x, m), p), p, mode);
    s4j_vstore_tail(y, m, vz);
    s4j_vsum_add(&acc, vz);
  }
  return s4j_vsum_reduce(&acc) * S4J_EXP_UNBIAS;
}

#endif /* S4J_F32_STOREEXP_H */
