/*
 * Conformance of every runnable ISA tier and every algorithm against a textbook double-precision
 * softmax: awkward sizes, several input distributions, out of place / in place / at offsets, and
 * the special values of the softmax4j.h contract.
 *
 * Environment: S4J_TEST_SEED=<n> reruns with another seed; S4J_REQUIRE_ISA=avx2|avx512 fails when
 * that tier cannot run; S4J_TEST_QUICK=1 skips the two largest sizes (used for emulated tiers).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s4j_test_util.h"
#include "softmax4j.h"

static uint64_t g_seed = UINT64_C(0x5EED50F7A4A40001);
static double g_max_ulp[S4J_ISA_COUNT][S4J_ALGO_COUNT];
static int g_ran[S4J_ISA_COUNT][S4J_ALGO_COUNT];

/* ------------------------------------------------------------------------------------------- */
/* The reference: max-subtracted softmax in double (test code only). -Inf gives exp(-Inf) = 0.  */
static void reference(const float* x, size_t n, double* ref) {
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) max = (double)x[i] > max ? (double)x[i] : max;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    ref[i] = exp((double)x[i] - max);
    sum += ref[i];
  }
  for (size_t i = 0; i < n; i++) ref[i] /= sum;
}

/* Error of y against ref in float ULPs at ref (ref >= FLT_MIN), or -1 when y is NaN/Inf. */
static double ulp_error(float y, double ref) {
  if (!isfinite(y)) return -1.0;
  int ex;
  frexp(ref, &ex); /* ref = f * 2^ex, f in [0.5, 1): the float ULP there is 2^(ex - 24) */
  return fabs((double)y - ref) / ldexp(1.0, ex - 24);
}

enum {
  DIST_NORMAL, DIST_UNIFORM100, DIST_OVERFLOW, DIST_LOGITS, DIST_LEVELS, DIST_STAIRS, DIST_HUGE_POS, DIST_HUGE_NEG,
  DIST_WIDE, DIST_COUNT
};
static const char* const dist_names[DIST_COUNT] = {
    "N(0,1)", "U(-100,100)", "U(89,100)", "logits N(0,3)+outliers", "levels 0/38/95", "stairs +4 per 65536",
    "U(65000,65536)", "U(-65536,-65000)", "U(-1e5,1e5)"};
/* The last three probe the fast-path range edges (and the exact path beyond); small sizes only. Levels and
 * stairs make the reload redo later blocks: the head ~0, 38 soon after it (a term ~2^55 relative to the head's
 * E, no redo), 95 in the last block; or every block of 65536 (the driver's) 4 above the one before. The
 * blocks before a redone one then end in a segment whose factor is far below 2^-126 while its outputs are
 * normal floats (29 ULP off before s4j_segment_scale). */
#define DIST_MAIN_COUNT 6

static void generate(int dist, float* x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    double v;
    switch (dist) {
      case DIST_NORMAL: v = s4j_rng_normal(); break;
      case DIST_UNIFORM100: v = -100.0 + 200.0 * s4j_rng_uniform(); break;
      case DIST_OVERFLOW: v = 89.0 + 11.0 * s4j_rng_uniform(); break;
      case DIST_LOGITS: v = 3.0 * s4j_rng_normal(); break;
      case DIST_LEVELS: v = s4j_rng_normal(); break;
      case DIST_STAIRS: v = s4j_rng_normal() + 4.0 * (double)(i / 65536); break;
      case DIST_HUGE_POS: v = 65000.0 + 536.0 * s4j_rng_uniform(); break;
      case DIST_HUGE_NEG: v = -65536.0 + 536.0 * s4j_rng_uniform(); break;
      default: v = -1e5 + 2e5 * s4j_rng_uniform(); break;
    }
    x[i] = (float)v;
  }
  if (dist == DIST_LEVELS && n > 302) {
    x[300] = 38.0f;
    x[301] = 37.0f;
    x[n - 2] = 94.0f;
    x[n - 1] = 95.0f;
  }
  if (dist == DIST_LOGITS) {
    /* a few dominant tokens */
    const size_t outliers = 1 + n / 1000;
    for (size_t k = 0; k < outliers && n > 0; k++) x[s4j_rng_next() % n] = (float)(30.0 + s4j_rng_normal());
  }
}

/* Checks y against ref; returns the number of bad elements (prints the first). */
static size_t check_output(const float* y, const double* ref, size_t n, double bound, double* max_ulp,
                           const char* what, const float* x) {
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    int ok;
    double err = 0.0;
    if (ref[i] >= (double)FLT_MIN) {
      err = ulp_error(y[i], ref[i]);
      ok = err >= 0.0 && err <= bound;
      if (err > *max_ulp) *max_ulp = err;
    } else {
      ok = isfinite(y[i]) && fabs((double)y[i] - ref[i]) <= (double)FLT_MIN;
    }
    if (!ok) {
      if (bad == 0) {
        CHECK(0, "%s: n=%zu i=%zu x=%.9g y=%.9g ref=%.17g err=%.3f ULP (bound %.0f) seed=0x%016llx", what, n, i,
              (double)x[i], (double)y[i], ref[i], err, bound, (unsigned long long)g_seed);
      }
      bad++;
    }
  }
  if (bad == 0) CHECK(1, "ok");
  return bad;
}

