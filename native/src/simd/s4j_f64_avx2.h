/*
 * AVX2 + FMA building blocks of the f64 kernels (docs/NUMERICS.md, "Double precision"). Private header:
 * include it only from files compiled with the AVX2 tier flags (cmake/Softmax4jIsa.cmake).
 */
#ifndef S4J_F64_AVX2_H
#define S4J_F64_AVX2_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"
#include "s4j_dd.h"
#include "s4j_intrin.h"

/* ---------------------------------------------------------------------------------------------
 * Double precision, 4 lanes (docs/NUMERICS.md, "Double precision").
 * ------------------------------------------------------------------------------------------- */

/* hi = fl(x*s) and lo = fma(x, s, -hi) clamped to [-LO_MAX, LO_MAX] (max_pd returns its second
 * operand for a NaN, so a NaN lo becomes -LO_MAX); scaled == 0 (s == 1): hi = x, lo = 0. */
S4J_INLINE __m256d s4j_dmul(__m256d vx, __m256d vs, __m256d* vlo, const int scaled) {
  if (!scaled) {
    *vlo = _mm256_setzero_pd();
    return vx;
  }
  const __m256d vhi = _mm256_mul_pd(vx, vs);
  const __m256d vl = _mm256_max_pd(_mm256_fmsub_pd(vx, vs, vhi), _mm256_set1_pd(-S4J_F64_LO_MAX));
  *vlo = _mm256_min_pd(vl, _mm256_set1_pd(S4J_F64_LO_MAX));
  return vhi;
}

/* 2^max(k, -1023) for integral k <= 1023; k = -1023 (and NaN, since max_pd then returns -1023) gives +0.0. */
static inline __m256d s4j_avx2_f64_exp2(__m256d vk) {
  vk = _mm256_max_pd(vk, _mm256_set1_pd(S4J_F64_K_MIN));
  /* k + 1023 lands in the low mantissa bits of k + EXP2_MAGIC; shift it into the exponent field. */
  const __m256d vbiased = _mm256_add_pd(vk, _mm256_set1_pd(S4J_F64_EXP2_MAGIC));
  return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(vbiased), 52));
}

/* The exp's tier steps (the exp itself is written once, s4j_f64_simd.h): the clamp below at X_LO that keeps a NaN,
 * round to nearest even, and an add. */
