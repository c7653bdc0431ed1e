/* vsoftmaxshort = Vector SOFTMAX of SHORT rows (1 <= n <= S4J_SHORT_ROW floats, 1 <= rows <= S4J_SHORT_GROUP
 * rows of the same n): the three-pass reload fused (max, E, the terms, their sum in double, the scaling) with
 * the same steps and roundings as rmax + raddstoreexp + vscale of the same tier, so a short row gives what the
 * reload gives, without the calls' and the driver's set-up (batches of short rows: attention over a few hundred
 * positions). The rows of a group go through each step together (every maximum, then every row's terms and
 * sum, then every scaling): one row's steps wait on each other (maximum -> E -> terms -> sum -> 1/sum ->
 * outputs), so a row at a time left the core idle, and the rows of a group overlap. A row of one vector stays
 * in a register (in a group of 2 or 4 every row's input is loaded before any output is stored; 3 rows run as 2,
 * then 1: in place works, other overlaps are outside the rows contract); a longer one
 * stores its terms into y (out of place only: a NaN sends the row to the exact path, which reads x) through
 * raddstoreexp's own body, so its sum is grouped alike. The terms only meet their own row's sum: the cancelling
 * table (S4J_CANCEL_C, S4J_CANCEL_LO), as the reload's raddstoreexp with S4J_ROW_CANCEL. Returns the rows that need
 * the exact path, bit r for row r (their y may hold terms). One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_storeexp.h"

S4J_INLINE int s4j_body(size_t n, s4j_vf vx, float* y, const s4j_expp* p, const int mode) {
  const s4j_vf vz = s4j_vexp(vx, p, mode);
  s4j_vsum acc;
  s4j_vsum_init(&acc);
  s4j_vsum_add(&acc, vz);
  const double sum = s4j_vsum_reduce(&acc) * S4J_EXP_UNBIAS;
  if (!isfinite(sum)) return 0; /* a NaN input (the maximum excludes +Inf) */
  /* as vscale: the normaliser split into two floats, one rounding per output */
  const double inv = (1.0 / sum) * S4J_EXP_UNBIAS;
  const float hi = (float)inv;
  const s4j_vf vy = s4j_vfma(vz, s4j_vset1(hi), s4j_vmul(vz, s4j_vset1((float)(inv - (double)hi))));
  if (n == S4J_VLEN) {
    s4j_vstore(y, vy);
  } else {
    s4j_vstore_tail(y, s4j_vtail_mask(n), vy);
  }
  return 1;
}

/* A row of several vectors, whose terms and sum raddstoreexp's body gave: y scaled in place as vscale does
 * (its factor 2^-64 / sum is above ~2^-75 here: at most S4J_SHORT_ROW terms of about 2 or less
 * relative to E, the row's own maximum, so never vscale's normalised case below 2^-97). The maximum's four
 * chains below and this scaling restate rmax and vscale on purpose: calling those kernels instead (the same
 * bits) took 1.03-1.11x the time on AVX-512 at 17-256 floats (native harness, 7 alternated rounds). */
static inline void s4j_scale_terms(size_t n, float* y, double sum) {
  const double inv = (1.0 / sum) * S4J_EXP_UNBIAS;
  const float hi = (float)inv;
  const s4j_vf vhi = s4j_vset1(hi), vlo = s4j_vset1((float)(inv - (double)hi));
  for (; n >= 2 * S4J_VLEN; n -= 2 * S4J_VLEN, y += 2 * S4J_VLEN) {
    const s4j_vf vz0 = s4j_vload(y), vz1 = s4j_vload(y + S4J_VLEN);
    s4j_vstore(y, s4j_vfma(vz0, vhi, s4j_vmul(vz0, vlo)));
    s4j_vstore(y + S4J_VLEN, s4j_vfma(vz1, vhi, s4j_vmul(vz1, vlo)));
  }
  for (; n >= S4J_VLEN; n -= S4J_VLEN, y += S4J_VLEN) {
    const s4j_vf vz = s4j_vload(y);
    s4j_vstore(y, s4j_vfma(vz, vhi, s4j_vmul(vz, vlo)));
  }
  if (n != 0) {
    const s4j_vmask m = s4j_vtail_mask(n);
    const s4j_vf vz = s4j_vload_tail_zero(y, m);
    s4j_vstore_tail(y, m, s4j_vfma(vz, vhi, s4j_vmul(vz, vlo)));
  }
}

