/*
 * s4j_bench: native softmax timings for every runnable tier x algorithm x size, plus a bandwidth
 * roofline (a read-only vectorized sum and a memcpy of the same number of floats). CSV on stdout.
 *
 *   s4j_bench                 the standard table, N = 1K .. 16M
 *   s4j_bench --crossover     two-pass vs three-pass reload on a finer size grid (AUTO tuning)
 *   s4j_bench --f64           double precision: two-pass, reload (and logsumexp) per tier at 4K, 64K,
 *                             1M, 16M, with scale 1 and 0.7 (the cost of the exact scale)
 *   s4j_bench --min-ms=<ms>   time per point (default 50)
 *
 * Each point: one warm-up call, then batches of calls sized to take >= min_ms/10 each; the median of
 * 11 batches is reported (clock_gettime(CLOCK_MONOTONIC)). Out of place; x ~ U(-10, 10).
 * GB/s counts the nominal traffic: 8 bytes/element (read x, write y) for softmax and memcpy,
 * 4 bytes/element for the read-only sum.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "softmax4j.h"

#if defined(S4J_HAVE_X86)
float s4j_bench_sum_avx2(const float* x, size_t n);
#endif

static const char* const algo_names[S4J_ALGO_COUNT] = {"auto", "two-pass", "three-pass-recompute",
                                                       "three-pass-reload"};

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

enum { OP_SOFTMAX, OP_SUM, OP_MEMCPY, OP_F64_SOFTMAX, OP_F64_LSE };

static float* g_x;
static float* g_y;
static double* g_x64;
static double* g_y64;
static double g_scale64 = 1.0;
static volatile float g_sink;

static void run_op(int op, int isa, int algo, size_t n) {
  switch (op) {
    case OP_SOFTMAX:
      if (s4j_softmax_f32(isa, algo, g_x, g_y, (int64_t)n) != S4J_OK) {
        fprintf(stderr, "softmax failed\n");
        exit(1);
      }
      g_sink = g_y[n / 2];
      break;
    case OP_F64_SOFTMAX:
      if (s4j_f64_rows_at(isa, S4J_OP_SOFTMAX, algo, 0, g_scale64, g_x64, 0, (int64_t)n, g_y64, 0, (int64_t)n, 1,
                          (int64_t)n, NULL, 0) != S4J_OK) {
        fprintf(stderr, "f64 softmax failed\n");
        exit(1);
      }
      g_sink = (float)g_y64[n / 2];
      break;
    case OP_F64_LSE: {
      double lse = 0.0;
      if (s4j_f64_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, g_scale64, g_x64, 0, (int64_t)n, NULL, 0, (int64_t)n, 1,
                          (int64_t)n, &lse, 0) != S4J_OK) {
        fprintf(stderr, "f64 logsumexp failed\n");
        exit(1);
      }
      g_sink = (float)lse;
      break;
    }
    case OP_SUM: {
#if defined(S4J_HAVE_X86)
      if (s4j_isa_supported(S4J_ISA_AVX2)) {
        g_sink = s4j_bench_sum_avx2(g_x, n);
        break;
      }
#endif
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      size_t i = 0;
      for (; i + 4 <= n; i += 4) {
        s0 += g_x[i];
        s1 += g_x[i + 1];
        s2 += g_x[i + 2];
        s3 += g_x[i + 3];
      }
      for (; i < n; i++) s0 += g_x[i];
      g_sink = s0 + s1 + s2 + s3;
      break;
    }
    default:
      memcpy(g_y, g_x, n * sizeof(float));
      g_sink = g_y[n / 2];
      break;
  }
}

/* Median ns per element of one point. */
static double time_point(int op, int isa, int algo, size_t n, double min_ms) {
  run_op(op, isa, algo, n); /* warm-up (page faults, caches, frequency) */
  const double batch_ns = min_ms * 1e6 / 11.0;
  double t0 = now_ns();
  run_op(op, isa, algo, n);
  double one = now_ns() - t0;
  if (one < 1.0) one = 1.0;
  long reps = (long)(batch_ns / one) + 1;
  double samples[11];
  for (int s = 0; s < 11; s++) {
    t0 = now_ns();
    for (long r = 0; r < reps; r++) run_op(op, isa, algo, n);
    samples[s] = (now_ns() - t0) / (double)reps / (double)n;
  }
  qsort(samples, 11, sizeof samples[0], cmp_double);
  return samples[5];
}

