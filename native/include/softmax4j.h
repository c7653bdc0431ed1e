/*
 * softmax4j: the small plain-C ABI that the Java binding (JavaCPP) calls.
 *
 * y[i] = exp(x[i]) / sum_j exp(x[j]) for i in [0, n), in single precision, computed with
 * The Two-Pass Softmax Algorithm (M. Dukhan, A. Ablavatski, 2020, arXiv:2001.04438) or one of
 * the paper's three-pass baselines.
 *
 * Every entry point takes the ISA tier explicitly: the caller (Java) makes the one decision
 * and tests can call every tier the CPU has. Nothing here validates pointers or lengths
 * beyond what is documented (negative offsets, lengths and strides, bad tiers, ops, algorithms and flags,
 * and NULL memory where there is something to compute give S4J_EINVAL; memory too short for the lengths
 * cannot be seen): the Java facade checks every argument before calling.
 *
 * Semantics (as PyTorch / ONNX): any NaN -> all outputs NaN; any +Inf -> all NaN; -Inf -> 0;
 * all -Inf -> all NaN; n == 0 -> no-op; huge finite inputs are exact (an exact double-precision
 * path takes over when the fast path's range, |x| <= 65536, is exceeded). x == y (in place) is
 * supported; partial overlap is not.
 */
#ifndef SOFTMAX4J_H
#define SOFTMAX4J_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* On Windows the entries below are exported by every DLL this library is linked into, the JNI library too: a
 * DLL that names any export exports nothing else, and FFM downcalls (JDK 22+: memory segments, direct buffers)
 * look the entries up by name (they found none, and fell back to copies). Symbols are visible by default
 * elsewhere. S4J_BUILDING_LIBRARY: set by CMake for the library's own objects only. */
#if defined(_WIN32) && defined(S4J_BUILDING_LIBRARY)
#define S4J_API __declspec(dllexport)
#else
#define S4J_API
#endif

/* ISA tiers. A tier is usable when it was compiled in and the CPU and OS support it. */
#define S4J_ISA_PORTABLE 0 /* plain C, any CPU */
#define S4J_ISA_AVX2 1     /* x86-64 AVX2 + FMA, OS-enabled YMM state */
#define S4J_ISA_AVX512 2   /* x86-64 AVX-512F + AVX-512DQ, OS-enabled opmask/ZMM state */
#define S4J_ISA_NEON 3     /* AArch64 Advanced SIMD (baseline on every arm64 CPU) */
#define S4J_ISA_COUNT 4

/* Algorithms; the numbering matches the Java enum Algorithm's ordinal. */
#define S4J_ALGO_AUTO 0                 /* per size: three-pass reload in cache, two-pass out of it */
#define S4J_ALGO_TWO_PASS 1             /* the paper's two-pass (extended-exponent sum) */
#define S4J_ALGO_THREE_PASS_RECOMPUTE 2 /* max; sum of exp; exp recomputed and scaled */
#define S4J_ALGO_THREE_PASS_RELOAD 3    /* max; exp stored in y and summed; y scaled */
#define S4J_ALGO_COUNT 4

/* Return codes. */
#define S4J_OK 0
#define S4J_EINVAL (-1)  /* unknown ISA or algorithm, or a negative length/offset */
#define S4J_ENOTSUP (-2) /* the ISA tier is not compiled in or not supported by this CPU/OS */

/* CPU feature bits reported by s4j_cpu_features() (for diagnostics). */
#define S4J_CPU_AVX 0x1
#define S4J_CPU_AVX2 0x2
#define S4J_CPU_FMA 0x4
#define S4J_CPU_AVX512F 0x8
#define S4J_CPU_OS_YMM 0x10 /* XCR0: SSE and AVX state enabled by the OS */
#define S4J_CPU_OS_ZMM 0x20 /* XCR0: opmask, ZMM_Hi256 and Hi16_ZMM state enabled by the OS */
#define S4J_CPU_AVX512DQ 0x40
#define S4J_CPU_NEON 0x80 /* AArch64 Advanced SIMD (Linux: HWCAP_ASIMD; baseline elsewhere) */
/* The features a tier needs (s4j_isa_supported; the tier registry, src/s4j_tiers.inc). */
#define S4J_CPU_NEEDS_AVX2 (S4J_CPU_AVX | S4J_CPU_AVX2 | S4J_CPU_FMA | S4J_CPU_OS_YMM)
#define S4J_CPU_NEEDS_AVX512 (S4J_CPU_NEEDS_AVX2 | S4J_CPU_AVX512F | S4J_CPU_AVX512DQ | S4J_CPU_OS_ZMM)

