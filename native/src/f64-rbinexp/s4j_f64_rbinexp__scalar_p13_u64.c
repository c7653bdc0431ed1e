/* rbinexp (sampling: the weights of the sampler's flat nucleus and their bins by logit; src/f64/s4j_f64_rbinexp.c
 * says what it computes), portable C: the same exponents, exp (s4j_f64_scalar_exp_pn, the vector tiers' steps)
 * and bin positions, a chunk at a time. */
#include "kernels.h"
#include "s4j_f64_scalar.h"

double s4j_f64_rbinexp__scalar_p13_u64(size_t n, const float* x, float top, float s, double inv, double* w,
                                       double* bins, int64_t nbins) {
  const double dtop = (double)top, ds = (double)s;
  /* s4j_binexp_bin: nbins <= 2^24; inv is checked (and used) only with bins */
  const float finv = nbins > 0 ? (float)inv : 0.0f, flast = (float)(nbins - 1);
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  double few0 = 0.0, few1 = 0.0; /* one or two bins: sums in registers (into one bin, a chain through memory) */
  for (size_t i = 0; i < n; i++) {
    const double v = (double)x[i];
    double k;
    const double p = s4j_f64_scalar_exp_pn((v - dtop) * ds, 0.0, &k);
    const double z = p * s4j_f64_scalar_exp2(k);
    w[i] = z;
    acc[i & 3] += z;
    if (nbins > 2) {
      bins[s4j_binexp_bin(top, x[i], finv, flast)] += z;
    } else if (nbins > 0) { /* products, not a conditional: exact (z times 0 or 1) */
      const double b0 = (double)(s4j_binexp_bin(top, x[i], finv, flast) == 0);
      few0 += z * b0;
      few1 += z * (1.0 - b0);
    }
  }
  if (nbins > 0) bins[0] += few0;
  if (nbins > 1) bins[1] += few1;
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}
