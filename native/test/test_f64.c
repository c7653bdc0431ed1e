/*
 * Conformance of the double-precision rows entry (s4j_f64_rows_at: softmax, log-softmax, log-sum-exp) of
 * every runnable ISA tier and algorithm against a reference in long double (x87 extended, 64-bit
 * significand; the differences z - z_max are formed in it from the double inputs and summed with
 * 2Sum, so the reference is good to ~2^-60 relative): awkward sizes, distributions (incl. where
 * double exp overflows and an adversarial one for the sums), scales 1, 0.7 and 1/0.3, out of
 * place / in place / offsets, and the special values of the softmax4j.h contract.
 *
 * Environment: S4J_TEST_SEED=<n> reruns with another seed; S4J_REQUIRE_ISA=avx2|avx512 fails when
 * that tier cannot run; S4J_TEST_QUICK=1 skips the largest sizes (used for emulated tiers).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s4j_test_util.h"
#include "softmax4j.h"

#if LDBL_MANT_DIG < 64
#error "test_f64 needs a long double with at least 64 significand bits (x87 extended or binary128)"
#endif

static uint64_t g_seed = UINT64_C(0x5EED50F7A4A40064);
static double g_max_ulp[S4J_ISA_COUNT][S4J_ALGO_COUNT];
static double g_lse_max_err[S4J_ISA_COUNT];

static double g_log_max_err = 0.0; /* log-softmax: |y - ref| / (2^-52 |ref| + 2^-50), worst seen */

static const double g_scales[3] = {1.0, 0.7, 1.0 / 0.3};

/* One vector through the rows entry. */
static int softmax_at(int isa, int algo, int flags, double s, const double* x, int64_t xo, double* y, int64_t yo,
                      int64_t n) {
  return s4j_f64_rows_at(isa, S4J_OP_SOFTMAX, algo, flags, s, x, xo, n, y, yo, n, 1, n, NULL, 0);
}

static int log_softmax_at(int isa, int flags, double s, const double* x, double* y, int64_t n, double* lse) {
  return s4j_f64_rows_at(isa, S4J_OP_LOG_SOFTMAX, 0, flags, s, x, 0, n, y, 0, n, 1, n, lse, 0);
}

static int logsumexp_at(int isa, double s, const double* x, int64_t xo, int64_t n, double* out) {
  return s4j_f64_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, s, x, xo, n, NULL, 0, n, 1, n, out, 0);
}

/* x' = x * sign(s), s' = |s| (the folding of the driver's exact path). */
static long double ref_fold(double x, double s) { return s < 0 ? -(long double)x : (long double)x; }

/* Reference softmax of z = x*s (finite s != 0): d = (x' - x'_max) * s' in long double, 2Sum of exp(d). */
static void reference(const double* x, size_t n, double s, long double* ref, long double* lse) {
  long double xmax = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const long double v = ref_fold(x[i], s);
    xmax = v > xmax ? v : xmax;
  }
  const long double sp = fabsl((long double)s);
  long double sum = 0.0L, comp = 0.0L;
  for (size_t i = 0; i < n; i++) {
    const long double v = ref_fold(x[i], s);
    const long double w = (v == -INFINITY) ? 0.0L : expl((v - xmax) * sp);
    ref[i] = w;
    const long double t = sum + w, bp = t - sum;
    comp += (sum - (t - bp)) + (w - bp);
    sum = t;
  }
  sum += comp;
  for (size_t i = 0; i < n; i++) ref[i] /= sum;
  if (lse != NULL) *lse = xmax * sp + logl(sum);
}

/* Reference log-softmax of z = x*s (finite s != 0): (x' - x'_max) * s' - log(sum) in long double. */
static void reference_log(const double* x, size_t n, double s, long double* ref) {
  long double xmax = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const long double v = ref_fold(x[i], s);
    xmax = v > xmax ? v : xmax;
  }
  const long double sp = fabsl((long double)s);
  long double sum = 0.0L, comp = 0.0L; /* 2Sum, as in reference() */
  for (size_t i = 0; i < n; i++) {
    const long double v = ref_fold(x[i], s);
    const long double w = (v == -INFINITY) ? 0.0L : expl((v - xmax) * sp);
    const long double t = sum + w, bp = t - sum;
    comp += (sum - (t - bp)) + (w - bp);
    sum = t;
  }
  const long double ls = logl(sum + comp);
  for (size_t i = 0; i < n; i++) {
    const long double v = ref_fold(x[i], s);
    ref[i] = (v == -INFINITY) ? -INFINITY : (v - xmax) * sp - ls;
  }
}