/* ------------------------------------------------------------------------------------------- */
/* One (size, distribution): every tier x algorithm x {out of place, in place, offsets}.        */
static void run_case(size_t n, int dist, int large_only_two_pass, float* x, float* xcopy, float* y, float* buf,
                     double* ref) {
  s4j_rng_state = g_seed ^ ((uint64_t)n * 131 + (uint64_t)dist);
  generate(dist, x, n);
  reference(x, n, ref);
  memcpy(xcopy, x, n * sizeof(float));
  const double bound = n <= 4096 ? 4.0 : 8.0;
  char what[160];

  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      if (large_only_two_pass && algo != S4J_ALGO_AUTO && algo != S4J_ALGO_TWO_PASS) continue;
      g_ran[isa][algo] = 1;
      double* mu = &g_max_ulp[isa][algo];

      /* out of place; the input must not change */
      for (size_t i = 0; i < n; i++) y[i] = 12345.0f;
      snprintf(what, sizeof what, "%s/%s/out-of-place/%s", s4j_isa_name(isa), s4j_algo_names[algo], dist_names[dist]);
      int rc = s4j_softmax_f32(isa, algo, x, y, (int64_t)n);
      CHECK(rc == S4J_OK, "%s: rc=%d", what, rc);
      check_output(y, ref, n, bound, mu, what, x);
      CHECK(memcmp(x, xcopy, n * sizeof(float)) == 0, "%s: input modified (n=%zu seed=0x%016llx)", what, n,
            (unsigned long long)g_seed);

      /* in place */
      memcpy(buf, x, n * sizeof(float));
      snprintf(what, sizeof what, "%s/%s/in-place/%s", s4j_isa_name(isa), s4j_algo_names[algo], dist_names[dist]);
      rc = s4j_softmax_f32(isa, algo, buf, buf, (int64_t)n);
      CHECK(rc == S4J_OK, "%s: rc=%d", what, rc);
      check_output(buf, ref, n, bound, mu, what, x);

      /* offsets (x at 3, y at 5, odd alignments), with sentinels around y */
      const int64_t xo = 3, yo = 5;
      memcpy(buf + xo, x, n * sizeof(float));
      for (size_t i = 0; i < n + 10; i++) y[i] = -7.0f;
      snprintf(what, sizeof what, "%s/%s/offsets/%s", s4j_isa_name(isa), s4j_algo_names[algo], dist_names[dist]);
      rc = s4j_softmax_f32_at(isa, algo, buf, xo, y, yo, (int64_t)n);
      CHECK(rc == S4J_OK, "%s: rc=%d", what, rc);
      check_output(y + yo, ref, n, bound, mu, what, x);
      int sentinels = 1;
      for (size_t i = 0; i < (size_t)yo; i++) sentinels &= y[i] == -7.0f;
      for (size_t i = n + (size_t)yo; i < n + 10; i++) sentinels &= y[i] == -7.0f;
      CHECK(sentinels, "%s: wrote outside y[yo, yo+n) (n=%zu)", what, n);
      CHECK(memcmp(buf + xo, x, n * sizeof(float)) == 0, "%s: input modified", what);
    }
  }
}

/* ------------------------------------------------------------------------------------------- */
/* Special values.                                                                             */
static int all_nan(const float* y, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isnan(y[i])) return 0;
  return 1;
}

