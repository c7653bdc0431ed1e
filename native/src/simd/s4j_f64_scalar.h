/*
 * Portable C building blocks of the f64 scalar kernels (docs/NUMERICS.md, "Double precision"). Private
 * header.
 */
#ifndef S4J_F64_SCALAR_H
#define S4J_F64_SCALAR_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "constants.h"
#include "s4j_dd.h"

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

#endif /* S4J_F64_SCALAR_H */
