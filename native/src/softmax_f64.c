/*
 * softmax4j double-precision driver: argument checks, the f64 kernel table per ISA tier, the
 * two-pass and three-pass algorithms of The Two-Pass Softmax Algorithm (M. Dukhan, A. Ablavatski,
 * 2020, arXiv:2001.04438) with double-double sums, log-sum-exp (pass 1 of two-pass), and the exact
 * path (docs/NUMERICS.md, "Double precision"). Compiled without ISA flags: it only calls the ISA
 * kernels through the table, after the probe.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"
#include "kernels.h"
#include "s4j_dd.h"
#include "s4j_f64_scalar.h"
#include "softmax4j.h"

const s4j_f64_kernel_set s4j_f64_kernels__scalar = {s4j_f64_rmax__scalar_u4_acc4, s4j_f64_raddexp__scalar_p13_u32_acc4,
                                                    s4j_f64_raddstoreexp__scalar_p13_u32_acc4,
                                                    s4j_f64_vscaleexp__scalar_p13_u32, s4j_f64_vscale__scalar_u4,
                                                    s4j_f64_rbinexp__scalar_p13_u64, s4j_f64_rwalk__scalar_u64};

/* Filled from the tier registry; a tier that is not compiled in has NULL. */
static const s4j_f64_kernel_set* const s4j_f64_kernel_table[S4J_ISA_COUNT] = {
#define S4J_TIER(id, isa, method, unroll, vlen, flags, ...) [id] = &s4j_f64_kernels__##isa,
#include "s4j_tiers.inc"
#undef S4J_TIER
};

/* (hi, lo) = 1 / (s_hi + s_lo) as a double-double (s_hi > 0 finite): one Newton correction of fl(1/s_hi). */
static double s4j_dd_inverse(double s_hi, double s_lo, double* inv_lo) {
  const double inv_hi = 1.0 / s_hi;
  /* r = 1 - s * inv_hi: s_hi * inv_hi = p + e exactly (no fma(): s4j_two_prod says why), 1 - p exact
   * (p is within an ulp of 1), so (1 - p) - e rounds once, as fma(-s_hi, inv_hi, 1) would; the s_lo term is
   * second order. */
  double e;
  const double p = s4j_two_prod(s_hi, inv_hi, &e);
  const double r = ((1.0 - p) - e) - s_lo * inv_hi;
  *inv_lo = r * inv_hi;
  return inv_hi;
}

/* ---------------------------------------------------------------------------------------------
 * Exact path: NaN, +-Inf, |x*s| beyond the fast path's range, all -Inf, and non-finite scales.
 * With x' = x * sign(s) and s' = |s| (exact), z = x' * s', and the differences
 * d = z - z_max = (x' - x'_max) * s' are formed as double-doubles (2Sum, then an exact FMA product),
 * so exp(d) is as accurate as on the fast path for any input magnitude. Reads each x[i] before
 * writing y[i] (in place works).
 * ------------------------------------------------------------------------------------------- */

/* The folded operand x' and the positive finite scale s' (a non-finite scale: x' = x*s in IEEE, s' = 1;
 * s == 0: x' = x*0, s' = 1, so infinite x give NaN). */
static double s4j_f64_fold(double x, double scale) {
  if (!isfinite(scale) || scale == 0.0) return x * scale;
  return scale < 0.0 ? -x : x;
}

static double s4j_f64_folded_scale(double scale) {
  return (!isfinite(scale) || scale == 0.0) ? 1.0 : fabs(scale);
}

enum { S4J_EXACT_FINITE, S4J_EXACT_NAN, S4J_EXACT_POS_INF, S4J_EXACT_ALL_NEG_INF };

/* Classifies z and finds ref = max x' (the x' of the largest z). */
static int s4j_f64_exact_scan(const double* x, size_t n, double scale, double* ref) {
  double max = -INFINITY;
  int nan = scale != scale;
  for (size_t i = 0; i < n; i++) {
    const double v = s4j_f64_fold(x[i], scale);
    if (v != v) nan = 1;
    max = (v > max) ? v : max;
  }
  *ref = max;
  if (nan) return S4J_EXACT_NAN;
  if (max == INFINITY) return S4J_EXACT_POS_INF;
  if (max == -INFINITY) return S4J_EXACT_ALL_NEG_INF;
  return S4J_EXACT_FINITE;
}

