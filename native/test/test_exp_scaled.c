/*
 * The exp with a temperature and with a folded factor, sampled: test_exp_exhaustive sweeps every float for
 * s = 1 and c = 1 only, where the exact product's lo part and the factor's rounding in the table entries do
 * not occur. Here each tier's two exp kernels take the scales s = 1/T of common temperatures and awkward ones
 * (the product s*x is then split into hi + lo, lo joins the reduced argument) and, for vscaleexp, factors
 * c = 1/m with m in [1, 2) as the drivers pass (the table holds fl(2^(j/L) * c) and its rest): raddstoreexp
 * writes z = exp(s*x) * 2^(EXP_BIAS - E), vscaleexp z = exp(s*x) * c * 2^-E. The inputs: s*x uniform over
 * the three ranges of test_exp_exhaustive (E = 0 below 0, 63 up to 44, 127 above, so that every z is a normal
 * float), each x rounded to a float, and the reference exp((double)s * x) * c * 2^-E in double (s*x exact
 * in double). Every error is asserted against the tier's bound (s4j_exp_max_ulp), the bound the reload's
 * 4-ULP budget rests on (docs/NUMERICS.md, "Error budget"); the store pass of rows summed as trees (tree = 1:
 * no table rests) against its relative bound (s4j_exp_tree_max_rel), which their 8-ULP budget rests on; the store
 * pass of softmax rows (S4J_ROW_TREE | S4J_ROW_CANCEL, calls of S4J_SUM_TREE_MIN floats: the cancelling table) by
 * the range of its signed relative errors, from which the distance of every term from one common multiple (which
 * the output's 1 / sum cancels) is asserted against s4j_exp_cancel_max_rel (s4j_test_cancel.h), and the same bits
 * in calls shorter than S4J_FOLD_MIN and in one call summed as trees.
 * Seeded; the seed and the worst input print.
 */
#include <float.h>

#include "s4j_test_cancel.h"
#include "kernels.h"

