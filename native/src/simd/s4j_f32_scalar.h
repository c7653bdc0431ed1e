/*
 * The f32 per-ISA layer, portable C: one lane, an exp by a 16-entry table and Cody-Waite (AVX-512 has 32)
 * evaluated in double and rounded to float once (docs/NUMERICS.md, "exp"): baseline x86-64 has no FMA
 * instruction and fmaf is a libm call there, while in double every product below is exact or rounds at
 * 2^-53, so the result is at least as accurate as the fp32 FMA evaluation of the vector tiers.
 */
#ifndef S4J_F32_SCALAR_H
#define S4J_F32_SCALAR_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "constants.h"
#include "s4j_intrin.h"

#define S4J_ISA scalar
#define S4J_METHOD lut16_p5d
#define S4J_U1 u1
#define S4J_U4 u4
#define S4J_VLEN 1
#define S4J_EXP_SCALED 1
#define S4J_EXP_FOLD 2
#define S4J_EXP_LO 4
#define S4J_EXP_FINAL_BIAS 0
#define S4J_EXP_FOLDED(p) 0

typedef float s4j_vf;
typedef int s4j_vmask; /* one lane: there is never a tail */

static inline s4j_vf s4j_vload(const float* p) { return *p; }
static inline void s4j_vstore(float* p, s4j_vf v) { *p = v; }
static inline void s4j_vprefetch(const float* p) { (void)p; }
static inline void s4j_vkeep(s4j_vf* v) { (void)v; }
/* Non-temporal store (no read for ownership); p must be 4-byte aligned. */
static inline void s4j_vstream(float* p, s4j_vf v) { *p = v; }
static inline void s4j_vsfence(void) {  }
/* A bit per lane: v >= t or v is NaN; v == t. */
static inline uint32_t s4j_vmask_ge_or_nan(s4j_vf v, s4j_vf t) { return !(v < t); }
static inline uint32_t s4j_vmask_eq(s4j_vf v, s4j_vf t) { return v == t; }
typedef int s4j_vnan; /* NaN seen */
static inline s4j_vnan s4j_vnan_init(void) { return 0; }
static inline s4j_vnan s4j_vnan_add(s4j_vnan acc, s4j_vf a, s4j_vf b) { return acc | (a != a) | (b != b); }
static inline int s4j_vnan_any(s4j_vnan acc) { return acc; }
static inline s4j_vf s4j_vset1(float f) { return f; }
static inline s4j_vf s4j_vadd(s4j_vf a, s4j_vf b) { return a + b; }
static inline s4j_vf s4j_vsub(s4j_vf a, s4j_vf b) { return a - b; }
static inline s4j_vf s4j_vmul(s4j_vf a, s4j_vf b) { return a * b; }
/* In double: the product of two floats is exact there, the sum rounds at 2^-53, then once to float. */
static inline s4j_vf s4j_vfma(s4j_vf a, s4j_vf b, s4j_vf c) { return (float)((double)a * (double)b + (double)c); }
/* As maxps: returns b when either is NaN. */
static inline s4j_vf s4j_vmax(s4j_vf a, s4j_vf b) { return a > b ? a : b; }
static inline s4j_vf s4j_vmin(s4j_vf a, s4j_vf b) { return a < b ? a : b; }
static inline s4j_vmask s4j_vtail_mask(size_t rem) { return (int)rem; }
static inline s4j_vf s4j_vload_tail(const float* p, s4j_vmask m) { return m ? *p : -INFINITY; }
static inline s4j_vf s4j_vload_tail_zero(const float* p, s4j_vmask m) { return m ? *p : 0.0f; }
static inline void s4j_vstore_tail(float* p, s4j_vmask m, s4j_vf v) {
  if (m) *p = v;
}
static inline float s4j_vhmax(s4j_vf v) { return v; }

typedef struct {
  double c;  /* the multiplier */
  double s;  /* the scale (1/T) */
  int64_t e; /* E - bias (E is an integer: the exponent of a maximum, or of a sum's, in the drivers) */
  float xlo; /* X_LO / s */
} s4j_expp;

