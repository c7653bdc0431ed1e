/*
 * softmax4j driver: argument checks, the kernel table per ISA tier, the two-pass and three-pass
 * algorithms of The Two-Pass Softmax Algorithm (M. Dukhan, A. Ablavatski, 2020, arXiv:2001.04438)
 * with the block-wise double merge of docs/NUMERICS.md, and the exact double-precision path.
 * Compiled without ISA flags: it only calls the ISA kernels through the table, after the probe.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"
#include "kernels.h"
#include "softmax4j.h"

/* The row paths and the rows loop are inlined into each entry: as calls of their own (a dozen arguments, most
 * on the stack) they cost a 256-element softmax ~8% (perf, a scratch loop of 2e7 calls). */
#if defined(_MSC_VER) && !defined(__clang__)
#define S4J_DRIVER_INLINE static __forceinline
#else
#define S4J_DRIVER_INLINE static inline __attribute__((always_inline))
#endif

/* The kernels of one tier, one per op (see kernels.h). */
typedef struct s4j_kernel_set {
  s4j_f32_rmax_fn rmax;
  s4j_f32_raddexp_fn raddexp;
  s4j_f32_raddstoreexp_fn raddstoreexp;
  s4j_f32_vscaleexp_fn vscaleexp;
  s4j_f32_vscale_fn vscale;
  s4j_f32_vmuladdc_fn vmuladdc;
  s4j_f32_vsoftmaxshort_fn vsoftmaxshort;
  size_t short_max; /* the longest row vsoftmaxshort takes in place: one vector (out of place S4J_SHORT_ROW) */
  s4j_f32_raddexpshort_fn raddexpshort;
  s4j_f32_rselect_fn rselect;
  s4j_f32_rargmax_fn rargmax;
} s4j_kernel_set;

