/* raddexp = Reduce-ADD of EXPonentials: sum of exp(s*x) * 2^-E over x[0..n), in double (docs/NUMERICS.md),
 * with the exp of S4J_EXP_LO (one rounding per term): log-sum-exp takes its accuracy from these terms.
 * Pass 1 of two-pass (block by block, relative to a running E that an input may exceed: such a block's
 * sum comes out >= 2^31 or non-finite, and the driver redoes it) and pass 2 of three-pass recompute.
 * NaN and +Inf inputs make the sum NaN or infinite. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

/* 4 independent vectors (the exp's latency chain is ~12 operations deep), returned in z. */
S4J_INLINE void s4j_exp4(const float* x, s4j_vf* z, const s4j_expp* p, const int mode) {
  s4j_vf vx[4];
  for (int q = 0; q < 4; q++) vx[q] = s4j_vclamp_hi(s4j_vload(x + q * S4J_VLEN), p);
  s4j_vexp4(z, vx, p, mode);
}

/* One step of the main loop: S4J_SUM_STEP vectors (s4j_f32_simd.h), one sum step. */
S4J_INLINE void s4j_step(const float* x, s4j_vsum* acc, const s4j_expp* p, const int mode) {
  s4j_vf z[S4J_SUM_STEP];
  for (int q = 0; q < S4J_SUM_STEP; q += 4) s4j_exp4(x + q * S4J_VLEN, z + q, p, mode);
  s4j_vsum_add_step(acc, z);
}

S4J_INLINE double s4j_body(size_t n, const float* x, const s4j_expp* p, const int mode) {
  s4j_vsum acc;
  s4j_vsum_init(&acc);
  S4J_SUM_MAIN(n, x, acc, s4j_step(x, &acc, p, mode), (void)0);
  for (; n >= 4 * S4J_VLEN; n -= 4 * S4J_VLEN, x += 4 * S4J_VLEN) {
    s4j_vf z[4];
    s4j_exp4(x, z, p, mode);
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

/* s == 1 (no temperature) runs the loop without the exact-product steps. */
double S4J_FN_EXP(raddexp)(size_t n, const float* x, float s, float e) {
  s4j_expp p;
  s4j_expp_init(&p, s, e, 1.0, S4J_EXP_BIAS, n >= S4J_FOLD_MIN);
  return S4J_EXP_CALL(s, &p, S4J_EXP_LO, s4j_body, n, x, &p);
}
