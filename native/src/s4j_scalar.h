/*
 * Portable C building blocks of the scalar kernels: the reference implementation of
 * docs/NUMERICS.md for any CPU. Private header.
 */
#ifndef S4J_SCALAR_H
#define S4J_SCALAR_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "constants.h"
#include "s4j_dd.h"

/* exp(s*x) = p * 2^n (NUMERICS.md), s = 1/T the temperature scale (1 for none), xlo = X_LO / s;
 * returns p, writes n.
 * Steps 1-2 (clamp, n) are exactly those of the vector tiers. Steps 3-4 (reduction, polynomial) are
 * evaluated in double with the same constants and coefficients, p rounded to float once: baseline
 * x86-64 has no FMA instruction, fmaf is a libm call there, and emulating it made the tier ~12
 * ns/element; in double every product below is exact or rounds at 2^-53 (x*s of two floats is exact
 * in double), so p is at least as accurate as the fp32 FMA evaluation (within 0.5 ULP + the 0.15 ULP
 * approximation error) and the code needs no FMA. */
static inline float s4j_scalar_exp_pn(float x, float s, float xlo, float* n_out) {
  /* Clamp below at X_LO / s, written as maxss(xlo, x): a NaN x compares false and passes through. */
  x = (xlo > x) ? xlo : x;
  /* n = rint(fl(x*s) * log2(e)) by the magic-number trick (exact rint for |v| < 2^22; larger v only
   * occur for s*x > 2.9e6, whose n still exceeds E_HI, so the fast-path check rejects them). */
  const float n = ((x * s) * S4J_LOG2E + S4J_RINT_MAGIC) - S4J_RINT_MAGIC;
  /* Cody-Waite range reduction t = x*s - n*ln2 in double: every product is exact. */
  const double nd = (double)n;
  const double t = ((double)x * (double)s - nd * (double)S4J_LN2_HI) - nd * (double)S4J_LN2_LO;
  /* p = exp(t) on [-ln2/2, ln2/2]: the degree-6 minimax polynomial by Horner. */
  double p = (double)S4J_C6 * t + (double)S4J_C5;
  p = p * t + (double)S4J_C4;
  p = p * t + (double)S4J_C3;
  p = p * t + (double)S4J_C2;
  p = p * t + (double)S4J_C1;
  p = p * t + 1.0;
  *n_out = n;
  return (float)p;
}

/* 2^max(k, -127) for integral k <= 127, built in the exponent field; k = -127 gives +0.0.
 * A NaN k gives +0.0 too (so NaN * 2^k stays NaN: NaN sticks), as with x86 max_ps(k, -127). */
static inline float s4j_scalar_exp2(float k) {
  k = (k > S4J_K_MIN) ? k : S4J_K_MIN; /* maxss(k, K_MIN): NaN -> K_MIN */
  /* k + 127 lands in the low mantissa bits of k + EXP2_MAGIC; shift it into the exponent field
   * (no float-to-int conversion, so no undefined behaviour for any k; +Inf gives +0.0). */
  const float biased = k + S4J_EXP2_MAGIC;
  uint32_t bits;
  memcpy(&bits, &biased, sizeof bits);
  bits <<= 23;
  float r;
  memcpy(&r, &bits, sizeof r);
  return r;
}

/* The scalar kernels work in chunks: a branch-free map loop over a chunk into a local buffer, which
 * the compiler vectorizes (SSE2 on baseline x86-64, NEON on aarch64; the build passes
 * -fno-trapping-math so float selects can be if-converted: no result changes), then a short
 * scalar pass. The local buffer also keeps in-place calls (x == y) on the vectorized path. */
#define S4J_SCALAR_CHUNK 64

/* z[i] = p * 2^(n - e) for exp(x[i]) = p * 2^n: exp(x) relative to 2^e, an exact scaling. */
static inline void s4j_scalar_expscaled_chunk(size_t c, const float* x, float s, float e, float* z) {
  const float xlo = S4J_X_LO / s;
  for (size_t i = 0; i < c; i++) {
    float ni;
    const float pi = s4j_scalar_exp_pn(x[i], s, xlo, &ni);
    z[i] = pi * s4j_scalar_exp2(ni - e);
  }
}

/* y[i] = (p * inv) * 2^(n - e): (p * inv) rounds once; the scaling is exact unless the output is
 * below 2^-126 (then it may flush to 0: within the FLT_MIN absolute bound). */
static inline void s4j_scalar_vscaleexp_chunk(size_t c, const float* x, float s, float inv, float e,
                                              float* y) {
  const float xlo = S4J_X_LO / s;
  for (size_t i = 0; i < c; i++) {
    float ni;
    const float pi = s4j_scalar_exp_pn(x[i], s, xlo, &ni);
    y[i] = (pi * inv) * s4j_scalar_exp2(ni - e);
  }
}

/* Sum of z[0..c) in double with four accumulators (independent add chains). Double, not fp32: a
 * scalar tier that added a 4096-element block into 4 fp32 accumulators (1024 terms each) measured
 * up to 11 ULP at large n (the vector tiers add fp32 pairs, then double: docs/NUMERICS.md). */
static inline double s4j_scalar_sum_chunk(size_t c, const float* z) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  size_t i = 0;
  for (; i + 4 <= c; i += 4) {
    s0 += (double)z[i];
    s1 += (double)z[i + 1];
    s2 += (double)z[i + 2];
    s3 += (double)z[i + 3];
  }
  for (; i < c; i++) s0 += (double)z[i];
  return (s0 + s1) + (s2 + s3);
}

