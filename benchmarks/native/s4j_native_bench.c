/*
 * s4j_native_bench: the native half of the softmax4j benchmark suite (issue 3).
 *
 * Times the PUBLIC C API, s4j_softmax_f32(isa, algorithm, x, y, n), for every ISA tier this library and CPU
 * can run x {two-pass, three-pass recompute, three-pass reload, AUTO} x N, and in the same run the
 * bandwidth roofline at the same N: a vectorized read-only sum of N floats and a memcpy of N floats.
 * The figures follow The Two-Pass Softmax Algorithm (M. Dukhan, A. Ablavatski, 2020, arXiv:2001.04438):
 * a softmax is charged its nominal traffic, 12 bytes/element for two-pass (read x twice, write y once),
 * 16 for three-pass recompute (read x three times, write y), 20 for three-pass reload (read x twice, write
 * y, read y and write it again); the read-only sum 4 and memcpy 8 (read + write).
 *
 * Method. All configurations of one N are measured in interleaved rounds (round r times every
 * configuration once, in the same order), so slow drifts of a shared machine hit every configuration
 * alike and the same-run ratios stay meaningful. Each configuration first warms up for --min-ms, which
 * also sizes its batch (calls per sample, so that one sample lasts >= --min-ms); a sample is the
 * CLOCK_MONOTONIC time of one batch divided by its calls. Reported: median and minimum over --reps
 * samples. Input: x ~ U(-10, 10), out of place, 64-byte aligned, pages touched before timing.
 *
 * Besides softmax, every tier times the other operations of the library through s4j_f32_rows_at
 * (kind "op"): logsumexp (one pass: 4 bytes/element), log-softmax (12: logsumexp, then read x and
 * write y) and softmax with a temperature scale of 1/0.7 fused into the exp (AUTO; charged as AUTO's
 * algorithm), and through s4j_f64_rows_at the same inputs in double: softmax-f64 (AUTO, charged as the
 * algorithm s4j_f64_auto_algorithm picks, twice the bytes) and logsumexp-f64 (8 bytes); and argmax
 * (s4j_f32_argmax_at over all n floats, the sampler's greedy pass: 4 bytes, against the read-sum row).
 * --no-ops leaves them out.
 *
 * With --cols=C the softmax and op configurations run as batches instead: n / C rows of C elements in one
 * s4j_f32_rows_at (s4j_f64_rows_at) call (attention rows, classification losses); n stays the total number of
 * elements, and bytes_per_element stays the algorithm's nominal traffic (rows of one vector run in registers: less).
 *
 * Output: CSV on stdout (or --out=FILE), one row per (kind, tier, algorithm, n); progress on stderr.
 *   kind                  softmax | roofline | op
 *   tier                  portable | avx2 | avx512 (the ISA argument; for roofline rows, the read-sum ISA)
 *   algorithm             two-pass | three-pass-recompute | three-pass-reload | auto | read-sum | memcpy
 *                         | logsumexp | log-softmax | softmax-scaled | softmax-f64 | logsumexp-f64 | argmax
 *                         (op rows)
 *   resolves_to           what AUTO ran (s4j_auto_algorithm, s4j_f64_auto_algorithm); the algorithm itself
 *                         otherwise
 *   n, bytes_per_element, reps
 *   median_ns_per_element, min_ns_per_element
 *   gb_per_s              bytes_per_element / median_ns_per_element (1e9 bytes per second)
 *   fraction_of_read_bw   gb_per_s / read-sum gb_per_s at the same n
 *   ratio_vs_two_pass     median time / two-pass median time, same tier and n (softmax rows only)
 *   cols                  the row length of --cols (0: one vector of n)
 */
#define _POSIX_C_SOURCE 200112L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "roofline.h"
#include "softmax4j.h"

#define MAX_CONFIGS 48
#define MAX_SIZES 64
#define MAX_REPS 1001

/* The tiers' names (s4j_isa_name), filled by main before the options are parsed. */
static const char* kIsaNames[S4J_ISA_COUNT];
/* Indexed by the S4J_ALGO_* numbers. */
static const char* const kAlgoNames[S4J_ALGO_COUNT] = {"auto", "two-pass", "three-pass-recompute",
                                                       "three-pass-reload"};
