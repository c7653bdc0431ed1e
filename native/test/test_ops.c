/* C tests of the operations beyond softmax (s4j_f32_rows_at, s4j_f32_sumexp_at, s4j_f32_finish_at):
 * log-softmax, logsumexp, the temperature scale, rows with strides, the safe flag and the split
 * two-pass, on every ISA tier this CPU runs, against a double-precision reference (test code only).
 * Bounds (docs/NUMERICS.md): softmax 8 ULP (2 measured), logsumexp 2 ULP of max(|lse|, 1), log-softmax
 * 2^-23 * (|s*x| + |lse|) + 2^-24 absolute. S4J_TEST_SEED overrides the seed, S4J_TEST_QUICK=1 uses
 * smaller sizes (emulation, qemu). */
#include <float.h>

#include "s4j_test_util.h"

static uint64_t g_seed = UINT64_C(0x5EED0000000F0005);

/* Reference: v = s*x (exact in double), max-subtracted in double. Returns lse; ref may be NULL. */
static double reference(int op, float s, const float* x, size_t n, double* ref) {
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const double v = (double)x[i] * s; /* (fmax here crashed aarch64 gcc 12 -O3: an ICE in the vectorizer) */
    if (v > max) max = v;
  }
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += exp((double)x[i] * s - max);
  const double lse = max + log(sum);
  if (ref != NULL) {
    for (size_t i = 0; i < n; i++) {
      ref[i] = op == S4J_OP_SOFTMAX ? exp((double)x[i] * s - max) / sum : (double)x[i] * s - lse;
    }
  }
  return lse;
}

/* float ULP at |v| (v normal) */
static double ulp_at(double v) {
  int ex;
  frexp(v, &ex);
  return ldexp(1.0, ex - 24);
}

/* Checks one row's output; returns 1 if all good. */
static int check_row(int op, float s, const float* x, const float* y, size_t n, double lse_got, int have_lse,
                     double* ref, const char* what) {
  const double lse = reference(op, s, x, n, ref);
  int ok = 1;
  if (have_lse) {
    const double err = fabs((double)(float)lse_got - lse) / ulp_at(fmax(fabs(lse), 1.0));
    if (!(err <= 2.0)) {
      CHECK(0, "%s n=%zu s=%g: lse %.9g vs %.9g (%.2f ULP of max(|lse|,1)), seed 0x%llx", what, n, s, lse_got, lse,
            err, (unsigned long long)g_seed);
      ok = 0;
    }
  }
  if (op == S4J_OP_LOG_SUM_EXP) return ok;
  for (size_t i = 0; i < n && ok; i++) {
    double err, bound;
    if (op == S4J_OP_SOFTMAX) {
      err = fabs((double)y[i] - ref[i]);
      bound = ref[i] >= FLT_MIN ? 8.0 * ulp_at(ref[i]) : FLT_MIN;
    } else {
      err = fabs((double)y[i] - ref[i]);
      bound = 0x1.0p-23 * (fabs((double)x[i] * s) + fabs(lse)) + 0x1.0p-24;
    }
    if (!(err <= bound)) {
      CHECK(0, "%s n=%zu s=%g i=%zu x=%.9g: y=%.9g ref=%.9g (err %.3g > %.3g), seed 0x%llx", what, n, s, i, x[i], y[i],
            ref[i], err, bound, (unsigned long long)g_seed);
      ok = 0;
    }
  }
  return ok;
}

static void fill(float* x, size_t n, int dist) {
  for (size_t i = 0; i < n; i++) {
    switch (dist) {
      case 0: x[i] = (float)s4j_rng_normal(); break;
      case 1: x[i] = (float)(-100.0 + 200.0 * s4j_rng_uniform()); break;
      case 2: x[i] = (float)(89.0 + 11.0 * s4j_rng_uniform()); break;
      default: x[i] = (float)(0.05 * s4j_rng_normal()); break; /* lse and log-softmax near 0 */
    }
  }
}

static const float k_scales[] = {1.0f, 0.7f, 1.0f / 0.3f, 2.0f};

