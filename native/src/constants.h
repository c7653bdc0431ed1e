/*
 * Named constants of the softmax4j numerics (docs/NUMERICS.md), shared by every C tier.
 * Private header: not installed.
 */
#ifndef S4J_CONSTANTS_H
#define S4J_CONSTANTS_H

#include <stdint.h>
#include <string.h>

/* Inputs are clamped below at X_LO (-65536): -Inf and masked-out tail lanes become X_LO. */
#define S4J_X_LO (-0x1.0p+16f)
/* log2(e) rounded to float: n = rint(x * LOG2E). */
#define S4J_LOG2E 0x1.715476p+0f
/* ln(2) = LN2_HI + LN2_LO (Cody-Waite); LN2_HI has four trailing zero bits, so n*LN2_HI is exact
 * inside one FMA for |n| <= 2^17. */
#define S4J_LN2_HI 0x1.62e430p-1f
#define S4J_LN2_LO (-0x1.05c610p-29f)
/* exp(t) ~= 1 + t*(C1 + t*(C2 + t*(C3 + t*(C4 + t*(C5 + t*C6))))) on [-ln2/2, ln2/2]
 * (degree-6 minimax for relative error, 0.15 ULP). */
#define S4J_C1 0x1.000000p+0f
#define S4J_C2 0x1.fffffcp-2f
#define S4J_C3 0x1.555418p-3f
#define S4J_C4 0x1.555824p-5f
#define S4J_C5 0x1.1267d8p-7f
#define S4J_C6 0x1.6ae6e0p-10f
/* Fast-path range of the largest n: E_HI = rint(65536*LOG2E), E_LO = -E_HI + 400. */
#define S4J_E_HI 94548.0f
#define S4J_E_LO (-94148.0f)
/* Initial running exponent of the extended-exponent sums: rint(X_LO*LOG2E), the smallest n. */
#define S4J_E_INIT (-94548.0f)
/* Smallest power-of-two exponent built in the exponent field; 2^-127 is built as +0.0. */
#define S4J_K_MIN (-127.0f)
/* rint for |v| < 2^22: (v + RINT_MAGIC) - RINT_MAGIC rounds to nearest even in the default mode. */
#define S4J_RINT_MAGIC 0x1.8p+23f
/* 2^k for integral k in [-127, 127]: the float k + EXP2_MAGIC holds k + 127 in its low mantissa
 * bits; shifting the bit pattern left by 23 moves them into the exponent field and the magic's own
 * bits out of the word (0x1.8p23 + 127 is exact). */
#define S4J_EXP2_MAGIC (0x1.8p+23f + 127.0f)
/* Temperature: every op may compute on s*x (s = 1/T). The clamp moves to X_LO / s so that the
 * clamped product stays at X_LO (rounded); the fast path takes 2^-100 <= s <= 2^100 (X_LO / s is then
 * finite and nonzero), the exact path any other positive s. */
#define S4J_SCALE_MIN 0x1.0p-100f
#define S4J_SCALE_MAX 0x1.0p+100f
/* The drivers call the reduction kernels in blocks of this many elements (256 KiB) and merge in double:
 * a block is the unit of the running E's redo, and a kernel call prefetches only within its block, so
 * blocks are long (4096, our first size, left every call without prefetches). */
#define S4J_BLOCK 65536
/* Summing kernel calls of more terms than this whose results feed softmax outputs only (the kernels' tree
 * argument) add each main-loop step as an fp32 tree and then exactly (s4j_f32_simd.h, S4J_SUM_TREE;
 * docs/NUMERICS.md, "Sums"): rows up to here keep their 4-ULP bound. */
#define S4J_SUM_TREE_MIN 4096
/* The summing kernels' tree argument is flags: S4J_ROW_TREE as above; S4J_ROW_CANCEL (raddstoreexp only, with
 * S4J_ROW_TREE: the reload of a softmax output without a log-sum-exp, every call of its row alike) says that the
 * stored terms are only ever divided by their own sum, so a factor common to all of them cancels: the table tiers
 * then build their tables for S4J_CANCEL_C8 (AVX2, NEON) or S4J_CANCEL_C16 (AVX-512) and leave out the rests
 * (docs/NUMERICS.md, "Cancelling table"). */
