/*
 * Private kernel declarations. Names follow XNNPACK's grammar with our prefix:
 *   s4j_<type>_<op>__<isa>_<method>_u<elements per main-loop iteration>[_acc<accumulators>]
 * type f32: single precision; isa, method: the tier registry (s4j_tiers.inc); type f64: method p13, exp by
 * the degree-13 polynomial of docs/NUMERICS.md.
 *
 * Every kernel takes n >= 0 elements (n == 0 is allowed), never reads or writes outside [0, n),
 * and tolerates x == y (in place) where it reads x and writes y. Partial overlap is not supported.
 * Algorithms: The Two-Pass Softmax Algorithm (M. Dukhan, A. Ablavatski, 2020, arXiv:2001.04438).
 */
#ifndef S4J_KERNELS_H
#define S4J_KERNELS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"

/* Publication of the probe's once-computed results (cpu.c, softmax.c): the thread that computed them stores the
 * cache last with release order, so a thread that reads the cache with acquire order also sees the globals
 * stored before it (s4j_prefetch_ahead, s4j_nt_min). x86 orders plain accesses so anyway; arm64 does not. MSVC
 * (whose volatile orders nothing on ARM64): interlocked operations, full barriers on every target. The caches
 * are volatile int, 32 bits as long is on Windows. */
#if defined(__GNUC__) || defined(__clang__)
#define S4J_LOAD_ACQUIRE(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define S4J_STORE_RELEASE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#elif defined(_MSC_VER)
#include <intrin.h>
#define S4J_LOAD_ACQUIRE(p) ((int)_InterlockedOr((volatile long*)(p), 0))
#define S4J_STORE_RELEASE(p, v) ((void)_InterlockedExchange((volatile long*)(p), (long)(v)))
#else /* another compiler: volatile accesses (ordered on x86, where such builds run) */
#define S4J_LOAD_ACQUIRE(p) (*(p))
#define S4J_STORE_RELEASE(p, v) (*(p) = (v))
#endif

/* The streaming kernels' software prefetch distance in floats (S4J_PREFETCH_FLOATS or S4J_PREFETCH_OFF), set
 * by the CPU probe (cpu.c) before the first kernel of an entry point runs; every thread that races on the
 * first probe stores the same value. */
extern size_t s4j_prefetch_ahead;
/* The shortest output that pass 2 writes with non-temporal stores (S4J_NT_MIN, or S4J_NT_OFF), set with it. */
extern size_t s4j_nt_min;
/* Whether argmax may use its tier's fast NaN test (S4J_VNAN_FAST, s4j_f32_rselect.c), set with them: on AMD
 * only, where it was measured (Zen 4); on Intel FMAs and compares share ports 0 and 1, and FMAs with subnormal
 * results (products of small probabilities) take microcode assists. */
extern int s4j_argmax_fast_nan;

/* E of a range whose largest input is max, under scale s: floor(fl(s * max(max, X_LO / s)) * log2(e)) in
 * double. Every tier's exponent k = floor(v), v = s*x*log2(e) rounded to a multiple of 1/8 or 1/16, is then
 * at most E + 1, and the largest term relative to 2^E is in [0.97, 4): the drivers' sums need nothing
 * tighter. +Inf gives +Inf (beyond E_HI). The drivers and the short-row kernels use this one definition. */
static inline float s4j_f32_exponent_of_max(float max, float s) {
  const float xlo = s == 1.0f ? S4J_X_LO : S4J_X_LO / s; /* no division on the common path */
  const float m = (max > xlo) ? max : xlo;
  return (float)floor((double)(m * s) * 0x1.71547652b82fep+0);
}