/* Feature bits of this CPU (x86: cpuid + xgetbv; arm64: the OS's hardware capabilities). Probed once, cached. */
S4J_API int s4j_cpu_features(void);

/* The software prefetch distance of the streaming kernels, in floats ahead, or 0 when they leave it to the
 * hardware prefetcher: 4096 by default, 0 on AMD CPUs (measured faster there; README "Results"). The
 * environment variable SOFTMAX4J_PREFETCH (a number of floats, 0 = off, at most 1048576) overrides the choice
 * when the library first probes the CPU. For benchmarks and diagnostics. */
S4J_API int64_t s4j_cpu_prefetch_floats(void);

/* 1 when pass 2 of two-pass (and log-softmax) writes outputs of 2^22 elements or more with non-temporal stores,
 * 0 when it writes through the cache: 1 by default, 0 on AMD CPUs from family 1Ah (Zen 5) on (measured faster
 * there, and slower on a Zen 4; README "Results").
 * SOFTMAX4J_NT_STORES=0 or 1 overrides the choice when the library first probes the CPU. */
S4J_API int s4j_cpu_nt_stores(void);

/* Best ISA tier that is compiled in and that this CPU and OS can run. */
S4J_API int s4j_cpu_max_isa(void);

/* 1 when the tier is compiled into this library and runnable here, else 0. */
S4J_API int s4j_isa_supported(int isa);

/* The tier's name ("portable", "avx2", "avx512", "neon"), compiled in or not; NULL for a number that is no tier. */
S4J_API const char* s4j_isa_name(int isa);

/* The algorithm AUTO resolves to for this tier and length (never S4J_ALGO_AUTO); s4j_f64_auto_algorithm for
 * double precision (s4j_f64_rows_at), whose crossover is its own. */
S4J_API int s4j_auto_algorithm(int isa, int64_t n);
S4J_API int s4j_f64_auto_algorithm(int isa, int64_t n);

/* Operations of s4j_f32_rows_at (the numbering matches the Java internal enum Op). */
#define S4J_OP_SOFTMAX 0     /* y = exp(s*x) / sum exp(s*x) */
#define S4J_OP_LOG_SOFTMAX 1 /* y = s*x - logsumexp(s*x): two passes, never log(softmax) */
#define S4J_OP_LOG_SUM_EXP 2 /* lse[r] = log(sum exp(s*x)): one pass, y is not touched */
#define S4J_OP_COUNT 3

/* Flags of s4j_f32_rows_at. */
#define S4J_FLAG_SAFE 1 /* a row whose every input is -Inf gives zeros (softmax) or -Inf (log-softmax)
                         * instead of NaN, as PyTorch's _safe_softmax for fully masked attention rows */
#define S4J_FLAG_LSE 2  /* also write each row's logsumexp(s*x) into lse[] (always for LOG_SUM_EXP) */

/* Softmax of x[0..n) into y[0..n). Returns S4J_OK or a negative S4J_E* code. */
S4J_API int s4j_softmax_f32(int isa, int algorithm, const float* x, float* y, int64_t n);

/* Same, at element offsets: reads x[x_offset .. x_offset+n), writes y[y_offset .. y_offset+n).
 * This is the form the Java binding uses for pinned arrays and direct buffers. */
S4J_API int s4j_softmax_f32_at(int isa, int algorithm, const float* x, int64_t x_offset, float* y,
                               int64_t y_offset, int64_t n);

