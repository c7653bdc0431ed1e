/* Pass 3 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), double precision: y = z * (inv_hi + inv_lo) in place.
 * Portable C. */
#include "kernels.h"
#include "s4j_dd.h"

/* u4: four independent products per iteration (the compiler may vectorize this loop); each one rounding of the
 * result's size without an FMA, which this tier does not have (s4j_dd_mul). */
void s4j_f64_vscale__scalar_u4(size_t n, double* y, double inv_hi, double inv_lo) {
  for (; n >= 4; n -= 4, y += 4) {
    for (int j = 0; j < 4; j++) y[j] = s4j_dd_mul(y[j], inv_hi, inv_lo);
  }
  for (; n != 0; n--, y++) {
    *y = s4j_dd_mul(*y, inv_hi, inv_lo);
  }
}
