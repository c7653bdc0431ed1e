/*
 * AVX2 + FMA building blocks of the AVX2 kernels (docs/NUMERICS.md). Private header: include it only
 * from files compiled with the AVX2 tier flags (cmake/Softmax4jIsa.cmake). Everything is static, so
 * no code compiled with AVX2 can leak into the ISA-neutral files.
 */
#ifndef S4J_AVX2_H
#define S4J_AVX2_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"
#include "s4j_intrin.h"

/* p = exp(t) on [-ln2/2, ln2/2]: the degree-6 minimax polynomial by Horner with FMA. */
static inline __m256 s4j_avx2_poly(__m256 vt) {
  __m256 vp = _mm256_fmadd_ps(_mm256_set1_ps(S4J_C6), vt, _mm256_set1_ps(S4J_C5));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(S4J_C4));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(S4J_C3));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(S4J_C2));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(S4J_C1));
  return _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(1.0f));
}

/* exp(x) = p * 2^n; returns p, writes n. */
static inline __m256 s4j_avx2_exp_pn(__m256 vx, __m256* vn_out) {
  /* Clamp below at X_LO: max_ps returns its second operand when either is NaN, so NaN survives. */
  vx = _mm256_max_ps(_mm256_set1_ps(S4J_X_LO), vx);
  /* n = rint(x * log2(e)), round to nearest even. */
  const __m256 vn = _mm256_round_ps(_mm256_mul_ps(vx, _mm256_set1_ps(S4J_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  /* Cody-Waite range reduction t = x - n*ln2: the first FMA is exact for |x| <= 65536. */
  __m256 vt = _mm256_fmadd_ps(vn, _mm256_set1_ps(-S4J_LN2_HI), vx);
  vt = _mm256_fmadd_ps(vn, _mm256_set1_ps(-S4J_LN2_LO), vt);
  const __m256 vp = s4j_avx2_poly(vt);
  *vn_out = vn;
  return vp;
}

/* exp(s*x) = p * 2^n with the product s*x taken exactly (temperature, s = 1/T): returns p, writes n.
 * With scaled == 0 (a compile-time constant) it is s4j_avx2_exp_pn. Otherwise x is clamped at
 * vxlo = X_LO / s, hi = fl(s*x) picks n, lo = fma(x, s, -hi) is the product's rounding error (exact),
 * and t = (hi - n*ln2) + lo: the reduction of the exact product, so the fp32 rounding of s*x
 * (up to 2^-24*|s*x|, i.e. ~50 ULP of the output at |s*x| = 100) never reaches the result. */
S4J_INLINE __m256 s4j_avx2_exp_pn_s(__m256 vx, __m256 vs, __m256 vxlo, const int scaled, __m256* vn_out) {
  if (!scaled) return s4j_avx2_exp_pn(vx, vn_out);
  vx = _mm256_max_ps(vxlo, vx);
  const __m256 vhi = _mm256_mul_ps(vx, vs);
  const __m256 vlo = _mm256_fmsub_ps(vx, vs, vhi);
  const __m256 vn = _mm256_round_ps(_mm256_mul_ps(vhi, _mm256_set1_ps(S4J_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 vt = _mm256_fmadd_ps(vn, _mm256_set1_ps(-S4J_LN2_HI), vhi);
  vt = _mm256_add_ps(_mm256_fmadd_ps(vn, _mm256_set1_ps(-S4J_LN2_LO), vt), vlo);
  const __m256 vp = s4j_avx2_poly(vt);
  *vn_out = vn;
  return vp;
}

/* 2^max(k, -127) for integral k <= 127; k = -127 (and NaN, since max_ps then returns -127) gives +0.0. */
static inline __m256 s4j_avx2_exp2(__m256 vk) {
  vk = _mm256_max_ps(vk, _mm256_set1_ps(S4J_K_MIN));
  /* k + 127 lands in the low mantissa bits of k + EXP2_MAGIC; shift it into the exponent field. */
  const __m256 vbiased = _mm256_add_ps(vk, _mm256_set1_ps(S4J_EXP2_MAGIC));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(vbiased), 23));
}

/* Horizontal max of the 8 lanes (rmax reports NaN through its own flag, not through this max). */
static inline float s4j_avx2_hmax(__m256 v) {
  __m128 v4 = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  v4 = _mm_max_ps(v4, _mm_movehl_ps(v4, v4));
  v4 = _mm_max_ss(v4, _mm_movehdup_ps(v4));
  return _mm_cvtss_f32(v4);
}

/* Adds the 8 lanes of v to the double accumulators (lanes 0-3 into *vlo, 4-7 into *vhi), exactly. */
static inline void s4j_avx2_add_pd(__m256d* vlo, __m256d* vhi, __m256 v) {
  *vlo = _mm256_add_pd(*vlo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  *vhi = _mm256_add_pd(*vhi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

/* Sum of the lanes of two double accumulators. */
static inline double s4j_avx2_hsum2_pd(__m256d vlo, __m256d vhi) {
  const __m256d v4 = _mm256_add_pd(vlo, vhi);
  __m128d v2 = _mm_add_pd(_mm256_castpd256_pd128(v4), _mm256_extractf128_pd(v4, 1));
  v2 = _mm_add_sd(v2, _mm_unpackhi_pd(v2, v2));
  return _mm_cvtsd_f64(v2);
}

/* Tail masks: 8 - rem entries of -1 then 0s; loading from &table[8 - rem] enables the first rem lanes. */
static const int32_t s4j_avx2_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

static inline __m256i s4j_avx2_tail_mask(size_t rem) {
  return _mm256_loadu_si256((const __m256i*)&s4j_avx2_mask_table[8 - rem]);
}

/* Masked load of the first rem lanes (vmaskmovps suppresses faults on masked-out elements); the
 * other lanes read as -Inf, which the exp clamps to X_LO / s (adds nothing: 2^(n - e) underflows to
 * 0, whatever the scale s) and which never wins a max. */
static inline __m256 s4j_avx2_load_tail(const float* x, __m256i vmask) {
  return _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(x, vmask),
                          _mm256_castsi256_ps(vmask));
}

#endif /* S4J_AVX2_H */
