/*
 * Double-double helpers of the f64 kernels and driver (docs/NUMERICS.md, "Double precision"):
 * error-free sums (Knuth's 2Sum, Dekker's Fast2Sum) and the lane reduction of compensated
 * accumulators. Plain C, no ISA flags: included by every tier and by the driver. Private header.
 */
#ifndef S4J_DD_H
#define S4J_DD_H

#include <math.h>
#include <stddef.h>

/* Inlining is forced where a kernel specializes one body for s == 1 and for a general scale s by
 * passing a constant flag: both copies must be compiled with the flag folded. */
#if defined(_MSC_VER)
#define S4J_INLINE static __forceinline
#else
#define S4J_INLINE static inline __attribute__((always_inline))
#endif

/* 2Sum (Knuth): s + e == a + b exactly, s = fl(a + b), for any a, b (no overflow). */
static inline double s4j_two_sum(double a, double b, double* e) {
  const double s = a + b;
  const double bp = s - a;
  *e = (a - (s - bp)) + (b - bp);
  return s;
}

/* Fast2Sum (Dekker): s + e == a + b exactly when |a| >= |b| (or a == 0). */
static inline double s4j_fast_two_sum(double a, double b, double* e) {
  const double s = a + b;
  *e = b - (s - a);
  return s;
}

/* Whether s4j_two_prod's split of x * s = p can be used: every operand and the product below 2^995 (above, the
 * split overflows). Infinities and NaN are outside. */
static inline int s4j_dekker_range(double x, double s, double p) {
  return fabs(x) < 0x1p995 && fabs(s) < 0x1p995 && fabs(p) < 0x1p995;
}

/* x*s = p + *e exactly, without the C library's fma() (Dekker's product with Veltkamp's split): the driver is
 * compiled without ISA flags and the portable tier without FMA, where fma() is a library call, and mingw-w64's
 * fma() is not correctly rounded (fma(0x1.1f3b7d79edc73p+2, 0.7, -28 * LN2_HI) comes out 0.87 ULP off; measured
 * under Wine, and it took the f64 log-softmax past its bound). Operands from 2^995 up (the split would
 * overflow): *e = 0, so p is fl(x*s). Written without a branch, so loops over it still vectorize. */
static inline double s4j_two_prod(double x, double s, double* e) {
  const double p = x * s;
  const double split = 0x1p27 + 1.0;
  double t = split * x;
  const double xh = t - (t - x), xl = x - xh;
  t = split * s;
  const double sh = t - (t - s), sl = s - sh;
  const double pe = ((xh * sh - p) + xh * sl + xl * sh) + xl * sl;
  *e = s4j_dekker_range(x, s, p) ? pe : 0.0;
  return p;
}

/* z * (hi + lo) for a double-double factor, without fma(): z * hi exactly (s4j_two_prod), then its rest plus
 * z * lo added to it, so the final addition is the only rounding of the result's size (a row whose mass is one
 * term gives exactly 1; z * hi + z * lo, which rounds the product first, gave 1 - 2^-53). z * hi below 2^995. */
static inline double s4j_dd_mul(double z, double hi, double lo) {
  double e;
  const double p = s4j_two_prod(z, hi, &e);
  return p + (e + z * lo);
}

/* x*s - h rounded once (to within ~2^-104 relative of that): x*s = p + pe exactly (s4j_two_prod), 2Sum gives
 * p - h = d + de exactly. Operands from 2^995 up and infinities: fl(x*s) - h (2Sum's rest of an infinity is NaN),
 * up to half an ulp of x*s off: callers whose scale can take finite products there use fma() instead
 * (softmax_f64.c; a library call here would keep the loop from vectorizing). */
static inline double s4j_mul_sub(double x, double s, double h) {
  double pe, de;
  const double p = s4j_two_prod(x, s, &pe);
  if (!s4j_dekker_range(x, s, p)) return p - h;
  const double d = s4j_two_sum(p, -h, &de);
  return d + (de + pe);
}

/* (hi, lo) += (bh, bl) for non-negative double-doubles (no cancellation): relative error ~2^-104. */
static inline void s4j_dd_add(double* hi, double* lo, double bh, double bl) {
  double e;
  const double s = s4j_two_sum(*hi, bh, &e);
  e += *lo + bl;
  *hi = s4j_fast_two_sum(s, e, lo);
}

/* Sum of k compensated lanes (s[i] + c[i]) as a double-double: returns hi, writes lo. */
static inline double s4j_dd_sum_lanes(const double* s, const double* c, size_t k, double* lo) {
  double hi = 0.0;
  *lo = 0.0;
  for (size_t i = 0; i < k; i++) s4j_dd_add(&hi, lo, s[i], c[i]);
  return hi;
}

/* The f64 kernels' names from their layer's name parts (src/f64/s4j_f64_<op>.c): a ## isa ## mid ## unroll ## rest. */
#define S4J_DNAME_(a, isa, mid, unroll, rest) a##isa##mid##unroll##rest
#define S4J_DNAME(a, isa, mid, unroll, rest) S4J_DNAME_(a, isa, mid, unroll, rest)

#endif /* S4J_DD_H */