/* Every op x algorithm x scale x size on one tier, as single rows. */
static void ops_single(int isa, float* x, float* y, double* ref, size_t max_n) {
  static const size_t sizes[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 1000, 1001, 4096, 4097, 65537};
  char what[128];
  for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
    const size_t n = sizes[si];
    if (n > max_n) continue;
    for (int dist = 0; dist < 4; dist++) {
      fill(x, n, dist);
      for (size_t k = 0; k < sizeof k_scales / sizeof k_scales[0]; k++) {
        const float s = k_scales[k];
        for (int op = 0; op < S4J_OP_COUNT; op++) {
          for (int algo = 0; algo < (op == S4J_OP_SOFTMAX ? S4J_ALGO_COUNT : 1); algo++) {
            double lse = NAN;
            const int rc = s4j_f32_rows_at(isa, op, algo, S4J_FLAG_LSE, s, x, 0, 0, y, 0, 0, 1, (int64_t)n, &lse, 0);
            snprintf(what, sizeof what, "%s op=%d algo=%s dist=%d", s4j_isa_name(isa), op, s4j_algo_names[algo], dist);
            CHECK(rc == S4J_OK, "%s: rc %d", what, rc);
            CHECK(check_row(op, s, x, y, n, lse, 1, ref, what), "%s", what);
          }
        }
      }
    }
  }
}

/* Rows with strides (and in place), compared row by row with the single-row call, bit for bit. */
static void ops_rows(int isa) {
  enum { ROWS = 9, MAXC = 40, STRIDE = 45 };
  static float x[ROWS * STRIDE], y[ROWS * STRIDE], z[MAXC], w[ROWS * STRIDE];
  static double lse[ROWS], l1;
  for (int cols = 0; cols <= MAXC; cols += (cols < 20 ? 1 : 7)) {
    for (size_t i = 0; i < ROWS * STRIDE; i++) x[i] = (float)(4.0 * s4j_rng_normal());
    for (int op = 0; op < S4J_OP_COUNT; op++) {
      memset(y, 0x7f, sizeof y);
      int rc = s4j_f32_rows_at(isa, op, S4J_ALGO_AUTO, S4J_FLAG_LSE, 0.5f, x, 3, STRIDE, y, 1, STRIDE, ROWS, cols, lse, 0);
      CHECK(rc == S4J_OK, "rows rc %d", rc);
      for (int r = 0; r < ROWS; r++) {
        rc = s4j_f32_rows_at(isa, op, S4J_ALGO_AUTO, S4J_FLAG_LSE, 0.5f, x + 3 + r * STRIDE, 0, 0, z, 0, 0, 1, cols, &l1, 0);
        CHECK(rc == S4J_OK && memcmp(&l1, &lse[r], sizeof l1) == 0, "%s rows op=%d cols=%d row %d: lse differs",
              s4j_isa_name(isa), op, cols, r);
        if (op != S4J_OP_LOG_SUM_EXP) {
          CHECK(memcmp(z, y + 1 + r * STRIDE, sizeof(float) * (size_t)cols) == 0, "%s rows op=%d cols=%d row %d differs",
                s4j_isa_name(isa), op, cols, r);
        }
        /* the gap between rows is untouched */
        for (int g = 1 + r * STRIDE + cols; g < 1 + (r + 1) * STRIDE && g < ROWS * STRIDE; g++) {
          uint32_t bits;
          memcpy(&bits, &y[g], sizeof bits);
          if (bits != 0x7f7f7f7fu) {
            CHECK(0, "%s rows op=%d cols=%d: wrote y[%d] between rows", s4j_isa_name(isa), op, cols, g);
            break;
          }
        }
      }
      /* in place: same offset and stride (and the same flags: a softmax without an lse output takes the cancelling
       * table, docs/NUMERICS.md, and may differ from one with it in the last bit) */
      memcpy(w, x, sizeof w);
      rc = s4j_f32_rows_at(isa, op, S4J_ALGO_AUTO, S4J_FLAG_LSE, 0.5f, w, 3, STRIDE, w, 3, STRIDE, ROWS, cols, lse, 0);
      CHECK(rc == S4J_OK, "in-place rows rc %d", rc);
      if (op != S4J_OP_LOG_SUM_EXP) {
        for (int r = 0; r < ROWS; r++) {
          CHECK(memcmp(w + 3 + r * STRIDE, y + 1 + r * STRIDE, sizeof(float) * (size_t)cols) == 0,
                "%s in-place rows op=%d cols=%d row %d differs", s4j_isa_name(isa), op, cols, r);
        }
        /* and without the lse output, in place and out of place alike */
        memcpy(w, x, sizeof w);
        rc = s4j_f32_rows_at(isa, op, S4J_ALGO_AUTO, 0, 0.5f, w, 3, STRIDE, w, 3, STRIDE, ROWS, cols, NULL, 0);
        CHECK(rc == S4J_OK, "in-place rows rc %d", rc);
        rc = s4j_f32_rows_at(isa, op, S4J_ALGO_AUTO, 0, 0.5f, x, 3, STRIDE, y, 1, STRIDE, ROWS, cols, NULL, 0);
        CHECK(rc == S4J_OK, "rows rc %d", rc);
        for (int r = 0; r < ROWS; r++) {
          CHECK(memcmp(w + 3 + r * STRIDE, y + 1 + r * STRIDE, sizeof(float) * (size_t)cols) == 0,
                "%s in-place rows op=%d cols=%d row %d differs without lse", s4j_isa_name(isa), op, cols, r);
        }
      }
    }
  }
}

