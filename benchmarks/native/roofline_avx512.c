#include <immintrin.h>

#include "roofline.h"

float s4j_bench_read_sum_avx512(const float* x, size_t n) {
  /* Same shape as the AVX2 version with 512-bit loads: 8 accumulators x 16 lanes = 128 floats per step. */
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(),
         a3 = _mm512_setzero_ps(), a4 = _mm512_setzero_ps(), a5 = _mm512_setzero_ps(),
         a6 = _mm512_setzero_ps(), a7 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    a0 = _mm512_add_ps(a0, _mm512_loadu_ps(x + i));
    a1 = _mm512_add_ps(a1, _mm512_loadu_ps(x + i + 16));
    a2 = _mm512_add_ps(a2, _mm512_loadu_ps(x + i + 32));
    a3 = _mm512_add_ps(a3, _mm512_loadu_ps(x + i + 48));
    a4 = _mm512_add_ps(a4, _mm512_loadu_ps(x + i + 64));
    a5 = _mm512_add_ps(a5, _mm512_loadu_ps(x + i + 80));
    a6 = _mm512_add_ps(a6, _mm512_loadu_ps(x + i + 96));
    a7 = _mm512_add_ps(a7, _mm512_loadu_ps(x + i + 112));
  }
  for (; i + 16 <= n; i += 16) {
    a0 = _mm512_add_ps(a0, _mm512_loadu_ps(x + i));
  }
  a0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                     _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  float s = _mm512_reduce_add_ps(a0);
  for (; i < n; i++) {
    s += x[i];
  }
  return s;
}