/* The f32 kernels, one source per op written over the per-ISA layer (src/simd/s4j_f32_simd.h) and compiled
 * once per tier of the registry (s4j_tiers.inc). Every exp kernel computes terms exp(s*x) * 2^-E for a scale
 * s > 0 (1/T, the temperature; 1 for none) with the product s*x taken exactly; s == 1 runs a loop without
 * the product steps. Masked-out tail lanes read -Inf, which gives 0. Names spell out:
 *   rmax          Reduce-MAXimum: max of x ignoring NaN (-Inf if none)
 *   raddexp       Reduce-ADD of EXPonentials: sum of exp(s*x) * 2^-E in double (NaN/Inf for NaN/+Inf inputs)
 *   raddstoreexp  Reduce-ADD and STORE EXPonentials: raddexp, and stores the terms times 2^EXP_BIAS of the tier
 *   vscaleexp     Vector SCALE of EXPonentials: y = exp(s*x) * c * 2^-E with c in (1/2, 1] (two-pass pass 2)
 *   vscale        Vector SCALE: y = z * inv * 2^-EXP_BIAS in place (reload pass 3, after raddstoreexp), with
 *                 inv split into two floats: one rounding per output (one: inv rounded to one float, one
 *                 product: softmax rows above S4J_SUM_TREE_MIN without an lse output, s4j_one_product)
 *                 (both: with top != NULL, also *top = the largest output, for the fused argmax)
 *   vmuladdc      Vector MULtiply-ADD Constant: y = (x * s + c) + c_lo, c + c_lo a double split into two floats
 *                 (log-softmax pass 2: the constant's rounding would otherwise reach every output)
 *   vsoftmaxshort Vector SOFTMAX of SHORT rows: the reload fused, for up to S4J_SHORT_GROUP rows of n floats
 *                 (strides apart, steps of the rows interleaved), in registers for n <= vlen (in place too),
 *                 through y for n <= S4J_SHORT_ROW (out of place); bit r set when row r needs the exact path
 *   raddexpshort  Reduce-ADD of EXPonentials of SHORT rows: raddexp of up to S4J_SHORT_GROUP rows of n <=
 *                 S4J_SHORT_ROW floats, each relative to the exponent of its own maximum (e[r]), steps interleaved
 *   rselect       Reduce-SELECT: indices of t <= x <= u or NaN and, val not NULL, those elements (at most cap of each
 *                 stored), the count returned (sampling)
 *   rargmax       Reduce-ARGMAX: index of the first maximum, or -1 - index of the first NaN (sampling) */
typedef float (*s4j_f32_rmax_fn)(size_t n, const float* x);
/* tree: flags (constants.h). S4J_ROW_TREE: the caller's result tolerates the sum's tree for n > S4J_SUM_TREE_MIN
 * (s4j_f32_simd.h): softmax outputs only, or sums whose log-sum-exp is known to be at least 8 (softmax.c,
 * S4J_TREE_LSE_MIN); 0 keeps every pair exact (log-sum-exp, log-softmax, cross-entropy below that: their bounds
 * need it). S4J_ROW_CANCEL (raddstoreexp; raddexp ignores it): the terms only meet their own row's sum, which
 * cancels the tier's S4J_CANCEL_C (the sum returned carries it too). */
typedef double (*s4j_f32_raddexp_fn)(size_t n, const float* x, float s, float e, int tree);
typedef double (*s4j_f32_raddstoreexp_fn)(size_t n, const float* x, float* y, float s, float e, int tree);
typedef void (*s4j_f32_vscaleexp_fn)(size_t n, const float* x, float* y, float s, double c, float e, float* top);
typedef void (*s4j_f32_vscale_fn)(size_t n, float* y, double inv, int one, float* top);
typedef void (*s4j_f32_vmuladdc_fn)(size_t n, const float* x, float* y, float s, float c, float c_lo);
typedef unsigned (*s4j_f32_vsoftmaxshort_fn)(size_t rows, size_t n, const float* x, size_t x_stride, float* y,
                                             size_t y_stride, float s);
typedef void (*s4j_f32_raddexpshort_fn)(size_t rows, size_t n, const float* x, size_t x_stride, float s, double* m,
                                        float* e);
typedef int64_t (*s4j_f32_rselect_fn)(size_t n, const float* x, float t, float u, int32_t* idx, float* val,
                                      int64_t cap);
typedef int64_t (*s4j_f32_rargmax_fn)(size_t n, const float* x);

#define S4J_TIER(id, isa, method, unroll, vlen, flags, ...)                                                \
  float s4j_f32_rmax__##isa##_##unroll(size_t n, const float* x);                                           \
  double s4j_f32_raddexp__##isa##_##method##_##unroll(size_t n, const float* x, float s, float e, int tree); \
  double s4j_f32_raddstoreexp__##isa##_##method##_##unroll(size_t n, const float* x, float* y, float s,    \
                                                             float e, int tree);                            \
  void s4j_f32_vscaleexp__##isa##_##method##_##unroll(size_t n, const float* x, float* y, float s, double c, \
                                                       float e, float* top);                                \
  void s4j_f32_vscale__##isa##_##unroll(size_t n, float* y, double inv, int one, float* top);              \
  void s4j_f32_vmuladdc__##isa##_##unroll(size_t n, const float* x, float* y, float s, float c, float c_lo); \
  unsigned s4j_f32_vsoftmaxshort__##isa##_##method##_##unroll(size_t rows, size_t n, const float* x,       \
                                                               size_t x_stride, float* y, size_t y_stride,  \
                                                               float s);                                    \
  void s4j_f32_raddexpshort__##isa##_##method##_##unroll(size_t rows, size_t n, const float* x,            \
                                                          size_t x_stride, float s, double* m, float* e);   \
  int64_t s4j_f32_rselect__##isa##_##unroll(size_t n, const float* x, float t, float u, int32_t* idx,      \
                                            float* val, int64_t cap);                                       \
  int64_t s4j_f32_rargmax__##isa##_##unroll(size_t n, const float* x);
