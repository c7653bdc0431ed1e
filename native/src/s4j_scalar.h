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

/* fma(a, b, c) for floats. Where the target has a fast fmaf (FP_FAST_FMAF: aarch64, x86 built with
 * FMA, ...) it is used. Otherwise (baseline x86-64, where fmaf is a libm call costing several ns)
 * the FMA is evaluated in double: a*b is exact in double (48 significant bits), so the only
 * difference from a true fmaf is the double rounding of the sum (double, then float), which can
 * move a result by one float ULP when it lands exactly on a float tie: probability ~2^-29 per
 * operation, well inside the error budget. The exact-by-construction Cody-Waite step stays exact. */
static inline float s4j_fmaf(float a, float b, float c) {
#if defined(FP_FAST_FMAF)
  return fmaf(a, b, c);
#else
  return (float)((double)a * (double)b + (double)c);
#endif
}

/* exp(x) = p * 2^n (NUMERICS.md); returns p, writes n. */
static inline float s4j_scalar_exp_pn(float x, float* n_out) {
  /* Clamp below at X_LO; a NaN compares false and passes through, -Inf becomes X_LO. */
  x = (x < S4J_X_LO) ? S4J_X_LO : x;
  /* n = rint(x * log2(e)) by the magic-number trick (exact rint for |v| < 2^22; larger v only occur
   * for x > 2.9e6, whose n still exceeds E_HI, so the fast-path check rejects them all the same). */
  const float n = (x * S4J_LOG2E + S4J_RINT_MAGIC) - S4J_RINT_MAGIC;
  /* Cody-Waite range reduction t = x - n*ln2: the first FMA is exact for |x| <= 65536. */
  float t = s4j_fmaf(n, -S4J_LN2_HI, x);
  t = s4j_fmaf(n, -S4J_LN2_LO, t);
  /* p = exp(t) on [-ln2/2, ln2/2]: degree-6 minimax polynomial by Horner with FMA. */
  float p = s4j_fmaf(S4J_C6, t, S4J_C5);
  p = s4j_fmaf(p, t, S4J_C4);
  p = s4j_fmaf(p, t, S4J_C3);
  p = s4j_fmaf(p, t, S4J_C2);
  p = s4j_fmaf(p, t, S4J_C1);
  p = s4j_fmaf(p, t, 1.0f);
  *n_out = n;
  return p;
}

/* 2^max(k, -127) for integral k <= 127, built in the exponent field; k = -127 gives +0.0.
 * A NaN k gives +0.0 too (so NaN * 2^k stays NaN: NaN sticks), as with x86 max_ps(k, -127). */
static inline float s4j_scalar_exp2(float k) {
  k = (k >= S4J_K_MIN) ? k : S4J_K_MIN;
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

/* Two-pass accumulation step for one (m, e) pair: e' = max(e, n); m = m*2^(e - e') + p*2^(n - e').
 * A NaN n leaves e unchanged and makes m NaN for good.
 * m is a double here (the vector tiers keep fp32 lanes): a scalar loop with 4 accumulators adds up
 * to 1024 terms per accumulator in a 4096-element block, and in fp32 that alone cost up to 11 ULP
 * at large n (measured); the vector tiers add at most 128 terms per lane. Both scalings by powers
 * of two (built in fp32, 2^-127 -> 0) stay exact in double; double adds cost the same as float. */
static inline void s4j_scalar_accumulate(double* m, float* e, float p, float n) {
  const float emax = (n > *e) ? n : *e;
  *m = *m * (double)s4j_scalar_exp2(*e - emax) + (double)(p * s4j_scalar_exp2(n - emax));
  *e = emax;
}

#endif /* S4J_SCALAR_H */