/* Special values of the new ops, and the safe flag. */
static void ops_special(int isa) {
  const float inf = INFINITY;
  float x[5], y[5];
  double l;
  /* all -Inf: lse -Inf; softmax NaN, safe: 0; log-softmax NaN, safe: -Inf */
  for (int i = 0; i < 5; i++) x[i] = -inf;
  CHECK(s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 5, &l, 0) == S4J_OK && l == -inf,
        "%s lse(all -Inf) = %g", s4j_isa_name(isa), l);
  s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 5, &l, 0);
  CHECK(isnan(y[0]) && isnan(y[4]), "%s softmax(all -Inf) not NaN", s4j_isa_name(isa));
  s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, 0, S4J_FLAG_SAFE, 1.0f, x, 0, 0, y, 0, 0, 1, 5, &l, 0);
  CHECK(y[0] == 0.0f && y[4] == 0.0f, "%s safe softmax(all -Inf) = %g", s4j_isa_name(isa), y[0]);
  s4j_f32_rows_at(isa, S4J_OP_LOG_SOFTMAX, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 5, &l, 0);
  CHECK(isnan(y[0]) && isnan(y[4]), "%s log_softmax(all -Inf) not NaN", s4j_isa_name(isa));
  s4j_f32_rows_at(isa, S4J_OP_LOG_SOFTMAX, 0, S4J_FLAG_SAFE, 1.0f, x, 0, 0, y, 0, 0, 1, 5, &l, 0);
  CHECK(y[0] == -inf && y[4] == -inf, "%s safe log_softmax(all -Inf) = %g", s4j_isa_name(isa), y[0]);
  /* a -Inf among finite values: softmax 0, log-softmax -Inf, others finite */
  x[0] = 1.0f; x[1] = -inf; x[2] = 2.0f; x[3] = -inf; x[4] = 0.5f;
  s4j_f32_rows_at(isa, S4J_OP_LOG_SOFTMAX, 0, S4J_FLAG_LSE, 2.0f, x, 0, 0, y, 0, 0, 1, 5, &l, 0);
  CHECK(y[1] == -inf && y[3] == -inf && isfinite(y[0]) && isfinite(l), "%s log_softmax with -Inf", s4j_isa_name(isa));
  /* +Inf: lse +Inf, softmax NaN; NaN: lse NaN */
  x[2] = inf;
  s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 5, &l, 0);
  CHECK(l == inf, "%s lse(+Inf) = %g", s4j_isa_name(isa), l);
  x[2] = NAN;
  s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 5, &l, 0);
  CHECK(isnan(l), "%s lse(NaN) = %g", s4j_isa_name(isa), l);
  /* huge values take the exact path: lse([1e30, 0]) = 1e30; scaled: s = 1e-30 gives lse(1, 0) */
  x[0] = 1e30f; x[1] = 0.0f;
  s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 2, &l, 0);
  CHECK(l == (double)1e30f, "%s lse(1e30, 0) = %g", s4j_isa_name(isa), l);
  s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1e-30f, x, 0, 0, y, 0, 0, 1, 2, &l, 0);
  CHECK(fabs(l - (double)reference(S4J_OP_LOG_SUM_EXP, 1e-30f, x, 2, NULL)) < 1e-7, "%s lse(s=1e-30) = %g",
        s4j_isa_name(isa), l);
  /* empty rows: lse -Inf */
  CHECK(s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 0, &l, 0) == S4J_OK && l == -inf,
        "%s lse(empty) = %g", s4j_isa_name(isa), l);
  /* bad arguments */
  CHECK(s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 2, NULL, 0) == S4J_EINVAL, "lse NULL");
  CHECK(s4j_f32_rows_at(isa, 3, 0, 0, 1.0f, x, 0, 0, y, 0, 0, 1, 2, &l, 0) == S4J_EINVAL, "bad op");
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, -1.0f, x, 0, 0, y, 0, 0, 1, 2, &l, 0) == S4J_EINVAL, "negative scale");
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, NAN, x, 0, 0, y, 0, 0, 1, 2, &l, 0) == S4J_EINVAL, "NaN scale");
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, INFINITY, x, 0, 0, y, 0, 0, 1, 2, &l, 0) == S4J_EINVAL, "+Inf scale");
  CHECK(s4j_f32_softmax_argmax_rows_at(isa, 0, 0, INFINITY, x, 0, 2, y, 0, 2, 1, 2, (int64_t[1]){0}, 0) ==
            S4J_EINVAL,
        "argmax rows +Inf scale");
  CHECK(s4j_f32_rows_at(isa, 0, 0, 8, 1.0f, x, 0, 0, y, 0, 0, 1, 2, &l, 0) == S4J_EINVAL, "bad flag");
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, 1.0f, x, 0, -1, y, 0, 2, 2, 2, NULL, 0) == S4J_EINVAL, "negative stride");
  /* NULL memory where there is something to compute (none where there is not) */
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, 1.0f, x, 0, 2, NULL, 0, 2, 1, 2, NULL, 0) == S4J_EINVAL, "y NULL");
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, 1.0f, NULL, 0, 2, y, 0, 2, 1, 2, NULL, 0) == S4J_EINVAL, "x NULL");
  CHECK(s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0f, x, 0, 2, NULL, 0, 2, 1, 2, &l, 0) == S4J_OK,
        "lse needs no y");
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, 1.0f, NULL, 0, 2, NULL, 0, 2, 0, 2, NULL, 0) == S4J_OK, "no rows, NULL");
  CHECK(s4j_f32_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, 1.0f, NULL, 0, 2, NULL, 0, 2, 0, 2, NULL, 0) == S4J_OK,
        "no rows, NULL lse");
  CHECK(s4j_softmax_f32(isa, 0, NULL, y, 2) == S4J_EINVAL, "softmax x NULL");
  CHECK(s4j_softmax_f32(isa, 0, x, NULL, 2) == S4J_EINVAL, "softmax y NULL");
  CHECK(s4j_softmax_f32(isa, 0, NULL, NULL, 0) == S4J_OK, "softmax of nothing, NULL");
  {
    double me[2];
    int64_t at;
    int32_t idx[2];
    CHECK(s4j_f32_sumexp_at(isa, 1.0f, NULL, 0, 2, me) == S4J_EINVAL, "sumexp x NULL");
    CHECK(s4j_f32_finish_at(isa, 0, 1.0f, x, 0, NULL, 0, 2, 1.0, 0.0) == S4J_EINVAL, "finish y NULL");
    CHECK(s4j_f32_argmax_at(isa, NULL, 0, 2, &at) == S4J_EINVAL, "argmax x NULL");
    CHECK(s4j_f32_select_at(isa, NULL, 0, 2, 0.0f, INFINITY, idx, NULL, 2, &at) == S4J_EINVAL, "select x NULL");
    CHECK(s4j_f32_select_at(isa, x, 0, 2, NAN, INFINITY, idx, NULL, 2, &at) == S4J_EINVAL, "select NaN threshold");
    CHECK(s4j_f32_sumexp_at(isa, INFINITY, x, 0, 2, me) == S4J_EINVAL, "sumexp +Inf scale");
    /* nothing to do: NULL memory with offsets is no error (the entries return before any arithmetic on NULL,
     * which clang's UBSan reports; these checks pin the return codes) */
    CHECK(s4j_f32_finish_at(isa, 0, 1.0f, NULL, 5, NULL, 7, 0, 1.0, 0.0) == S4J_OK, "finish of nothing, NULL");
    CHECK(s4j_f32_select_at(isa, NULL, 5, 0, 0.0f, INFINITY, NULL, NULL, 0, &at) == S4J_OK && at == 0, "select of nothing, NULL");
    CHECK(s4j_f32_softmax_argmax_rows_at(isa, 0, 0, 1.0f, x, 0, 2, NULL, 0, 2, 1, 2, &at, 0) == S4J_EINVAL,
          "softmax argmax y NULL");
  }
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, 1.0f, x, 0, 2, y, 0, -1, 2, 2, NULL, 0) == S4J_EINVAL, "negative y stride");
  /* rows whose last end overflows int64_t (the row loops' index arithmetic would be undefined) */
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, 1.0f, x, 0, INT64_MAX / 2, y, 0, 2, 4, 2, NULL, 0) == S4J_EINVAL,
        "x rows past int64");
  CHECK(s4j_f32_rows_at(isa, 0, 0, 0, 1.0f, x, 0, 2, y, INT64_MAX - 1, 2, 2, 2, NULL, 0) == S4J_EINVAL,
        "y rows past int64");
  /* one row does not use its strides (any value), with a temperature and the lse flag too */
  x[0] = 1.0f;
  x[1] = 1.0f;
  CHECK(s4j_f32_rows_at(isa, 0, 0, S4J_FLAG_LSE, 0.5f, x, 0, -7, y, 0, -1, 1, 2, &l, 0) == S4J_OK && y[0] == 0.5f &&
            y[1] == 0.5f && fabs(l - (0.5 + log(2.0))) < 1e-6,
        "%s one row, negative strides: %g %g lse %g", s4j_isa_name(isa), y[0], y[1], l);
}

