/*
 * The f32 per-ISA layer, AVX-512F: 16 lanes, exp by a 16-entry table (vpermps over one register) and a degree-3
 * polynomial, exact power-of-two scaling by vscalefps (docs/NUMERICS.md, "exp"). Include it only through
 * s4j_f32_simd.h from files compiled with the AVX-512 tier flags. AVX512F instructions only (the CPU probe also
 * requires DQ, as every AVX-512 CPU but Xeon Phi has).
 */
#ifndef S4J_F32_AVX512_H
#define S4J_F32_AVX512_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"
#include "s4j_intrin.h"

/* Name parts: isa, method of the exp, elements per vector and per main-loop iteration (4 vectors). */
#define S4J_ISA avx512f
#define S4J_METHOD lut16_p3
#define S4J_U1 u16
#define S4J_U4 u64
#define S4J_VLEN 16
#define S4J_EXP_SCALED 1
#define S4J_EXP_FOLD 2
#define S4J_EXP_LO 4
/* rows whose terms only meet their own sum: the cancelling table (s4j_f32_simd.h, S4J_CANCEL_LO) */
#define S4J_CANCEL_C S4J_CANCEL_C16
/* Final results (vscaleexp) need no bias: vscalefps underflows gradually and exactly. */
#define S4J_EXP_FINAL_BIAS 0

typedef __m512 s4j_vf;
typedef __mmask16 s4j_vmask;

static inline s4j_vf s4j_vload(const float* p) { return _mm512_loadu_ps(p); }
static inline void s4j_vstore(float* p, s4j_vf v) { _mm512_storeu_ps(p, v); }
/* a macro: as a static inline function, gcc 12 -O3 dropped the prefetch (seen in the assembly) */
#define s4j_vprefetch(p) _mm_prefetch((const char*)(p), _MM_HINT_T0)
/* Keeps a loaded vector in a register, as on AVX2 ("v": any of the 32). MSVC: nothing. */
#if defined(__GNUC__) && defined(__AVX512F__) /* not under SIMDe (the emulated tests): no vector register */
#define s4j_vkeep(pv) __asm__("" : "+v"(*(pv)))
#else
#define s4j_vkeep(pv) ((void)(pv))
#endif
/* Non-temporal store (no read for ownership); p must be 64-byte aligned. */
static inline void s4j_vstream(float* p, s4j_vf v) { _mm512_stream_ps(p, v); }
static inline void s4j_vsfence(void) { _mm_sfence(); }
/* A bit per lane: v >= t or v is NaN (not-less-than, unordered); v == t. */
static inline uint32_t s4j_vmask_ge_or_nan(s4j_vf v, s4j_vf t) { return _mm512_cmp_ps_mask(v, t, _CMP_NLT_UQ); }
static inline uint32_t s4j_vmask_eq(s4j_vf v, s4j_vf t) { return _mm512_cmp_ps_mask(v, t, _CMP_EQ_OQ); }
/* The lanes of m packed to the front: their indices base + lane into idx and (val not NULL) the lanes of v into val,
 * a whole vector stored to each (room for S4J_VLEN). vpcompress into a register, then a plain store: its form with a
 * memory destination is microcoded on Zen 4. */
#define S4J_VCOMPRESS 1
static inline void s4j_vcompress_store(int32_t* idx, float* val, uint32_t m, int32_t base, s4j_vf v) {
  const __m512i lanes = _mm512_add_epi32(_mm512_set1_epi32(base),
                                         _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  _mm512_storeu_si512((void*)idx, _mm512_maskz_compress_epi32((__mmask16)m, lanes));
  if (val != NULL) _mm512_storeu_ps(val, _mm512_maskz_compress_ps((__mmask16)m, v));
}
/* NaN seen: lane bits that stay set while every pair was ordered. One masked compare per pair (gcc fuses the
 * and into the compare's mask): no kmov, and each chain's latency hides behind the others'. */
typedef __mmask16 s4j_vnan;
static inline s4j_vnan s4j_vnan_init(void) { return (s4j_vnan)0xFFFF; }
static inline s4j_vnan s4j_vnan_add(s4j_vnan acc, s4j_vf a, s4j_vf b) {
  return (s4j_vnan)(acc & _mm512_cmp_ps_mask(a, b, _CMP_ORD_Q));
}
static inline int s4j_vnan_any(s4j_vnan acc) { return acc != (s4j_vnan)0xFFFF; }
static inline s4j_vf s4j_vset1(float f) { return _mm512_set1_ps(f); }
static inline s4j_vf s4j_vadd(s4j_vf a, s4j_vf b) { return _mm512_add_ps(a, b); }
static inline s4j_vf s4j_vsub(s4j_vf a, s4j_vf b) { return _mm512_sub_ps(a, b); }
static inline s4j_vf s4j_vmul(s4j_vf a, s4j_vf b) { return _mm512_mul_ps(a, b); }
static inline s4j_vf s4j_vfma(s4j_vf a, s4j_vf b, s4j_vf c) { return _mm512_fmadd_ps(a, b, c); }
/* max(a, b) that ignores a NaN in a (returns b then): vmaxps returns its second operand when either is NaN. */
static inline s4j_vf s4j_vmax(s4j_vf a, s4j_vf b) { return _mm512_max_ps(a, b); }
static inline s4j_vf s4j_vmin(s4j_vf a, s4j_vf b) { return _mm512_min_ps(a, b); }

/* Mask of the first rem (1..15) lanes. */
static inline s4j_vmask s4j_vtail_mask(size_t rem) { return (s4j_vmask)((UINT32_C(1) << rem) - 1); }
/* Masked load (faults suppressed on masked-out elements); the other lanes read as -Inf, which the exp
 * turns into 0 and which never wins a max. */
static inline s4j_vf s4j_vload_tail(const float* p, s4j_vmask m) {
  return _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), m, p);
}
static inline s4j_vf s4j_vload_tail_zero(const float* p, s4j_vmask m) { return _mm512_maskz_loadu_ps(m, p); }
static inline void s4j_vstore_tail(float* p, s4j_vmask m, s4j_vf v) { _mm512_mask_storeu_ps(p, m, v); }

