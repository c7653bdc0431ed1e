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

#endif /* S4J_SCALAR_H */