/* The split two-pass (sumexp of parts merged by the max rule, then finish per part) against the one-call two-pass
 * with the lse flag. Where the row's log-sum-exp stays below S4J_TREE_LSE_MIN (8; softmax.c) both sum every pair
 * exactly and, the parts being whole steps of the kernels' loops, agree bit for bit; logits above it let each call
 * add its later blocks as trees (a part from its own head on), so the two differ in the last bits only. */
static void split_two_pass(int isa, const float* x, float* z, size_t n, float s, double* m_out, double* e_out) {
  const size_t part = 4096 * 3;
  double m = 0.0, e = -INFINITY;
  for (size_t i = 0; i < n; i += part) {
    double me[2];
    const size_t c = n - i < part ? n - i : part;
    CHECK(s4j_f32_sumexp_at(isa, s, x, (int64_t)i, (int64_t)c, me) == S4J_OK && !isnan(me[0]), "sumexp");
    if (me[1] > e) {
      m = (e == -INFINITY ? 0.0 : ldexp(m, (int)(e - me[1]))) + me[0];
      e = me[1];
    } else {
      m += ldexp(me[0], (int)(me[1] - e));
    }
  }
  for (size_t i = 0; i < n; i += part) {
    const size_t c = n - i < part ? n - i : part;
    CHECK(s4j_f32_finish_at(isa, S4J_OP_SOFTMAX, s, x, (int64_t)i, z, (int64_t)i, (int64_t)c, m, e) == S4J_OK, "finish");
  }
  *m_out = m;
  *e_out = e;
}

