/*
 * The f32 per-ISA layer, AVX2 + FMA: 8 lanes, exp by an 8-entry table (one vpermps) and a degree-4
 * polynomial, 2^k built in the exponent field with a bias of 2^EXP_BIAS (docs/NUMERICS.md, "exp").
 * Include it only through s4j_f32_simd.h from files compiled with the AVX2 tier flags.
 */
#ifndef S4J_F32_AVX2_H
#define S4J_F32_AVX2_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"
#include "s4j_intrin.h"

#define S4J_ISA avx2
#define S4J_METHOD lut8_p4
#define S4J_U1 u8
#define S4J_U4 u32
#define S4J_VLEN 8
#define S4J_EXP_SCALED 1
#define S4J_EXP_FOLD 2
#define S4J_EXP_LO 4
/* rows whose terms only meet their own sum: the cancelling table (s4j_f32_simd.h, S4J_CANCEL_LO) */
#define S4J_CANCEL_C S4J_CANCEL_C8
/* This tier always computes 2^EXP_BIAS times the value (the exponent-field construction needs the room):
 * final results (vscaleexp) remove it with s4j_vunbias. */
#define S4J_EXP_FINAL_BIAS S4J_EXP_BIAS
/* E is always folded (into the rounding constant): no variant */
#define S4J_EXP_FOLDED(p) 0

typedef __m256 s4j_vf;
typedef __m256i s4j_vmask;

static inline s4j_vf s4j_vload(const float* p) { return _mm256_loadu_ps(p); }
static inline void s4j_vstore(float* p, s4j_vf v) { _mm256_storeu_ps(p, v); }
/* a macro: as a static inline function, gcc 12 -O3 dropped the prefetch (seen in the assembly) */
#define s4j_vprefetch(p) _mm_prefetch((const char*)(p), _MM_HINT_T0)
/* Keeps a loaded vector in a register (an empty asm that "changes" it): with 16 registers gcc folded the argmax's
 * loads into each of their two uses, twice the loads (s4j_f32_rselect.c). MSVC: nothing. */
#if defined(__GNUC__) && defined(__AVX2__) /* not under SIMDe (the emulated tests): no vector register */
#define s4j_vkeep(pv) __asm__("" : "+x"(*(pv)))
#else
#define s4j_vkeep(pv) ((void)(pv))
#endif
/* Non-temporal store (no read for ownership); p must be 32-byte aligned. */
static inline void s4j_vstream(float* p, s4j_vf v) { _mm256_stream_ps(p, v); }
static inline void s4j_vsfence(void) { _mm_sfence(); }
/* A bit per lane: v >= t or v is NaN (not-less-than, unordered); v == t. */
static inline uint32_t s4j_vmask_ge_or_nan(s4j_vf v, s4j_vf t) {
  return (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(v, t, _CMP_NLT_UQ));
}
static inline uint32_t s4j_vmask_eq(s4j_vf v, s4j_vf t) { return (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(v, t, _CMP_EQ_OQ)); }
/* NaN seen: lanes of unordered compares or-ed together (all-ones lanes, themselves NaN), tested once at the
 * end. The fast test (S4J_VNAN_FAST): the pairs' products summed by FMA (a NaN stays NaN through every FMA) on
 * Zen 4's FP0/FP1 pipes, while argmax's max operations take FP2/FP3, which the compares share with them (README,
 * "Thirty-third session"); it may say "maybe" without a NaN (Inf * 0, +Inf + -Inf: rows masked with -Inf), which
 * the caller settles with the exact test. s4j_vnan_any reads either accumulator. */