static const int kAlgoBytes[S4J_ALGO_COUNT] = {0, 12, 16, 20};
/* Row order within a tier: the algorithms in the paper's order, then AUTO. */
static const int kAlgoOrder[S4J_ALGO_COUNT] = {S4J_ALGO_TWO_PASS, S4J_ALGO_THREE_PASS_RECOMPUTE,
                                               S4J_ALGO_THREE_PASS_RELOAD, S4J_ALGO_AUTO};

enum kind { KIND_SOFTMAX, KIND_READ_SUM, KIND_MEMCPY, KIND_OP };

/* The op rows: name, S4J_OP_* (OP_ARGMAX: s4j_f32_argmax_at, the sampler's greedy pass, against the read-sum row),
 * bytes per element (0: AUTO's algorithm), scale, double precision. */
#define OP_COUNT 6
#define OP_ARGMAX (-1)
static const char* const kOpNames[OP_COUNT] = {"logsumexp", "log-softmax", "softmax-scaled", "softmax-f64",
                                               "logsumexp-f64", "argmax"};
static const int kOpCodes[OP_COUNT] = {S4J_OP_LOG_SUM_EXP, S4J_OP_LOG_SOFTMAX, S4J_OP_SOFTMAX, S4J_OP_SOFTMAX,
                                       S4J_OP_LOG_SUM_EXP, OP_ARGMAX};
static const int kOpBytes[OP_COUNT] = {4, 12, 0, 0, 8, 4};
static const float kOpScales[OP_COUNT] = {1.0f, 1.0f, 1.0f / 0.7f, 1.0f, 1.0f, 1.0f};
static const int kOpF64[OP_COUNT] = {0, 0, 0, 1, 1, 0};
/* Every configuration fits: the two roofline rows, then per tier its algorithms and op rows. */
_Static_assert(2 + S4J_ISA_COUNT * (S4J_ALGO_COUNT + OP_COUNT) <= MAX_CONFIGS, "MAX_CONFIGS too small");

typedef float (*read_sum_fn)(const float*, size_t);

struct config {
  enum kind kind;
  int isa;       /* softmax: the tier; read-sum: the tier whose instructions it uses */
  int algorithm; /* softmax: S4J_ALGO_*; op: index into kOpNames */
  int bytes_per_element;
  long calls; /* batch size, set by the warm-up */
  double samples[MAX_REPS];
};

struct options {
  int reps;
  double min_ms;
  int64_t sizes[MAX_SIZES];
  int size_count;
  int tier_mask;  /* bit per ISA tier requested (default: all) */
  int algo_mask;  /* bit per algorithm requested (default: all) */
  int ops;        /* time the op rows too (default: yes) */
  const char* out;
  int read_sum_isa; /* --read-sum: the read-only sum's tier, or -1 for the machine's widest */
};

static float* g_x;
static float* g_y;
static double* g_xd; /* the same inputs in double (the f64 op rows) */
static double* g_yd;
static double* g_lse;
static int64_t g_cols; /* --cols: rows of this many floats; 0: one vector */
static volatile float g_sink;
static read_sum_fn g_read_sum;
static int g_read_sum_isa;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void* a, const void* b) {
  const double u = *(const double*)a, v = *(const double*)b;
  return (u > v) - (u < v);
}

static void run_once(const struct config* c, int64_t n) {
  switch (c->kind) {
    case KIND_SOFTMAX: {
      const int rc = g_cols > 0 ? s4j_f32_rows_at(c->isa, S4J_OP_SOFTMAX, c->algorithm, 0, 1.0f, g_x, 0, g_cols, g_y, 0,
                                                  g_cols, n / g_cols, g_cols, NULL, 0)
                                : s4j_softmax_f32(c->isa, c->algorithm, g_x, g_y, n);
      if (rc != S4J_OK) {
        fprintf(stderr, "softmax(%s, %s, n=%lld, cols=%lld) returned %d\n", kIsaNames[c->isa],
                kAlgoNames[c->algorithm], (long long)n, (long long)g_cols, rc);
        exit(2);
      }
      g_sink = g_y[n - 1];
      break;
    }
    case KIND_OP: {
      const int op = kOpCodes[c->algorithm];
      if (op == OP_ARGMAX) { /* over all n floats, whatever --cols says */
        int64_t at = -1;
        if (s4j_f32_argmax_at(c->isa, g_x, 0, n, &at) != S4J_OK) {
          fprintf(stderr, "s4j_f32_argmax_at(%s, n=%lld) failed\n", kIsaNames[c->isa], (long long)n);
          exit(2);
        }
        g_sink = (float)at;
        break;
      }
      const int64_t cols = g_cols > 0 ? g_cols : n;
      const int rc = kOpF64[c->algorithm]
                         ? s4j_f64_rows_at(c->isa, op, S4J_ALGO_AUTO, 0, (double)kOpScales[c->algorithm], g_xd, 0, cols,
                                           g_yd, 0, cols, n / cols, cols, g_lse, 0)
                         : s4j_f32_rows_at(c->isa, op, S4J_ALGO_AUTO, 0, kOpScales[c->algorithm], g_x, 0, cols, g_y, 0,
                                           cols, n / cols, cols, g_lse, 0);
      if (rc != S4J_OK) {
        fprintf(stderr, "%s(%s, %s, n=%lld) returned %d\n", kOpF64[c->algorithm] ? "s4j_f64_rows_at" : "s4j_f32_rows_at",
                kIsaNames[c->isa], kOpNames[c->algorithm], (long long)n, rc);
        exit(2);
      }
      g_sink = op == S4J_OP_LOG_SUM_EXP ? (float)g_lse[0] : kOpF64[c->algorithm] ? (float)g_yd[n - 1] : g_y[n - 1];
      break;
    }
    case KIND_READ_SUM:
      g_sink = g_read_sum(g_x, (size_t)n);
      break;
    case KIND_MEMCPY:
      memcpy(g_y, g_x, (size_t)n * sizeof(float));
      g_sink = g_y[n - 1];
      break;
  }
}

