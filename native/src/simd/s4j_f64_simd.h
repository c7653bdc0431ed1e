/*
 * The f64 per-ISA layer of the tier being compiled, as s4j_f32_simd.h is for f32: CMake compiles every kernel
 * source in src/f64/ once per vector tier of the registry (s4j_tiers.inc) with S4J_TIER_<flags> defined, and this
 * picks that tier's layer. The portable tier's f64 kernels are scalar C written apart (src/f64-<op>/).
 */
#ifndef S4J_F64_SIMD_H
#define S4J_F64_SIMD_H

#include "kernels.h"

#if defined(S4J_TIER_AVX512)
#include "s4j_f64_avx512.h"
#elif defined(S4J_TIER_AVX2)
#include "s4j_f64_avx2.h"
#elif defined(S4J_TIER_NEON)
#include "s4j_f64_neon.h"
#else
#error "s4j_f64_simd.h: no f64 layer for this tier (S4J_TIER_<flags> of a vector tier expected)"
#endif

/* exp(hi + lo) = p * 2^n for q vectors (1 to 4, a compile-time constant), each step for all of them before the next
 * (the scheduler then holds several short chains instead of one 60-cycle one; the same operations per vector, so
 * the same bits): the clamp below at X_LO keeps a NaN; n = rint(hi * log2(e)); Cody-Waite t = (hi - n*LN2_HI) +
 * (lo - n*LN2_LO), the first exact, rounded once; p = exp(t) on [-ln2/2, ln2/2] by Taylor degree 13, Horner with
 * FMA (docs/NUMERICS.md, "Double precision"). */
S4J_INLINE void s4j_dexp_pnq(s4j_dvf* vp, s4j_dvf* vn, const s4j_dvf* vhi_in, const s4j_dvf* vlo, const int q) {
  static const double c[12] = {S4J_F64_C12, S4J_F64_C11, S4J_F64_C10, S4J_F64_C9, S4J_F64_C8, S4J_F64_C7,
                               S4J_F64_C6,  S4J_F64_C5,  S4J_F64_C4,  S4J_F64_C3, S4J_F64_C2, 1.0};
  s4j_dvf vhi[4], vt[4];
  for (int i = 0; i < q; i++) vhi[i] = s4j_dclamp_lo(vhi_in[i]);
  for (int i = 0; i < q; i++) vn[i] = s4j_drint(s4j_dmulv(vhi[i], s4j_dset1(S4J_F64_LOG2E)));
  for (int i = 0; i < q; i++) {
    vt[i] = s4j_dadd(s4j_dfma(vn[i], s4j_dset1(-S4J_F64_LN2_HI), vhi[i]),
                     s4j_dfma(vn[i], s4j_dset1(-S4J_F64_LN2_LO), vlo[i]));
  }
  for (int i = 0; i < q; i++) vp[i] = s4j_dfma(s4j_dset1(S4J_F64_C13), vt[i], s4j_dset1(c[0]));
  for (int k = 1; k < 12; k++) {
    for (int i = 0; i < q; i++) vp[i] = s4j_dfma(vp[i], vt[i], s4j_dset1(c[k]));
  }
  for (int i = 0; i < q; i++) vp[i] = s4j_dfma(vp[i], vt[i], s4j_dset1(1.0));
}
S4J_INLINE s4j_dvf s4j_dexp_pn(s4j_dvf vhi, s4j_dvf vlo, s4j_dvf* vn) {
  s4j_dvf vp;
  s4j_dexp_pnq(&vp, vn, &vhi, &vlo, 1);
  return vp;
}

/* exp(x*s) relative to 2^e: p * 2^(n - e), an exact scaling (s4j_dldexp), for q vectors; and for one. */
S4J_INLINE void s4j_dtermq(s4j_dvf* z, const s4j_dvf* vhi, const s4j_dvf* vlo, s4j_dvf ve, const int q) {
  s4j_dvf vn[4];
  s4j_dexp_pnq(z, vn, vhi, vlo, q);
  for (int i = 0; i < q; i++) z[i] = s4j_dldexp(z[i], s4j_dsub(vn[i], ve));
}
S4J_INLINE s4j_dvf s4j_dterm(s4j_dvf vhi, s4j_dvf vlo, s4j_dvf ve) {
  s4j_dvf z;
  s4j_dtermq(&z, &vhi, &vlo, ve, 1);
  return z;
}
/* Four terms, in groups of S4J_DEXP_GROUP(scaled) (the tier's, measured; scaled: s != 1). */
S4J_INLINE void s4j_dterm4(s4j_dvf* z, const s4j_dvf* vhi, const s4j_dvf* vlo, s4j_dvf ve, const int scaled) {
  (void)scaled;
  for (int g = 0; g < 4; g += S4J_DEXP_GROUP(scaled)) s4j_dtermq(z + g, vhi + g, vlo + g, ve, S4J_DEXP_GROUP(scaled));
}

/* The tier's kernels, by the layer's name parts (kernels.h). */
#define S4J_F64_DECLARE_OF(isa, u2, u4) S4J_F64_VECTOR_TIER(isa, u2, u4) /* the name parts expanded first */
S4J_F64_DECLARE_OF(S4J_DISA, S4J_DU2, S4J_DU4)

#endif /* S4J_F64_SIMD_H */