static void special_values(void) {
  static const size_t sizes[] = {1, 2, 7, 8, 17, 33, 64, 65, 1000, 5000};
  float* x = malloc(5000 * sizeof(float));
  float* y = malloc(5000 * sizeof(float));
  double* ref = malloc(5000 * sizeof(double));
  char what[128];
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      double mu = 0.0;
      for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const size_t n = sizes[si];
        const size_t positions[3] = {0, n / 2, n - 1};
        for (int pi = 0; pi < 3; pi++) {
          const size_t pos = positions[pi];
          for (int kind = 0; kind < 4; kind++) {
            /* kind 0: NaN, 1: +Inf (both -> all NaN), 2: -Inf (-> 0, the rest exact), 3: a NaN with the sign
             * bit set (x86's default NaN, what 0/0 or Inf - Inf gives: it once came out as a 0 term on AVX-512) */
            s4j_rng_state = g_seed + n * 7 + pos;
            generate(DIST_NORMAL, x, n);
            x[pos] = kind == 0 ? NAN : kind == 1 ? INFINITY : kind == 2 ? -INFINITY : -NAN;
            for (int inplace = 0; inplace < 2; inplace++) {
              float* out = inplace ? x : y;
              float saved = x[pos];
              if (inplace) {
                memcpy(y, x, n * sizeof(float)); /* keep a copy to rebuild x */
              }
              snprintf(what, sizeof what, "%s/%s special kind=%d n=%zu pos=%zu %s", s4j_isa_name(isa),
                       s4j_algo_names[algo], kind, n, pos, inplace ? "in-place" : "out-of-place");
              if (kind == 2) reference(inplace ? y : x, n, ref);
              CHECK(s4j_softmax_f32(isa, algo, inplace ? x : x, out, (int64_t)n) == S4J_OK, "%s: rc", what);
              if (kind == 2) {
                if (n == 1) {
                  CHECK(all_nan(out, n), "%s: all -Inf must give NaN", what);
                } else {
                  CHECK(out[pos] == 0.0f, "%s: -Inf must give 0, got %g", what, (double)out[pos]);
                  check_output(out, ref, n, 4.0, &mu, what, inplace ? y : x);
                }
              } else {
                CHECK(all_nan(out, n), "%s: expected all NaN", what);
              }
              if (inplace) {
                memcpy(x, y, n * sizeof(float));
              }
              x[pos] = saved;
            }
          }
        }
        /* all -Inf -> all NaN */
        for (size_t i = 0; i < n; i++) x[i] = -INFINITY;
        CHECK(s4j_softmax_f32(isa, algo, x, y, (int64_t)n) == S4J_OK && all_nan(y, n), "%s/%s all -Inf n=%zu",
              s4j_isa_name(isa), s4j_algo_names[algo], n);
      }
      /* [-FLT_MAX, FLT_MAX] -> [0, 1] */
      x[0] = -FLT_MAX;
      x[1] = FLT_MAX;
      CHECK(s4j_softmax_f32(isa, algo, x, y, 2) == S4J_OK && y[0] == 0.0f && y[1] == 1.0f,
            "%s/%s [-FLT_MAX, FLT_MAX] -> [%g, %g]", s4j_isa_name(isa), s4j_algo_names[algo], (double)y[0], (double)y[1]);
      /* [1e30, 0] -> [1, 0] */
      x[0] = 1e30f;
      x[1] = 0.0f;
      CHECK(s4j_softmax_f32(isa, algo, x, y, 2) == S4J_OK && y[0] == 1.0f && y[1] == 0.0f,
            "%s/%s [1e30, 0] -> [%g, %g]", s4j_isa_name(isa), s4j_algo_names[algo], (double)y[0], (double)y[1]);
      /* -Inf and 1e30 mixed (also in place) */
      const float mixed[6] = {-INFINITY, 1e30f, -INFINITY, 5.0f, -1e30f, 1e30f};
      memcpy(x, mixed, sizeof mixed);
      CHECK(s4j_softmax_f32(isa, algo, x, x, 6) == S4J_OK && x[0] == 0.0f && x[1] == 0.5f && x[2] == 0.0f &&
                x[3] == 0.0f && x[4] == 0.0f && x[5] == 0.5f,
            "%s/%s mixed -Inf/1e30 -> %g %g %g %g %g %g", s4j_isa_name(isa), s4j_algo_names[algo], (double)x[0],
            (double)x[1], (double)x[2], (double)x[3], (double)x[4], (double)x[5]);
      /* values up to +-1e38 (exact path) against the reference */
      for (size_t n = 1; n <= 300; n += 37) {
        s4j_rng_state = g_seed * 3 + n;
        for (size_t i = 0; i < n; i++) x[i] = (float)((s4j_rng_uniform() * 2.0 - 1.0) * 1e38);
        x[n / 3] = 1e38f;
        x[n - 1] = 0.999999f * 1e38f;
        reference(x, n, ref);
        snprintf(what, sizeof what, "%s/%s +-1e38", s4j_isa_name(isa), s4j_algo_names[algo]);
        CHECK(s4j_softmax_f32(isa, algo, x, y, (int64_t)n) == S4J_OK, "%s rc", what);
        check_output(y, ref, n, 4.0, &mu, what, x);
      }
      /* n == 0: no-op, y untouched (also with NULL pointers) */
      y[0] = 42.0f;
      CHECK(s4j_softmax_f32(isa, algo, x, y, 0) == S4J_OK && y[0] == 42.0f, "n == 0 must be a no-op");
      CHECK(s4j_softmax_f32(isa, algo, NULL, NULL, 0) == S4J_OK, "n == 0 with NULL pointers");
      if (mu > g_max_ulp[isa][algo]) g_max_ulp[isa][algo] = mu;
    }
  }
  free(x);
  free(y);
  free(ref);
}

/* Two-pass and recompute compute a term's exp again after the sum (pass 2): for a row whose mass is one term they
 * give 1 - 2^-24, 1 or 1 + 2^-23 there (docs/NUMERICS.md, "Cancelling table"); the reload, and AUTO below 2^22,
 * divide the stored term by the sum of it: exactly 1. */