/* --f64: ns/element of the double-precision entry points (x ~ U(-10, 10) in double). */
static int bench_f64(double min_ms) {
  const size_t sizes[4] = {(size_t)4 << 10, (size_t)64 << 10, (size_t)1 << 20, (size_t)16 << 20};
  const size_t max_n = sizes[3];
  g_x64 = malloc(max_n * sizeof(double));
  g_y64 = malloc(max_n * sizeof(double));
  if (g_x64 == NULL || g_y64 == NULL) return 1;
  uint64_t state = 42;
  for (size_t i = 0; i < max_n; i++) {
    state = state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    g_x64[i] = (double)(state >> 11) * 0x1.0p-53 * 20.0 - 10.0;
    g_y64[i] = 0.0;
  }
  printf("tier,op,scale,n,ns_per_element\n");
  static const double scales[2] = {1.0, 0.7};
  for (int si = 0; si < 4; si++) {
    const size_t n = sizes[si];
    for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
      if (!s4j_isa_supported(isa)) continue;
      for (int sc = 0; sc < 2; sc++) {
        g_scale64 = scales[sc];
        static const int algos[2] = {S4J_ALGO_TWO_PASS, S4J_ALGO_THREE_PASS_RELOAD};
        for (int a = 0; a < 2; a++) {
          const double t = time_point(OP_F64_SOFTMAX, isa, algos[a], n, min_ms);
          printf("%s,%s,%g,%zu,%.4f\n", s4j_isa_name(isa), algo_names[algos[a]], scales[sc], n, t);
        }
        const double t = time_point(OP_F64_LSE, isa, 0, n, min_ms);
        printf("%s,logsumexp,%g,%zu,%.4f\n", s4j_isa_name(isa), scales[sc], n, t);
        fflush(stdout);
      }
    }
  }
  free(g_x64);
  free(g_y64);
  return 0;
}

int main(int argc, char** argv) {
  double min_ms = 50.0;
  int crossover = 0;
  int f64 = 0;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--min-ms=", 9) == 0) {
      min_ms = atof(argv[i] + 9);
    } else if (strcmp(argv[i], "--crossover") == 0) {
      crossover = 1;
    } else if (strcmp(argv[i], "--f64") == 0) {
      f64 = 1;
    } else {
      fprintf(stderr, "usage: %s [--crossover | --f64] [--min-ms=50]\n", argv[0]);
      return 2;
    }
  }
  if (f64) return bench_f64(min_ms);
  size_t sizes[64];
  int count = 0;
  if (crossover) {
    /* 8K .. 4M in steps of 2^(1/4) */
    for (double v = 8192; v <= 4.2e6; v *= 1.189207115) sizes[count++] = ((size_t)v + 31) & ~(size_t)31;
  } else {
    for (size_t n = 1024; n <= ((size_t)16 << 20); n *= 4) sizes[count++] = n;
  }
  const size_t max_n = sizes[count - 1];
  g_x = malloc(max_n * sizeof(float));
  g_y = malloc(max_n * sizeof(float));
  uint64_t state = 42;
  for (size_t i = 0; i < max_n; i++) {
    state = state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    g_x[i] = (float)((double)(state >> 40) * 0x1.0p-24 * 20.0 - 10.0);
    g_y[i] = 0.0f;
  }

  fprintf(stderr, "s4j_bench: cpu features 0x%x, max isa %s\n", s4j_cpu_features(), s4j_isa_name(s4j_cpu_max_isa()));
  printf("tier,algorithm,n,ns_per_element,gb_per_s\n");
  for (int si = 0; si < count; si++) {
    const size_t n = sizes[si];
    if (!crossover) {
      double t = time_point(OP_SUM, 0, 0, n, min_ms);
      printf("roofline,sum-read-only,%zu,%.4f,%.2f\n", n, t, 4.0 / t);
      t = time_point(OP_MEMCPY, 0, 0, n, min_ms);
      printf("roofline,memcpy,%zu,%.4f,%.2f\n", n, t, 8.0 / t);
    }
    for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
      if (!s4j_isa_supported(isa)) continue;
      for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
        if (crossover && algo != S4J_ALGO_TWO_PASS && algo != S4J_ALGO_THREE_PASS_RELOAD) continue;
        const double t = time_point(OP_SOFTMAX, isa, algo, n, min_ms);
        printf("%s,%s,%zu,%.4f,%.2f\n", s4j_isa_name(isa), algo_names[algo], n, t, 8.0 / t);
        fflush(stdout);
      }
    }
  }
  free(g_x);
  free(g_y);
  return 0;
}
