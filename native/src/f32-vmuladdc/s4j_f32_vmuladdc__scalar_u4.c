/* Pass 2 of log-softmax: y = x * s + c with c = -logsumexp(s*x). Portable C: the product of two
 * floats is exact in double and the sum rounds once there, then once more to float; the result is
 * within 2^-24 * (|x*s| + |c|) + one rounding, as the FMA of the vector tiers. */
#include "kernels.h"

/* u4: four independent steps per iteration (the compiler may vectorize this loop). */
void s4j_f32_vmuladdc__scalar_u4(size_t n, const float* x, float* y, float s, float c) {
  const double ds = (double)s;
  const double dc = (double)c;
  for (; n >= 4; n -= 4, x += 4, y += 4) {
    const float y0 = (float)((double)x[0] * ds + dc);
    const float y1 = (float)((double)x[1] * ds + dc);
    const float y2 = (float)((double)x[2] * ds + dc);
    const float y3 = (float)((double)x[3] * ds + dc);
    y[0] = y0;
    y[1] = y1;
    y[2] = y2;
    y[3] = y3;
  }
  for (; n != 0; n--, x++, y++) {
    *y = (float)((double)*x * ds + dc);
  }
}
