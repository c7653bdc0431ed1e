/* Pass 2 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), and the per-block sum of pass 1 of two-pass, double
 * precision: sum of p * 2^(n - E) for exp(x*s) = p * 2^n, as a double-double. Portable C. */
#include "kernels.h"
#include "s4j_f64_scalar.h"

/* u32: chunks of 32: a vectorizable map into a local buffer, then four compensated accumulators. */
S4J_INLINE double s4j_body(size_t n, const double* x, double s, double e_max, double* sum_lo, const int scaled) {
  double z[S4J_F64_SCALAR_CHUNK];
  double vs[4] = {0.0, 0.0, 0.0, 0.0}, vc[4] = {0.0, 0.0, 0.0, 0.0};
  while (n != 0) {
    const size_t c = n < S4J_F64_SCALAR_CHUNK ? n : S4J_F64_SCALAR_CHUNK;
    s4j_f64_scalar_expscaled_chunk(c, x, s, e_max, z, scaled);
    s4j_f64_scalar_sum_chunk(c, z, vs, vc);
    x += c;
    n -= c;
  }
  return s4j_dd_sum_lanes(vs, vc, 4, sum_lo);
}

double s4j_f64_raddexp__scalar_p13_u32_acc4(size_t n, const double* x, double scale, double e_max,
                                            double* sum_lo) {
  return scale == 1.0 ? s4j_body(n, x, scale, e_max, sum_lo, 0) : s4j_body(n, x, scale, e_max, sum_lo, 1);
}
