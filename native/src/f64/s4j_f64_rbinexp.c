/* rbinexp = Reduce-BIN-EXPonentials (sampling: the sampler's flat nucleus, a top-p cut through much of the
 * vocabulary): over float logits x[0, n) below a top and a scale s > 0, the weights w[i] = exp(d) with
 * d = ((double) x[i] - top) * s, the sampler's rule's exponent rounded once as the rule rounds it, within 2^-42
 * relative (the tier's weight exp where it has one, S4J_DEXP_WEIGHT, else the f64 exp, s4j_dterm against 2^0:
 * docs/NUMERICS.md, "Double precision" and "Token sampling"), stored into w and each also added into
 * bins[min(fl(fl(top - x[i]) * inv), nbins - 1)] in float arithmetic (s4j_binexp_bin: inv rounded to float;
 * bins linear in the logit from the top down, an x above top in bin 0; the caller zeroes them; nbins = 0: no
 * bins, the weights alone); returns their sum (plain double adds over four vector lanes' chains). Each bin is
 * its weights' sum in some order (within n ulps of it: every term is non-negative).
 * Per chunk: the exponents and bin positions into local buffers (a loop the compiler vectorizes), the exp over
 * them four vectors at a time, and the bins one weight at a time, a group behind the exp (no vector scatter on
 * any tier: measured on Zen 4, a scalar add per weight, ~2 cycles, cost as much as the exp; copies of the bins
 * did not help). One or two bins (the sampler's weight above a logit: S4J_BINEXP_FEW) go through vector
 * accumulators instead, bin 0 being d > d_hi for one threshold d_hi (s4j_binexp_split): every weight into one bin
 * was a chain through memory, 3x the scatter's time; 0/1 masks from the buffers' loop cost 0.3-0.4x the weights'
 * pass. Compiled once per vector tier (s4j_f64_simd.h). */
#include <string.h>

#include "s4j_f64_simd.h"

#define S4J_BINEXP_CHUNK 64 /* a multiple of 4 vectors on every tier */
#define S4J_BINEXP_FEW 2    /* up to this many bins: vector accumulators, no scalar adds */

/* A float's bits as a key whose unsigned order is the float order (no NaN), and back. */
static inline uint32_t s4j_binexp_key(float v) {
  uint32_t b;
  memcpy(&b, &v, sizeof b);
  return b >> 31 ? ~b : b | 0x80000000u;
}
static inline float s4j_binexp_float(uint32_t k) {
  const uint32_t b = k >> 31 ? k & 0x7FFFFFFFu : ~k;
  float v;
  memcpy(&v, &b, sizeof v);
  return v;
}

/* Two bins (or one): bin 0 as a test on the exponent d, d > *d_hi, when that test is exact; returns 0 when it is
 * not (two floats either side of bin 0's edge with the same d; not expected: d merges neighbouring floats only for
 * |v| below about 2^-29 |top|, where fl(top - v) is top itself and every v has the same bin; the scalar adds then).
 * One bin: every weight (-Inf's weighs 0). Two: hi, the largest float in bin 1 (a bisection over the keys: the bin
 * never increases with v), d_hi its d; d never decreases with v, so d > d_hi holds for every v above hi once the
 * next float's d is above d_hi, and for none at or below. */
static int s4j_binexp_split(float top, float finv, float flast, double dtop, double ds, double* d_hi) {
  if (flast == 0.0f) {
    *d_hi = -INFINITY;
    return 1;
  }
  uint32_t lo = s4j_binexp_key(-INFINITY), hi = s4j_binexp_key(INFINITY); /* bin 1 at lo, bin 0 at hi */
  while (hi - lo > 1) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (s4j_binexp_bin(top, s4j_binexp_float(mid), finv, flast) >= 1) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  *d_hi = ((double)s4j_binexp_float(lo) - dtop) * ds;
  return ((double)s4j_binexp_float(hi) - dtop) * ds > *d_hi;
}

/* The bins of a group's weights: one scalar add each. */
static inline void s4j_binexp_add(double* bins, const int32_t* pos, const double* z, size_t c) {
  for (size_t j = 0; j < c; j++) bins[pos[j]] += z[j];
}