#define S4J_ROW_TREE 1
#define S4J_ROW_CANCEL 2
/* c/2 for a c in [1, 2) whose table makes the terms' relative errors least spread (scripts/cancel-factor-search.py,
 * a search over 2^26 values of c; docs/NUMERICS.md, "Cancelling table"). A term's spread is its entry's relative
 * rounding fl(2^(j/L) c) / (2^(j/L) c) plus its own final rounding, which is largest (2^-24 relative) where the
 * products of entry j cross a power of two, and ~2^-24 / m where their significands stay above m: the search takes
 * the c whose worst entry sits where its products' significands are large. L = 8: c = 1.9948779791593552 (the
 * entries' roundings within 0.093 x 2^-24, modelled half-width 1.010, measured 1.071 over every float); L = 16:
 * c = 1.5052042379975319 (roundings within 0.711, modelled 1.020, measured 1.070 over every float, 1.051 with
 * temperatures; the twenty-seventh session's c = 1.7362256199121475 had the least spread of roundings, 0.519,
 * but its worst entry where a term's rounding is largest: modelled 1.168, measured 1.218). Halved (exact) so that
 * the factor stays in (1/2, 1] as the bias needs (the entries are the factor times 2^(j/L)); the same roundings. */
#define S4J_CANCEL_C8 0.9974389895796776
#define S4J_CANCEL_C16 0.752602118998766
/* Pass 2 of two-pass writes y with non-temporal stores (no read for ownership: 8 bytes of memory traffic
 * per element instead of 12) from this many elements (16 MiB of y) on: measured on a Xeon (Emerald Rapids
 * VM, 300 MiB L3, one core), two-pass at 64M elements went from 1.20 to 0.91 ns per element, at 16M from
 * 1.16 to 1.04. An output this long is not kept in any cache a core has to itself anyway. On a Zen 4 (EPYC,
 * family 19h VM, 32 MiB L3, one core) the same: AVX-512 two-pass at 8M-64M 1.17-1.30x faster with them,
 * log-softmax 1.29-1.56x (benchmarks/results/zen4-nt.csv, three rounds). Off from AMD family S4J_NT_AMD_FAMILY_OFF on
 * (S4J_NT_OFF, chosen by the CPU probe in cpu.c): on a Zen 5 (EPYC, family 1Ah VM, one core, DRAM-bound at
 * 64M as on the Zen 4: its read-only sum ran at the same speed at 64M and 256M) a plain copy ran at 0.22 ns per
 * element and one with non-temporal stores at 0.26, and two-pass at 16M-64M with them took 1.0-1.18x
 * (AVX-512) and 1.15-1.25x (AVX2) the time without (benchmarks/results/zen5-nt.csv). */
#define S4J_NT_MIN (1u << 22)
#define S4J_NT_OFF SIZE_MAX
#define S4J_NT_AMD_FAMILY_OFF 0x1A
/* Software prefetch distance of the streaming kernels, in floats (s4j_prefetch_ahead, chosen once per process
 * in cpu.c). On: 4096 floats (16 KiB) ahead, measured on a Xeon (Emerald Rapids VM): pass 1 of two-pass at
 * 64M elements from 0.51 to 0.33 ns per element, the whole two-pass from 1.06 to 0.83; 4096 did better than
 * 1024. Off on AMD: on the Zen 5 the same prefetches made two-pass and the reload at 16M-64M 1.06-1.3x slower
 * (AVX-512 and AVX2; the hardware prefetcher keeps the loops fed there by itself; zen5-prefetch.csv).
 * OFF is a distance no block reaches (the loops with prefetches never run). */
#define S4J_PREFETCH_FLOATS 4096u
#define S4J_PREFETCH_OFF (SIZE_MAX / 2)

/* ---------------------------------------------------------------------------------------------
 * exp by table and polynomial (docs/NUMERICS.md, "exp"): exp(x) = 2^floor(v) * 2^(j/L) * exp(t) with
 * v = x*log2(e) rounded to a multiple of 1/L, j = L*v mod L, t = x - v*ln2 (Cody-Waite, LN2_HI/LO above).
 * ------------------------------------------------------------------------------------------- */
