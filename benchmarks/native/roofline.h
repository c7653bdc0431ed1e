/*
 * Bandwidth yardsticks for the native benchmark: a read-only sum of n floats, as fast as the widest vector
 * tier this CPU has can stream them. Each ISA version lives in its own file so that only that file gets the
 * ISA's compiler flags (the harness itself runs on any x86-64, like the library's dispatcher).
 */
#ifndef S4J_BENCH_ROOFLINE_H
#define S4J_BENCH_ROOFLINE_H

#include <stddef.h>

/* Plain C with 8 independent accumulators (no -ffast-math, so the compiler keeps them scalar or SSE). */
float s4j_bench_read_sum_portable(const float* x, size_t n);

#if defined(S4J_BENCH_X86)
/* AVX (256-bit loads, 8 accumulators of 8 lanes: enough loads in flight to saturate any cache level). */
float s4j_bench_read_sum_avx2(const float* x, size_t n);
/* AVX-512F (512-bit loads, 8 accumulators of 16 lanes). */
float s4j_bench_read_sum_avx512(const float* x, size_t n);
#endif

#endif
