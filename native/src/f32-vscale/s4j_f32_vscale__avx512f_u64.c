/* Pass 3 of the three-pass (reload) baseline of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski,
 * 2020, arXiv:2001.04438): y = z * inv in place. AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* u64: 4 vectors per iteration (a pure load-multiply-store stream). */
void s4j_f32_vscale__avx512f_u64(size_t n, float* y, float inv) {
  const __m512 vinv = _mm512_set1_ps(inv);
  for (; n >= 64; n -= 64, y += 64) {
    const __m512 vy0 = _mm512_mul_ps(_mm512_loadu_ps(y), vinv);
    const __m512 vy1 = _mm512_mul_ps(_mm512_loadu_ps(y + 16), vinv);
    const __m512 vy2 = _mm512_mul_ps(_mm512_loadu_ps(y + 32), vinv);
    const __m512 vy3 = _mm512_mul_ps(_mm512_loadu_ps(y + 48), vinv);
    _mm512_storeu_ps(y, vy0);
    _mm512_storeu_ps(y + 16, vy1);
    _mm512_storeu_ps(y + 32, vy2);
    _mm512_storeu_ps(y + 48, vy3);
  }
  for (; n >= 16; n -= 16, y += 16) {
    _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_loadu_ps(y), vinv));
  }
  if (n != 0) {
    const __mmask16 vmask = s4j_avx512_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, _mm512_mul_ps(_mm512_maskz_loadu_ps(vmask, y), vinv));
  }
}