/* fma(x, LOG2E, MAGIC) rounds x*LOG2E once to a multiple of 1/L: MAGIC = 1.5 * 2^(23 - log2 L) has ulp
 * 1/L, and every |v| < 2^18 keeps the sum in MAGIC's binade, so the low log2(L) mantissa bits are j. */
#define S4J_MAGIC16 0x1.8p+19f
#define S4J_MAGIC8 0x1.8p+20f
/* L = 16 (AVX-512) keeps |v| < 2^18 in MAGIC16's binade: inputs are clamped below at -X_CLAMP (|v| <= 129,843);
 * above, an input past s*x = 181,700 is far beyond every fast-path E, and its block is redone or takes the exact
 * path. */
#define S4J_X_CLAMP 90000.0f
/* L = 16 (AVX-512): exp(t) ~= 1 + t*(1 + C2*t + C3*t^2), minimax for relative error on the t each mode reaches
 * (ours: a linear program over 4001 points, then the best float pair near its solution). s == 1: ln2/32 plus v's
 * rounding (|hi| * 1.9e-8 * ln2, 8.8e-4 at the fast path's |hi| <= 65636), [-0.02254, 0.02254]: 1.87e-9 = 0.031
 * units of 2^-24. With a temperature (S) the exact product's lo part joins t (up to 2^-9 where |hi| >= 2^15, 2^-8
 * at 2^16): [-0.02645, 0.02645], 3.55e-9 = 0.060 units. Until the twentieth session L was 32 (two vpermt2ps,
 * half the t) with C2 = 0x1.00022p-1, C3 = 0x1.55523ap-3, minimax on [-ln2/32, ln2/32] (1.6e-9), which would
 * reach 9.0e-9 at the scaled mode's edge. */
#define S4J_L16_C2 0x1.00024cp-1f
#define S4J_L16_C3 0x1.5555b4p-3f
#define S4J_L16S_C2 0x1.000328p-1f
#define S4J_L16S_C3 0x1.5555c2p-3f
/* L = 8 (AVX2, one 8-entry vpermps): exp(t) ~= 1 + t*(1 + t*(1/2 + C3*t + C4*t^2)) on [-ln2/16, ln2/16],
 * minimax as above: 4.3e-10 = 0.007 ULP (degree 3 would leave 0.46 ULP there). */
#define S4J_L8_C3 0x1.555f8cp-3f
#define S4J_L8_C4 0x1.555102p-5f
/* 2^(j/32), j = 0..31, correctly rounded doubles; L = 16 (AVX-512, portable) takes every other entry, L = 8
 * every fourth. A table scaled by c (1/sum in pass 2) is rounded to float once from the double product. */
static const double s4j_exp2_j32[32] = {
    0x1.0000000000000p+0, 0x1.059b0d3158574p+0, 0x1.0b5586cf9890fp+0, 0x1.11301d0125b51p+0,
    0x1.172b83c7d517bp+0, 0x1.1d4873168b9aap+0, 0x1.2387a6e756238p+0, 0x1.29e9df51fdee1p+0,
    0x1.306fe0a31b715p+0, 0x1.371a7373aa9cbp+0, 0x1.3dea64c123422p+0, 0x1.44e086061892dp+0,
    0x1.4bfdad5362a27p+0, 0x1.5342b569d4f82p+0, 0x1.5ab07dd485429p+0, 0x1.6247eb03a5585p+0,
    0x1.6a09e667f3bcdp+0, 0x1.71f75e8ec5f74p+0, 0x1.7a11473eb0187p+0, 0x1.82589994cce13p+0,
    0x1.8ace5422aa0dbp+0, 0x1.93737b0cdc5e5p+0, 0x1.9c49182a3f090p+0, 0x1.a5503b23e255dp+0,
    0x1.ae89f995ad3adp+0, 0x1.b7f76f2fb5e47p+0, 0x1.c199bdd85529cp+0, 0x1.cb720dcef9069p+0,
    0x1.d5818dcfba487p+0, 0x1.dfc97337b9b5fp+0, 0x1.ea4afa2a490dap+0, 0x1.f50765b6e4540p+0};