#include "s4j_tiers.inc"
#undef S4J_TIER

/* ---------------------------------------------------------------------------------------------
 * Double precision (type f64; docs/NUMERICS.md, "Double precision"). Every op computes on the
 * products x*s taken exactly (hi = fl(x*s), lo = fma(x, s, -hi)); each kernel has one body compiled
 * twice, for s == 1 (no product) and for a general s. method p13: exp by the degree-13 polynomial.
 * Sums are double-doubles: returned hi, *sum_lo the low part (compensated 2Sum lanes).
 * ------------------------------------------------------------------------------------------- */

/* rmax: max(X_LO, max fl(x*s)); *has_nan = 1 when some fl(x*s) is NaN. */
typedef double (*s4j_f64_rmax_fn)(size_t n, const double* x, double scale, int* has_nan);
/* raddexp: sum of p * 2^(n - e_max) for exp(x*s) = p * 2^n; requires every n <= e_max. */
typedef double (*s4j_f64_raddexp_fn)(size_t n, const double* x, double scale, double e_max, double* sum_lo);
/* raddstoreexp: as raddexp, and stores z = p * 2^(n - e_max) into y. */
typedef double (*s4j_f64_raddstoreexp_fn)(size_t n, const double* x, double* y, double scale, double e_max,
                                          double* sum_lo);
/* vscaleexp: y = (p * (inv_hi + inv_lo)) * 2^(n - e_max). */
typedef void (*s4j_f64_vscaleexp_fn)(size_t n, const double* x, double* y, double scale, double inv_hi,
                                     double inv_lo, double e_max);
/* vscale: y = y * (inv_hi + inv_lo) in place. */
typedef void (*s4j_f64_vscale_fn)(size_t n, double* y, double inv_hi, double inv_lo);
/* rbinexp (sampling; float logits, double weights): w[i] = exp(((double) x[i] - top) * s) and each added into
 * bins[s4j_binexp_bin(...)] in some order ((float) inv > 0 finite, 1 <= nbins <= 2^24; nbins = 0: no bins; one or
 * two bins: vector lanes, each within n ulps of its weights' sum); returns their sum (src/f64/s4j_f64_rbinexp.c). */
typedef double (*s4j_f64_rbinexp_fn)(size_t n, const float* x, float top, float s, double inv, double* w,
                                     double* bins, int64_t nbins);
/* rwalk (sampling): the first i where the weights w of the x >= xc among [0, i] pass target, the weight before it
 * into *before; n if none (s4j_f64_rwalk.h). */
typedef int64_t (*s4j_f64_rwalk_fn)(size_t n, const float* x, const double* w, float xc, double target,
                                    double* before);

double s4j_f64_rmax__scalar_u4_acc4(size_t n, const double* x, double scale, int* has_nan);
double s4j_f64_raddexp__scalar_p13_u32_acc4(size_t n, const double* x, double scale, double e_max, double* sum_lo);
double s4j_f64_raddstoreexp__scalar_p13_u32_acc4(size_t n, const double* x, double* y, double scale, double e_max,
                                                 double* sum_lo);
void s4j_f64_vscaleexp__scalar_p13_u32(size_t n, const double* x, double* y, double scale, double inv_hi,
                                       double inv_lo, double e_max);
void s4j_f64_vscale__scalar_u4(size_t n, double* y, double inv_hi, double inv_lo);
double s4j_f64_rbinexp__scalar_p13_u64(size_t n, const float* x, float top, float s, double inv, double* w,
                                       double* bins, int64_t nbins);
int64_t s4j_f64_rwalk__scalar_u64(size_t n, const float* x, const double* w, float xc, double target, double* before);