/* Log-softmax within 2^-52 |ref| + 2^-50 absolute (softmax4j.h); -Inf exactly where ref is -Inf. */
static void check_log(const double* y, const long double* ref, size_t n, const char* what) {
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    int ok;
    if (isinf(ref[i])) {
      ok = y[i] == (double)ref[i];
    } else {
      const double err = isfinite(y[i]) ? (double)(fabsl((long double)y[i] - ref[i]) /
                                                   (ldexpl(fabsl(ref[i]), -52) + ldexpl(1.0L, -50)))
                                        : 1e9;
      if (err > g_log_max_err) g_log_max_err = err;
      ok = err <= 1.0;
    }
    if (!ok && bad++ == 0) {
      CHECK(0, "%s: log-softmax n=%zu i=%zu y=%.17g ref=%.20Lg seed=0x%016llx", what, n, i, y[i], ref[i],
            (unsigned long long)g_seed);
    }
  }
  if (bad == 0) CHECK(1, "ok");
}

/* Error of y in double ULPs at ref (ref >= DBL_MIN), or -1 when y is not finite. */
static double ulp_error(double y, long double ref) {
  if (!isfinite(y)) return -1.0;
  int ex;
  frexpl(ref, &ex); /* ref = f * 2^ex, f in [0.5, 1): the double ULP there is 2^(ex - 53) */
  return (double)(fabsl((long double)y - ref) / ldexpl(1.0L, ex - 53));
}

static size_t check_output(const double* y, const long double* ref, size_t n, double* max_ulp, const char* what,
                           const double* x) {
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    int ok;
    double err = 0.0;
    if (ref[i] >= (long double)DBL_MIN) {
      err = ulp_error(y[i], ref[i]);
      ok = err >= 0.0 && err <= 4.0;
      if (err > *max_ulp) *max_ulp = err;
    } else {
      ok = isfinite(y[i]) && fabsl((long double)y[i] - ref[i]) <= (long double)DBL_MIN;
    }
    if (!ok) {
      if (bad == 0) {
        CHECK(0, "%s: n=%zu i=%zu x=%.17g y=%.17g ref=%.20Lg err=%.3f ULP seed=0x%016llx", what, n, i, x[i], y[i],
              ref[i], err, (unsigned long long)g_seed);
      }
      bad++;
    }
  }
  if (bad == 0) CHECK(1, "ok");
  return bad;
}

/* lse within 4 ULP when |lse| >= 1, else within 4 * 2^-52 absolute. */
static void check_lse(double got, long double ref, int isa, const char* what, size_t n) {
  double err;
  if (fabsl(ref) >= 1.0L) {
    err = ulp_error(got, ref);
  } else {
    err = isfinite(got) ? (double)(fabsl((long double)got - ref) / ldexpl(1.0L, -52)) : -1.0;
  }
  if (err > g_lse_max_err[isa]) g_lse_max_err[isa] = err;
  CHECK(err >= 0.0 && err <= 4.0, "%s: lse n=%zu got=%.17g ref=%.20Lg err=%.3f seed=0x%016llx", what, n, got, ref, err,
        (unsigned long long)g_seed);
}

enum { DIST_NORMAL, DIST_UNIFORM100, DIST_OVERFLOW, DIST_LOGITS, DIST_ADVERSARIAL, DIST_HUGE, DIST_COUNT };
static const char* const dist_names[DIST_COUNT] = {"N(0,1)",         "U(-100,100)",          "U(700,720)",
                                                   "logits+outliers", "adversarial 1 + small", "U(-1e300,1e300)"};

static void generate(int dist, double* x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (dist) {
      case DIST_NORMAL: x[i] = s4j_rng_normal(); break;
      case DIST_UNIFORM100: x[i] = -100.0 + 200.0 * s4j_rng_uniform(); break;
      case DIST_OVERFLOW: x[i] = 700.0 + 20.0 * s4j_rng_uniform(); break;
      case DIST_LOGITS: x[i] = 3.0 * s4j_rng_normal(); break;
      /* every small term is 0.75 ULP of the large one: plain lane sums round each addition the same way */
      case DIST_ADVERSARIAL: x[i] = log(0.75 * 0x1.0p-52); break;
      default: x[i] = (s4j_rng_uniform() * 2.0 - 1.0) * 1e300; break;
    }
  }
  if (n == 0) return;
  if (dist == DIST_LOGITS) {
    for (size_t k = 0; k < 1 + n / 1000; k++) x[s4j_rng_next() % n] = 30.0 + s4j_rng_normal();
  } else if (dist == DIST_ADVERSARIAL) {
    x[s4j_rng_next() % n] = 0.0;
  } else if (dist == DIST_HUGE) {
    x[s4j_rng_next() % n] = 1e300; /* a second term close to the max: x' - max stays meaningful */
    x[s4j_rng_next() % n] = 1e300 - 0x1p950;
  }
}

