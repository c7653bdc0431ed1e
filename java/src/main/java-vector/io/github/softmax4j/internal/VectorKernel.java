package io.github.softmax4j.internal;

import static io.github.softmax4j.internal.VectorConstants.C1;
import static io.github.softmax4j.internal.VectorConstants.C2;
import static io.github.softmax4j.internal.VectorConstants.C3;
import static io.github.softmax4j.internal.VectorConstants.C4;
import static io.github.softmax4j.internal.VectorConstants.C5;
import static io.github.softmax4j.internal.VectorConstants.C6;
import static io.github.softmax4j.internal.VectorConstants.E_INIT;
import static io.github.softmax4j.internal.VectorConstants.LOG2E;
import static io.github.softmax4j.internal.VectorConstants.MAGIC_BIAS;
import static io.github.softmax4j.internal.VectorConstants.MINUS_127;
import static io.github.softmax4j.internal.VectorConstants.MINUS_LN2_HI;
import static io.github.softmax4j.internal.VectorConstants.MINUS_LN2_LO;
import static io.github.softmax4j.internal.VectorConstants.ONE;
import static io.github.softmax4j.internal.VectorConstants.ROUND_BIAS;
import static io.github.softmax4j.internal.VectorConstants.SPECIES;
import static io.github.softmax4j.internal.VectorConstants.W;
import static io.github.softmax4j.internal.VectorConstants.X_LO;
import static io.github.softmax4j.internal.VectorConstants.ZERO;

import io.github.softmax4j.Backend;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API backend ({@code jdk.incubator.vector}): the two-pass algorithm of Dukhan and Ablavatski
 * (2020) and the three-pass baselines with the preferred species of this CPU (8 lanes on AVX2, 16 on
 * AVX-512). Main loops of 4 vectors with 4 independent accumulators (hides the add latency), then one
 * vector at a time, then a scalar tail with the same numerics ({@link ScalarKernel}).
 *
 * <p>Loaded by name from {@link KernelSelector} only once {@code jdk.incubator.vector} is known to be in
 * the boot layer; declines (throws from the constructor) when the preferred species is narrower than
 * 4 lanes, where the Vector API would be slower than scalar code.
 */
public final class VectorKernel extends JavaKernel {
    private final ScalarKernel tail = new ScalarKernel();

    public VectorKernel() {
        if (W < 4) {
            throw new UnsupportedOperationException("Vector API preferred species has " + W
                    + " float lanes here; scalar Java is as fast");
        }
    }

    @Override
    public Backend backend() {
        return Backend.VECTOR;
    }

    /** n = rint(max(X_LO, x) * log2 e), by the 1.5 * 2^23 rounding bias. */
    private static FloatVector exponent(FloatVector v) {
        return v.mul(LOG2E).add(ROUND_BIAS).sub(ROUND_BIAS);
    }

    /** exp(v - n ln2) for the clamped v: Cody-Waite reduction, then the degree-6 polynomial by Horner. */
    private static FloatVector mantissa(FloatVector v, FloatVector n) {
        FloatVector t = n.fma(MINUS_LN2_HI, v);
        t = n.fma(MINUS_LN2_LO, t);
        FloatVector p = t.fma(C6, C5);
        p = p.fma(t, C4);
        p = p.fma(t, C3);
        p = p.fma(t, C2);
        p = p.fma(t, C1);
        return p.fma(t, ONE);
    }

