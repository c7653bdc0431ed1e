/*
 * Private kernel declarations. Names follow XNNPACK's grammar with our prefix:
 *   s4j_<type>_<op>__<isa>_<method>_u<elements per main-loop iteration>[_acc<accumulators>]
 * type f32: single precision; isa: scalar (portable C), avx2 (AVX2 + FMA), avx512f (AVX-512F);
 * method p6: exp by the degree-6 polynomial of docs/NUMERICS.md.
 *
 * Every kernel takes n >= 0 elements (n == 0 is allowed), never reads or writes outside [0, n),
 * and tolerates x == y (in place) where it reads x and writes y. Partial overlap is not supported.
 * Algorithms: The Two-Pass Softmax Algorithm (M. Dukhan, A. Ablavatski, 2020, arXiv:2001.04438).
 */
#ifndef S4J_KERNELS_H
#define S4J_KERNELS_H

#include <math.h>
#include <stddef.h>

#include "constants.h"

/* E for a range whose largest clamped input is max, under scale s: n of exp(s*max) computed exactly as
 * the exp kernels compute it (clamp at X_LO / s, fl(fl(s*max) * LOG2E), round to nearest even). Both
 * steps are monotone, so every element's n <= E. The drivers and the fused short-row kernels use it. */
static inline float s4j_f32_exponent_of_max(float max, float s) {
  const float xlo = S4J_X_LO / s;
  const float m = (max > xlo) ? max : xlo;
  return (float)nearbyint((double)((m * s) * S4J_LOG2E));
}

/* rmax = Reduce-MAXimum: max(X_LO, max x) over x[0..n); *has_nan = 1 when some x is NaN, else 0
 * (-Inf does not set it; +Inf shows up as the maximum). Pass 1 of three-pass. */
typedef float (*s4j_f32_rmax_fn)(size_t n, const float* x, int* has_nan);

/* Every exp kernel computes exp(s*x) = p * 2^n for a scale s > 0 (s = 1/T, the temperature; 1 for
 * none), with the product s*x taken exactly; s == 1 runs a loop without the product steps.
 * Masked-out tail lanes read -Inf, which the exp clamps to X_LO / s. */

/* raddexp = Reduce-ADD of EXPonentials: sum of p * 2^(n - e_max) (pass 2 of three-pass recompute; per block, pass 1 of two-pass).
 * Requires every n <= e_max. Lanes are combined in double. */
typedef double (*s4j_f32_raddexp_fn)(size_t n, const float* x, float s, float e_max);

/* raddstoreexp = Reduce-ADD and STORE EXPonentials: as raddexp, and stores z = p * 2^(n - e_max)
 * into y (pass 2 of three-pass reload). */
typedef double (*s4j_f32_raddstoreexp_fn)(size_t n, const float* x, float* y, float s, float e_max);

/* vscaleexp = Vector SCALE of EXPonentials: y = (p * inv) * 2^(n - e_max) where exp(x) = p * 2^n.
 * Pass 2 of two-pass (the paper's "vscaleextexp", with e_max = the sum's exponent and inv = 1/m_sum)
 * and pass 3 of three-pass recompute are this one computation, so they share one kernel per tier. */
typedef void (*s4j_f32_vscaleexp_fn)(size_t n, const float* x, float* y, float s, float inv, float e_max);

/* vscale = Vector SCALE: y = y * inv in place (pass 3 of three-pass reload). */
typedef void (*s4j_f32_vscale_fn)(size_t n, float* y, float inv);

/* vmuladdc = Vector MULtiply-ADD Constant: y = x * s + c, one rounding (pass 2 of log-softmax, with
 * c = -logsumexp(s*x)). */
typedef void (*s4j_f32_vmuladdc_fn)(size_t n, const float* x, float* y, float s, float c);

/* vsoftmaxshort = Vector SOFTMAX of a SHORT row (1 <= n <= one vector: 8 portable/AVX2, 16 AVX-512):
 * the three-pass reload fused in registers, y = p*2^(n - E) / sum. Returns 1, or 0 (y untouched) when the
 * row needs the exact path (a NaN, +Inf, all -Inf, beyond the fast range). */
typedef int (*s4j_f32_vsoftmaxshort_fn)(size_t n, const float* x, float* y, float s);