static int recomputes_exp(int algo) { return algo == S4J_ALGO_TWO_PASS || algo == S4J_ALGO_THREE_PASS_RECOMPUTE; }
static int one_term_output_ok(int algo, float y) {
  return recomputes_exp(algo) ? fabsf(y - 1.0f) <= 0x1p-23f : y == 1.0f;
}
/* x[0 .. n) = top - gap but x[pos] = top. */
static void one_term_fill(float* x, size_t n, size_t pos, float top, float gap) {
  for (size_t i = 0; i < n; i++) x[i] = top - gap;
  x[pos] = top;
}

/* A row whose mass is one term (one_term_output_ok), on every tier and algorithm, in rows short (the fused short-row
 * kernel), up to S4J_SUM_TREE_MIN (pairs), above it (trees) and over two blocks: the others -Inf, or 200 below it
 * (their terms underflow against it), or, but in two-pass and recompute, 30 below (their 69,999 terms together
 * ~2^-27 of it: below half an ulp of 1). A final factor that is not the exact inverse of the one term's stored
 * value breaks this (the twenty-seventh session's one-float factor gave 0.99999994). */
static void one_term_rows(void) {
  static const size_t sizes[] = {1, 2, 3, 17, 100, 4096, 4097, 70000};
  static const float tops[] = {0.0f, 1.0f, 50.0f, -50.0f, 88.0f, -87.0f, 1e30f};
  static const float gaps[] = {INFINITY, 200.0f, 30.0f};
  const size_t nmax = 70000;
  float* x = malloc(nmax * sizeof(float));
  float* y = malloc(nmax * sizeof(float));
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const size_t n = sizes[si];
        for (size_t ti = 0; ti < sizeof tops / sizeof tops[0]; ti++) {
          for (size_t gi = 0; gi < sizeof gaps / sizeof gaps[0]; gi++) {
            if (tops[ti] - gaps[gi] == tops[ti]) continue;
            if (gaps[gi] == 30.0f && (n * expf(-30.0f) >= 0x1p-25f || recomputes_exp(algo))) continue;
            const size_t pos = (n * 5 + ti) / 7 % n;
            one_term_fill(x, n, pos, tops[ti], gaps[gi]);
            const int rc = s4j_softmax_f32(isa, algo, x, y, (int64_t)n);
            size_t bad = 0;
            for (size_t i = 0; i < n; i++) {
              bad += i == pos ? !one_term_output_ok(algo, y[i]) : !(y[i] >= 0.0f && y[i] <= 0x1p-40f);
            }
            CHECK(rc == S4J_OK && bad == 0, "%s/%s one term at %zu of n=%zu (%g, others %g lower): y = %a, %zu wrong",
                  s4j_isa_name(isa), s4j_algo_names[algo], pos, n, (double)tops[ti], (double)gaps[gi], (double)y[pos],
                  bad);
          }
        }
      }
    }
  }
  free(x);
  free(y);
}

/* Rows above 4096 take the reload's final factor as one float unless the sum rounded to a float, z, gives
 * z * fl(1/sum) != 1 (softmax.c, s4j_one_product): many random values of the one term, so that such z occur; the
 * others -Inf, or 30 below (a mass ~2^-27 of the term's at most: the correctly rounded output is still 1; the head's
 * maximum then sits 43 binades under the term, so out of place the terms are relative to another E than in place);
 * through the plain entry in and out of place, the fused argmax and the rows entry with a temperature. */
static void one_term_rows_random(void) {
  static const size_t big[] = {4097, 9000, 70000, 140000};
  float* x = malloc(140000 * sizeof(float));
  float* y = malloc(140000 * sizeof(float));
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      size_t bad = 0;
      for (int i = 0; i < 160; i++) {
        const size_t n = big[i % 4];
        const float gap = i & 4 ? 30.0f : INFINITY;
        if (gap == 30.0f && recomputes_exp(algo)) continue;
        const float top = (float)(s4j_rng_uniform() * 120.0 - 60.0);
        const size_t pos = 300 + (size_t)(s4j_rng_next() % (n - 300));
        one_term_fill(x, n, pos, top, gap);
        for (int entry = 0; entry < 4; entry++) { /* out of place, in place, fused argmax, rows with s = 1/2 */
          float* out = entry == 1 ? x : y;
          int64_t index = -2;
          int rc;
          if (entry < 2) {
            rc = s4j_softmax_f32(isa, algo, x, out, (int64_t)n);
          } else if (entry == 2) {
            rc = s4j_f32_softmax_argmax_rows_at(isa, algo, 0, 1.0f, x, 0, (int64_t)n, out, 0, (int64_t)n, 1,
                                                (int64_t)n, &index, 0);
          } else {
            for (size_t j = 0; j < n; j++) x[j] *= 2.0f; /* exact: s * x is the row above */
            rc = s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, algo, 0, 0.5f, x, 0, (int64_t)n, out, 0, (int64_t)n, 1,
                                 (int64_t)n, NULL, 0);
            for (size_t j = 0; j < n; j++) x[j] *= 0.5f;
          }
          const int ok = rc == S4J_OK && one_term_output_ok(algo, out[pos]) && (entry != 2 || index == (int64_t)pos);
          if (!ok && bad++ < 3) {
            fprintf(stderr, "%s/%s one term %a of n=%zu at %zu (others %g lower), entry %d: %a\n",
                    s4j_isa_name(isa), s4j_algo_names[algo], (double)top, n, pos, (double)gap, entry,
                    (double)out[pos]);
          }
          if (entry == 1) one_term_fill(x, n, pos, top, gap); /* in place overwrote it */
        }
      }
      CHECK(bad == 0, "%s/%s: %zu one-term rows above 4096 gave other than 1", s4j_isa_name(isa),
            s4j_algo_names[algo], bad);
    }
  }
  free(x);
  free(y);
}

