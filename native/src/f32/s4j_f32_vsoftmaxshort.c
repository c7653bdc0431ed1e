/* vsoftmaxshort = Vector SOFTMAX of a SHORT row (1 <= n <= one vector) in registers: the three-pass reload
 * fused (max, E, the terms, their sum in double, the scaling) with the same steps and roundings as rmax +
 * raddstoreexp + vscale of the same tier, so a short row gives what the reload gives, without five calls'
 * set-up (batches of short rows: attention over a few positions). Returns 0, y untouched, when the row
 * needs the exact path. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

S4J_INLINE int s4j_body(size_t n, s4j_vf vx, float* y, const s4j_expp* p, const int mode) {
  const s4j_vf vz = s4j_vexp(vx, p, mode);
  s4j_vsum acc;
  s4j_vsum_init(&acc);
  s4j_vsum_add(&acc, vz);
  const double sum = s4j_vsum_reduce(&acc) * S4J_EXP_UNBIAS;
  if (!isfinite(sum)) return 0; /* a NaN input (the maximum excludes +Inf) */
  /* as vscale: the normaliser split into two floats, one rounding per output */
  const double inv = (1.0 / sum) * S4J_EXP_UNBIAS;
  const float hi = (float)inv;
  const s4j_vf vy = s4j_vfma(vz, s4j_vset1(hi), s4j_vmul(vz, s4j_vset1((float)(inv - (double)hi))));
  if (n == S4J_VLEN) {
    s4j_vstore(y, vy);
  } else {
    s4j_vstore_tail(y, s4j_vtail_mask(n), vy);
  }
  return 1;
}

int S4J_FN_EXP(vsoftmaxshort)(size_t n, const float* x, float* y, float s) {
  const s4j_vf vx = n == S4J_VLEN ? s4j_vload(x) : s4j_vload_tail(x, s4j_vtail_mask(n)); /* other lanes: -Inf */
  const float e = s4j_f32_exponent_of_max(s4j_vhmax(s4j_vmax(vx, s4j_vset1(-INFINITY))), s);
  if (!(e >= S4J_E_LO && e <= S4J_E_HI)) return 0; /* +Inf, all -Inf, beyond the fast range */
  s4j_expp p;
  s4j_expp_init(&p, s, e, 1.0, S4J_EXP_BIAS, 0); /* short: S4J_FOLD_MIN */
  return S4J_EXP_CALL(s, &p, S4J_RELOAD_LO, s4j_body, n, vx, y, &p);
}
