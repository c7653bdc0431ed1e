/*
 * The f32 per-ISA layer: every f32 kernel source is written once over these operations and compiled once
 * per tier, with S4J_TIER_<NAME> defined and the tier's flags (native/CMakeLists.txt, the tier registry
 * native/src/s4j_tiers.inc). Each tier header defines the same names:
 *   S4J_ISA, S4J_METHOD, S4J_U1, S4J_U4    name parts of the kernels (kernels.h spells them out)
 *   S4J_VLEN                               floats per vector
 *   S4J_EXP_FINAL_BIAS                     the bias that output kernels pass (0, or S4J_EXP_BIAS where the
 *                                          exp always carries it; s4j_vunbias then removes it)
 *   s4j_vf, s4j_vmask                      vector and tail mask types
 *   s4j_vload/vstore/vload_tail/...        memory; tails never touch memory past n
 *   s4j_vprefetch                          a software prefetch (never faults; see S4J_PREFETCH_AHEAD)
 *   s4j_vkeep(&v)                          v stays in a register (the compiler may not fold its load into uses)
 *   s4j_vmask_ge_or_nan/eq                 comparisons as a bit per lane (lane i: bit i)
 *   S4J_VCOMPRESS, s4j_vcompress_store     optional: a mask's lanes (and their indices) packed and stored whole
 *   s4j_vnan, s4j_vnan_init/add/any        "a NaN was seen", accumulated over pairs of vectors in a loop
 *   S4J_VNAN_FAST, s4j_vnan_add_fast        optional: a cheaper test that may say "maybe" without a NaN (AVX2)
 *   s4j_expp, s4j_expp_init, s4j_vexp      exp(s*x) * c * 2^(bias - E), per-call parameters (init's fold: the
 *                                          call may put 2^-E into a table, S4J_FOLD_MIN)
 *   s4j_vexpq, S4J_VEXP_GROUP(mode),       the same for q vectors, their steps interleaved, and the group sizes
 *   S4J_VEXP_GROUP_OUT (optional)          of four-vector steps (s4j_vexp and s4j_vexp4 are then defined below;
 *                                          tiers without them define s4j_vexp)
 *   s4j_vclamp_hi, s4j_vunbias             the range helpers of tiers that build 2^k in the exponent field
 *   S4J_EXP_SCALED, S4J_EXP_FOLD, S4J_EXP_LO  s4j_vexp's compile-time mode bits (s != 1; 2^-E in the table;
 *                                          the table entries' rounding corrected); S4J_EXP_FOLDED(p): the per-call
 *                                          parameters allow the FOLD variant (always 0 on tiers without one)
 *   s4j_vsub, s4j_vmin                     a - b, min(a, b)
 *   s4j_vdsum, s4j_vdsum_init/add/reduce   double lanes: a float vector added exactly, and their total
 *   S4J_VSUM_ADD8                          defined where the summing loops take 8 vectors per step
 * (s4j_vsum, the sums of terms, is written once below over these; the scalar tier has its own, in double.)
 */
#ifndef S4J_F32_SIMD_H
#define S4J_F32_SIMD_H

#if defined(S4J_TIER_AVX512)
#include "s4j_f32_avx512.h"
#elif defined(S4J_TIER_AVX2)
#include "s4j_f32_avx2.h"
#elif defined(S4J_TIER_NEON)
#include "s4j_f32_neon.h"
#elif defined(S4J_TIER_SCALAR)
#include "s4j_f32_scalar.h"
#else
#error "compile f32 kernels with one S4J_TIER_<NAME> defined (native/CMakeLists.txt)"
#endif

#include "kernels.h"

/* Tiers without a cheaper NaN test than their exact one use the exact one (rargmax, s4j_f32_rselect.c). */
#if !defined(S4J_VNAN_FAST)
#define S4J_VNAN_FAST 0
#define s4j_vnan_add_fast s4j_vnan_add
#endif

