/* vscaleexp = Vector SCALE of EXPonentials: y = exp(s*x) * c * 2^-E, the output of two-pass (the paper's
 * "vscaleextexp", with c * 2^-E = 1/sum) and of three-pass recompute. c in (1/2, 1] is folded into the
 * table in double, with the entries' rounding errors (S4J_EXP_LO), so each output rounds once (docs/NUMERICS.md).
 * All loads of an iteration precede its stores (in place works). With top, also *top = the largest output (the
 * fused argmax: one max per vector). One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

/* 4 independent vectors; all loads precede the stores, so x == y (in place) works. */
S4J_INLINE void s4j_iter(const float* x, float* y, const s4j_expp* p, const int mode, const int nt, s4j_vf* acc,
                         const int track) {
  s4j_vf vx[4], vz[4];
  for (int q = 0; q < 4; q++) vx[q] = s4j_vload(x + q * S4J_VLEN);
  s4j_vexp4(vz, vx, p, mode, S4J_VEXP_GROUP_OUT);
  const s4j_vf vy0 = s4j_vunbias(vz[0]), vy1 = s4j_vunbias(vz[1]), vy2 = s4j_vunbias(vz[2]), vy3 = s4j_vunbias(vz[3]);
  if (track) {
    acc[0] = s4j_vmax(vy0, acc[0]);
    acc[1] = s4j_vmax(vy1, acc[1]);
    acc[2] = s4j_vmax(vy2, acc[2]);
    acc[3] = s4j_vmax(vy3, acc[3]);
  }
  s4j_vstore4(y, vy0, vy1, vy2, vy3, nt);
}

/* One vector (a head or remainder vector, or the tail with mask m != 0); returns it for the max. */
S4J_INLINE s4j_vf s4j_one(const float* x, float* y, const s4j_expp* p, const int mode, const s4j_vmask* m) {
  if (m == NULL) {
    const s4j_vf v = s4j_vunbias(s4j_vexp(s4j_vload(x), p, mode));
    s4j_vstore(y, v);
    return v;
  }
  const s4j_vf v = s4j_vunbias(s4j_vexp(s4j_vload_tail(x, *m), p, mode)); /* other lanes: exp(-Inf) = 0 */
  s4j_vstore_tail(y, *m, v);
  return v;
}

/* The loops; returns the largest output when track (else -Inf). */
S4J_INLINE float s4j_body(size_t n, const float* x, float* y, const s4j_expp* p, const int track, const int mode) {
  s4j_vf acc[4] = {s4j_vset1(-INFINITY), s4j_vset1(-INFINITY), s4j_vset1(-INFINITY), s4j_vset1(-INFINITY)};
  const size_t h = s4j_head_to_align(y, n);
  if (h != 0) {
    const s4j_vmask m = s4j_vtail_mask(h);
    const s4j_vf v = s4j_one(x, y, p, mode, &m);
    if (track) acc[0] = s4j_vmax(v, acc[0]);
    n -= h;
    x += h;
    y += h;
  }
#define S4J_ITER(nt) s4j_iter(x, y, p, mode, nt, acc, track)
  S4J_ELEMENTWISE_MAIN(n, x, y, S4J_ITER);
#undef S4J_ITER
  for (; n >= S4J_VLEN; n -= S4J_VLEN, x += S4J_VLEN, y += S4J_VLEN) {
    const s4j_vf v = s4j_one(x, y, p, mode, NULL);
    if (track) acc[1] = s4j_vmax(v, acc[1]);
  }
  if (n != 0) {
    const s4j_vmask m = s4j_vtail_mask(n);
    const s4j_vf v = s4j_one(x, y, p, mode, &m);
    if (track) acc[2] = s4j_vmax(v, acc[2]);
  }
  return track ? s4j_vhmax(s4j_vmax(s4j_vmax(acc[0], acc[1]), s4j_vmax(acc[2], acc[3]))) : -INFINITY;
}

void S4J_FN_EXP(vscaleexp)(size_t n, const float* x, float* y, float s, double c, float e, float* top) {
  s4j_expp p;
  s4j_expp_init(&p, s, e, c, S4J_EXP_FINAL_BIAS, 1); /* c waits for the sum anyway */
  if (top != NULL) {
    *top = S4J_EXP_CALL(s, &p, S4J_EXP_LO, s4j_body, n, x, y, &p, 1);
  } else {
    (void)S4J_EXP_CALL(s, &p, S4J_EXP_LO, s4j_body, n, x, y, &p, 0);
  }
}