/* The exact path's scaled distance (x' - ref) * s' = d + *lo (to ~2^-104 relative; finite ref, finite s' > 0).
 * 2Sum on the halves, x'/2 - ref/2 = h + e exactly (halving is exact for normal values; a subnormal x' loses at
 * most 2^-1075, nothing beside the bounds): neither the difference nor 2Sum's intermediate overflows, so a
 * distance that s' < 1 brings back into range stays finite (x' = -DBL_MAX, ref = 2e300, s' = 0.001: ~-1.8e305,
 * and x' = 8.53e307 against ref = DBL_MAX, which came out -Inf and NaN while the difference was taken whole);
 * then d = 2 (h * s') (the same product as (x' - ref) * s' whenever that difference is finite and the product
 * normal). -Inf for x' = -Inf and for distances beyond the range (lo = 0 then). */
static double s4j_f64_distance(double xf, double ref, double sp, double* lo) {
  double e;
  const double h = s4j_two_sum(0.5 * xf, -0.5 * ref, &e);
  const double hs = h * sp; /* times 2 after the product: 2s' overflows for s' >= 2^1023 (then 0 * Inf) */
  const double d = 2.0 * hs;
  *lo = isfinite(d) ? 2.0 * (fma(h, sp, -hs) + e * sp) : 0.0; /* fma(): h and s' of any size (two_prod: < 2^995) */
  return d;
}

/* exp((x' - ref) * s') for x' <= ref (finite ref, finite s' > 0), in [0, 1]. */
static double s4j_f64_exact_term(double xf, double ref, double sp) {
  double lo;
  const double d = s4j_f64_distance(xf, ref, sp, &lo);
  /* exp(d) < 2^-2100 (or x' = -Inf): the term is 0. */
  if (!(d >= -1500.0)) return 0.0;
  double dl;
  const double dh = s4j_fast_two_sum(d, lo, &dl); /* normalized */
  double n;
  const double p = s4j_f64_scalar_exp_pn(dh, dl, &n);
  return ldexp(p, (int)n);
}

static void s4j_f64_exact(const double* x, double* y, size_t n, double scale, int flags) {
  double ref;
  const int state = s4j_f64_exact_scan(x, n, scale, &ref);
  if (state != S4J_EXACT_FINITE) {
    const double fill = (state == S4J_EXACT_ALL_NEG_INF && (flags & S4J_FLAG_SAFE)) ? 0.0 : NAN;
    for (size_t i = 0; i < n; i++) y[i] = fill;
    return;
  }
  const double sp = s4j_f64_folded_scale(scale);
  /* Terms stored into y (the largest is exactly 1), summed as a double-double, then scaled. */
  double s_hi = 0.0, s_lo = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double w = s4j_f64_exact_term(s4j_f64_fold(x[i], scale), ref, sp);
    y[i] = w;
    s4j_dd_add(&s_hi, &s_lo, w, 0.0);
  }
  double inv_lo;
  const double inv_hi = s4j_dd_inverse(s_hi, s_lo, &inv_lo);
  for (size_t i = 0; i < n; i++) y[i] = s4j_dd_mul(y[i], inv_hi, inv_lo);
}

/* log(m_hi + m_lo) + e*ln2 for m_hi > 0 finite and integral e with |e| < 2^17 - 64, as hi + *lo: m = f * 2^k
 * with f in [1/2, 1) (frexp, exact), so log(m) = k*ln2 + log(f) + m_lo/m_hi; hi = (e + k)*LN2_HI is exact
 * (36-bit constant times an integer below 2^17) and log(f) in [-ln2, 0) has an absolute error <= 2^-54: the
 * cancellation between the two (when lse is small) costs nothing. */
