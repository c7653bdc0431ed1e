package io.github.softmax4j.internal;

import io.github.softmax4j.Algorithm;

/**
 * The algorithms (two-pass, three-pass recompute, three-pass reload, log-softmax, logsumexp), the
 * fast-path decision and the block-wise double merge, written once for the Java backends. Every pass calls
 * its primitive per block of {@link ExpConstants#BLOCK} elements: besides bounding the fp32 error, short
 * calls keep C2 on its fast path for the Vector API (a loop over 64K elements entered by on-stack
 * replacement kept its vectors boxed and ran 4-7x slower: JMH, JDK 17). A backend supplies the per-pass
 * primitives, named like the C kernels (docs/NUMERICS.md describes each); every exp primitive computes
 * exp(s*x) with the product taken exactly. The native library has the same driver in C
 * ({@code native/src/softmax.c}).
 */
abstract class JavaKernel implements Kernel {
    /** E of the reload and of the two-pass sum comes from the maximum of this many first elements. */
    private static final int HEAD = 256;
    /** A block whose sum relative to E reaches this is done again relative to its own maximum. */
    private static final double REDO_SUM = 0x1p58;
    /** At most this many of the reload's blocks may start a segment of their own; beyond, the max pass first. */
    private static final int MAX_SEGMENTS = 32;
    /**
     * Sums and stored terms are computed relative to 2^(E - BIAS) (as the C tiers' EXP_BIAS): a term of an input
     * up to 190 binades below 2^E stays a normal float, so terms relative to different E are exact multiples
     * of each other and the reload gives the same bits whether its E came from the first elements (out of
     * place) or from the max pass (in place).
     */
    private static final float BIAS = 64;
    private static final double UNBIAS = 0x1p-64;

    /**
     * Max of the inputs, -Inf for none (or all -Inf); NaN when any input is NaN. No floor: the exponent of the
     * max is clamped at xlo(s) = X_LO / s ({@link ExpConstants#exponent}), which depends on the scale (a floor
     * at X_LO, which it had, put E far above a row whose largest s*x lay between X_LO and X_LO * s for s < 1,
     * so that every term of such a row underflowed: softmax([-154233]) at scale 0.001 came out 0; the fuzzer's
     * second target found it).
     */
    abstract float rmax(float[] x, int off, int n);

    /** Sum of exp(s*x) * 2^-e over one block. */
    abstract double raddexp(float[] x, int off, int n, float s, float e);

    /** Sum of exp(s*x) * 2^-e over one block, each term also stored into y. */
    abstract double raddstoreexp(float[] x, int xOff, float[] y, int yOff, int n, float s, float e);

    /** y = exp(s*x) * inv * 2^-e: pass 2 of two-pass and pass 3 of three-pass recompute alike. */
    abstract void vscaleexp(float[] x, int xOff, float[] y, int yOff, int n, float s, float inv, float e);

    /** y *= inv, inv = invHi + invLo: y * invHi rounded once where invLo is 0, else fma(y, invHi, y * invLo). */
    abstract void vscale(float[] y, int off, int n, float invHi, float invLo);

    /** y = fma(x, s, c) + cLo, -lse = c + cLo as two floats: pass 2 of log-softmax (the C vmuladdc kernel). */
    abstract void vmuladdc(float[] x, int xOff, float[] y, int yOff, int n, float s, float c, float cLo);

    @Override
    public String toString() {
        return backend().toString();
    }

    /**
     * AUTO for the Java backends is three-pass reload at every length. Two-pass saves memory traffic
     * (12 against 20 bytes per element) but computes exp twice; Java computes exp at ~0.7-1 ns per element
     * (Vector API on AVX2) or ~5 ns (scalar), far slower than memory streams 8 extra bytes (~0.3 ns at
     * 30 GB/s), so computing exp once wins even out of cache (JMH: README, results section).
     */
    @Override
    public Algorithm resolve(Algorithm algorithm, int n) {
        return algorithm != Algorithm.AUTO ? algorithm : Algorithm.THREE_PASS_RELOAD;
    }

    @Override
    public final void rows(Op op, Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride,
            float[] y, int yOff, int yStride, int rows, int cols, double[] lse, int lseOff) {
        Algorithm a = resolve(algorithm, cols);
        boolean wantLse = op.writesLse(flags);
        for (int r = 0; r < rows; r++) {
            double l = cols == 0 ? Double.NEGATIVE_INFINITY
                    : row(op, a, flags, s, x, xOff + r * xStride, y, yOff + r * yStride, cols, wantLse);
            if (wantLse) {
                lse[lseOff + r] = l;
            }
        }
    }

