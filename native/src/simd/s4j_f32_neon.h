/*
 * The f32 per-ISA layer, AArch64 Advanced SIMD (NEON, baseline on every arm64 CPU): 4 lanes, the exp of
 * the AVX2 tier step for step (an 8-entry table, one tbl, a degree-4 polynomial, 2^k built in the exponent
 * field with a bias of 2^EXP_BIAS; every FMA fused as there), so each term is bit-identical to the AVX2
 * tier's; only the grouping of the fp32 partial sums differs (4 lanes instead of 8: docs/NUMERICS.md).
 * Include it only through s4j_f32_simd.h.
 */
#ifndef S4J_F32_NEON_H
#define S4J_F32_NEON_H

#include <arm_neon.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "constants.h"
#include "s4j_intrin.h"

#define S4J_ISA neon
#define S4J_METHOD lut8_p4
#define S4J_U1 u4
#define S4J_U4 u16
#define S4J_VLEN 4
#define S4J_EXP_SCALED 1
#define S4J_EXP_FOLD 2
#define S4J_EXP_LO 4
/* rows whose terms only meet their own sum: the cancelling table (s4j_f32_simd.h, S4J_CANCEL_LO) */
#define S4J_CANCEL_C S4J_CANCEL_C8
/* As AVX2: every exp carries 2^EXP_BIAS, final results remove it with s4j_vunbias. */
#define S4J_EXP_FINAL_BIAS S4J_EXP_BIAS
#define S4J_EXP_FOLDED(p) 0

typedef float32x4_t s4j_vf;
typedef size_t s4j_vmask; /* the number of lanes of a tail: NEON has no masked loads */

static inline s4j_vf s4j_vload(const float* p) { return vld1q_f32(p); }
static inline void s4j_vstore(float* p, s4j_vf v) { vst1q_f32(p, v); }
#define s4j_vprefetch(p) __builtin_prefetch((const void*)(p), 0, 3)
/* Arithmetic takes no memory operand here: nothing to keep (s4j_f32_simd.h) */
#define s4j_vkeep(pv) ((void)(pv))
/* No non-temporal store intrinsic: a plain store. */
static inline void s4j_vstream(float* p, s4j_vf v) { vst1q_f32(p, v); }
static inline void s4j_vsfence(void) {}

/* Lane i of a comparison (all ones or zero) to bit i. */
static inline uint32_t s4j_neon_bits(uint32x4_t m) {
  static const uint32_t weights[4] = {1, 2, 4, 8};
  return vaddvq_u32(vandq_u32(m, vld1q_u32(weights)));
}
/* A bit per lane: v >= t or v is NaN (not less than); v == t. */
static inline uint32_t s4j_vmask_ge_or_nan(s4j_vf v, s4j_vf t) { return s4j_neon_bits(vmvnq_u32(vcltq_f32(v, t))); }
static inline uint32_t s4j_vmask_eq(s4j_vf v, s4j_vf t) { return s4j_neon_bits(vceqq_f32(v, t)); }
/* NaN seen: fmax returns NaN when either operand is NaN (unlike fmaxnm, s4j_vmax), so a NaN sticks. */
typedef float32x4_t s4j_vnan;
static inline s4j_vnan s4j_vnan_init(void) { return vdupq_n_f32(0.0f); }
static inline s4j_vnan s4j_vnan_add(s4j_vnan acc, s4j_vf a, s4j_vf b) { return vmaxq_f32(acc, vmaxq_f32(a, b)); }
static inline int s4j_vnan_any(s4j_vnan acc) { return vminvq_u32(vceqq_f32(acc, acc)) == 0; }
static inline s4j_vf s4j_vset1(float f) { return vdupq_n_f32(f); }
static inline s4j_vf s4j_vadd(s4j_vf a, s4j_vf b) { return vaddq_f32(a, b); }
static inline s4j_vf s4j_vsub(s4j_vf a, s4j_vf b) { return vsubq_f32(a, b); }
static inline s4j_vf s4j_vmul(s4j_vf a, s4j_vf b) { return vmulq_f32(a, b); }
/* a*b + c, fused (x86 _mm_fmadd_ps(a, b, c)) */
static inline s4j_vf s4j_vfma(s4j_vf a, s4j_vf b, s4j_vf c) { return vfmaq_f32(c, a, b); }
/* max(a, b) that ignores a (quiet) NaN in a: fmaxnm returns the number when one operand is NaN. */
static inline s4j_vf s4j_vmax(s4j_vf a, s4j_vf b) { return vmaxnmq_f32(a, b); }
static inline s4j_vf s4j_vmin(s4j_vf a, s4j_vf b) { return vminnmq_f32(a, b); }

