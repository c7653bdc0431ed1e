package io.github.softmax4j.internal;

import io.github.softmax4j.Algorithm;

/**
 * Double-precision softmax and log-sum-exp in plain scalar Java, with the numerics of the native f64
 * kernels (docs/NUMERICS.md, "Double precision"): exp(x*s) = p * 2^n with the product x*s taken exactly
 * (hi = fl(x*s), lo = fma(x, s, -hi)), Cody-Waite reduction with a 36-bit LN2_HI, Taylor degree 13,
 * double-double sums (2Sum per term) merged block by block by the max rule, a double-double 1/S, and
 * the exact path for NaN, +-Inf, |x*s| beyond 2^16 and all -Inf.
 *
 * <p>The algorithms (two-pass, three-pass recompute / reload) live here once, over an {@link Ops} table
 * of the five per-block kernels; {@code VectorF64} runs them with its own table. Stateless; callers have
 * checked every array, offset and length.
 */
final class ScalarF64 {
    private ScalarF64() {
    }

    // Constants: the bit patterns of native/src/constants.h (S4J_F64_*).
    static final double X_LO = -0x1.0p16;
    static final double LOG2E = 0x1.71547652b82fep0;
    /** ln 2 rounded to 36 bits: n * LN2_HI is exact for |n| < 2^17 and hi - n * LN2_HI is exact. */
    static final double LN2_HI = 0x1.62e42fefa0000p-1;
    static final double LN2_LO = 0x1.cf79abc9e3b3ap-40;
    /** Taylor coefficients 1/k!, k = 2..13 (relative error 2^-57.4 on [-ln2/2, ln2/2]). */
    static final double C2 = 0x1.0000000000000p-1;
    static final double C3 = 0x1.5555555555555p-3;
    static final double C4 = 0x1.5555555555555p-5;
    static final double C5 = 0x1.1111111111111p-7;
    static final double C6 = 0x1.6c16c16c16c17p-10;
    static final double C7 = 0x1.a01a01a01a01ap-13;
    static final double C8 = 0x1.a01a01a01a01ap-16;
    static final double C9 = 0x1.71de3a556c734p-19;
    static final double C10 = 0x1.27e4fb7789f5cp-22;
    static final double C11 = 0x1.ae64567f544e4p-26;
    static final double C12 = 0x1.1eed8eff8d898p-29;
    static final double C13 = 0x1.6124613a86d09p-33;
    /** |lo| <= 2^-37 on the fast path; the clamp only keeps clamped lanes finite. */
    static final double LO_MAX = 0x1.0p-30;
    static final double E_HI = 94548.0;
    static final double E_LO = -93448.0;
    static final double E_INIT = -94548.0;
    static final double K_MIN = -1023.0;
    /** 2^k for integral k in [-1023, 1023]: k + EXP2_MAGIC holds k + 1023 in its low mantissa bits. */
    static final double EXP2_MAGIC = 0x1.8p52 + 1023.0;
    static final int BLOCK = 4096;

    static final int ALGO_AUTO = 0;
    static final int ALGO_TWO_PASS = 1;
    static final int ALGO_THREE_PASS_RECOMPUTE = 2;
    static final int ALGO_THREE_PASS_RELOAD = 3;

    /**
     * The five per-block kernels of one backend. Sums add into {@code acc} = {s, c}, a compensated pair.
     * {@code scaled == false} means s == 1.
     */
    interface Ops {
        /** max(X_LO, max fl(x*s)), or NaN when some fl(x*s) is NaN. */
        double rmax(double[] x, int off, int n, double s, boolean scaled);

        void raddexp(double[] x, int off, int n, double s, boolean scaled, double e, double[] acc);

        void raddstoreexp(double[] x, int xOff, double[] y, int yOff, int n, double s, boolean scaled, double e,
                double[] acc);

        void vscaleexp(double[] x, int xOff, double[] y, int yOff, int n, double s, boolean scaled, double invHi,
                double invLo, double e);

        void vscale(double[] y, int off, int n, double invHi, double invLo);
    }

    // ---------------------------------------------------------------------------------------------
    // exp(hi + lo) = p * 2^n, one element
    // ---------------------------------------------------------------------------------------------

    /** n = rint(max(X_LO, hi) * LOG2E); NaN stays NaN (Math.max propagates it). */
    static double exponent(double hi) {
        return Math.rint(Math.max(X_LO, hi) * LOG2E);
    }