/* Lane max without _mm512_reduce_max_ps (a compiler sequence some toolchains lack). */
static inline float s4j_vhmax(s4j_vf v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  const __m256 v8 = _mm256_max_ps(lo, hi);
  __m128 v4 = _mm_max_ps(_mm256_castps256_ps128(v8), _mm256_extractf128_ps(v8, 1));
  v4 = _mm_max_ps(v4, _mm_movehl_ps(v4, v4));
  v4 = _mm_max_ss(v4, _mm_movehdup_ps(v4));
  return _mm_cvtss_f32(v4);
}

/* ---------------------------------------------------------------------------------------------
 * exp(s*x) * c * 2^(bias - E) (docs/NUMERICS.md, "exp"): per call, the table holds fl(2^(j/16) * c) and,
 * for the S4J_EXP_LO mode, the rest 2^(j/16) * c - that entry, so that exp rounds once, at the end. Until the
 * twentieth session the table had 32 entries (two vpermt2ps over register pairs, half of |t|): on the Zen 5
 * vpermt2ps competes with the FMAs for their pipes where vpermps mostly does not, and the exp kernels took
 * 0.89-0.98x the time with 16 (README, "Twentieth session").
 * ------------------------------------------------------------------------------------------- */
typedef struct {
  __m512 table; /* lane j: fl(2^(j/16) * c) [* 2^(bias - E) when folded] */
  __m512 tlo;   /* the table entries' rounding errors, same scaling */
  __m512 xlo;   /* the clamp bound -X_CLAMP / s: inputs are taken to at least xlo (vmaxps) */
  __m512 s;     /* the scale (1/T) */
  __m512 e;     /* E - bias: every term is relative to 2^(E - bias) */
  int folded;   /* 2^(bias - E) is in the tables (E - bias in [-120, 96]): one subtraction less per vector */
} s4j_expp;

static inline __m512 s4j_avx512_cvt16(__m512d lo8, __m512d hi8) {
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo8))),
                                             _mm256_castps_pd(_mm512_cvtpd_ps(hi8)), 1));
}

static inline void s4j_avx512_table(__m512* t, __m512* tlo, double c) {
  const __m512d vc = _mm512_set1_pd(c);
  const double* d = s4j_exp2_j32; /* every other entry: 2^(j/16) */
  const __m512d v0 = _mm512_mul_pd(_mm512_setr_pd(d[0], d[2], d[4], d[6], d[8], d[10], d[12], d[14]), vc);
  const __m512d v1 = _mm512_mul_pd(_mm512_setr_pd(d[16], d[18], d[20], d[22], d[24], d[26], d[28], d[30]), vc);
  *t = s4j_avx512_cvt16(v0, v1);
  /* the rest, exact in double (the product's own rounding, ~2^-53, is far below; c = 1: none) */
  const __m512d r0 = _mm512_sub_pd(v0, _mm512_cvtps_pd(_mm512_castps512_ps256(*t)));
  const __m512d r1 = _mm512_sub_pd(v1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(*t), 1))));
  *tlo = s4j_avx512_cvt16(r0, r1);
}