static void run_case(size_t n, int dist, int big, double* x, double* xcopy, double* y, double* buf, long double* ref) {
  char what[200];
  for (int si = 0; si < 3; si++) {
    const double s = g_scales[si];
    s4j_rng_state = g_seed ^ ((uint64_t)n * 131 + (uint64_t)dist * 7 + (uint64_t)si);
    generate(dist, x, n);
    long double lse_ref = 0.0L;
    reference(x, n, s, ref, &lse_ref);
    memcpy(xcopy, x, n * sizeof(double));
    for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
      if (!s4j_isa_supported(isa)) continue;
      for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
        if (big && algo == S4J_ALGO_THREE_PASS_RECOMPUTE) continue;
        double* mu = &g_max_ulp[isa][algo];
        snprintf(what, sizeof what, "%s/%s/s=%.4g/out-of-place/%s", s4j_isa_name(isa), s4j_algo_names[algo], s,
                 dist_names[dist]);
        for (size_t i = 0; i < n; i++) y[i] = 12345.0;
        int rc = softmax_at(isa, algo, 0, s, x, 0, y, 0, (int64_t)n);
        CHECK(rc == S4J_OK, "%s: rc=%d", what, rc);
        check_output(y, ref, n, mu, what, x);
        CHECK(memcmp(x, xcopy, n * sizeof(double)) == 0, "%s: input modified", what);

        snprintf(what, sizeof what, "%s/%s/s=%.4g/in-place/%s", s4j_isa_name(isa), s4j_algo_names[algo], s,
                 dist_names[dist]);
        memcpy(buf, x, n * sizeof(double));
        rc = softmax_at(isa, algo, 0, s, buf, 0, buf, 0, (int64_t)n);
        CHECK(rc == S4J_OK, "%s: rc=%d", what, rc);
        check_output(buf, ref, n, mu, what, x);

        if (big) continue;
        /* offsets (x at 3, y at 5), sentinels around y */
        const int64_t xo = 3, yo = 5;
        memcpy(buf + xo, x, n * sizeof(double));
        for (size_t i = 0; i < n + 10; i++) y[i] = -7.0;
        snprintf(what, sizeof what, "%s/%s/s=%.4g/offsets/%s", s4j_isa_name(isa), s4j_algo_names[algo], s,
                 dist_names[dist]);
        rc = softmax_at(isa, algo, 0, s, buf, xo, y, yo, (int64_t)n);
        CHECK(rc == S4J_OK, "%s: rc=%d", what, rc);
        check_output(y + yo, ref, n, mu, what, x);
        int sentinels = 1;
        for (size_t i = 0; i < (size_t)yo; i++) sentinels &= y[i] == -7.0;
        for (size_t i = n + (size_t)yo; i < n + 10; i++) sentinels &= y[i] == -7.0;
        CHECK(sentinels, "%s: wrote outside y[yo, yo+n) (n=%zu)", what, n);
      }
      if (n > 0) {
        double out = 0.0;
        snprintf(what, sizeof what, "%s/logsumexp/s=%.4g/%s", s4j_isa_name(isa), s, dist_names[dist]);
        CHECK(logsumexp_at(isa, s, x, 0, (int64_t)n, &out) == S4J_OK, "%s rc", what);
        check_lse(out, lse_ref, isa, what, n);
        /* log-softmax with its lse (S4J_FLAG_LSE), out of place and in place */
        snprintf(what, sizeof what, "%s/log-softmax/s=%.4g/%s", s4j_isa_name(isa), s, dist_names[dist]);
        reference_log(x, n, s, ref);
        double lse2 = 0.0;
        CHECK(log_softmax_at(isa, S4J_FLAG_LSE, s, x, y, (int64_t)n, &lse2) == S4J_OK, "%s rc", what);
        check_log(y, ref, n, what);
        CHECK(lse2 == out, "%s: its lse %.17g != log-sum-exp %.17g", what, lse2, out);
        memcpy(buf, x, n * sizeof(double));
        CHECK(log_softmax_at(isa, 0, s, buf, buf, (int64_t)n, NULL) == S4J_OK, "%s in place rc", what);
        CHECK(memcmp(buf, y, n * sizeof(double)) == 0, "%s: in place differs", what);
        CHECK(memcmp(x, xcopy, n * sizeof(double)) == 0, "%s: input modified", what);
        /* softmax's lse (S4J_FLAG_LSE) on every algorithm, within the lse bound */
        for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
          double lse3 = 0.0;
          CHECK(s4j_f64_rows_at(isa, S4J_OP_SOFTMAX, algo, S4J_FLAG_LSE, s, x, 0, (int64_t)n, y, 0, (int64_t)n, 1,
                                (int64_t)n, &lse3, 0) == S4J_OK, "%s softmax+lse rc", what);
          check_lse(lse3, lse_ref, isa, what, n);
        }
        reference(x, n, s, ref, NULL); /* the softmax reference again, for the next tier */
      }
    }
  }
}

