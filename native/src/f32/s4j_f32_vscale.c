/* vscale = Vector SCALE: y = z * inv in place, pass 3 of three-pass reload; z carries the tier's
 * 2^EXP_BIAS (raddstoreexp), removed here by scaling inv exactly. inv (a double) is split into two floats,
 * y = fma(z, hi, z * lo): one rounding per output instead of two (inv rounded to float, then the product);
 * the extra operation is free in a pass that the stores bound. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

S4J_INLINE void s4j_iter(float* y, s4j_vf vhi, s4j_vf vlo) {
  const s4j_vf vz0 = s4j_vload(y), vz1 = s4j_vload(y + S4J_VLEN);
  const s4j_vf vz2 = s4j_vload(y + 2 * S4J_VLEN), vz3 = s4j_vload(y + 3 * S4J_VLEN);
  s4j_vstore(y, s4j_vfma(vz0, vhi, s4j_vmul(vz0, vlo)));
  s4j_vstore(y + S4J_VLEN, s4j_vfma(vz1, vhi, s4j_vmul(vz1, vlo)));
  s4j_vstore(y + 2 * S4J_VLEN, s4j_vfma(vz2, vhi, s4j_vmul(vz2, vlo)));
  s4j_vstore(y + 3 * S4J_VLEN, s4j_vfma(vz3, vhi, s4j_vmul(vz3, vlo)));
}

void S4J_FN(vscale)(size_t n, float* y, double inv) {
  const double scaled = inv * S4J_EXP_UNBIAS; /* inv >= 2^-40: stays normal */
  const float hi = (float)scaled;
  const s4j_vf vhi = s4j_vset1(hi);
  const s4j_vf vlo = s4j_vset1((float)(scaled - (double)hi));
  for (; n >= S4J_PREFETCH_AHEAD + 4 * S4J_VLEN; n -= 4 * S4J_VLEN, y += 4 * S4J_VLEN) {
    S4J_PREFETCH_ITER(y);
    s4j_iter(y, vhi, vlo);
  }
  for (; n >= 4 * S4J_VLEN; n -= 4 * S4J_VLEN, y += 4 * S4J_VLEN) s4j_iter(y, vhi, vlo);
  for (; n >= S4J_VLEN; n -= S4J_VLEN, y += S4J_VLEN) {
    const s4j_vf vz = s4j_vload(y);
    s4j_vstore(y, s4j_vfma(vz, vhi, s4j_vmul(vz, vlo)));
  }
  if (n != 0) {
    const s4j_vmask m = s4j_vtail_mask(n);
    const s4j_vf vz = s4j_vload_tail_zero(y, m);
    s4j_vstore_tail(y, m, s4j_vfma(vz, vhi, s4j_vmul(vz, vlo)));
  }
}
