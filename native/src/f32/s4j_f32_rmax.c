/* rmax = Reduce-MAXimum: max of x[0..n) ignoring NaN (-Inf for n == 0 or all -Inf), for the three-pass
 * baselines' pass 1 and the two-pass driver's block exponents. NaN needs no flag here: it reaches every
 * sum of terms, and the drivers take the exact path on a NaN sum. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

/* 4 vectors per iteration, 4 accumulators: in cache this pass is load-bound. */
float S4J_FN(rmax)(size_t n, const float* x) {
  /* s4j_vmax(v, m) returns m when v is NaN: a NaN never enters the maximum. */
  s4j_vf vm0 = s4j_vset1(-INFINITY), vm1 = vm0, vm2 = vm0, vm3 = vm0;
  /* the floats before x's first vector-aligned one first (masked): every load after it is aligned; the max
   * is exact, so the result does not depend on where x is */
  const size_t h = s4j_head_to_align(x, n);
  if (h != 0) {
    vm3 = s4j_vmax(s4j_vload_tail(x, s4j_vtail_mask(h)), vm3); /* other lanes: -Inf; a NaN does not enter */
    n -= h;
    x += h;
  }
  for (; n >= 4 * S4J_VLEN; n -= 4 * S4J_VLEN, x += 4 * S4J_VLEN) {
    if (n >= S4J_PREFETCH_AHEAD + 4 * S4J_VLEN) S4J_PREFETCH_ITER(x);
    vm0 = s4j_vmax(s4j_vload(x), vm0);
    vm1 = s4j_vmax(s4j_vload(x + S4J_VLEN), vm1);
    vm2 = s4j_vmax(s4j_vload(x + 2 * S4J_VLEN), vm2);
    vm3 = s4j_vmax(s4j_vload(x + 3 * S4J_VLEN), vm3);
  }
  for (; n >= S4J_VLEN; n -= S4J_VLEN, x += S4J_VLEN) vm0 = s4j_vmax(s4j_vload(x), vm0);
  if (n != 0) vm1 = s4j_vmax(s4j_vload_tail(x, s4j_vtail_mask(n)), vm1); /* other lanes: -Inf */
  return s4j_vhmax(s4j_vmax(s4j_vmax(vm0, vm1), s4j_vmax(vm2, vm3)));
}