/* ---------------------------------------------------------------------------------------------
 * Double precision (docs/NUMERICS.md, "Double precision"). The portable tier evaluates exactly the
 * steps of the vector tiers, with separate multiply and add where they use an FMA: every product
 * of the reduction is exact (LN2_HI has 36 bits), the Horner steps round twice instead of once.
 * ------------------------------------------------------------------------------------------- */

/* The exact product x*s = hi + lo for a general scale: hi = fl(x*s), lo = fma(x, s, -hi) (the C99
 * fma: the hardware instruction through glibc's ifunc where the CPU has one, correct everywhere),
 * lo clamped to [-LO_MAX, LO_MAX] with NaN -> -LO_MAX (see S4J_F64_LO_MAX). With s == 1 (scaled == 0)
 * it is hi = x, lo = 0. */
S4J_INLINE double s4j_f64_scalar_mul(double x, double s, double* lo, const int scaled) {
  if (!scaled) {
    *lo = 0.0;
    return x;
  }
  const double hi = x * s;
  double l = fma(x, s, -hi);
  l = (l > -S4J_F64_LO_MAX) ? l : -S4J_F64_LO_MAX;
  *lo = (l < S4J_F64_LO_MAX) ? l : S4J_F64_LO_MAX;
  return hi;
}

/* exp(hi + lo) = p * 2^n for |lo| <= 2^-30; returns p, writes n. */
static inline double s4j_f64_scalar_exp_pn(double hi, double lo, double* n_out) {
  /* Clamp below at X_LO, written as maxsd(X_LO, hi): a NaN compares false and passes through. */
  hi = (S4J_F64_X_LO > hi) ? S4J_F64_X_LO : hi;
  /* n = rint(hi * log2(e)) by the magic-number trick (exact rint for |v| < 2^51). */
  const double n = (hi * S4J_F64_LOG2E + S4J_F64_RINT_MAGIC) - S4J_F64_RINT_MAGIC;
  /* Cody-Waite: hi - n*LN2_HI is exact (exact product, exact difference); the small rest
   * lo - n*LN2_LO (|.| <= 2^-19) rounds at 2^-72, and t = t1 + c rounds once (<= 2^-55 absolute). */
  const double t1 = hi - n * S4J_F64_LN2_HI;
  const double c = lo - n * S4J_F64_LN2_LO;
  const double t = t1 + c;
  /* p = exp(t) on [-ln2/2, ln2/2]: Taylor degree 13 by Horner. */
  double q = S4J_F64_C13 * t + S4J_F64_C12;
  q = q * t + S4J_F64_C11;
  q = q * t + S4J_F64_C10;
  q = q * t + S4J_F64_C9;
  q = q * t + S4J_F64_C8;
  q = q * t + S4J_F64_C7;
  q = q * t + S4J_F64_C6;
  q = q * t + S4J_F64_C5;
  q = q * t + S4J_F64_C4;
  q = q * t + S4J_F64_C3;
  q = q * t + S4J_F64_C2;
  q = q * t + 1.0;
  *n_out = n;
  return q * t + 1.0;
}

/* 2^max(k, -1023) for integral k <= 1023, built in the exponent field; k = -1023 gives +0.0, and so
 * does a NaN k (maxsd semantics), so NaN * 2^k stays NaN. */
static inline double s4j_f64_scalar_exp2(double k) {
  k = (k > S4J_F64_K_MIN) ? k : S4J_F64_K_MIN;
  const double biased = k + S4J_F64_EXP2_MAGIC;
  uint64_t bits;
  memcpy(&bits, &biased, sizeof bits);
  bits <<= 52;
  double r;
  memcpy(&r, &bits, sizeof r);
  return r;
}

/* Chunk length of the f64 scalar kernels (a branch-free map into a local buffer, then a short pass). */
#define S4J_F64_SCALAR_CHUNK 32

/* z[i] = p * 2^(n - e) for exp(x[i] * s) = p * 2^n: exp relative to 2^e, an exact scaling. */
S4J_INLINE void s4j_f64_scalar_expscaled_chunk(size_t c, const double* x, double s, double e, double* z,
                                               const int scaled) {
  for (size_t i = 0; i < c; i++) {
    double lo, ni;
    const double hi = s4j_f64_scalar_mul(x[i], s, &lo, scaled);
    const double pi = s4j_f64_scalar_exp_pn(hi, lo, &ni);
    z[i] = pi * s4j_f64_scalar_exp2(ni - e);
  }
}

/* Compensated sum of z[0..c) into four (s, c) lane pairs (2Sum per term: exact to ~2^-104). */
static inline void s4j_f64_scalar_sum_chunk(size_t c, const double* z, double* vs, double* vc) {
  size_t i = 0;
  for (; i + 4 <= c; i += 4) {
    for (int j = 0; j < 4; j++) {
      double e;
      vs[j] = s4j_two_sum(vs[j], z[i + j], &e);
      vc[j] += e;
    }
  }
  for (; i < c; i++) {
    double e;
    vs[0] = s4j_two_sum(vs[0], z[i], &e);
    vc[0] += e;
  }
}

#endif /* S4J_SCALAR_H */