static inline void s4j_expp_init(s4j_expp* p, float s, float e, double c, int bias, int fold) {
  const float eb = e - (float)bias; /* exact: integers far below 2^24 */
  /* Above 96 the smallest rests (2^-30 of their entries, c = 1) times 2^-eb would be subnormal and lose bits,
   * so that terms relative to a lower E (the reload's first elements) were no longer exact power-of-two
   * multiples of those relative to a higher one (the in-place reload's maximum): 3 outputs in 4082 differed
   * in the last bit (the segments fuzz target). From 96 to 120 the tables stay unscaled, one subtraction more.
   * Unfolded (fold == 0: short calls, S4J_FOLD_MIN) the tables depend on c only, so that the first terms are
   * computed while E is still being found; only the last step of each exp waits for it. */
  if (fold && eb >= -120.0f && eb <= 96.0f) {
    p->folded = 1;
    /* 2^(bias - E) times a power of two: exact in double, and the entries stay normal floats */
    const double vc = c * s4j_pow2(-(int)eb);
    s4j_avx512_table(&p->table, &p->tlo, vc);
  } else {
    p->folded = 0;
    s4j_avx512_table(&p->table, &p->tlo, c);
  }
  p->xlo = _mm512_set1_ps(s == 1.0f ? -S4J_X_CLAMP : -S4J_X_CLAMP / s);
  p->s = _mm512_set1_ps(s);
  p->e = _mm512_set1_ps(eb);
}
#define S4J_EXP_FOLDED(p) ((p)->folded)

/* q vectors (1 or 2, a compile-time constant), each step for all of them before the next step (s4j_f32_simd.h,
 * the groups of the kernels' four-vector steps: S4J_VEXP_GROUP below; the same operations in the same order per
 * vector, so the same bits). mode is a compile-time constant (s4j_f32_simd.h): without S4J_EXP_SCALED (s == 1)
 * the exact-product steps are dropped; with S4J_EXP_FOLD (and p->folded) the tables carry 2^(bias - E); with
 * S4J_EXP_LO the table entry's rounding error joins the polynomial (one more vpermps). */
S4J_INLINE void s4j_vexpq(s4j_vf* z, const s4j_vf* x, const int q, const s4j_expp* p, const int mode) {
  const int scaled = mode & S4J_EXP_SCALED;
  __m512 vhi[2], vlo[2], vn[2], vv[2], vt[2], vtab[2], va[2];
  /* Clamp below at -X_CLAMP/s (vmaxps returns its second operand, x, when either is NaN: a NaN of either
   * sign stays NaN; vrangeps, used before, turned a NaN with the sign bit set into a 0 term). -Inf and
   * masked-out lanes give 0, and v stays in the magic number's binade on that side. Above, no clamp is needed:
   * up to s*x = 181,700 (|v| < 2^18) the term is exact; an input more than ~40/s above E gives a sum of at least
   * 2^58 relative to E, far larger ones an infinite or NaN term (the polynomial of a huge t overflows, +Inf
   * gives NaN), and the drivers take such a sum as "redo, or exact path"; a redone block whose own E is above
   * E_HI goes to the exact path. */
  for (int i = 0; i < q; i++) {
    vhi[i] = _mm512_max_ps(p->xlo, x[i]);
    vlo[i] = _mm512_setzero_ps();
  }
  if (scaled) {
    /* The exact product s*x = hi + lo: hi picks the table entry, lo joins the reduced argument. */
    for (int i = 0; i < q; i++) {
      vlo[i] = vhi[i];
      vhi[i] = _mm512_mul_ps(vlo[i], p->s);
      vlo[i] = _mm512_fmsub_ps(vlo[i], p->s, vhi[i]);
    }
  }
  /* v = hi*log2(e) rounded once to a multiple of 1/16: the magic number's ulp is 2^-4, and the low four
   * mantissa bits of vn are then j = 16*v mod 16, the table index (vpermps reads only those bits). */
  for (int i = 0; i < q; i++) vn[i] = _mm512_fmadd_ps(vhi[i], _mm512_set1_ps(S4J_LOG2E), _mm512_set1_ps(S4J_MAGIC16));
  for (int i = 0; i < q; i++) vv[i] = _mm512_sub_ps(vn[i], _mm512_set1_ps(S4J_MAGIC16));
  /* Cody-Waite t = hi - v*ln2: the first FMA is exact (NUMERICS.md); with s != 1 the small parts
   * lo - v*LN2_LO go in first, so that t rounds once (twice until the fourteenth session). */
  for (int i = 0; i < q; i++) {
    vt[i] = _mm512_fmadd_ps(vv[i], _mm512_set1_ps(-S4J_LN2_HI), vhi[i]);
    vt[i] = scaled ? _mm512_add_ps(vt[i], _mm512_fmadd_ps(vv[i], _mm512_set1_ps(-S4J_LN2_LO), vlo[i]))
                   : _mm512_fmadd_ps(vv[i], _mm512_set1_ps(-S4J_LN2_LO), vt[i]);
  }
  for (int i = 0; i < q; i++) vtab[i] = _mm512_permutexvar_ps(_mm512_castps_si512(vn[i]), p->table);
  /* exp(t) ~= 1 + t*a(t); y = T + (T*t [+ T_lo])*a rounds once at the end (T_lo*a differs from
   * T_lo*(1 + t*a) by |t|/2 of it, below 2^-30 relative to y). |t| <= ln2/32 plus |hi|*|LOG2E - log2(e)|*ln2
   * (v's rounding error: 8.8e-4 at |hi| = 65636, the fast path's largest) plus, for s != 1, the product's lo
   * part (up to 2^-8 there): a = 1 + C2*t + C3*t^2 is minimax on the interval of each mode (constants.h). */
  for (int i = 0; i < q; i++) {
    va[i] = scaled ? _mm512_fmadd_ps(_mm512_set1_ps(S4J_L16S_C3), vt[i], _mm512_set1_ps(S4J_L16S_C2))
                   : _mm512_fmadd_ps(_mm512_set1_ps(S4J_L16_C3), vt[i], _mm512_set1_ps(S4J_L16_C2));
  }
  for (int i = 0; i < q; i++) va[i] = _mm512_fmadd_ps(va[i], vt[i], _mm512_set1_ps(1.0f));
  for (int i = 0; i < q; i++) {
    const __m512 vb = (mode & S4J_EXP_LO)
                          ? _mm512_fmadd_ps(vtab[i], vt[i], _mm512_permutexvar_ps(_mm512_castps_si512(vn[i]), p->tlo))
                          : _mm512_mul_ps(vtab[i], vt[i]);
    va[i] = _mm512_fmadd_ps(vb, va[i], vtab[i]);
  }
  /* 2^(floor(v) - E + bias) exactly: vscalefps takes floor of its second operand; E is an integer. */
  for (int i = 0; i < q; i++) z[i] = _mm512_scalef_ps(va[i], (mode & S4J_EXP_FOLD) ? vv[i] : _mm512_sub_ps(vv[i], p->e));
}
/* The summing kernels take two pairs per four-vector step with s = 1: on a Zen 4 the store pass took 0.96x the
 * time of one vector at a time at 16K-256K (four at once: 1.01x); with a temperature the pairs' raddexp took 2.3x
 * the time out of cache (16M floats; gcc 12 spills registers in that loop), so one at a time there, and in
 * vscaleexp, where pairs took 1.03x its time in cache and 1.14-1.16x out of cache, with the non-temporal stores,
 * as on the Zen 5 (README, "Twenty-ninth session"). */