double S4J_DNAME(s4j_f64_rbinexp__, S4J_DISA, _p13_, S4J_DU4, )(size_t n, const float* x, float top, float s,
                                                               double inv, double* w, double* bins,
                                                               int64_t nbins) {
  const double dtop = (double)top, ds = (double)s;
  /* s4j_binexp_bin: nbins <= 2^24; inv is checked (and used) only with bins */
  const float finv = nbins > 0 ? (float)inv : 0.0f, flast = (float)(nbins - 1);
  const s4j_dvf vzero = s4j_dset1(0.0);
  s4j_dvf acc[4] = {vzero, vzero, vzero, vzero};
  s4j_dvf few[S4J_BINEXP_FEW][4] = {{vzero, vzero, vzero, vzero}, {vzero, vzero, vzero, vzero}};
  /* one or two bins: bin 0 is d > d_hi (else, not expected: the scalar adds) */
  double d_hi = 0.0;
  const int use_few = nbins > 0 && nbins <= S4J_BINEXP_FEW && s4j_binexp_split(top, finv, flast, dtop, ds, &d_hi);
  const s4j_dvf vd_hi = s4j_dset1(d_hi);
  double d[S4J_BINEXP_CHUNK], z[S4J_BINEXP_CHUNK];
  int32_t pos[2][S4J_BINEXP_CHUNK]; /* this chunk's and the last one's: its last group is added during this one */
  /* the group whose bins are added next, after the next group's exp (adds and FMAs overlap: on Zen 4 the kernel
   * took the exp's time plus the adds' when a chunk's adds followed its exps) */
  const int32_t* pend_pos = NULL;
  const double* pend_z = NULL;
  size_t pend_c = 0;
  for (size_t i = 0, k = 0; i < n; i += S4J_BINEXP_CHUNK, k++) {
    const size_t c = n - i < S4J_BINEXP_CHUNK ? n - i : S4J_BINEXP_CHUNK;
    int32_t* pk = pos[k & 1];
    if (nbins > 0 && !use_few) {
      for (size_t j = 0; j < c; j++) {
        const double v = (double)x[i + j];
        d[j] = (v - dtop) * ds;
        pk[j] = s4j_binexp_bin(top, x[i + j], finv, flast);
      }
    } else { /* the weights alone (min-p's draw), or one or two bins */
      for (size_t j = 0; j < c; j++) d[j] = ((double)x[i + j] - dtop) * ds;
    }
    for (size_t j = c; j < S4J_BINEXP_CHUNK; j++) d[j] = -INFINITY; /* weighs +0.0 (the clamp at X_LO) */
    double* out = c == S4J_BINEXP_CHUNK ? w + i : z;                  /* a short last chunk through z */
    for (size_t j = 0; j < S4J_BINEXP_CHUNK; j += 4 * S4J_DVLEN) {
      s4j_dvf vz[4], vh[4];
      for (int q = 0; q < 4; q++) vh[q] = s4j_dload(d + j + (size_t)q * S4J_DVLEN);
#if defined(S4J_DEXP_WEIGHT) /* the tier's faster exp within 2^-42 */
      for (int q = 0; q < 4; q++) vz[q] = s4j_dexp_weight(vh[q]);
#else
      s4j_dvf vlo[4];
      for (int q = 0; q < 4; q++) vlo[q] = vzero;
      s4j_dterm4(vz, vh, vlo, vzero, 0);
#endif
      for (int q = 0; q < 4; q++) {
        acc[q] = s4j_dadd(acc[q], vz[q]);
        s4j_dstore(out + j + (size_t)q * S4J_DVLEN, vz[q]);
      }
      if (use_few) { /* z - kept is z or +0.0, exactly (padding: d -Inf, z 0) */
        for (int q = 0; q < 4; q++) {
          const s4j_dvf kept = s4j_dkeep_gt(vh[q], vd_hi, vz[q]);
          few[0][q] = s4j_dadd(few[0][q], kept);
          few[1][q] = s4j_dadd(few[1][q], s4j_dsub(vz[q], kept));
        }
        continue;
      }
      s4j_binexp_add(bins, pend_pos, pend_z, pend_c);
      pend_pos = pk + j;
      pend_z = out + j;
      pend_c = j < c && nbins > 0 ? (c - j < 4 * S4J_DVLEN ? c - j : 4 * S4J_DVLEN) : 0;
    }
    if (out == z) {
      for (size_t j = 0; j < c; j++) w[i + j] = z[j];
    }
  }
  s4j_binexp_add(bins, pend_pos, pend_z, pend_c);
  double lanes[4 * S4J_DVLEN];
  for (int64_t b = 0; use_few && b < nbins; b++) {
    for (int q = 0; q < 4; q++) s4j_dstore(lanes + q * S4J_DVLEN, few[b][q]);
    double sum = 0.0;
    for (int k = 0; k < 4 * S4J_DVLEN; k++) sum += lanes[k];
    bins[b] += sum;
  }
  for (int q = 0; q < 4; q++) s4j_dstore(lanes + q * S4J_DVLEN, acc[q]);
  double total = 0.0;
  for (int k = 0; k < 4 * S4J_DVLEN; k++) total += lanes[k];
  return total;
}