static int all_equal(const double* y, size_t n, double v) {
  for (size_t i = 0; i < n; i++) {
    if (v != v ? y[i] == y[i] : y[i] != v) return 0;
  }
  return 1;
}

/* Scales through the C API that no Java caller can pass (|s| from 2^995 up): the exact path's distance
 * (2s' overflowed at 2^1023: 0 * Inf gave NaN outputs) and the fast path's x*s - h outside Dekker's range. */
static void huge_scales(void) {
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    const double x[2] = {1.0, 0.5};
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      double y[2] = {-1.0, -1.0};
      CHECK(softmax_at(isa, algo, 0, 0x1p1023, x, 0, y, 0, 2) == S4J_OK && y[0] == 1.0 && y[1] == 0.0,
            "%s/%s softmax at s = 2^1023: {%g, %g}, want {1, 0}", s4j_isa_name(isa), s4j_algo_names[algo], y[0], y[1]);
    }
    double y[2] = {-1.0, -1.0}, lse = 0.0;
    CHECK(log_softmax_at(isa, S4J_FLAG_LSE, 0x1p1023, x, y, 2, &lse) == S4J_OK && y[0] == 0.0 && y[1] == -0x1p1022 &&
              lse == 0x1p1023,
          "%s log-softmax at s = 2^1023: {%g, %g}, lse %g, want {0, -2^1022}, 2^1023", s4j_isa_name(isa), y[0], y[1],
          lse);
    CHECK(logsumexp_at(isa, 0x1p1023, x, 0, 2, &lse) == S4J_OK && lse == 0x1p1023,
          "%s log-sum-exp at s = 2^1023: %g", s4j_isa_name(isa), lse);
    /* the fast path (z = x*s within 65536) with s = 1e300: z = {32767, 32767.5} up to x's rounding */
    const double t[2] = {32767.0 / 1e300, 32767.5 / 1e300};
    /* relative to the top: t[i] - t[1] is exact in double, one long-double rounding after it (z_i - z_max) */
    long double d[2], ref[2];
    for (int i = 0; i < 2; i++) d[i] = (long double)(t[i] - t[1]) * 1e300L;
    const long double l = logl(expl(d[0]) + expl(d[1]));
    for (int i = 0; i < 2; i++) ref[i] = d[i] - l;
    CHECK(log_softmax_at(isa, 0, 1e300, t, y, 2, &lse) == S4J_OK, "%s log-softmax at s = 1e300: rc", s4j_isa_name(isa));
    for (int i = 0; i < 2; i++) {
      const double err = fabsl((long double)y[i] - ref[i]) / (0x1p-52L * fabsl(ref[i]) + 0x1p-50L);
      CHECK(err <= 1.0, "%s log-softmax at s = 1e300: y[%d] = %.17g, ref %.17Lg (%.2f of the bound)", s4j_isa_name(isa),
            i, y[i], ref[i], err);
    }
  }
}

