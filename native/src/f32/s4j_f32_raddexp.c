/* raddexp = Reduce-ADD of EXPonentials: sum of exp(s*x) * 2^-E over x[0..n), in double (docs/NUMERICS.md),
 * with the exp of S4J_EXP_LO (one rounding per term): log-sum-exp takes its accuracy from these terms.
 * Pass 1 of two-pass (block by block, relative to a running E that an input may exceed: such a block's
 * sum comes out >= 2^31 or non-finite, and the driver redoes it) and pass 2 of three-pass recompute.
 * NaN and +Inf inputs make the sum NaN or infinite. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

/* 4 independent vectors (the exp's latency chain is ~12 operations deep), added into acc. */
S4J_INLINE void s4j_iter(const float* x, s4j_vsum* acc, const s4j_expp* p, const int mode) {
  const s4j_vf vz0 = s4j_vexp(s4j_vclamp_hi(s4j_vload(x), p), p, mode);
  const s4j_vf vz1 = s4j_vexp(s4j_vclamp_hi(s4j_vload(x + S4J_VLEN), p), p, mode);
  const s4j_vf vz2 = s4j_vexp(s4j_vclamp_hi(s4j_vload(x + 2 * S4J_VLEN), p), p, mode);
  const s4j_vf vz3 = s4j_vexp(s4j_vclamp_hi(s4j_vload(x + 3 * S4J_VLEN), p), p, mode);
  s4j_vsum_add4(acc, vz0, vz1, vz2, vz3);
}

S4J_INLINE double s4j_body(size_t n, const float* x, const s4j_expp* p, const int mode) {
  s4j_vsum acc;
  s4j_vsum_init(&acc);
  for (; n >= S4J_PREFETCH_AHEAD + 4 * S4J_VLEN; n -= 4 * S4J_VLEN, x += 4 * S4J_VLEN) {
    S4J_PREFETCH_ITER(x);
    s4j_iter(x, &acc, p, mode);
  }
  for (; n >= 4 * S4J_VLEN; n -= 4 * S4J_VLEN, x += 4 * S4J_VLEN) s4j_iter(x, &acc, p, mode);
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
  s4j_expp_init(&p, s, e, 1.0, S4J_EXP_BIAS);
  return S4J_EXP_CALL(s, &p, S4J_EXP_LO, s4j_body, n, x, &p);
}