    /** One row of n > 0 elements; returns its logsumexp when wantLse (else anything). */
    private double row(Op op, Algorithm a, int flags, float s, float[] x, int xOff, float[] y, int yOff, int n,
            boolean wantLse) {
        if (op == Op.SOFTMAX && a != Algorithm.TWO_PASS) {
            return threePass(a == Algorithm.THREE_PASS_RELOAD, flags, s, x, xOff, y, yOff, n, wantLse);
        }
        ExtSum sum = sumExp(s, x, xOff, n);
        if (!sum.fastPathValid()) {
            return ExactPath.apply(op, flags, s, x, xOff, y, yOff, n);
        }
        finish(op, s, x, xOff, y, yOff, n, sum.m, sum.e);
        return wantLse ? ExpConstants.lse(sum.m, sum.e) : Double.NaN;
    }

    /** Sum of exp(s*x) * 2^-e over one block (the terms relative to 2^(e - BIAS)). */
    private double sumBlock(float[] x, int off, int n, float s, float e) {
        return raddexp(x, off, n, s, e - BIAS) * UNBIAS;
    }

    /** Sum of exp(s*x) * 2^-e over one block; the terms, times 2^BIAS, stored into y. */
    private double storeBlock(float[] x, int xOff, float[] y, int yOff, int n, float s, float e) {
        return raddstoreexp(x, xOff, y, yOff, n, s, e - BIAS) * UNBIAS;
    }

    /**
     * Pass 1 of two-pass, as the C driver's {@code s4j_sumexp}: x is read once, with no max pass over memory.
     * E is the exponent of the maximum of the first {@link #HEAD} elements; each block is summed relative to
     * it, and a block whose sum reaches 2^58 (an input ~40/s above that maximum, +Inf or NaN) is summed again
     * relative to the larger of E and its own maximum, which E then stays. The blocks' (m, e) pairs are
     * merged in double by the max rule (docs/NUMERICS.md explains why not per-lane fp32 (m, e)
     * accumulators). Inputs far below E give terms of 0, negligible against the sum (>= 2^(E - 1/2): the maximum
     * rounds to E).
     */
    private ExtSum sumExp(float s, float[] x, int off, int n) {
        ExtSum sum = new ExtSum();
        float xlo = ExpConstants.xlo(s);
        float e = n == 0 ? 0 : ExpConstants.exponent(rmax(x, off, Math.min(n, HEAD)), s, xlo);
        if (!ExpConstants.scaleValid(s) || !(e <= ExpConstants.E_HI)) { // NaN, +Inf or beyond the fast path
            sum.invalid = true;
            return sum;
        }
        for (int i = 0; i < n && !sum.invalid; i += Math.min(ExpConstants.BLOCK, n - i)) {
            int len = Math.min(ExpConstants.BLOCK, n - i);
            double m = sumBlock(x, off + i, len, s, e);
            if (!(m >= 0 && m < REDO_SUM)) {
                float eb = ExpConstants.exponent(rmax(x, off + i, len), s, xlo);
                if (!(eb <= ExpConstants.E_HI)) {
                    sum.invalid = true;
                    break;
                }
                e = Math.max(e, eb);
                m = sumBlock(x, off + i, len, s, e);
            }
            sum.add(m, e); // a NaN input: m is NaN, the sum invalid
        }
        return sum;
    }

    /** The f64 per-block kernels of this backend ({@link ScalarF64} runs the algorithms over them). */
    abstract ScalarF64.Ops f64();

    @Override
    public final void rowsF64(Op op, Algorithm algorithm, int flags, double s, double[] x, int xOff, int xStride,
            double[] y, int yOff, int yStride, int rows, int cols, double[] lse, int lseOff) {
        ScalarF64.rows(f64(), op, algorithm, flags, s, x, xOff, xStride, y, yOff, yStride, rows, cols, lse, lseOff);
    }

    /** Softmax, then {@link #argmax} over each output row: a second pass over y (C fuses the two). */
    @Override
    public final void softmaxArgmax(Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride,
            float[] y, int yOff, int yStride, int rows, int cols, int[] index, int indexOff) {
        rows(Op.SOFTMAX, algorithm, flags, s, x, xOff, xStride, y, yOff, yStride, rows, cols, Dispatch.NO_LSE, 0);
        for (int r = 0; r < rows; r++) {
            long a = argmax(y, yOff + r * yStride, cols);
            index[indexOff + r] = a < 0 ? -1 : (int) a;
        }
    }