/* Four exps at once. A tier with s4j_vexpq (q vectors, each step for all of them before the next) runs them in
 * groups, so that the scheduler holds several short chains instead of one long one where that measures faster:
 * S4J_VEXP_GROUP(mode) vectors in the summing kernels (raddexp, raddstoreexp), S4J_VEXP_GROUP_OUT in the output
 * kernel (vscaleexp); the other tiers run them one after the other. The same operations per vector in the same
 * order: the same bits either way. */
#if defined(S4J_VEXP_GROUP_OUT)
S4J_INLINE s4j_vf s4j_vexp(s4j_vf vx, const s4j_expp* p, const int mode) {
  s4j_vf z;
  s4j_vexpq(&z, &vx, 1, p, mode);
  return z;
}
S4J_INLINE void s4j_vexp4(s4j_vf* z, const s4j_vf* vx, const s4j_expp* p, const int mode, const int group) {
  for (int g = 0; g < 4; g += group) s4j_vexpq(z + g, vx + g, group, p, mode);
}
#else
#define S4J_VEXP_GROUP(mode) 1
#define S4J_VEXP_GROUP_OUT 1
S4J_INLINE void s4j_vexp4(s4j_vf* z, const s4j_vf* vx, const s4j_expp* p, const int mode, const int group) {
  (void)group;
  for (int q = 0; q < 4; q++) z[q] = s4j_vexp(vx[q], p, mode);
}
#endif

/* The streaming kernels run their main loop (4 vectors per iteration) in two parts: while at least
 * S4J_PREFETCH_AHEAD more floats follow, each iteration prefetches its lines that far ahead (one prefetch per
 * 64 bytes, never past n), then the rest without. The distance is chosen once per process by the CPU probe
 * (constants.h, S4J_PREFETCH_FLOATS: on where it was measured to help, off where the hardware prefetcher does
 * better alone); a global that is only written by the probe (gcc and clang load it once per loop: float stores
 * cannot alias it). In cache the
 * prefetches cost nothing measurable, but prefetching past the end of a short array did (+30% at 4K
 * elements), hence the bound. */
#define S4J_PREFETCH_AHEAD s4j_prefetch_ahead
#define S4J_PREFETCH_ITER(ptr)                                                                       \
  do {                                                                                               \
    for (int s4j_q_ = 0; s4j_q_ < 4 * S4J_VLEN; s4j_q_ += 16) s4j_vprefetch((ptr) + S4J_PREFETCH_AHEAD + s4j_q_); \
  } while (0)

/* Alignment: s4j_head_to_align(p, n) is the number of floats before p's first vector-aligned element (0 if p
 * is aligned, is not float-aligned, or n is not longer). The elementwise kernels (vscale, vscaleexp, vmuladdc)
 * write that head of y as one masked vector, so every store after it is aligned and the non-temporal ones
 * can be; the exact reductions (rmax, rargmax, rselect) read that head of x first, so every load after it is
 * aligned. A misaligned array (Java heap arrays almost always are) otherwise splits accesses across cache
 * lines: the reload at 4K elements was 1.17x slower with y 16 bytes off, two-pass at 8M 1.59x (its
 * non-temporal path never found an aligned vector), argmax 1.5x. None of these results depends on the
 * address; the summing kernels keep their grouping, so theirs does not either. */
static inline int s4j_aligned(const float* p) { return ((uintptr_t)p & (S4J_VLEN * 4 - 1)) == 0; }
static inline size_t s4j_head_to_align(const float* p, size_t n) {
  const size_t h = (size_t)((0 - (uintptr_t)p) & (S4J_VLEN * 4 - 1)) / 4;
  return ((uintptr_t)p & 3) == 0 && h < n ? h : 0;
}

/* Four vectors to y, y + VLEN, ...: plain or (nt) non-temporal stores, y aligned for those. */
S4J_INLINE void s4j_vstore4(float* y, s4j_vf v0, s4j_vf v1, s4j_vf v2, s4j_vf v3, const int nt) {
  if (nt) {
    s4j_vstream(y, v0);
    s4j_vstream(y + S4J_VLEN, v1);
    s4j_vstream(y + 2 * S4J_VLEN, v2);
    s4j_vstream(y + 3 * S4J_VLEN, v3);
  } else {
    s4j_vstore(y, v0);
    s4j_vstore(y + S4J_VLEN, v1);
    s4j_vstore(y + 2 * S4J_VLEN, v2);
    s4j_vstore(y + 3 * S4J_VLEN, v3);
  }
}

