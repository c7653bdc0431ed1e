/* Pass 1 of the three-pass baselines of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438): max of the clamped inputs plus a NaN flag. Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* u8 with 8 lane accumulators written as arrays, which the compiler turns into SIMD max/compare. */
float s4j_f32_rmax__scalar_u8_acc8(size_t n, const float* x, int* has_nan) {
  /* Starting at X_LO is the clamp: max(X_LO, max x). A NaN compares false and never enters the
   * max; x != x flags it (-Inf and +Inf are ordered). */
  float vmax[8];
  int32_t nan[8];
  for (int j = 0; j < 8; j++) {
    vmax[j] = S4J_X_LO;
    nan[j] = 0;
  }
  for (; n >= 8; n -= 8, x += 8) {
    for (int j = 0; j < 8; j++) {
      const float v = x[j];
      vmax[j] = (v > vmax[j]) ? v : vmax[j];
      nan[j] |= (v != v);
    }
  }
  for (; n != 0; n--, x++) {
    const float v = *x;
    vmax[0] = (v > vmax[0]) ? v : vmax[0];
    nan[0] |= (v != v);
  }
  float r = vmax[0];
  int any = nan[0];
  for (int j = 1; j < 8; j++) {
    r = (vmax[j] > r) ? vmax[j] : r;
    any |= nan[j];
  }
  *has_nan = any != 0;
  return r;
}