/* Terms that are summed or stored for a later pass are computed times 2^EXP_BIAS on every tier, so they never
 * underflow: the one rounding below 2^-126 is the final multiply (the reload's scaling pass, a sum's
 * ldexp), and results do not depend on where E came from (the running E of the reload, or the maximum).
 * Tiers that build 2^k in the exponent field (AVX2) always compute with the bias, clamp the input at
 * E - KCUT (those lanes then give exactly 0 once the bias is removed, and -Inf lands there), and remove it
 * with one multiply where the output is final. With the table scaled by c in (1/2, 1] and k - E in
 * [-KCUT - 1, KHI + 1], every biased value is a normal float. */
#define S4J_EXP_BIAS 64
/* The shortest call (floats) whose exp kernels fold 2^-E into their tables where the tier can (AVX-512): one
 * subtraction per vector less, but the tables then wait for E, and E for the first elements' maximum, so in a
 * short call nothing overlaps that chain. Below this the tables do not depend on E (results are the same bits:
 * the folded entries are exact power-of-two multiples). Measured (README, twelfth session), the AVX-512 reload
 * unfolded in every call against folded: 0.91-0.93x the time at 1K, a tie at 4K, 1.03x at 16K. */
#define S4J_FOLD_MIN 4096
/* The longest row (floats) that vsoftmaxshort takes out of place: the whole reload in one kernel call (in place,
 * one vector). A row this short is its own head (the reload's E comes from the first 256 elements), so the
 * fused kernel never needs the reload's redo. */
#define S4J_SHORT_ROW 256
/* The short-row kernels (vsoftmaxshort, raddexpshort) never fold E into the tables: their modes rest on it. */
#if S4J_SHORT_ROW >= S4J_FOLD_MIN
#error "short rows must not fold E into the tables"
#endif
/* ... nor sum as trees: they call the summing bodies in the pairs' mode, which raddstoreexp and raddexp give for
 * the same n only while n <= S4J_SUM_TREE_MIN. */
#if S4J_SHORT_ROW > S4J_SUM_TREE_MIN
#error "short rows must not reach the sums' tree"
#endif
/* The most rows vsoftmaxshort takes in one call (bits of its result). Measured (scratch timer, AVX-512, Zen 5):
 * one row per call 17.7 / 28.2 / 73.6 ns per row of 16 / 64 / 256 floats, two 14.7 / 24.5 / 56.4, four 14.2 /
 * 21.3 / 56.9; batches through s4j_f32_rows_at: README, "Eighteenth session". */
#define S4J_SHORT_GROUP 4
/* 2^-EXP_BIAS, for the multiplications that remove it (exact: ldexp is a libm call). */
#define S4J_EXP_UNBIAS 0x1.0p-64
#define S4J_KCUT 160
/* Sums and stored terms relative to a running E (the maximum of the first elements) accept inputs up to
 * 2^KHI above it: a block whose sum reaches 2^REDO is done again relative to its own maximum. Tiers that
 * build 2^k in the exponent field clamp inputs at E + KHI (s4j_vclamp_hi), so a term never exceeds
 * 2^(KHI + 2) (times 2^EXP_BIAS: below 2^127) and every larger input shows up as such a sum. */
#define S4J_KHI 60
#define S4J_REDO_EXP 58

/* ---------------------------------------------------------------------------------------------
 * Double precision (f64 kernels; docs/NUMERICS.md, "Double precision")
 * ------------------------------------------------------------------------------------------- */
/* Inputs (the products hi = fl(x*s)) are clamped below at X_LO; -Inf and masked-out tail lanes
 * become X_LO, whose term 2^(n - E) <= 2^-1100 is exactly 0 against any fast-path E. */
#define S4J_F64_X_LO (-0x1.0p+16)
/* log2(e) rounded to double: n = rint(hi * LOG2E). */
#define S4J_F64_LOG2E 0x1.71547652b82fep+0
/* ln(2) = LN2_HI + LN2_LO (Cody-Waite). LN2_HI is ln(2) rounded to 36 significant bits, so n*LN2_HI
 * is an exact double product for |n| < 2^17, and hi - n*LN2_HI is exact: n != 0 only for
 * |hi| >= ln2/2, where both terms are multiples of 2^-54 and the difference is below 1/2, so it fits
 * 53 bits. Exact with or without FMA. LN2_LO is the rest,
 * rounded to double (|ln2 - LN2_HI - LN2_LO| < 2^-93). */
