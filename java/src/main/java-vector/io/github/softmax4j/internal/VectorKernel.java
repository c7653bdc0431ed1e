package io.github.softmax4j.internal;

import static io.github.softmax4j.internal.VectorConstants.C1;
import static io.github.softmax4j.internal.VectorConstants.C2;
import static io.github.softmax4j.internal.VectorConstants.C3;
import static io.github.softmax4j.internal.VectorConstants.C4;
import static io.github.softmax4j.internal.VectorConstants.C5;
import static io.github.softmax4j.internal.VectorConstants.C6;
import static io.github.softmax4j.internal.VectorConstants.DOUBLE_SPECIES;
import static io.github.softmax4j.internal.VectorConstants.INT_SPECIES;
import static io.github.softmax4j.internal.VectorConstants.SHIFT_23;
import static io.github.softmax4j.internal.VectorConstants.LOG2E;
import static io.github.softmax4j.internal.VectorConstants.MAGIC_BIAS;
import static io.github.softmax4j.internal.VectorConstants.MINUS_127;
import static io.github.softmax4j.internal.VectorConstants.MINUS_LN2_HI;
import static io.github.softmax4j.internal.VectorConstants.MINUS_LN2_LO;
import static io.github.softmax4j.internal.VectorConstants.MINUS_ONE;
import static io.github.softmax4j.internal.VectorConstants.ONE;
import static io.github.softmax4j.internal.VectorConstants.ROUND_BIAS;
import static io.github.softmax4j.internal.VectorConstants.SPECIES;
import static io.github.softmax4j.internal.VectorConstants.W;

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API backend ({@code jdk.incubator.vector}): the two-pass algorithm of Dukhan and Ablavatski
 * (2020) and the three-pass baselines with the preferred species of this CPU (8 lanes on AVX2, 16 on
 * AVX-512). Loops of one vector per iteration, two where a sum pairs its terms: with more, C2 (JDK 17)
 * reaches its inlining node limit, stops inlining the helpers and boxes every vector. Then a scalar tail
 * with the same numerics ({@link ScalarKernel}).
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

    /** n = rint(hi * log2 e) for hi = fl(s * max(xlo, x)), by the 1.5 * 2^23 rounding bias. */
    private static FloatVector exponent(FloatVector hi) {
        return hi.mul(LOG2E).add(ROUND_BIAS).sub(ROUND_BIAS);
    }

    /**
     * exp(s*v - n ln2) for the clamped v, hi = fl(s*v): with scaled, the product's rounding error
     * lo = fma(v, s, -hi) (exact) joins the Cody-Waite reduction; then the degree-6 polynomial by Horner.
     * scaled is loop-invariant: C2 unswitches the loops on it, so s == 1 runs without the product steps.
     */
    private static FloatVector mantissa(FloatVector v, FloatVector vs, FloatVector hi, FloatVector n,
            boolean scaled) {
        FloatVector t = n.fma(MINUS_LN2_HI, hi);
        t = n.fma(MINUS_LN2_LO, t);
        if (scaled) {
            t = t.add(v.fma(vs, hi.mul(MINUS_ONE)));
        }
        FloatVector p = t.fma(C6, C5);
        p = p.fma(t, C4);
        p = p.fma(t, C3);
        p = p.fma(t, C2);
        p = p.fma(t, C1);
        return p.fma(t, ONE);
    }

    /**
     * 2^k for integer-valued k <= 0; k < -126 gives +0.0 (k + 127 goes into the exponent field). An int
     * multiply by 2^23, not lanewise(LSHL, 23): on JDK 17 the shift form ran the reload 3.3x slower (JMH,
     * VECTOR, n = 16384, AVX-512, JDK 17; two-pass 1.3x), presumably not intrinsified there.
     */
    private static FloatVector pow2(FloatVector k) {
        // reinterpretShape with constant species: reinterpretAsInts() is not intrinsified by C2 (the
        // target species it loads is not a compile-time constant), which would box every vector.
        return (FloatVector) k.max(MINUS_127).add(MAGIC_BIAS).reinterpretShape(INT_SPECIES, 0)
                .mul(SHIFT_23).reinterpretShape(SPECIES, 0);
    }

    private static FloatVector broadcast(float v) {
        return FloatVector.broadcast(SPECIES, v);
    }

    private static FloatVector load(float[] x, int i, FloatVector vxlo) {
        return FloatVector.fromArray(SPECIES, x, i).max(vxlo); // lanewise max propagates NaN
    }

    /**
     * One max chain, latency-bound (FloatVector.max has Java's NaN and -0.0 semantics: several instructions
     * per step): 0.21 ns per element alone. Four chains halve that, but then the kernels called after it ran
     * 2-3x slower in JMH (raddexp alone 0.54 -> 2.5 ns per element; presumably C2's inlining budget, as for the
     * loops below), so the reload lost 3x at 256K.
     */
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

    // raddexp and raddstoreexp are separate loops: one loop with a store under a null check grows past
    // C2's inlining node limit (JDK 17) and runs 40% slower.
    @Override
    double raddexp(float[] x, int off, int n, float s, float e) {
        boolean scaled = s != 1f;
        FloatVector ve = broadcast(e);
        FloatVector vs = broadcast(s);
        FloatVector vxlo = broadcast(ExpConstants.xlo(s));
        // Terms are added in pairs in fp32 (one rounding per pair), then into double lanes: exact to
        // ~1 rounding whatever the inputs (fp32 lane sums drifted by up to 26 ULP on a fuzzer-found
        // input: one large term among hundreds of equal small ones).
        DoubleVector d0 = DoubleVector.zero(DOUBLE_SPECIES);
        DoubleVector d1 = DoubleVector.zero(DOUBLE_SPECIES);
        int i = 0;
        for (; i <= n - 2 * W; i += 2 * W) {
            FloatVector pair = term(x, off + i, vs, vxlo, ve, scaled)
                    .add(term(x, off + i + W, vs, vxlo, ve, scaled));
            d0 = d0.add(pair.convertShape(VectorOperators.F2D, DOUBLE_SPECIES, 0));
            d1 = d1.add(pair.convertShape(VectorOperators.F2D, DOUBLE_SPECIES, 1));
        }
        return d0.add(d1).reduceLanes(VectorOperators.ADD) + tail.raddexp(x, off + i, n - i, s, e);
    }

    @Override
    double raddstoreexp(float[] x, int xOff, float[] y, int yOff, int n, float s, float e) {
        boolean scaled = s != 1f;
        if (scaled) {
            return raddstoreexpScaled(x, xOff, y, yOff, n, s, e);
        }
        FloatVector ve = broadcast(e);
        FloatVector vs = broadcast(s);
        FloatVector vxlo = broadcast(ExpConstants.xlo(s));
        DoubleVector d0 = DoubleVector.zero(DOUBLE_SPECIES);
        DoubleVector d1 = DoubleVector.zero(DOUBLE_SPECIES);
        int i = 0;
        for (; i <= n - 2 * W; i += 2 * W) {
            FloatVector z0 = term(x, xOff + i, vs, vxlo, ve, scaled);
            FloatVector z1 = term(x, xOff + i + W, vs, vxlo, ve, scaled);
            z0.intoArray(y, yOff + i);
            z1.intoArray(y, yOff + i + W);
            FloatVector pair = z0.add(z1);
            d0 = d0.add(pair.convertShape(VectorOperators.F2D, DOUBLE_SPECIES, 0));
            d1 = d1.add(pair.convertShape(VectorOperators.F2D, DOUBLE_SPECIES, 1));
        }
        return d0.add(d1).reduceLanes(VectorOperators.ADD)
                + tail.raddstoreexp(x, xOff + i, y, yOff + i, n - i, s, e);
    }

    /** raddstoreexp with a scale: one vector per iteration, each term straight into double lanes. */
    private double raddstoreexpScaled(float[] x, int xOff, float[] y, int yOff, int n, float s, float e) {
        FloatVector ve = broadcast(e);
        FloatVector vs = broadcast(s);
        FloatVector vxlo = broadcast(ExpConstants.xlo(s));
        DoubleVector d0 = DoubleVector.zero(DOUBLE_SPECIES);
        DoubleVector d1 = DoubleVector.zero(DOUBLE_SPECIES);
        int i = 0;
        for (; i <= n - W; i += W) {
            FloatVector z = term(x, xOff + i, vs, vxlo, ve, true);
            z.intoArray(y, yOff + i);
            d0 = d0.add(z.convertShape(VectorOperators.F2D, DOUBLE_SPECIES, 0));
            d1 = d1.add(z.convertShape(VectorOperators.F2D, DOUBLE_SPECIES, 1));
        }
        return d0.add(d1).reduceLanes(VectorOperators.ADD)
                + tail.raddstoreexp(x, xOff + i, y, yOff + i, n - i, s, e);
    }

    /** p * 2^(n - e) for the W inputs at x[i], where exp(s*x) = p * 2^n. */
    private static FloatVector term(float[] x, int i, FloatVector vs, FloatVector vxlo, FloatVector ve,
            boolean scaled) {
        FloatVector v = load(x, i, vxlo);
        FloatVector hi = scaled ? v.mul(vs) : v;
        FloatVector nv = exponent(hi);
        return mantissa(v, vs, hi, nv, scaled).mul(pow2(nv.sub(ve)));
    }

    @Override
    void vscaleexp(float[] x, int xOff, float[] y, int yOff, int n, float s, float inv, float e) {
        boolean scaled = s != 1f;
        FloatVector ve = broadcast(e);
        FloatVector vs = broadcast(s);
        FloatVector vxlo = broadcast(ExpConstants.xlo(s));
        FloatVector vinv = broadcast(inv);
        int i = 0;
        for (; i <= n - W; i += W) {
            FloatVector v = load(x, xOff + i, vxlo);
            FloatVector hi = scaled ? v.mul(vs) : v;
            FloatVector nv = exponent(hi);
            mantissa(v, vs, hi, nv, scaled).mul(vinv).mul(pow2(nv.sub(ve))).intoArray(y, yOff + i);
        }
        if (i < n) {
            tail.vscaleexp(x, xOff + i, y, yOff + i, n - i, s, inv, e);
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

    @Override
    void vmuladdc(float[] x, int xOff, float[] y, int yOff, int n, float s, float c) {
        FloatVector vs = broadcast(s);
        FloatVector vc = broadcast(c);
        int i = 0;
        for (; i <= n - W; i += W) {
            FloatVector.fromArray(SPECIES, x, xOff + i).fma(vs, vc).intoArray(y, yOff + i);
        }
        if (i < n) {
            tail.vmuladdc(x, xOff + i, y, yOff + i, n - i, s, c);
        }
    }

    @Override
    ScalarF64.Ops f64() {
        return VectorF64.OPS;
    }

    /** argmax: blocks of this many floats; the winning block is searched again (from L1) for the index. */
    private static final int ARGMAX_BLOCK = 1024;

    /**
     * One pass: each block's maximum (the Vector API's MAX is Math.max: a NaN propagates, so the NaN check
     * is free), the first block that raised the maximum remembered; then the first index equal to it, in
     * that block only. The rest after the last whole block, and a block with a NaN, go to the scalar default
     * (the first largest; -1 - i for a first NaN at i), whose results these are.
     */
    @Override
    public long argmax(float[] x, int off, int n) {
        float best = Float.NEGATIVE_INFINITY;
        int bestAt = 0;
        int i = 0;
        if (ARGMAX_BLOCK % (2 * W) == 0) {
            for (; i + ARGMAX_BLOCK <= n; i += ARGMAX_BLOCK) {
                FloatVector m0 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
                FloatVector m1 = m0;
                for (int j = off + i, end = off + i + ARGMAX_BLOCK; j < end; j += 2 * W) {
                    m0 = m0.max(FloatVector.fromArray(SPECIES, x, j));
                    m1 = m1.max(FloatVector.fromArray(SPECIES, x, j + W));
                }
                float m = m0.max(m1).reduceLanes(VectorOperators.MAX);
                if (m != m) {
                    return scalarFrom(x, off, i, n); // the first NaN is at or after i
                }
                if (m > best) {
                    best = m;
                    bestAt = i;
                }
            }
        }
        if (i < n) {
            long r = scalarFrom(x, off, i, n);
            if (r < 0 || x[off + (int) r] > best) {
                return r; // a NaN, or the rest holds the first largest
            }
        }
        for (int k = bestAt, end = Math.min(n, bestAt + ARGMAX_BLOCK); k < end; k++) {
            if (x[off + k] == best) {
                return k;
            }
        }
        return 0; // every element -Inf
    }

    /** The scalar default over {@code [from, n)}, its index (or -1 - index) made relative to off. */
    private long scalarFrom(float[] x, int off, int from, int n) {
        long r = super.argmax(x, off + from, n - from);
        return r < 0 ? r - from : r + from;
    }

    /** One compare per vector; the rare hits taken from the lane mask's bits. */
    @Override
    public int select(float[] x, int off, int n, float t, int[] idx) {
        FloatVector vt = FloatVector.broadcast(SPECIES, t);
        int count = 0;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += W) {
            // not (x < t): x >= t or x is NaN
            VectorMask<Float> below = FloatVector.fromArray(SPECIES, x, off + i).compare(VectorOperators.LT, vt);
            if (!below.allTrue()) {
                for (long bits = below.not().toLong(); bits != 0; bits &= bits - 1, count++) {
                    if (count < idx.length) {
                        idx[count] = i + Long.numberOfTrailingZeros(bits);
                    }
                }
            }
        }
        return selectFrom(x, off, i, n, t, idx, count);
    }
}