/* The general entry: `op` over each of `rows` rows of `cols` elements; row r reads
 * x[x_offset + r*x_stride ...+cols), writes y[y_offset + r*y_stride ...+cols) (not for LOG_SUM_EXP; strides
 * >= 0, of any value for one row, which does not use them) and,
 * with S4J_FLAG_LSE or for LOG_SUM_EXP, lse[lse_offset + r] (in double, before rounding: a loss
 * computed from it keeps full float accuracy). The scale s multiplies every input first (s = 1/T, the
 * temperature; 1 for none) and must be positive and finite; s*x is taken exactly. algorithm applies to
 * S4J_OP_SOFTMAX (log-softmax and logsumexp always use the two-pass sum). Rows may be in place (same
 * memory, offset and stride) and must not otherwise overlap (nor may y's rows overlap each other): the steps
 * of several rows are interleaved, so overlapping rows give undefined results. Special values as
 * s4j_softmax_f32_at; logsumexp gives NaN for any NaN, +Inf for any +Inf (and no NaN), -Inf when every input is -Inf.
 * Log-softmax gives NaN for rows with a NaN or +Inf, and -Inf at -Inf inputs. */
S4J_API int s4j_f32_rows_at(int isa, int op, int algorithm, int flags, float s, const float* x,
                            int64_t x_offset, int64_t x_stride, float* y, int64_t y_offset, int64_t y_stride,
                            int64_t rows, int64_t cols, double* lse, int64_t lse_offset);

/* Softmax with its argmax fused (greedy decoding with the probabilities): as s4j_f32_rows_at with op
 * S4J_OP_SOFTMAX (flags: S4J_FLAG_SAFE only), and index[index_offset + r] = the index (relative to the row's
 * start) of the first largest output of row r, or -1 when the row's outputs are NaN (a NaN or +Inf input,
 * every input -Inf without S4J_FLAG_SAFE) or cols == 0. The final pass's kernels return each chunk's largest
 * output and one chunk is searched at the end: no extra pass over memory (two-pass then writes y through the
 * cache, without the non-temporal stores it uses from 4M elements on). Two inputs a few ULP apart can round
 * to the same probability; the lower index wins then, as for any tie. */
S4J_API int s4j_f32_softmax_argmax_rows_at(int isa, int algorithm, int flags, float s, const float* x, int64_t x_offset,
                                           int64_t x_stride, float* y, int64_t y_offset, int64_t y_stride, int64_t rows,
                                           int64_t cols, int64_t* index, int64_t index_offset);

/* Split two-pass, for callers that run pass 1 and pass 2 of one long vector on several threads:
 * s4j_f32_sumexp_at writes the extended sum sum exp(s*x) = me[0] * 2^me[1] of x[x_offset ..+n), or
 * me[0] = NaN when this range needs the exact path (a NaN or +Inf input, |s*x| too large, s out of the
 * fast range); the caller merges the parts by the max rule (docs/NUMERICS.md), checks the merged pair
 * against the fast-path range and otherwise runs s4j_f32_rows_at on the whole vector. */
S4J_API int s4j_f32_sumexp_at(int isa, float s, const float* x, int64_t x_offset, int64_t n, double* me);

/* Pass 2 for the merged sum m * 2^e (e an integer, as s4j_f32_sumexp_at gives it): softmax or log-softmax of x[x_offset ..+n) into y. */
S4J_API int s4j_f32_finish_at(int isa, int op, float s, const float* x, int64_t x_offset, float* y,
                              int64_t y_offset, int64_t n, double m, double e);

