/* Pass 1 of the three-pass baselines of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438), double precision: max of the clamped products hi = fl(x*s) plus a NaN flag.
 * Portable C. */
#include "kernels.h"
#include "s4j_f64_scalar.h"

/* u4 with 4 lane accumulators written as arrays, which the compiler turns into SIMD max/compare. */
S4J_INLINE double s4j_body(size_t n, const double* x, double s, int* has_nan, const int scaled) {
  /* Starting at X_LO is the clamp. A NaN compares false and never enters the max; h != h flags it. */
  double vmax[4];
  int64_t nan[4];
  for (int j = 0; j < 4; j++) {
    vmax[j] = S4J_F64_X_LO;
    nan[j] = 0;
  }
  for (; n >= 4; n -= 4, x += 4) {
    for (int j = 0; j < 4; j++) {
      const double h = scaled ? x[j] * s : x[j];
      vmax[j] = (h > vmax[j]) ? h : vmax[j];
      nan[j] |= (h != h);
    }
  }
  for (; n != 0; n--, x++) {
    const double h = scaled ? *x * s : *x;
    vmax[0] = (h > vmax[0]) ? h : vmax[0];
    nan[0] |= (h != h);
  }
  double r = vmax[0];
  int64_t any = nan[0];
  for (int j = 1; j < 4; j++) {
    r = (vmax[j] > r) ? vmax[j] : r;
    any |= nan[j];
  }
  *has_nan = any != 0;
  return r;
}

double s4j_f64_rmax__scalar_u4_acc4(size_t n, const double* x, double scale, int* has_nan) {
  return scale == 1.0 ? s4j_body(n, x, scale, has_nan, 0) : s4j_body(n, x, scale, has_nan, 1);
}
