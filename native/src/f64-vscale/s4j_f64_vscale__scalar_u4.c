/* Pass 3 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), double precision: y = z * (inv_hi + inv_lo) in place.
 * Portable C. */
#include "kernels.h"

/* u4: four independent products per iteration (the compiler may vectorize this loop). */
void s4j_f64_vscale__scalar_u4(size_t n, double* y, double inv_hi, double inv_lo) {
  for (; n >= 4; n -= 4, y += 4) {
    for (int j = 0; j < 4; j++) y[j] = y[j] * inv_hi + y[j] * inv_lo;
  }
  for (; n != 0; n--, y++) {
    *y = *y * inv_hi + *y * inv_lo;
  }
}
