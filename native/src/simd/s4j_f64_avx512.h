/*
 * AVX-512F building blocks of the f64 kernels (docs/NUMERICS.md, "Double precision"). Private header:
 * include it only from files compiled with the AVX-512 tier flags (cmake/Softmax4jIsa.cmake).
 */
#ifndef S4J_F64_AVX512_H
#define S4J_F64_AVX512_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"
#include "s4j_dd.h"
#include "s4j_intrin.h"

/* ---------------------------------------------------------------------------------------------
 * Double precision, 8 lanes (docs/NUMERICS.md, "Double precision").
 * ------------------------------------------------------------------------------------------- */

/* hi = fl(x*s) and lo = fma(x, s, -hi) clamped to [-LO_MAX, LO_MAX] (max_pd returns its second
 * operand for a NaN, so a NaN lo becomes -LO_MAX); scaled == 0 (s == 1): hi = x, lo = 0. */
S4J_INLINE __m512d s4j_dmul(__m512d vx, __m512d vs, __m512d* vlo, const int scaled) {
  if (!scaled) {
    *vlo = _mm512_setzero_pd();
    return vx;
  }
  const __m512d vhi = _mm512_mul_pd(vx, vs);
  const __m512d vl = _mm512_max_pd(_mm512_fmsub_pd(vx, vs, vhi), _mm512_set1_pd(-S4J_F64_LO_MAX));
  *vlo = _mm512_min_pd(vl, _mm512_set1_pd(S4J_F64_LO_MAX));
  return vhi;
}

/* The exp's tier steps (the exp itself is written once, s4j_f64_simd.h): the clamp below at X_LO that keeps a NaN,
 * round to nearest even, and an add. */
