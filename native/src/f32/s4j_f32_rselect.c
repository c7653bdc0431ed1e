/* rselect = Reduce-SELECT: the indices i in [0, n) with t <= x[i] <= u or x[i] NaN (the sampler's candidates:
 * one comparison per element, two with an upper bound below +Inf, the rare hits extracted from the lane mask).
 * Writes at most cap of them into idx, in ascending order, and (val not NULL) their elements into val, and
 * returns how many there are in all. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
static inline unsigned s4j_ctz(uint32_t m) {
  unsigned long i;
  _BitScanForward(&i, m);
  return (unsigned)i;
}
static inline unsigned s4j_ctz64(uint64_t m) {
  unsigned long i;
  _BitScanForward64(&i, m);
  return (unsigned)i;
}
#else
static inline unsigned s4j_ctz(uint32_t m) { return (unsigned)__builtin_ctz(m); }
static inline unsigned s4j_ctz64(uint64_t m) { return (unsigned)__builtin_ctzll(m); }
#endif

/* The set bits of m, with no POPCNT (not among the tiers' compiler flags: gcc would call libgcc) */
static inline unsigned s4j_popcount(uint32_t m) {
  m = m - ((m >> 1) & 0x55555555u);
  m = (m & 0x33333333u) + ((m >> 2) & 0x33333333u);
  return (((m + (m >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24;
}

/* The hits of lane mask m over x[base ..], stored (their elements too, val not NULL: the sampler then reads no
 * logit back from the vocabulary) while idx has room, then only counted (a threshold that lets most of the row
 * through, the sampler's flat nucleus: a hit at a time cost ~1 ns per element there). */
static inline int64_t s4j_take(uint32_t m, const float* x, int64_t base, int32_t* idx, float* val, int64_t cap,
                               int64_t count) {
  for (; m != 0 && count < cap; m &= m - 1, count++) {
    const int64_t i = base + (int64_t)s4j_ctz(m);
    idx[count] = (int32_t)i;
    if (val != NULL) val[count] = x[i];
  }
  return m != 0 ? count + (int64_t)s4j_popcount(m) : count; /* idx full: count the rest */
}

/* s4j_take over the whole vector at x + base: where the tier packs lanes in registers (S4J_VCOMPRESS) and idx has
 * room for a whole vector, the hits' indices (and elements) in two vector stores (per hit, the loop above cost
 * ~1.5 ns, the sampler's largest cost after its log-sum-exp and the passes themselves). */
static inline int64_t s4j_take_vector(uint32_t m, const float* x, int64_t base, int32_t* idx, float* val, int64_t cap,
                                      int64_t count) {
#if defined(S4J_VCOMPRESS)
  if (m != 0 && count + S4J_VLEN <= cap) {
    s4j_vcompress_store(idx + count, val == NULL ? NULL : val + count, m, (int32_t)base, s4j_vload(x + base));
    return count + (int64_t)s4j_popcount(m);
  }
#endif
  return s4j_take(m, x, base, idx, val, cap, count);
}

/* The lanes of v selected: v >= t or NaN, and (ranged) v <= u or NaN (a bound of +Inf: ranged 0, one compare). */
S4J_INLINE uint32_t s4j_select_mask(s4j_vf v, s4j_vf vt, s4j_vf vu, const int ranged) {
  const uint32_t m = s4j_vmask_ge_or_nan(v, vt);
  return ranged ? m & s4j_vmask_ge_or_nan(vu, v) : m;
}

/* The hits among the first rem (< VLEN) floats at x + i, lanes past them masked off. */
S4J_INLINE int64_t s4j_take_part(const float* x, size_t i, size_t rem, s4j_vf vt, s4j_vf vu, const int ranged,
                                 int32_t* idx, float* val, int64_t cap, int64_t count) {
  const uint32_t lanes = (uint32_t)((UINT64_C(1) << rem) - 1); /* the masked-out lanes are not elements */
  const s4j_vf v = s4j_vload_tail_zero(x + i, s4j_vtail_mask(rem));
  return s4j_take(s4j_select_mask(v, vt, vu, ranged) & lanes, x, (int64_t)i, idx, val, cap, count);
}

S4J_INLINE int64_t s4j_select(size_t n, const float* x, float t, float u, int32_t* idx, float* val, int64_t cap,
                              const int ranged) {
  const s4j_vf vt = s4j_vset1(t);
  const s4j_vf vu = s4j_vset1(u);
  int64_t count = 0;
  /* the floats before x's first vector-aligned one first: every load after them is aligned */
  size_t i = s4j_head_to_align(x, n);
  if (i != 0) count = s4j_take_part(x, 0, i, vt, vu, ranged, idx, val, cap, count);
  for (; i + 4 * S4J_VLEN <= n; i += 4 * S4J_VLEN) {
    if (n - i >= S4J_PREFETCH_AHEAD + 4 * S4J_VLEN) S4J_PREFETCH_ITER(x + i);
    const uint32_t m0 = s4j_select_mask(s4j_vload(x + i), vt, vu, ranged);
    const uint32_t m1 = s4j_select_mask(s4j_vload(x + i + S4J_VLEN), vt, vu, ranged);
    const uint32_t m2 = s4j_select_mask(s4j_vload(x + i + 2 * S4J_VLEN), vt, vu, ranged);
    const uint32_t m3 = s4j_select_mask(s4j_vload(x + i + 3 * S4J_VLEN), vt, vu, ranged);
    if ((m0 | m1 | m2 | m3) != 0) { /* rare: a few hundred hits in a vocabulary */
      count = s4j_take_vector(m0, x, (int64_t)i, idx, val, cap, count);
      count = s4j_take_vector(m1, x, (int64_t)(i + S4J_VLEN), idx, val, cap, count);
      count = s4j_take_vector(m2, x, (int64_t)(i + 2 * S4J_VLEN), idx, val, cap, count);
      count = s4j_take_vector(m3, x, (int64_t)(i + 3 * S4J_VLEN), idx, val, cap, count);
    }
  }
  for (; i + S4J_VLEN <= n; i += S4J_VLEN) {
    count = s4j_take_vector(s4j_select_mask(s4j_vload(x + i), vt, vu, ranged), x, (int64_t)i, idx, val, cap, count);
  }
  if (i < n) count = s4j_take_part(x, i, n - i, vt, vu, ranged, idx, val, cap, count);
  return count;
}

int64_t S4J_FN(rselect)(size_t n, const float* x, float t, float u, int32_t* idx, float* val, int64_t cap) {
  return u == INFINITY ? s4j_select(n, x, t, u, idx, val, cap, 0) : s4j_select(n, x, t, u, idx, val, cap, 1);
}

/* rargmax = Reduce-ARGMAX: the index of the first largest element, or of the first NaN as -1 - index (the
 * sampler's greedy decoding and its NaN check in one call); -1 - n never happens for n >= 1 (every element
 * -Inf gives index 0 of a -Inf maximum, for the caller to reject). One pass over memory: the maximum of each
 * block of S4J_ARGMAX_BLOCK elements and whether it holds a NaN (then the first NaN is found in that block, in
 * L1: every block before it had none), keeping the first block that raised the maximum; then the first lane
 * equal to the maximum is searched in that block only.
 * Eight vectors per iteration, loaded once and kept in registers (s4j_vkeep: gcc folded each load into both of its
 * uses, 16 loads per iteration, which held AVX2 on Zen 4 to twice a read-only sum's time), their maximum as a
 * tree into two max chains (fewer registers than a chain per vector, the same eight max operations) and their
 * pairs' NaN tests into four chains (two tests in a row per chain made AVX-512's mask chain 2x slower); a max must
 * see every vector (no one instruction both takes a max and keeps a NaN). README, "Thirtieth session". Tiers with
 * a fast NaN test (S4J_VNAN_FAST: AVX2, on AMD: s4j_argmax_fast_nan) use it until it says "maybe" in a block
 * without a NaN (a row with infinities), and the exact test for the rest of the row ("Thirty-third session"). */
#define S4J_ARGMAX_BLOCK (64 * S4J_VLEN)

/* The index of the first NaN among x[0, n), or -1: a vector at a time (a lane unequal to itself). */
static int64_t s4j_first_nan(const float* x, size_t n) {
  const uint32_t all = (uint32_t)((UINT64_C(1) << S4J_VLEN) - 1);
  size_t k = 0;
  for (; k + S4J_VLEN <= n; k += S4J_VLEN) {
    const s4j_vf a = s4j_vload(x + k);
    const uint32_t m = s4j_vmask_eq(a, a);
    if (m != all) return (int64_t)(k + s4j_ctz(~m & all));
  }
  for (; k < n; k++) {
    if (x[k] != x[k]) return (int64_t)k;
  }
  return -1;
}

/* The largest of x[0, len) (len a multiple of eight vectors; NaN lanes left out), and in *maybe_nan whether the
 * block may hold a NaN: exactly, or with fast (S4J_VNAN_FAST) possibly also without one. rem: the floats from x
 * to the row's end (for the prefetch bound). fast is a constant at each call: two loops. */
S4J_INLINE float s4j_argmax_block(const float* x, size_t len, size_t rem, const int fast, int* maybe_nan) {
  s4j_vf m0 = s4j_vset1(-INFINITY), m1 = m0;
  s4j_vnan nan0 = s4j_vnan_init(), nan1 = nan0, nan2 = nan0, nan3 = nan0;
  for (size_t j = 0; j < len; j += 8 * S4J_VLEN) {
    if (rem - j >= S4J_PREFETCH_AHEAD + 8 * S4J_VLEN) {
      S4J_PREFETCH_ITER(x + j);
      S4J_PREFETCH_ITER(x + j + 4 * S4J_VLEN);
    }
    s4j_vf v[8];
    for (int q = 0; q < 8; q++) {
      v[q] = s4j_vload(x + j + (size_t)q * S4J_VLEN);
      s4j_vkeep(&v[q]);
    }
    /* A NaN may rise through the tree (x86's max returns its second operand for a NaN), but it meets m as the
     * first operand, for which max returns m: no NaN enters m (a block with one goes to the NaN scan). */
    m0 = s4j_vmax(s4j_vmax(s4j_vmax(v[0], v[1]), s4j_vmax(v[2], v[3])), m0);
    m1 = s4j_vmax(s4j_vmax(s4j_vmax(v[4], v[5]), s4j_vmax(v[6], v[7])), m1);
    if (fast) {
      nan0 = s4j_vnan_add_fast(nan0, v[0], v[1]);
      nan1 = s4j_vnan_add_fast(nan1, v[2], v[3]);
      nan2 = s4j_vnan_add_fast(nan2, v[4], v[5]);
      nan3 = s4j_vnan_add_fast(nan3, v[6], v[7]);
    } else {
      nan0 = s4j_vnan_add(nan0, v[0], v[1]);
      nan1 = s4j_vnan_add(nan1, v[2], v[3]);
      nan2 = s4j_vnan_add(nan2, v[4], v[5]);
      nan3 = s4j_vnan_add(nan3, v[6], v[7]);
    }
  }
  *maybe_nan = s4j_vnan_any(nan0) || s4j_vnan_any(nan1) || s4j_vnan_any(nan2) || s4j_vnan_any(nan3);
  return s4j_vhmax(s4j_vmax(m0, m1));
}

int64_t S4J_FN(rargmax)(size_t n, const float* x) {
  float best = -INFINITY;
  size_t best_at = 0, best_end = n; /* the block holding the first maximum */
  /* The floats before x's first vector-aligned one as a block of their own: every load after it is aligned
   * (a Java heap array almost never is; misaligned, the pass took 1.5x as long). The result is exact, so it
   * does not depend on where x is. */
  size_t i = s4j_head_to_align(x, n);
  if (i != 0) {
    const s4j_vf a = s4j_vload_tail(x, s4j_vtail_mask(i)); /* other lanes: -Inf, ordered */
    if (s4j_vnan_any(s4j_vnan_add(s4j_vnan_init(), a, a))) return -1 - s4j_first_nan(x, i);
    best = s4j_vhmax(a);
    best_end = i;
  }
  /* blocks of S4J_ARGMAX_BLOCK floats, the last of them shorter (whole iterations of eight vectors): a Java array
   * 16 bytes off took the one-vector loop below over all but its first floats at n = 1024, 3.6x the time */
  int fast = S4J_VNAN_FAST && s4j_argmax_fast_nan;
  while (n - i >= 8 * S4J_VLEN) {
    const size_t len = n - i >= S4J_ARGMAX_BLOCK ? S4J_ARGMAX_BLOCK : (n - i) / (8 * S4J_VLEN) * (8 * S4J_VLEN);
    int maybe_nan;
    const float mx = fast ? s4j_argmax_block(x + i, len, n - i, 1, &maybe_nan)
                          : s4j_argmax_block(x + i, len, n - i, 0, &maybe_nan);
    if (maybe_nan) {
      const int64_t at = s4j_first_nan(x + i, len);
      if (at >= 0) return -1 - (int64_t)(i + at);
      fast = 0; /* infinities: the exact test from here on */
    }
    if (mx > best) {
      best = mx;
      best_at = i;
      best_end = i + len;
    }
    i += len;
  }
  if (i < n) { /* the rest, fewer than eight vectors */
    s4j_vf m0 = s4j_vset1(-INFINITY);
    s4j_vnan nan0 = s4j_vnan_init();
    size_t j = i;
    for (; j + S4J_VLEN <= n; j += S4J_VLEN) {
      const s4j_vf a = s4j_vload(x + j);
      m0 = s4j_vmax(a, m0);
      nan0 = s4j_vnan_add(nan0, a, a);
    }
    if (j < n) {
      const s4j_vf a = s4j_vload_tail(x + j, s4j_vtail_mask(n - j)); /* other lanes: -Inf, ordered */
      m0 = s4j_vmax(a, m0);
      nan0 = s4j_vnan_add(nan0, a, a);
    }
    if (s4j_vnan_any(nan0)) return -1 - (int64_t)(i + (size_t)s4j_first_nan(x + i, n - i));
    const float mx = s4j_vhmax(m0);
    if (mx > best) {
      best = mx;
      best_at = i;
      best_end = n;
    }
  }
  /* the first lane equal to the maximum, four vectors at a time (a scalar loop over the block cost as much as
   * the whole pass at 32K elements; a vector at a time, a branch per vector) */
  const size_t end = best_end;
  const s4j_vf vbest = s4j_vset1(best);
  size_t k = best_at;
  for (; k + 4 * S4J_VLEN <= end; k += 4 * S4J_VLEN) {
    const uint64_t m = (uint64_t)s4j_vmask_eq(s4j_vload(x + k), vbest) |
                       (uint64_t)s4j_vmask_eq(s4j_vload(x + k + S4J_VLEN), vbest) << S4J_VLEN |
                       (uint64_t)s4j_vmask_eq(s4j_vload(x + k + 2 * S4J_VLEN), vbest) << 2 * S4J_VLEN |
                       (uint64_t)s4j_vmask_eq(s4j_vload(x + k + 3 * S4J_VLEN), vbest) << 3 * S4J_VLEN;
    if (m != 0) return (int64_t)(k + s4j_ctz64(m));
  }
  for (; k + S4J_VLEN <= end; k += S4J_VLEN) {
    const uint32_t m = s4j_vmask_eq(s4j_vload(x + k), vbest);
    if (m != 0) return (int64_t)(k + s4j_ctz(m));
  }
  if (k < end) {
    const size_t rem = end - k;
    const uint32_t m = s4j_vmask_eq(s4j_vload_tail_zero(x + k, s4j_vtail_mask(rem)), vbest) &
                       (uint32_t)((UINT64_C(1) << rem) - 1); /* the masked-out lanes are not elements */
    if (m != 0) return (int64_t)(k + s4j_ctz(m));
  }
  return 0; /* every element -Inf: the maximum -Inf is at 0 */
}
