/*
 * AArch64 Advanced SIMD (NEON) building blocks of the f64 kernels (docs/NUMERICS.md, "Double precision"), 2
 * lanes: the AVX2 layer's steps one for one (the same degree-13 Taylor polynomial with fused multiply-adds,
 * Cody-Waite split, 2^k built in the exponent field, 2Sum accumulators), so the results are those of the AVX2
 * tier. Private header: include it only through s4j_f64_simd.h, in the NEON tier's kernel files.
 */
#ifndef S4J_F64_NEON_H
#define S4J_F64_NEON_H

#include <arm_neon.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "constants.h"
#include "s4j_dd.h"

/* hi = fl(x*s) and lo = fma(x, s, -hi) clamped to [-LO_MAX, LO_MAX], a NaN lo becoming -LO_MAX (fmaxnm returns
 * the number, as x86 maxpd returns its second operand); scaled == 0 (s == 1): hi = x, lo = 0. */
S4J_INLINE float64x2_t s4j_dmul(float64x2_t vx, float64x2_t vs, float64x2_t* vlo, const int scaled) {
  if (!scaled) {
    *vlo = vdupq_n_f64(0.0);
    return vx;
  }
  const float64x2_t vhi = vmulq_f64(vx, vs);
  const float64x2_t vl = vmaxnmq_f64(vnegq_f64(vfmsq_f64(vhi, vx, vs)), vdupq_n_f64(-S4J_F64_LO_MAX));
  *vlo = vminq_f64(vl, vdupq_n_f64(S4J_F64_LO_MAX));
  return vhi;
}

/* 2^max(k, -1023) for integral k <= 1023; k = -1023 (and NaN: fmaxnm returns the number) gives +0.0. */
static inline float64x2_t s4j_neon_f64_exp2(float64x2_t vk) {
  vk = vmaxnmq_f64(vk, vdupq_n_f64(S4J_F64_K_MIN));
  /* k + 1023 lands in the low mantissa bits of k + EXP2_MAGIC; shift it into the exponent field. */
  const float64x2_t vbiased = vaddq_f64(vk, vdupq_n_f64(S4J_F64_EXP2_MAGIC));
  return vreinterpretq_f64_u64(vshlq_n_u64(vreinterpretq_u64_f64(vbiased), 52));
}

/* The exp's tier steps (the exp itself is written once, s4j_f64_simd.h): the clamp below at X_LO that keeps a NaN,
 * round to nearest even, and an add. */
static inline float64x2_t s4j_dclamp_lo(float64x2_t v) { return vmaxq_f64(vdupq_n_f64(S4J_F64_X_LO), v); }
static inline float64x2_t s4j_drint(float64x2_t v) { return vrndnq_f64(v); }
static inline float64x2_t s4j_dadd(float64x2_t a, float64x2_t b) { return vaddq_f64(a, b); }

/* Compensated accumulation: (s, c) += z by 2Sum per lane (see the AVX2 layer). */
static inline void s4j_dacc(float64x2_t* vs, float64x2_t* vc, float64x2_t vz) {
  const float64x2_t vsum = vaddq_f64(*vs, vz);
  const float64x2_t vbp = vsubq_f64(vsum, *vs);
  const float64x2_t ve = vaddq_f64(vsubq_f64(*vs, vsubq_f64(vsum, vbp)), vsubq_f64(vz, vbp));
  *vs = vsum;
  *vc = vaddq_f64(*vc, ve);
}

/* Double-double sum of two compensated accumulators: returns hi, writes lo. */
static inline double s4j_dreduce(float64x2_t vs0, float64x2_t vc0, float64x2_t vs1, float64x2_t vc1, double* lo) {
  double s[4], c[4];
  vst1q_f64(s, vs0);
  vst1q_f64(s + 2, vs1);
  vst1q_f64(c, vc0);
  vst1q_f64(c + 2, vc1);
  return s4j_dd_sum_lanes(s, c, 4, lo);
}

/* Horizontal max (NaN is reported through rmax's flag, not through this max). */
static inline double s4j_dhmax(float64x2_t v) { return vmaxnmvq_f64(v); }

/* Tails go through a lane buffer: never a byte past n is read or written. The mask is the lane count. */
static inline size_t s4j_dtail_mask(size_t rem) { return rem; }

