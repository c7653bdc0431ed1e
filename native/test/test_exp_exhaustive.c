/*
 * Exhaustive exp check: every float x with exp(x) a normal float, x in [ln(FLT_MIN), ln(FLT_MAX)]
 * (about [-87.34, 88.72], ~2.2e9 floats), goes through two kernels of each runnable tier: vscaleexp with
 * c = 1, which writes z = exp(x) * 2^-E (docs/NUMERICS.md) with the exp of every kernel that takes the table
 * rests (LO), and raddstoreexp, the reload's store pass, which writes z = exp(x) * 2^(EXP_BIAS - E) with the
 * same LO exp since the ninth session (S4J_RELOAD_LO; before, without the rests and on AVX-512 with a
 * shorter polynomial: a -DS4J_RELOAD_LO=0 build still sweeps that). E = 0 for x <= 0, E = 63 for 0 < x < 44 and
 * E = 127 above, so that every z is a normal float and k - E stays in the range the kernels take (on
 * AVX-512 the store pass's E - EXP_BIAS stays in the folded range; it runs a second time in calls shorter than
 * S4J_FOLD_MIN, where the tables are not folded, and must give the same bits); the double reference is scaled by the
 * same power of two, which is exact. The error is measured against exp((double)x) in ULP of the float
 * result (fractional: |z - r| / ulp(r)), the max recorded per kernel, and asserted against its tier's bound
 * (s4j_exp_max_ulp, s4j_test_util.h). A third kernel per tier: raddstoreexp with tree = 1 (calls above
 * S4J_SUM_TREE_MIN floats, whose terms leave out the table rests, S4J_TREE_LO), its relative error |z - r| / r
 * asserted against s4j_exp_tree_max_rel (the longer rows' budget takes it, docs/NUMERICS.md "Error budget"). A
 * fourth: raddstoreexp with S4J_ROW_TREE | S4J_ROW_CANCEL in calls of S4J_SUM_TREE_MIN floats (the reload of a
 * softmax output: the cancelling table, S4J_CANCEL_C, without the rests on the table tiers), whose terms carry a
 * factor common to all of them that the output's 1 / sum cancels: its signed relative error (z - r) / r is
 * recorded as a range, and the distance of every term from one common multiple (half its width, divided by the
 * multiple) asserted against s4j_exp_cancel_max_rel (s4j_test_cancel.h; docs/NUMERICS.md, "Cancelling table"),
 * with no NaN term and the multiple at the tier's factor; the same floats in calls of S4J_FOLD_MIN / 4 (AVX-512:
 * not folded) and in one call of the chunk (above S4J_SUM_TREE_MIN: summed as trees) must store the same bits.
 *
 * The kernels come from the tier registry (src/s4j_tiers.inc), so every tier is swept.
 *
 * S4J_EXP_STRIDE=k (environment) checks every k-th float only (sanitizer and emulation runs); the
 * output says so loudly. The double reference is computed once per chunk and shared by all tiers.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c11 */
#include <float.h>
#include <time.h>

#include "s4j_test_cancel.h"
#include "kernels.h"