static void special_values(void) {
  static const size_t sizes[] = {1, 2, 7, 8, 17, 33, 64, 65, 1000, 5000};
  double* x = malloc(5000 * sizeof(double));
  double* y = malloc(5000 * sizeof(double));
  long double* ref = malloc(5000 * sizeof(long double));
  char what[160];
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      double* mu = &g_max_ulp[isa][algo];
      for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const size_t n = sizes[si];
        const size_t positions[3] = {0, n / 2, n - 1};
        for (int pi = 0; pi < 3; pi++) {
          for (int kind = 0; kind < 3; kind++) {
            for (int sc = 0; sc < 2; sc++) {
              const double s = sc ? 0.7 : 1.0;
              s4j_rng_state = g_seed + n * 7 + positions[pi];
              for (size_t i = 0; i < n; i++) x[i] = s4j_rng_normal();
              x[positions[pi]] = kind == 0 ? NAN : kind == 1 ? INFINITY : -INFINITY;
              snprintf(what, sizeof what, "%s/%s special kind=%d n=%zu pos=%zu s=%g", s4j_isa_name(isa),
                       s4j_algo_names[algo], kind, n, positions[pi], s);
              double lse = 0.0;
              CHECK(logsumexp_at(isa, s, x, 0, (int64_t)n, &lse) == S4J_OK, "%s: lse rc", what);
              if (kind == 2) {
                long double lse_ref;
                reference(x, n, s, ref, &lse_ref);
                if (n > 1) check_lse(lse, lse_ref, isa, what, n);
                CHECK(softmax_at(isa, algo, 0, s, x, 0, x, 0, (int64_t)n) == S4J_OK, "%s: rc", what);
                if (n == 1) {
                  CHECK(isnan(x[0]), "%s: all -Inf must give NaN", what);
                  CHECK(lse == -INFINITY, "%s: all -Inf lse must be -Inf, got %g", what, lse);
                } else {
                  CHECK(x[positions[pi]] == 0.0, "%s: -Inf must give 0", what);
                  check_output(x, ref, n, mu, what, x);
                }
                if (algo == 0) { /* log-softmax: -Inf stays -Inf, the others against the reference */
                  x[positions[pi]] = -INFINITY;
                  reference_log(x, n, s, ref);
                  if (n > 1) {
                    CHECK(log_softmax_at(isa, 0, s, x, y, (int64_t)n, NULL) == S4J_OK, "%s: log rc", what);
                    check_log(y, ref, n, what);
                  }
                }
              } else {
                CHECK(kind == 0 ? isnan(lse) : lse == INFINITY, "%s: lse %g", what, lse);
                CHECK(log_softmax_at(isa, 0, s, x, y, (int64_t)n, NULL) == S4J_OK && all_equal(y, n, NAN),
                      "%s: log-softmax expected all NaN", what);
                CHECK(softmax_at(isa, algo, 0, s, x, 0, y, 0, (int64_t)n) == S4J_OK && all_equal(y, n, NAN),
                      "%s: expected all NaN", what);
              }
            }
          }
        }
        /* all -Inf: NaN, or 0 with S4J_FLAG_SAFE; lse -Inf */
        for (size_t i = 0; i < n; i++) x[i] = -INFINITY;
        CHECK(softmax_at(isa, algo, 0, 1.0, x, 0, y, 0, (int64_t)n) == S4J_OK && all_equal(y, n, NAN),
              "%s/%s all -Inf n=%zu", s4j_isa_name(isa), s4j_algo_names[algo], n);
        CHECK(softmax_at(isa, algo, S4J_FLAG_SAFE, 0.7, x, 0, y, 0, (int64_t)n) == S4J_OK &&
                  all_equal(y, n, 0.0),
              "%s/%s all -Inf SAFE n=%zu", s4j_isa_name(isa), s4j_algo_names[algo], n);
        double lse = 0.0;
        CHECK(logsumexp_at(isa, 1.0, x, 0, (int64_t)n, &lse) == S4J_OK && lse == -INFINITY, "all -Inf lse");
        CHECK(log_softmax_at(isa, 0, 1.0, x, y, (int64_t)n, NULL) == S4J_OK && all_equal(y, n, NAN),
              "all -Inf log-softmax NaN");
        CHECK(log_softmax_at(isa, S4J_FLAG_SAFE, 1.0, x, y, (int64_t)n, NULL) == S4J_OK &&
                  all_equal(y, n, -INFINITY),
              "all -Inf SAFE log-softmax -Inf");
      }
      /* [-DBL_MAX, DBL_MAX] -> [0, 1], also with a scale that overflows the product */
      for (int sc = 0; sc < 3; sc++) {
        x[0] = -DBL_MAX;
        x[1] = DBL_MAX;
        CHECK(softmax_at(isa, algo, 0, g_scales[sc], x, 0, y, 0, 2) == S4J_OK && y[0] == 0.0 && y[1] == 1.0,
              "%s/%s [-DBL_MAX, DBL_MAX] s=%g -> [%g, %g]", s4j_isa_name(isa), s4j_algo_names[algo], g_scales[sc],
              y[0], y[1]);
      }
      /* log-softmax of an input whose difference to the maximum overflows while the scale brings it back
       * (the fuzz target SoftmaxFuzzTest#doubles found -Inf here for ~-1.8e305) */
      for (int sign = -1; sign <= 1; sign += 2) {
        x[0] = -DBL_MAX * sign;
        x[1] = 2e300 * sign;
        x[2] = 1e300 * sign;
        snprintf(what, sizeof what, "%s/%s [-DBL_MAX, 2e300, 1e300] s=%g", s4j_isa_name(isa), s4j_algo_names[algo],
                 0.001 * sign);
        reference_log(x, 3, 0.001 * sign, ref);
        CHECK(log_softmax_at(isa, 0, 0.001 * sign, x, y, 3, NULL) == S4J_OK, "%s log rc", what);
        CHECK(isfinite(y[0]) && isfinite(y[1]), "%s: log-softmax [%g, %g, %g]", what, y[0], y[1], y[2]);
        check_log(y, ref, 3, what);
        /* 8.53e307 against DBL_MAX: 2Sum's intermediate overflows (the difference rounds); y must stay finite */
        x[1] = 8.530234455389695e307 * sign;
        x[2] = DBL_MAX * sign;
        reference_log(x, 3, 0.001 * sign, ref);
        CHECK(log_softmax_at(isa, 0, 0.001 * sign, x, y, 3, NULL) == S4J_OK && isfinite(y[1]), "%s: 8.53e307 against"
              " DBL_MAX: log-softmax [%g, %g, %g]", what, y[0], y[1], y[2]);
        check_log(y, ref, 3, what);
        /* at s = 0.7 the scaled difference stays beyond the range: -Inf, not NaN */
        x[1] = 1.78e308 * sign;
        x[2] = 1e300 * sign;
        CHECK(log_softmax_at(isa, 0, 0.7 * sign, x, y, 3, NULL) == S4J_OK && y[0] == -INFINITY && y[1] == 0.0,
              "%s: at s=0.7 log-softmax [%g, %g, %g], want [-inf, 0, ...]", what, y[0], y[1], y[2]);
      }
      /* negative and zero scales; scale NaN / Inf */
      const double three[3] = {1.0, 2.0, 3.0};
      memcpy(x, three, sizeof three);
      reference(x, 3, -2.0, ref, NULL);
      CHECK(softmax_at(isa, algo, 0, -2.0, x, 0, y, 0, 3) == S4J_OK, "negative scale rc");
      check_output(y, ref, 3, mu, "negative scale", x);
      CHECK(softmax_at(isa, algo, 0, 0.0, x, 0, y, 0, 3) == S4J_OK && all_equal(y, 3, 1.0 / 3.0),
            "%s/%s scale 0 -> uniform", s4j_isa_name(isa), s4j_algo_names[algo]);
      CHECK(softmax_at(isa, algo, 0, NAN, x, 0, y, 0, 3) == S4J_OK && all_equal(y, 3, NAN), "scale NaN");
      CHECK(softmax_at(isa, algo, 0, INFINITY, x, 0, y, 0, 3) == S4J_OK && all_equal(y, 3, NAN), "scale Inf");
      /* big magnitudes on the exact path, against the reference, with every scale */
      for (int sc = 0; sc < 3; sc++) {
        for (size_t n = 1; n <= 300; n += 37) {
          s4j_rng_state = g_seed * 3 + n;
          for (size_t i = 0; i < n; i++) x[i] = 1e300 + s4j_rng_uniform() * 0x1p960;
          x[n - 1] = 1e300 + 0x1p960;
          snprintf(what, sizeof what, "%s/%s near 1e300 s=%g", s4j_isa_name(isa), s4j_algo_names[algo], g_scales[sc]);
          reference(x, n, g_scales[sc], ref, NULL);
          CHECK(softmax_at(isa, algo, 0, g_scales[sc], x, 0, y, 0, (int64_t)n) == S4J_OK, "%s rc", what);
          check_output(y, ref, n, mu, what, x);
          reference_log(x, n, g_scales[sc], ref); /* finite log-probabilities although z overflows */
          CHECK(log_softmax_at(isa, 0, g_scales[sc], x, y, (int64_t)n, NULL) == S4J_OK, "%s log rc", what);
          check_log(y, ref, n, what);
          /* just above the fast path's range: 65536 + small spread */
          for (size_t i = 0; i < n; i++) x[i] = 65537.0 + 40.0 * s4j_rng_uniform();
          snprintf(what, sizeof what, "%s/%s near 2^16 s=%g", s4j_isa_name(isa), s4j_algo_names[algo], g_scales[sc]);
          long double lse_ref;
          reference(x, n, g_scales[sc], ref, &lse_ref);
          CHECK(softmax_at(isa, algo, 0, g_scales[sc], x, 0, y, 0, (int64_t)n) == S4J_OK, "%s rc", what);
          check_output(y, ref, n, mu, what, x);
          double lse;
          CHECK(logsumexp_at(isa, g_scales[sc], x, 0, (int64_t)n, &lse) == S4J_OK, "%s lse rc", what);
          check_lse(lse, lse_ref, isa, what, n);
        }
      }
      /* n == 0 */
      y[0] = 42.0;
      CHECK(softmax_at(isa, algo, 0, 1.0, x, 0, y, 0, 0) == S4J_OK && y[0] == 42.0, "n == 0 no-op");
      CHECK(softmax_at(isa, algo, 0, 1.0, NULL, 0, NULL, 0, 0) == S4J_OK, "n == 0 with NULL");
    }
    double lse = 0.0;
    CHECK(logsumexp_at(isa, 1.0, NULL, 0, 0, &lse) == S4J_OK && lse == -INFINITY, "n == 0 lse");
    /* lse of [0]: exactly 0; of [a, a]: a + ln2 */
    x[0] = 0.0;
    CHECK(logsumexp_at(isa, 1.0, x, 0, 1, &lse) == S4J_OK && lse == 0.0, "lse [0] = %g", lse);
  }
  /* argument errors */
  CHECK(softmax_at(S4J_ISA_COUNT, 0, 0, 1.0, x, 0, y, 0, 1) == S4J_EINVAL, "bad isa");
  CHECK(softmax_at(0, S4J_ALGO_COUNT, 0, 1.0, x, 0, y, 0, 1) == S4J_EINVAL, "bad algo");
  CHECK(softmax_at(0, 0, 2, 1.0, x, 0, y, 0, 1) == S4J_EINVAL, "bad flags");
  CHECK(softmax_at(0, 0, 0, 1.0, x, -1, y, 0, 1) == S4J_EINVAL, "bad offset");
  CHECK(softmax_at(0, 0, 0, 1.0, x, 0, y, 0, -1) == S4J_EINVAL, "bad n");
  CHECK(logsumexp_at(-1, 1.0, x, 0, 1, y) == S4J_EINVAL, "lse bad isa");
  CHECK(logsumexp_at(0, 1.0, x, 0, -1, y) == S4J_EINVAL, "lse bad n");
  CHECK(logsumexp_at(0, 1.0, x, 0, 1, NULL) == S4J_EINVAL, "lse NULL");
  CHECK(s4j_f64_rows_at(0, S4J_OP_COUNT, 0, 0, 1.0, x, 0, 1, y, 0, 1, 1, 1, NULL, 0) == S4J_EINVAL, "bad op");
  CHECK(s4j_f64_rows_at(0, S4J_OP_SOFTMAX, 0, 0, 1.0, x, 0, -1, y, 0, 1, 2, 1, NULL, 0) == S4J_EINVAL, "bad stride");
  CHECK(s4j_f64_rows_at(0, S4J_OP_SOFTMAX, 0, 0, 1.0, x, 0, 1, y, 0, -1, 2, 1, NULL, 0) == S4J_EINVAL, "bad y stride");
  CHECK(s4j_f64_rows_at(0, S4J_OP_SOFTMAX, 0, 0, 1.0, x, 0, 1, NULL, 0, 1, 1, 1, NULL, 0) == S4J_EINVAL, "y NULL");
  CHECK(s4j_f64_rows_at(0, S4J_OP_SOFTMAX, 0, 0, 1.0, NULL, 0, 1, y, 0, 1, 1, 1, NULL, 0) == S4J_EINVAL, "x NULL");
  CHECK(s4j_f64_rows_at(0, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0, NULL, 0, 1, NULL, 0, 1, 0, 1, NULL, 0) == S4J_OK,
        "no rows, NULL lse");
  CHECK(s4j_f64_rows_at(0, S4J_OP_SOFTMAX, 0, 0, 1.0, x, 0, INT64_MAX / 2, y, 0, 1, 4, 1, NULL, 0) == S4J_EINVAL,
        "rows past int64");
  /* one row does not use its strides: any value */
  CHECK(s4j_f64_rows_at(0, S4J_OP_SOFTMAX, 0, 0, 1.0, x, 0, -1, y, 0, -5, 1, 1, NULL, 0) == S4J_OK && y[0] == 1.0,
        "one row, negative strides: %g", y[0]);
  /* rows: three rows of 5 with strides 7 and 6 against one call per row */
  {
    double xr[21], yr[18], y1[5], lr[3];
    for (int i = 0; i < 21; i++) xr[i] = 0.25 * i - 2.0;
    for (int op = 0; op < S4J_OP_COUNT; op++) {
      for (int i = 0; i < 18; i++) yr[i] = -7.0;
      CHECK(s4j_f64_rows_at(0, op, 0, S4J_FLAG_LSE, 0.7, xr, 0, 7, yr, 0, 6, 3, 5, lr, 0) == S4J_OK, "rows rc");
      for (int r = 0; r < 3; r++) {
        double l1;
        CHECK(s4j_f64_rows_at(0, op, 0, S4J_FLAG_LSE, 0.7, xr, 7 * r, 5, y1, 0, 5, 1, 5, &l1, 0) == S4J_OK, "row rc");
        CHECK(l1 == lr[r] && (op == S4J_OP_LOG_SUM_EXP || memcmp(y1, yr + 6 * r, sizeof y1) == 0),
              "op %d row %d differs from its own call", op, r);
        CHECK(yr[6 * r + 5] == -7.0 || r == 2 || op == S4J_OP_LOG_SUM_EXP ? 1 : 0, "op %d wrote between rows", op);
      }
    }
  }
  free(x);
  free(y);
  free(ref);
}

