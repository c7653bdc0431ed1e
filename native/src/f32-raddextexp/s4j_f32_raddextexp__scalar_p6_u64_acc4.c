/* Pass 1 of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438):
 * sum of exp(x) as m * 2^e with an extended exponent. Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* u64: chunks of 64 elements. One (m, e) pair per chunk step instead of per lane: the chunk's terms
 * are scaled to the chunk's largest n in a vectorizable map and summed in double (acc4), then merged
 * with the running (m, e) by the rule e' = max(e, n); m = m*2^(e - e') + sum. */
double s4j_f32_raddextexp__scalar_p6_u64_acc4(size_t n, const float* x, float* e_out) {
  double m = 0.0;
  float e = S4J_E_INIT;
  float p[S4J_SCALAR_CHUNK];
  float k[S4J_SCALAR_CHUNK];
  while (n != 0) {
    const size_t c = n < S4J_SCALAR_CHUNK ? n : S4J_SCALAR_CHUNK;
    /* exp(x) = p * 2^k for the chunk (vectorized). */
    s4j_scalar_exp_chunk(c, x, p, k);
    /* e' = max(e, max k), four partial maxima; a NaN k compares false and is skipped (its NaN p
     * makes the sum NaN). */
    float e0 = e, e1 = e, e2 = e, e3 = e;
    size_t i = 0;
    for (; i + 4 <= c; i += 4) {
      e0 = (k[i] > e0) ? k[i] : e0;
      e1 = (k[i + 1] > e1) ? k[i + 1] : e1;
      e2 = (k[i + 2] > e2) ? k[i + 2] : e2;
      e3 = (k[i + 3] > e3) ? k[i + 3] : e3;
    }
    for (; i < c; i++) e0 = (k[i] > e0) ? k[i] : e0;
    e0 = (e1 > e0) ? e1 : e0;
    e2 = (e3 > e2) ? e3 : e2;
    const float emax = (e2 > e0) ? e2 : e0;
    /* p * 2^(k - e'), an exact scaling (vectorized), summed in double. */
    for (i = 0; i < c; i++) p[i] *= s4j_scalar_exp2(k[i] - emax);
    m = m * (double)s4j_scalar_exp2(e - emax) + s4j_scalar_sum_chunk(c, p);
    e = emax;
    x += c;
    n -= c;
  }
  *e_out = e;
  return m;
}