static inline s4j_vmask s4j_vtail_mask(size_t rem) { return rem; }
/* Tails go through a lane buffer: never a byte of memory past n is read or written. */
static inline s4j_vf s4j_vload_tail(const float* p, s4j_vmask m) {
  float lanes[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
  memcpy(lanes, p, m * sizeof(float));
  return vld1q_f32(lanes);
}
static inline s4j_vf s4j_vload_tail_zero(const float* p, s4j_vmask m) {
  float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  memcpy(lanes, p, m * sizeof(float));
  return vld1q_f32(lanes);
}
static inline void s4j_vstore_tail(float* p, s4j_vmask m, s4j_vf v) {
  float lanes[4];
  vst1q_f32(lanes, v);
  memcpy(p, lanes, m * sizeof(float));
}
static inline float s4j_vhmax(s4j_vf v) { return vmaxnmvq_f32(v); }

/* ---------------------------------------------------------------------------------------------
 * exp(s*x) * c * 2^(EXP_BIAS - E): the AVX2 tier's method and constants (s4j_f32_avx2.h has the derivation).
 * ------------------------------------------------------------------------------------------- */
/* The two 8-entry tables are bytes in memory, loaded as register pairs where they are used (s4j_neon_lookup8):
 * kept in registers across the loop, gcc 12 re-formed the pairs that tbl needs with moves and reloads from the
 * constant pool every vector (143 instructions per 4 vectors in raddstoreexp's loop, 117 so). */
typedef struct {
  uint8_t table[32]; /* lane j: bits(fl(2^(j/8) * c) * 2^BIAS) - (j << 20) */
  uint8_t tlo[32];   /* lane j: the entry's relative rounding error, for S4J_EXP_LO */
  s4j_vf magic;       /* MAGIC8 - E */
  s4j_vf xlo;         /* (E - KCUT) * ln2 / s, never below X_LO / s */
  s4j_vf xhi;         /* (E + KHI) * ln2 / s */
  s4j_vf s;
} s4j_expp;

/* Lane i: entry (bits(vn[i]) mod 8) of an 8-entry table of 32-bit values, as vpermps does (one tbl of
 * 32 bytes with byte indices 4j .. 4j + 3). */
static inline uint32x4_t s4j_neon_lookup8(const uint8_t* t, uint32x4_t vnb) {
  const uint8x16x2_t table = vld1q_u8_x2(t);
  const uint32x4_t j = vandq_u32(vnb, vdupq_n_u32(7));
  const uint32x4_t bytes = vmlaq_u32(vdupq_n_u32(0x03020100u), j, vdupq_n_u32(0x04040404u));
  return vreinterpretq_u32_u8(vqtbl2q_u8(table, vreinterpretq_u8_u32(bytes)));
}

static inline void s4j_expp_init(s4j_expp* p, float s, float e, double c, int bias, int fold) {
  (void)fold; /* E is never in a table here */
  (void)bias;
  uint32_t tab[8], lo[8];
  for (int j = 0; j < 8; j++) {
    const double d = s4j_exp2_j32[4 * j] * c;
    const float f = (float)d; /* fl(2^(j/8) * c), rounded once from double */
    const float r = (float)((d - (double)f) / (double)f);
    const float v = f * 0x1.0p+64f; /* times 2^BIAS, exact */
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    tab[j] = bits - ((uint32_t)j << 20);
    memcpy(&lo[j], &r, sizeof r);
  }
  memcpy(p->table, tab, sizeof tab);
  memcpy(p->tlo, lo, sizeof lo);
  p->magic = vdupq_n_f32(S4J_MAGIC8 - e);
  float xlo, xhi;
  s4j_clamp_bounds(e, s, &xlo, &xhi);
  p->xlo = vdupq_n_f32(xlo);
  p->xhi = vdupq_n_f32(xhi);
  p->s = vdupq_n_f32(s);
}

static inline s4j_vf s4j_vclamp_hi(s4j_vf vx, const s4j_expp* p) { return vminq_f32(p->xhi, vx); }

S4J_INLINE s4j_vf s4j_vexp(s4j_vf vx, const s4j_expp* p, const int mode) {
  const int scaled = mode & S4J_EXP_SCALED;
  /* fmax propagates a NaN (as maxps(xlo, x) does on x86): NaN survives to the result. */
  vx = vmaxq_f32(p->xlo, vx);
  s4j_vf vhi = vx, vlo = vdupq_n_f32(0.0f);
  if (scaled) {
    vhi = vmulq_f32(vx, p->s);
    vlo = vfmaq_f32(vnegq_f32(vhi), vx, p->s); /* x*s - hi, exact */
  }
  const s4j_vf vn = vfmaq_f32(p->magic, vhi, vdupq_n_f32(S4J_LOG2E));
  const s4j_vf vv = vsubq_f32(vn, p->magic);
  /* AVX2's steps (s4j_f32_avx2.h): t = (hi - v*LN2_HI) + ([lo +] [rest -] v*LN2_LO), one rounding of t */
  const s4j_vf vt1 = vfmaq_f32(vhi, vv, vdupq_n_f32(-S4J_LN2_HI));
  const uint32x4_t vnb = vreinterpretq_u32_f32(vn);
  s4j_vf vt;
  if (scaled || (mode & S4J_EXP_LO)) {
    s4j_vf vr = vlo;
    if (mode & S4J_EXP_LO) {
      const s4j_vf vrest = vreinterpretq_f32_u32(s4j_neon_lookup8(p->tlo, vnb));
      vr = scaled ? vaddq_f32(vr, vrest) : vrest;
    }
    vt = vaddq_f32(vt1, vfmaq_f32(vr, vv, vdupq_n_f32(-S4J_LN2_LO)));
  } else {
    vt = vfmaq_f32(vt1, vv, vdupq_n_f32(-S4J_LN2_LO));
  }
  const uint32x4_t vtab = s4j_neon_lookup8(p->table, vnb);
  const s4j_vf vs = vreinterpretq_f32_u32(vaddq_u32(vtab, vshlq_n_u32(vnb, 20)));
  s4j_vf va = vfmaq_f32(vdupq_n_f32(S4J_L8_C3), vdupq_n_f32(S4J_L8_C4), vt);
  va = vfmaq_f32(vdupq_n_f32(0.5f), va, vt);
  va = vfmaq_f32(vdupq_n_f32(1.0f), va, vt);
  return vfmaq_f32(vs, vmulq_f32(vs, vt), va);
}

static inline s4j_vf s4j_vunbias(s4j_vf v) { return vmulq_f32(v, vdupq_n_f32(0x1.0p-64f)); }

/* ---------------------------------------------------------------------------------------------
 * Double lanes for the sums (s4j_f32_simd.h, "Sums"): a float vector added exactly, lanes 0-1 and 2-3.
 * ------------------------------------------------------------------------------------------- */
typedef struct {
  float64x2_t lo, hi;
} s4j_vdsum;

static inline void s4j_vdsum_init(s4j_vdsum* a) { a->lo = a->hi = vdupq_n_f64(0.0); }
static inline void s4j_vdsum_add(s4j_vdsum* a, s4j_vf v) {
  a->lo = vaddq_f64(a->lo, vcvt_f64_f32(vget_low_f32(v)));
  a->hi = vaddq_f64(a->hi, vcvt_high_f64_f32(v));
}
static inline double s4j_vdsum_reduce(const s4j_vdsum* a) { return vaddvq_f64(vaddq_f64(a->lo, a->hi)); }

#endif /* S4J_F32_NEON_H */
