/* Pass 3 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), double precision: y = z * (inv_hi + inv_lo) in place.
 * Portable C. */
#include "kernels.h"
#include "s4j_dd.h"

/* y * inv_hi exactly (s4j_two_prod: this tier has no FMA), then its rest plus y * inv_lo added to it: the final
 * addition is the only rounding of the result's size, so a row whose mass is one term gives exactly 1 there, as
 * on the FMA tiers (y * inv_hi + y * inv_lo rounds the product first, and such a row gave 1 - 2^-53). */
S4J_INLINE double s4j_scaled(double z, double inv_hi, double inv_lo) {
  double e;
  const double p = s4j_two_prod(z, inv_hi, &e);
  return p + (e + z * inv_lo);
}

/* u4: four independent products per iteration (the compiler may vectorize this loop). */
void s4j_f64_vscale__scalar_u4(size_t n, double* y, double inv_hi, double inv_lo) {
  for (; n >= 4; n -= 4, y += 4) {
    for (int j = 0; j < 4; j++) y[j] = s4j_scaled(y[j], inv_hi, inv_lo);
  }
  for (; n != 0; n--, y++) {
    *y = s4j_scaled(*y, inv_hi, inv_lo);
  }
}