typedef struct {
  int isa;
  const char* name;
  s4j_f32_vscaleexp_fn scaleexp;
  s4j_f32_raddstoreexp_fn store;
} s4j_tier_kernels;
static const s4j_tier_kernels s4j_tiers[] = {
#define S4J_TIER(id, isa, method, unroll, vlen, flags, ...) \
  {id, #isa, s4j_f32_vscaleexp__##isa##_##method##_##unroll, s4j_f32_raddstoreexp__##isa##_##method##_##unroll},
#include "s4j_tiers.inc"
#undef S4J_TIER
};
#define S4J_TIER_COUNT ((int)(sizeof s4j_tiers / sizeof s4j_tiers[0]))

#define SAMPLES 131072 /* per (s, range): one call each */
#define SEED UINT64_C(0x5EED0E8F)

/* 1/T for T = 0.7, 1.3, 0.9, 3, 2, 0.5, 0.1, 10, 0.05 (as Softmax.withTemperature rounds them), and scales
 * whose mantissas have many bits. */
static const float scales[] = {1.0f / 0.7f, 1.0f / 1.3f, 1.0f / 0.9f, 1.0f / 3.0f, 0.5f, 2.0f,
                               10.0f,       0.1f,        20.0f,       0x1.fffffep-1f, 0x1.000002p+0f, 0x1.3c8a7ep+3f};
/* The factors c = 1/m of vscaleexp (m: a sum normalised to [1, 2)); 1 (no rest in the entries) too. */
static const double factors[] = {1.0, 1.0 / 1.7, 1.0 / 1.999999, 1.0 / 1.000001, 1.0 / 1.41421356237, 0.6180339887498949};

typedef struct {
  double max_ulp;
  double max_rel; /* |z - r| / r in units of 2^-24 */
  double lo_rel, hi_rel; /* the range of (z - r) / r, units of 2^-24 */
  float worst_x, worst_s;
  double worst_c;
  long count;
  long nan_terms;
  long calls_differ; /* the cancelling kernel: terms whose bits differ between calls of other lengths */
} worst;

static void record(worst* w, const float* x, const float* z, const double* ref, size_t n, float s, double c) {
  for (size_t i = 0; i < n; i++) {
    const double err = fabs((double)z[i] - ref[i]) * s4j_inv_ulp_of(ref[i]);
    const double srel = ((double)z[i] - ref[i]) / ref[i] * 0x1p24, rel = fabs(srel);
    if (!(rel <= w->max_rel)) w->max_rel = isnan(rel) ? INFINITY : rel;
    w->nan_terms += isnan(srel);
    w->lo_rel = srel < w->lo_rel ? srel : w->lo_rel;
    w->hi_rel = srel > w->hi_rel ? srel : w->hi_rel;
    if (!(err <= w->max_ulp)) { /* also catches NaN */
      w->max_ulp = isnan(err) ? INFINITY : err;
      w->worst_x = x[i];
      w->worst_s = s;
      w->worst_c = c;
    }
  }
  w->count += (long)n;
}

int main(void) {
  const int ns = (int)(sizeof scales / sizeof scales[0]);
  const int nc = (int)(sizeof factors / sizeof factors[0]);
  int runnable[S4J_TIER_COUNT > 0 ? S4J_TIER_COUNT : 1];
  worst store_worst[S4J_TIER_COUNT > 0 ? S4J_TIER_COUNT : 1];
  worst scale_worst[S4J_TIER_COUNT > 0 ? S4J_TIER_COUNT : 1];
  worst tree_worst[S4J_TIER_COUNT > 0 ? S4J_TIER_COUNT : 1]; /* the store pass of longer rows (tree = 1) */
  worst cancel_worst[S4J_TIER_COUNT > 0 ? S4J_TIER_COUNT : 1]; /* the store pass of softmax rows (cancelling) */
  CHECK(S4J_TIER_COUNT > 0, "no tier in src/s4j_tiers.inc");
  for (int k = 0; k < S4J_TIER_COUNT; k++) {
    runnable[k] = s4j_tier_runnable(s4j_tiers[k].isa);
    memset(&store_worst[k], 0, sizeof store_worst[k]);
    memset(&scale_worst[k], 0, sizeof scale_worst[k]);
    memset(&tree_worst[k], 0, sizeof tree_worst[k]);
    memset(&cancel_worst[k], 0, sizeof cancel_worst[k]);
    cancel_worst[k].lo_rel = INFINITY;
    cancel_worst[k].hi_rel = -INFINITY;
  }
  float* x = malloc(SAMPLES * sizeof(float));
  float* z = malloc(SAMPLES * sizeof(float));
  float* zc = malloc(SAMPLES * sizeof(float));
  double* w = malloc(SAMPLES * sizeof(double));
  double* ref = malloc(SAMPLES * sizeof(double));
  if (x == NULL || z == NULL || zc == NULL || w == NULL || ref == NULL) {
    fprintf(stderr, "out of memory\n");
    return 2;
  }
  const double ln_min = log((double)FLT_MIN), ln_max = log((double)FLT_MAX);
  s4j_rng_state = SEED;
  printf("test_exp_scaled: seed %#llx, %d scales x 3 ranges x %d samples; vscaleexp with %d factors\n",
         (unsigned long long)SEED, ns, SAMPLES, nc);
  for (int si = 0; si < ns; si++) {
    const float s = scales[si];
    for (int range = 0; range < 3; range++) {
      /* s*x over (ln FLT_MIN, 0], [0, 44) or [44, ln FLT_MAX), as in test_exp_exhaustive */
      const double lo = range == 0 ? ln_min : range == 1 ? 0.0 : 44.0;
      const double hi = range == 0 ? 0.0 : range == 1 ? 44.0 : ln_max;
      const float e = range == 0 ? 0.0f : range == 1 ? 63.0f : 127.0f;
      size_t n = 0;
      while (n < SAMPLES) {
        const float xi = (float)((lo + (hi - lo) * s4j_rng_uniform()) / (double)s);
        const double wi = (double)s * (double)xi; /* exact: 24 x 24 bits */
        if (!(wi > ln_min && wi < ln_max) || (range == 0 && wi > 0.0) || (range == 1 && (wi < 0.0 || wi >= 44.0)) ||
            (range == 2 && wi < 44.0) || ldexp(exp(wi) * 0.5, -(int)e) < (double)FLT_MIN) {
          continue; /* rounding x to a float moved s*x out of its range, or z = exp(s*x) * c may be subnormal */
        }
        x[n] = xi;
        w[n] = wi;
        n++;
      }
      for (int k = 0; k < S4J_TIER_COUNT; k++) {
        if (!runnable[k]) continue;
        /* the store pass: terms times 2^EXP_BIAS, removed exactly (they stay normal floats) */
        for (size_t i = 0; i < n; i++) ref[i] = ldexp(exp(w[i]), -(int)e);
        (void)s4j_tiers[k].store(n, x, z, s, e, 0);
        for (size_t i = 0; i < n; i++) z[i] = (float)ldexp((double)z[i], -S4J_EXP_BIAS);
        record(&store_worst[k], x, z, ref, n, s, 1.0);
        /* the same in a row summed as trees: without the table rests (S4J_TREE_LO), a relative bound */
        (void)s4j_tiers[k].store(n, x, z, s, e, 1);
        for (size_t i = 0; i < n; i++) z[i] = (float)ldexp((double)z[i], -S4J_EXP_BIAS);
        record(&tree_worst[k], x, z, ref, n, s, 1.0);
        /* the same in softmax rows: the cancelling table, in calls that do not sum as trees; the same bits in
         * calls shorter than S4J_FOLD_MIN (AVX-512: tables without 2^-E) and in one call that sums as trees */
        const int cancel = S4J_ROW_TREE | S4J_ROW_CANCEL;
        s4j_store_in_calls(s4j_tiers[k].store, n, S4J_SUM_TREE_MIN, x, z, s, e, cancel);
        for (int variant = 0; variant < 2; variant++) {
          s4j_store_in_calls(s4j_tiers[k].store, n, variant == 0 ? S4J_FOLD_MIN / 4 : n, x, zc, s, e, cancel);
          cancel_worst[k].calls_differ +=
              (long)s4j_bits_differ(s4j_tiers[k].name, cancel_worst[k].calls_differ == 0, x, z, zc, n);
        }
        for (size_t i = 0; i < n; i++) z[i] = (float)ldexp((double)z[i], -S4J_EXP_BIAS);
        record(&cancel_worst[k], x, z, ref, n, s, 1.0);
        for (int ci = 0; ci < nc; ci++) {
          const double c = factors[ci];
          for (size_t i = 0; i < n; i++) ref[i] = ldexp(exp(w[i]) * c, -(int)e);
          s4j_tiers[k].scaleexp(n, x, z, s, c, e, NULL);
          record(&scale_worst[k], x, z, ref, n, s, c);
        }
      }
    }
  }
  for (int k = 0; k < S4J_TIER_COUNT; k++) {
    if (!runnable[k]) continue;
    const double bound = s4j_exp_max_ulp(s4j_tiers[k].isa);
    const worst* ws[4] = {&store_worst[k], &scale_worst[k], &tree_worst[k], &cancel_worst[k]};
    const char* kinds[4] = {"raddstoreexp", "vscaleexp", "raddstoreexp (tree)", "raddstoreexp (cancel)"};
    for (int q = 0; q < 4; q++) {
      if (q != 3) /* the cancelling terms carry the table's factor: their range below */
      printf("%-8s %-19s %ld values, max error %.4f ULP at x=%a s=%a c=%.17g, relative %.4f x 2^-24\n",
             s4j_tiers[k].name, kinds[q], ws[q]->count, ws[q]->max_ulp, (double)ws[q]->worst_x,
             (double)ws[q]->worst_s, ws[q]->worst_c, ws[q]->max_rel);
      CHECK(ws[q]->count > 0, "%s %s: nothing checked", s4j_tiers[k].name, kinds[q]);
      if (q == 3) {
        (void)s4j_check_cancel(kinds[q], s4j_tiers[k].isa, ws[q]->lo_rel, ws[q]->hi_rel, (uint64_t)ws[q]->nan_terms);
        CHECK(ws[q]->calls_differ == 0, "%s %s: %ld terms differ between calls of different lengths",
              s4j_tiers[k].name, kinds[q], ws[q]->calls_differ);
        continue;
      }
      if (q == 2) {
        const double rel_bound = s4j_exp_tree_max_rel(s4j_tiers[k].isa);
        CHECK(ws[q]->max_rel <= rel_bound, "%s %s: exp max relative error %.4f x 2^-24 > %.2f", s4j_tiers[k].name,
              kinds[q], ws[q]->max_rel, rel_bound);
        continue;
      }
      CHECK(ws[q]->max_ulp <= bound, "%s %s: exp max error %.4f ULP > %.2f at x=%a s=%a c=%.17g", s4j_tiers[k].name,
            kinds[q], ws[q]->max_ulp, bound, (double)ws[q]->worst_x, (double)ws[q]->worst_s, ws[q]->worst_c);
    }
  }
  free(x);
  free(z);
  free(zc);
  free(w);
  free(ref);
  return s4j_report("test_exp_scaled");
}