/* Time of one batch, in ns per call. */
static double time_batch(const struct config* c, int64_t n, long calls) {
  const double t0 = now_ns();
  for (long i = 0; i < calls; i++) {
    run_once(c, n);
  }
  return (now_ns() - t0) / (double)calls;
}

/* Runs the configuration for at least min_ms (and at least twice) and sizes its batch from that. */
static void warm_up(struct config* c, int64_t n, double min_ms) {
  const double budget = min_ms * 1e6;
  const double t0 = now_ns();
  long calls = 0;
  double elapsed;
  do {
    run_once(c, n);
    calls++;
    elapsed = now_ns() - t0;
  } while (elapsed < budget || calls < 2);
  const double per_call = elapsed / (double)calls;
  const double want = budget / per_call;
  c->calls = want < 1.0 ? 1 : (long)(want + 0.5);
}

static double median_of(const double* v, int count) {
  double sorted[MAX_REPS];
  memcpy(sorted, v, (size_t)count * sizeof(double));
  qsort(sorted, (size_t)count, sizeof(double), cmp_double);
  return count % 2 ? sorted[count / 2] : 0.5 * (sorted[count / 2 - 1] + sorted[count / 2]);
}

static double min_of(const double* v, int count) {
  double m = v[0];
  for (int i = 1; i < count; i++) {
    m = v[i] < m ? v[i] : m;
  }
  return m;
}

static int64_t parse_size(const char* s) {
  char* end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || v <= 0) {
    return -1;
  }
  if (*end == 'K' || *end == 'k') {
    v *= 1024, end++;
  } else if (*end == 'M' || *end == 'm') {
    v *= 1024 * 1024, end++;
  }
  return (*end == '\0' || *end == ',') ? (int64_t)v : -1;
}

static int parse_names(const char* list, const char* const* names, int count) {
  int mask = 0;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", list);
  for (char* tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
    int found = -1;
    for (int i = 0; i < count; i++) {
      if (strcmp(tok, names[i]) == 0) {
        found = i;
      }
    }
    if (found < 0) {
      fprintf(stderr, "unknown name '%s'\n", tok);
      exit(64);
    }
    mask |= 1 << found;
  }
  return mask;
}

static void usage(FILE* f) {
  fputs(
      "usage: s4j_native_bench [options]\n"
      "  --reps=R        samples per configuration, median reported (default 11)\n"
      "  --min-ms=M      warm-up time and minimum time of one sample, ms (default 20)\n"
      "  --max-n=N       largest size of the standard list 1K,4K,...,64M (K/M suffixes; default 64M)\n"
      "  --sizes=LIST    explicit sizes instead, e.g. 1000,4097,1M\n"
      "  --tiers=LIST    portable,avx2,avx512,neon (default: every tier this CPU runs)\n"
      "  --algos=LIST    two-pass,three-pass-recompute,three-pass-reload,auto (default: all)\n"
      "  --no-ops        leave out the op rows (logsumexp, log-softmax, scaled softmax, their f64 rows, argmax)\n"
      "  --cols=C        batches: every size as n/C rows of C elements, one rows_at call\n"
      "  --read-sum=ISA  the roofline's read-only sum with that tier's instructions (portable, avx2, avx512),\n"
      "                  e.g. a tier's argmax against its own read pass (default: the machine's widest)\n"
      "  --quick         smoke run: --reps=3 --min-ms=2 --max-n=1M\n"
      "  --out=FILE      write the CSV there instead of stdout\n",
      f);
}

