/* Pass 2 of log-softmax: y = x * s + c with c = -logsumexp(s*x), one rounding (FMA). AVX2 + FMA. */
#include "kernels.h"
#include "s4j_avx2.h"

/* u32: a load-FMA-store stream like vscale; all loads of an iteration precede its stores (in place). */
void s4j_f32_vmuladdc__avx2_u32(size_t n, const float* x, float* y, float s, float c) {
  const __m256 vs = _mm256_set1_ps(s);
  const __m256 vc = _mm256_set1_ps(c);
  for (; n >= 32; n -= 32, x += 32, y += 32) {
    const __m256 vy0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), vs, vc);
    const __m256 vy1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), vs, vc);
    const __m256 vy2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 16), vs, vc);
    const __m256 vy3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 24), vs, vc);
    _mm256_storeu_ps(y, vy0);
    _mm256_storeu_ps(y + 8, vy1);
    _mm256_storeu_ps(y + 16, vy2);
    _mm256_storeu_ps(y + 24, vy3);
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    _mm256_storeu_ps(y, _mm256_fmadd_ps(_mm256_loadu_ps(x), vs, vc));
  }
  if (n != 0) {
    const __m256i vmask = s4j_avx2_tail_mask(n);
    _mm256_maskstore_ps(y, vmask, _mm256_fmadd_ps(_mm256_maskload_ps(x, vmask), vs, vc));
  }
}
