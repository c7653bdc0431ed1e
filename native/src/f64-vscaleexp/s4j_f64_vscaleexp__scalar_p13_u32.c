/* Pass 2 of two-pass and pass 3 of the three-pass (recompute) baseline of The Two-Pass Softmax
 * Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438), double precision:
 * y = (p * inv) * 2^(n - E) for exp(x*s) = p * 2^n, with inv = inv_hi + inv_lo = 1/S. Portable C. */
#include "kernels.h"
#include "s4j_dd.h"
#include "s4j_f64_scalar.h"

/* u32: chunks of 32 through a local buffer (vectorizable map; in place stays vectorizable).
 * p * (inv_hi + inv_lo) with p * inv_hi taken exactly (s4j_dd_mul: no FMA here), so the final addition is the
 * only rounding of the result's size, as in the FMA tiers (p*inv_hi + p*inv_lo rounded twice: a one-term row gave
 * 1 - 2^-53). */
S4J_INLINE void s4j_body(size_t n, const double* x, double* y, double s, double inv_hi, double inv_lo,
                         double e_max, const int scaled) {
  double buf[S4J_F64_SCALAR_CHUNK];
  while (n != 0) {
    const size_t c = n < S4J_F64_SCALAR_CHUNK ? n : S4J_F64_SCALAR_CHUNK;
    for (size_t i = 0; i < c; i++) {
      double lo, ni;
      const double hi = s4j_f64_scalar_mul(x[i], s, &lo, scaled);
      const double pi = s4j_f64_scalar_exp_pn(hi, lo, &ni);
      buf[i] = s4j_dd_mul(pi, inv_hi, inv_lo) * s4j_f64_scalar_exp2(ni - e_max);
    }
    memcpy(y, buf, c * sizeof(double));
    x += c;
    y += c;
    n -= c;
  }
}

void s4j_f64_vscaleexp__scalar_p13_u32(size_t n, const double* x, double* y, double scale, double inv_hi,
                                       double inv_lo, double e_max) {
  if (scale == 1.0) {
    s4j_body(n, x, y, scale, inv_hi, inv_lo, e_max, 0);
  } else {
    s4j_body(n, x, y, scale, inv_hi, inv_lo, e_max, 1);
  }
}
