/*
 * The sampling entry points (s4j_f32_argmax_at, s4j_f32_select_at, s4j_f32_binexp_at,
 * s4j_f32_softmax_argmax_rows_at) on every runnable tier against plain C loops: sizes 1..70 and a few long ones,
 * ties, NaN at every kind of position, -Inf, +Inf, thresholds and upper bounds at, below and above the data, a
 * cap smaller than the count, offsets; binexp's weights against libm's exp, its bins bit for bit; the fused
 * softmax + argmax against s4j_f32_rows_at's softmax (bit for bit) and a loop over its output, every
 * algorithm, with and without S4J_FLAG_SAFE, out of place, in place and as two strided rows.
 */
#include <float.h>
#include <string.h>

#include "s4j_test_util.h"

/* The first largest of y, -1 if any is NaN. */
static int64_t ref_top(const float* y, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 0; i < n; i++) {
    if (y[i] != y[i]) return -1;
    if (y[i] > y[best]) best = i;
  }
  return best;
}

static void check_fused(int isa, const float* x, int64_t n, const char* what) {
  float* want = malloc(sizeof(float) * (size_t)n);
  float* y = malloc(sizeof(float) * (size_t)(2 * n + 5));
  for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
    for (int flags = 0; flags <= S4J_FLAG_SAFE; flags++) {
      CHECK(s4j_f32_rows_at(isa, S4J_OP_SOFTMAX, algo, flags, 1.0f, x, 0, n, want, 0, n, 1, n, NULL, 0) == S4J_OK,
            "%s softmax rc", what);
      const int64_t top = ref_top(want, n);
      int64_t got[2] = {12345, 12345};
      /* out of place, at offsets */
      CHECK(s4j_f32_softmax_argmax_rows_at(isa, algo, flags, 1.0f, x - 3, 3, n, y - 1, 3, n, 1, n, got, 1) ==
                S4J_OK, "%s fused rc", what);
      CHECK(got[0] == 12345 && got[1] == top, "%s %s %s flags %d n=%lld: index %lld, want %lld", s4j_isa_name(isa),
            s4j_algo_names[algo], what, flags, (long long)n, (long long)got[1], (long long)top);
      CHECK(memcmp(y + 2, want, sizeof(float) * (size_t)n) == 0, "%s %s %s n=%lld: fused y differs",
            s4j_isa_name(isa), s4j_algo_names[algo], what, (long long)n);
      /* in place */
      memcpy(y, x, sizeof(float) * (size_t)n);
      got[0] = 12345;
      CHECK(s4j_f32_softmax_argmax_rows_at(isa, algo, flags, 1.0f, y, 0, n, y, 0, n, 1, n, got, 0) == S4J_OK,
            "%s fused in-place rc", what);
      if (algo != S4J_ALGO_THREE_PASS_RELOAD || isa != S4J_ISA_AVX512) { /* see NUMERICS: in-place reload */
        CHECK(got[0] == top, "%s %s %s n=%lld: in place, index %lld, want %lld", s4j_isa_name(isa),
              s4j_algo_names[algo], what, (long long)n, (long long)got[0], (long long)top);
      }
      CHECK(got[0] == ref_top(y, n), "%s %s %s n=%lld: in place, index %lld is not its output's", s4j_isa_name(isa),
            s4j_algo_names[algo], what, (long long)n, (long long)got[0]);
      /* two rows with a gap between them: the same row twice */
      memcpy(y, x, sizeof(float) * (size_t)n);
      memcpy(y + n + 5, x, sizeof(float) * (size_t)n);
      got[0] = got[1] = 12345;
      CHECK(s4j_f32_softmax_argmax_rows_at(isa, algo, flags, 1.0f, y, 0, n + 5, y, 0, n + 5, 2, n, got, 0) ==
                S4J_OK, "%s fused rows rc", what);
      CHECK(got[0] == got[1] && got[0] == ref_top(y, n) && memcmp(y, y + n + 5, sizeof(float) * (size_t)n) == 0,
            "%s %s %s n=%lld: two rows disagree", s4j_isa_name(isa), s4j_algo_names[algo], what, (long long)n);
    }
  }
  free(y);
  free(want);
}

