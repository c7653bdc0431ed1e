/* Pass 3 of the three-pass (recompute) baseline of The Two-Pass Softmax Algorithm (Dukhan &
 * Ablavatski, 2020, arXiv:2001.04438), with exact power-of-two scaling instead of x - max:
 * y = exp(s*x - max) / S computed as (p * inv) * 2^(n - E), E = rint(max * LOG2E). Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* u64: chunks of 64 through a local buffer (vectorized map; in place stays vectorized). */
void s4j_f32_vscaleexp__scalar_p6_u64(size_t n, const float* x, float* y, float s, float inv, float e_max) {
  float buf[S4J_SCALAR_CHUNK];
  while (n != 0) {
    const size_t c = n < S4J_SCALAR_CHUNK ? n : S4J_SCALAR_CHUNK;
    s4j_scalar_vscaleexp_chunk(c, x, s, inv, e_max, buf);
    memcpy(y, buf, c * sizeof(float));
    x += c;
    y += c;
    n -= c;
  }
}
