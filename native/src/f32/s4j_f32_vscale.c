/* vscale = Vector SCALE: y = z * inv in place, pass 3 of three-pass reload; z carries the tier's
 * 2^EXP_BIAS (raddstoreexp), removed here by scaling inv exactly. inv (a double) is split into two floats,
 * y = fma(z, hi, z * lo): one rounding per output instead of two (inv rounded to float, then the product).
 * With one (softmax rows above S4J_SUM_TREE_MIN without an lse output, unless their sum rounded to a float
 * gives a product with fl(inv) other than 1: softmax.c, s4j_one_product), y = z * fl(inv): the factor's
 * rounding (2^-24 of it) joins the output's, within those rows' 8-ULP budget (docs/NUMERICS.md, "Error
 * budget"); one operation per vector less, 0.95-0.97x the reload's time on AVX-512 at 16K-1M (README,
 * "Twenty-eighth session"). With top, also *top = the largest output (the fused argmax: a max per vector, free
 * in this store-bound loop). One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_simd.h"

/* The factor: hi + lo (hi alone when one), times 2^k when pow2 (see S4J_FN(vscale)). */
typedef struct {
  s4j_vf hi, lo, pow2;
} s4j_factor;

S4J_INLINE s4j_vf s4j_out(s4j_vf vz, const s4j_factor* f, const int pow2, const int one) {
  const s4j_vf o = one ? s4j_vmul(vz, f->hi) : s4j_vfma(vz, f->hi, s4j_vmul(vz, f->lo));
  return pow2 ? s4j_vmul(o, f->pow2) : o;
}

S4J_INLINE void s4j_iter(float* y, const s4j_factor* f, s4j_vf* acc, const int track, const int pow2,
                         const int one) {
  const s4j_vf vz0 = s4j_vload(y), vz1 = s4j_vload(y + S4J_VLEN);
  const s4j_vf vz2 = s4j_vload(y + 2 * S4J_VLEN), vz3 = s4j_vload(y + 3 * S4J_VLEN);
  const s4j_vf o0 = s4j_out(vz0, f, pow2, one), o1 = s4j_out(vz1, f, pow2, one);
  const s4j_vf o2 = s4j_out(vz2, f, pow2, one), o3 = s4j_out(vz3, f, pow2, one);
  s4j_vstore(y, o0);
  s4j_vstore(y + S4J_VLEN, o1);
  s4j_vstore(y + 2 * S4J_VLEN, o2);
  s4j_vstore(y + 3 * S4J_VLEN, o3);
  if (track) {
    acc[0] = s4j_vmax(o0, acc[0]);
    acc[1] = s4j_vmax(o1, acc[1]);
    acc[2] = s4j_vmax(o2, acc[2]);
    acc[3] = s4j_vmax(o3, acc[3]);
  }
}

/* The loops; returns the largest output when track (else -Inf). */
S4J_INLINE float s4j_body(size_t n, float* y, const s4j_factor* f, const int track, const int pow2,
                          const int one) {
  s4j_vf acc[4] = {s4j_vset1(-INFINITY), s4j_vset1(-INFINITY), s4j_vset1(-INFINITY), s4j_vset1(-INFINITY)};
  const size_t h = s4j_head_to_align(y, n);
  if (h != 0) {
    const s4j_vmask m = s4j_vtail_mask(h);
    const s4j_vf o = s4j_out(s4j_vload_tail_zero(y, m), f, pow2, one);
    s4j_vstore_tail(y, m, o);
    if (track) acc[3] = s4j_vmax(o, acc[3]);
    n -= h;
    y += h;
  }
  for (; n >= S4J_PREFETCH_AHEAD + 4 * S4J_VLEN; n -= 4 * S4J_VLEN, y += 4 * S4J_VLEN) {
    S4J_PREFETCH_ITER(y);
    s4j_iter(y, f, acc, track, pow2, one);
  }
  for (; n >= 4 * S4J_VLEN; n -= 4 * S4J_VLEN, y += 4 * S4J_VLEN) s4j_iter(y, f, acc, track, pow2, one);
  for (; n >= S4J_VLEN; n -= S4J_VLEN, y += S4J_VLEN) {
    const s4j_vf o = s4j_out(s4j_vload(y), f, pow2, one);
    s4j_vstore(y, o);
    if (track) acc[0] = s4j_vmax(o, acc[0]);
  }
  if (n != 0) {
    const s4j_vmask m = s4j_vtail_mask(n);
    const s4j_vf o = s4j_out(s4j_vload_tail_zero(y, m), f, pow2, one); /* other lanes: 0, below every output */
    s4j_vstore_tail(y, m, o);
    if (track) acc[1] = s4j_vmax(o, acc[1]);
  }
  return track ? s4j_vhmax(s4j_vmax(s4j_vmax(acc[0], acc[1]), s4j_vmax(acc[2], acc[3]))) : -INFINITY;
}

void S4J_FN(vscale)(size_t n, float* y, double inv, int one, float* top) {
  const double scaled = inv * S4J_EXP_UNBIAS; /* >= 2^-120 (s4j_segment_scale) */
  /* hi + lo = scaled to ~2^-48 while lo keeps all its bits. Below 2^-97 it may not (lo is ~2^-24 of hi):
   * then hi + lo = scaled * 2^-k with scaled * 2^-k in [0.5, 1), and each output is multiplied by 2^k after
   * its one rounding (exact while it is normal). A subnormal lo lost bits that depended on the factor's
   * exponent, so a reload whose terms were relative to a far lower E (the first 256 elements' maximum, ~37
   * binades below the row's) differed in the last bit from the in-place reload (relative to the maximum). */
  s4j_factor f;
  const int pow2 = scaled < 0x1.0p-97; /* below, lo's last bit (2^-52 of scaled) would be under 2^-149 */
  int k = 0;
  const double m = pow2 ? frexp(scaled, &k) : scaled;
  const float hi = (float)m;
  f.hi = s4j_vset1(hi);
  f.lo = s4j_vset1((float)(m - (double)hi));
  f.pow2 = s4j_vset1(pow2 ? (float)s4j_pow2(k) : 1.0f);
  /* one with pow2 too: z * fl(m) has the bits of z * fl(scaled) scaled by 2^-k, so a segment's outputs do not
   * depend on which side of 2^-97 its factor fell (the in-place and out-of-place reloads agree) */
#define S4J_VSCALE_BODY(track)                                                                   \
  (pow2 ? (one ? s4j_body(n, y, &f, track, 1, 1) : s4j_body(n, y, &f, track, 1, 0))              \
        : (one ? s4j_body(n, y, &f, track, 0, 1) : s4j_body(n, y, &f, track, 0, 0)))
  if (top != NULL) {
    *top = S4J_VSCALE_BODY(1);
  } else {
    (void)S4J_VSCALE_BODY(0);
  }
#undef S4J_VSCALE_BODY
}