/* rbinexp's bin of logit v: min((int) fl(fl(top - v) * inv), last) in float arithmetic (inv and last as floats:
 * nbins <= 2^24, so last is exact), a v above top in bin 0, -Inf in the last (the Java Kernel.bin: the same float
 * operations, so that the sampler finds a bin's logits by bisection; each step rounds monotonically, so the bin
 * never increases as v grows). In float, 16 lanes per AVX-512 vector: as doubles, the positions took a third of the
 * kernel's time beside the weights (Zen 4, 128K flat logits). */
static inline int32_t s4j_binexp_bin(float top, float v, float inv, float last) {
  const float b = (top - v) * inv;
  const float m = b > 0.0f ? b : 0.0f;
  return (int32_t)(m < last ? m : last);
}

/* The f64 kernels of one tier, one per op: the driver's table (softmax_f64.c) holds one set per tier of the
 * registry, s4j_f64_kernels__<isa>: the portable tier's is the scalar kernels above (softmax_f64.c), a vector
 * tier's is defined by src/f64/s4j_f64_kernels.c, compiled with the tier's layer. */
typedef struct s4j_f64_kernel_set {
  s4j_f64_rmax_fn rmax;
  s4j_f64_raddexp_fn raddexp;
  s4j_f64_raddstoreexp_fn raddstoreexp;
  s4j_f64_vscaleexp_fn vscaleexp;
  s4j_f64_vscale_fn vscale;
  s4j_f64_rbinexp_fn rbinexp;
  s4j_f64_rwalk_fn rwalk;
} s4j_f64_kernel_set;
#define S4J_TIER(id, isa, method, unroll, vlen, flags, ...) extern const s4j_f64_kernel_set s4j_f64_kernels__##isa;
#include "s4j_tiers.inc"
#undef S4J_TIER

/* A vector tier's f64 kernels, one source per op over the tier's f64 layer (src/f64/s4j_f64_<op>.c): name parts
 * isa, doubles per 2 vectors (vscaleexp's step) and per 4 vectors (the others'), which the layer defines
 * (S4J_DISA, S4J_DU2, S4J_DU4). */
#define S4J_F64_VECTOR_TIER(isa, u2, u4)                                                                    \
  double s4j_f64_rmax__##isa##_##u4##_acc4(size_t n, const double* x, double scale, int* has_nan);          \
  double s4j_f64_raddexp__##isa##_p13_##u4##_acc2(size_t n, const double* x, double scale, double e_max,    \
                                                  double* sum_lo);                                          \
  double s4j_f64_raddstoreexp__##isa##_p13_##u4##_acc2(size_t n, const double* x, double* y, double scale, \
                                                       double e_max, double* sum_lo);                       \
  void s4j_f64_vscaleexp__##isa##_p13_##u2(size_t n, const double* x, double* y, double scale,             \
                                           double inv_hi, double inv_lo, double e_max);                     \
  void s4j_f64_vscale__##isa##_##u4(size_t n, double* y, double inv_hi, double inv_lo);                  \
  double s4j_f64_rbinexp__##isa##_p13_##u4(size_t n, const float* x, float top, float s, double inv,       \
                                           double* w, double* bins, int64_t nbins);                         \
  int64_t s4j_f64_rwalk__##isa##_##u4(size_t n, const float* x, const double* w, float xc, double target,  \
                                      double* before);
/* Their kernel set (src/f64/s4j_f64_kernels.c). */
#define S4J_F64_VECTOR_KERNELS(isa, u2, u4)                                                                 \
  {s4j_f64_rmax__##isa##_##u4##_acc4, s4j_f64_raddexp__##isa##_p13_##u4##_acc2,                             \
   s4j_f64_raddstoreexp__##isa##_p13_##u4##_acc2, s4j_f64_vscaleexp__##isa##_p13_##u2,                      \
   s4j_f64_vscale__##isa##_##u4, s4j_f64_rbinexp__##isa##_p13_##u4, s4j_f64_rwalk__##isa##_##u4}


/* The argument checks of every rows entry (softmax.c), f32 and f64: scale_ok is the entry's own rule for
 * its scale (f32: s > 0; f64: any); x and y the memory (y: x for an op that writes none), NULL only with
 * nothing to compute. S4J_OK, S4J_EINVAL or S4J_ENOTSUP. */
int s4j_rows_args(int isa, int algorithm, int flags, int scale_ok, const void* x, int64_t x_offset,
                  int64_t x_stride, const void* y, int64_t y_offset, int64_t y_stride, int64_t rows, int64_t cols);

#endif /* S4J_KERNELS_H */