/* The reload out of place (E from the first 256 elements) and in place (E from the maximum) give the same bits:
 * terms relative to different E are exact power-of-two multiples, and so must the final scaling be. Logits
 * whose first 256 elements stay low and whose later outliers sit ~25 above them put the two E ~37 binades
 * apart: the final factor was then split into two floats with a subnormal lower half, whose lost bits made
 * one output in ~10^5 differ in the last bit (every tier, portable too; vscale now normalises the factor). */
static void reload_in_place_bits(void) {
  const size_t n = 70001;
  float* x = malloc(n * sizeof(float));
  float* y = malloc(n * sizeof(float));
  float* z = malloc(n * sizeof(float));
  if (!x || !y || !z) abort();
  for (int trial = 0; trial < 96; trial++) {
    s4j_rng_state = g_seed ^ (0x1A7E0u + (uint64_t)trial);
    if (trial < 64) {
      for (size_t i = 0; i < n; i++) {
        const double u = s4j_rng_uniform();
        x[i] = (float)(i >= 256 && u < 0.002 ? 25.0 + 10.0 * s4j_rng_uniform() : 3.0 * s4j_rng_normal());
      }
    } else if (trial >= 80) {
      /* AVX-512's folded tables (the segments fuzz target's second input): the first 256 elements' maximum
       * ~125.6 (E = 181), the row's ~138.5 (E = 200). E - 64 = 117 was in the folded range (<= 120), where
       * the smallest table rests (2^-30 of their entries) times 2^(64 - E) went subnormal and lost bits, so
       * 3 outputs in 4082 differed in the last bit from the in-place reload (E = 200, not folded); folding now
       * stops at E - 64 = 96, where every rest is a normal float. */
      for (size_t i = 0; i < n; i++) x[i] = (float)(59.0 + 60.0 * s4j_rng_uniform());
      x[0] = 125.6f;
      x[256 + (size_t)(s4j_rng_uniform() * 3000.0)] = (float)(138.0 + s4j_rng_uniform());
    } else {
      /* Outputs down into the subnormals (the segments fuzz target's input): the first 256 elements' maximum
       * 500, the row's ~537 later in the same block (37 above: no redo), most inputs in [430, 470], so outputs
       * from 0 through the subnormals to ~2^-97. The out-of-place factor (~2^-117) is normalised and each output
       * multiplied by 2^k after its rounding, a second rounding where the output is subnormal; in place
       * (factor ~2^-64) z * lo underflows for outputs below ~2^-102. Below 2^-100 the two may differ by one
       * unit in the last place (docs/NUMERICS.md, "Bias"), never above: checked here. */
      for (size_t i = 0; i < n; i++) x[i] = (float)(430.0 + 40.0 * s4j_rng_uniform());
      x[0] = 500.0f;
      x[256 + (size_t)(s4j_rng_uniform() * 3000.0)] = (float)(537.0 + s4j_rng_uniform());
    }
    for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
      if (!s4j_isa_supported(isa)) continue;
      CHECK(s4j_softmax_f32(isa, S4J_ALGO_THREE_PASS_RELOAD, x, y, (int64_t)n) == S4J_OK, "late outliers: rc");
      memcpy(z, x, n * sizeof(float));
      CHECK(s4j_softmax_f32(isa, S4J_ALGO_THREE_PASS_RELOAD, z, z, (int64_t)n) == S4J_OK, "late outliers: rc");
      size_t diff = 0, first = n;
      for (size_t i = 0; i < n; i++) {
        if (memcmp(&y[i], &z[i], sizeof(float)) != 0) {
          int32_t a, b;
          memcpy(&a, &y[i], sizeof a);
          memcpy(&b, &z[i], sizeof b);
          /* both outputs are >= 0: adjacent floats differ by 1 in their bits */
          if (y[i] < 0x1.0p-100f && z[i] < 0x1.0p-100f && (a - b == 1 || b - a == 1)) continue;
          if (first == n) first = i;
          diff++;
        }
      }
      CHECK(diff == 0, "%s reload, late outliers (trial %d): %zu outputs differ between out of place and in place, "
            "first at %zu: %a vs %a", s4j_isa_name(isa), trial, diff, first, first < n ? y[first] : 0.0f,
            first < n ? z[first] : 0.0f);
    }
  }
  free(x);
  free(y);
  free(z);
}