static void parse_options(int argc, char** argv, struct options* o) {
  int64_t max_n = (int64_t)64 << 20;
  const char* sizes = NULL;
  o->reps = 11;
  o->min_ms = 20;
  o->tier_mask = (1 << S4J_ISA_COUNT) - 1;
  o->algo_mask = (1 << S4J_ALGO_COUNT) - 1;
  o->ops = 1;
  o->out = NULL;
  o->read_sum_isa = -1;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    if (strncmp(a, "--reps=", 7) == 0) {
      o->reps = atoi(a + 7);
    } else if (strncmp(a, "--min-ms=", 9) == 0) {
      o->min_ms = atof(a + 9);
    } else if (strncmp(a, "--max-n=", 8) == 0) {
      max_n = parse_size(a + 8);
    } else if (strncmp(a, "--sizes=", 8) == 0) {
      sizes = a + 8;
    } else if (strncmp(a, "--tiers=", 8) == 0) {
      o->tier_mask = parse_names(a + 8, kIsaNames, S4J_ISA_COUNT);
    } else if (strncmp(a, "--cols=", 7) == 0) {
      g_cols = parse_size(a + 7);
      if (g_cols <= 0) {
        fprintf(stderr, "bad --cols\n");
        exit(64);
      }
    } else if (strncmp(a, "--read-sum=", 11) == 0) {
      const int m = parse_names(a + 11, kIsaNames, S4J_ISA_COUNT);
      if (m == 0 || (m & (m - 1)) != 0) {
        fprintf(stderr, "--read-sum takes one tier\n");
        exit(64);
      }
      o->read_sum_isa = __builtin_ctz((unsigned)m);
    } else if (strcmp(a, "--no-ops") == 0) {
      o->ops = 0;
    } else if (strncmp(a, "--algos=", 8) == 0) {
      o->algo_mask = parse_names(a + 8, kAlgoNames, S4J_ALGO_COUNT);
    } else if (strcmp(a, "--quick") == 0) {
      o->reps = 3;
      o->min_ms = 2;
      max_n = (int64_t)1 << 20;
    } else if (strncmp(a, "--out=", 6) == 0) {
      o->out = a + 6;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      exit(0);
    } else {
      fprintf(stderr, "unknown option '%s'\n", a);
      usage(stderr);
      exit(64);
    }
  }
  if (o->reps < 1 || o->reps > MAX_REPS || !(o->min_ms >= 0) || max_n <= 0) {
    fprintf(stderr, "bad --reps (1..%d), --min-ms or --max-n\n", MAX_REPS);
    exit(64);
  }
  o->size_count = 0;
  if (sizes != NULL) {
    for (const char* p = sizes; *p != '\0' && o->size_count < MAX_SIZES;) {
      const int64_t v = parse_size(p);
      if (v < 0) {
        fprintf(stderr, "bad --sizes at '%s'\n", p);
        exit(64);
      }
      o->sizes[o->size_count++] = v;
      p = strchr(p, ',');
      if (p == NULL) {
        break;
      }
      p++;
    }
  } else {
    /* The paper's range: 4 KB of input (L1) up to 256 MB (DRAM), in factors of 4. */
    for (int64_t v = 1024; v <= max_n && o->size_count < MAX_SIZES; v *= 4) {
      o->sizes[o->size_count++] = v;
    }
  }
  if (o->size_count == 0) {
    fprintf(stderr, "no sizes to run\n");
    exit(64);
  }
}

/* The roofline's read-only sum: the machine's widest streaming read (want < 0), independent of which softmax
 * tiers the library compiled in, or the one of tier want (a tier's argmax against its own read pass). */
