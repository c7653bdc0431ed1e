package io.github.softmax4j.internal;

import static io.github.softmax4j.internal.VectorConstants.C1;
import static io.github.softmax4j.internal.VectorConstants.C2;
import static io.github.softmax4j.internal.VectorConstants.C3;
import static io.github.softmax4j.internal.VectorConstants.C4;
import static io.github.softmax4j.internal.VectorConstants.C5;
import static io.github.softmax4j.internal.VectorConstants.C6;
import static io.github.softmax4j.internal.VectorConstants.INT_SPECIES;
import static io.github.softmax4j.internal.VectorConstants.SHIFT_23;
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

import io.github.softmax4j.Backend;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API backend ({@code jdk.incubator.vector}): the two-pass algorithm of Dukhan and Ablavatski
 * (2020) and the three-pass baselines with the preferred species of this CPU (8 lanes on AVX2, 16 on
 * AVX-512). Loops of one vector per iteration (see raddextexp for why), then a scalar tail with the same numerics ({@link ScalarKernel}).
 *
 * <p>Loaded by name from {@link KernelSelector} only once {@code jdk.incubator.vector} is known to be in
 * the boot layer; declines (throws from the constructor) when the preferred species is narrower than
 * 4 lanes, where the Vector API would be slower than scalar code.
 */
public final class VectorKernel extends JavaKernel {
    /** Elements summed in fp32 lanes before the partial sum moves to double: 32-64 terms per lane. */
    private static final int CHUNK = 512;

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
        // reinterpretShape with constant species: reinterpretAsInts() is not intrinsified by C2 (the
        // target species it loads is not a compile-time constant), which would box every vector.
        return (FloatVector) k.max(MINUS_127).add(MAGIC_BIAS).reinterpretShape(INT_SPECIES, 0)
                .mul(SHIFT_23).reinterpretShape(SPECIES, 0);
    }

    private static FloatVector zero() {
        return FloatVector.zero(SPECIES);
    }

    private static FloatVector broadcast(float v) {
        return FloatVector.broadcast(SPECIES, v);
    }

    private static FloatVector load(float[] x, int i) {
        return FloatVector.fromArray(SPECIES, x, i).max(X_LO); // lanewise max propagates NaN
    }

    @Override
    void raddextexp(float[] x, int off, int n, ExtSum acc) {
        float[] lanes = new float[W];
        int i = 0;
        while (i <= n - W) {
            // fp32 accumulation over one chunk only, then into the double (m, e) sum: bounds the error.
            int last = Math.min(n - W, i + CHUNK - W);
            // Loop-carried vectors start from fresh broadcasts, never from the static constants: C2
            // cannot unbox a phi that merges a constant vector object, and would allocate every iteration.
            FloatVector m = zero();
            FloatVector e = broadcast(ExpConstants.E_INIT);
            // One vector per iteration: with more, C2 (JDK 17) reaches its inlining node limit, stops
            // inlining pow2 and boxes every vector.
            for (; i <= last; i += W) {
                FloatVector v = load(x, off + i);
                FloatVector nv = exponent(v);
                FloatVector p = mantissa(v, nv);
                // (m, e) + (p, n): both rescaled to max(e, n) by exact powers of two.
                FloatVector xm = e.max(nv);
                m = m.mul(pow2(e.sub(xm))).add(p.mul(pow2(nv.sub(xm))));
                e = xm;
            }
            float emax = e.reduceLanes(VectorOperators.MAX); // NaN if any lane is NaN
            m.mul(pow2(e.sub(emax))).intoArray(lanes, 0);
            acc.add(sum(lanes), emax);
        }
        if (i < n) {
            tail.raddextexp(x, off + i, n - i, acc);
        }
    }

    /** The lanes added in double, once per chunk (an fp32 lane reduction would add ~1 ULP). */
    private static double sum(float[] lanes) {
        double s = 0;
        for (float v : lanes) {
            s += v;
        }
        return s;
    }

    @Override
    void vscaleextexp(float[] x, int xOff, float[] y, int yOff, int n, float inv, float e) {
        vscaleexp(x, xOff, y, yOff, n, inv, e);
    }

    @Override
    float rmax(float[] x, int off, int n) {
        FloatVector a = broadcast(ExpConstants.X_LO);
        int i = 0;
        for (; i <= n - W; i += W) {
            a = a.max(FloatVector.fromArray(SPECIES, x, off + i));
        }
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
        float[] lanes = new float[W];
        double s = 0;
        int i = 0;
        while (i <= n - W) {
            int last = Math.min(n - W, i + CHUNK - W);
            FloatVector acc = zero();
            for (; i <= last; i += W) {
                FloatVector v = load(x, xOff + i);
                FloatVector nv = exponent(v);
                FloatVector z = mantissa(v, nv).mul(pow2(nv.sub(ve)));
                if (y != null) {
                    z.intoArray(y, yOff + i);
                }
                acc = acc.add(z);
            }
            acc.intoArray(lanes, 0);
            s += sum(lanes);
        }
        if (i < n) {
            s += y != null ? tail.raddstoreexp(x, xOff + i, y, yOff + i, n - i, e)
                    : tail.raddexp(x, xOff + i, n - i, e);
        }
        return s;
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
