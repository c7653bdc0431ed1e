/* Pass 2 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438): z = p * 2^(n - E) stored into y and summed. Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* Four double accumulators (independent add chains; double, not fp32, because a scalar
 * accumulator adds 1024 terms per block: see s4j_scalar_accumulate). */
double s4j_f32_raddstoreexp__scalar_p6_u4_acc4(size_t n, const float* x, float* y, float e_max) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  for (; n >= 4; n -= 4, x += 4, y += 4) {
    float z[4];
    for (int j = 0; j < 4; j++) {
      float nj;
      const float pj = s4j_scalar_exp_pn(x[j], &nj);
      /* z = p * 2^(n - E): exp(x) relative to 2^E, an exact scaling. */
      z[j] = pj * s4j_scalar_exp2(nj - e_max);
      acc[j] += (double)z[j];
    }
    for (int j = 0; j < 4; j++) {
      y[j] = z[j];
    }
  }
  for (; n != 0; n--, x++, y++) {
    float n0;
    const float p0 = s4j_scalar_exp_pn(*x, &n0);
    const float z0 = p0 * s4j_scalar_exp2(n0 - e_max);
    acc[0] += (double)z0;
    *y = z0;
  }
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}