typedef struct {
  const char* name;
  int isa;
  s4j_f32_vscaleexp_fn fn;        /* one of the two is set */
  s4j_f32_raddstoreexp_fn store;
  int tree;                       /* store: called with this tree argument: S4J_ROW_TREE, the exp of longer rows
                                   * (S4J_TREE_LO); with S4J_ROW_CANCEL, in calls of S4J_SUM_TREE_MIN floats */
} s4j_exp_kernel;
static const s4j_exp_kernel s4j_exp_kernels[] = {
#define S4J_TIER(id, isa, method, unroll, vlen, flags, ...)                                                        \
  {"s4j_f32_vscaleexp__" #isa "_" #method "_" #unroll, id, s4j_f32_vscaleexp__##isa##_##method##_##unroll, NULL, 0}, \
      {"s4j_f32_raddstoreexp__" #isa "_" #method "_" #unroll, id, NULL,                                      \
       s4j_f32_raddstoreexp__##isa##_##method##_##unroll, 0},                                                  \
      {"s4j_f32_raddstoreexp__" #isa "_" #method "_" #unroll " (tree)", id, NULL,                             \
       s4j_f32_raddstoreexp__##isa##_##method##_##unroll, S4J_ROW_TREE},                                       \
      {"s4j_f32_raddstoreexp__" #isa "_" #method "_" #unroll " (cancel)", id, NULL,                           \
       s4j_f32_raddstoreexp__##isa##_##method##_##unroll, S4J_ROW_TREE | S4J_ROW_CANCEL},
#include "s4j_tiers.inc"
#undef S4J_TIER
};
#define S4J_EXP_KERNEL_COUNT ((int)(sizeof s4j_exp_kernels / sizeof s4j_exp_kernels[0]))

#define CHUNK 65536

/* Seconds for the timing printout: clock_gettime where POSIX has it, the C standard clock() elsewhere
 * (Windows builds, where CPU time is wall time for this single-threaded test). */
static double now_s(void) {
#if defined(_WIN32)
  return (double)clock() / CLOCKS_PER_SEC;
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
}

typedef struct {
  double max_ulp;
  double max_rel; /* |z - r| / r in units of 2^-24 */
  double lo_rel, hi_rel; /* the range of (z - r) / r, units of 2^-24 (the cancelling kernel only) */
  float lo_x, hi_x;       /* where */
  float worst_x;
  float worst_z;
  double worst_ref;
  uint64_t count;
  uint64_t short_calls_differ; /* store kernels: floats whose bits differ between one call and short calls */
  uint64_t tree_calls_differ;  /* the cancelling kernel: between calls of S4J_SUM_TREE_MIN and a longer call */
  uint64_t nan_terms;          /* the cancelling kernel: NaN terms (the others take NaN as an infinite error) */
  double seconds;
} tier_stats;

int main(void) {
  const char* stride_env = getenv("S4J_EXP_STRIDE");
  const uint32_t stride = stride_env != NULL && atoi(stride_env) > 1 ? (uint32_t)atoi(stride_env) : 1u;
  if (stride > 1) {
    printf("**** STRIDED exp sweep: every %u-th float only (S4J_EXP_STRIDE), not exhaustive ****\n", stride);
  }
  /* The range where exp(x) is a normal float: x >= ln(FLT_MIN) and x <= ln(FLT_MAX). */
  const float x_lo = nextafterf((float)log((double)FLT_MIN), 0.0f);
  const float x_hi = nextafterf((float)log((double)FLT_MAX), 0.0f);
  printf("exp sweep over [%a, %a] = [%.7g, %.7g]\n", (double)x_lo, (double)x_hi, (double)x_lo, (double)x_hi);

  int runnable[S4J_EXP_KERNEL_COUNT > 0 ? S4J_EXP_KERNEL_COUNT : 1];
  tier_stats stats[S4J_EXP_KERNEL_COUNT > 0 ? S4J_EXP_KERNEL_COUNT : 1];
  int any = 0;
  for (int k = 0; k < S4J_EXP_KERNEL_COUNT; k++) {
    runnable[k] = s4j_tier_runnable(s4j_exp_kernels[k].isa);
    memset(&stats[k], 0, sizeof stats[k]);
    stats[k].lo_rel = INFINITY;
    stats[k].hi_rel = -INFINITY;
    any |= runnable[k];
    printf("kernel %s (tier %s): %s\n", s4j_exp_kernels[k].name, s4j_isa_name(s4j_exp_kernels[k].isa),
           runnable[k] ? "swept" : "SKIPPED");
  }
  CHECK(S4J_EXP_KERNEL_COUNT > 0, "no tier in src/s4j_tiers.inc");
  CHECK(any, "no tier runnable");

  float* x = malloc(CHUNK * sizeof(float));
  float* z = malloc(CHUNK * sizeof(float));
  float* z2 = malloc(CHUNK * sizeof(float));
  double* ref = malloc(CHUNK * sizeof(double));
  double* inv_ulp = malloc(CHUNK * sizeof(double));
  if (x == NULL || z == NULL || z2 == NULL || ref == NULL || inv_ulp == NULL) {
    fprintf(stderr, "out of memory\n");
    return 2;
  }
  double ref_seconds = 0.0;
  const double t_start = now_s();
  /* Three ranges: negative (E = 0, x from -0 down to x_lo), [+0, 44) (E = 63), [44, x_hi] (E = 127). */
  for (int half = 0; half < 3; half++) {
    const float e_max = half == 0 ? 0.0f : half == 1 ? 63.0f : 127.0f;
    const double scale = ldexp(1.0, -(int)e_max);
    const uint32_t first = half == 0 ? 0x80000000u : half == 1 ? 0x00000000u : s4j_bits_of(44.0f);
    const uint32_t last = half == 0 ? s4j_bits_of(x_lo) : half == 1 ? s4j_bits_of(44.0f) - 1 : s4j_bits_of(x_hi); /* inclusive */
    uint64_t u = first;
    while (u <= last) {
      size_t n = 0;
      for (; n < CHUNK && u <= last; n++, u += stride) x[n] = s4j_float_of((uint32_t)u);
      double t0 = now_s();
      for (size_t i = 0; i < n; i++) {
        ref[i] = exp((double)x[i]) * scale;
        inv_ulp[i] = s4j_inv_ulp_of(ref[i]);
      }
      ref_seconds += now_s() - t0;
      for (int k = 0; k < S4J_EXP_KERNEL_COUNT; k++) {
        if (!runnable[k]) continue;
        tier_stats* s = &stats[k];
        t0 = now_s();
        const int cancel = s4j_exp_kernels[k].tree & S4J_ROW_CANCEL;
        if (cancel) { /* calls that do not sum as trees (on AVX-512 folded: S4J_FOLD_MIN floats) */
          s4j_store_in_calls(s4j_exp_kernels[k].store, n, S4J_SUM_TREE_MIN, x, z, 1.0f, e_max, s4j_exp_kernels[k].tree);
        } else if (s4j_exp_kernels[k].store != NULL) {
          (void)s4j_exp_kernels[k].store(n, x, z, 1.0f, e_max, s4j_exp_kernels[k].tree);
        } else {
          s4j_exp_kernels[k].fn(n, x, z, 1.0f, 1.0, e_max, NULL);
        }
        s->seconds += now_s() - t0;
        if (cancel) {
          /* every call of a softmax row stores the same terms: calls shorter than S4J_FOLD_MIN (AVX-512: tables
           * without 2^-E) and one call of the whole chunk (above S4J_SUM_TREE_MIN: it sums as trees), bit for bit */
          for (int variant = 0; variant < 2; variant++) {
            uint64_t* differ = variant == 0 ? &s->short_calls_differ : &s->tree_calls_differ;
            s4j_store_in_calls(s4j_exp_kernels[k].store, n, variant == 0 ? S4J_FOLD_MIN / 4 : n, x, z2, 1.0f, e_max,
                               s4j_exp_kernels[k].tree);
            *differ += s4j_bits_differ(s4j_exp_kernels[k].name, *differ == 0, x, z, z2, n);
          }
          /* in double: times the table's factor, the smallest terms would be subnormal floats */
          double lo = s->lo_rel, hi = s->hi_rel;
          for (size_t i = 0; i < n; i++) {
            const double rel = (ldexp((double)z[i], -S4J_EXP_BIAS) - ref[i]) / ref[i] * 0x1p24;
            if (!(rel == rel)) { /* NaN: compares false below */
              s->nan_terms++;
            } else if (rel < lo) {
              lo = rel;
              s->lo_x = x[i];
            }
            if (rel > hi) {
              hi = rel;
              s->hi_x = x[i];
            }
          }
          s->lo_rel = lo;
          s->hi_rel = hi;
          s->count += n;
          continue;
        }
        if (s4j_exp_kernels[k].store != NULL && !s4j_exp_kernels[k].tree) {
          /* the same floats in calls shorter than S4J_FOLD_MIN (AVX-512: tables without 2^-E), the same bits */
          s4j_store_in_calls(s4j_exp_kernels[k].store, n, S4J_FOLD_MIN / 4, x, z2, 1.0f, e_max, 0);
          s->short_calls_differ += s4j_bits_differ(s4j_exp_kernels[k].name, s->short_calls_differ == 0, x, z, z2, n);
        }
        if (s4j_exp_kernels[k].store != NULL) { /* its terms carry 2^EXP_BIAS: removed exactly (they stay normal) */
          for (size_t i = 0; i < n; i++) z[i] = (float)ldexp((double)z[i], -S4J_EXP_BIAS);
        }
        /* chunk max first (vectorizable), then locate it only when it beats the running max */
        double chunk_max = 0.0, chunk_rel = 0.0;
        int nan_seen = 0;
        for (size_t i = 0; i < n; i++) {
          const double d = fabs((double)z[i] - ref[i]);
          const double err = d * inv_ulp[i];
          const double rel = d / ref[i] * 0x1p24;
          chunk_max = err > chunk_max ? err : chunk_max;
          chunk_rel = rel > chunk_rel ? rel : chunk_rel;
          nan_seen |= isnan(z[i]);
        }
        s->max_rel = nan_seen ? INFINITY : chunk_rel > s->max_rel ? chunk_rel : s->max_rel;
        if (nan_seen || chunk_max > s->max_ulp) {
          for (size_t i = 0; i < n; i++) {
            const double err = fabs((double)z[i] - ref[i]) * inv_ulp[i];
            if (!(err <= s->max_ulp)) { /* also catches NaN */
              s->max_ulp = isnan(err) ? INFINITY : err;
              s->worst_x = x[i];
              s->worst_z = z[i];
              s->worst_ref = ref[i];
            }
          }
        }
        s->count += n;
      }
    }
  }
  printf("double reference exp: %.1f s, total %.1f s\n", ref_seconds, now_s() - t_start);
  for (int k = 0; k < S4J_EXP_KERNEL_COUNT; k++) {
    if (!runnable[k]) continue;
    const tier_stats* s = &stats[k];
    if (!(s4j_exp_kernels[k].tree & S4J_ROW_CANCEL)) /* the cancelling terms carry the table's factor: below */
    printf("%-8s %-53s %llu floats, max error %.4f ULP at x=%a (z=%a, ref=%a), relative %.4f x 2^-24, kernel %.2f s\n",
           s4j_isa_name(s4j_exp_kernels[k].isa), s4j_exp_kernels[k].name, (unsigned long long)s->count,
           s->max_ulp, (double)s->worst_x, (double)s->worst_z, s->worst_ref, s->max_rel, s->seconds);
    if (s4j_exp_kernels[k].tree & S4J_ROW_CANCEL) {
      /* the stored terms of softmax rows, divided by their own sum: their distance from one common multiple, and
       * that the table tiers did build their tables for their factor (s4j_cancel_factor) */
      printf("%-8s %-53s at x=%a (low), %a (high)\n", s4j_isa_name(s4j_exp_kernels[k].isa), s4j_exp_kernels[k].name,
             (double)s->lo_x, (double)s->hi_x);
      (void)s4j_check_cancel(s4j_exp_kernels[k].name, s4j_exp_kernels[k].isa, s->lo_rel, s->hi_rel, s->nan_terms);
      CHECK(s->tree_calls_differ == 0, "%s: %llu floats differ between calls of %d and calls summed as trees",
            s4j_exp_kernels[k].name, (unsigned long long)s->tree_calls_differ, S4J_SUM_TREE_MIN);
    } else if (s4j_exp_kernels[k].tree) {
      /* the longer rows' stored terms: their budget takes the relative error (docs/NUMERICS.md, "Error budget") */
      const double bound = s4j_exp_tree_max_rel(s4j_exp_kernels[k].isa);
      CHECK(s->max_rel <= bound, "%s: exp max relative error %.4f x 2^-24 > %.2f", s4j_exp_kernels[k].name,
            s->max_rel, bound);
      /* and the call did take the exp without the rests (with them: 1.03-1.08), but on the portable tier */
      CHECK(s4j_exp_kernels[k].isa == S4J_ISA_PORTABLE || s->max_rel > 1.2,
            "%s: max relative error %.4f x 2^-24: a tree call kept the table rests", s4j_exp_kernels[k].name,
            s->max_rel);
    } else {
      const double bound = s4j_exp_max_ulp(s4j_exp_kernels[k].isa);
      CHECK(s->max_ulp <= bound, "%s: exp max error %.4f ULP > %.2f at x=%a", s4j_exp_kernels[k].name, s->max_ulp,
            bound, (double)s->worst_x);
    }
    CHECK(s->count > 0, "%s swept nothing", s4j_exp_kernels[k].name);
    CHECK(s->short_calls_differ == 0, "%s: %llu floats differ between one call and calls shorter than S4J_FOLD_MIN",
          s4j_exp_kernels[k].name, (unsigned long long)s->short_calls_differ);
  }
  free(x);
  free(z);
  free(z2);
  free(ref);
  free(inv_ulp);
  return s4j_report("test_exp_exhaustive");
}