/* Portable C tier: always compiled. */
float s4j_f32_rmax__scalar_u8_acc8(size_t n, const float* x, int* has_nan);
double s4j_f32_raddexp__scalar_p6_u64_acc4(size_t n, const float* x, float s, float e_max);
double s4j_f32_raddstoreexp__scalar_p6_u64_acc4(size_t n, const float* x, float* y, float s, float e_max);
void s4j_f32_vscaleexp__scalar_p6_u64(size_t n, const float* x, float* y, float s, float inv, float e_max);
void s4j_f32_vscale__scalar_u4(size_t n, float* y, float inv);
void s4j_f32_vmuladdc__scalar_u4(size_t n, const float* x, float* y, float s, float c);
int s4j_f32_vsoftmaxshort__scalar_p6_u8(size_t n, const float* x, float* y, float s);

#if defined(S4J_HAVE_X86)
/* AVX2 + FMA tier (files compiled with -mavx2 -mfma or /arch:AVX2). */
float s4j_f32_rmax__avx2_u32_acc2(size_t n, const float* x, int* has_nan);
double s4j_f32_raddexp__avx2_p6_u64(size_t n, const float* x, float s, float e_max);
double s4j_f32_raddstoreexp__avx2_p6_u64(size_t n, const float* x, float* y, float s, float e_max);
void s4j_f32_vscaleexp__avx2_p6_u16(size_t n, const float* x, float* y, float s, float inv, float e_max);
void s4j_f32_vscale__avx2_u32(size_t n, float* y, float inv);
void s4j_f32_vmuladdc__avx2_u32(size_t n, const float* x, float* y, float s, float c);
int s4j_f32_vsoftmaxshort__avx2_p6_u8(size_t n, const float* x, float* y, float s);

/* AVX-512F tier (files compiled with -mavx512f -mavx2 -mfma or /arch:AVX512). */
float s4j_f32_rmax__avx512f_u64_acc4(size_t n, const float* x, int* has_nan);
double s4j_f32_raddexp__avx512f_p6_u64(size_t n, const float* x, float s, float e_max);
double s4j_f32_raddstoreexp__avx512f_p6_u64(size_t n, const float* x, float* y, float s, float e_max);
void s4j_f32_vscaleexp__avx512f_p6_u64(size_t n, const float* x, float* y, float s, float inv, float e_max);
void s4j_f32_vscale__avx512f_u64(size_t n, float* y, float inv);
void s4j_f32_vmuladdc__avx512f_u64(size_t n, const float* x, float* y, float s, float c);
int s4j_f32_vsoftmaxshort__avx512f_p6_u16(size_t n, const float* x, float* y, float s);
#endif

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

double s4j_f64_rmax__scalar_u4_acc4(size_t n, const double* x, double scale, int* has_nan);
double s4j_f64_raddexp__scalar_p13_u32_acc4(size_t n, const double* x, double scale, double e_max, double* sum_lo);
double s4j_f64_raddstoreexp__scalar_p13_u32_acc4(size_t n, const double* x, double* y, double scale, double e_max,
                                                 double* sum_lo);
void s4j_f64_vscaleexp__scalar_p13_u32(size_t n, const double* x, double* y, double scale, double inv_hi,
                                       double inv_lo, double e_max);
void s4j_f64_vscale__scalar_u4(size_t n, double* y, double inv_hi, double inv_lo);

#if defined(S4J_HAVE_X86)
double s4j_f64_rmax__avx2_u16_acc4(size_t n, const double* x, double scale, int* has_nan);
double s4j_f64_raddexp__avx2_p13_u16_acc2(size_t n, const double* x, double scale, double e_max, double* sum_lo);
double s4j_f64_raddstoreexp__avx2_p13_u16_acc2(size_t n, const double* x, double* y, double scale, double e_max,
                                               double* sum_lo);
void s4j_f64_vscaleexp__avx2_p13_u8(size_t n, const double* x, double* y, double scale, double inv_hi,
                                    double inv_lo, double e_max);
void s4j_f64_vscale__avx2_u16(size_t n, double* y, double inv_hi, double inv_lo);

double s4j_f64_rmax__avx512f_u32_acc4(size_t n, const double* x, double scale, int* has_nan);
double s4j_f64_raddexp__avx512f_p13_u32_acc2(size_t n, const double* x, double scale, double e_max, double* sum_lo);
double s4j_f64_raddstoreexp__avx512f_p13_u32_acc2(size_t n, const double* x, double* y, double scale, double e_max,
                                                  double* sum_lo);
void s4j_f64_vscaleexp__avx512f_p13_u16(size_t n, const double* x, double* y, double scale, double inv_hi,
                                        double inv_lo, double e_max);
void s4j_f64_vscale__avx512f_u32(size_t n, double* y, double inv_hi, double inv_lo);
#endif

#endif /* S4J_KERNELS_H */
