/* Pass 2 of log-softmax: y = x * s + c with c = -logsumexp(s*x), one rounding (FMA). AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* u64: 4 vectors per iteration; all loads of an iteration precede its stores (in place). */
void s4j_f32_vmuladdc__avx512f_u64(size_t n, const float* x, float* y, float s, float c) {
  const __m512 vs = _mm512_set1_ps(s);
  const __m512 vc = _mm512_set1_ps(c);
  for (; n >= 64; n -= 64, x += 64, y += 64) {
    const __m512 vy0 = _mm512_fmadd_ps(_mm512_loadu_ps(x), vs, vc);
    const __m512 vy1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + 16), vs, vc);
    const __m512 vy2 = _mm512_fmadd_ps(_mm512_loadu_ps(x + 32), vs, vc);
    const __m512 vy3 = _mm512_fmadd_ps(_mm512_loadu_ps(x + 48), vs, vc);
    _mm512_storeu_ps(y, vy0);
    _mm512_storeu_ps(y + 16, vy1);
    _mm512_storeu_ps(y + 32, vy2);
    _mm512_storeu_ps(y + 48, vy3);
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    _mm512_storeu_ps(y, _mm512_fmadd_ps(_mm512_loadu_ps(x), vs, vc));
  }
  if (n != 0) {
    const __mmask16 vmask = s4j_avx512_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, _mm512_fmadd_ps(_mm512_maskz_loadu_ps(vmask, x), vs, vc));
  }
}