static double s4j_f64_lse_parts(double m_hi, double m_lo, double e, double* lo) {
  int k;
  const double f = frexp(m_hi, &k);
  const double ek = e + (double)k;
  *lo = ek * S4J_F64_LN2_LO + (log(f) + m_lo / m_hi);
  return ek * S4J_F64_LN2_HI;
}

/* The exact path's log-sum-exp as hi + *lo (special values in hi, lo = 0). */
static double s4j_f64_exact_lse(const double* x, size_t n, double scale, double* lo) {
  double ref;
  *lo = 0.0;
  switch (s4j_f64_exact_scan(x, n, scale, &ref)) {
    case S4J_EXACT_NAN:
      return NAN;
    case S4J_EXACT_POS_INF:
      return INFINITY;
    case S4J_EXACT_ALL_NEG_INF:
      return -INFINITY;
    default:
      break;
  }
  const double sp = s4j_f64_folded_scale(scale);
  double s_hi = 0.0, s_lo = 0.0;
  for (size_t i = 0; i < n; i++) s4j_dd_add(&s_hi, &s_lo, s4j_f64_exact_term(s4j_f64_fold(x[i], scale), ref, sp), 0.0);
  /* lse = z_max + log(S), z_max = ref * s' = zh + zl exactly (an overflowing zh is the IEEE result). */
  const double zh = ref * sp;
  if (!isfinite(zh)) return zh;
  const double zl = fma(ref, sp, -zh);
  int k;
  const double f = frexp(s_hi, &k);
  /* zh + k*LN2_HI by 2Sum (exact), then the small rest. */
  double e;
  const double a = s4j_two_sum(zh, (double)k * S4J_F64_LN2_HI, &e);
  *lo = e + zl + (double)k * S4J_F64_LN2_LO + log(f) + s_lo / s_hi;
  return a;
}

/* Exact-path log-softmax: y = (x' - ref)*s' - log(S) with the distance as a double-double (s4j_f64_distance,
 * as the exact terms), so huge inputs whose products or differences overflow still give their finite
 * log-probabilities. Special values: NaN or +Inf -> all NaN; all -Inf -> NaN, or -Inf with S4J_FLAG_SAFE.
 * Reads x[i] before writing y[i] (in place works). */
static void s4j_f64_exact_log_softmax(const double* x, double* y, size_t n, double scale, int flags) {
  double ref;
  const int state = s4j_f64_exact_scan(x, n, scale, &ref);
  if (state != S4J_EXACT_FINITE) {
    const double fill = (state == S4J_EXACT_ALL_NEG_INF && (flags & S4J_FLAG_SAFE)) ? -INFINITY : NAN;
    for (size_t i = 0; i < n; i++) y[i] = fill;
    return;
  }
  const double sp = s4j_f64_folded_scale(scale);
  double s_hi = 0.0, s_lo = 0.0;
  for (size_t i = 0; i < n; i++) s4j_dd_add(&s_hi, &s_lo, s4j_f64_exact_term(s4j_f64_fold(x[i], scale), ref, sp), 0.0);
  const double log_s = log(s_hi) + s_lo / s_hi; /* S in [1, n]: log(S) >= 0, error ~2^-53 absolute */
  for (size_t i = 0; i < n; i++) {
    double lo;
    const double d = s4j_f64_distance(s4j_f64_fold(x[i], scale), ref, sp, &lo);
    y[i] = isfinite(d) ? (d - log_s) + lo : d; /* -Inf inputs, and distances beyond the range: -Inf */
  }
}

/* ---------------------------------------------------------------------------------------------
 * Fast path
 * ------------------------------------------------------------------------------------------- */

/* The largest exponent E = rint(max * LOG2E), exactly as the kernels compute n (monotone). */
static double s4j_f64_exponent(double max) {
  return nearbyint(max * S4J_F64_LOG2E);
}

static int s4j_f64_fast_range(double e) {
  return e >= S4J_F64_E_LO && e <= S4J_F64_E_HI; /* false for NaN */
}