/* Rows of one block (n <= S4J_BLOCK) take, out of place, the fused short-row kernel (vsoftmaxshort, n <= 256)
 * or the reload's one-block path (s4j_reload_first without the max pass), and the in-place reload otherwise
 * (the max pass first, so E from the row's maximum; in place vsoftmaxshort takes one vector only); they must
 * give the same bits:
 * outliers far above the rest, -Inf, values near the exp's range, a NaN (all NaN), and in rows longer than the
 * head (256 floats) an input 45-75 above the head's maximum, whose sum reaches 2^58 and redoes the block
 * relative to the row's maximum; with s = 1 and with a temperature (s = 1/0.7, through the rows entry); every
 * tier. Rows of more than one block: reload_in_place_bits. */
static void reload_block_bits(void) {
  const size_t sizes[] = {9, 17, 33, 64, 100, 255, 256, 257, 1000, 4097, 65536};
  const size_t cap = 65536;
  float* x = malloc(cap * sizeof(float));
  float* y = malloc(cap * sizeof(float));
  float* z = malloc(cap * sizeof(float));
  if (!x || !y || !z) abort();
  for (int trial = 0; trial < 88; trial++) {
    s4j_rng_state = g_seed ^ (0x5407u + (uint64_t)trial);
    const size_t n = sizes[(size_t)trial % (sizeof sizes / sizeof sizes[0])];
    const int group = trial / 11; /* every size in every group */
    const double base = group % 4 == 0 ? 0.0 : group % 4 == 1 ? 80.0 : group % 4 == 2 ? -90.0 : 3000.0;
    for (size_t i = 0; i < n; i++) {
      const double u = s4j_rng_uniform();
      x[i] = (float)(base + (u < 0.05 ? 30.0 + 60.0 * s4j_rng_uniform() : 5.0 * s4j_rng_normal()));
      if (u > 0.97) x[i] = -INFINITY;
    }
    const int redo = group >= 4 && n > 256;
    if (redo) {
      float head = -INFINITY;
      for (size_t i = 0; i < 256; i++) head = x[i] > head ? x[i] : head;
      x[256 + (size_t)(s4j_rng_uniform() * (double)(n - 256))] = (float)(head + 45.0 + 30.0 * s4j_rng_uniform());
    }
    const int with_nan = trial % 11 == 5 || trial % 11 == 9;
    if (with_nan) x[n / 2] = NAN;
    const float scale = trial % 2 == 0 ? 1.0f : (float)(1.0 / 0.7);
    for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
      if (!s4j_isa_supported(isa)) continue;
      const int64_t m = (int64_t)n;
      CHECK(s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, S4J_ALGO_THREE_PASS_RELOAD, 0, scale, x, 0, m, y, 0, m, 1, m, NULL,
                            0) == S4J_OK, "one-block rows: rc");
      memcpy(z, x, n * sizeof(float));
      CHECK(s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, S4J_ALGO_THREE_PASS_RELOAD, 0, scale, z, 0, m, z, 0, m, 1, m, NULL,
                            0) == S4J_OK, "one-block rows: rc");
      CHECK(memcmp(y, z, n * sizeof(float)) == 0,
            "%s reload, one-block row n=%zu s=%g (trial %d%s): out of place and in place differ", s4j_isa_name(isa),
            n, (double)scale, trial, redo ? ", redone" : "");
      if (with_nan) {
        CHECK(isnan(y[0]) && isnan(y[n - 1]), "%s one-block row with a NaN: not all NaN", s4j_isa_name(isa));
      } else {
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) sum += y[i];
        CHECK(fabs(sum - 1.0) < 1e-4, "%s one-block row n=%zu (trial %d): outputs sum to %.9g",
              s4j_isa_name(isa), n, trial, sum);
      }
    }
  }
  free(x);
  free(y);
  free(z);
}

/* Batches of short rows go through the short-row kernels S4J_SHORT_GROUP rows at a time (the steps of a group's
 * rows interleaved: vsoftmaxshort for softmax, raddexpshort for log-softmax and log-sum-exp), and longer rows of
 * one block are pipelined (row r's first passes before row r - 1's last): every row must get the bits it gets
 * alone (rows = 1), outputs and lse, whatever its neighbours hold (a NaN, +Inf, every input -Inf, inputs beyond
 * the fast range: those rows take the exact path, the others must not; an input 60 above the first 256
 * elements' maximum: a redone row), in place and out of place, with padding between rows that stays untouched,
 * with and without a temperature, S4J_FLAG_SAFE and S4J_FLAG_LSE, the reload and two-pass, every tier. */