    /** 2^k for integer-valued k <= 0; k < -126 gives +0.0 (k + 127 goes into the exponent field). */
    private static FloatVector pow2(FloatVector k) {
        return k.max(MINUS_127).add(MAGIC_BIAS).reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    private static FloatVector load(float[] x, int i) {
        return FloatVector.fromArray(SPECIES, x, i).max(X_LO); // lanewise max propagates NaN
    }

    @Override
    void raddextexp(float[] x, int off, int n, ExtSum acc) {
        FloatVector m0 = ZERO, m1 = ZERO, m2 = ZERO, m3 = ZERO;
        FloatVector e0 = E_INIT, e1 = E_INIT, e2 = E_INIT, e3 = E_INIT;
        int i = 0;
        for (; i <= n - 4 * W; i += 4 * W) {
            FloatVector v0 = load(x, off + i);
            FloatVector v1 = load(x, off + i + W);
            FloatVector v2 = load(x, off + i + 2 * W);
            FloatVector v3 = load(x, off + i + 3 * W);
            FloatVector n0 = exponent(v0), n1 = exponent(v1), n2 = exponent(v2), n3 = exponent(v3);
            FloatVector p0 = mantissa(v0, n0), p1 = mantissa(v1, n1);
            FloatVector p2 = mantissa(v2, n2), p3 = mantissa(v3, n3);
            // (m, e) + (p, n): both rescaled to max(e, n) by exact powers of two.
            FloatVector x0 = e0.max(n0), x1 = e1.max(n1), x2 = e2.max(n2), x3 = e3.max(n3);
            m0 = m0.mul(pow2(e0.sub(x0))).add(p0.mul(pow2(n0.sub(x0))));
            m1 = m1.mul(pow2(e1.sub(x1))).add(p1.mul(pow2(n1.sub(x1))));
            m2 = m2.mul(pow2(e2.sub(x2))).add(p2.mul(pow2(n2.sub(x2))));
            m3 = m3.mul(pow2(e3.sub(x3))).add(p3.mul(pow2(n3.sub(x3))));
            e0 = x0;
            e1 = x1;
            e2 = x2;
            e3 = x3;
        }
        for (; i <= n - W; i += W) {
            FloatVector v = load(x, off + i);
            FloatVector nv = exponent(v);
            FloatVector p = mantissa(v, nv);
            FloatVector xm = e0.max(nv);
            m0 = m0.mul(pow2(e0.sub(xm))).add(p.mul(pow2(nv.sub(xm))));
            e0 = xm;
        }
        if (i < n) {
            tail.raddextexp(x, off + i, n - i, acc);
        }
        mergeLanes(acc, m0, e0, m1, e1, m2, e2, m3, e3);
    }

    /** Adds every lane of the four (m, e) accumulators into acc, in double. */
    private static void mergeLanes(ExtSum acc, FloatVector... me) {
        float emax = Float.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int k = 1; k < me.length; k += 2) {
            float r = me[k].reduceLanes(VectorOperators.MAX);
            nan |= r != r;
            emax = Math.max(emax, r);
        }
        double m = 0;
        float[] lanesM = new float[W];
        float[] lanesE = new float[W];
        for (int k = 0; k < me.length; k += 2) {
            me[k].intoArray(lanesM, 0);
            me[k + 1].intoArray(lanesE, 0);
            for (int l = 0; l < W; l++) {
                nan |= lanesM[l] != lanesM[l];
                m += lanesM[l] * (double) ExpConstants.pow2(lanesE[l] - emax);
            }
        }
        acc.add(nan ? Double.NaN : m, emax);
    }

    @Override
    void vscaleextexp(float[] x, int xOff, float[] y, int yOff, int n, float inv, float e) {
        vscaleexp(x, xOff, y, yOff, n, inv, e);
    }

    @Override
    float rmax(float[] x, int off, int n) {
        FloatVector a0 = X_LO, a1 = X_LO, a2 = X_LO, a3 = X_LO;
        int i = 0;
        for (; i <= n - 4 * W; i += 4 * W) {
            a0 = a0.max(FloatVector.fromArray(SPECIES, x, off + i));
            a1 = a1.max(FloatVector.fromArray(SPECIES, x, off + i + W));
            a2 = a2.max(FloatVector.fromArray(SPECIES, x, off + i + 2 * W));
            a3 = a3.max(FloatVector.fromArray(SPECIES, x, off + i + 3 * W));
        }
        for (; i <= n - W; i += W) {
            a0 = a0.max(FloatVector.fromArray(SPECIES, x, off + i));
        }
        FloatVector a = a0.max(a1).max(a2.max(a3));
        if (a.test(VectorOperators.IS_NAN).anyTrue()) {
            return Float.NaN;
        }
        return Math.max(a.reduceLanes(VectorOperators.MAX), tail.rmax(x, off + i, n - i));
    }