/* The main loops of the elementwise kernels that read x and write y (vscaleexp, vmuladdc), after the aligning
 * head: long outputs (s4j_nt_min) are written around the cache with non-temporal stores (no read for ownership),
 * then the loops with and without prefetch. ITER(nt) is a macro running one iteration of 4 vectors at x, y
 * (nt: streaming stores); n, x and y advance. */
#define S4J_ELEMENTWISE_MAIN(n, x, y, ITER)                                                                    \
  do {                                                                                                         \
    if ((n) >= s4j_nt_min && (const float*)(x) != (const float*)(y) && s4j_aligned(y)) {                      \
      for (; (n) >= S4J_PREFETCH_AHEAD + 4 * S4J_VLEN; (n) -= 4 * S4J_VLEN, (x) += 4 * S4J_VLEN, (y) += 4 * S4J_VLEN) { \
        S4J_PREFETCH_ITER(x);                                                                                  \
        ITER(1);                                                                                               \
      }                                                                                                        \
      /* the rest, and all of it when prefetching is off: non-temporal too */                                  \
      for (; (n) >= 4 * S4J_VLEN; (n) -= 4 * S4J_VLEN, (x) += 4 * S4J_VLEN, (y) += 4 * S4J_VLEN) ITER(1);      \
      s4j_vsfence();                                                                                           \
    }                                                                                                          \
    for (; (n) >= S4J_PREFETCH_AHEAD + 4 * S4J_VLEN; (n) -= 4 * S4J_VLEN, (x) += 4 * S4J_VLEN, (y) += 4 * S4J_VLEN) { \
      S4J_PREFETCH_ITER(x);                                                                                    \
      ITER(0);                                                                                                 \
    }                                                                                                          \
    for (; (n) >= 4 * S4J_VLEN; (n) -= 4 * S4J_VLEN, (x) += 4 * S4J_VLEN, (y) += 4 * S4J_VLEN) ITER(0);        \
  } while (0)

/* The largest of x[0..n), n >= 1, in four chains, NaN ignored (the sums find it): what rmax gives, for the short-row
 * kernels, which need it inline (vsoftmaxshort, raddexpshort). */
static inline float s4j_row_max(size_t n, const float* x) {
  s4j_vf vm = s4j_vset1(-INFINITY), vm1 = vm, vm2 = vm, vm3 = vm;
  size_t i = 0;
  for (; i + 4 * S4J_VLEN <= n; i += 4 * S4J_VLEN) {
    vm = s4j_vmax(s4j_vload(x + i), vm);
    vm1 = s4j_vmax(s4j_vload(x + i + S4J_VLEN), vm1);
    vm2 = s4j_vmax(s4j_vload(x + i + 2 * S4J_VLEN), vm2);
    vm3 = s4j_vmax(s4j_vload(x + i + 3 * S4J_VLEN), vm3);
  }
  for (; i + S4J_VLEN <= n; i += S4J_VLEN) vm = s4j_vmax(s4j_vload(x + i), vm);
  if (i < n) vm1 = s4j_vmax(s4j_vload_tail(x + i, s4j_vtail_mask(n - i)), vm1);
  return s4j_vhmax(s4j_vmax(s4j_vmax(vm, vm1), s4j_vmax(vm2, vm3)));
}