static void ops_split(int isa, float* x, float* y, float* z, size_t n) {
  const float s = 0.7f;
  double lse, m, e;
  for (int logits = 0; logits <= 1; logits++) {
    fill(x, n, 1); /* U(-100, 100): log-sum-exp ~ 70 */
    if (!logits) {
      for (size_t i = 0; i < n; i++) x[i] -= 130.0f; /* log-sum-exp ~ -20 */
    }
    s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, S4J_ALGO_TWO_PASS, S4J_FLAG_LSE, s, x, 0, 0, y, 0, 0, 1, (int64_t)n, &lse, 0);
    split_two_pass(isa, x, z, n, s, &m, &e);
    CHECK((lse >= 8.0) == logits, "%s split: the row's log-sum-exp is %g", s4j_isa_name(isa), lse);
    if (!logits) {
      CHECK(memcmp(y, z, n * sizeof(float)) == 0, "%s split two-pass differs from one call", s4j_isa_name(isa));
      continue;
    }
    /* each log-sum-exp within 4.87 x 2^-24 of the exact one (docs/NUMERICS.md, "Sums": AVX-512's tree, 3 x 2^-24
     * (2 on AVX2 and NEON), plus the terms' own relative error, at most 1.85 x 2^-24 in tree calls, which leave
     * out the table rests, S4J_TREE_LO; the parts' heads keep them), so within 9.74 x 2^-24 of each other */
    const double diff = fabs(log(m) + e * 0x1.62e42fefa39efp-1 - lse);
    CHECK(diff <= 9.75 * 0x1.0p-24, "%s split: log-sum-exp %.17g vs one call's %.17g", s4j_isa_name(isa),
          log(m) + e * 0x1.62e42fefa39efp-1, lse);
    size_t far = 0;
    for (size_t i = 0; i < n; i++) far += fabs((double)z[i] - y[i]) > 6.0 * ulp_at(fmax(y[i], FLT_MIN));
    CHECK(far == 0, "%s split: %zu outputs more than 6 ULP from one call's", s4j_isa_name(isa), far);
  }
  x[5] = NAN;
  double me[2];
  s4j_f32_sumexp_at(isa, s, x, 0, (int64_t)n, me);
  CHECK(isnan(me[0]), "%s sumexp with a NaN must report NaN", s4j_isa_name(isa));
  CHECK(s4j_f32_finish_at(isa, S4J_OP_SOFTMAX, s, x, 0, z, 0, 4, 1.0, 1e9) == S4J_EINVAL, "finish out of range");
  CHECK(s4j_f32_finish_at(isa, S4J_OP_SOFTMAX, s, x, 0, z, 0, 4, 1.0, 0.5) == S4J_EINVAL, "finish e not an integer");
}