static inline void s4j_expp_init(s4j_expp* p, float s, float e, double c, int bias, int fold) {
  (void)fold; /* E is never in a table here */
  p->c = c;
  p->s = (double)s;
  p->e = (int64_t)e - bias; /* e integral and within the fast path's range: the drivers check it */
  p->xlo = S4J_X_LO / s;
}

/* Terms far above 2^E come out large or +Inf in double (see s4j_vexp): no clamp needed. */
static inline s4j_vf s4j_vclamp_hi(s4j_vf x, const s4j_expp* p) {
  (void)p;
  return x;
}

S4J_INLINE s4j_vf s4j_vexp(s4j_vf x, const s4j_expp* p, const int mode) {
  const int scaled = mode & S4J_EXP_SCALED;
  if (x != x) return x; /* NaN */
  x = p->xlo > x ? p->xlo : x;
  /* s*x exactly (a product of two floats); v = N/16, N the integer nearest to s*x*log2(e)*16 (ties to even).
   * N by the magic-number trick, not nearbyint: without SSE4.1 (baseline x86-64) nearbyint is a libm call
   * that saves and restores the floating-point environment, which took the tier to ~6.5 ns per element.
   * Exact for |r| < 2^51; r >= 2^50 is a term >= 2^(2^46 - E): +Inf below, as the old path gave. h >= X_LO. */
  const double h = scaled ? (double)x * p->s : (double)x;
  const double r = h * (0x1.71547652b82fep+0 * 16.0);
  if (!(r < 0x1.0p+50)) return INFINITY;
  const double big = r + 0x1.8p+52; /* N in the low bits of its significand */
  const double nd = big - 0x1.8p+52;
  /* t = h - v*ln2 with ln2 split as in the vector tiers: v*LN2_HI is exact, t rounds at 2^-53 (N * (LN2/16)
   * is v * LN2 exactly: one multiply less on the chain). */
  const double t = (h - nd * ((double)S4J_LN2_HI * 0.0625)) - nd * ((double)S4J_LN2_LO * 0.0625);
  /* exp(t) on |t| <= ln2/32 by Taylor degree 5 in double: error < 2^-40 relative. */
  const double q = 1.0 + t * (1.0 + t * (0.5 + t * (1.0 / 6 + t * (1.0 / 24 + t * (1.0 / 120)))));
  /* N = 16k + j, k = floor(v), j in [0, 16): N from big's bits (no conversion instruction), all in integers. */
  uint64_t bigbits;
  memcpy(&bigbits, &big, sizeof bigbits);
  const int64_t n = (int64_t)bigbits - INT64_C(0x4338000000000000); /* bigbits < 2^63: big > 0 */
  const int j = (int)((uint64_t)n & 15u);
  const int64_t k = (n - j) / 16;
  /* 2^(k - E) built as a double; terms below 2^-200 relative are 0 (as on every tier). */
  const int64_t d = k - p->e;
  if (d < -200) return 0.0f;
  if (d > 200) return INFINITY;
  const uint64_t bits = (uint64_t)(d + 1023) << 52;
  double scale;
  memcpy(&scale, &bits, sizeof scale);
  return (float)(s4j_exp2_j32[2 * j] * p->c * q * scale);
}

static inline s4j_vf s4j_vunbias(s4j_vf v) { return v; }

/* Sums in double: a term is one lane, so every addition of terms is exact or rounds in double (the tier's own
 * s4j_vsum; the vector tiers share the one in s4j_f32_simd.h). */
#define S4J_VSUM_OF_TIER 1
typedef struct {
  double s;
} s4j_vsum;
static inline void s4j_vsum_init(s4j_vsum* a) { a->s = 0.0; }
static inline void s4j_vsum_add(s4j_vsum* a, s4j_vf v) { a->s += (double)v; }
static inline void s4j_vsum_add4(s4j_vsum* a, s4j_vf v0, s4j_vf v1, s4j_vf v2, s4j_vf v3) {
  a->s += ((double)v0 + (double)v1) + ((double)v2 + (double)v3);
}
static inline double s4j_vsum_reduce(const s4j_vsum* a) { return a->s; }

#endif /* S4J_F32_SCALAR_H */