static int64_t ref_argmax(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    if (x[i] != x[i]) return -1 - i;
  }
  int64_t best = 0;
  for (int64_t i = 1; i < n; i++) {
    if (x[i] > x[best]) best = i;
  }
  return best;
}

/* binexp against libm: each weight within 2^-42 of exp (0 or within DBL_MIN below it), the bins bit for bit the
 * kernel's own weights added in index order at the positions the formula gives (one or two bins, summed in vector
 * lanes: within n ulps of that), the total within 2^-42 + n ulps. */
static void check_binexp(int isa, const float* x, int64_t n, float top, const char* what) {
  static const float scales[] = {1.0f, 1.0f / 0.7f, 0.01f, 30.0f};
  static const int64_t nbins[] = {0, 1, 2, 7, 2048}; /* 0: the weights alone, bins untouched */
  double* w = malloc(sizeof(double) * (size_t)(n + 1));
  double bins[2048 + 1], want[2048 + 1];
  for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
    const float s = scales[k];
    const int64_t nb = nbins[(k + (size_t)n) % 5]; /* every pairing of scale and bins over the lengths */
    const double inv = nb / (32.0 / s) + 0.37 * (double)k;
    for (int64_t b = 0; b <= nb; b++) bins[b] = want[b] = b == nb ? -7.0 : 0.0;
    w[n] = -7.0;
    double total = -1.0;
    CHECK(s4j_f32_binexp_at(isa, x - 3, 3, n, top, s, inv, w, bins, nb, &total) == S4J_OK, "%s binexp rc", what);
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
      const double d = ((double)x[i] - top) * s;
      const double e = exp(d);
      CHECK(w[i] == e || fabs(w[i] - e) <= 0x1p-42 * e || (e < DBL_MIN && w[i] >= 0.0 && w[i] <= DBL_MIN),
            "%s %s n=%lld s=%g: w[%lld] = %.17g, exp(%.17g) = %.17g", s4j_isa_name(isa), what, (long long)n,
            (double)s, (long long)i, w[i], d, e);
      const float b = (top - x[i]) * (float)inv; /* written out here, not s4j_binexp_bin: the test's own (float) */
      if (nb > 0) want[b < (float)(nb - 1) ? (b > 0.0f ? (int64_t)b : 0) : nb - 1] += w[i];
      sum += e;
    }
    int same = memcmp(bins, want, sizeof(double) * (size_t)(nb + 1)) == 0;
    for (int64_t b = 0; nb >= 1 && nb <= 2 && b <= nb; b++) {
      same = b < nb ? fabs(bins[b] - want[b]) <= (double)(n + 4) * 0x1p-52 * want[b] : bins[b] == -7.0;
      if (!same) break;
    }
    CHECK(same && w[n] == -7.0,
          "%s %s n=%lld s=%g nbins=%lld: bins differ (or written past)", s4j_isa_name(isa), what, (long long)n,
          (double)s, (long long)nb);
    CHECK(fabs(total - sum) <= (0x1p-42 + (double)(n + 4) * 0x1p-52) * sum, "%s %s n=%lld: total %.17g, want %.17g",
          s4j_isa_name(isa), what, (long long)n, total, sum);
  }
  free(w);
}

