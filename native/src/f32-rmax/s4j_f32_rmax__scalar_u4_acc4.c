/* Pass 1 of the three-pass baselines of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020,
 * arXiv:2001.04438): max of the clamped inputs plus a NaN flag. Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* Four accumulators break the max dependency chain. */
float s4j_f32_rmax__scalar_u4_acc4(size_t n, const float* x, int* has_nan) {
  /* Starting at X_LO is the clamp: max(X_LO, max x). */
  float vmax[4] = {S4J_X_LO, S4J_X_LO, S4J_X_LO, S4J_X_LO};
  /* x != x exactly for NaN; -Inf and +Inf are ordered. */
  int nan = 0;
  for (; n >= 4; n -= 4, x += 4) {
    for (int j = 0; j < 4; j++) {
      const float v = x[j];
      vmax[j] = (v > vmax[j]) ? v : vmax[j];
      nan |= (v != v);
    }
  }
  for (; n != 0; n--, x++) {
    const float v = *x;
    vmax[0] = (v > vmax[0]) ? v : vmax[0];
    nan |= (v != v);
  }
  vmax[0] = (vmax[1] > vmax[0]) ? vmax[1] : vmax[0];
  vmax[2] = (vmax[3] > vmax[2]) ? vmax[3] : vmax[2];
  *has_nan = nan;
  return (vmax[2] > vmax[0]) ? vmax[2] : vmax[0];
}
