/* Pass 2 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438): z = p * 2^(n - E) stored into y and summed. Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* u64: chunks of 64: a vectorized map into a local buffer, copied to y, four double accumulators. */
double s4j_f32_raddstoreexp__scalar_p6_u64_acc4(size_t n, const float* x, float* y, float s, float e_max) {
  float z[S4J_SCALAR_CHUNK];
  double sum = 0.0;
  while (n != 0) {
    const size_t c = n < S4J_SCALAR_CHUNK ? n : S4J_SCALAR_CHUNK;
    s4j_scalar_expscaled_chunk(c, x, s, e_max, z);
    memcpy(y, z, c * sizeof(float));
    sum += s4j_scalar_sum_chunk(c, z);
    x += c;
    y += c;
    n -= c;
  }
  return sum;
}