static void short_rows_grouped_bits(void) {
  const size_t sizes[] = {1, 3, 8, 15, 16, 17, 31, 64, 100, 255, 256, 257, 1000, 4097};
  enum { ROWS = 11, PAD = 5 };
  const float guard = 1234.5f;
  for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
    const size_t n = sizes[si], stride = n + PAD;
    float* x = malloc(ROWS * stride * sizeof(float));
    const size_t ystride = stride + 3; /* out of place: rows of y further apart than x's */
    float* y = malloc(ROWS * ystride * sizeof(float));
    float* z = malloc(ROWS * stride * sizeof(float));
    float* in = malloc(ROWS * stride * sizeof(float));
    float* one = malloc(n * sizeof(float));
    double lse[ROWS], lse_one[ROWS];
    if (!x || !y || !z || !in || !one) abort();
    for (int trial = 0; trial < 12; trial++) {
      s4j_rng_state = g_seed ^ (0x6A0Bu + 131u * (uint64_t)si + (uint64_t)trial);
      for (size_t r = 0; r < ROWS; r++) {
        /* 0-2 plain rows; 3 NaN, 4 +Inf, 5 all -Inf, 6 E above the fast range, 7 every input far below it, 8 an
         * input 60 above the head's maximum (a redo in rows longer than the head) */
        const int kind = (int)((r + (size_t)trial) % 9);
        for (size_t i = 0; i < stride; i++) {
          /* rows far apart (a row's terms relative to another row's E would over- or underflow) */
          float v = i >= n ? guard : (float)(3.0 * s4j_rng_normal() + 50.0 * (double)((r + (size_t)trial) % 5) - 100.0);
          if (i < n && s4j_rng_uniform() < 0.1) v = -INFINITY;
          x[r * stride + i] = v;
        }
        if (kind == 3) x[r * stride + n / 2] = NAN;
        if (kind == 4) x[r * stride + (n - 1) / 3] = INFINITY;
        if (kind == 5) for (size_t i = 0; i < n; i++) x[r * stride + i] = -INFINITY;
        if (kind == 6) x[r * stride] = 1e6f;
        if (kind == 7) for (size_t i = 0; i < n; i++) x[r * stride + i] = (float)(-1.2e5 + s4j_rng_uniform());
        if (kind == 8) {
          float head = -INFINITY;
          for (size_t i = 0; i < n && i < 256; i++) head = x[r * stride + i] > head ? x[r * stride + i] : head;
          x[r * stride + n - 1] = head + 60.0f; /* past the head from 257 floats on */
        }
      }
      const float scale = trial % 4 < 2 ? 1.0f : (float)(1.0 / 0.7);
      const int op = trial % 3 == 0 ? S4J_OP_SOFTMAX : trial % 3 == 1 ? S4J_OP_LOG_SOFTMAX : S4J_OP_LOG_SUM_EXP;
      const int flags =
          (trial % 2 ? S4J_FLAG_SAFE : 0) | (op != S4J_OP_LOG_SUM_EXP && trial % 4 == 1 ? S4J_FLAG_LSE : 0);
      /* two-pass softmax in trials 3 and 9 (9 with S4J_FLAG_LSE) */
      const int algo = op == S4J_OP_SOFTMAX && (trial / 3) % 2 == 1 ? S4J_ALGO_TWO_PASS : S4J_ALGO_THREE_PASS_RELOAD;
      const int with_lse = op == S4J_OP_LOG_SUM_EXP || (flags & S4J_FLAG_LSE);
      for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
        if (!s4j_isa_supported(isa)) continue;
        /* in place; out of place at x's stride (every grouped path); out of place at another stride (short rows
         * of one vector grouped, other short rows one by one through the fused kernel, longer ones pipelined) */
        for (int layout = 0; layout < 3; layout++) {
          const int in_place = layout == 0;
          const int64_t m = (int64_t)n, st = (int64_t)stride;
          const size_t ost = layout == 2 ? ystride : stride;
          memcpy(in, x, ROWS * stride * sizeof(float));
          float* out = in_place ? in : y;
          if (!in_place) for (size_t i = 0; i < ROWS * ystride; i++) y[i] = guard;
          for (size_t r = 0; r < ROWS; r++) lse[r] = lse_one[r] = -1.0;
          CHECK(s4j_f32_rows_at(isa, op, algo, flags, scale, in, 0, st, out, 0, (int64_t)ost, ROWS, m, lse, 0) ==
                    S4J_OK, "grouped rows: rc");
          memcpy(z, x, ROWS * stride * sizeof(float));
          for (size_t r = 0; r < ROWS; r++) {
            float* zr = z + r * stride;
            CHECK(s4j_f32_rows_at(isa, op, algo, flags, scale, zr, 0, m, in_place ? zr : one, 0, m, 1, m, lse_one,
                                  (int64_t)r) == S4J_OK, "one row: rc");
            if (!in_place && op != S4J_OP_LOG_SUM_EXP) memcpy(zr, one, n * sizeof(float));
          }
          size_t diff = 0, first = 0;
          for (size_t r = 0; r < ROWS; r++) {
            for (size_t i = 0; i < ost; i++) {
              const float got = out[r * ost + i];
              /* log-sum-exp writes no y: out of place y keeps its guard, in place x stays x */
              const float want = i >= n ? guard : op == S4J_OP_LOG_SUM_EXP && !in_place ? guard : z[r * stride + i];
              if (memcmp(&got, &want, sizeof got) != 0 && !(isnan(got) && isnan(want)) && diff++ == 0) {
                first = r * ost + i;
              }
            }
          }
          size_t lse_diff = 0;
          for (size_t r = 0; r < ROWS && with_lse; r++) {
            if (memcmp(&lse[r], &lse_one[r], sizeof lse[r]) != 0 && !(isnan(lse[r]) && isnan(lse_one[r]))) lse_diff++;
          }
          CHECK(lse_diff == 0, "%s rows op %d n=%zu s=%g flags=%d (trial %d): %zu lse differ from rows one at a "
                "time", s4j_isa_name(isa), op, n, (double)scale, flags, trial, lse_diff);
          CHECK(diff == 0, "%s rows op %d n=%zu s=%g flags=%d %s (trial %d): %zu outputs differ from rows one at "
                "a time (or padding touched), first at row %zu element %zu: %a vs %a", s4j_isa_name(isa), op, n,
                (double)scale, flags, in_place ? "in place" : layout == 1 ? "out of place" : "out of place, own stride",
                trial, diff, first / ost, first % ost,
                (double)out[first], (double)(first % ost < n ? z[first / ost * stride + first % ost] : guard));
        }
      }
    }
    free(x);
    free(y);
    free(z);
    free(in);
    free(one);
  }
}

