/* Pass 3 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438): y = z * inv in place. Portable C. */
#include "kernels.h"

/* u4: four independent multiplies per iteration (the compiler may vectorize this loop). */
void s4j_f32_vscale__scalar_u4(size_t n, float* y, float inv) {
  for (; n >= 4; n -= 4, y += 4) {
    y[0] *= inv;
    y[1] *= inv;
    y[2] *= inv;
    y[3] *= inv;
  }
  for (; n != 0; n--, y++) {
    *y *= inv;
  }
}
