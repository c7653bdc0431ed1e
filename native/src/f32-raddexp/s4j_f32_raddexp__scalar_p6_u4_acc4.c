/* Pass 2 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438): sum of p * 2^(n - E), E = rint(max * LOG2E) >= every n.
 * Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* Four double accumulators (independent add chains; double, not fp32, because a scalar
 * accumulator adds 1024 terms per block: see s4j_scalar_accumulate). */
double s4j_f32_raddexp__scalar_p6_u4_acc4(size_t n, const float* x, float e_max) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  for (; n >= 4; n -= 4, x += 4) {
    for (int j = 0; j < 4; j++) {
      float nj;
      const float pj = s4j_scalar_exp_pn(x[j], &nj);
      /* exp(x - max) up to the factor 2^(E - max*LOG2E): p * 2^(n - E), an exact scaling. */
      acc[j] += (double)(pj * s4j_scalar_exp2(nj - e_max));
    }
  }
  for (; n != 0; n--, x++) {
    float n0;
    const float p0 = s4j_scalar_exp_pn(*x, &n0);
    acc[0] += (double)(p0 * s4j_scalar_exp2(n0 - e_max));
  }
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}
