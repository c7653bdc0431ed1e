/* Softmax of a short row (1 <= n <= 8) in one call: the three-pass reload fused (max, E, the terms,
 * their sum in double, the scaling), as the vector tiers' vsoftmaxshort kernels. Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

int s4j_f32_vsoftmaxshort__scalar_p6_u8(size_t n, const float* x, float* y, float s) {
  float max = S4J_X_LO;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != x[i]) return 0; /* NaN: exact path */
    max = x[i] > max ? x[i] : max;
  }
  const float e = s4j_f32_exponent_of_max(max, s); /* as the driver computes E for the reload */
  if (!(e >= S4J_E_LO && e <= S4J_E_HI)) return 0; /* +Inf, all -Inf, beyond the fast range */
  float z[8];
  s4j_scalar_expscaled_chunk(n, x, s, e, z);
  const float inv = (float)(1.0 / s4j_scalar_sum_chunk(n, z));
  for (size_t i = 0; i < n; i++) y[i] = z[i] * inv;
  return 1;
}