#define S4J_VNAN_FAST 1
typedef __m256 s4j_vnan;
static inline s4j_vnan s4j_vnan_init(void) { return _mm256_setzero_ps(); }
static inline s4j_vnan s4j_vnan_add(s4j_vnan acc, s4j_vf a, s4j_vf b) {
  return _mm256_or_ps(acc, _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
}
static inline s4j_vnan s4j_vnan_add_fast(s4j_vnan acc, s4j_vf a, s4j_vf b) { return _mm256_fmadd_ps(a, b, acc); }
static inline int s4j_vnan_any(s4j_vnan acc) { return _mm256_movemask_ps(_mm256_cmp_ps(acc, acc, _CMP_UNORD_Q)) != 0; }
static inline s4j_vf s4j_vset1(float f) { return _mm256_set1_ps(f); }
static inline s4j_vf s4j_vadd(s4j_vf a, s4j_vf b) { return _mm256_add_ps(a, b); }
static inline s4j_vf s4j_vsub(s4j_vf a, s4j_vf b) { return _mm256_sub_ps(a, b); }
static inline s4j_vf s4j_vmul(s4j_vf a, s4j_vf b) { return _mm256_mul_ps(a, b); }
static inline s4j_vf s4j_vfma(s4j_vf a, s4j_vf b, s4j_vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline s4j_vf s4j_vmax(s4j_vf a, s4j_vf b) { return _mm256_max_ps(a, b); }
static inline s4j_vf s4j_vmin(s4j_vf a, s4j_vf b) { return _mm256_min_ps(a, b); }

/* Tail masks: 8 - rem entries of -1 then 0s; loading from &table[8 - rem] enables the first rem lanes. */
static const int32_t s4j_avx2_tail_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
static inline s4j_vmask s4j_vtail_mask(size_t rem) {
  return _mm256_loadu_si256((const __m256i*)&s4j_avx2_tail_table[8 - rem]);
}
/* vmaskmovps suppresses faults on masked-out elements; those lanes read as -Inf (the exp gives 0). */
static inline s4j_vf s4j_vload_tail(const float* p, s4j_vmask m) {
  return _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
static inline s4j_vf s4j_vload_tail_zero(const float* p, s4j_vmask m) { return _mm256_maskload_ps(p, m); }
static inline void s4j_vstore_tail(float* p, s4j_vmask m, s4j_vf v) { _mm256_maskstore_ps(p, m, v); }

static inline float s4j_vhmax(s4j_vf v) {
  __m128 v4 = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  v4 = _mm_max_ps(v4, _mm_movehl_ps(v4, v4));
  v4 = _mm_max_ss(v4, _mm_movehdup_ps(v4));
  return _mm_cvtss_f32(v4);
}

/* ---------------------------------------------------------------------------------------------
 * exp(s*x) * c * 2^(EXP_BIAS - E) (docs/NUMERICS.md, "exp").
 * ------------------------------------------------------------------------------------------- */
typedef struct {
  __m256i table; /* lane j: bits(fl(2^(j/8) * c) * 2^BIAS) - (j << 20), see s4j_vexp */
  __m256 tlo;    /* lane j: the entry's relative rounding error (2^(j/8) * c - entry) / entry, for S4J_EXP_LO */
  __m256 magic;  /* M = MAGIC8 - E: E folded into the rounding constant */
  __m256 xlo;    /* clamp: (E - KCUT) * ln2 / s, never below X_LO / s */
  __m256 xhi;    /* clamp of s4j_vclamp_hi: (E + KHI) * ln2 / s */
  __m256 s;
} s4j_expp;

/* The table does not depend on E (E is folded into M), only on c; the relative rests of its entries (for
 * S4J_EXP_LO) go into *lo. */
static inline __m256i s4j_avx2_table(double c, __m256* lo) {
  const __m256d vc = _mm256_set1_pd(c);
  const __m256d d0 = _mm256_mul_pd(_mm256_setr_pd(s4j_exp2_j32[0], s4j_exp2_j32[4], s4j_exp2_j32[8], s4j_exp2_j32[12]), vc);
  const __m256d d1 = _mm256_mul_pd(_mm256_setr_pd(s4j_exp2_j32[16], s4j_exp2_j32[20], s4j_exp2_j32[24], s4j_exp2_j32[28]), vc);
  /* fl(2^(j/8) * c) rounded once from double, then times 2^BIAS (exact) */
  const __m128 f0 = _mm256_cvtpd_ps(d0), f1 = _mm256_cvtpd_ps(d1);
  const __m128 r0 = _mm256_cvtpd_ps(_mm256_div_pd(_mm256_sub_pd(d0, _mm256_cvtps_pd(f0)), _mm256_cvtps_pd(f0)));
  const __m128 r1 = _mm256_cvtpd_ps(_mm256_div_pd(_mm256_sub_pd(d1, _mm256_cvtps_pd(f1)), _mm256_cvtps_pd(f1)));
  *lo = _mm256_set_m128(r1, r0);
  const __m256 v = _mm256_mul_ps(_mm256_set_m128(f1, f0), _mm256_set1_ps(0x1.0p+64f));
  /* minus j << 20; bits(MAGIC8) << 20 is 0 mod 2^32 (its low 12 bits are 0), so nothing else is in the way */
  const __m256i vj = _mm256_slli_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), 20);
  return _mm256_sub_epi32(_mm256_castps_si256(v), vj);
}

/* bias: this tier always uses S4J_EXP_BIAS (s4j_f32_simd.h). */
static inline void s4j_expp_init(s4j_expp* p, float s, float e, double c, int bias, int fold) {
  (void)fold; /* E is never in a table here */
  (void)bias;
  p->table = s4j_avx2_table(c, &p->tlo);
  p->magic = _mm256_set1_ps(S4J_MAGIC8 - e); /* exact: an integer in MAGIC8's binade for |E| < 2^19 */
  float xlo, xhi;
  s4j_clamp_bounds(e, s, &xlo, &xhi);
  p->xlo = _mm256_set1_ps(xlo);
  p->xhi = _mm256_set1_ps(xhi);
  p->s = _mm256_set1_ps(s);
}

/* Upper clamp for terms relative to a running E that some input may exceed: k - E stays <= KHI + 1, so the
 * biased term stays finite and the sum shows the excess (>= 2^REDO relative) instead of wrapping. */
static inline s4j_vf s4j_vclamp_hi(s4j_vf vx, const s4j_expp* p) { return _mm256_min_ps(p->xhi, vx); }

/* q vectors (1 to 4, a compile-time constant) go through each step before any goes through the next
 * (s4j_f32_simd.h; the groups of the kernels' four-vector steps: S4J_VEXP_GROUP below). One vector after the
 * other, the exp's ~30-cycle chain kept its operations waiting in the scheduler; in pairs the same operations, in
 * the same order per vector (the same bits), took 0.93-0.98x the time at every size on Zen 5 (README "Sixteenth
 * session"), and four at once 0.95x the pairs' time in the store pass on a Zen 4 (README "Twenty-ninth
 * session"). */
S4J_INLINE void s4j_vexpq(s4j_vf* z, const s4j_vf* x, const int q, const s4j_expp* p, const int mode) {
  const int scaled = mode & S4J_EXP_SCALED;
  __m256 vhi[4], vlo[4], vn[4], vv[4], vt[4], vs[4], va[4];
  /* Clamp below at E - KCUT: those lanes (and -Inf, masked-out lanes) give exactly 0 once the bias is
   * removed; max_ps returns its second operand for a NaN, so NaN survives to the result. */
  for (int i = 0; i < q; i++) vhi[i] = _mm256_max_ps(p->xlo, x[i]);
  if (scaled) {
    for (int i = 0; i < q; i++) {
      vlo[i] = vhi[i];
      vhi[i] = _mm256_mul_ps(vlo[i], p->s);
      vlo[i] = _mm256_fmsub_ps(vlo[i], p->s, vhi[i]);
    }
  }
  /* vn = M + v with v = hi*log2(e) rounded once to a multiple of 1/8 (M is an integer in the binade whose
   * ulp is 1/8), so bits(vn) = bits(M) + 8v = bits(MAGIC8) + 8(k - E) + j for k = floor(v), j = 8v mod 8. */
  for (int i = 0; i < q; i++) vn[i] = _mm256_fmadd_ps(vhi[i], _mm256_set1_ps(S4J_LOG2E), p->magic);
  for (int i = 0; i < q; i++) vv[i] = _mm256_sub_ps(vn[i], p->magic);
  /* t = (hi - v*LN2_HI) + r: the first FMA is exact, and the small parts r = [lo +] [rest -] v*LN2_LO go in
   * first, so that t rounds once (three roundings of t until the fourteenth session: 0.628 ULP with a
   * temperature, test_exp_scaled). S4J_EXP_LO: exp(t) * entry * (1 + rest) = exp(t + rest) * entry to 2^-50,
   * the entry's rounding joins t. */
  for (int i = 0; i < q; i++) {
    const __m256 vt1 = _mm256_fmadd_ps(vv[i], _mm256_set1_ps(-S4J_LN2_HI), vhi[i]);
    if (scaled || (mode & S4J_EXP_LO)) {
      __m256 vr = scaled ? vlo[i] : _mm256_setzero_ps();
      if (mode & S4J_EXP_LO) {
        const __m256 vrest = _mm256_permutevar8x32_ps(p->tlo, _mm256_castps_si256(vn[i]));
        vr = scaled ? _mm256_add_ps(vr, vrest) : vrest;
      }
      vt[i] = _mm256_add_ps(vt1, _mm256_fmadd_ps(vv[i], _mm256_set1_ps(-S4J_LN2_LO), vr));
    } else {
      vt[i] = _mm256_fmadd_ps(vv[i], _mm256_set1_ps(-S4J_LN2_LO), vt1);
    }
  }
  /* s = 2^(k - E) * table[j]: bits(vn) << 20 = ((k - E) << 23) + (j << 20) mod 2^32 (bits(MAGIC8) << 20
   * vanishes), the table entries cancel j << 20, and the integer add puts k - E into the exponent field. */
  for (int i = 0; i < q; i++) {
    const __m256i vnb = _mm256_castps_si256(vn[i]);
    const __m256i vtab = _mm256_castps_si256(_mm256_permutevar8x32_ps(_mm256_castsi256_ps(p->table), vnb));
    vs[i] = _mm256_castsi256_ps(_mm256_add_epi32(vtab, _mm256_slli_epi32(vnb, 20)));
  }
  /* exp(t) ~= 1 + t*a(t), a = 1 + t*(1/2 + C3*t + C4*t^2) on [-ln2/16, ln2/16]. */
  for (int i = 0; i < q; i++) va[i] = _mm256_fmadd_ps(_mm256_set1_ps(S4J_L8_C4), vt[i], _mm256_set1_ps(S4J_L8_C3));
  for (int i = 0; i < q; i++) va[i] = _mm256_fmadd_ps(va[i], vt[i], _mm256_set1_ps(0.5f));
  for (int i = 0; i < q; i++) va[i] = _mm256_fmadd_ps(va[i], vt[i], _mm256_set1_ps(1.0f));
  for (int i = 0; i < q; i++) z[i] = _mm256_fmadd_ps(_mm256_mul_ps(vs[i], vt[i]), va[i], vs[i]);
}
/* The summing kernels: four at once in their tree calls with s = 1, pairs elsewhere (with a temperature four took
 * 1.02x the pairs' time: more values than 16 registers hold; the shorter calls' pair sums gained nothing);
 * vscaleexp four at once (0.87-0.98x the pairs' time in and out of cache). README, "Twenty-ninth session". */
#define S4J_VEXP_GROUP(mode) (((mode) & S4J_SUM_TREE) && !((mode) & S4J_EXP_SCALED) ? 4 : 2)
#define S4J_VEXP_GROUP_OUT 4

/* Removes the 2^EXP_BIAS of s4j_vexp: one multiply, the only rounding below 2^-126 (gradual underflow). */
static inline s4j_vf s4j_vunbias(s4j_vf v) { return _mm256_mul_ps(v, _mm256_set1_ps(0x1.0p-64f)); }

/* ---------------------------------------------------------------------------------------------
 * Double lanes for the sums (s4j_f32_simd.h, "Sums"): a float vector added exactly, lanes 0-3 and 4-7.
 * ------------------------------------------------------------------------------------------- */
typedef struct {
  __m256d lo, hi;
} s4j_vdsum;

static inline void s4j_vdsum_init(s4j_vdsum* a) { a->lo = a->hi = _mm256_setzero_pd(); }
static inline void s4j_vdsum_add(s4j_vdsum* a, s4j_vf v) {
  a->lo = _mm256_add_pd(a->lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  a->hi = _mm256_add_pd(a->hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}
static inline double s4j_vdsum_reduce(const s4j_vdsum* a) {
  const __m256d v4 = _mm256_add_pd(a->lo, a->hi);
  __m128d v2 = _mm_add_pd(_mm256_castpd256_pd128(v4), _mm256_extractf128_pd(v4, 1));
  v2 = _mm_add_sd(v2, _mm_unpackhi_pd(v2, v2));
  return _mm_cvtsd_f64(v2);
}

#endif /* S4J_F32_AVX2_H */
