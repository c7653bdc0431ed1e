/*
 * softmax4j driver: argument checks, the kernel table per ISA tier, the two-pass and three-pass
 * algorithms of The Two-Pass Softmax Algorithm (M. Dukhan, A. Ablavatski, 2020, arXiv:2001.04438)
 * with the block-wise double merge of docs/NUMERICS.md, and the exact double-precision path.
 * Compiled without ISA flags: it only calls the ISA kernels through the table, after the probe.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"
#include "kernels.h"
#include "softmax4j.h"

/* The kernels of one tier, one per op (see kernels.h). */
typedef struct s4j_kernel_set {
  s4j_f32_rmax_fn rmax;
  s4j_f32_raddexp_fn raddexp;
  s4j_f32_raddstoreexp_fn raddstoreexp;
  s4j_f32_vscaleexp_fn vscaleexp;
  s4j_f32_vscale_fn vscale;
} s4j_kernel_set;

/* Filled at compile time; a tier that is not compiled in has all-NULL entries. */
static const s4j_kernel_set s4j_kernel_table[S4J_ISA_COUNT] = {
    [S4J_ISA_PORTABLE] = {s4j_f32_rmax__scalar_u8_acc8, s4j_f32_raddexp__scalar_p6_u64_acc4,
                          s4j_f32_raddstoreexp__scalar_p6_u64_acc4, s4j_f32_vscaleexp__scalar_p6_u64,
                          s4j_f32_vscale__scalar_u4},
#if defined(S4J_HAVE_X86)
    [S4J_ISA_AVX2] = {s4j_f32_rmax__avx2_u32_acc2, s4j_f32_raddexp__avx2_p6_u64,
                      s4j_f32_raddstoreexp__avx2_p6_u64, s4j_f32_vscaleexp__avx2_p6_u16,
                      s4j_f32_vscale__avx2_u32},
    [S4J_ISA_AVX512] = {s4j_f32_rmax__avx512f_u64_acc4, s4j_f32_raddexp__avx512f_p6_u64,
                        s4j_f32_raddstoreexp__avx512f_p6_u64, s4j_f32_vscaleexp__avx512f_p6_u64,
                        s4j_f32_vscale__avx512f_u64},
#endif
};

/* ---------------------------------------------------------------------------------------------
 * Tier support
 * ------------------------------------------------------------------------------------------- */

int s4j_isa_supported(int isa) {
  if (isa < 0 || isa >= S4J_ISA_COUNT || s4j_kernel_table[isa].raddexp == NULL) return 0;
  const int f = s4j_cpu_features();
  const int avx2 = S4J_CPU_AVX | S4J_CPU_AVX2 | S4J_CPU_FMA | S4J_CPU_OS_YMM;
  switch (isa) {
    case S4J_ISA_PORTABLE:
      return 1;
    case S4J_ISA_AVX2:
      return (f & avx2) == avx2;
    case S4J_ISA_AVX512:
#if defined(S4J_EMULATE_AVX512)
      /* Test-only build: the AVX-512 kernels are compiled against SIMDe's portable emulation. */
      return 1;
#else
      return (f & (avx2 | S4J_CPU_AVX512F | S4J_CPU_OS_ZMM)) == (avx2 | S4J_CPU_AVX512F | S4J_CPU_OS_ZMM);
#endif
    default:
      return 0;
  }
}

int s4j_cpu_max_isa(void) {
  for (int isa = S4J_ISA_COUNT - 1; isa > S4J_ISA_PORTABLE; isa--) {
    if (s4j_isa_supported(isa)) return isa;
  }
  return S4J_ISA_PORTABLE;
}

