/*
 * Include shim for the x86 kernel files: the real <immintrin.h>, or SIMDe's portable emulation when
 * S4J_SIMDE is defined (only the emulated AVX-512 test build does that, to run the AVX-512 kernels
 * on a CPU without AVX-512).
 */
#ifndef S4J_INTRIN_H
#define S4J_INTRIN_H

#if defined(S4J_SIMDE)
#ifndef SIMDE_ENABLE_NATIVE_ALIASES
#define SIMDE_ENABLE_NATIVE_ALIASES
#endif
#include <math.h>
#include <simde/x86/avx512.h>
#include <string.h>

/* SIMDe 0.7.4 (Debian 12) lacks these AVX-512F intrinsics; lane-by-lane stand-ins (test builds
 * only). The masked ones touch only the enabled lanes, as the hardware does, so the guard-page test
 * still proves the kernels never address memory past n. */
#ifndef _mm512_mask_loadu_ps
static inline simde__m512 s4j_simde_mask_loadu_ps(simde__m512 src, simde__mmask16 k, const void* p) {
  float lanes[16];
  simde_mm512_storeu_ps(lanes, src);
  for (int i = 0; i < 16; i++) {
    if ((k >> i) & 1) memcpy(&lanes[i], (const float*)p + i, sizeof(float));
  }
  return simde_mm512_loadu_ps(lanes);
}
#define _mm512_mask_loadu_ps(src, k, p) s4j_simde_mask_loadu_ps(src, k, p)
#endif
#ifndef _mm512_maskz_loadu_ps
#define _mm512_maskz_loadu_ps(k, p) s4j_simde_mask_loadu_ps(simde_mm512_setzero_ps(), k, p)
#endif
#ifndef _mm512_mask_storeu_ps
static inline void s4j_simde_mask_storeu_ps(void* p, simde__mmask16 k, simde__m512 v) {
  float lanes[16];
  simde_mm512_storeu_ps(lanes, v);
  for (int i = 0; i < 16; i++) {
    if ((k >> i) & 1) memcpy((float*)p + i, &lanes[i], sizeof(float));
  }
}
#define _mm512_mask_storeu_ps(p, k, v) s4j_simde_mask_storeu_ps(p, k, v)
#endif
#ifndef _mm512_cvtps_pd
static inline simde__m512d s4j_simde_cvtps_pd(simde__m256 v) {
  float f[8];
  double d[8];
  simde_mm256_storeu_ps(f, v);
  for (int i = 0; i < 8; i++) d[i] = (double)f[i];
  return simde_mm512_loadu_pd(d);
}
#define _mm512_cvtps_pd(v) s4j_simde_cvtps_pd(v)
#endif
#ifndef _mm512_cvtpd_ps
static inline simde__m256 s4j_simde_cvtpd_ps(simde__m512d v) {
  double d[8];
  float f[8];
  simde_mm512_storeu_pd(d, v);
  for (int i = 0; i < 8; i++) f[i] = (float)d[i];
  return simde_mm256_loadu_ps(f);
}
#define _mm512_cvtpd_ps(v) s4j_simde_cvtpd_ps(v)
#endif
/* SIMDe 0.7.4 scales by exp2f(floor(b)), which overflows for |b| > 127 where vscalefps is exact (the f32
 * kernels scale by up to 2^247 in two steps that meet in range): an exact lane-wise ldexpf instead. */
#undef _mm512_scalef_ps
static inline simde__m512 s4j_simde_scalef_ps(simde__m512 a, simde__m512 b) {
  float va[16], vb[16];
  simde_mm512_storeu_ps(va, a);
  simde_mm512_storeu_ps(vb, b);
  for (int i = 0; i < 16; i++) {
    const float f = floorf(vb[i]);
    if (f != f) {
      va[i] = f; /* NaN */
    } else {
      va[i] = ldexpf(va[i], f > 1000.0f ? 1000 : f < -1000.0f ? -1000 : (int)f);
    }
  }
  return simde_mm512_loadu_ps(va);
}
#define _mm512_scalef_ps(a, b) s4j_simde_scalef_ps(a, b)
#ifndef _mm512_stream_ps
#define _mm512_stream_ps(p, v) simde_mm512_storeu_ps(p, v) /* the same values; no cache hint */
#endif
#ifndef _mm512_mask_loadu_pd
static inline simde__m512d s4j_simde_mask_loadu_pd(simde__m512d src, simde__mmask8 k, const void* p) {
  double lanes[8];
  simde_mm512_storeu_pd(lanes, src);
  for (int i = 0; i < 8; i++) {
    if ((k >> i) & 1) memcpy(&lanes[i], (const double*)p + i, sizeof(double));
  }
  return simde_mm512_loadu_pd(lanes);
}
#define _mm512_mask_loadu_pd(src, k, p) s4j_simde_mask_loadu_pd(src, k, p)
#endif
#ifndef _mm512_maskz_loadu_pd
#define _mm512_maskz_loadu_pd(k, p) s4j_simde_mask_loadu_pd(simde_mm512_setzero_pd(), k, p)
#endif
#ifndef _mm512_mask_storeu_pd
static inline void s4j_simde_mask_storeu_pd(void* p, simde__mmask8 k, simde__m512d v) {
  double lanes[8];
  simde_mm512_storeu_pd(lanes, v);
  for (int i = 0; i < 8; i++) {
    if ((k >> i) & 1) memcpy((double*)p + i, &lanes[i], sizeof(double));
  }
}
#define _mm512_mask_storeu_pd(p, k, v) s4j_simde_mask_storeu_pd(p, k, v)
#endif
#elif defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#include <immintrin.h>
#endif

/* Kernel bodies take compile-time flags (scaled or not): force inlining so that each flag value
 * gets its own specialized loop. */
#if defined(_MSC_VER) && !defined(__clang__)
#define S4J_INLINE static __forceinline
#define S4J_NOINLINE __declspec(noinline)
#else
#define S4J_INLINE static inline __attribute__((always_inline))
#define S4J_NOINLINE __attribute__((noinline))
#endif

#endif /* S4J_INTRIN_H */