/* walk against a sequential loop: integer weights (every order of their sums exact), survivors x >= xc. */
static void check_walk(int isa, const float* x, int64_t n, const char* what) {
  double* w = malloc(sizeof(double) * (size_t)(n + 1));
  double kept = 0.0;
  const float xc = x[n / 2] == x[n / 2] ? x[n / 2] : 0.0f;
  for (int64_t i = 0; i < n; i++) {
    w[i] = (double)(s4j_rng_next() % 100);
    kept += x[i] >= xc ? w[i] : 0.0;
  }
  const double targets[] = {-1.0, 0.0, 1.0, kept / 3, kept / 2 + 0.5, kept - 1, kept, INFINITY};
  for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
    int64_t want = n;
    double acc = 0.0, want_before = kept;
    for (int64_t i = 0; i < n; i++) {
      const double right = acc + (x[i] >= xc ? w[i] : 0.0);
      if (right > targets[k]) {
        want = i;
        want_before = acc;
        break;
      }
      acc = right;
    }
    int64_t got = -5;
    double before = -5.0;
    CHECK(s4j_f32_walk_at(isa, x - 3, 3, w, n, xc, targets[k], &got, &before) == S4J_OK, "%s walk rc", what);
    CHECK(got == want && before == want_before, "%s %s n=%lld target %g: index %lld before %g, want %lld and %g",
          s4j_isa_name(isa), what, (long long)n, targets[k], (long long)got, before, (long long)want, want_before);
  }
  free(w);
}

static void check(int isa, const float* x, int64_t n, const char* what) {
  int64_t got = 12345;
  CHECK(s4j_f32_argmax_at(isa, x - 3, 3, n, &got) == S4J_OK, "%s argmax rc", what);
  CHECK(got == ref_argmax(x, n), "%s %s n=%lld: argmax %lld, want %lld", s4j_isa_name(isa), what, (long long)n,
        (long long)got, (long long)ref_argmax(x, n));
  check_fused(isa, x, n, what);
  const float ts[] = {-INFINITY, -3.0f, 0.0f, 0.5f, 2.0f, INFINITY, x[n / 2]};
  const float us[] = {INFINITY, 0.5f, 2.0f, -INFINITY, x[n / 3]};
  int32_t* idx = malloc(sizeof(int32_t) * (size_t)(n + 1));
  float* val = malloc(sizeof(float) * (size_t)(n + 1));
  for (size_t k = 0; k < sizeof ts / sizeof ts[0]; k++) {
    const float t = ts[k];
    const float u = us[k % 5];
    if (t != t || u != u) { /* x[n / 2], x[n / 3] of a row with a NaN there: no bound (every compare unordered) */
      int64_t count = -1;
      CHECK(s4j_f32_select_at(isa, x - 3, 3, n, t, u, idx, val, n, &count) == S4J_EINVAL && count == -1,
            "%s select with a NaN bound", what);
      continue;
    }
    int64_t want = 0;
    for (int64_t i = 0; i < n; i++) want += !(x[i] < t) && !(x[i] > u);
    for (int64_t cap = 0; cap <= n; cap = cap < 3 ? cap + 1 : cap * 4) {
      int64_t count = -1;
      for (int64_t i = 0; i <= n; i++) {
        idx[i] = -7;
        val[i] = -7.0f;
      }
      const int values = (k & 1) == 0; /* with the elements, or the indices alone (val NULL), for every cap */
      CHECK(s4j_f32_select_at(isa, x - 3, 3, n, t, u, idx, values ? val : NULL, cap, &count) == S4J_OK,
            "%s select rc", what);
      CHECK(count == want, "%s %s n=%lld t=%g u=%g: count %lld, want %lld", s4j_isa_name(isa), what, (long long)n,
            (double)t, (double)u, (long long)count, (long long)want);
      int64_t j = 0;
      for (int64_t i = 0; i < n && j < cap; i++) {
        if (!(x[i] < t) && !(x[i] > u)) {
          CHECK(idx[j] == i, "%s %s n=%lld t=%g: idx[%lld] = %d, want %lld", s4j_isa_name(isa), what,
                (long long)n, (double)t, (long long)j, idx[j], (long long)i);
          CHECK(memcmp(&val[j], values ? &x[i] : &(float){-7.0f}, sizeof(float)) == 0,
                "%s %s n=%lld t=%g: val[%lld] = %g, want %g", s4j_isa_name(isa), what, (long long)n, (double)t,
                (long long)j, (double)val[j], values ? (double)x[i] : -7.0);
          j++;
        }
      }
      CHECK(idx[cap] == -7 && val[cap] == -7.0f, "%s %s: wrote past the cap", s4j_isa_name(isa), what);
    }
  }
  free(val);
  free(idx);
}