/* ---------------------------------------------------------------------------------------------
 * AUTO: three-pass reload while it is faster, two-pass beyond. Reload computes exp once (pass 2
 * stores it) but moves 16 bytes/element (read x, write y, read y, write y); two-pass computes exp
 * twice and moves 12 (read x twice, write y). So reload wins while the kernels are compute-bound
 * (x and y in cache) and two-pass wins once memory bandwidth is the limit.
 *
 * Measured with `s4j_bench --crossover --min-ms=20` (sizes 8K..4M in steps of 2^(1/4), out of
 * place, median of 11 batches) on the development machine: AMD EPYC Zen 3 VM, 2 cores, 512 KiB L2
 * per core, 32 MiB L3, gcc 12 -O3:
 *   AVX2: reload 0.49-0.56 ns/element vs two-pass 0.73-0.80 from 8K to 1.2M; 1.76M: 0.89 vs 0.91;
 *         2M: 0.92 vs 0.86; 3M: 1.05 vs 0.97; 16M (s4j_bench): 1.58 vs 1.13. Crossover ~2M elements
 *         (16 MiB of x + y, half the L3).
 *         Re-measured after the exact block sums (benchmarks/run.sh, 2026-11-25, benchmarks/results/):
 *         reload 1.19 vs two-pass 1.36 ns/element at 4M, 1.36 vs 1.35 at 16M, 1.19 vs 1.21 at 64M:
 *         this VM streams only ~12.6 GB/s from DRAM in one thread, and AVX2 on Zen 3 is close to
 *         compute-bound at both, so reload is kept up to 8M and two-pass beyond (a tie there).
 *   portable: reload 3.9-5.6 ns/element vs two-pass 5.4-7.4 at every size up to 16M: the portable
 *         tier is compute-bound everywhere, so AUTO always picks reload.
 *   AVX-512: not measurable here (no AVX-512 on the development machine). Its kernels do about twice
 *         the work per cycle, so they turn memory-bound sooner; the value assumes the working set
 *         (8 bytes/element) should fit in a 2 MiB L2 (1-2 MiB on Zen 4/5 and recent Xeons).
 *         Re-measure on an AVX-512 machine with `s4j_bench --crossover`.
 * ------------------------------------------------------------------------------------------- */
#define S4J_AUTO_CROSSOVER_PORTABLE INT64_MAX
#define S4J_AUTO_CROSSOVER_AVX2 (INT64_C(1) << 23)
#define S4J_AUTO_CROSSOVER_AVX512 (INT64_C(1) << 18)

int s4j_auto_algorithm(int isa, int64_t n) {
  int64_t crossover;
  switch (isa) {
    case S4J_ISA_AVX2:
      crossover = S4J_AUTO_CROSSOVER_AVX2;
      break;
    case S4J_ISA_AVX512:
      crossover = S4J_AUTO_CROSSOVER_AVX512;
      break;
    default:
      crossover = S4J_AUTO_CROSSOVER_PORTABLE;
      break;
  }
  return n <= crossover ? S4J_ALGO_THREE_PASS_RELOAD : S4J_ALGO_TWO_PASS;
}

/* ---------------------------------------------------------------------------------------------
 * Exact path: double-precision three-pass for inputs outside the fast path's range (NaN, +-Inf,
 * |x| > ~65536, all -Inf). Reads each x[i] before writing y[i], so it works in place.
 * ------------------------------------------------------------------------------------------- */
static void s4j_exact(const float* x, float* y, size_t n) {
  double max = -INFINITY;
  int nan = 0;
  for (size_t i = 0; i < n; i++) {
    const double v = (double)x[i];
    if (v != v) nan = 1;
    max = (v > max) ? v : max;
  }
  /* Any NaN, any +Inf (Inf - Inf), or all -Inf (no finite maximum): every output is NaN. */
  if (nan || !isfinite(max)) {
    for (size_t i = 0; i < n; i++) y[i] = NAN;
    return;
  }
  /* Sum of exp(x - max) in double: the largest term is 1, so it neither overflows nor underflows
   * to 0; -Inf inputs contribute exp(-Inf) = 0. */
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += exp((double)x[i] - max);
  const double inv = 1.0 / sum;
  for (size_t i = 0; i < n; i++) y[i] = (float)(exp((double)x[i] - max) * inv);
}

/* ---------------------------------------------------------------------------------------------
 * Two-pass: pass 1 in blocks, each block's (m, e) merged into a double (M, E); pass 2 over all.
 * ------------------------------------------------------------------------------------------- */
