/* vsoftmaxshort = Vector SOFTMAX of a SHORT row (1 <= n <= S4J_SHORT_ROW floats): the three-pass reload fused
 * (max, E, the terms, their sum in double, the scaling) with the same steps and roundings as rmax +
 * raddstoreexp + vscale of the same tier, so a short row gives what the reload gives, without the calls' and
 * the driver's set-up (batches of short rows: attention over a few hundred positions). A row of one vector
 * stays in a register (and may be in place); a longer one stores its terms into y (x != y: a NaN sends the
 * row to the exact path, which reads x) through raddstoreexp's own body, so its sum is grouped alike. Returns
 * 0 when the row needs the exact path (y may then hold terms). One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_storeexp.h"

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

/* A row of several vectors: the terms into y and their sum (raddstoreexp's body), then y scaled in place as
 * vscale does (its factor 2^-64 / sum is above ~2^-75 here: at most S4J_SHORT_ROW terms of about 2 or less
 * relative to E, the row's own maximum, so never vscale's normalised case below 2^-97). The maximum's four
 * chains below and this scaling restate rmax and vscale on purpose: calling those kernels instead (the same
 * bits) took 1.03-1.11x the time on AVX-512 at 17-256 floats (native harness, 7 alternated rounds). */
S4J_INLINE int s4j_long_body(size_t n, const float* x, float* y, const s4j_expp* p, const int mode) {
  const double sum = s4j_storeexp_body(n, x, y, p, mode);
  if (!isfinite(sum)) return 0; /* a NaN input (the maximum excludes +Inf) */
  const double inv = (1.0 / sum) * S4J_EXP_UNBIAS;
  const float hi = (float)inv;
  const s4j_vf vhi = s4j_vset1(hi), vlo = s4j_vset1((float)(inv - (double)hi));
  for (; n >= 2 * S4J_VLEN; n -= 2 * S4J_VLEN, y += 2 * S4J_VLEN) {
    const s4j_vf vz0 = s4j_vload(y), vz1 = s4j_vload(y + S4J_VLEN);
    s4j_vstore(y, s4j_vfma(vz0, vhi, s4j_vmul(vz0, vlo)));
    s4j_vstore(y + S4J_VLEN, s4j_vfma(vz1, vhi, s4j_vmul(vz1, vlo)));
  }
  for (; n >= S4J_VLEN; n -= S4J_VLEN, y += S4J_VLEN) {
    const s4j_vf vz = s4j_vload(y);
    s4j_vstore(y, s4j_vfma(vz, vhi, s4j_vmul(vz, vlo)));
  }
  if (n != 0) {
    const s4j_vmask m = s4j_vtail_mask(n);
    const s4j_vf vz = s4j_vload_tail_zero(y, m);
    s4j_vstore_tail(y, m, s4j_vfma(vz, vhi, s4j_vmul(vz, vlo)));
  }
  return 1;
}

int S4J_FN_EXP(vsoftmaxshort)(size_t n, const float* x, float* y, float s) {
  s4j_expp p;
  if (n > S4J_VLEN) {
    /* the maximum in four chains (NaN lanes are ignored: the sum finds them) */
    s4j_vf vm = s4j_vset1(-INFINITY), vm1 = vm, vm2 = vm, vm3 = vm;
    size_t i = 0;
    for (; i + 4 * S4J_VLEN <= n; i += 4 * S4J_VLEN) {
      vm = s4j_vmax(s4j_vload(x + i), vm);
      vm1 = s4j_vmax(s4j_vload(x + i + S4J_VLEN), vm1);
      vm2 = s4j_vmax(s4j_vload(x + i + 2 * S4J_VLEN), vm2);
      vm3 = s4j_vmax(s4j_vload(x + i + 3 * S4J_VLEN), vm3);
    }
    for (; i + S4J_VLEN <= n; i += S4J_VLEN) vm = s4j_vmax(s4j_vload(x + i), vm);
    if (i < n) vm1 = s4j_vmax(s4j_vload_tail(x + i, s4j_vtail_mask(n - i)), vm1);
    vm = s4j_vmax(s4j_vmax(vm, vm1), s4j_vmax(vm2, vm3));
    const float e = s4j_f32_exponent_of_max(s4j_vhmax(vm), s);
    if (!(e >= S4J_E_LO && e <= S4J_E_HI)) return 0; /* +Inf, all -Inf, beyond the fast range */
    s4j_expp_init(&p, s, e, 1.0, S4J_EXP_BIAS, n >= S4J_FOLD_MIN); /* as raddstoreexp */
    return S4J_EXP_CALL(s, &p, S4J_RELOAD_LO, s4j_long_body, n, x, y, &p);
  }
  const s4j_vf vx = n == S4J_VLEN ? s4j_vload(x) : s4j_vload_tail(x, s4j_vtail_mask(n)); /* other lanes: -Inf */
  const float e = s4j_f32_exponent_of_max(s4j_vhmax(s4j_vmax(vx, s4j_vset1(-INFINITY))), s);
  if (!(e >= S4J_E_LO && e <= S4J_E_HI)) return 0; /* +Inf, all -Inf, beyond the fast range */
  s4j_expp_init(&p, s, e, 1.0, S4J_EXP_BIAS, 0); /* short: S4J_FOLD_MIN */
  return S4J_EXP_CALL(s, &p, S4J_RELOAD_LO, s4j_body, n, vx, y, &p);
}