/* Pass 1 of two-pass: the double-double sum (m_hi + m_lo) * 2^e of exp(x*s), block by block (each
 * block's sum relative to its own largest exponent, in L1), merged by the max rule. Returns 0 when the
 * exact path must run (NaN, a block beyond the range, or the final E below it). */
static int s4j_f64_pass1(const s4j_f64_kernel_set* k, const double* x, size_t n, double scale, double* m_hi,
                         double* m_lo, double* e_out) {
  double sh = 0.0, sl = 0.0, se = S4J_F64_E_INIT;
  for (size_t i = 0; i < n; i += S4J_BLOCK) {
    const size_t b = (n - i < S4J_BLOCK) ? n - i : S4J_BLOCK;
    int has_nan = 0;
    const double e = s4j_f64_exponent(k->rmax(b, x + i, scale, &has_nan));
    if (has_nan || !(e <= S4J_F64_E_HI)) return 0;
    double bl;
    const double bh = k->raddexp(b, x + i, scale, e, &bl);
    /* Max rule on double-doubles: scale the one with the smaller exponent by 2^(difference) (exact
     * unless it underflows, where it is < 2^-900 relative to the other); the difference fits an int. */
    if (e > se) {
      const int d = (int)(se - e);
      sh = ldexp(sh, d);
      sl = ldexp(sl, d);
      se = e;
      s4j_dd_add(&sh, &sl, bh, bl);
    } else {
      const int d = (int)(e - se);
      s4j_dd_add(&sh, &sl, ldexp(bh, d), ldexp(bl, d));
    }
  }
  *m_hi = sh;
  *m_lo = sl;
  *e_out = se;
  return isfinite(sh) && sh > 0.0 && s4j_f64_fast_range(se);
}

/* The log-sum-exp of the exact path or of a fast-path sum, into *lse when lse is not NULL. */
static void s4j_f64_put_lse(double* lse, const double* x, size_t n, double scale, int fast, double m_hi,
                            double m_lo, double e) {
  if (lse == NULL) return;
  double lo;
  const double hi = fast ? s4j_f64_lse_parts(m_hi, m_lo, e, &lo) : s4j_f64_exact_lse(x, n, scale, &lo);
  *lse = hi + lo;
}

static void s4j_f64_two_pass(const s4j_f64_kernel_set* k, const double* x, double* y, size_t n, double scale,
                             int flags, double* lse) {
  double m_hi, m_lo, e;
  if (!s4j_f64_pass1(k, x, n, scale, &m_hi, &m_lo, &e)) {
    s4j_f64_put_lse(lse, x, n, scale, 0, 0.0, 0.0, 0.0); /* before y is written: y may be x */
    s4j_f64_exact(x, y, n, scale, flags);
    return;
  }
  s4j_f64_put_lse(lse, x, n, scale, 1, m_hi, m_lo, e);
  double inv_lo;
  const double inv_hi = s4j_dd_inverse(m_hi, m_lo, &inv_lo);
  k->vscaleexp(n, x, y, scale, inv_hi, inv_lo, e);
}

/* Three-pass: max first; the exact-path decision is made before anything is written (reload in place
 * must not destroy x before it knows it can finish on the fast path). */
static void s4j_f64_three_pass(const s4j_f64_kernel_set* k, const double* x, double* y, size_t n, double scale,
                               int flags, int reload, double* lse) {
  int has_nan = 0;
  const double e = s4j_f64_exponent(k->rmax(n, x, scale, &has_nan));
  if (has_nan || !s4j_f64_fast_range(e)) {
    s4j_f64_put_lse(lse, x, n, scale, 0, 0.0, 0.0, 0.0);
    s4j_f64_exact(x, y, n, scale, flags);
    return;
  }
  double s_hi = 0.0, s_lo = 0.0;
  for (size_t i = 0; i < n; i += S4J_BLOCK) {
    const size_t b = (n - i < S4J_BLOCK) ? n - i : S4J_BLOCK;
    double bl;
    const double bh = reload ? k->raddstoreexp(b, x + i, y + i, scale, e, &bl) : k->raddexp(b, x + i, scale, e, &bl);
    s4j_dd_add(&s_hi, &s_lo, bh, bl);
  }
  s4j_f64_put_lse(lse, x, n, scale, 1, s_hi, s_lo, e); /* reload in place: x is gone, but lse needs only the sum */
  double inv_lo;
  const double inv_hi = s4j_dd_inverse(s_hi, s_lo, &inv_lo);
  if (reload) {
    k->vscale(n, y, inv_hi, inv_lo);
  } else {
    k->vscaleexp(n, x, y, scale, inv_hi, inv_lo, e);
  }
}

