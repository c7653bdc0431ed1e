/* Pass 2 of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438):
 * y = exp(x) / (M * 2^E) computed as (p * inv) * 2^(n - E). Portable C. */
#include "kernels.h"
#include "s4j_scalar.h"

/* u64: chunks of 64 through a local buffer (vectorized map; in place stays vectorized). */
void s4j_f32_vscaleextexp__scalar_p6_u64(size_t n, const float* x, float* y, float inv, float e) {
  float buf[S4J_SCALAR_CHUNK];
  while (n != 0) {
    const size_t c = n < S4J_SCALAR_CHUNK ? n : S4J_SCALAR_CHUNK;
    s4j_scalar_vscaleexp_chunk(c, x, inv, e, buf);
    memcpy(y, buf, c * sizeof(float));
    x += c;
    y += c;
    n -= c;
  }
}