/* Product of a tail: hi of the lanes past it set to X_LO after the product (they add nothing and never win
 * a max whatever s is), lo to 0. */
S4J_INLINE float64x2_t s4j_dmul_tail(const double* x, size_t rem, float64x2_t vs, float64x2_t* vlo,
                                     const int scaled) {
  double lanes[2] = {0.0, 0.0};
  memcpy(lanes, x, rem * sizeof(double));
  const float64x2_t vhi = s4j_dmul(vld1q_f64(lanes), vs, vlo, scaled);
  const uint64x2_t in = vcltq_u64(vcombine_u64(vcreate_u64(0), vcreate_u64(1)), vdupq_n_u64((uint64_t)rem));
  *vlo = vbslq_f64(in, *vlo, vdupq_n_f64(0.0));
  return vbslq_f64(in, vhi, vdupq_n_f64(S4J_F64_X_LO));
}

/* ---------------------------------------------------------------------------------------------
 * The f64 layer: the kernels (src/f64/s4j_f64_<op>.c) are written once in these names (see the AVX2 layer).
 * ------------------------------------------------------------------------------------------- */
#define S4J_DISA neon
#define S4J_DU2 u4 /* doubles per 2 and per 4 vectors: name parts of the kernels */
#define S4J_DU4 u8
#define S4J_DVLEN 2
typedef float64x2_t s4j_dvf;
typedef size_t s4j_dmask;
static inline s4j_dvf s4j_dload(const double* p) { return vld1q_f64(p); }
static inline void s4j_dstore(double* p, s4j_dvf v) { vst1q_f64(p, v); }
static inline s4j_dvf s4j_dload_tail_zero(const double* p, s4j_dmask m) {
  double lanes[2] = {0.0, 0.0};
  memcpy(lanes, p, m * sizeof(double));
  return vld1q_f64(lanes);
}
static inline void s4j_dstore_tail(double* p, s4j_dmask m, s4j_dvf v) {
  double lanes[2];
  vst1q_f64(lanes, v);
  memcpy(p, lanes, m * sizeof(double));
}
static inline s4j_dvf s4j_dset1(double d) { return vdupq_n_f64(d); }
static inline s4j_dvf s4j_dmulv(s4j_dvf a, s4j_dvf b) { return vmulq_f64(a, b); }
static inline s4j_dvf s4j_dsub(s4j_dvf a, s4j_dvf b) { return vsubq_f64(a, b); }
static inline s4j_dvf s4j_dfma(s4j_dvf a, s4j_dvf b, s4j_dvf c) { return vfmaq_f64(c, a, b); }
/* max(a, b) returning b when a is NaN (fmaxnm returns the number; b is never NaN where it is used) */
static inline s4j_dvf s4j_dmax(s4j_dvf a, s4j_dvf b) { return vmaxnmq_f64(a, b); }
/* y * 2^k for integral k <= 1023: exact unless the result is below DBL_MIN (then within DBL_MIN) */
static inline s4j_dvf s4j_dldexp(s4j_dvf y, s4j_dvf k) { return vmulq_f64(y, s4j_neon_f64_exp2(k)); }
/* One exponential at a time in the 4-vector loops (s4j_f64_simd.h, s4j_dexp_pnq; groups not measured here). */
#define S4J_DEXP_GROUP(scaled) 1
/* z where a > b, else +0.0 (rbinexp's two bins) */
static inline s4j_dvf s4j_dkeep_gt(s4j_dvf a, s4j_dvf b, s4j_dvf z) {
  return vreinterpretq_f64_u64(vandq_u64(vcgtq_f64(a, b), vreinterpretq_u64_f64(z)));
}
/* "a NaN was seen" over pairs of vectors: lanes of unordered compares or-ed, read once */
typedef uint64x2_t s4j_dnan;
static inline s4j_dnan s4j_dnan_init(void) { return vdupq_n_u64(0); }
static inline s4j_dnan s4j_dnan_add(s4j_dnan acc, s4j_dvf a, s4j_dvf b) {
  return vorrq_u64(acc, veorq_u64(vandq_u64(vceqq_f64(a, a), vceqq_f64(b, b)), vdupq_n_u64(UINT64_MAX)));
}
static inline int s4j_dnan_any(s4j_dnan acc) { return (vgetq_lane_u64(acc, 0) | vgetq_lane_u64(acc, 1)) != 0; }

#endif /* S4J_F64_NEON_H */