/* Log-sum-exp as hi + *lo: pass 1 of two-pass, or the exact path. */
static double s4j_f64_logsumexp(const s4j_f64_kernel_set* k, const double* x, size_t n, double scale, double* lo) {
  double m_hi, m_lo, e;
  if (s4j_f64_pass1(k, x, n, scale, &m_hi, &m_lo, &e)) return s4j_f64_lse_parts(m_hi, m_lo, e, lo);
  return s4j_f64_exact_lse(x, n, scale, lo);
}

/* Log-softmax: the log-sum-exp pass, then y = (x*s - hi) - lo with x*s - hi rounded once (s4j_mul_sub: the
 * exact product), so two roundings of y's size, and lse's own rounding never reaches y, as in f32. Non-finite
 * lse (NaN, +Inf, all -Inf) and inputs whose products leave the fast range take the exact path. */
static void s4j_f64_log_softmax(const s4j_f64_kernel_set* k, const double* x, double* y, size_t n, double scale,
                                int flags, double* lse) {
  double m_hi, m_lo, e;
  if (!s4j_f64_pass1(k, x, n, scale, &m_hi, &m_lo, &e)) {
    s4j_f64_put_lse(lse, x, n, scale, 0, 0.0, 0.0, 0.0);
    s4j_f64_exact_log_softmax(x, y, n, scale, flags);
    return;
  }
  double lo;
  const double hi = s4j_f64_lse_parts(m_hi, m_lo, e, &lo);
  if (lse != NULL) *lse = hi + lo;
  if (fabs(scale) < 0x1p995 && fabs(scale) > 0x1p-960) {
    /* an x whose x*s is within the fast path's 2^17 is below 2^17 / |s| < 2^977 (Dekker's range); where x*s
     * itself is huge (far below the maximum), fl(x*s) - h is within the bound, y being about x*s */
    for (size_t i = 0; i < n; i++) y[i] = s4j_mul_sub(x[i], scale, hi) - lo;
  } else { /* scales only the C API passes (1e300 on tiny x): the C library's fma(), a call per element */
    for (size_t i = 0; i < n; i++) y[i] = fma(x[i], scale, -hi) - lo;
  }
}

