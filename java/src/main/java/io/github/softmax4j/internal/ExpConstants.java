package io.github.softmax4j.internal;

/**
 * The constants of the shared numerics (docs/NUMERICS.md), the same bit patterns as
 * {@code native/src/constants.h}. Kept free of any Vector API type.
 */
public final class ExpConstants {
    private ExpConstants() {
    }

    /** Inputs below are clamped here; -Inf becomes this, so it contributes exactly nothing. */
    public static final float X_LO = -0x1.0p+16f;
    public static final float LOG2E = 0x1.715476p+0f;
    /** ln 2 split for Cody-Waite reduction; LN2_HI has trailing zero bits so n * LN2_HI is exact. */
    public static final float LN2_HI = 0x1.62e430p-1f;
    public static final float LN2_LO = -0x1.05c610p-29f;
    /** Degree-6 minimax polynomial for exp(t), t in [-ln2/2, ln2/2], relative error 0.15 ULP. */
    public static final float C1 = 0x1.000000p+0f;
    public static final float C2 = 0x1.fffffcp-2f;
    public static final float C3 = 0x1.555418p-3f;
    public static final float C4 = 0x1.555824p-5f;
    public static final float C5 = 0x1.1267d8p-7f;
    public static final float C6 = 0x1.6ae6e0p-10f;
    /** Fast path valid iff E_LO <= (largest exponent n) <= E_HI and no NaN; else the exact path. */
    public static final float E_HI = 94548.0f;
    public static final float E_LO = -94148.0f;
    /** Pass-1 block length whose fp32 partial sums are merged into double (bounds the rounding error). */
    public static final int BLOCK = 4096;
    /** 2^k for integer k in [-127, 128]: k + MAGIC_BIAS puts k + 127 in the low mantissa bits. */
    public static final float MAGIC_BIAS = 0x1.8p23f + 127.0f;

    /** The fast path takes scales in [SCALE_MIN, SCALE_MAX] (X_LO / s is then finite and nonzero). */
    public static final float SCALE_MIN = 0x1.0p-100f;
    public static final float SCALE_MAX = 0x1.0p+100f;
    /** ln 2 in double, for logsumexp = log(m) + e * ln 2. */
    public static final double LN2 = 0x1.62e42fefa39efp-1;

    /** The bits of MAGIC_BIAS + 128: as pow2's argument plus MAGIC_BIAS, it gives +Inf. */
    public static final int POW2_CAP_BITS = Float.floatToRawIntBits(MAGIC_BIAS + 128.0f);

    /**
     * 2^k for an integer-valued k in [-126, 127], with k < -126 giving +0.0 and k >= 128 +Inf (the reload's
     * terms relative to an exponent below their own must show as a huge sum; JavaKernel); NaN gives a
     * meaningless finite.
     */
    public static float pow2(float k) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(Math.min(Math.max(k, -127.0f), 128.0f) + MAGIC_BIAS) << 23);
    }

    /** The clamp for scale s: s * (X_LO / s) is X_LO up to one rounding. */
    public static float xlo(float s) {
        return X_LO / s;
    }

    /**
     * The clamp of the inputs of a pass whose exponent is e: max(xlo(s), x_e) with s * x_e ~ (e - 127.25) ln 2.
     * Every input below x_e has n <= e - 127 and so a term of +0.0 (2^(n - e) underflows), as x_e's own;
     * clamped there, n - e is at least -127 and 2^(n - e) needs no lower clamp of its own.
     */
    public static float clamp(float s, float e) {
        return Math.max(xlo(s), (float) ((e - 127.25) * LN2 / s));
    }

    /**
     * n = rint(hi * LOG2E) for hi = fl(max(xlo, x) * s), the product taken exactly (in double here, by one
     * FMA with a rounding bias in the Vector API), as every kernel computes it (monotone in x). NaN stays NaN.
     */
    public static float exponent(float x, float s, float xlo) {
        return (float) Math.rint((double) (Math.max(xlo, x) * s) * LOG2E);
    }

    /**
     * p with p * 2^n = exp(s * max(xlo, x)) for n = exponent(x, s, xlo); the product s*x is taken exactly
     * (hi + lo by an FMA), so its fp32 rounding never reaches the result. NaN stays NaN.
     */
    public static float mantissa(float x, float s, float xlo, float n) {
        float v = Math.max(xlo, x);
        float hi = v * s;
        float lo = Fma.fma(v, s, -hi);
        float t = Fma.fma(n, -LN2_HI, hi);
        // with a temperature the small parts lo - n*LN2_LO go in first, so that t rounds once (twice until the
        // fourteenth session: 1.17 ULP against 1.06 now, sampled); VectorKernel#mantissa takes the same steps
        t = s == 1.0f ? Fma.fma(n, -LN2_LO, t) : t + Fma.fma(n, -LN2_LO, lo);
        float p = Fma.fma(t, C6, C5);
        p = Fma.fma(p, t, C4);
        p = Fma.fma(p, t, C3);
        p = Fma.fma(p, t, C2);
        p = Fma.fma(p, t, C1);
        return Fma.fma(p, t, 1.0f);
    }

    /** Whether the fast path can run with scale s. */
    public static boolean scaleValid(float s) {
        return s >= SCALE_MIN && s <= SCALE_MAX;
    }

    /** Whether a sum whose largest exponent is e and whose mantissa sum is m may take the fast path. */
    public static boolean fastPathValid(double m, double e) {
        return m > 0 && m < Double.POSITIVE_INFINITY && e >= E_LO && e <= E_HI;
    }

    /** log(m * 2^e). */
    public static double lse(double m, double e) {
        return Math.log(m) + e * LN2;
    }
}
