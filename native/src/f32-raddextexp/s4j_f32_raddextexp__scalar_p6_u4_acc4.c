/* Pass 1 of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438):
 * sum of exp(x) as m * 2^e with per-accumulator extended exponents. Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* Four accumulators: four independent (m, e) dependency chains keep a superscalar core busy. */
double s4j_f32_raddextexp__scalar_p6_u4_acc4(size_t n, const float* x, float* e_out) {
  double m[4] = {0.0, 0.0, 0.0, 0.0};
  float e[4] = {S4J_E_INIT, S4J_E_INIT, S4J_E_INIT, S4J_E_INIT};
  for (; n >= 4; n -= 4, x += 4) {
    for (int j = 0; j < 4; j++) {
      float nj;
      const float pj = s4j_scalar_exp_pn(x[j], &nj);
      s4j_scalar_accumulate(&m[j], &e[j], pj, nj);
    }
  }
  for (; n != 0; n--, x++) {
    float n0;
    const float p0 = s4j_scalar_exp_pn(*x, &n0);
    s4j_scalar_accumulate(&m[0], &e[0], p0, n0);
  }
  /* Combine the accumulators: E = max e; the sum of m*2^(e - E) (exact power-of-two scaling). */
  float emax = e[0];
  for (int j = 1; j < 4; j++) {
    emax = (e[j] > emax) ? e[j] : emax;
  }
  double sum = 0.0;
  for (int j = 0; j < 4; j++) {
    sum += m[j] * (double)s4j_scalar_exp2(e[j] - emax);
  }
  *e_out = emax;
  return sum;
}