/* ---------------------------------------------------------------------------------------------
 * Sums of terms (docs/NUMERICS.md, "Sums"): the terms are added in pairs (one fp32 rounding, the only one that
 * reaches the result: at most 2^-24 of the sum; the tree of long softmax calls, S4J_SUM_TREE below, rounds
 * log2(S4J_SUM_STEP) times), and each pair p joins a per-lane fp32 accumulator a with
 * Fast2Sum on the larger and the smaller of the two: s = a + p, e = min - (s - max) is exactly what the
 * addition lost (terms are >= 0). The lost parts gather in a second vector, moved into double lanes every
 * S4J_VSUM_FLUSH steps; at the end the accumulator joins them. No constant enters, so the sum of terms scaled
 * by 2^k is the sum scaled by 2^k, bit for bit (the reload's terms relative to different E). NaN and +Inf
 * terms give a NaN or infinite sum (s carries them), which the drivers take as "redo, or NaN input". Before
 * the thirteenth session the terms were added in fp32 trees three (AVX2) and four (AVX-512) roundings deep:
 * the softmax fuzz target found a sum 3.7 x 2^-24 low and an output 5.0 ULP off (docs/findings). One sum per
 * kernel call; the main loop calls s4j_vsum_add_step, the tails s4j_vsum_add4 and s4j_vsum_add.
 * ------------------------------------------------------------------------------------------- */
/* Terms per step of the summing kernels' main loops (raddexp, raddstoreexp): 8 where the tier's 32 registers
 * hold them (S4J_VSUM_ADD8: AVX-512), else 4. */
#if defined(S4J_VSUM_ADD8)
#define S4J_SUM_STEP 8
#else
#define S4J_SUM_STEP 4
#endif

/* Steps between moves of the lost parts into double. Each lost part is at most 2^-24 of its lane's accumulator,
 * so over m additions their fp32 sum loses at most m^2 * 2^-48 of it; over a call of n floats, n / (2 VLEN)
 * additions per lane in flushes of m = 16 * S4J_SUM_STEP / 2, at most n * m / (2 VLEN) * 2^-48 of the sum:
 * for n = S4J_BLOCK, 2^-31 on AVX-512 (m = 64) and AVX2 (m = 32), 2^-30 on NEON (m = 32, 4 lanes). */
#define S4J_VSUM_FLUSH 16

/* Calls of more than S4J_SUM_TREE_MIN terms (constants.h: blocks of longer rows, whose bound is 8 ULP, not 4;
 * docs/NUMERICS.md, "Error budget") whose caller writes softmax outputs only (the kernels' tree argument;
 * log-sum-exp, log-softmax and cross-entropy keep the pairs until their log-sum-exp is known to be at least 8,
 * softmax.c's S4J_TREE_LSE_MIN: their absolute bounds take the sum's error whole) add
 * each step's terms as a tree, log2(S4J_SUM_STEP) fp32 roundings deep (3 on AVX-512, 2 on AVX2 and NEON), and that
 * one vector exactly: 1.6 or 2.25 operations per vector instead of 3.5, the sum within log2(S4J_SUM_STEP) x 2^-24
 * of its terms' (each level's roundings are at most 2^-24 of partial sums of disjoint non-negative terms). The
 * kernels pass S4J_SUM_TREE in their mode (a bit above the tiers' exp bits) for such calls; the grouping depends
 * on n and that argument only. Measured on Zen 5: the AVX-512 store pass 0.85x the time at 16K elements (README,
 * "Twenty-first session"). The portable tier sums in double: no tree. */
#define S4J_SUM_TREE 8
#if (S4J_EXP_SCALED | S4J_EXP_FOLD | S4J_EXP_LO) & S4J_SUM_TREE
#error "S4J_SUM_TREE must not share a bit with the tier's exp modes"
#endif

#if !defined(S4J_VSUM_OF_TIER)
typedef struct {
  s4j_vf acc;  /* the pairs so far, rounded */
  s4j_vf lost; /* what the additions into acc lost since the last flush */
  s4j_vdsum d; /* the flushed parts, in double */
} s4j_vsum;

