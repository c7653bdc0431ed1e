#include <immintrin.h>

#include "roofline.h"

float s4j_bench_read_sum_avx2(const float* x, size_t n) {
  /* 8 accumulators x 8 lanes = 64 floats (256 bytes) per iteration: with 3-4 cycle add latency and two
   * loads per cycle, 8 chains keep the load ports busy even in L1. */
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
         a3 = _mm256_setzero_ps(), a4 = _mm256_setzero_ps(), a5 = _mm256_setzero_ps(),
         a6 = _mm256_setzero_ps(), a7 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + i + 24));
    a4 = _mm256_add_ps(a4, _mm256_loadu_ps(x + i + 32));
    a5 = _mm256_add_ps(a5, _mm256_loadu_ps(x + i + 40));
    a6 = _mm256_add_ps(a6, _mm256_loadu_ps(x + i + 48));
    a7 = _mm256_add_ps(a7, _mm256_loadu_ps(x + i + 56));
  }
  for (; i + 8 <= n; i += 8) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
  }
  a0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                     _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(a0), _mm256_extractf128_ps(a0, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  float s = _mm_cvtss_f32(h);
  for (; i < n; i++) {
    s += x[i];
  }
  return s;
}
