/* raddexpshort = Reduce-ADD of EXPonentials of SHORT rows: for 1 <= rows <= S4J_SHORT_GROUP rows of the same n
 * <= S4J_SHORT_ROW floats, strides apart, m[r] = the sum of exp(s*x) * 2^-e[r] over row r, e[r] the exponent of
 * its maximum: pass 1 of two-pass as the driver runs it for a row no longer than its head (E from the row's
 * maximum, raddexp's terms and their grouping for that n), so the same bits; m[r] = NaN when E is above the
 * fast range (the driver's other checks follow, as for a single row). The rows of a group go through each step
 * together (every maximum, then every row's parameters, then every row's sum), so that one row's latency chain
 * (maximum -> E -> terms -> sum) overlaps the next row's: log-sum-exp, log-softmax and cross-entropy over
 * batches of short rows. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_sumexp.h"

/* raddexp's body once per mode (s == 1 or not; E is never folded into the tables here: S4J_FOLD_MIN). */
static S4J_NOINLINE double s4j_sum_row(size_t n, const float* x, const s4j_expp* p) {
  return s4j_sumexp_body(n, x, p, S4J_EXP_LO);
}
static S4J_NOINLINE double s4j_sum_row_scaled(size_t n, const float* x, const s4j_expp* p) {
  return s4j_sumexp_body(n, x, p, S4J_EXP_LO | S4J_EXP_SCALED);
}

/* rows a constant: the loops unroll and the parameters stay apart. */
S4J_INLINE void s4j_rows(const size_t rows, size_t n, const float* x, size_t x_stride, float s, double* m,
                         float* e) {
  s4j_expp p[S4J_SHORT_GROUP];
  for (size_t r = 0; r < rows; r++) {
    e[r] = s4j_f32_exponent_of_max(s4j_row_max(n, x + r * x_stride), s);
    /* a row beyond the range gets parameters all the same, unused: the init need not wait for the test */
    s4j_expp_init(&p[r], s, e[r] <= S4J_E_HI ? e[r] : 0.0f, 1.0, S4J_EXP_BIAS, 0);
  }
  for (size_t r = 0; r < rows; r++) {
    m[r] = !(e[r] <= S4J_E_HI)  ? NAN /* +Inf or a huge input */
           : s == 1.0f          ? s4j_sum_row(n, x + r * x_stride, &p[r])
                                : s4j_sum_row_scaled(n, x + r * x_stride, &p[r]);
  }
}

void S4J_FN_EXP(raddexpshort)(size_t rows, size_t n, const float* x, size_t x_stride, float s, double* m, float* e) {
  switch (rows) {
    case 1: s4j_rows(1, n, x, x_stride, s, m, e); break;
    case 2: s4j_rows(2, n, x, x_stride, s, m, e); break;
    case 3: s4j_rows(3, n, x, x_stride, s, m, e); break;
    default: s4j_rows(4, n, x, x_stride, s, m, e); break;
  }
}