static inline void s4j_vsum_init(s4j_vsum* a) {
  a->acc = a->lost = s4j_vset1(0.0f);
  s4j_vdsum_init(&a->d);
}
/* *acc += p (both >= 0); returns the rounding error, exactly (Fast2Sum on the larger and the smaller). */
static inline s4j_vf s4j_vsum_fast2sum(s4j_vf* acc, s4j_vf p) {
  const s4j_vf s = s4j_vadd(*acc, p);
  const s4j_vf e = s4j_vsub(s4j_vmin(*acc, p), s4j_vsub(s, s4j_vmax(*acc, p)));
  *acc = s;
  return e;
}
static inline void s4j_vsum_add(s4j_vsum* a, s4j_vf v) { a->lost = s4j_vadd(a->lost, s4j_vsum_fast2sum(&a->acc, v)); }
static inline void s4j_vsum_add4(s4j_vsum* a, s4j_vf v0, s4j_vf v1, s4j_vf v2, s4j_vf v3) {
  const s4j_vf e0 = s4j_vsum_fast2sum(&a->acc, s4j_vadd(v0, v2));
  const s4j_vf e1 = s4j_vsum_fast2sum(&a->acc, s4j_vadd(v1, v3));
  a->lost = s4j_vadd(a->lost, s4j_vadd(e0, e1));
}
/* One main-loop step: pairs, each added exactly; or with S4J_SUM_TREE in mode, the step's terms added as a
 * tree (log2(S4J_SUM_STEP) roundings) and that total added exactly ("Sums", S4J_SUM_TREE_MIN). */
static inline void s4j_vsum_add_step(s4j_vsum* a, const s4j_vf* z, const int mode) {
#if S4J_SUM_STEP == 8
  if (mode & S4J_SUM_TREE) {
    const s4j_vf t0 = s4j_vadd(s4j_vadd(z[0], z[4]), s4j_vadd(z[2], z[6]));
    const s4j_vf t1 = s4j_vadd(s4j_vadd(z[1], z[5]), s4j_vadd(z[3], z[7]));
    a->lost = s4j_vadd(a->lost, s4j_vsum_fast2sum(&a->acc, s4j_vadd(t0, t1)));
    return;
  }
  /* The pairs as fma(a, 1, b): the same rounding as a + b, on the FMA pipes, which the exact sums leave less busy
   * than the add pipes on AVX-512 (Zen 4, gcc: the store pass of rows up to 4096 took 0.96x the time; README,
   * "Twenty-ninth session"; clang folds it back into an add: the same bits, without the gain). */
  const s4j_vf one = s4j_vset1(1.0f);
  const s4j_vf e0 = s4j_vsum_fast2sum(&a->acc, s4j_vfma(z[0], one, z[4]));
  const s4j_vf e1 = s4j_vsum_fast2sum(&a->acc, s4j_vfma(z[1], one, z[5]));
  const s4j_vf e2 = s4j_vsum_fast2sum(&a->acc, s4j_vfma(z[2], one, z[6]));
  const s4j_vf e3 = s4j_vsum_fast2sum(&a->acc, s4j_vfma(z[3], one, z[7]));
  a->lost = s4j_vadd(a->lost, s4j_vadd(s4j_vadd(e0, e1), s4j_vadd(e2, e3)));
#else
  if (mode & S4J_SUM_TREE) {
    const s4j_vf t = s4j_vadd(s4j_vadd(z[0], z[2]), s4j_vadd(z[1], z[3]));
    a->lost = s4j_vadd(a->lost, s4j_vsum_fast2sum(&a->acc, t));
    return;
  }
  s4j_vsum_add4(a, z[0], z[1], z[2], z[3]);
#endif
}
/* The lost parts into double (every S4J_VSUM_FLUSH steps, S4J_SUM_MAIN). */
static inline void s4j_vsum_flush(s4j_vsum* a) {
  s4j_vdsum_add(&a->d, a->lost);
  a->lost = s4j_vset1(0.0f);
}
static inline double s4j_vsum_reduce(const s4j_vsum* a) {
  s4j_vdsum d = a->d;
  s4j_vdsum_add(&d, a->lost);
  s4j_vdsum_add(&d, a->acc);
  return s4j_vdsum_reduce(&d);
}
#else
static inline void s4j_vsum_add_step(s4j_vsum* a, const s4j_vf* z, const int mode) {
  (void)mode; /* the portable tier's sums are in double: no tree */
  s4j_vsum_add4(a, z[0], z[1], z[2], z[3]);
}
static inline void s4j_vsum_flush(s4j_vsum* a) { (void)a; }
#endif