/* Sampling support (the Java Sampler). s4j_f32_argmax_at: *index = the index (relative to x_offset) of the
 * first largest of x[x_offset ..+n), n >= 1, or -1 - i when x[x_offset + i] is the first NaN (every element
 * -Inf gives 0). s4j_f32_select_at: the indices i (relative, ascending) with t <= x[x_offset + i] <= u or NaN
 * (u = +Inf: no upper bound), at most cap of them stored into idx and, when val is not NULL, their elements
 * into val (room for cap too), their total count into *count (n < 2^31; t and u not NaN). Entries past the
 * count, below cap, may be overwritten. s4j_f32_binexp_at: the weights of the sampler's flat nucleus,
 * w[i] = exp(((double) x[x_offset + i] - top) * s) in double (within 2^-42 relative; 0 or within DBL_MIN below
 * the normal range), each added into bins[min(fl(fl(top - x) * inv), nbins - 1)] in float arithmetic (inv
 * rounded to float; an x above top into bins[0]; bins are added to, not zeroed), their sum into *total (n < 2^31;
 * top finite; s > 0 finite; 0 <= nbins <= 2^24; nbins = 0: the weights alone, bins and inv not used, else
 * (float) inv > 0 finite).
 * s4j_f32_walk_at: the draw of that nucleus: *index = the first i (relative) where the weights w[i] of the
 * x[x_offset + i] >= xc (the survivors) among [0, i] pass target (sum > target), *before = the survivors'
 * weight before it; *index = n and *before = their whole weight when none does (xc, target not NaN). */
S4J_API int s4j_f32_argmax_at(int isa, const float* x, int64_t x_offset, int64_t n, int64_t* index);

S4J_API int s4j_f32_select_at(int isa, const float* x, int64_t x_offset, int64_t n, float t, float u, int32_t* idx,
                              float* val, int64_t cap, int64_t* count);

S4J_API int s4j_f32_binexp_at(int isa, const float* x, int64_t x_offset, int64_t n, float top, float s, double inv,
                              double* w, double* bins, int64_t nbins, double* total);

S4J_API int s4j_f32_walk_at(int isa, const float* x, int64_t x_offset, const double* w, int64_t n, float xc,
                            double target, int64_t* index, double* before);

/* ---------------------------------------------------------------------------------------------
 * Double precision: the same rows entry as s4j_f32_rows_at (ops, flags, rows, strides, lse, return
 * codes), over doubles (docs/NUMERICS.md, "Double precision").
 *
 * Every op computes on z[i] = x[i] * scale taken as the exact real product (never rounded, never
 * overflowing), so the result is that of those real numbers: scale = 1/T is a temperature applied at
 * no accuracy cost. Unlike the f32 entry any scale is accepted: scale == 1 runs a variant without the
 * product; a negative or zero scale is the real product too; a non-finite scale gives the IEEE products
 * (0 * Inf = NaN, x * Inf = +-Inf) and the rules below.
 *
 * Softmax: any NaN z -> all NaN; any +Inf z -> all NaN; -Inf -> 0; all -Inf -> all NaN, or all 0
 * with S4J_FLAG_SAFE. Each output >= DBL_MIN is within 4 ULP of the exact value, smaller ones
 * within DBL_MIN absolute. AUTO: three-pass reload up to a per-tier crossover, two-pass beyond.
 * Log-softmax: y = z - logsumexp(z) (two passes: the log-sum-exp pass, then one FMA per element with
 * the log-sum-exp kept as two doubles), within 2^-52 * |y| + 2^-50 absolute; any NaN or +Inf z -> all
 * NaN; -Inf -> -Inf; all -Inf -> all NaN, or all -Inf with S4J_FLAG_SAFE.
 * Log-sum-exp: lse[r] = log(sum exp z); any NaN -> NaN; else any +Inf -> +Inf; all -Inf or
 * cols == 0 -> -Inf. Within 4 ULP when |lse| >= 1, else within 4 * 2^-52 absolute. One pass over x.
 * S4J_FLAG_LSE gives softmax and log-softmax rows their log-sum-exp too, at no extra pass.
 * ------------------------------------------------------------------------------------------- */
S4J_API int s4j_f64_rows_at(int isa, int op, int algorithm, int flags, double scale, const double* x, int64_t x_offset,
                            int64_t x_stride, double* y, int64_t y_offset, int64_t y_stride, int64_t rows, int64_t cols,
                            double* lse, int64_t lse_offset);

#ifdef __cplusplus
}
#endif

#endif /* SOFTMAX4J_H */
