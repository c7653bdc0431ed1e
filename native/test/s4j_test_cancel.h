/* The store-pass helpers and the checks of the cancelling table (S4J_ROW_CANCEL; docs/NUMERICS.md, "Cancelling
 * table") shared by test_exp_exhaustive and test_exp_scaled: registry tests, with src/ on the include path. */
#ifndef S4J_TEST_CANCEL_H
#define S4J_TEST_CANCEL_H

#include "constants.h"
#include "kernels.h"
#include "s4j_test_util.h"

/* A store pass (raddstoreexp) over x[0 .. n) in calls of at most piece floats, into z (the sums unused). */
static inline void s4j_store_in_calls(s4j_f32_raddstoreexp_fn store, size_t n, size_t piece, const float* x, float* z,
                                      float s, float e, int tree) {
  for (size_t i = 0; i < n; i += piece) (void)store(n - i < piece ? n - i : piece, x + i, z + i, s, e, tree);
}

/* The floats whose bits differ between z and z2, the first printed when print. */
static inline uint64_t s4j_bits_differ(const char* what, int print, const float* x, const float* z, const float* z2,
                                       size_t n) {
  uint64_t differ = 0;
  for (size_t i = 0; i < n; i++) {
    if (memcmp(&z[i], &z2[i], sizeof(float)) != 0 && differ++ == 0 && print) {
      fprintf(stderr, "%s: x = %a gives %a and %a\n", what, (double)x[i], (double)z[i], (double)z2[i]);
    }
  }
  return differ;
}

/* The largest distance (units of 2^-24, relative) of the terms of a softmax row's store pass (S4J_ROW_CANCEL: the
 * cancelling table) from one common multiple, which the output's 1 / sum cancels (docs/NUMERICS.md, "Cancelling
 * table"); S4J_EXP_CANCEL_MAX_REL overrides. The output's budget is 2 x this + 1.52 ULP for n <= 4096 (bound 4). */
static inline double s4j_exp_cancel_max_rel(int isa) {
  const char* env = getenv("S4J_EXP_CANCEL_MAX_REL");
  if (env != NULL) return atof(env);
  switch (isa) {
    case S4J_ISA_AVX512: return 1.10; /* S4J_CANCEL_C16 without the rests: 1.0703 (1.0509 with temperatures) */
    case S4J_ISA_AVX2: return 1.10; /* S4J_CANCEL_C8 without the rests: 1.0707 (1.0586 with temperatures) */
    case S4J_ISA_NEON: return 1.10; /* the AVX2 tier's 8 entries and polynomial */
    default: return 1.05;           /* the portable tier (its rests, double): 1.0000 */
  }
}

/* The factor the cancelling table of a tier is built for (S4J_CANCEL_C; constants.h): its stored terms are
 * exp(x) times it, within their own errors. */
static inline double s4j_cancel_factor(int isa) {
  return isa == S4J_ISA_AVX512 ? S4J_CANCEL_C16 : isa == S4J_ISA_PORTABLE ? 1.0 : S4J_CANCEL_C8;
}

/* Checks the terms of a cancelling store pass, given the range [lo, hi] of their signed relative errors
 * (z - r) / r against r = exp (units of 2^-24, z without the bias) and the number of NaN terms met: the range sits
 * around the tier's factor (a kernel that ignored S4J_ROW_CANCEL would sit around 1), and every term is within
 * s4j_exp_cancel_max_rel of one common multiple M = 1 + mid x 2^-24, mid = (lo + hi) / 2: |z / r / M - 1| is at
 * most half the range DIVIDED BY M (the range is measured in units of r, not of the multiple: at a factor of 0.868
 * it reads 13% short). Returns that distance. */
static inline double s4j_check_cancel(const char* name, int isa, double lo, double hi, uint64_t nan_terms) {
  const double mid = 0.5 * (hi + lo), dist = 0.5 * (hi - lo) / (1.0 + mid * 0x1p-24);
  const double bound = s4j_exp_cancel_max_rel(isa), c = s4j_cancel_factor(isa);
  printf("%-8s %-42s relative error in [%.4f, %.4f] x 2^-24: within %.4f x 2^-24 of the multiple 1 + %.4f x 2^-24\n",
         s4j_isa_name(isa), name, lo, hi, dist, mid);
  CHECK(nan_terms == 0, "%s: %llu NaN terms", name, (unsigned long long)nan_terms);
  CHECK(lo <= hi, "%s: no term measured", name);
  CHECK(fabs(mid * 0x1p-24 - (c - 1.0)) < 0x1p-22,
        "%s: terms around 1 + %.4f x 2^-24: not the cancelling table's factor %.17g", name, mid, c);
  CHECK(dist <= bound, "%s: terms within %.4f x 2^-24 of a common multiple, > %.3f", name, dist, bound);
  return dist;
}

#endif /* S4J_TEST_CANCEL_H */