static void s4j_two_pass(const s4j_kernel_set* k, const float* x, float* y, size_t n) {
  /* Pass 1 reads x once from memory, block by block; each block (16 KiB) stays in L1 while its sum is
   * taken as m * 2^e with e = the block's largest exponent (an L1 max sweep, then the exact sum
   * relative to 2^e), and the blocks' (m, e) pairs are merged in double by the max rule. This is the
   * paper's extended-exponent sum at block granularity: same memory traffic (no max pass over memory,
   * x read twice in all), nothing overflows, and the sum is exact to ~1 rounding. The paper's per-lane
   * fp32 (m, e) accumulators ran at the same speed on Zen 3 (0.39 ns/element) but drifted by up to
   * 8 ULP on adversarial inputs (one large term among thousands of equal small ones; found by
   * fuzzing), and making them exact in double cost +60% (docs/NUMERICS.md). */
  double sum_m = 0.0;
  double sum_e = 0.0;
  for (size_t i = 0; i < n; i += S4J_BLOCK) {
    const size_t b = (n - i < S4J_BLOCK) ? n - i : S4J_BLOCK;
    int has_nan = 0;
    const float max = k->rmax(b, x + i, &has_nan);
    const float e = (float)nearbyint((double)(max * S4J_LOG2E));
    /* NaN or +Inf input, or a block beyond the fast path's range (a finite huge x gives a huge e):
     * decide now, so the exponent differences below always fit an int. */
    if (has_nan || !(e <= S4J_E_HI)) {
      s4j_exact(x, y, n);
      return;
    }
    const double m = k->raddexp(b, x + i, e);
    /* (M, E) <- max rule; e and E are integers in [E_INIT, E_HI], so the difference fits an int. */
    if (i == 0) {
      sum_m = m;
      sum_e = (double)e;
    } else if ((double)e > sum_e) {
      sum_m = ldexp(sum_m, (int)(sum_e - (double)e)) + m;
      sum_e = (double)e;
    } else {
      sum_m += ldexp(m, (int)((double)e - sum_e));
    }
  }
  /* Fast path only when E (the largest n) is in [E_LO, E_HI] (NaN-safe negated form). */
  if (!(isfinite(sum_m) && sum_m > 0.0 && sum_e >= (double)S4J_E_LO && sum_e <= (double)S4J_E_HI)) {
    s4j_exact(x, y, n);
    return;
  }
  k->vscaleexp(n, x, y, (float)(1.0 / sum_m), (float)sum_e);
}

/* ---------------------------------------------------------------------------------------------
 * Three-pass: max first; the exact-path decision is made before anything is written (reload in
 * place must not destroy x before it knows it can finish on the fast path).
 * ------------------------------------------------------------------------------------------- */
static void s4j_three_pass(const s4j_kernel_set* k, const float* x, float* y, size_t n, int reload) {
  int has_nan = 0;
  const float max = k->rmax(n, x, &has_nan);
  /* E = rint(max * LOG2E) exactly as the kernels compute n (float product, then round to nearest
   * even). Both steps are monotone, so every element's n <= E. */
  const float scaled = max * S4J_LOG2E;
  const float e_max = (float)nearbyint((double)scaled);
  if (has_nan || !(e_max >= S4J_E_LO && e_max <= S4J_E_HI)) {
    s4j_exact(x, y, n);
    return;
  }
  double sum = 0.0;
  for (size_t i = 0; i < n; i += S4J_BLOCK) {
    const size_t b = (n - i < S4J_BLOCK) ? n - i : S4J_BLOCK;
    sum += reload ? k->raddstoreexp(b, x + i, y + i, e_max) : k->raddexp(b, x + i, e_max);
  }
  const float inv = (float)(1.0 / sum);
  if (reload) {
    k->vscale(n, y, inv);
  } else {
    k->vscaleexp(n, x, y, inv, e_max);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------------- */

int s4j_softmax_f32_at(int isa, int algorithm, const float* x, int64_t x_offset, float* y,
                       int64_t y_offset, int64_t n) {
  if (isa < 0 || isa >= S4J_ISA_COUNT || algorithm < 0 || algorithm >= S4J_ALGO_COUNT || n < 0 ||
      x_offset < 0 || y_offset < 0) {
    return S4J_EINVAL;
  }
  if (!s4j_isa_supported(isa)) return S4J_ENOTSUP;
  if (n == 0) return S4J_OK;
  if ((uint64_t)n > (uint64_t)SIZE_MAX) return S4J_EINVAL; /* 32-bit targets only */

  const s4j_kernel_set* k = &s4j_kernel_table[isa];
  const float* xs = x + (size_t)x_offset;
  float* ys = y + (size_t)y_offset;
  const size_t len = (size_t)n;
  if (algorithm == S4J_ALGO_AUTO) algorithm = s4j_auto_algorithm(isa, n);
  switch (algorithm) {
    case S4J_ALGO_TWO_PASS:
      s4j_two_pass(k, xs, ys, len);
      break;
    case S4J_ALGO_THREE_PASS_RECOMPUTE:
      s4j_three_pass(k, xs, ys, len, 0);
      break;
    default: /* S4J_ALGO_THREE_PASS_RELOAD */
      s4j_three_pass(k, xs, ys, len, 1);
      break;
  }
  return S4J_OK;
}

int s4j_softmax_f32(int isa, int algorithm, const float* x, float* y, int64_t n) {
  return s4j_softmax_f32_at(isa, algorithm, x, 0, y, 0, n);
}