/* The summing kernels' main loop (raddexp, raddstoreexp): steps of S4J_SUM_STEP vectors, S4J_VSUM_FLUSH of them
 * at a time (then the lost parts move into double), with the prefetches while S4J_PREFETCH_AHEAD more floats
 * follow the run. The grouping depends on n only (not on the prefetch distance or the addresses), so the sum
 * does too. STEP runs one step at x; ADVANCE moves the kernel's other pointers (y) by S4J_SUM_STEP vectors. */
#define S4J_SUM_MAIN(n, x, acc, STEP, ADVANCE)                                                        \
  do {                                                                                                \
    enum { S4J_STEP_FLOATS = S4J_SUM_STEP * S4J_VLEN };                                               \
    while ((n) >= S4J_STEP_FLOATS) {                                                                  \
      size_t s4j_k_ = (n) / S4J_STEP_FLOATS < S4J_VSUM_FLUSH ? (n) / S4J_STEP_FLOATS : S4J_VSUM_FLUSH; \
      if ((n) >= S4J_PREFETCH_AHEAD + s4j_k_ * S4J_STEP_FLOATS) {                                     \
        for (; s4j_k_ != 0; s4j_k_--, (n) -= S4J_STEP_FLOATS, (x) += S4J_STEP_FLOATS, ADVANCE) {      \
          for (int s4j_v_ = 0; s4j_v_ < S4J_STEP_FLOATS; s4j_v_ += 4 * S4J_VLEN) S4J_PREFETCH_ITER((x) + s4j_v_); \
          STEP;                                                                                       \
        }                                                                                             \
      } else {                                                                                        \
        for (; s4j_k_ != 0; s4j_k_--, (n) -= S4J_STEP_FLOATS, (x) += S4J_STEP_FLOATS, ADVANCE) STEP;  \
      }                                                                                               \
      s4j_vsum_flush(&(acc));                                                                         \
    }                                                                                                 \
  } while (0)

/* The exp mode of the reload's stored terms (raddstoreexp, and vsoftmaxshort, which gives the same bits): with
 * the table entries' rounding corrected (S4J_EXP_LO), so that each term rounds once. Without it (as until the
 * ninth session, for one operation per vector less in the in-cache workhorse) a term carried the entry's
 * rounding too, 1.74 ULP on AVX-512 (0.91 AVX2), and an output divided by a sum dominated by one such term
 * could carry both terms' errors: 4.53 ULP on AVX-512 for n = 2065 (the fuzzer's ops target), over the
 * documented 4 (docs/NUMERICS.md, "Error budget"). -DS4J_RELOAD_LO=0 leaves the rests out, for measurements
 * (on AVX-512 with the degree-3 polynomial and 16 entries of today, not the degree 2 and 32 entries of then). */
#if !defined(S4J_RELOAD_LO)
#define S4J_RELOAD_LO S4J_EXP_LO
#endif
/* The exp mode of the terms of calls that sum as trees (S4J_SUM_TREE: more than S4J_SUM_TREE_MIN terms of a softmax
 * output, bound 8 ULP, not 4, or of a log-sum-exp known to be at least 8; raddstoreexp and raddexp alike, so
 * that both give the same sum): without the rests. A term then carries its table entry's rounding (at most
 * 0.79 x 2^-24 of it on AVX-512, 0.54 x 2^-24 with 8 entries), and the bounds of such rows still hold with room
 * (docs/NUMERICS.md, "Error budget": the reload 7.22 ULP on AVX-512, 5.62 on AVX2 and NEON, against 8); one
 * vpermps less per vector in the in-cache workhorse: the reload 0.94-0.95x the time on AVX-512 and 0.89-0.90x on AVX2 at
 * 8K-1M on a Zen 4 (README, "Twenty-fifth session"). test_exp_exhaustive and test_exp_scaled sweep this exp
 * too, against its relative bound. The portable tier sums in double (no tree): it keeps the rests. */
#if !defined(S4J_TREE_LO)
#if defined(S4J_VSUM_OF_TIER)
#define S4J_TREE_LO S4J_RELOAD_LO
#else
#define S4J_TREE_LO 0
#endif
#endif

