/* Pass 3 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), with exact power-of-two scaling instead of x - max:
 * y = (p * inv) * 2^(n - E). Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* u4: four independent elements per iteration. */
void s4j_f32_vscaleexp__scalar_p6_u4(size_t n, const float* x, float* y, float inv, float e_max) {
  for (; n >= 4; n -= 4, x += 4, y += 4) {
    float v[4];
    for (int j = 0; j < 4; j++) {
      float nj;
      const float pj = s4j_scalar_exp_pn(x[j], &nj);
      /* (p * inv) rounds once; the scaling by 2^(n - E) <= 1 is exact unless the output is subnormal. */
      v[j] = (pj * inv) * s4j_scalar_exp2(nj - e_max);
    }
    for (int j = 0; j < 4; j++) {
      y[j] = v[j];
    }
  }
  for (; n != 0; n--, x++, y++) {
    float n0;
    const float p0 = s4j_scalar_exp_pn(*x, &n0);
    *y = (p0 * inv) * s4j_scalar_exp2(n0 - e_max);
  }
}