    @Override
    double raddexp(float[] x, int off, int n, float e) {
        return raddexp(x, off, null, 0, n, e);
    }

    @Override
    double raddstoreexp(float[] x, int xOff, float[] y, int yOff, int n, float e) {
        return raddexp(x, xOff, y, yOff, n, e);
    }

    /** Sum of p * 2^(n - e); also stores each term into y when y is not null (reload). */
    private double raddexp(float[] x, int xOff, float[] y, int yOff, int n, float e) {
        FloatVector ve = FloatVector.broadcast(SPECIES, e);
        FloatVector s0 = ZERO, s1 = ZERO, s2 = ZERO, s3 = ZERO;
        int i = 0;
        for (; i <= n - 4 * W; i += 4 * W) {
            FloatVector z0 = term(x, xOff + i, ve), z1 = term(x, xOff + i + W, ve);
            FloatVector z2 = term(x, xOff + i + 2 * W, ve), z3 = term(x, xOff + i + 3 * W, ve);
            if (y != null) {
                z0.intoArray(y, yOff + i);
                z1.intoArray(y, yOff + i + W);
                z2.intoArray(y, yOff + i + 2 * W);
                z3.intoArray(y, yOff + i + 3 * W);
            }
            s0 = s0.add(z0);
            s1 = s1.add(z1);
            s2 = s2.add(z2);
            s3 = s3.add(z3);
        }
        for (; i <= n - W; i += W) {
            FloatVector z = term(x, xOff + i, ve);
            if (y != null) {
                z.intoArray(y, yOff + i);
            }
            s0 = s0.add(z);
        }
        double s = sumLanes(s0) + sumLanes(s1) + sumLanes(s2) + sumLanes(s3);
        if (i < n) {
            s += y != null ? tail.raddstoreexp(x, xOff + i, y, yOff + i, n - i, e)
                    : tail.raddexp(x, xOff + i, n - i, e);
        }
        return s;
    }

    /** The lanes of v added in double (once per block, so the fp32 error stays within the block). */
    private static double sumLanes(FloatVector v) {
        double s = 0;
        for (int l = 0; l < W; l++) {
            s += v.lane(l);
        }
        return s;
    }

    /** p * 2^(n - e) for the W inputs at x[i]. */
    private static FloatVector term(float[] x, int i, FloatVector e) {
        FloatVector v = load(x, i);
        FloatVector nv = exponent(v);
        return mantissa(v, nv).mul(pow2(nv.sub(e)));
    }

    @Override
    void vscaleexp(float[] x, int xOff, float[] y, int yOff, int n, float inv, float e) {
        FloatVector ve = FloatVector.broadcast(SPECIES, e);
        FloatVector vinv = FloatVector.broadcast(SPECIES, inv);
        int i = 0;
        for (; i <= n - W; i += W) {
            FloatVector v = load(x, xOff + i);
            FloatVector nv = exponent(v);
            mantissa(v, nv).mul(vinv).mul(pow2(nv.sub(ve))).intoArray(y, yOff + i);
        }
        if (i < n) {
            tail.vscaleexp(x, xOff + i, y, yOff + i, n - i, inv, e);
        }
    }

    @Override
    void vscale(float[] y, int off, int n, float inv) {
        FloatVector vinv = FloatVector.broadcast(SPECIES, inv);
        int i = 0;
        for (; i <= n - W; i += W) {
            FloatVector.fromArray(SPECIES, y, off + i).mul(vinv).intoArray(y, off + i);
        }
        if (i < n) {
            tail.vscale(y, off + i, n - i, inv);
        }
    }
}