#define S4J_VEXP_GROUP(mode) ((mode) & S4J_EXP_SCALED ? 1 : 2)
#define S4J_VEXP_GROUP_OUT 1

/* The range clamp above is on both sides already. */
static inline s4j_vf s4j_vclamp_hi(s4j_vf vx, const s4j_expp* p) {
  (void)p;
  return vx;
}

/* Results of s4j_vexp are final when the bias passed to s4j_expp_init was 0: nothing to remove here. */
static inline s4j_vf s4j_vunbias(s4j_vf v) { return v; }

/* ---------------------------------------------------------------------------------------------
 * Double lanes for the sums (s4j_f32_simd.h, "Sums"): a float vector added exactly, lanes 0-7 and 8-15.
 * ------------------------------------------------------------------------------------------- */
typedef struct {
  __m512d lo, hi;
} s4j_vdsum;

static inline void s4j_vdsum_init(s4j_vdsum* a) { a->lo = a->hi = _mm512_setzero_pd(); }
static inline void s4j_vdsum_add(s4j_vdsum* a, s4j_vf v) {
  a->lo = _mm512_add_pd(a->lo, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
  a->hi = _mm512_add_pd(a->hi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
}
static inline double s4j_vdsum_reduce(const s4j_vdsum* a) {
  const __m512d vd = _mm512_add_pd(a->lo, a->hi);
  const __m256d v4 = _mm256_add_pd(_mm512_castpd512_pd256(vd), _mm512_extractf64x4_pd(vd, 1));
  __m128d v2 = _mm_add_pd(_mm256_castpd256_pd128(v4), _mm256_extractf128_pd(v4, 1));
  v2 = _mm_add_sd(v2, _mm_unpackhi_pd(v2, v2));
  return _mm_cvtsd_f64(v2);
}
/* The summing kernels' main loops take 8 vectors per step here (32 registers hold them; S4J_SUM_STEP). */
#define S4J_VSUM_ADD8 1

#endif /* S4J_F32_AVX512_H */