    /** A plain loop, one pass: the first NaN ends it (the Vector API kernel overrides it). */
    @Override
    public long argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (v != v) {
                return -1L - i;
            }
            if (v > x[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** A plain loop (the Vector API kernel overrides it). */
    @Override
    public int select(float[] x, int off, int n, float t, float u, int[] idx, float[] val) {
        return selectFrom(x, off, 0, n, t, u, idx, val, 0);
    }

    /**
     * The loop of {@link #select}: from index {@code from} on, after {@code count} candidates found before it
     * (a vector kernel's tail); returns the count in all. Each element is written at the count while there is
     * room and the count grows by whether it passed: no branch on the comparison (a flat distribution's sets
     * pass a fraction of the logits in random order: that branch mispredicted; entries past the count may be
     * overwritten).
     */
    static int selectFrom(float[] x, int off, int from, int n, float t, float u, int[] idx, float[] val,
            int count) {
        int cap = idx.length;
        for (int i = from; i < n; i++) {
            float v = x[off + i];
            if (count < cap) {
                idx[count] = i;
                if (val != null) {
                    val[count] = v;
                }
            }
            count += !(v < t) & !(v > u) ? 1 : 0;
        }
        return count;
    }

    /**
     * The exponents into w, the backend's double softmax of them in place (w[i] = exp(d_i) / their sum, each
     * within 4 ULP: {@link Math#exp} per weight took 2.4x the time on the Vector API), then a plain loop for the
     * bins (their positions are the C kernel's, the same double operations) and the weights' sum (about 1).
     */
    @Override
    public double binExp(float[] x, int off, int n, float top, float s, double inv, double[] w, double[] bins) {
        Kernel.checkBinExp(x, off, n, top, s, inv, w, bins);
        for (int i = 0; i < n; i++) {
            w[i] = ((double) x[off + i] - top) * s;
        }
        rowsF64(Op.SOFTMAX, Algorithm.AUTO, 0, 1.0, w, 0, n, w, 0, n, 1, n, Dispatch.NO_LSE, 0);
        int last = bins.length - 1;
        double total = 0.0;
        if (last < 0) { // no bins: the weights alone
            for (int i = 0; i < n; i++) {
                total += w[i];
            }
            return total;
        }
        for (int i = 0; i < n; i++) {
            double z = w[i];
            total += z;
            bins[Kernel.bin(top, x[off + i], inv, last)] += z;
        }
        return total;
    }

    /** Blocks of 8 weights summed as trees (no chain of dependent additions), then the block's tokens. */
    @Override
    public int walk(float[] x, int off, int n, double[] w, float xc, double target, double[] before) {
        double acc = 0.0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            double block = ((kept(x, off, w, i, xc) + kept(x, off, w, i + 1, xc))
                    + (kept(x, off, w, i + 2, xc) + kept(x, off, w, i + 3, xc)))
                    + ((kept(x, off, w, i + 4, xc) + kept(x, off, w, i + 5, xc))
                    + (kept(x, off, w, i + 6, xc) + kept(x, off, w, i + 7, xc)));
            if (acc + block > target) {
                break;
            }
            acc += block;
        }
        for (; i < n; i++) {
            double right = acc + kept(x, off, w, i, xc);
            if (right > target) {
                break;
            }
            acc = right;
        }
        before[0] = acc;
        return i;
    }

    /** w[i] if x[off + i] >= xc, else 0 (a product: no branch on the comparison, as the C kernel). */
    private static double kept(float[] x, int off, double[] w, int i, float xc) {
        return w[i] * (x[off + i] >= xc ? 1.0 : 0.0);
    }

    @Override
    public final void sumExp(float s, float[] x, int off, int n, double[] me) {
        ExtSum sum = sumExp(s, x, off, n);
        me[0] = sum.invalid ? Double.NaN : sum.m;
        me[1] = sum.e;
    }

    @Override
    public final void finish(Op op, float s, float[] x, int xOff, float[] y, int yOff, int n, double m,
            double e) {
        if (op == Op.SOFTMAX) {
            float inv = (float) (1.0 / m);
            for (int i = 0; i < n; i += Math.min(ExpConstants.BLOCK, n - i)) {
                vscaleexp(x, xOff + i, y, yOff + i, Math.min(ExpConstants.BLOCK, n - i), s, inv, (float) e);
            }
        } else if (op == Op.LOG_SOFTMAX) {
            // y = fma(x, s, -L_hi) - L_lo with lse = L_hi + L_lo, as the C driver (docs/NUMERICS.md, "log-softmax"):
            // lse rounded to one float put up to 2^-24 |lse| into every output
            double l = ExpConstants.lse(m, e);
            float lHi = (float) l;
            float cLo = (float) -(l - lHi);
            for (int i = 0; i < n; i += Math.min(ExpConstants.BLOCK, n - i)) {
                vmuladdc(x, xOff + i, y, yOff + i, Math.min(ExpConstants.BLOCK, n - i), s, -lHi, cLo);
            }
        }
    }

    private double threePass(boolean reload, int flags, float s, float[] x, int xOff, float[] y, int yOff, int n,
            boolean wantLse) {
        // rows of x and y are either the same (in place) or disjoint (Kernel)
        return reload && (x != y || xOff != yOff) ? reloadHeadMax(flags, s, x, xOff, y, yOff, n, wantLse)
                : maxFirst(reload, flags, s, x, xOff, y, yOff, n, wantLse);
    }

    /**
     * Three-pass reload out of place without a max pass over memory, as the C driver's {@code s4j_reload}
     * (docs/NUMERICS.md, "Reload"): E is the exponent of the maximum of the first {@link #HEAD} elements; each
     * block's terms exp(s*x) * 2^(BIAS - E) are stored into y and summed; a block whose sum reaches 2^58 (an
     * input ~40/s above that maximum, or +Inf or NaN; 2^k is +Inf from k = 128 on, see {@link ExpConstants#pow2})
     * is done again relative to its own maximum, which becomes E for what follows, and the blocks before it
     * are scaled by their own factor in the final pass. x is never written, so every way out (the exact
     * path, the max-first variant) starts afresh.
     */
    private double reloadHeadMax(int flags, float s, float[] x, int xOff, float[] y, int yOff, int n,
            boolean wantLse) {
        float xlo = ExpConstants.xlo(s);
        float e = ExpConstants.exponent(rmax(x, xOff, Math.min(n, HEAD)), s, xlo);
        if (!ExpConstants.scaleValid(s) || !(e <= ExpConstants.E_HI)) { // NaN, +Inf or beyond the fast path
            return ExactPath.apply(Op.SOFTMAX, flags, s, x, xOff, y, yOff, n);
        }
        int[] starts = null; // closed segments: [starts[g], starts[g + 1] or cur) relative to exps[g]
        float[] exps = null;
        int segs = 0;
        int cur = 0; // the open segment [cur, n), relative to e
        double sum = 0;
        for (int i = 0; i < n; i += Math.min(ExpConstants.BLOCK, n - i)) {
            int len = Math.min(ExpConstants.BLOCK, n - i);
            double m = storeBlock(x, xOff + i, y, yOff + i, len, s, e);
            if (!(m >= 0 && m < REDO_SUM)) {
                float eb = ExpConstants.exponent(rmax(x, xOff + i, len), s, xlo);
                if (!(eb <= ExpConstants.E_HI)) {
                    return ExactPath.apply(Op.SOFTMAX, flags, s, x, xOff, y, yOff, n);
                }
                if (eb > e) {
                    if (i > cur) {
                        if (segs == MAX_SEGMENTS) {
                            return maxFirst(true, flags, s, x, xOff, y, yOff, n, wantLse);
                        }
                        if (starts == null) {
                            starts = new int[MAX_SEGMENTS];
                            exps = new float[MAX_SEGMENTS];
                        }
                        starts[segs] = cur;
                        exps[segs++] = e;
                        cur = i;
                        sum = Math.scalb(sum, (int) (e - eb)); // integers in [E_INIT, E_HI]
                    }
                    e = eb;
                }
                m = storeBlock(x, xOff + i, y, yOff + i, len, s, e);
                if (!(m >= 0 && m < REDO_SUM)) { // a NaN input
                    return ExactPath.apply(Op.SOFTMAX, flags, s, x, xOff, y, yOff, n);
                }
            }
            sum += m;
        }
        if (!ExpConstants.fastPathValid(sum, e)) {
            return ExactPath.apply(Op.SOFTMAX, flags, s, x, xOff, y, yOff, n);
        }
        double inv = UNBIAS / sum;
        boolean two = twoFloats(sum);
        for (int g = 0; g < segs; g++) {
            scaleSegment(y, yOff + starts[g], (g + 1 < segs ? starts[g + 1] : cur) - starts[g],
                    Math.scalb(inv, (int) (exps[g] - e)), two);
        }
        scaleSegment(y, yOff + cur, n - cur, inv, two);
        return wantLse ? ExpConstants.lse(sum, e) : Double.NaN;
    }

    /**
     * Whether the reload's final factor 2^-BIAS / sum must be two floats: a row whose mass is one stored term z,
     * or nearly (the others below ~2^-25 of the sum), has fl(sum) = z at the stored terms' scale and must give
     * exactly 1 there, as the correctly rounded result does, but for about one z in seven no single float f has
     * fl(z * f) = 1 (softmax([4]) gave 0.99999994). So the sum's significand m, rounded as that term is, goes
     * through the one-float product fl(m) * fl(1/m) first, and a result other than 1 keeps the two floats (the
     * native drivers' guard, docs/NUMERICS.md, "Cancelling table"). A function of the significand alone, at a
     * scale where both floats are normal, so the in-place and out-of-place reloads (whose sums differ by a power
     * of two) decide alike.
     */
    private static boolean twoFloats(double sum) {
        double m = Math.scalb(sum, -Math.getExponent(sum)); // in [1, 2) for a positive normal sum
        return (float) m * (float) (1 / m) != 1f;
    }

    /**
     * y[off, off+n) *= f, block by block, for the stored terms of one segment (each below 2^(58 + BIAS), see
     * REDO_SUM): f is applied in exact steps of 2^-100 while it is below 2^-126 (as one float) or 2^-100 (as two,
     * hi + lo, where {@link #twoFloats} says so: both halves then normal), then as one or two floats; stepping
     * is exact for every term whose output is normal, so the in-place and out-of-place reloads, whose factors
     * differ by a power of two, agree there. Below 2^-264 every output is below 2^-142, and zero is within the
     * bound of outputs below MIN_NORMAL.
     */
    private void scaleSegment(float[] y, int off, int n, double f, boolean two) {
        if (f < 0x1p-264) {
            f = 0;
        }
        double least = two ? 0x1p-100 : 0x1p-126;
        while (f != 0 && f < least) {
            scaleBlocks(y, off, n, 0x1p-100f, 0f);
            f *= 0x1p100;
        }
        float hi = (float) f;
        scaleBlocks(y, off, n, hi, two ? (float) (f - hi) : 0f);
    }

    private void scaleBlocks(float[] y, int off, int n, float hi, float lo) {
        for (int i = 0; i < n; i += Math.min(ExpConstants.BLOCK, n - i)) {
            vscale(y, off + i, Math.min(ExpConstants.BLOCK, n - i), hi, lo);
        }
    }

    /** Three-pass with the max pass first: recompute, and the reload in place (nothing written before the decision). */
    private double maxFirst(boolean reload, int flags, float s, float[] x, int xOff, float[] y, int yOff, int n,
            boolean wantLse) {
        // Decide before writing anything: a reload in place must not destroy x and then fall back.
        float max = Float.NEGATIVE_INFINITY; // exponent() clamps at xlo(s) = X_LO / s
        for (int i = 0; i < n; i += Math.min(ExpConstants.BLOCK, n - i)) {
            max = Math.max(max, rmax(x, xOff + i, Math.min(ExpConstants.BLOCK, n - i))); // NaN sticks
        }
        float e = ExpConstants.exponent(max, s, ExpConstants.xlo(s));
        if (!ExpConstants.scaleValid(s) || !ExpConstants.fastPathValid(1.0, e)) {
            return ExactPath.apply(Op.SOFTMAX, flags, s, x, xOff, y, yOff, n);
        }
        double sum = 0;
        for (int i = 0; i < n; i += Math.min(ExpConstants.BLOCK, n - i)) {
            int len = Math.min(ExpConstants.BLOCK, n - i);
            sum += reload ? storeBlock(x, xOff + i, y, yOff + i, len, s, e) : sumBlock(x, xOff + i, len, s, e);
        }
        if (reload) {
            scaleSegment(y, yOff, n, UNBIAS / sum, twoFloats(sum));
        } else {
            float inv = (float) (1.0 / sum);
            for (int i = 0; i < n; i += Math.min(ExpConstants.BLOCK, n - i)) {
                vscaleexp(x, xOff + i, y, yOff + i, Math.min(ExpConstants.BLOCK, n - i), s, inv, e);
            }
        }
        return wantLse ? ExpConstants.lse(sum, e) : Double.NaN;
    }
}