int main(void) {
  const char* seed_env = getenv("S4J_TEST_SEED");
  if (seed_env != NULL) g_seed = strtoull(seed_env, NULL, 0);
  const int quick = getenv("S4J_TEST_QUICK") != NULL;
  printf("test_f64: seed=0x%016llx (set S4J_TEST_SEED to change), max isa=%s%s\n", (unsigned long long)g_seed,
         s4j_isa_name(s4j_cpu_max_isa()), quick ? " (quick)" : "");
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (s4j_tier_runnable(isa)) printf("running tier %s\n", s4j_isa_name(isa));
  }
  /* 0 .. 2W+1 for W = 16 (every tail of the 4- and 8-lane kernels and their 16/32-element loops),
   * primes, 1000/1001, the 4096 block edge, 65537, 1M. */
  size_t sizes[80];
  size_t count = 0;
  for (size_t n = 0; n <= 33; n++) sizes[count++] = n;
  const size_t more[] = {63, 64, 65, 97, 1000, 1001, 1009, 4095, 4096, 4097, 4099, 8193};
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) sizes[count++] = more[i];
  const size_t big = (size_t)1 << 20;
  const size_t cap = big + 16;
  double* x = malloc(cap * sizeof(double));
  double* xcopy = malloc(cap * sizeof(double));
  double* y = malloc(cap * sizeof(double));
  double* buf = malloc(cap * sizeof(double));
  long double* ref = malloc(cap * sizeof(long double));
  if (!x || !xcopy || !y || !buf || !ref) {
    fprintf(stderr, "out of memory\n");
    return 2;
  }
  for (size_t si = 0; si < count; si++) {
    for (int dist = 0; dist < DIST_COUNT; dist++) run_case(sizes[si], dist, 0, x, xcopy, y, buf, ref);
  }
  for (int dist = 0; dist < DIST_COUNT; dist++) run_case(65537, dist, 1, x, xcopy, y, buf, ref);
  if (!quick) {
    for (int dist = 0; dist < DIST_COUNT; dist++) run_case(big, dist, 1, x, xcopy, y, buf, ref);
  }
  free(x);
  free(xcopy);
  free(y);
  free(buf);
  free(ref);
  special_values();
  huge_scales();
  printf("max ULP error (softmax outputs >= DBL_MIN; lse: ULP, or units of 2^-52 when |lse| < 1):\n");
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      printf("  %-8s %-21s %.3f\n", s4j_isa_name(isa), s4j_algo_names[algo], g_max_ulp[isa][algo]);
    }
    printf("  %-8s %-21s %.3f\n", s4j_isa_name(isa), "logsumexp", g_lse_max_err[isa]);
  }
  printf("  log-softmax: worst |y - ref| / (2^-52 |ref| + 2^-50) = %.3f (bound 1)\n", g_log_max_err);
  if (s4j_failed != 0) printf("seed was 0x%016llx\n", (unsigned long long)g_seed);
  return s4j_report("test_f64");
}