/* Filled from the tier registry; a tier that is not compiled in has all-NULL entries. */
static const s4j_kernel_set s4j_kernel_table[S4J_ISA_COUNT] = {
#define S4J_TIER(id, isa, method, unroll, vlen, flags, ...)                                               \
  [id] = {s4j_f32_rmax__##isa##_##unroll,                 s4j_f32_raddexp__##isa##_##method##_##unroll,      \
          s4j_f32_raddstoreexp__##isa##_##method##_##unroll, s4j_f32_vscaleexp__##isa##_##method##_##unroll, \
          s4j_f32_vscale__##isa##_##unroll,               s4j_f32_vmuladdc__##isa##_##unroll,               \
          s4j_f32_vsoftmaxshort__##isa##_##method##_##unroll, vlen,                                           \
          s4j_f32_raddexpshort__##isa##_##method##_##unroll,                                                   \
          s4j_f32_rselect__##isa##_##unroll,              s4j_f32_rargmax__##isa##_##unroll},
#include "s4j_tiers.inc"
#undef S4J_TIER
};

/* The rest of every tier's registry line, compiled in or not (a C test on arm64 names the x86 tiers it skips;
 * s4j_auto_algorithm and s4j_f64_auto_algorithm answer for every tier): its name, the CPU features it needs
 * (s4j_cpu_features bits) and AUTO's crossovers, f32 and f64 (see "AUTO" below). */
typedef struct s4j_tier_info {
  const char* name;
  int cpu;
  int64_t auto32, auto64;
} s4j_tier_info;

#define S4J_TIER_EVERY_ARCH 1
static const s4j_tier_info s4j_tier_infos[S4J_ISA_COUNT] = {
#define S4J_TIER(id, isa, method, unroll, vlen, flags, name, cpu, auto32, auto64, ...) \
  [id] = {name, (cpu), (auto32), (auto64)},
#include "s4j_tiers.inc"
#undef S4J_TIER
};
#undef S4J_TIER_EVERY_ARCH

/* ---------------------------------------------------------------------------------------------
 * Tier support
 * ------------------------------------------------------------------------------------------- */

int s4j_isa_supported(int isa) {
  if (isa < 0 || isa >= S4J_ISA_COUNT || s4j_kernel_table[isa].raddexp == NULL) return 0;
#if defined(S4J_EMULATE_AVX512)
  /* Test-only build: the AVX-512 kernels are compiled against SIMDe's portable emulation. */
  if (isa == S4J_ISA_AVX512) return 1;
#endif
  return (s4j_cpu_features() & s4j_tier_infos[isa].cpu) == s4j_tier_infos[isa].cpu;
}

const char* s4j_isa_name(int isa) { return isa >= 0 && isa < S4J_ISA_COUNT ? s4j_tier_infos[isa].name : NULL; }

int s4j_cpu_max_isa(void) {
  for (int isa = S4J_ISA_COUNT - 1; isa > S4J_ISA_PORTABLE; isa--) {
    if (s4j_isa_supported(isa)) return isa;
  }
  return S4J_ISA_PORTABLE;
}

/* ---------------------------------------------------------------------------------------------
 * AUTO: three-pass reload while it is faster, two-pass beyond. The reload (without a max pass, see
 * s4j_reload) computes exp once and moves 20 bytes per element (read x, write y, read y, write y); two-pass
 * computes exp twice and moves 12, 8 with the non-temporal stores of its pass 2 from S4J_NT_MIN elements
 * on. So the reload wins while the kernels are compute-bound and two-pass once memory sets the pace.
 *
 * Measured (benchmarks/results/crossover.csv: s4j_native_bench --sizes=512K,...,16M, one core, interleaved
 * rounds, medians) on a Xeon (Emerald Rapids VM, 2 MiB L2 per core, 300 MiB L3), ns per element:
 *   AVX-512: reload 0.57 / 0.59 / 0.61 vs two-pass 0.65 / 0.67 / 0.68 at 512K / 1M / 2M; 4M: 0.66 vs 0.56,
 *            16M: 1.03 vs 0.73, 64M: 1.16 vs 0.91 (two-pass then writes around the cache): crossover 2^22.
 *   AVX2:    reload 0.66-0.72 vs two-pass 0.94-1.04 up to 4M (the AVX2 exp costs more, so two-pass stays
 *            compute-bound longer); 8M: 0.95 vs 1.07; 16M: 1.14 vs 1.11 (a tie); 64M: reload 1.11x faster.
 *   portable: compute-bound at every size: always the reload.
 * The working set at the AVX-512 crossover (32 MiB of x + y) is far below this L3: the crossover is where
 * the non-temporal stores begin, not a cache size, so it is kept as an element count.
 * Measured again on a Zen 5 (EPYC, family 1Ah VM, 1 MiB L2; benchmarks/results/zen5-crossover.csv, software
 * prefetch off as the CPU probe chooses there): AVX-512 reload / two-pass 0.24 / 0.25 at 4M, 0.31 / 0.30 at 8M,
 * 0.33 / 0.32 at 16M, 0.38 / 0.36 at 64M and 256M: the same crossover; AVX2 reload 0.36 / 0.40 / 0.41 against
 * two-pass 0.49 / 0.51 / 0.50 at 16M / 64M / 256M. On AVX2 two-pass computes exp twice at the speed memory
 * allows it: at best 1.09x faster than the reload (Xeon, 16M; crossover-recheck.csv), 1.11x slower at 64M
 * there, 1.24-1.37x slower on the Zen 5. AVX2 (and NEON, the same exp; not measured on arm64 hardware yet)
 * always runs the reload.
 * And on a Zen 4 (EPYC, family 19h VM, 32 MiB L3; benchmarks/results/zen4-nt.csv, non-temporal stores on as the
 * probe chooses there): AVX-512 reload / two-pass 0.31 / 0.33 at 4M, 0.39 / 0.35 at 8M, 0.45 / 0.37 at 16M,
 * 0.47 / 0.39 at 64M: the same crossover; AVX2 reload 0.38-0.47 against two-pass 0.52-0.55 from 4M to 64M.
 * ------------------------------------------------------------------------------------------- */
static int s4j_auto_of(int64_t crossover, int64_t n) {
  return n <= crossover ? S4J_ALGO_THREE_PASS_RELOAD : S4J_ALGO_TWO_PASS;
}

int s4j_auto_algorithm(int isa, int64_t n) {
  return s4j_auto_of(isa >= 0 && isa < S4J_ISA_COUNT ? s4j_tier_infos[isa].auto32 : INT64_MAX, n);
}

/* AUTO for f64: three-pass reload up to the crossover (the registry's auto64), two-pass beyond. The f64 exp
 * costs ~3x the f32 exp per element (degree 13, 4 lanes per AVX2 vector), so the kernels stay compute-bound
 * far longer than f32's, which favours the reload (one exp per element, two-pass computes two):
 * `s4j_bench --f64` measured the reload ahead up to 16M on AVX2 (docs/NUMERICS.md), and on a Zen 4 with AVX-512
 * the reload took 0.61-0.82x two-pass's time at every size from 256K to 32M (twenty-ninth session; until then
 * AVX-512 switched at 2^17, half the f32 crossover of the time, never measured for f64). Every tier runs the
 * reload at every size. */
int s4j_f64_auto_algorithm(int isa, int64_t n) {
  return s4j_auto_of(isa >= 0 && isa < S4J_ISA_COUNT ? s4j_tier_infos[isa].auto64 : INT64_MAX, n);
}

/* ---------------------------------------------------------------------------------------------
 * Exact path: double precision for inputs outside the fast path's range (NaN, +-Inf, all -Inf,
 * |s*x| > ~65536, a scale outside [2^-100, 2^100]). v = s*x is exact in double (a product of two
 * floats); v - max rounds at 2^-53 relative, far below float precision. Reads each x[i] before
 * writing y[i], so it works in place.
 * ------------------------------------------------------------------------------------------- */
static void s4j_exact(int op, int flags, float s, const float* x, float* y, size_t n, double* lse) {
  const double ds = (double)s;
  double max = -INFINITY;
  int nan = 0;
  for (size_t i = 0; i < n; i++) {
    const double v = (double)x[i] * ds;
    if (v != v) nan = 1;
    max = (v > max) ? v : max;
  }
  if (nan || !isfinite(max)) {
    /* Any NaN: NaN everywhere. Any +Inf: logsumexp +Inf, softmax NaN (Inf - Inf). All -Inf:
     * logsumexp -Inf; softmax NaN (0/0), or zeros / -Inf with S4J_FLAG_SAFE. */
    const double l = nan ? NAN : max;
    const float fill = (!nan && max < 0.0 && (flags & S4J_FLAG_SAFE))
                           ? (op == S4J_OP_SOFTMAX ? 0.0f : -INFINITY)
                           : NAN;
    if (lse != NULL) *lse = l;
    if (op != S4J_OP_LOG_SUM_EXP) {
      for (size_t i = 0; i < n; i++) y[i] = fill;
    }
    return;
  }
  /* Sum of exp(v - max) in double: the largest term is 1, so it neither overflows nor underflows
   * to 0; -Inf inputs contribute exp(-Inf) = 0. */
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += exp((double)x[i] * ds - max);
  const double l = max + log(sum);
  if (lse != NULL) *lse = l;
  if (op == S4J_OP_SOFTMAX) {
    const double inv = 1.0 / sum;
    for (size_t i = 0; i < n; i++) y[i] = (float)(exp((double)x[i] * ds - max) * inv);
  } else if (op == S4J_OP_LOG_SOFTMAX) {
    for (size_t i = 0; i < n; i++) y[i] = (float)(((double)x[i] * ds - max) - log(sum));
  }
}

static int s4j_scale_fast(float s) { return s >= S4J_SCALE_MIN && s <= S4J_SCALE_MAX; }

/* A scale the f32 entries accept: positive and finite (+Inf would give x * Inf: NaN rows, or all -Inf rows that
 * S4J_FLAG_SAFE takes for masked ones). Scales outside the fast path's range take the exact path. */
static int s4j_scale_ok(float s) { return s > 0.0f && s <= FLT_MAX; }

/* The merged pair (M, E) is usable by the fast path: E (the largest n) in [E_LO, E_HI]. */
static int s4j_sum_fast(double m, double e) {
  return isfinite(m) && m > 0.0 && e >= (double)S4J_E_LO && e <= (double)S4J_E_HI;
}

/* logsumexp = log(m * 2^e) = log(m) + e*ln2, in double. */
static double s4j_lse(double m, double e) { return log(m) + e * 0x1.62e42fefa39efp-1; }

/* (m, e) with m in [1, 2): the normaliser's form for pass 2 (vscaleexp takes c = 1/m in (1/2, 1]). */
static void s4j_normalize(double* m, double* e) {
  int k;
  const double f = frexp(*m, &k); /* f in [1/2, 1) */
  *m = 2.0 * f;
  *e += (double)(k - 1);
}

/* ---------------------------------------------------------------------------------------------
 * The fused argmax (s4j_f32_softmax_argmax_rows_at): the final pass of the fast path runs in chunks, its
 * kernels (vscale, vscaleexp) return each chunk's largest output at the cost of a max per vector, and the
 * first chunk holding the row's largest is searched once at the end (rargmax over one chunk): no pass over
 * the row. Chunks are n/16, at least 2048 (the search costs at most a sixteenth of a pass) and at most
 * 65536 floats. Every other path (short rows, the exact path, all NaN) is searched once after the row.
 * ------------------------------------------------------------------------------------------- */
typedef struct s4j_top {
  float best;   /* the largest output so far (-Inf before the first; no softmax output is -Inf) */
  size_t at;    /* the first chunk holding it */
  size_t len;
  size_t chunk; /* the chunk length for this row */
  int done;     /* the fast path's final pass tracked the whole row */
} s4j_top;

static s4j_top s4j_top_init(size_t n) {
  size_t c = (n / 16 + 63) & ~(size_t)63;
  c = c < 2048 ? 2048 : (c > 65536 ? 65536 : c);
  const s4j_top t = {-INFINITY, 0, 0, c, 0};
  return t;
}

static void s4j_top_chunk(s4j_top* t, size_t from, size_t len, float m) {
  if (m > t->best) {
    t->best = m;
    t->at = from;
    t->len = len;
  }
}

/* y[from ..+len) *= c (the reload's final pass; one: vscale's one product, s4j_one_product), tracking the top
 * when asked. */
static void s4j_out_scale(const s4j_kernel_set* k, float* y, size_t from, size_t len, double c, int one,
                          s4j_top* top) {
  if (top == NULL) {
    k->vscale(len, y + from, c, one, NULL);
    return;
  }
  for (size_t i = from; i < from + len; i += top->chunk) {
    const size_t b = from + len - i < top->chunk ? from + len - i : top->chunk;
    float m;
    k->vscale(b, y + i, c, one, &m);
    s4j_top_chunk(top, i, b, m);
  }
  top->done = 1;
}

/* y = exp(s*x) * c * 2^-e (two-pass and recompute's final pass), tracking the top when asked. */
static void s4j_out_scaleexp(const s4j_kernel_set* k, const float* x, float* y, size_t n, float s, double c,
                             float e, s4j_top* top) {
  if (top == NULL) {
    k->vscaleexp(n, x, y, s, c, e, NULL);
    return;
  }
  for (size_t i = 0; i < n; i += top->chunk) {
    const size_t b = n - i < top->chunk ? n - i : top->chunk;
    float m;
    k->vscaleexp(b, x + i, y + i, s, c, e, &m);
    s4j_top_chunk(top, i, b, m);
  }
  top->done = 1;
}

/* The row's index: the first of its largest in the tracked chunk, or a search of the whole row (-1 for
 * NaN outputs). */
static int64_t s4j_top_index(const s4j_kernel_set* k, const s4j_top* t, const float* y, size_t n) {
  if (t->done) return (int64_t)t->at + k->rargmax(t->len, y + t->at);
  const int64_t j = k->rargmax(n, y);
  return j < 0 ? -1 : j;
}

/* ---------------------------------------------------------------------------------------------
 * Pass 1 of two-pass: the sum of exp(s*x) as (M, E) in double, block by block, with no max pass over
 * memory (docs/NUMERICS.md, "Two-pass"). E starts as the exponent of the first S4J_HEAD elements' maximum; every
 * block is summed relative to the running E in one streaming pass; a block with an input far above E
 * (its sum >= 2^58, or not finite) is summed again relative to its own maximum, which becomes E. Inputs
 * far below E underflow to terms that are negligible against the sum (>= 2^(E - 1/2): the maximum rounds to
 * E). Returns 0 (and leaves *m_out NaN) when the fast path cannot be used for this range.
 * ------------------------------------------------------------------------------------------- */
#define S4J_REDO_SUM 0x1.0p+58 /* 2^S4J_REDO_EXP */
/* E comes from the maximum of this many first elements (all of a short row). */
#define S4J_HEAD 256
/* vsoftmaxshort's rows take E from their own maximum, as the reload does for rows no longer than the head; a
 * longer fused row could differ from the reload below 2^-100 (vscale's normalised factor, NUMERICS "Bias"). */
#if S4J_SHORT_ROW > S4J_HEAD
#error "fused short rows must be no longer than the reload's head"
#endif

/* The kernels' tree argument (kernels.h): the sums may be trees above S4J_SUM_TREE_MIN only where they feed softmax
 * outputs and no lse (whose absolute bounds take the sum's error whole), and the reload's stored terms of such a row
 * only meet their own sum (S4J_ROW_CANCEL: the tier's cancelling table). One rule for every path, so that a row
 * gives the same bits alone, in a batch and pipelined. */
static inline int s4j_tree(int op, const double* lse) {
  return op == S4J_OP_SOFTMAX && lse == NULL ? S4J_ROW_TREE | S4J_ROW_CANCEL : 0;
}

/* Sums that feed a log-sum-exp (tree = 0 below: log-sum-exp, log-softmax, cross-entropy, softmax with an lse output,
 * the split's parts) may still be trees once the row's log-sum-exp is known to be at least S4J_TREE_LSE_MIN: the
 * terms are positive, so the log-sum-exp of the blocks summed so far only grows, and from 8 on the lse bound (2 ULP
 * of |lse|, 2^-20 and more) and log-softmax's (2^-23 (|s*x| + |lse|) + 2^-24, at least 17 x 2^-24) have room for
 * the tree's 2 more units (docs/NUMERICS.md, "Sums"). Logits have it (their log-sum-exp is at least their maximum);
 * log-probabilities (log-sum-exp 0) keep the pairs. Such a row's first S4J_SUM_TREE_MIN floats are summed alone
 * (pairs) when the rest is long enough for a tree, so that one-block rows gain too. */
#define S4J_TREE_LSE_MIN 8.0
/* Whether the next call may add trees, given the sum so far as sum * 2^e: log2 of it against 8 / ln 2, with the
 * exponent apart (frexp), so that the same value relative to another E (sum * 2^k, e - k: the in-place and
 * out-of-place reloads, redone blocks) gets the same answer, bit for bit. */
static inline int s4j_tree_after(int tree, double sum, double e) {
  if (tree) return tree; /* S4J_ROW_CANCEL with it: every call of the row alike */
  if (!(sum > 0.0)) return 0;
  int k;
  const double f = frexp(sum, &k); /* f in [1/2, 1), the same for sum * 2^k */
  /* (k + e) exact: integers */
  return log2(f) + ((double)k + e) >= S4J_TREE_LSE_MIN * 0x1.71547652b82fep0 ? S4J_ROW_TREE : 0;
}

/* Pass 1 of two-pass: the sum of the terms as m * 2^e, with the kernels' tree argument (s4j_tree), or the trees
 * allowed by the log-sum-exp so far (above). */
static int s4j_sumexp(const s4j_kernel_set* k, float s, const float* x, size_t n, int tree, double* m_out,
                      double* e_out) {
  *m_out = NAN;
  *e_out = NAN;
  if (!s4j_scale_fast(s)) return 0;
  float e = s4j_f32_exponent_of_max(k->rmax(n < S4J_HEAD ? n : S4J_HEAD, x), s);
  if (!(e <= S4J_E_HI)) return 0; /* +Inf or a huge input */
  double sum_m = 0.0;
  /* the first block ends here: the head alone when its log-sum-exp may allow trees for the rest */
  size_t end = !tree && n > 2 * (size_t)S4J_SUM_TREE_MIN ? (size_t)S4J_SUM_TREE_MIN : (size_t)S4J_BLOCK;
  for (size_t i = 0; i < n; i = end, end += S4J_BLOCK) {
    const size_t b = (n < end ? n : end) - i;
    const int t = s4j_tree_after(tree, sum_m, (double)e);
    double m = k->raddexp(b, x + i, s, e, t);
    if (!(m >= 0.0 && m < S4J_REDO_SUM)) {
      /* NaN, +Inf, or an input well above E: this block's own maximum. */
      const float eb = s4j_f32_exponent_of_max(k->rmax(b, x + i), s);
      if (!(eb <= S4J_E_HI)) return 0;
      if (eb > e) {
        sum_m = ldexp(sum_m, (int)(e - eb)); /* integers in [E_INIT, E_HI]: fits an int (rare: a redo) */
        e = eb;
      }
      m = k->raddexp(b, x + i, s, e, t);
      if (!(m >= 0.0 && m < S4J_REDO_SUM)) return 0; /* a NaN input */
    }
    sum_m += m;
  }
  *m_out = sum_m;
  *e_out = (double)e;
  return 1;
}

/* Pass 2 of two-pass for the total m * 2^e (fast path). */
static void s4j_finish(const s4j_kernel_set* k, int op, float s, const float* x, float* y, size_t n,
                       double m, double e, s4j_top* top) {
  if (op == S4J_OP_SOFTMAX) {
    s4j_normalize(&m, &e);
    s4j_out_scaleexp(k, x, y, n, s, 1.0 / m, (float)e, top);
  } else if (op == S4J_OP_LOG_SOFTMAX) {
    /* y = (s*x - L_hi) - L_lo with lse = L_hi + L_lo: the FMA takes the exact product, the two roundings are
     * of the result's size (~1 ULP of y), and lse's own float rounding (up to ~2^-24 * |lse|, far more than
     * one ULP of y where |y| << |lse|) never reaches y (docs/NUMERICS.md, "log-softmax"). */
    const double l = s4j_lse(m, e);
    const float l_hi = (float)l;
    k->vmuladdc(n, x, y, s, -l_hi, (float)-(l - (double)l_hi));
  }
}

/* ---------------------------------------------------------------------------------------------
 * Three-pass recompute: max first (rmax ignores NaN; a NaN input shows up as a non-finite sum), the sum relative
 * to 2^E with E the exponent of the maximum, then the output pass. Nothing is written before the fast path
 * is known to finish.
 * ------------------------------------------------------------------------------------------- */
/* E of the whole range's maximum (the max pass of three-pass); 0 when the range takes the exact path. */
static int s4j_max_exponent(const s4j_kernel_set* k, float s, const float* x, size_t n, float* e) {
  *e = s4j_f32_exponent_of_max(k->rmax(n, x), s);
  return s4j_scale_fast(s) && *e >= S4J_E_LO && *e <= S4J_E_HI;
}

/* Sum of the terms relative to 2^E, block by block, with the trees s4j_tree_after allows; with y, the terms are
 * stored too (raddstoreexp). */
static double s4j_block_sum(const s4j_kernel_set* k, float s, const float* x, float* y, size_t n, float e,
                            int tree) {
  double sum = 0.0;
  for (size_t i = 0; i < n; i += S4J_BLOCK) {
    const size_t b = (n - i < S4J_BLOCK) ? n - i : S4J_BLOCK;
    const int t = s4j_tree_after(tree, sum, (double)e);
    sum += y != NULL ? k->raddstoreexp(b, x + i, y + i, s, e, t) : k->raddexp(b, x + i, s, e, t);
  }
  return sum;
}

static int s4j_three_pass_recompute(const s4j_kernel_set* k, float s, const float* x, float* y, size_t n,
                                    double* lse, s4j_top* top) {
  float e_max;
  if (!s4j_max_exponent(k, s, x, n, &e_max)) return 0;
  const double sum = s4j_block_sum(k, s, x, NULL, n, e_max, s4j_tree(S4J_OP_SOFTMAX, lse));
  if (!isfinite(sum)) return 0; /* a NaN input */
  double m = sum, e = (double)e_max;
  s4j_normalize(&m, &e);
  s4j_out_scaleexp(k, x, y, n, s, 1.0 / m, (float)e, top);
  if (lse != NULL) *lse = s4j_lse(sum, (double)e_max);
  return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Three-pass reload without the max pass over memory (docs/NUMERICS.md, "Reload"): E is the exponent of the
 * maximum of the first S4J_HEAD elements only; each block's terms z = exp(s*x) * 2^-E are stored into y and
 * summed; a block whose sum reaches 2^58 relative to E (an input more than ~40/s above that maximum, or
 * +Inf, or NaN) is done again relative to its own maximum, which becomes E for what follows, and the blocks
 * before it are scaled by 2^(E_old - E_new) in the final pass (a few segments, each with its own factor).
 * Terms far below E underflow exactly as with the true maximum (E never exceeds it). Out of place only:
 * a redone block reads x again. In place, the max pass runs first (s4j_reload_first).
 * Returns 0 for the exact path (x is intact), 1 when done, -1 when there were too many segments (the
 * caller runs s4j_reload_first with the max pass first, which needs no segments).
 * ------------------------------------------------------------------------------------------- */
#define S4J_MAX_SEGMENTS 32

static void s4j_fill_nan(float* y, size_t n, double* lse) {
  for (size_t i = 0; i < n; i++) y[i] = NAN;
  if (lse != NULL) *lse = NAN;
}

/* The reload's final pass over one segment, y *= c: vscale applies c * 2^-EXP_BIAS as two floats, hi + lo, and
 * rounds once per output while hi is a normal float well inside its range: c * 2^-EXP_BIAS >= 2^-120 (below
 * 2^-97 vscale normalises the factor first, so that lo keeps its bits and the result does not depend on the
 * factor's exponent). A smaller c (a segment before a block far above it;
 * a sum beyond 2^56 relative to 2^E, inputs ~39 above the first elements' maximum) goes in exact steps of 2^-100
 * first; below 2^-200 every output is below 2^-142 (the segment's terms are below 2^REDO_EXP), and zero is
 * within FLT_MIN. */
static void s4j_segment_scale(const s4j_kernel_set* k, float* y, size_t from, size_t len, double c, int one,
                              s4j_top* top) {
  const double step = 0x1.0p-100 / S4J_EXP_UNBIAS; /* vscale by this: y *= 2^-100 exactly, the bias stays */
  if (c < 0x1.0p-200) c = 0.0;
  while (c != 0.0 && c * S4J_EXP_UNBIAS < 0x1.0p-120) {
    k->vscale(len, y + from, step, 0, NULL);
    c *= 0x1.0p+100;
  }
  s4j_out_scale(k, y, from, len, c, one, top);
}

/* Whether the reload's final pass may take the factor as one float (vscale's one): rows above S4J_SUM_TREE_MIN
 * without an lse output (s4j_tree: on the table tiers their terms took the cancelling table): their 8-ULP budget
 * has room for the factor's rounding (docs/NUMERICS.md, "Error budget"). But z * fl(1/z) is not 1 for every float
 * z, and a row whose mass is one term z (or nearly: its other terms less than ~2^-25 of the sum) must give 1 there,
 * as the correctly rounded result is: the sum (times the bias) rounded to a float is then z, so that float goes
 * through vscale's one product first, at a scale where both are normal floats (the same bits), and a result
 * other than 1 keeps the two floats. Other rows whose rounded sum fails the same test keep them too. A function of
 * the sum's significand alone (relative to another E the sum is the same sum times a power of two), so that the
 * in-place and out-of-place reloads agree. */
static int s4j_one_product(const s4j_kernel_set* k, size_t n, const double* lse, double sum, double inv) {
  if (n <= S4J_SUM_TREE_MIN || !(s4j_tree(S4J_OP_SOFTMAX, lse) & S4J_ROW_CANCEL) || !(sum > 0.0)) return 0;
  int ex;
  float z = (float)frexp(sum, &ex); /* in [1/2, 1]: fl(sum * 2^64) times a power of two */
  k->vscale(1, &z, ldexp(inv, ex + S4J_EXP_BIAS), 1, NULL);
  return z == 1.0f;
}

static int s4j_reload(const s4j_kernel_set* k, float s, const float* x, float* y, size_t n, double* lse,
                      s4j_top* top) {
  if (!s4j_scale_fast(s)) return 0;
  float e = s4j_f32_exponent_of_max(k->rmax(n < S4J_HEAD ? n : S4J_HEAD, x), s);
  if (!(e <= S4J_E_HI)) return 0;
  size_t seg_start[S4J_MAX_SEGMENTS];
  float seg_e[S4J_MAX_SEGMENTS];
  int segs = 1;
  seg_start[0] = 0;
  seg_e[0] = e;
  double sum = 0.0;
  for (size_t i = 0; i < n; i += S4J_BLOCK) {
    const size_t b = (n - i < S4J_BLOCK) ? n - i : S4J_BLOCK;
    const int t = s4j_tree_after(s4j_tree(S4J_OP_SOFTMAX, lse), sum, (double)e);
    double m = k->raddstoreexp(b, x + i, y + i, s, e, t);
    if (!(m >= 0.0 && m < S4J_REDO_SUM)) {
      const float eb = s4j_f32_exponent_of_max(k->rmax(b, x + i), s);
      if (!(eb <= S4J_E_HI)) return 0;
      if (eb > e) {
        if (segs == S4J_MAX_SEGMENTS) return -1;
        sum = ldexp(sum, (int)(e - eb)); /* integers in [E_INIT, E_HI]: fits an int */
        e = eb;
        seg_start[segs] = i;
        seg_e[segs] = e;
        segs++;
      }
      m = k->raddstoreexp(b, x + i, y + i, s, e, t);
      if (!(m >= 0.0 && m < S4J_REDO_SUM)) {
        s4j_fill_nan(y, n, lse); /* a NaN input: all NaN */
        return 1;
      }
    }
    sum += m;
  }
  if (!(e >= S4J_E_LO)) return 0;
  const double inv = 1.0 / sum;
  const int one = s4j_one_product(k, n, lse, sum, inv);
  for (int g = 0; g < segs; g++) {
    const size_t end = g + 1 < segs ? seg_start[g + 1] : n;
    /* the last segment's factor is inv itself (no libm call on the common one-segment path) */
    s4j_segment_scale(k, y, seg_start[g], end - seg_start[g],
                      g + 1 < segs ? ldexp(inv, (int)(seg_e[g] - e)) : inv, one, top);
  }
  if (lse != NULL) *lse = s4j_lse(sum, (double)e);
  return 1;
}

/* The reload's first passes of a row that needs no segments: a row of one block (n <= S4J_BLOCK: every in-cache
 * row; a redone block is the whole row, so no earlier segment needs its own factor), or with max_first the max
 * pass over the whole row first (in place: the exact-path decision precedes any write; and out of place when
 * s4j_reload ran out of segments). The same kernels and arguments as s4j_reload, so the same bits, without its
 * segment bookkeeping, which cost a 64-256-float call ~10 ns (0.82-0.88x the time, scratch timer). A row no
 * longer than the head never redoes: its maximum is the head's, so a sum out of range is a NaN input (a NaN
 * found after y was written needs no x: the result is all NaN). Returns 0 for the exact path (x intact), 1 when
 * the row is done (all NaN), 2 when the final pass is left: y *= 1 / *sum, relative to 2^*e (s4j_reload_rest). */
S4J_DRIVER_INLINE int s4j_reload_first(const s4j_kernel_set* k, float s, const float* x, float* y, size_t n,
                                       int max_first, double* lse, double* sum_out, float* e_out) {
  float e;
  double sum;
  if (max_first) {
    if (!s4j_max_exponent(k, s, x, n, &e)) return 0;
    sum = s4j_block_sum(k, s, x, y, n, e, s4j_tree(S4J_OP_SOFTMAX, lse));
  } else {
    if (!s4j_scale_fast(s)) return 0;
    e = s4j_f32_exponent_of_max(k->rmax(n < S4J_HEAD ? n : S4J_HEAD, x), s);
    if (!(e <= S4J_E_HI)) return 0;
    sum = k->raddstoreexp(n, x, y, s, e, s4j_tree(S4J_OP_SOFTMAX, lse));
    if (!(sum >= 0.0 && sum < S4J_REDO_SUM) && n > (size_t)S4J_HEAD) {
      const float eb = s4j_f32_exponent_of_max(k->rmax(n, x), s);
      if (!(eb <= S4J_E_HI)) return 0;
      if (eb > e) e = eb;
      sum = k->raddstoreexp(n, x, y, s, e, s4j_tree(S4J_OP_SOFTMAX, lse));
    }
  }
  if (!(sum >= 0.0 && sum < S4J_REDO_SUM)) { /* no +Inf (E <= E_HI): a NaN input */
    s4j_fill_nan(y, n, lse);
    return 1;
  }
  if (!(e >= S4J_E_LO)) return 0;
  *sum_out = sum;
  *e_out = e;
  return 2;
}

/* The reload's final pass after s4j_reload_first, and the row's log-sum-exp. */
S4J_DRIVER_INLINE void s4j_reload_rest(const s4j_kernel_set* k, float* y, size_t n, double sum, float e,
                                       double* lse, s4j_top* top) {
  const double inv = 1.0 / sum;
  s4j_segment_scale(k, y, 0, n, inv, s4j_one_product(k, n, lse, sum, inv), top);
  if (lse != NULL) *lse = s4j_lse(sum, (double)e);
}

/* Whether rows of n floats at x (to y) take the fused short-row kernel (batches of them: attention over a few
 * positions): softmax by the reload with a fast scale, and one vector per row (in place too) or out of place. */
static int s4j_short_rows(const s4j_kernel_set* k, int op, int algorithm, float s, const float* x, const float* y,
                          size_t n) {
  return op == S4J_OP_SOFTMAX && algorithm == S4J_ALGO_THREE_PASS_RELOAD && s4j_scale_fast(s) &&
         (n <= k->short_max || (n <= (size_t)S4J_SHORT_ROW && x != y));
}

/* A two-pass row once pass 1 gave its sum m * 2^e (ok = 0: the row needs the exact path): lse, pass 2. */
S4J_DRIVER_INLINE void s4j_two_pass_rest(const s4j_kernel_set* k, int op, int flags, float s, const float* x, float* y,
                                         size_t n, int ok, double m, double e, double* lse, s4j_top* top) {
  if (!ok || !s4j_sum_fast(m, e)) {
    s4j_exact(op, flags, s, x, y, n, lse);
    return;
  }
  if (lse != NULL) *lse = s4j_lse(m, e);
  s4j_finish(k, op, s, x, y, n, m, e, top);
}

/* One row: the fast path of the chosen algorithm, or the exact path; with top, also the fused argmax. */
S4J_DRIVER_INLINE void s4j_row_paths(const s4j_kernel_set* k, int op, int algorithm, int flags, float s, const float* x,
                          float* y, size_t n, double* lse, s4j_top* top) {
  if (lse == NULL && s4j_short_rows(k, op, algorithm, s, x, y, n)) {
    if (k->vsoftmaxshort(1, n, x, 0, y, 0, s) != 0) s4j_exact(op, flags, s, x, y, n, lse);
    return;
  }
  if (op == S4J_OP_SOFTMAX && algorithm == S4J_ALGO_THREE_PASS_RECOMPUTE) {
    if (!s4j_three_pass_recompute(k, s, x, y, n, lse, top)) s4j_exact(op, flags, s, x, y, n, lse);
    return;
  }
  if (op == S4J_OP_SOFTMAX && algorithm == S4J_ALGO_THREE_PASS_RELOAD) {
    int done = x == y || n <= (size_t)S4J_BLOCK ? -1 : s4j_reload(k, s, x, y, n, lse, top);
    if (done < 0) {
      double sum;
      float e;
      done = s4j_reload_first(k, s, x, y, n, x == y || n > (size_t)S4J_BLOCK, lse, &sum, &e);
      if (done == 2) s4j_reload_rest(k, y, n, sum, e, lse, top);
    }
    if (!done) s4j_exact(op, flags, s, x, y, n, lse);
    return;
  }
  double m, e;
  const int ok = s4j_sumexp(k, s, x, n, s4j_tree(op, lse), &m, &e);
  s4j_two_pass_rest(k, op, flags, s, x, y, n, ok, m, e, lse, top);
}

/* The row, and with index its fused argmax (s4j_top_index). */
S4J_DRIVER_INLINE void s4j_row(const s4j_kernel_set* k, int op, int algorithm, int flags, float s, const float* x,
                    float* y, size_t n, double* lse, int64_t* index) {
  if (index == NULL) {
    s4j_row_paths(k, op, algorithm, flags, s, x, y, n, lse, NULL);
    return;
  }
  s4j_top top = s4j_top_init(n);
  s4j_row_paths(k, op, algorithm, flags, s, x, y, n, lse, &top);
  *index = s4j_top_index(k, &top, y, n);
}

/* ---------------------------------------------------------------------------------------------
 * Batches of in-cache rows, pipelined (attention rows of a few hundred to a few thousand floats): each row is
 * run as two stages, pass 1 (the head's maximum and the reload's store pass, or two-pass's sum) and the rest
 * (the final pass), and row r's pass 1 is issued before row r - 1's rest. A row's serial tail (the sum's
 * reduction, the division or the log, the factor's split) then waits in the core beside the neighbour's
 * independent work instead of in front of its own final pass. Per row the same functions as one row at a time
 * (s4j_reload_first + s4j_reload_rest, s4j_sumexp + s4j_two_pass_rest): the same bits.
 * ------------------------------------------------------------------------------------------- */
typedef struct s4j_stage {
  const float* x;
  float* y;
  double* lse;
  double m;
  float e;
  int ok;      /* two-pass: pass 1 gave (m, e) */
  int pending; /* 0: nothing left; 1: the reload's final pass; 2: two-pass's rest */
} s4j_stage;

/* Pass 1 of one row into st (nothing pending when the row was finished at once). */
S4J_DRIVER_INLINE void s4j_stage_first(const s4j_kernel_set* k, int op, int algorithm, int flags, float s,
                                       const float* x, float* y, size_t n, double* lse, s4j_stage* st) {
  st->x = x;
  st->y = y;
  st->lse = lse;
  if (op == S4J_OP_SOFTMAX && algorithm == S4J_ALGO_THREE_PASS_RELOAD) {
    const int r = s4j_reload_first(k, s, x, y, n, x == y, lse, &st->m, &st->e);
    if (r == 0) s4j_exact(op, flags, s, x, y, n, lse);
    st->pending = r == 2;
    return;
  }
  double e;
  st->ok = s4j_sumexp(k, s, x, n, s4j_tree(op, lse), &st->m, &e);
  st->e = (float)e; /* an integer in [E_INIT, E_HI] (NaN when not ok): exact in float */
  st->pending = 2;
}

/* The rest of a row whose pass 1 is in st. */
S4J_DRIVER_INLINE void s4j_stage_rest(const s4j_kernel_set* k, int op, int flags, float s, size_t n,
                                      const s4j_stage* st) {
  if (st->pending == 1) {
    s4j_reload_rest(k, st->y, n, st->m, st->e, st->lse, NULL);
  } else if (st->pending == 2) {
    s4j_two_pass_rest(k, op, flags, s, st->x, st->y, n, st->ok, st->m, (double)st->e, st->lse, NULL);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------------- */

/* Bit isa set when that tier runs here: s4j_isa_supported of every tier once, then one load per call (the
 * entries' check; it was ~50 instructions of a ~400-instruction driver path on a short row). Threads that
 * race on the first call compute and store the same value, as s4j_cpu_features does. */
static volatile int s4j_isa_mask_cache = -1;

static int s4j_isa_mask(void) {
  int m = S4J_LOAD_ACQUIRE(&s4j_isa_mask_cache);
  if (m < 0) {
    m = 0;
    for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
      if (s4j_isa_supported(isa)) m |= 1 << isa;
    }
    S4J_STORE_RELEASE(&s4j_isa_mask_cache, m);
  }
  return m;
}

static int s4j_check_isa(int isa) {
  if (isa < 0 || isa >= S4J_ISA_COUNT) return S4J_EINVAL;
  return (s4j_isa_mask() >> isa) & 1 ? S4J_OK : S4J_ENOTSUP;
}

/* The rows loop of both entries, after their checks; index (the fused argmax) may be NULL. */
S4J_DRIVER_INLINE void s4j_rows_run(int isa, int op, int algorithm, int flags, float s, const float* x, int64_t x_offset,
                         int64_t x_stride, float* y, int64_t y_offset, int64_t y_stride, int64_t rows, int64_t cols,
                         double* lse, int64_t lse_offset, int64_t* index, int64_t index_offset) {
  const int want_lse = op == S4J_OP_LOG_SUM_EXP || (flags & S4J_FLAG_LSE);
  const s4j_kernel_set* k = &s4j_kernel_table[isa];
  const size_t n = (size_t)cols;
  if (algorithm == S4J_ALGO_AUTO) algorithm = s4j_auto_algorithm(isa, cols);
  if (rows > 1 && n > 0 && !want_lse && index == NULL && x_stride >= cols && y_stride >= cols &&
      (x_stride == y_stride || n <= k->short_max) &&
      s4j_short_rows(k, op, algorithm, s, x + (size_t)x_offset, y + (size_t)y_offset, n)) {
    /* short rows, S4J_SHORT_GROUP at a time (rows apart, and in place or out of place alike: the contract) */
    for (int64_t r = 0; r < rows; r += S4J_SHORT_GROUP) {
      const size_t g = rows - r < S4J_SHORT_GROUP ? (size_t)(rows - r) : S4J_SHORT_GROUP;
      const float* xr = x + (size_t)(x_offset + r * x_stride);
      float* yr = y + (size_t)(y_offset + r * y_stride);
      const unsigned exact = k->vsoftmaxshort(g, n, xr, (size_t)x_stride, yr, (size_t)y_stride, s);
      for (size_t b = 0; exact != 0 && b < g; b++) {
        if (exact & (1u << b)) s4j_exact(op, flags, s, xr + b * (size_t)x_stride, yr + b * (size_t)y_stride, n, NULL);
      }
    }
    return;
  }
  if (rows > 1 && n > 0 && n <= (size_t)S4J_SHORT_ROW && index == NULL &&
      (op == S4J_OP_LOG_SOFTMAX || op == S4J_OP_LOG_SUM_EXP) && s4j_scale_fast(s) && x_stride >= cols &&
      (op == S4J_OP_LOG_SUM_EXP || y_stride >= cols)) {
    /* short rows of the two-pass ops, pass 1 of S4J_SHORT_GROUP rows at a time (a row no longer than its head
     * has E from its own maximum and one block: raddexpshort gives s4j_sumexp's (m, e)), then each row's rest */
    for (int64_t r = 0; r < rows; r += S4J_SHORT_GROUP) {
      const size_t g = rows - r < S4J_SHORT_GROUP ? (size_t)(rows - r) : S4J_SHORT_GROUP;
      double m[S4J_SHORT_GROUP];
      float e[S4J_SHORT_GROUP];
      k->raddexpshort(g, n, x + (size_t)(x_offset + r * x_stride), (size_t)x_stride, s, m, e);
      for (size_t b = 0; b < g; b++) {
        const int64_t rb = r + (int64_t)b;
        s4j_two_pass_rest(k, op, flags, s, x + (size_t)(x_offset + rb * x_stride),
                          op == S4J_OP_LOG_SUM_EXP ? NULL : y + (size_t)(y_offset + rb * y_stride), n,
                          m[b] >= 0.0 && m[b] < S4J_REDO_SUM, m[b], (double)e[b],
                          want_lse ? lse + lse_offset + rb : NULL, NULL);
      }
    }
    return;
  }
  if (rows > 1 && n > 0 && n <= (size_t)S4J_BLOCK && index == NULL && s4j_scale_fast(s) &&
      algorithm != S4J_ALGO_THREE_PASS_RECOMPUTE &&
      (want_lse || !s4j_short_rows(k, op, algorithm, s, x + (size_t)x_offset, y + (size_t)y_offset, n))) {
    /* in-cache rows, pipelined: row r's pass 1, then row r - 1's rest (short rows that did not fit a group above,
     * at another stride, keep the fused kernel, row by row below) */
    s4j_stage st[2];
    for (int64_t r = 0; r < rows; r++) {
      float* yr = (op == S4J_OP_LOG_SUM_EXP) ? NULL : y + (size_t)(y_offset + r * y_stride);
      s4j_stage_first(k, op, algorithm, flags, s, x + (size_t)(x_offset + r * x_stride), yr, n,
                      want_lse ? lse + lse_offset + r : NULL, &st[r & 1]);
      if (r > 0) s4j_stage_rest(k, op, flags, s, n, &st[(r - 1) & 1]);
    }
    s4j_stage_rest(k, op, flags, s, n, &st[(rows - 1) & 1]);
    return;
  }
  for (int64_t r = 0; r < rows; r++) {
    double* l = want_lse ? lse + lse_offset + r : NULL;
    if (n == 0) {
      if (l != NULL) *l = -INFINITY; /* the empty sum: log(0) */
      continue;
    }
    const float* xr = x + (size_t)(x_offset + r * x_stride);
    float* yr = (op == S4J_OP_LOG_SUM_EXP) ? NULL : y + (size_t)(y_offset + r * y_stride);
    s4j_row(k, op, algorithm, flags, s, xr, yr, n, l, index == NULL ? NULL : index + index_offset + r);
  }
}

/* Whether the last row's end, offset + (rows - 1) * stride + cols, is representable in int64_t (every operand
 * non-negative; rows > 1): the row loops form each row's index in int64_t, where an overflow is undefined. */
static int s4j_rows_end_fits(int64_t offset, int64_t stride, int64_t rows, int64_t cols) {
  const int64_t room = (INT64_MAX - offset) - cols; /* no overflow: both differences stay within int64_t */
  return room >= 0 && (stride == 0 || rows - 1 <= room / stride);
}

/* The checks every rows entry shares, f32 and f64 (kernels.h; S4J_OK: arguments fine). A stride is used from
 * the second row on only: one row takes any (the Java facades' rule; a row's stride of -1 failed here). */
int s4j_rows_args(int isa, int algorithm, int flags, int scale_ok, const void* x, int64_t x_offset,
                  int64_t x_stride, const void* y, int64_t y_offset, int64_t y_stride, int64_t rows, int64_t cols) {
  if (algorithm < 0 || algorithm >= S4J_ALGO_COUNT || rows < 0 || cols < 0 || x_offset < 0 || y_offset < 0 ||
      (rows > 0 && cols > 0 && (x == NULL || y == NULL)) || (rows > 1 && (x_stride < 0 || y_stride < 0)) ||
      (flags & ~(S4J_FLAG_SAFE | S4J_FLAG_LSE)) != 0 || !scale_ok ||
      (rows > 1 && !(s4j_rows_end_fits(x_offset, x_stride, rows, cols) &&
                     s4j_rows_end_fits(y_offset, y_stride, rows, cols))) ||
      (uint64_t)cols > (uint64_t)SIZE_MAX) { /* the last: 32-bit targets only */
    return S4J_EINVAL;
  }
  return s4j_check_isa(isa);
}

int s4j_f32_rows_at(int isa, int op, int algorithm, int flags, float s, const float* x,
                    int64_t x_offset, int64_t x_stride, float* y, int64_t y_offset, int64_t y_stride,
                    int64_t rows, int64_t cols, double* lse, int64_t lse_offset) {
  const int want_lse = op == S4J_OP_LOG_SUM_EXP || (flags & S4J_FLAG_LSE);
  if (op < 0 || op >= S4J_OP_COUNT || lse_offset < 0 || (want_lse && rows > 0 && lse == NULL)) return S4J_EINVAL;
  const int rc = s4j_rows_args(isa, algorithm, flags, s4j_scale_ok(s), x, x_offset, x_stride,
                               op == S4J_OP_LOG_SUM_EXP ? (const void*)x : y, y_offset, y_stride, rows, cols);
  if (rc != S4J_OK) return rc;
  s4j_rows_run(isa, op, algorithm, flags, s, x, x_offset, x_stride, y, y_offset, y_stride, rows, cols, lse,
               lse_offset, NULL, 0);
  return S4J_OK;
}

int s4j_f32_softmax_argmax_rows_at(int isa, int algorithm, int flags, float s, const float* x, int64_t x_offset,
                                   int64_t x_stride, float* y, int64_t y_offset, int64_t y_stride, int64_t rows,
                                   int64_t cols, int64_t* index, int64_t index_offset) {
  if ((flags & S4J_FLAG_LSE) != 0 || index_offset < 0 || (rows > 0 && index == NULL)) return S4J_EINVAL;
  const int rc =
      s4j_rows_args(isa, algorithm, flags, s4j_scale_ok(s), x, x_offset, x_stride, y, y_offset, y_stride, rows, cols);
  if (rc != S4J_OK) return rc;
  if (cols == 0) {
    for (int64_t r = 0; r < rows; r++) index[index_offset + r] = -1; /* no element: no index */
    return S4J_OK;
  }
  s4j_rows_run(isa, S4J_OP_SOFTMAX, algorithm, flags, s, x, x_offset, x_stride, y, y_offset, y_stride, rows, cols,
               NULL, 0, index, index_offset);
  return S4J_OK;
}

int s4j_f32_sumexp_at(int isa, float s, const float* x, int64_t x_offset, int64_t n, double* me) {
  if (n < 0 || x_offset < 0 || me == NULL || !s4j_scale_ok(s) || (n > 0 && x == NULL)) return S4J_EINVAL;
  const int rc = s4j_check_isa(isa);
  if (rc != S4J_OK) return rc;
  if ((uint64_t)n > (uint64_t)SIZE_MAX) return S4J_EINVAL;
  if (n == 0) {
    me[0] = 0.0; /* adds nothing under the max rule */
    me[1] = -INFINITY;
    return S4J_OK;
  }
  (void)s4j_sumexp(&s4j_kernel_table[isa], s, x + (size_t)x_offset, (size_t)n, 0, &me[0], &me[1]);
  return S4J_OK;
}

int s4j_f32_finish_at(int isa, int op, float s, const float* x, int64_t x_offset, float* y,
                      int64_t y_offset, int64_t n, double m, double e) {
  if ((op != S4J_OP_SOFTMAX && op != S4J_OP_LOG_SOFTMAX) || n < 0 || x_offset < 0 || y_offset < 0 ||
      (n > 0 && (x == NULL || y == NULL)) ||
      !s4j_scale_fast(s) || !s4j_sum_fast(m, e) || floor(e) != e) {
    return S4J_EINVAL; /* e an integer, as every kernel's 2^(k - E) assumes */
  }
  const int rc = s4j_check_isa(isa);
  if (rc != S4J_OK) return rc;
  if ((uint64_t)n > (uint64_t)SIZE_MAX) return S4J_EINVAL;
  if (n == 0) return S4J_OK; /* x and y may be NULL: no pointer arithmetic on them */
  s4j_finish(&s4j_kernel_table[isa], op, s, x + (size_t)x_offset, y + (size_t)y_offset, (size_t)n, m, e, NULL);
  return S4J_OK;
}

/* One vector, the common call: the rows entry's shared checks and loop with the arguments of one row as
 * constants, inlined here (s4j_f32_rows_at's op and lse checks and its argument passing left out). */
int s4j_softmax_f32_at(int isa, int algorithm, const float* x, int64_t x_offset, float* y,
                       int64_t y_offset, int64_t n) {
  const int rc = s4j_rows_args(isa, algorithm, 0, 1, x, x_offset, 0, y, y_offset, 0, 1, n);
  if (rc != S4J_OK) return rc;
  s4j_rows_run(isa, S4J_OP_SOFTMAX, algorithm, 0, 1.0f, x, x_offset, 0, y, y_offset, 0, 1, n, NULL, 0, NULL, 0);
  return S4J_OK;
}

int s4j_softmax_f32(int isa, int algorithm, const float* x, float* y, int64_t n) {
  return s4j_softmax_f32_at(isa, algorithm, x, 0, y, 0, n);
}

/* ---------------------------------------------------------------------------------------------
 * Sampling support (the Java Sampler)
 * ------------------------------------------------------------------------------------------- */

int s4j_f32_argmax_at(int isa, const float* x, int64_t x_offset, int64_t n, int64_t* index) {
  if (n < 1 || x == NULL || x_offset < 0 || index == NULL) return S4J_EINVAL;
  const int rc = s4j_check_isa(isa);
  if (rc != S4J_OK) return rc;
  if ((uint64_t)n > (uint64_t)SIZE_MAX) return S4J_EINVAL;
  *index = s4j_kernel_table[isa].rargmax((size_t)n, x + (size_t)x_offset);
  return S4J_OK;
}

int s4j_f32_select_at(int isa, const float* x, int64_t x_offset, int64_t n, float t, float u, int32_t* idx,
                      float* val, int64_t cap, int64_t* count) {
  if (n < 0 || n > INT32_MAX || x_offset < 0 || cap < 0 || (cap > 0 && idx == NULL) || count == NULL ||
      (n > 0 && x == NULL) || t != t || u != u) { /* a NaN bound would select every element (unordered compares) */
    return S4J_EINVAL;
  }
  const int rc = s4j_check_isa(isa);
  if (rc != S4J_OK) return rc;
  if (n == 0) {
    *count = 0; /* x may be NULL: no pointer arithmetic on it */
    return S4J_OK;
  }
  *count = s4j_kernel_table[isa].rselect((size_t)n, x + (size_t)x_offset, t, u, idx, val, cap);
  return S4J_OK;
}