/* Softmax with an lse output by the reload, in place (the max pass first, E the row's) and out of place (E from the
 * head, the later blocks redone, segments): the same bits and lse, the trees allowed at the same blocks once the
 * log-sum-exp so far reaches 8 (softmax.c, s4j_tree_after), whatever E the sums are relative to. Two rows: the head
 * ~60 below the rest (the first block redone), and a first block of zeros (log-sum-exp 11.1 relative to an E near 0)
 * before a block 60 higher (redone, E ~100): there the tree decision for the second block is taken on the same sum
 * relative to E ~0 out of place and E ~100 in place, so a decision that depended on E (log of the sum relative to it,
 * say) would differ between the two. */
static void ops_reload_lse_in_place(int isa, float* x, float* y, float* z, double* ref, size_t max_n) {
  for (int row = 0; row < 2; row++) {
    const size_t want = row == 0 ? 3 * 65536 + 77 : 2 * 65536 + 77;
    const size_t n = max_n < want ? max_n : want;
    fill(x, n, 1);
    if (row == 0) {
      for (size_t i = 0; i < 256; i++) x[i] -= 60.0f; /* the head ~60 below the rest: out of place redoes */
    } else {
      for (size_t i = 0; i < n; i++) x[i] = i < 65536 ? 0.0f : x[i] * 0.1f + 60.0f;
    }
    double l_out = NAN, l_in = NAN;
    const int rc = s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, S4J_ALGO_THREE_PASS_RELOAD, S4J_FLAG_LSE, 1.0f, x, 0, 0, y, 0,
                                   0, 1, (int64_t)n, &l_out, 0);
    memcpy(z, x, n * sizeof *z);
    const int rc2 = s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, S4J_ALGO_THREE_PASS_RELOAD, S4J_FLAG_LSE, 1.0f, z, 0, 0, z, 0,
                                    0, 1, (int64_t)n, &l_in, 0);
    CHECK(rc == S4J_OK && rc2 == S4J_OK && memcmp(y, z, n * sizeof *y) == 0 && l_out == l_in,
          "%s reload with lse, row %d, n=%zu: in place and out of place differ (lse %.17g / %.17g)", s4j_isa_name(isa),
          row, n, l_in, l_out);
    CHECK(check_row(S4J_OP_SOFTMAX, 1.0f, x, y, n, l_out, 1, ref, "reload with lse"), "%s reload with lse n=%zu",
          s4j_isa_name(isa), n);
  }
}