/* One row of cols >= 1 elements; lse NULL unless wanted. */
static void s4j_f64_row(const s4j_f64_kernel_set* k, int op, int algorithm, int flags, double scale, const double* x,
                        double* y, size_t n, double* lse) {
  switch (op) {
    case S4J_OP_LOG_SUM_EXP: {
      double lo;
      *lse = s4j_f64_logsumexp(k, x, n, scale, &lo);
      *lse += lo;
      return;
    }
    case S4J_OP_LOG_SOFTMAX:
      s4j_f64_log_softmax(k, x, y, n, scale, flags, lse);
      return;
    case S4J_OP_SOFTMAX:
      switch (algorithm) {
        case S4J_ALGO_TWO_PASS:
          s4j_f64_two_pass(k, x, y, n, scale, flags, lse);
          return;
        case S4J_ALGO_THREE_PASS_RECOMPUTE:
          s4j_f64_three_pass(k, x, y, n, scale, flags, 0, lse);
          return;
        case S4J_ALGO_THREE_PASS_RELOAD:
          s4j_f64_three_pass(k, x, y, n, scale, flags, 1, lse);
          return;
      }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------------------------- */

int s4j_f64_rows_at(int isa, int op, int algorithm, int flags, double scale, const double* x, int64_t x_offset,
                    int64_t x_stride, double* y, int64_t y_offset, int64_t y_stride, int64_t rows, int64_t cols,
                    double* lse, int64_t lse_offset) {
  const int want_lse = op == S4J_OP_LOG_SUM_EXP || (flags & S4J_FLAG_LSE);
  if (op < 0 || op >= S4J_OP_COUNT || lse_offset < 0 || (want_lse && rows > 0 && lse == NULL)) return S4J_EINVAL;
  const int rc = s4j_rows_args(isa, algorithm, flags, 1, x, x_offset, x_stride,
                               op == S4J_OP_LOG_SUM_EXP ? (const void*)x : y, y_offset, y_stride, rows, cols);
  if (rc != S4J_OK) return rc;
  if (s4j_f64_kernel_table[isa] == NULL) return S4J_ENOTSUP;
  const s4j_f64_kernel_set* k = s4j_f64_kernel_table[isa];
  if (algorithm == S4J_ALGO_AUTO) algorithm = s4j_f64_auto_algorithm(isa, cols);
  for (int64_t r = 0; r < rows; r++) {
    double* l = want_lse ? lse + lse_offset + r : NULL;
    if (cols == 0) {
      if (l != NULL) *l = -INFINITY; /* the empty sum: log(0) */
      continue;
    }
    const double* xr = x + (size_t)(x_offset + r * x_stride);
    double* yr = op == S4J_OP_LOG_SUM_EXP ? NULL : y + (size_t)(y_offset + r * y_stride);
    s4j_f64_row(k, op, algorithm, flags, scale, xr, yr, (size_t)cols, l);
  }
  return S4J_OK;
}

/* Sampling support (the Java Sampler's flat nucleus): the f64 kernel rbinexp over float logits (softmax4j.h). */
int s4j_f32_binexp_at(int isa, const float* x, int64_t x_offset, int64_t n, float top, float s, double inv,
                      double* w, double* bins, int64_t nbins, double* total) {
  if (n < 0 || n > INT32_MAX || x_offset < 0 || total == NULL || (n > 0 && (x == NULL || w == NULL)) ||
      nbins < 0 || nbins > (1 << 24) || !isfinite(top) || !(s > 0.0f) || !isfinite(s) ||
      (nbins > 0 && (bins == NULL || !((float)inv > 0.0f) || !isfinite((float)inv)))) { /* s4j_binexp_bin's float
                                                                                            arithmetic */
    return S4J_EINVAL;
  }
  const int rc = s4j_rows_args(isa, S4J_ALGO_AUTO, 0, 1, x, x_offset, 1, x, x_offset, 1, 1, n); /* the tier's */
  if (rc != S4J_OK) return rc;
  if (s4j_f64_kernel_table[isa] == NULL) return S4J_ENOTSUP;
  *total = n == 0 ? 0.0 : s4j_f64_kernel_table[isa]->rbinexp((size_t)n, x + (size_t)x_offset, top, s, inv, w, bins,
                                                              nbins);
  return S4J_OK;
}

/* Sampling support: the draw of the flat nucleus, the f64 kernel rwalk (softmax4j.h). */
int s4j_f32_walk_at(int isa, const float* x, int64_t x_offset, const double* w, int64_t n, float xc, double target,
                    int64_t* index, double* before) {
  if (n < 0 || n > INT32_MAX || x_offset < 0 || index == NULL || before == NULL || (n > 0 && (x == NULL || w == NULL)) ||
      xc != xc || target != target) {
    return S4J_EINVAL;
  }
  const int rc = s4j_rows_args(isa, S4J_ALGO_AUTO, 0, 1, x, x_offset, 1, x, x_offset, 1, 1, n); /* the tier's */
  if (rc != S4J_OK) return rc;
  if (s4j_f64_kernel_table[isa] == NULL) return S4J_ENOTSUP;
  if (n == 0) {
    *index = 0;
    *before = 0.0;
    return S4J_OK;
  }
  *index = s4j_f64_kernel_table[isa]->rwalk((size_t)n, x + (size_t)x_offset, w, xc, target, before);
  return S4J_OK;
}
