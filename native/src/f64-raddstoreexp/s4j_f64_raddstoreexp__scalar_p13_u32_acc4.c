/* Pass 2 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), double precision: z = p * 2^(n - E) stored into y and summed
 * as a double-double. Portable C. */
#include "kernels.h"
#include "s4j_f64_scalar.h"

/* u32: chunks of 32 through a local buffer (in place stays vectorizable), copied to y, four
 * compensated accumulators. */
S4J_INLINE double s4j_body(size_t n, const double* x, double* y, double s, double e_max, double* sum_lo,
                           const int scaled) {
  double z[S4J_F64_SCALAR_CHUNK];
  double vs[4] = {0.0, 0.0, 0.0, 0.0}, vc[4] = {0.0, 0.0, 0.0, 0.0};
  while (n != 0) {
    const size_t c = n < S4J_F64_SCALAR_CHUNK ? n : S4J_F64_SCALAR_CHUNK;
    s4j_f64_scalar_expscaled_chunk(c, x, s, e_max, z, scaled);
    memcpy(y, z, c * sizeof(double));
    s4j_f64_scalar_sum_chunk(c, z, vs, vc);
    x += c;
    y += c;
    n -= c;
  }
  return s4j_dd_sum_lanes(vs, vc, 4, sum_lo);
}

double s4j_f64_raddstoreexp__scalar_p13_u32_acc4(size_t n, const double* x, double* y, double scale,
                                                 double e_max, double* sum_lo) {
  return scale == 1.0 ? s4j_body(n, x, y, scale, e_max, sum_lo, 0) : s4j_body(n, x, y, scale, e_max, sum_lo, 1);
}