int main(void) {
  s4j_rng_state = UINT64_C(0x5A3B1E5C0FFEE);
  const int64_t longs[] = {1000, 1024, 4097, 65536 + 33, 300000};
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_tier_runnable(isa)) continue;
    float* buf = malloc(sizeof(float) * (300000 + 3));
    float* x = buf + 3;
    for (int64_t n = 1; n <= 70 + 5; n++) {
      const int64_t len = n <= 70 ? n : longs[n - 71];
      for (int64_t i = 0; i < len; i++) x[i] = (float)(2 * s4j_rng_normal());
      check(isa, x, len, "normal");
      check_binexp(isa, x, len, x[ref_top(x, len)], "normal");
      check_binexp(isa, x, len, -1.0f, "some above top");
      {
        float* u = malloc(sizeof(float) * (size_t)(len + 3)); /* exponents -700 to -760 after the top's 0 */
        for (int64_t i = 0; i < len; i++) u[i + 3] = i == 0 ? 3.0f : (float)(3.0 - (700.0 + 60.0 * (double)i / (double)len));
        check_binexp(isa, u + 3, len, 3.0f, "underflow");
        free(u);
      }
      check_walk(isa, x, len, "normal");
      if (len == 4097) { /* the only NaN in each vector of a main-loop iteration (each of its NaN tests) */
        for (int64_t at = 2048; at < 2048 + 8 * 16 + 8; at += 3) {
          const float was = x[at];
          x[at] = NAN;
          int64_t got = 0;
          CHECK(s4j_f32_argmax_at(isa, x, 0, len, &got) == S4J_OK && got == -1 - at, "%s NaN at %lld: argmax %lld",
                s4j_isa_name(isa), (long long)at, (long long)got);
          x[at] = was;
        }
      }
      x[len - 1] = x[0] = 9.0f; /* a tie at the top: the first wins */
      check(isa, x, len, "tie");
      x[len - 1] = x[len / 2 + 1] = 11.0f; /* a tie in later blocks: the first of them wins */
      check(isa, x, len, "later tie");
      const float keep = x[len - 1];
      x[len - 1] = NAN; /* the only NaN, in the last (possibly short) block */
      check(isa, x, len, "last nan");
      x[len - 1] = keep;
      x[len / 3] = NAN;
      check(isa, x, len, "nan");
      x[len - 1] = NAN;
      check(isa, x, len, "two nans");
      for (int64_t i = 0; i < len; i++) x[i] = -INFINITY;
      check(isa, x, len, "all -inf");
      x[len / 2] = 3.0f;
      check_binexp(isa, x, len, 3.0f, "-inf and one");
      check_walk(isa, x, len, "-inf and one");
      x[len / 2] = INFINITY;
      check(isa, x, len, "+inf");
      /* rows whose NaN test says "maybe" without a NaN (AVX2 sums products: Inf * 0, Inf - Inf) */
      for (int64_t i = 0; i < len; i++) x[i] = 0.0f;
      x[len / 2] = INFINITY;
      check(isa, x, len, "zeros and +inf");
      x[len - 1] = -INFINITY;
      x[0] = INFINITY;
      check(isa, x, len, "zeros and both infinities");
      x[len - 1] = NAN; /* after a block whose "maybe" was the infinities': the exact test from there on */
      check(isa, x, len, "infinities, then a NaN");
      x[1] = NAN; /* in the first block or the head */
      check(isa, x, len, "infinities and an early NaN");
    }
    free(buf);
    printf("tier %s: sampling entry points checked\n", s4j_isa_name(isa));
  }
  int64_t c;
  float one = 1.0f;
  CHECK(s4j_f32_argmax_at(0, &one, 0, 0, &c) == S4J_EINVAL, "n = 0 is an error");
  CHECK(s4j_f32_select_at(0, &one, 0, 1, 0.0f, INFINITY, NULL, NULL, 1, &c) == S4J_EINVAL, "null idx with cap > 0");
  double wt[1], bt[1], tt = -1.0;
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, 1.0, wt, bt, -1, &tt) == S4J_EINVAL, "binexp -1 bins");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, 1.0, wt, NULL, 1, &tt) == S4J_EINVAL, "binexp bins NULL");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, 0.0, wt, NULL, 0, &tt) == S4J_OK && wt[0] == 1.0 && tt == 1.0,
        "binexp without bins: the weights alone, inv not used");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, INFINITY, 1.0f, 1.0, wt, bt, 1, &tt) == S4J_EINVAL, "binexp top +Inf");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 0.0f, 1.0, wt, bt, 1, &tt) == S4J_EINVAL, "binexp scale 0");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, 0.0, wt, bt, 1, &tt) == S4J_EINVAL, "binexp inv 0");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, NAN, wt, bt, 1, &tt) == S4J_EINVAL, "binexp inv NaN");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, 1e-60, wt, bt, 1, &tt) == S4J_EINVAL, "binexp inv 0 as a float");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, 1e60, wt, bt, 1, &tt) == S4J_EINVAL, "binexp inv Inf as a float");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, 1.0, wt, bt, (1 << 24) + 1, &tt) == S4J_EINVAL,
        "binexp more than 2^24 bins");
  CHECK(s4j_f32_binexp_at(0, &one, 0, 1, 1.0f, 1.0f, 1.0, NULL, bt, 1, &tt) == S4J_EINVAL, "binexp w NULL");
  CHECK(s4j_f32_binexp_at(0, NULL, 0, 0, 1.0f, 1.0f, 1.0, NULL, bt, 1, &tt) == S4J_OK && tt == 0.0, "binexp of nothing");
  int64_t wi = -1;
  CHECK(s4j_f32_walk_at(0, &one, 0, wt, 1, NAN, 0.0, &wi, &tt) == S4J_EINVAL, "walk NaN xc");
  CHECK(s4j_f32_walk_at(0, &one, 0, NULL, 1, 0.0f, 0.0, &wi, &tt) == S4J_EINVAL, "walk w NULL");
  CHECK(s4j_f32_walk_at(0, NULL, 0, NULL, 0, 0.0f, 0.0, &wi, &tt) == S4J_OK && wi == 0 && tt == 0.0, "walk of nothing");
  float out = 0.0f;
  c = 7;
  CHECK(s4j_f32_softmax_argmax_rows_at(0, 0, 0, 1.0f, &one, 0, 0, &out, 0, 0, 1, 0, &c, 0) == S4J_OK && c == -1,
        "cols = 0: index -1");
  CHECK(s4j_f32_softmax_argmax_rows_at(0, 0, S4J_FLAG_LSE, 1.0f, &one, 0, 1, &out, 0, 1, 1, 1, &c, 0) == S4J_EINVAL,
        "the fused argmax takes no lse");
  CHECK(s4j_f32_softmax_argmax_rows_at(0, 0, 0, 1.0f, &one, 0, 1, &out, 0, 1, 1, 1, NULL, 0) == S4J_EINVAL,
        "null index");
  CHECK(s4j_f32_softmax_argmax_rows_at(0, 0, 0, 0.0f, &one, 0, 1, &out, 0, 1, 1, 1, &c, 0) == S4J_EINVAL,
        "scale 0");
  return s4j_report("test_sampling");
}