static inline __m512d s4j_dclamp_lo(__m512d v) { return _mm512_max_pd(_mm512_set1_pd(S4J_F64_X_LO), v); }
static inline __m512d s4j_drint(__m512d v) { return _mm512_roundscale_pd(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline __m512d s4j_dadd(__m512d a, __m512d b) { return _mm512_add_pd(a, b); }

/* Compensated accumulation: (s, c) += z by 2Sum per lane (see the AVX2 layer). */
static inline void s4j_dacc(__m512d* vs, __m512d* vc, __m512d vz) {
  const __m512d vsum = _mm512_add_pd(*vs, vz);
  const __m512d vbp = _mm512_sub_pd(vsum, *vs);
  const __m512d ve = _mm512_add_pd(_mm512_sub_pd(*vs, _mm512_sub_pd(vsum, vbp)), _mm512_sub_pd(vz, vbp));
  *vs = vsum;
  *vc = _mm512_add_pd(*vc, ve);
}

/* Double-double sum of two compensated accumulators: returns hi, writes lo. */
static inline double s4j_dreduce(__m512d vs0, __m512d vc0, __m512d vs1, __m512d vc1, double* lo) {
  double s[16], c[16];
  _mm512_storeu_pd(s, vs0);
  _mm512_storeu_pd(s + 8, vs1);
  _mm512_storeu_pd(c, vc0);
  _mm512_storeu_pd(c + 8, vc1);
  return s4j_dd_sum_lanes(s, c, 16, lo);
}

/* Lane max without _mm512_reduce_max_pd (a compiler sequence some toolchains lack). */
static inline double s4j_dhmax(__m512d v) {
  const __m256d v4 = _mm256_max_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
  __m128d v2 = _mm_max_pd(_mm256_castpd256_pd128(v4), _mm256_extractf128_pd(v4, 1));
  v2 = _mm_max_sd(v2, _mm_unpackhi_pd(v2, v2));
  return _mm_cvtsd_f64(v2);
}

/* Mask of the first rem (1..7) lanes. */
static inline __mmask8 s4j_dtail_mask(size_t rem) {
  return (__mmask8)((1u << rem) - 1u);
}

/* Product of a masked tail (faults suppressed on masked-out elements): hi of the other lanes set to
 * X_LO after the product (they add nothing and never win a max whatever s is), lo to 0. */
S4J_INLINE __m512d s4j_dmul_tail(const double* x, __mmask8 vmask, __m512d vs, __m512d* vlo,
                                           const int scaled) {
  const __m512d vhi = s4j_dmul(_mm512_maskz_loadu_pd(vmask, x), vs, vlo, scaled);
  *vlo = _mm512_maskz_mov_pd(vmask, *vlo);
  return _mm512_mask_mov_pd(_mm512_set1_pd(S4J_F64_X_LO), vmask, vhi);
}

/* ---------------------------------------------------------------------------------------------
 * The f64 layer: the kernels (src/f64/s4j_f64_<op>.c) are written once in these names, as the f32 kernels
 * over s4j_f32_simd.h, and compiled once per tier (s4j_f64_simd.h picks the layer). Besides the helpers
 * above (s4j_dmul, s4j_dmul_tail, s4j_dclamp_lo, s4j_drint, s4j_dadd, s4j_dacc, s4j_dreduce, s4j_dhmax,
 * s4j_dtail_mask; the exp, s4j_dexp_pn and s4j_dterm, is written once over them in s4j_f64_simd.h):
 * ------------------------------------------------------------------------------------------- */
#define S4J_DISA avx512f
#define S4J_DU2 u16 /* doubles per 2 and per 4 vectors: name parts of the kernels */
#define S4J_DU4 u32
#define S4J_DVLEN 8
typedef __m512d s4j_dvf;
typedef __mmask8 s4j_dmask;
static inline s4j_dvf s4j_dload(const double* p) { return _mm512_loadu_pd(p); }
static inline void s4j_dstore(double* p, s4j_dvf v) { _mm512_storeu_pd(p, v); }
static inline s4j_dvf s4j_dload_tail_zero(const double* p, s4j_dmask m) { return _mm512_maskz_loadu_pd(m, p); }
static inline void s4j_dstore_tail(double* p, s4j_dmask m, s4j_dvf v) { _mm512_mask_storeu_pd(p, m, v); }
static inline s4j_dvf s4j_dset1(double d) { return _mm512_set1_pd(d); }
static inline s4j_dvf s4j_dmulv(s4j_dvf a, s4j_dvf b) { return _mm512_mul_pd(a, b); }
static inline s4j_dvf s4j_dsub(s4j_dvf a, s4j_dvf b) { return _mm512_sub_pd(a, b); }
static inline s4j_dvf s4j_dfma(s4j_dvf a, s4j_dvf b, s4j_dvf c) { return _mm512_fmadd_pd(a, b, c); }
/* max(a, b) returning b when either is NaN (max_pd) */
static inline s4j_dvf s4j_dmax(s4j_dvf a, s4j_dvf b) { return _mm512_max_pd(a, b); }
/* y * 2^k for integral k, exact down to gradual underflow (vscalefpd) */
static inline s4j_dvf s4j_dldexp(s4j_dvf y, s4j_dvf k) { return _mm512_scalef_pd(y, k); }
/* Exponentials per group in the 4-vector loops (s4j_f64_simd.h, s4j_dexp_pnq): pairs with s = 1 (Zen 4: 0.85-0.97x
 * the time of one at a time; four at once took 1.06-1.10x the pairs' time), one at a time with a scale (pairs 1.02-1.04x; README,
 * "Twenty-ninth session"). */
#define S4J_DEXP_GROUP(scaled) ((scaled) ? 1 : 2)
/* The sampler's weights (rbinexp, S4J_DEXP_WEIGHT): exp(d) with relative error below 2^-42 (the sampler's
 * margins need 2^-40; docs/NUMERICS.md, "Token sampling"), in about half the FMAs of the degree-13 exp: d = k ln2/16
 * + r with k = rint(d 16/ln2) (the magic-number add: its low bits hold k), r by Cody-Waite with ln2/16 split in two
 * (k ln2_hi/16 exact for |k| < 2^17: every d down to the clamp), |r| <= ln2/32 (plus ~2^-60); exp(r) by Taylor
 * degree 5, Horner with FMA (truncation r^6/720 e^|r| < 2^-42.6, the steps' roundings ~2^-51); 2^((k mod 16)/16)
 * from a 16-entry table (vpermi2pd on k's low 4 bits; entries rounded once); 2^floor(k/16) by vscalefpd of k/16
 * (gradual underflow). d is clamped below at -746, whose result is 0 (so -Inf weighs +0.0); d <= 709 (no overflow). */
#define S4J_DEXP_WEIGHT 1
static inline __m512d s4j_dexp_weight(__m512d d) {
  const __m512d t_lo = _mm512_set_pd(0x1.5ab07dd485429p+0, 0x1.4bfdad5362a27p+0, 0x1.3dea64c123422p+0,
                                     0x1.306fe0a31b715p+0, 0x1.2387a6e756238p+0, 0x1.172b83c7d517bp+0,
                                     0x1.0b5586cf9890fp+0, 0x1.0p+0);
  const __m512d t_hi = _mm512_set_pd(0x1.ea4afa2a490dap+0, 0x1.d5818dcfba487p+0, 0x1.c199bdd85529cp+0,
                                     0x1.ae89f995ad3adp+0, 0x1.9c49182a3f090p+0, 0x1.8ace5422aa0dbp+0,
                                     0x1.7a11473eb0187p+0, 0x1.6a09e667f3bcdp+0);
  const __m512d magic = _mm512_set1_pd(0x1.8p52);
  d = _mm512_max_pd(_mm512_set1_pd(-746.0), d);
  const __m512d kb = _mm512_fmadd_pd(d, _mm512_set1_pd(16.0 * S4J_F64_LOG2E), magic);
  const __m512d k = _mm512_sub_pd(kb, magic);
  __m512d r = _mm512_fnmadd_pd(k, _mm512_set1_pd(S4J_F64_LN2_HI / 16), d);
  r = _mm512_fnmadd_pd(k, _mm512_set1_pd(S4J_F64_LN2_LO / 16), r);
  __m512d p = _mm512_fmadd_pd(_mm512_set1_pd(1.0 / 120), r, _mm512_set1_pd(1.0 / 24));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 6));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  const __m512d t = _mm512_permutex2var_pd(t_lo, _mm512_castpd_si512(kb), t_hi);
  /* vscalefpd scales by 2^floor(its second operand): k/16 itself, no rounding step */
  return _mm512_scalef_pd(_mm512_mul_pd(p, t), _mm512_mul_pd(k, _mm512_set1_pd(0.0625)));
}

/* z where a > b, else +0.0 (rbinexp's two bins) */
static inline s4j_dvf s4j_dkeep_gt(s4j_dvf a, s4j_dvf b, s4j_dvf z) {
  return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(a, b, _CMP_GT_OQ), z);
}
/* "a NaN was seen" over pairs of vectors */
typedef __mmask8 s4j_dnan;
static inline s4j_dnan s4j_dnan_init(void) { return 0; }
static inline s4j_dnan s4j_dnan_add(s4j_dnan acc, s4j_dvf a, s4j_dvf b) {
  return (s4j_dnan)(acc | _mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q));
}
static inline int s4j_dnan_any(s4j_dnan acc) { return acc != 0; }

#endif /* S4J_F64_AVX512_H */
