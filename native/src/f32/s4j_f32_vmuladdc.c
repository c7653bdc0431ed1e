/* vmuladdc = Vector MULtiply-ADD Constant: y = (x * s + c) + c_lo, pass 2 of log-softmax with
 * c + c_lo = -logsumexp(s*x) split into two floats: the FMA takes the exact product x*s and rounds once, the
 * add rounds once more, both at the size of y (the portable tier computes in double and rounds to float).
 * All loads of an iteration precede its stores (in place works). Long outputs are written around the cache
 * from the first aligned vector on, as vscaleexp's. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

S4J_INLINE s4j_vf s4j_out(s4j_vf vx, s4j_vf vs, s4j_vf vc, s4j_vf vlo) { return s4j_vadd(s4j_vfma(vx, vs, vc), vlo); }

S4J_INLINE void s4j_iter(const float* x, float* y, s4j_vf vs, s4j_vf vc, s4j_vf vlo, const int nt) {
  const s4j_vf vy0 = s4j_out(s4j_vload(x), vs, vc, vlo);
  const s4j_vf vy1 = s4j_out(s4j_vload(x + S4J_VLEN), vs, vc, vlo);
  const s4j_vf vy2 = s4j_out(s4j_vload(x + 2 * S4J_VLEN), vs, vc, vlo);
  const s4j_vf vy3 = s4j_out(s4j_vload(x + 3 * S4J_VLEN), vs, vc, vlo);
  s4j_vstore4(y, vy0, vy1, vy2, vy3, nt);
}

void S4J_FN(vmuladdc)(size_t n, const float* x, float* y, float s, float c, float c_lo) {
  const s4j_vf vs = s4j_vset1(s);
  const s4j_vf vc = s4j_vset1(c);
  const s4j_vf vlo = s4j_vset1(c_lo);
  const size_t h = s4j_head_to_align(y, n);
  if (h != 0) {
    const s4j_vmask m = s4j_vtail_mask(h);
    s4j_vstore_tail(y, m, s4j_out(s4j_vload_tail_zero(x, m), vs, vc, vlo));
    n -= h;
    x += h;
    y += h;
  }
#define S4J_ITER(nt) s4j_iter(x, y, vs, vc, vlo, nt)
  S4J_ELEMENTWISE_MAIN(n, x, y, S4J_ITER);
#undef S4J_ITER
  for (; n >= S4J_VLEN; n -= S4J_VLEN, x += S4J_VLEN, y += S4J_VLEN) s4j_vstore(y, s4j_out(s4j_vload(x), vs, vc, vlo));
  if (n != 0) {
    const s4j_vmask m = s4j_vtail_mask(n);
    s4j_vstore_tail(y, m, s4j_out(s4j_vload_tail_zero(x, m), vs, vc, vlo));
  }
}