/* A group's row with E: its exp parameters, and 1 when it needs the exact path (+Inf, every input -Inf, beyond
 * the fast range). Such a row gets parameters all the same, unused: the init then need not wait for the test. E
 * is never folded into the tables here (S4J_FOLD_MIN). */
static inline unsigned s4j_group_params(s4j_expp* p, float e, float s) {
  const int fast = e >= S4J_E_LO && e <= S4J_E_HI;
  s4j_expp_init(p, s, fast ? e : 0.0f, S4J_CANCEL_C, S4J_EXP_BIAS, 0);
  return (unsigned)!fast;
}

/* A group of rows of one vector each (rows and mode constants: the loops unroll and the rows stay in
 * registers), every input loaded before any output is stored; the other lanes read -Inf. */
S4J_INLINE unsigned s4j_vector_rows(const size_t rows, size_t n, const float* x, size_t x_stride, float* y,
                                    size_t y_stride, float s, const int mode) {
  s4j_expp p[S4J_SHORT_GROUP];
  s4j_vf vx[S4J_SHORT_GROUP];
  unsigned exact = 0;
  for (size_t r = 0; r < rows; r++) {
    vx[r] = n == S4J_VLEN ? s4j_vload(x + r * x_stride) : s4j_vload_tail(x + r * x_stride, s4j_vtail_mask(n));
  }
  for (size_t r = 0; r < rows; r++) {
    const float max = s4j_vhmax(s4j_vmax(vx[r], s4j_vset1(-INFINITY)));
    exact |= s4j_group_params(&p[r], s4j_f32_exponent_of_max(max, s), s) << r;
  }
  for (size_t r = 0; r < rows; r++) {
    if (!(exact & (1u << r)) && !s4j_body(n, vx[r], y + r * y_stride, &p[r], mode)) exact |= 1u << r;
  }
  return exact;
}

/* raddstoreexp's body, once per mode, for the groups (inlined into each group size it added ~12 KB per tier
 * and no measurable speed). */
static S4J_NOINLINE double s4j_terms(size_t n, const float* x, float* y, const s4j_expp* p) {
  return s4j_storeexp_body(n, x, y, p, S4J_CANCEL_LO);
}
static S4J_NOINLINE double s4j_terms_scaled(size_t n, const float* x, float* y, const s4j_expp* p) {
  return s4j_storeexp_body(n, x, y, p, S4J_CANCEL_LO | S4J_EXP_SCALED);
}

/* A group of rows of several vectors each (rows and mode constants, as above): every maximum, then every row's
 * terms and sum, then every scaling. */
S4J_INLINE unsigned s4j_long_rows(const size_t rows, size_t n, const float* x, size_t x_stride, float* y,
                                  size_t y_stride, float s, const int mode) {
  s4j_expp p[S4J_SHORT_GROUP];
  double sum[S4J_SHORT_GROUP];
  unsigned exact = 0;
  for (size_t r = 0; r < rows; r++) {
    exact |= s4j_group_params(&p[r], s4j_f32_exponent_of_max(s4j_row_max(n, x + r * x_stride), s), s) << r;
  }
  for (size_t r = 0; r < rows; r++) {
    sum[r] = 0.0;
    if (exact & (1u << r)) continue;
    const float* xr = x + r * x_stride;
    float* yr = y + r * y_stride;
    sum[r] = (mode & S4J_EXP_SCALED) ? s4j_terms_scaled(n, xr, yr, &p[r]) : s4j_terms(n, xr, yr, &p[r]);
    if (!isfinite(sum[r])) exact |= 1u << r; /* a NaN input (the maximum excludes +Inf) */
  }
  for (size_t r = 0; r < rows; r++) {
    if (!(exact & (1u << r))) s4j_scale_terms(n, y + r * y_stride, sum[r]);
  }
  return exact;
}

/* One row: the groups' steps without their bookkeeping, inlined into the entry (a row of 8-16 floats is a call
 * of ~17 ns: the groups' bookkeeping, or one call more, cost it 1.1-1.2x the time in some builds). */
