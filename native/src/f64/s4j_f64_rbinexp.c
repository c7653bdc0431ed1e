/* rbinexp = Reduce-BIN-EXPonentials (sampling: the sampler's flat nucleus, a top-p cut through much of the
 * vocabulary): over float logits x[0, n) below a top and a scale s > 0, the weights w[i] = exp(d) with
 * d = ((double) x[i] - top) * s, the sampler's rule's exponent rounded once as the rule rounds it, by the f64 exp
 * (s4j_dterm against 2^0: docs/NUMERICS.md, "Double precision"), stored into w and each also added into
 * bins[min(fl(fl(top - x[i]) * inv), nbins - 1)] (bins linear in the logit from the top down, an x above top in
 * bin 0; the caller zeroes them); returns their sum (plain double adds over four vector lanes' chains).
 * Per chunk: the exponents and bin positions into local buffers (a loop the compiler vectorizes), the exp over
 * them a vector at a time, then the bins one weight at a time (no vector scatter on any tier: measured on Zen 4,
 * a scalar add per weight, ~2 cycles, is half of the kernel's time; copies of the bins did not help). Compiled
 * once per vector tier (s4j_f64_simd.h). */
#include "s4j_f64_simd.h"

#define S4J_BINEXP_CHUNK 64 /* a multiple of 4 vectors on every tier */

double S4J_DNAME(s4j_f64_rbinexp__, S4J_DISA, _p13_, S4J_DU4, )(size_t n, const float* x, float top, float s,
                                                               double inv, double* w, double* bins,
                                                               int64_t nbins) {
  const double dtop = (double)top, ds = (double)s, dlast = (double)(nbins - 1);
  const s4j_dvf vzero = s4j_dset1(0.0);
  s4j_dvf acc[4] = {vzero, vzero, vzero, vzero};
  double d[S4J_BINEXP_CHUNK], pos[S4J_BINEXP_CHUNK], z[S4J_BINEXP_CHUNK];
  for (size_t i = 0; i < n; i += S4J_BINEXP_CHUNK) {
    const size_t c = n - i < S4J_BINEXP_CHUNK ? n - i : S4J_BINEXP_CHUNK;
    for (size_t j = 0; j < c; j++) {
      const double v = (double)x[i + j];
      d[j] = (v - dtop) * ds;
      const double b = (dtop - v) * inv;
      pos[j] = b < dlast ? (b > 0.0 ? b : 0.0) : dlast;
    }
    for (size_t j = c; j < S4J_BINEXP_CHUNK; j++) d[j] = -INFINITY; /* weighs +0.0 (the clamp at X_LO) */
    double* out = c == S4J_BINEXP_CHUNK ? w + i : z;                  /* a short last chunk through z */
    for (size_t j = 0; j < S4J_BINEXP_CHUNK; j += 4 * S4J_DVLEN) {
      s4j_dvf vh[4], vlo[4], vz[4];
      for (int q = 0; q < 4; q++) {
        vh[q] = s4j_dload(d + j + (size_t)q * S4J_DVLEN);
        vlo[q] = vzero;
      }
      s4j_dterm4(vz, vh, vlo, vzero, 0);
      for (int q = 0; q < 4; q++) {
        acc[q] = s4j_dadd(acc[q], vz[q]);
        s4j_dstore(out + j + (size_t)q * S4J_DVLEN, vz[q]);
      }
    }
    for (size_t j = 0; j < c; j++) {
      if (out == z) w[i + j] = z[j];
      bins[(int64_t)pos[j]] += out[j];
    }
  }
  double lanes[4 * S4J_DVLEN];
  for (int q = 0; q < 4; q++) s4j_dstore(lanes + q * S4J_DVLEN, acc[q]);
  double total = 0.0;
  for (int k = 0; k < 4 * S4J_DVLEN; k++) total += lanes[k];
  return total;
}