    /** The low part of x*s for hi = fl(x*s), computed against max(X_LO, hi) and clamped to +-LO_MAX. */
    static double lowPart(double x, double s, double hi) {
        double l = Fma.fma(x, s, -Math.max(X_LO, hi));
        return l > -LO_MAX ? (l < LO_MAX ? l : LO_MAX) : -LO_MAX;
    }

    /** p = exp(t), t = max(X_LO, hi) - n ln2 + lo: exact first step, then Taylor degree 13 by Horner. */
    static double mantissa(double hi, double lo, double n) {
        double t = Fma.fma(n, -LN2_HI, Math.max(X_LO, hi)) + Fma.fma(n, -LN2_LO, lo);
        double q = Fma.fma(C13, t, C12);
        q = Fma.fma(q, t, C11);
        q = Fma.fma(q, t, C10);
        q = Fma.fma(q, t, C9);
        q = Fma.fma(q, t, C8);
        q = Fma.fma(q, t, C7);
        q = Fma.fma(q, t, C6);
        q = Fma.fma(q, t, C5);
        q = Fma.fma(q, t, C4);
        q = Fma.fma(q, t, C3);
        q = Fma.fma(q, t, C2);
        q = Fma.fma(q, t, 1.0);
        return Fma.fma(q, t, 1.0);
    }