S4J_INLINE unsigned s4j_one_row(size_t n, const float* x, float* y, float s) {
  s4j_expp p;
  if (n > S4J_VLEN) {
    const float e = s4j_f32_exponent_of_max(s4j_row_max(n, x), s);
    if (!(e >= S4J_E_LO && e <= S4J_E_HI)) return 1; /* +Inf, all -Inf, beyond the fast range */
    s4j_expp_init(&p, s, e, S4J_CANCEL_C, S4J_EXP_BIAS, 0);
    const double sum = S4J_EXP_CALL(s, &p, S4J_CANCEL_LO, s4j_storeexp_body, n, x, y, &p);
    if (!isfinite(sum)) return 1; /* a NaN input (the maximum excludes +Inf) */
    s4j_scale_terms(n, y, sum);
    return 0;
  }
  const s4j_vf vx = n == S4J_VLEN ? s4j_vload(x) : s4j_vload_tail(x, s4j_vtail_mask(n)); /* other lanes: -Inf */
  const float e = s4j_f32_exponent_of_max(s4j_vhmax(s4j_vmax(vx, s4j_vset1(-INFINITY))), s);
  if (!(e >= S4J_E_LO && e <= S4J_E_HI)) return 1; /* +Inf, all -Inf, beyond the fast range */
  s4j_expp_init(&p, s, e, S4J_CANCEL_C, S4J_EXP_BIAS, 0);
  return !S4J_EXP_CALL(s, &p, S4J_CANCEL_LO, s4j_body, n, vx, y, &p);
}

/* E is never folded into the tables here (constants.h): the modes are S4J_CANCEL_LO's, with or without s. */
/* One function per group size and mode, which the entry only jumps to (a tail call: inlined there, the
 * largest body's stack frame was set up on every call, and a single row of 8 floats took 1.2x the time);
 * 3 rows run as 2, then one. */
#define S4J_SHORT_FN(path, rows, tag, mode)                                                                      \
  static S4J_NOINLINE unsigned s4j_##path##_##rows##tag(size_t n, const float* x, size_t x_stride, float* y,     \
                                                        size_t y_stride, float s) {                              \
    return s4j_##path##_rows(rows, n, x, x_stride, y, y_stride, s, mode);                                       \
  }
#define S4J_SHORT_FN3(path, tag)                                                                                 \
  static S4J_NOINLINE unsigned s4j_##path##_3##tag(size_t n, const float* x, size_t x_stride, float* y,          \
                                                   size_t y_stride, float s) {                                   \
    return s4j_##path##_2##tag(n, x, x_stride, y, y_stride, s) |                                                 \
           S4J_FN_EXP(vsoftmaxshort)(1, n, x + 2 * x_stride, 0, y + 2 * y_stride, 0, s) << 2;                    \
  }
#define S4J_SHORT_FNS(path, tag, mode)                                                                           \
  S4J_SHORT_FN(path, 2, tag, mode)                                                                               \
  S4J_SHORT_FN(path, 4, tag, mode)                                                                               \
  S4J_SHORT_FN3(path, tag)
S4J_SHORT_FNS(vector, , S4J_CANCEL_LO)
S4J_SHORT_FNS(vector, _scaled, S4J_CANCEL_LO | S4J_EXP_SCALED)
S4J_SHORT_FNS(long, , S4J_CANCEL_LO)
S4J_SHORT_FNS(long, _scaled, S4J_CANCEL_LO | S4J_EXP_SCALED)

#define S4J_SHORT_CALL(path, tag)                                                                                 \
  (rows == 2   ? s4j_##path##_2##tag(n, x, x_stride, y, y_stride, s)                                              \
   : rows == 3 ? s4j_##path##_3##tag(n, x, x_stride, y, y_stride, s)                                              \
               : s4j_##path##_4##tag(n, x, x_stride, y, y_stride, s))

unsigned S4J_FN_EXP(vsoftmaxshort)(size_t rows, size_t n, const float* x, size_t x_stride, float* y,
                                     size_t y_stride, float s) {
  if (rows == 1) return s4j_one_row(n, x, y, s);
  if (n > S4J_VLEN) return s == 1.0f ? S4J_SHORT_CALL(long, ) : S4J_SHORT_CALL(long, _scaled);
  return s == 1.0f ? S4J_SHORT_CALL(vector, ) : S4J_SHORT_CALL(vector, _scaled);
}