/* The table factor and exp mode of the store pass of a row whose terms only meet their own sum (S4J_ROW_CANCEL:
 * the reload of a softmax output without a log-sum-exp, and vsoftmaxshort). y = z_i / sum cancels any factor
 * common to all terms, so only the terms' distance from one common multiple reaches an output: with the tables
 * built for S4J_CANCEL_C8 (8 entries) and S4J_CANCEL_C16 (16), chosen so that the entries' roundings and the
 * terms' own roundings spread least (constants.h), and without the rests, 1.071 (AVX2) / 1.070 (AVX-512) x 2^-24
 * over every float (test_exp_exhaustive; 1.04 with the rests and c = 1), so the table tiers (S4J_CANCEL_C defined)
 * leave the rests out of such rows of every length (docs/NUMERICS.md, "Cancelling table"): one vpermps (on AVX2
 * and NEON also an add) per vector less. The portable tier keeps c = 1 and its rests. -DS4J_CANCEL_LO=S4J_EXP_LO keeps
 * the rests, for measurements. */
#if defined(S4J_CANCEL_C)
#if !defined(S4J_CANCEL_LO)
#define S4J_CANCEL_LO 0
#endif
#else
#define S4J_CANCEL_C 1.0
#define S4J_CANCEL_LO S4J_RELOAD_LO
#endif

/* Kernel names: s4j_f32_<op>__<isa>[_<method>]_<unroll> (kernels.h). */
#define S4J_PASTE6(a, b, c, d, e, f) a##b##c##d##e##f
#define S4J_XPASTE6(a, b, c, d, e, f) S4J_PASTE6(a, b, c, d, e, f)
#define S4J_PASTE8(a, b, c, d, e, f, g, h) a##b##c##d##e##f##g##h
#define S4J_XPASTE8(a, b, c, d, e, f, g, h) S4J_PASTE8(a, b, c, d, e, f, g, h)
/* a kernel without exp: s4j_f32_vscale__avx2_u32 */
#define S4J_FN(op) S4J_XPASTE6(s4j_f32_, op, __, S4J_ISA, _, S4J_U4)
/* a kernel with exp: s4j_f32_raddexp__avx2_lut8_p4_u32 */
#define S4J_FN_EXP(op) S4J_XPASTE8(s4j_f32_, op, __, S4J_ISA, _, S4J_METHOD, _, S4J_U4)

/* Calls BODY(args..., mode) with the mode a compile-time constant for each case the call can take: the s == 1
 * loop without the exact-product steps, and the loop with 2^-E folded into the table where the tier has one;
 * lo (0 or S4J_EXP_LO, a constant) is or-ed into every mode. */
#define S4J_EXP_CALL(s, p, lo, BODY, ...)                                                                  \
  ((s) == 1.0f ? (S4J_EXP_FOLDED(p) ? BODY(__VA_ARGS__, (lo) | S4J_EXP_FOLD) : BODY(__VA_ARGS__, (lo)))    \
               : (S4J_EXP_FOLDED(p) ? BODY(__VA_ARGS__, (lo) | S4J_EXP_SCALED | S4J_EXP_FOLD)               \
                                    : BODY(__VA_ARGS__, (lo) | S4J_EXP_SCALED)))

/* S4J_EXP_CALL for the summing kernels: with S4J_SUM_TREE or-ed into lo when tree (the call's n is above
 * S4J_SUM_TREE_MIN and its caller allows the tree). A tier with its own sums (the portable tier, in double) has no
 * tree: no second copy of its bodies. */
#if defined(S4J_VSUM_OF_TIER)
#define S4J_SUM_EXP_CALL(tree, s, p, lo, BODY, ...) ((void)(tree), S4J_EXP_CALL(s, p, (lo), BODY, __VA_ARGS__))
#else
#define S4J_SUM_EXP_CALL(tree, s, p, lo, BODY, ...)                                                       \
  ((tree) ? S4J_EXP_CALL(s, p, (lo) | S4J_SUM_TREE, BODY, __VA_ARGS__) : S4J_EXP_CALL(s, p, (lo), BODY, __VA_ARGS__))
#endif

#endif /* S4J_F32_SIMD_H */