    /** 2^max(k, -1023) for integral k <= 1023, built in the exponent field; k = -1023 and NaN give +0.0. */
    static double pow2(double k) {
        double kk = k > K_MIN ? k : K_MIN;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(kk + EXP2_MAGIC) << 52);
    }

    /** p * 2^(n - e) for exp(x*s). */
    static double term(double x, double s, boolean scaled, double e) {
        double hi = scaled ? x * s : x;
        double lo = scaled ? lowPart(x, s, hi) : 0.0;
        double n = exponent(hi);
        return mantissa(hi, lo, n) * pow2(n - e);
    }

    /** acc += z by 2Sum: acc[0] the sum, acc[1] the accumulated rounding errors. */
    static void accumulate(double[] acc, double z) {
        double s = acc[0] + z;
        double bp = s - acc[0];
        acc[1] += (acc[0] - (s - bp)) + (z - bp);
        acc[0] = s;
    }

    /** (acc[0], acc[1]) += (bh, bl) for non-negative double-doubles, renormalized (Fast2Sum). */
    static void ddAdd(double[] acc, double bh, double bl) {
        double s = acc[0] + bh;
        double bp = s - acc[0];
        double e = (acc[0] - (s - bp)) + (bh - bp) + acc[1] + bl;
        acc[0] = s + e;
        acc[1] = e - (acc[0] - s);
    }

    // ---------------------------------------------------------------------------------------------
    // The scalar kernels
    // ---------------------------------------------------------------------------------------------

    static final Ops SCALAR = new Ops() {
        @Override
        public double rmax(double[] x, int off, int n, double s, boolean scaled) {
            double max = X_LO;
            for (int i = off; i < off + n; i++) {
                max = Math.max(max, scaled ? x[i] * s : x[i]); // Math.max propagates NaN
            }
            return max;
        }

        @Override
        public void raddexp(double[] x, int off, int n, double s, boolean scaled, double e, double[] acc) {
            for (int i = off; i < off + n; i++) {
                accumulate(acc, term(x[i], s, scaled, e));
            }
        }

        @Override
        public void raddstoreexp(double[] x, int xOff, double[] y, int yOff, int n, double s, boolean scaled,
                double e, double[] acc) {
            for (int i = 0; i < n; i++) {
                double z = term(x[xOff + i], s, scaled, e);
                y[yOff + i] = z;
                accumulate(acc, z);
            }
        }

        @Override
        public void vscaleexp(double[] x, int xOff, double[] y, int yOff, int n, double s, boolean scaled,
                double invHi, double invLo, double e) {
            for (int i = 0; i < n; i++) {
                double xi = x[xOff + i];
                double hi = scaled ? xi * s : xi;
                double lo = scaled ? lowPart(xi, s, hi) : 0.0;
                double ni = exponent(hi);
                double p = mantissa(hi, lo, ni);
                y[yOff + i] = Fma.fma(p, invHi, p * invLo) * pow2(ni - e);
            }
        }

        @Override
        public void vscale(double[] y, int off, int n, double invHi, double invLo) {
            for (int i = off; i < off + n; i++) {
                y[i] = Fma.fma(y[i], invHi, y[i] * invLo);
            }
        }
    };

    // ---------------------------------------------------------------------------------------------
    // Entry points
    // ---------------------------------------------------------------------------------------------

    /**
     * The rows entry, as {@code s4j_f64_rows_at}: op over rows of cols elements with the given kernels. A
     * softmax or log-softmax row whose log-sum-exp is wanted ({@link Op#FLAG_LSE}) gets it from a pass before
     * its outputs are written (C takes it from the softmax's own sums).
     */
    static void rows(Ops k, Op op, Algorithm algorithm, int flags, double s, double[] x, int xOff, int xStride,
            double[] y, int yOff, int yStride, int rows, int cols, double[] lse, int lseOff) {
        boolean safe = (flags & Op.FLAG_SAFE) != 0;
        boolean wantLse = op.writesLse(flags);
        for (int r = 0; r < rows; r++) {
            int xo = xOff + r * xStride;
            int yo = yOff + r * yStride;
            if (wantLse) {
                lse[lseOff + r] = logSumExp(k, s, x, xo, cols);
            }
            switch (op) {
                case SOFTMAX:
                    softmax(k, algorithm.ordinal(), safe, s, x, xo, y, yo, cols);
                    break;
                case LOG_SOFTMAX:
                    logSoftmax(k, safe, s, x, xo, y, yo, cols);
                    break;
                case LOG_SUM_EXP:
                    break;
                default:
                    throw new IllegalArgumentException(op.toString());
            }
        }
    }

    /** Softmax of z = x*s with the given kernels; AUTO is three-pass reload (Java heap arrays: in cache). */
    static void softmax(Ops k, int algorithm, boolean safe, double scale, double[] x, int xOff, double[] y,
            int yOff, int n) {
        if (n == 0) {
            return;
        }
        boolean scaled = scale != 1.0;
        if (algorithm == ALGO_TWO_PASS) {
            double[] m = new double[3];
            if (!pass1(k, x, xOff, n, scale, scaled, m)) {
                exact(x, xOff, y, yOff, n, scale, safe);
                return;
            }
            double[] inv = inverse(m[0], m[1]);
            k.vscaleexp(x, xOff, y, yOff, n, scale, scaled, inv[0], inv[1], m[2]);
            return;
        }
        boolean reload = algorithm != ALGO_THREE_PASS_RECOMPUTE;
        double max = k.rmax(x, xOff, n, scale, scaled);
        double e = Math.rint(max * LOG2E);
        if (!(e >= E_LO && e <= E_HI)) { // also NaN
            exact(x, xOff, y, yOff, n, scale, safe);
            return;
        }
        double[] sum = new double[2];
        double[] acc = new double[2];
        for (int i = 0; i < n; i += Math.min(BLOCK, n - i)) {
            int b = Math.min(BLOCK, n - i);
            acc[0] = 0.0;
            acc[1] = 0.0;
            if (reload) {
                k.raddstoreexp(x, xOff + i, y, yOff + i, b, scale, scaled, e, acc);
            } else {
                k.raddexp(x, xOff + i, b, scale, scaled, e, acc);
            }
            ddAdd(sum, acc[0], acc[1]);
        }
        double[] inv = inverse(sum[0], sum[1]);
        if (reload) {
            k.vscale(y, yOff, n, inv[0], inv[1]);
        } else {
            k.vscaleexp(x, xOff, y, yOff, n, scale, scaled, inv[0], inv[1], e);
        }
    }

    /** Log-sum-exp of z = x*s: pass 1 of two-pass (one pass over x), or the exact path. */
    static double logSumExp(Ops k, double scale, double[] x, int off, int n) {
        if (n == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        double[] m = new double[3];
        if (pass1(k, x, off, n, scale, scale != 1.0, m)) {
            return combine(m[0], m[1], m[2]);
        }
        return exactLogSumExp(x, off, n, scale);
    }

    /**
     * Log-softmax of z = x*s: the log-sum-exp pass, then y = fma(x, s, -hi) - lo with lse = hi + lo (the
     * exact product, two roundings of y's size: lse's own rounding never reaches y); the exact path when the
     * sum leaves the fast range.
     */
    static void logSoftmax(Ops k, boolean safe, double scale, double[] x, int xOff, double[] y, int yOff, int n) {
        double[] m = new double[3];
        if (n == 0) {
            return;
        }
        if (!pass1(k, x, xOff, n, scale, scale != 1.0, m)) {
            exactLogSoftmax(x, xOff, y, yOff, n, scale, safe);
            return;
        }
        double[] lse = lseParts(m[0], m[1], m[2]);
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Fma.fma(x[xOff + i], scale, -lse[0]) - lse[1];
        }
    }

    /**
     * Pass 1: m[0] + m[1] = the double-double sum of exp(x*s) relative to 2^m[2], block by block, each
     * block relative to its own largest exponent and merged by the max rule. False: take the exact path.
     */
    private static boolean pass1(Ops k, double[] x, int off, int n, double s, boolean scaled, double[] m) {
        double[] sum = {0.0, 0.0};
        double se = E_INIT;
        double[] acc = new double[2];
        for (int i = 0; i < n; i += Math.min(BLOCK, n - i)) {
            int b = Math.min(BLOCK, n - i);
            double e = Math.rint(k.rmax(x, off + i, b, s, scaled) * LOG2E);
            if (!(e <= E_HI)) { // NaN, +Inf or beyond the range
                return false;
            }
            acc[0] = 0.0;
            acc[1] = 0.0;
            k.raddexp(x, off + i, b, s, scaled, e, acc);
            if (e > se) {
                int d = (int) (se - e);
                sum[0] = Math.scalb(sum[0], d);
                sum[1] = Math.scalb(sum[1], d);
                se = e;
                ddAdd(sum, acc[0], acc[1]);
            } else {
                int d = (int) (e - se);
                ddAdd(sum, Math.scalb(acc[0], d), Math.scalb(acc[1], d));
            }
        }
        m[0] = sum[0];
        m[1] = sum[1];
        m[2] = se;
        return m[0] > 0.0 && m[0] < Double.POSITIVE_INFINITY && se >= E_LO && se <= E_HI;
    }

    /** 1/(sHi + sLo) as a double-double: fl(1/sHi) and one Newton correction. */
    private static double[] inverse(double sHi, double sLo) {
        double invHi = 1.0 / sHi;
        double r = Fma.fma(-sHi, invHi, 1.0) - sLo * invHi;
        return new double[] {invHi, r * invHi};
    }

    /** log(mHi + mLo) + e ln2, rounded once from its two parts ({@link #lseParts}). */
    private static double combine(double mHi, double mLo, double e) {
        double[] lse = lseParts(mHi, mLo, e);
        return lse[0] + lse[1];
    }

    /**
     * log(mHi + mLo) + e ln2 as {hi, lo} with m = f 2^k, f in [1/2, 1): hi = (e + k) LN2_HI exact, lo = (e + k)
     * LN2_LO + log f + mLo/mHi with log f's absolute error 2^-54.
     */
    private static double[] lseParts(double mHi, double mLo, double e) {
        int k = Math.getExponent(mHi) + 1;
        double f = Math.scalb(mHi, -k);
        double ek = e + k;
        return new double[] {ek * LN2_HI, ek * LN2_LO + (Math.log(f) + mLo / mHi)};
    }

    // ---------------------------------------------------------------------------------------------
    // Exact path: differences (x' - x'max) * s' as double-doubles (x' = x sign(s), s' = |s|)
    // ---------------------------------------------------------------------------------------------

    private static double fold(double x, double s) {
        if (!Double.isFinite(s) || s == 0.0) {
            return x * s; // IEEE products: 0 * Inf = NaN, x * Inf = +-Inf
        }
        return s < 0.0 ? -x : x;
    }

    private static double foldedScale(double s) {
        return (!Double.isFinite(s) || s == 0.0) ? 1.0 : Math.abs(s);
    }

    /** max x' (the x' of the largest z), or NaN when some z is NaN. */
    private static double exactMax(double[] x, int off, int n, double s) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) {
            max = Math.max(max, fold(x[i], s)); // NaN propagates
        }
        return Double.isNaN(s) ? Double.NaN : max;
    }

    /** exp((x' - ref) s') for x' <= ref, finite ref and s' > 0. */
    private static double exactTerm(double xf, double ref, double sp) {
        double d = distance(xf, ref, sp);
        if (!(d >= -1500.0)) {
            return 0.0; // exp(d) < 2^-2100, or x' = -Inf
        }
        double pl = distanceRest(xf, ref, sp, d);
        double dh = d + pl;
        double dl = pl - (dh - d);
        double n = Math.rint(dh * LOG2E);
        return Math.scalb(mantissa(dh, dl, n), (int) n);
    }

    private static void exact(double[] x, int xOff, double[] y, int yOff, int n, double s, boolean safe) {
        double ref = exactMax(x, xOff, n, s);
        if (!(ref > Double.NEGATIVE_INFINITY && ref < Double.POSITIVE_INFINITY)) {
            double fill = (ref == Double.NEGATIVE_INFINITY && safe) ? 0.0 : Double.NaN;
            for (int i = 0; i < n; i++) {
                y[yOff + i] = fill;
            }
            return;
        }
        double sp = foldedScale(s);
        double[] sum = new double[2];
        for (int i = 0; i < n; i++) {
            double w = exactTerm(fold(x[xOff + i], s), ref, sp);
            y[yOff + i] = w;
            accumulate(sum, w);
        }
        double[] inv = inverse(sum[0], sum[1]);
        for (int i = yOff; i < yOff + n; i++) {
            y[i] = Fma.fma(y[i], inv[0], y[i] * inv[1]);
        }
    }

    private static double exactLogSumExp(double[] x, int off, int n, double s) {
        double ref = exactMax(x, off, n, s);
        if (!(ref > Double.NEGATIVE_INFINITY && ref < Double.POSITIVE_INFINITY)) {
            return ref; // NaN, +Inf, or -Inf (all -Inf)
        }
        double sp = foldedScale(s);
        double[] sum = new double[2];
        for (int i = off; i < off + n; i++) {
            accumulate(sum, exactTerm(fold(x[i], s), ref, sp));
        }
        double zh = ref * sp;
        if (!Double.isFinite(zh)) {
            return zh;
        }
        double zl = Fma.fma(ref, sp, -zh);
        int k = Math.getExponent(sum[0]) + 1;
        double f = Math.scalb(sum[0], -k);
        double b = k * LN2_HI;
        double a = zh + b;
        double bp = a - zh;
        double e = (zh - (a - bp)) + (b - bp);
        return a + (e + zl + k * LN2_LO + Math.log(f) + sum[1] / sum[0]);
    }

    /**
     * Exact-path log-softmax: y = (x' - ref) s' - log S with the distance as a double-double ({@link #distance},
     * as the exact terms), so inputs whose products or differences overflow still give finite
     * log-probabilities. NaN or +Inf: all NaN; all -Inf: NaN, or -Inf when safe. Reads every x before writing y
     * (in place works).
     */
    private static void exactLogSoftmax(double[] x, int xOff, double[] y, int yOff, int n, double s, boolean safe) {
        double ref = exactMax(x, xOff, n, s);
        if (!(ref > Double.NEGATIVE_INFINITY && ref < Double.POSITIVE_INFINITY)) {
            double fill = (ref == Double.NEGATIVE_INFINITY && safe) ? Double.NEGATIVE_INFINITY : Double.NaN;
            for (int i = 0; i < n; i++) {
                y[yOff + i] = fill;
            }
            return;
        }
        double sp = foldedScale(s);
        double[] sum = new double[2];
        for (int i = xOff; i < xOff + n; i++) {
            accumulate(sum, exactTerm(fold(x[i], s), ref, sp));
        }
        double logS = Math.log(sum[0]) + sum[1] / sum[0]; // S in [1, n]
        for (int i = 0; i < n; i++) {
            double xf = fold(x[xOff + i], s);
            double d = distance(xf, ref, sp);
            // -Inf inputs, and distances beyond the range: -Inf
            y[yOff + i] = Double.isFinite(d) ? (d - logS) + distanceRest(xf, ref, sp, d) : d;
        }
    }

    /**
     * The exact path's scaled distance (x' - ref) s', rounded (finite ref, finite s' > 0): taken on the halves,
     * (x'/2 - ref/2) * 2s' (halving is exact for normal values; a subnormal x' loses at most 2^-1075, nothing
     * beside the bounds), so that neither the difference nor 2Sum's intermediate overflows and a distance that
     * s' < 1 brings back into range stays finite (x' = -DBL_MAX, ref = 2e300, s' = 0.001: ~-1.8e305, and 8.53e307
     * against ref = DBL_MAX, which came out -Inf and NaN while the difference was taken whole); the same product
     * as (x' - ref) * s' whenever that difference is finite and the product normal (the C driver's bits). -Inf
     * for x' = -Inf and beyond the range.
     */
    private static double distance(double xf, double ref, double sp) {
        return 2.0 * ((0.5 * xf - 0.5 * ref) * sp); // the product first: 2s' overflows from 2^1023 (C API scales)
    }

    /** The rest of {@link #distance}: (x' - ref) s' - d to ~2^-104 relative, for a finite d (2Sum, exact). */
    private static double distanceRest(double xf, double ref, double sp, double d) {
        double hx = 0.5 * xf;
        double hr = -0.5 * ref;
        double h = hx + hr;
        double bp = h - hx;
        double e = (hx - (h - bp)) + (hr - bp);
        return 2.0 * (Fma.fma(h, sp, -0.5 * d) + e * sp); // 0.5 d = fl(h s'), exactly
    }
}