static void pick_read_sum(int want) {
  const int f = s4j_cpu_features();
  g_read_sum = s4j_bench_read_sum_portable;
  g_read_sum_isa = S4J_ISA_PORTABLE;
#if defined(S4J_BENCH_X86)
  const int avx512 = (f & S4J_CPU_AVX512F) && (f & S4J_CPU_OS_ZMM) && (f & S4J_CPU_OS_YMM);
  const int avx2 = (f & S4J_CPU_AVX2) && (f & S4J_CPU_OS_YMM);
  if (avx512 && (want < 0 || want == S4J_ISA_AVX512)) {
    g_read_sum = s4j_bench_read_sum_avx512;
    g_read_sum_isa = S4J_ISA_AVX512;
  } else if (avx2 && (want < 0 || want == S4J_ISA_AVX2)) {
    g_read_sum = s4j_bench_read_sum_avx2;
    g_read_sum_isa = S4J_ISA_AVX2;
  }
#else
  (void)f;
#endif
  if (want >= 0 && want != g_read_sum_isa) {
    fprintf(stderr, "--read-sum=%s: this CPU or build has no such read-only sum\n", kIsaNames[want]);
    exit(64);
  }
}

/* n elements of size bytes, 64-byte aligned (the inputs and outputs of every row). */
static void* alloc_aligned(int64_t n, size_t size) {
  void* p = NULL;
  if (posix_memalign(&p, 64, (size_t)n * size) != 0) {
    fprintf(stderr, "cannot allocate %lld elements of %zu bytes\n", (long long)n, size);
    exit(1);
  }
  return p;
}

