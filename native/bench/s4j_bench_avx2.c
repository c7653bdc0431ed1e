/* Bandwidth roofline helper for s4j_bench: a read-only AVX2 sum (compiled with the AVX2 tier flags;
 * called only when the CPU has AVX2). */
#include <stddef.h>

#include "s4j_intrin.h"

float s4j_bench_sum_avx2(const float* x, size_t n);

/* 4 accumulators, 32 floats per iteration: as many loads per cycle as the core can issue. */
float s4j_bench_sum_avx2(const float* x, size_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + i + 24));
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  float s = 0.0f;
  for (int j = 0; j < 8; j++) s += lanes[j];
  for (; i < n; i++) s += x[i];
  return s;
}
