package io.github.softmax4j.internal;

import io.github.softmax4j.Algorithm;

/**
 * The algorithms (two-pass, three-pass recompute, three-pass reload), the fast-path decision and the
 * block-wise double merge, written once for the Java backends. Every pass calls its primitive per block of
 * {@link ExpConstants#BLOCK} elements: besides bounding the fp32 error, short calls keep C2 on its fast
 * path for the Vector API (a loop over 64K elements entered by on-stack replacement kept its vectors boxed
 * and ran 4-7x slower: JMH, JDK 17). A backend supplies the per-pass
 * primitives, named like the C kernels (docs/NUMERICS.md describes each). The native library has the same
 * driver in C ({@code native/src/softmax.c}).
 */
abstract class JavaKernel implements Kernel {
    /**
     * AUTO for the Java backends is three-pass reload at every length. Two-pass saves memory traffic
     * (12 against 20 bytes per element) but computes exp twice; Java computes exp at ~0.7-1 ns per element
     * (Vector API on AVX2) or ~5 ns (scalar), far slower than memory streams 8 extra bytes (~0.3 ns at
     * 30 GB/s), so computing exp once wins even out of cache (JMH: README, results section).
     */
    /** Max of the clamped inputs; NaN when any input is NaN. */
    abstract float rmax(float[] x, int off, int n);

    /** Sum of exp(x) * 2^-e over one block. */
    abstract double raddexp(float[] x, int off, int n, float e);

    /** Sum of exp(x) * 2^-e over one block, each term also stored into y. */
    abstract double raddstoreexp(float[] x, int xOff, float[] y, int yOff, int n, float e);

    /** y = exp(x) * inv * 2^-e: pass 2 of two-pass and pass 3 of three-pass recompute alike. */
    abstract void vscaleexp(float[] x, int xOff, float[] y, int yOff, int n, float inv, float e);

    /** y *= inv. */
    abstract void vscale(float[] y, int off, int n, float inv);

    @Override
    public String toString() {
        return backend().toString();
    }

    @Override
    public Algorithm resolve(Algorithm algorithm, int n) {
        if (algorithm != Algorithm.AUTO) {
            return algorithm;
        }
        return Algorithm.THREE_PASS_RELOAD;
    }

    @Override
    public final void softmax(Algorithm algorithm, float[] x, int xOff, float[] y, int yOff, int n) {
        switch (resolve(algorithm, n)) {
            case TWO_PASS:
                twoPass(x, xOff, y, yOff, n);
                break;
            case THREE_PASS_RECOMPUTE:
                threePass(x, xOff, y, yOff, n, false);
                break;
            case THREE_PASS_RELOAD:
                threePass(x, xOff, y, yOff, n, true);
                break;
            default:
                throw new AssertionError(algorithm);
        }
    }

    /**
     * Two-pass, as the C driver does it: pass 1 reads x once, block by block; each block (in L1) is
     * summed exactly relative to its own largest exponent and the blocks' (m, e) pairs are merged in
     * double by the max rule (docs/NUMERICS.md explains why not per-lane fp32 (m, e) accumulators).
     */
    private void twoPass(float[] x, int xOff, float[] y, int yOff, int n) {
        ExtSum sum = new ExtSum();
        for (int i = 0; i < n && !sum.invalid; i += ExpConstants.BLOCK) {
            int len = Math.min(ExpConstants.BLOCK, n - i);
            float e = ExpConstants.exponent(rmax(x, xOff + i, len));
            if (!(e <= ExpConstants.E_HI)) { // NaN, +Inf or beyond the fast path's range
                sum.invalid = true;
                break;
            }
            sum.add(raddexp(x, xOff + i, len, e), e);
        }
        if (!sum.fastPathValid()) {
            ExactSoftmax.softmax(x, xOff, y, yOff, n);
            return;
        }
        float inv = (float) (1.0 / sum.m);
        for (int i = 0; i < n; i += ExpConstants.BLOCK) {
            vscaleexp(x, xOff + i, y, yOff + i, Math.min(ExpConstants.BLOCK, n - i), inv, (float) sum.e);
        }
    }

    private void threePass(float[] x, int xOff, float[] y, int yOff, int n, boolean reload) {
        // Decide before writing anything: a reload in place must not destroy x and then fall back.
        float max = ExpConstants.X_LO;
        for (int i = 0; i < n; i += ExpConstants.BLOCK) {
            max = Math.max(max, rmax(x, xOff + i, Math.min(ExpConstants.BLOCK, n - i))); // NaN sticks
        }
        float e = ExpConstants.exponent(max);
        if (!ExpConstants.fastPathValid(1.0, e)) {
            ExactSoftmax.softmax(x, xOff, y, yOff, n);
            return;
        }
        double s = 0;
        for (int i = 0; i < n; i += ExpConstants.BLOCK) {
            int len = Math.min(ExpConstants.BLOCK, n - i);
            s += reload ? raddstoreexp(x, xOff + i, y, yOff + i, len, e) : raddexp(x, xOff + i, len, e);
        }
        float inv = (float) (1.0 / s);
        for (int i = 0; i < n; i += ExpConstants.BLOCK) {
            int len = Math.min(ExpConstants.BLOCK, n - i);
            if (reload) {
                vscale(y, yOff + i, len, inv);
            } else {
                vscaleexp(x, xOff + i, y, yOff + i, len, inv, e);
            }
        }
    }
}