int main(int argc, char** argv) {
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) kIsaNames[isa] = s4j_isa_name(isa);
  struct options opt;
  parse_options(argc, argv, &opt);
  FILE* out = stdout;
  if (opt.out != NULL && (out = fopen(opt.out, "w")) == NULL) {
    perror(opt.out);
    return 1;
  }
  pick_read_sum(opt.read_sum_isa);

  struct config* configs = calloc(MAX_CONFIGS, sizeof(struct config));
  int count = 0;
  configs[count++] = (struct config){.kind = KIND_READ_SUM, .isa = g_read_sum_isa, .bytes_per_element = 4};
  configs[count++] = (struct config){.kind = KIND_MEMCPY, .isa = g_read_sum_isa, .bytes_per_element = 8};
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!(opt.tier_mask & (1 << isa))) {
      continue;
    }
    if (!s4j_isa_supported(isa)) {
      fprintf(stderr, "tier %s: not supported by this library/CPU, SKIPPED\n", kIsaNames[isa]);
      continue;
    }
    for (int k = 0; k < S4J_ALGO_COUNT; k++) {
      const int algo = kAlgoOrder[k];
      if (opt.algo_mask & (1 << algo)) {
        configs[count++] = (struct config){.kind = KIND_SOFTMAX, .isa = isa, .algorithm = algo};
      }
    }
    for (int k = 0; k < OP_COUNT && opt.ops; k++) {
      configs[count++] = (struct config){.kind = KIND_OP, .isa = isa, .algorithm = k};
    }
  }

  int64_t max_n = 0;
  for (int s = 0; s < opt.size_count; s++) {
    max_n = opt.sizes[s] > max_n ? opt.sizes[s] : max_n;
  }
  for (int s = 0; s < opt.size_count; s++) {
    if (g_cols > 0 && opt.sizes[s] % g_cols != 0) {
      fprintf(stderr, "--cols=%lld does not divide n=%lld\n", (long long)g_cols, (long long)opt.sizes[s]);
      return 64;
    }
  }
  g_x = alloc_aligned(max_n, sizeof(float));
  g_y = alloc_aligned(max_n, sizeof(float));
  g_lse = calloc((size_t)(g_cols > 0 ? max_n / g_cols : 1), sizeof(double));
  if (g_lse == NULL) return 1;
  uint64_t state = 0x9E3779B97F4A7C15u;
  for (int64_t i = 0; i < max_n; i++) {
    /* xorshift64*: top 24 bits -> U(-10, 10), exactly representable steps */
    state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
    const uint32_t bits = (uint32_t)((state * 0x2545F4914F6CDD1Du) >> 40);
    g_x[i] = (float)bits * (20.0f / 16777216.0f) - 10.0f;
  }
  memset(g_y, 0, (size_t)max_n * sizeof(float));
  if (opt.ops) {
    g_xd = alloc_aligned(max_n, sizeof(double));
    g_yd = alloc_aligned(max_n, sizeof(double));
    for (int64_t i = 0; i < max_n; i++) g_xd[i] = (double)g_x[i];
    memset(g_yd, 0, (size_t)max_n * sizeof(double));
  }

  fprintf(stderr,
          "s4j_native_bench: %d configurations x %d sizes, reps=%d, min-ms=%g, read-sum isa=%s, prefetch %lld floats "
          "ahead (0 = off; SOFTMAX4J_PREFETCH overrides), non-temporal stores %s (SOFTMAX4J_NT_STORES overrides)\n",
          count, opt.size_count, opt.reps, opt.min_ms, kIsaNames[g_read_sum_isa], (long long)s4j_cpu_prefetch_floats(),
          s4j_cpu_nt_stores() ? "on" : "off");
  fprintf(out,
          "kind,tier,algorithm,resolves_to,n,bytes_per_element,reps,median_ns_per_element,"
          "min_ns_per_element,gb_per_s,fraction_of_read_bw,ratio_vs_two_pass,cols\n");

  for (int s = 0; s < opt.size_count; s++) {
    const int64_t n = opt.sizes[s];
    const int64_t len = g_cols > 0 ? g_cols : n; /* the length AUTO decides on */
    const double t_start = now_ns();
    for (int c = 0; c < count; c++) {
      warm_up(&configs[c], n, opt.min_ms);
    }
    for (int r = 0; r < opt.reps; r++) {
      for (int c = 0; c < count; c++) {
        configs[c].samples[r] = time_batch(&configs[c], n, configs[c].calls);
      }
    }
    double median[MAX_CONFIGS], best[MAX_CONFIGS];
    for (int c = 0; c < count; c++) {
      median[c] = median_of(configs[c].samples, opt.reps) / (double)n;
      best[c] = min_of(configs[c].samples, opt.reps) / (double)n;
    }
    const double read_gbps = 4.0 / median[0];
    for (int c = 0; c < count; c++) {
      const struct config* k = &configs[c];
      const char* algo;
      const char* resolved;
      int bytes;
      double ratio = -1;
      if (k->kind == KIND_OP) {
        const int ran = s4j_auto_algorithm(k->isa, len);
        algo = kOpNames[k->algorithm];
        const int f64 = kOpF64[k->algorithm];
        const int ran_op = f64 ? s4j_f64_auto_algorithm(k->isa, len) : ran; /* double has its own crossover */
        resolved = kOpCodes[k->algorithm] == S4J_OP_SOFTMAX ? kAlgoNames[ran_op]
                   : kOpCodes[k->algorithm] == OP_ARGMAX      ? "one-pass"
                                                              : "two-pass";
        bytes = kOpBytes[k->algorithm] != 0 ? kOpBytes[k->algorithm] : kAlgoBytes[ran_op] * (f64 ? 2 : 1);
      } else if (k->kind == KIND_SOFTMAX) {
        const int ran = k->algorithm == S4J_ALGO_AUTO ? s4j_auto_algorithm(k->isa, len) : k->algorithm;
        algo = kAlgoNames[k->algorithm];
        resolved = (ran >= 0 && ran < S4J_ALGO_COUNT) ? kAlgoNames[ran] : "?";
        bytes = kAlgoBytes[ran > 0 && ran < S4J_ALGO_COUNT ? ran : S4J_ALGO_TWO_PASS];
        for (int t = 0; t < count; t++) {
          if (configs[t].kind == KIND_SOFTMAX && configs[t].isa == k->isa &&
              configs[t].algorithm == S4J_ALGO_TWO_PASS) {
            ratio = median[c] / median[t];
          }
        }
      } else {
        algo = resolved = k->kind == KIND_READ_SUM ? "read-sum" : "memcpy";
        bytes = k->bytes_per_element;
      }
      const double gbps = (double)bytes / median[c];
      fprintf(out, "%s,%s,%s,%s,%lld,%d,%d,%.4f,%.4f,%.3f,%.4f,",
              k->kind == KIND_SOFTMAX ? "softmax" : k->kind == KIND_OP ? "op" : "roofline",
              kIsaNames[k->isa], algo, resolved, (long long)n, bytes, opt.reps, median[c], best[c], gbps,
              gbps / read_gbps);
      if (ratio > 0) {
        fprintf(out, "%.4f", ratio);
      }
      fprintf(out, ",%lld\n", (long long)g_cols);
    }
    fflush(out);
    fprintf(stderr, "  n=%-9lld read-sum %7.2f GB/s  (%.1f s)\n", (long long)n, read_gbps,
            (now_ns() - t_start) / 1e9);
  }
  if (out != stdout) {
    fclose(out);
  }
  free(g_x);
  free(g_y);
  free(g_lse);
  free(g_xd);
  free(g_yd);
  free(configs);
  return 0;
}