#define S4J_F64_LN2_HI 0x1.62e42fefa0000p-1
#define S4J_F64_LN2_LO 0x1.cf79abc9e3b3ap-40
/* exp(t) ~= 1 + t*(1 + t*(C2 + t*(C3 + ... + t*C13))) on [-ln2/2, ln2/2]: Taylor degree 13,
 * C_k = 1/k! rounded to double. Relative error 2^-57.4 with these rounded coefficients (checked
 * with 300-bit arithmetic on 2001 points of [-ln2/2 - 2^-30, ln2/2 + 2^-30]). */
#define S4J_F64_C2 0x1.0000000000000p-1
#define S4J_F64_C3 0x1.5555555555555p-3
#define S4J_F64_C4 0x1.5555555555555p-5
#define S4J_F64_C5 0x1.1111111111111p-7
#define S4J_F64_C6 0x1.6c16c16c16c17p-10
#define S4J_F64_C7 0x1.a01a01a01a01ap-13
#define S4J_F64_C8 0x1.a01a01a01a01ap-16
#define S4J_F64_C9 0x1.71de3a556c734p-19
#define S4J_F64_C10 0x1.27e4fb7789f5cp-22
#define S4J_F64_C11 0x1.ae64567f544e4p-26
#define S4J_F64_C12 0x1.1eed8eff8d898p-29
#define S4J_F64_C13 0x1.6124613a86d09p-33
/* The low part of the exact product x*s is clamped to [-LO_MAX, LO_MAX]: a no-op on the fast path
 * (|hi| <= 2^16 there, so |lo| <= 2^-37) that turns the NaN of fma(x, s, -hi) for an overflowed
 * hi = -Inf (a clamped lane, whose term is 0 anyway) into a finite value. */
#define S4J_F64_LO_MAX 0x1.0p-30
/* Fast-path range of the largest n: E_HI = rint(2^16 * LOG2E); E_LO = E_INIT + 1100, so that clamped
 * inputs (n = E_INIT) scale by 2^(E_INIT - E) <= 2^-1100: exactly 0 in every tier. */
#define S4J_F64_E_HI 94548.0
#define S4J_F64_E_LO (-93448.0)
/* Smallest n: rint(X_LO * LOG2E). */
#define S4J_F64_E_INIT (-94548.0)
/* Smallest exponent built in the exponent field; 2^-1023 is built as +0.0. */
#define S4J_F64_K_MIN (-1023.0)
/* rint for |v| < 2^51: (v + RINT_MAGIC) - RINT_MAGIC rounds to nearest even in the default mode. */
#define S4J_F64_RINT_MAGIC 0x1.8p+52
/* 2^k for integral k in [-1023, 1023]: the double k + EXP2_MAGIC holds k + 1023 in its low mantissa
 * bits; shifting the bit pattern left by 52 moves them into the exponent field. */
#define S4J_F64_EXP2_MAGIC (0x1.8p+52 + 1023.0)

/* 2^k as a double for integral k in [-1022, 1023], built in the exponent field (ldexp is a libm call, and
 * these run once or twice per call of every kernel). */
static inline double s4j_pow2(int k) {
  const uint64_t bits = (uint64_t)(k + 1023) << 52;
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

/* The clamp bounds of the tiers that build 2^k in the exponent field (AVX2, NEON; s4j_vclamp_hi and their
 * s4j_vexp): xlo = max(X_LO, (E - KCUT) * ln2) / s, xhi = (E + KHI) * ln2 / s, rounded to float from double.
 * No libm call (fmax was one) and no division for s == 1: they run once per kernel call, on the critical path
 * of a short call. E is finite here. */
static inline void s4j_clamp_bounds(float e, float s, float* xlo, float* xhi) {
  const double ln2 = 0x1.62e42fefa39efp-1;
  const double lo = ((double)e - S4J_KCUT) * ln2;
  const double lo_c = lo > (double)S4J_X_LO ? lo : (double)S4J_X_LO;
  const double hi = ((double)e + S4J_KHI) * ln2;
  *xlo = (float)(s == 1.0f ? lo_c : lo_c / (double)s);
  *xhi = (float)(s == 1.0f ? hi : hi / (double)s);
}

#endif /* S4J_CONSTANTS_H */