/* Floats per vector of each tier (1: the portable tier, which sums in double). */
static size_t tier_lanes(int isa) {
  return isa == S4J_ISA_AVX512 ? 16 : isa == S4J_ISA_AVX2 ? 8 : isa == S4J_ISA_NEON ? 4 : 1;
}

/* A row whose log-sum-exp stays below S4J_TREE_LSE_MIN (softmax.c) keeps the exact pairs in every block: x[0] = -20
 * (one term e^-20, so any threshold below -20 would allow trees), all else -150 but test_sums' adversarial step at
 * `at` (a term 1 and partners that make every level of a step's tree round down: 3 x 2^-24 of the sum lost on
 * AVX-512, 2 on AVX2 and NEON; the pairs lose just under 1). `at` is a multiple of the step from the start of the
 * kernel call that sums it in every driver. */
static void tree_lse_row(size_t lanes, float* x, size_t n, size_t at) {
  for (size_t i = 0; i < n; i++) x[i] = -150.0f; /* terms of 0, or far below the sum */
  x[0] = -20.0f;
  static const int p8[8] = {0, 26, 25, 26, 24, 26, 25, 26}; /* ((z0 + z4) + (z2 + z6)) + ((z1 + z5) + (z3 + z7)) */
  static const int p4[4] = {0, 25, 24, 25};                 /* (z0 + z2) + (z1 + z3) */
  for (int q = 0; q < (lanes == 16 ? 8 : 4); q++) {
    const int pw = lanes == 16 ? p8[q] : p4[q];
    x[at + (size_t)q * lanes] = pw == 0 ? 0.0f : -(float)pw * 0.69314718f - 1e-4f;
  }
}

/* Such a row's log-sum-exp (~3 x 2^-24 with a tree, ~2^-24 at most with the pairs) against the reference: with the
 * pairs only the 1's pair rounds (<= 2^-24 of the sum) and every other term is below 2^-24, so 1.5 x 2^-24 holds
 * them and fails any tree (test_sums measures the step's loss just under 3 and 2 units). */
static int tree_lse_ok(const float* x, size_t n, double lse, const char* what) {
  const double want = reference(S4J_OP_LOG_SUM_EXP, 1.0f, x, n, NULL);
  const int ok = fabs(lse - want) <= 1.5 * 0x1.0p-24;
  CHECK(ok, "%s: log-sum-exp %.17g, want %.17g (%.3f x 2^-24 off: a tree where the pairs are due)", what, lse, want,
        (lse - want) * 0x1.0p+24);
  return ok;
}

/* Every driver keeps the pairs while the log-sum-exp so far is below 8, even where a call is long enough for a tree:
 * two-pass's s4j_sumexp after its 4096-float head (log-softmax, log-sum-exp: 12288 floats, the step at 4096) and
 * across its blocks (77824 floats, the step at 4096 + 65536, the start of its third call), the reload's block loop
 * out of place and its max-pass block sums in place (softmax with an lse output; its second block starts at 65536),
 * recompute's block sums, and the split's parts (s4j_f32_sumexp_at over the row). The 1's log-probability, -lse, is
 * bound to ~2^-24 (check_row) and the log-sum-exp to 1.5 x 2^-24 (tree_lse_ok): a tree in any of them fails. */