static inline __m256d s4j_dclamp_lo(__m256d v) { return _mm256_max_pd(_mm256_set1_pd(S4J_F64_X_LO), v); }
static inline __m256d s4j_drint(__m256d v) { return _mm256_round_pd(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline __m256d s4j_dadd(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }

/* Compensated accumulation: (s, c) += z by 2Sum per lane, so a block's sum is exact to ~2^-104 for
 * any distribution (plain double lanes drift when one large term meets thousands of small ones). */
static inline void s4j_dacc(__m256d* vs, __m256d* vc, __m256d vz) {
  const __m256d vsum = _mm256_add_pd(*vs, vz);
  const __m256d vbp = _mm256_sub_pd(vsum, *vs);
  const __m256d ve = _mm256_add_pd(_mm256_sub_pd(*vs, _mm256_sub_pd(vsum, vbp)), _mm256_sub_pd(vz, vbp));
  *vs = vsum;
  *vc = _mm256_add_pd(*vc, ve);
}

/* Double-double sum of two compensated accumulators: returns hi, writes lo. */
static inline double s4j_dreduce(__m256d vs0, __m256d vc0, __m256d vs1, __m256d vc1, double* lo) {
  double s[8], c[8];
  _mm256_storeu_pd(s, vs0);
  _mm256_storeu_pd(s + 4, vs1);
  _mm256_storeu_pd(c, vc0);
  _mm256_storeu_pd(c + 4, vc1);
  return s4j_dd_sum_lanes(s, c, 8, lo);
}

/* Horizontal max of the 4 lanes (NaN is reported through rmax's flag, not through this max). */
static inline double s4j_dhmax(__m256d v) {
  __m128d v2 = _mm_max_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  v2 = _mm_max_sd(v2, _mm_unpackhi_pd(v2, v2));
  return _mm_cvtsd_f64(v2);
}

/* Tail masks of 64-bit lanes: loading from &table[4 - rem] enables the first rem lanes. */
static const int64_t s4j_avx2_f64_mask_table[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

static inline __m256i s4j_dtail_mask(size_t rem) {
  return _mm256_loadu_si256((const __m256i*)&s4j_avx2_f64_mask_table[4 - rem]);
}

/* Product of a masked tail: the first rem lanes loaded (vmaskmovpd suppresses faults on the
 * others), hi of the other lanes set to X_LO after the product (so they add nothing and never win a
 * max whatever s is), lo to 0. */
S4J_INLINE __m256d s4j_dmul_tail(const double* x, __m256i vmask, __m256d vs, __m256d* vlo,
                                         const int scaled) {
  const __m256d vhi = s4j_dmul(_mm256_maskload_pd(x, vmask), vs, vlo, scaled);
  *vlo = _mm256_and_pd(*vlo, _mm256_castsi256_pd(vmask));
  return _mm256_blendv_pd(_mm256_set1_pd(S4J_F64_X_LO), vhi, _mm256_castsi256_pd(vmask));
}

/* ---------------------------------------------------------------------------------------------
 * The f64 layer: the kernels (src/f64/s4j_f64_<op>.c) are written once in these names, as the f32 kernels
 * over s4j_f32_simd.h, and compiled once per tier (s4j_f64_simd.h picks the layer). Besides the helpers
 * above (s4j_dmul, s4j_dmul_tail, s4j_dclamp_lo, s4j_drint, s4j_dadd, s4j_dacc, s4j_dreduce, s4j_dhmax,
 * s4j_dtail_mask; the exp, s4j_dexp_pn and s4j_dterm, is written once over them in s4j_f64_simd.h):
 * ------------------------------------------------------------------------------------------- */
#define S4J_DISA avx2
#define S4J_DU2 u8 /* doubles per 2 and per 4 vectors: name parts of the kernels */
#define S4J_DU4 u16
#define S4J_DVLEN 4
typedef __m256d s4j_dvf;
typedef __m256i s4j_dmask;
static inline s4j_dvf s4j_dload(const double* p) { return _mm256_loadu_pd(p); }
static inline void s4j_dstore(double* p, s4j_dvf v) { _mm256_storeu_pd(p, v); }
static inline s4j_dvf s4j_dload_tail_zero(const double* p, s4j_dmask m) { return _mm256_maskload_pd(p, m); }
static inline void s4j_dstore_tail(double* p, s4j_dmask m, s4j_dvf v) { _mm256_maskstore_pd(p, m, v); }
static inline s4j_dvf s4j_dset1(double d) { return _mm256_set1_pd(d); }
static inline s4j_dvf s4j_dmulv(s4j_dvf a, s4j_dvf b) { return _mm256_mul_pd(a, b); }
static inline s4j_dvf s4j_dsub(s4j_dvf a, s4j_dvf b) { return _mm256_sub_pd(a, b); }
static inline s4j_dvf s4j_dfma(s4j_dvf a, s4j_dvf b, s4j_dvf c) { return _mm256_fmadd_pd(a, b, c); }
/* max(a, b) returning b when either is NaN (max_pd) */
static inline s4j_dvf s4j_dmax(s4j_dvf a, s4j_dvf b) { return _mm256_max_pd(a, b); }
/* y * 2^k for integral k <= 1023: exact unless the result is below DBL_MIN (then within DBL_MIN) */
static inline s4j_dvf s4j_dldexp(s4j_dvf y, s4j_dvf k) { return _mm256_mul_pd(y, s4j_avx2_f64_exp2(k)); }
/* Exponentials per group in the 4-vector loops (s4j_f64_simd.h, s4j_dexp_pnq): four at once (Zen 4: 0.75-0.88x the
 * time of one at a time, pairs 0.91-0.93x; README, "Twenty-ninth session"). */
#define S4J_DEXP_GROUP(scaled) 4
/* z where a > b, else +0.0 (rbinexp's two bins) */
static inline s4j_dvf s4j_dkeep_gt(s4j_dvf a, s4j_dvf b, s4j_dvf z) {
  return _mm256_and_pd(_mm256_cmp_pd(a, b, _CMP_GT_OQ), z);
}
/* "a NaN was seen" over pairs of vectors: unordered compares or-ed, read once */
typedef __m256d s4j_dnan;
static inline s4j_dnan s4j_dnan_init(void) { return _mm256_setzero_pd(); }
static inline s4j_dnan s4j_dnan_add(s4j_dnan acc, s4j_dvf a, s4j_dvf b) {
  return _mm256_or_pd(acc, _mm256_cmp_pd(a, b, _CMP_UNORD_Q));
}
static inline int s4j_dnan_any(s4j_dnan acc) { return _mm256_movemask_pd(acc) != 0; }

#endif /* S4J_F64_AVX2_H */
