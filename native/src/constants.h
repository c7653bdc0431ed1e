/*
 * Named constants of the softmax4j numerics (docs/NUMERICS.md), shared by every C tier.
 * Private header: not installed.
 */
#ifndef S4J_CONSTANTS_H
#define S4J_CONSTANTS_H

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
/* The drivers call the reduction kernels in blocks of this many elements and merge in double. */
#define S4J_BLOCK 4096

#endif /* S4J_CONSTANTS_H */