int main(void) {
  const char* seed_env = getenv("S4J_TEST_SEED");
  if (seed_env != NULL) g_seed = strtoull(seed_env, NULL, 0);
  const int quick = getenv("S4J_TEST_QUICK") != NULL;
  printf("test_softmax: seed=0x%016llx (set S4J_TEST_SEED to change), cpu features=0x%x, max isa=%s\n",
         (unsigned long long)g_seed, s4j_cpu_features(), s4j_isa_name(s4j_cpu_max_isa()));
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (s4j_tier_runnable(isa)) printf("running tier %s\n", s4j_isa_name(isa));
  }

  /* sizes: 0 .. 2W+1 for W = 16 (covers every tail of the 8- and 16-lane kernels), more tails around
   * the 32/64-element main loops, primes, 1000/1001, the 4096 block edge, and large sizes. */
  size_t sizes[128];
  size_t count = 0;
  for (size_t n = 0; n <= 33; n++) sizes[count++] = n;
  const size_t more[] = {63, 64, 65, 127, 128, 129, 97, 1000, 1001, 1009, 4095, 4096, 4097, 4099, 8193, 65537};
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) sizes[count++] = more[i];
  if (!quick) sizes[count++] = (size_t)1 << 20;
  const size_t huge = (size_t)1 << 24;

  const size_t cap = huge + 16;
  float* x = malloc(cap * sizeof(float));
  float* xcopy = malloc(cap * sizeof(float));
  float* y = malloc(cap * sizeof(float));
  float* buf = malloc(cap * sizeof(float));
  double* ref = malloc(cap * sizeof(double));
  if (!x || !xcopy || !y || !buf || !ref) {
    fprintf(stderr, "out of memory\n");
    return 2;
  }
  reload_in_place_bits();
  reload_block_bits();
  one_term_rows();
  one_term_rows_random();
  short_rows_grouped_bits();
  for (size_t si = 0; si < count; si++) {
    const int dists = sizes[si] <= 4099 ? DIST_COUNT : DIST_MAIN_COUNT;
    for (int dist = 0; dist < dists; dist++) run_case(sizes[si], dist, 0, x, xcopy, y, buf, ref);
  }
  if (!quick) {
    /* 16M: two-pass and auto only (time) */
    for (int dist = 0; dist < DIST_MAIN_COUNT; dist++) run_case(huge, dist, 1, x, xcopy, y, buf, ref);
  }
  free(x);
  free(xcopy);
  free(y);
  free(buf);
  free(ref);

  special_values();

  printf("max ULP error (outputs >= FLT_MIN) per tier/algorithm:\n");
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      if (g_ran[isa][algo]) printf("  %-8s %-21s %.3f\n", s4j_isa_name(isa), s4j_algo_names[algo], g_max_ulp[isa][algo]);
    }
  }
  if (s4j_failed != 0) printf("seed was 0x%016llx\n", (unsigned long long)g_seed);
  return s4j_report("test_softmax");
}