static void ops_tree_lse(int isa, float* x, float* y, float* z, double* ref, size_t cap) {
  const size_t lanes = tier_lanes(isa);
  if (lanes == 1) return;
  static const size_t rows[2][2] = {{12288, 4096}, {65536 + 12288, 65536 + 4096}};
  CHECK(cap >= rows[1][0], "ops_tree_lse needs buffers of %zu floats, has %zu", rows[1][0], cap);
  if (cap < rows[1][0]) return;
  char what[128];
  for (int r = 0; r < 2; r++) {
    const size_t n = rows[r][0];
    tree_lse_row(lanes, x, n, rows[r][1]);
    for (int op = S4J_OP_LOG_SOFTMAX; op <= S4J_OP_LOG_SUM_EXP; op++) {
      double lse = NAN;
      const int rc = s4j_f32_rows_at(isa, op, S4J_ALGO_AUTO, S4J_FLAG_LSE, 1.0f, x, 0, 0, y, 0, 0, 1, (int64_t)n, &lse,
                                     0);
      snprintf(what, sizeof what, "%s op=%d n=%zu: a log-sum-exp of ~0 with the tree's adversarial step",
               s4j_isa_name(isa), op, n);
      CHECK(rc == S4J_OK && check_row(op, 1.0f, x, y, n, lse, 1, ref, what) && tree_lse_ok(x, n, lse, what), "%s",
            what);
    }
    for (int in_place = 0; in_place <= 1; in_place++) {
      for (int algo = S4J_ALGO_THREE_PASS_RECOMPUTE; algo <= S4J_ALGO_THREE_PASS_RELOAD; algo++) {
        double lse = NAN;
        float* out = in_place ? z : y;
        if (in_place) memcpy(z, x, n * sizeof *z);
        const int rc = s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, algo, S4J_FLAG_LSE, 1.0f, in_place ? z : x, 0, 0, out, 0, 0,
                                       1, (int64_t)n, &lse, 0);
        snprintf(what, sizeof what, "%s softmax with lse, algorithm %d%s, n=%zu, the tree's adversarial step",
                 s4j_isa_name(isa), algo, in_place ? " in place" : "", n);
        CHECK(rc == S4J_OK && check_row(S4J_OP_SOFTMAX, 1.0f, x, out, n, lse, 1, ref, what) &&
                  tree_lse_ok(x, n, lse, what),
              "%s", what);
      }
    }
    double me[2];
    snprintf(what, sizeof what, "%s s4j_f32_sumexp_at n=%zu, the tree's adversarial step", s4j_isa_name(isa), n);
    CHECK(s4j_f32_sumexp_at(isa, 1.0f, x, 0, (int64_t)n, me) == S4J_OK &&
              tree_lse_ok(x, n, log(me[0]) + me[1] * 0x1.62e42fefa39efp-1, what),
          "%s", what);
  }
}

int main(void) {
  const char* seed = getenv("S4J_TEST_SEED");
  if (seed != NULL) g_seed = strtoull(seed, NULL, 0);
  s4j_rng_state = g_seed;
  const int quick = getenv("S4J_TEST_QUICK") != NULL;
  const size_t max_n = quick ? 4097 : 65537;
  const size_t split_n = quick ? 50000 : 300000;
  /* the buffers: ops_split's rows, and three blocks for ops_reload_lse_in_place and ops_tree_lse's longer row */
  const size_t buf_n = quick ? 3 * 65536 + 77 : split_n;
  float* x = malloc(sizeof(float) * buf_n);
  float* y = malloc(sizeof(float) * buf_n);
  float* z = malloc(sizeof(float) * buf_n);
  double* ref = malloc(sizeof(double) * buf_n);
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_tier_runnable(isa)) continue;
    ops_single(isa, x, y, ref, max_n);
    ops_rows(isa);
    ops_special(isa);
    ops_split(isa, x, y, z, split_n);
    ops_tree_lse(isa, x, y, z, ref, buf_n);
    ops_reload_lse_in_place(isa, x, y, z, ref, buf_n);
    printf("tier %s: ops checked\n", s4j_isa_name(isa));
  }
  free(x);
  free(y);
  free(z);
  free(ref);
  printf("seed 0x%llx\n", (unsigned long long)g_seed);
  return s4j_report("test_ops");
}
