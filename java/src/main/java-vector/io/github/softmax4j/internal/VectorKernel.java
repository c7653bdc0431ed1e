package io.github.softmax4j.internal;

import static io.github.softmax4j.internal.VectorConstants.C1;
import static io.github.softmax4j.internal.VectorConstants.C2;
import static io.github.softmax4j.internal.VectorConstants.C3;
import static io.github.softmax4j.internal.VectorConstants.C4;
import static io.github.softmax4j.internal.VectorConstants.C5;
import static io.github.softmax4j.internal.VectorConstants.C6;
import static io.github.softmax4j.internal.VectorConstants.INT_SPECIES;
import static io.github.softmax4j.internal.VectorConstants.POW2_CAP;
import static io.github.softmax4j.internal.VectorConstants.SHIFT_23;
import static io.github.softmax4j.internal.VectorConstants.LOG2E;
import static io.github.softmax4j.internal.VectorConstants.MAGIC_BIAS;
import static io.github.softmax4j.internal.VectorConstants.MINUS_LN2_HI;
import static io.github.softmax4j.internal.VectorConstants.MINUS_LN2_LO;
import static io.github.softmax4j.internal.VectorConstants.MINUS_ONE;
import static io.github.softmax4j.internal.VectorConstants.ONE;
import static io.github.softmax4j.internal.VectorConstants.ROUND_BIAS;
import static io.github.softmax4j.internal.VectorConstants.SPECIES;
import static io.github.softmax4j.internal.VectorConstants.W;

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API backend ({@code jdk.incubator.vector}): the two-pass algorithm of Dukhan and Ablavatski
 * (2020) and the three-pass baselines with the preferred species of this CPU (8 lanes on AVX2, 16 on
 * AVX-512). Each kernel is compiled on its own (called through a method handle, see below), with one vector
 * per iteration, two where a sum pairs its terms (rmax: four chains): with more, C2 (JDK 17) reaches its
 * inlining node limit, stops inlining the helpers and boxes every vector. Then a scalar tail with the same
 * numerics ({@link ScalarKernel}).
 *
 * <p>Loaded by name from {@link KernelSelector} only once {@code jdk.incubator.vector} is known to be in
 * the boot layer; declines (throws from the constructor) when the preferred species is narrower than
 * 4 lanes, where the Vector API would be slower than scalar code.
 */
public final class VectorKernel extends JavaKernel {
    /** The scalar tails: the same numerics, element by element. */
    private static final ScalarKernel TAIL = new ScalarKernel();

    public VectorKernel() {
        if (!Fma.HARDWARE) {
            // the lanewise FMA would run Math.fma's BigDecimal path per lane: ~14 us per element (Fma)
            throw new UnsupportedOperationException("this JVM has no hardware fused multiply-add (x86-64 without "
                    + "FMA3, or -XX:-UseFMA): the Vector API would compute its FMAs in software, thousands of "
                    + "times slower than the other backends");
        }
        if (W < 4) {
            throw new UnsupportedOperationException("Vector API preferred species has " + W
                    + " float lanes here; scalar Java is as fast");
        }
    }

    @Override
    public Backend backend() {
        return Backend.VECTOR;
    }

    /**
     * n = rint(hi * log2 e), the product exact, for hi = fl(s * max(xlo, x)): one FMA with the 1.5 * 2^23
     * rounding bias rounds it to an integer, as {@link ExpConstants#exponent} does in double.
     */
    private static FloatVector exponent(FloatVector hi) {
        return hi.fma(LOG2E, ROUND_BIAS).sub(ROUND_BIAS);
    }

    /**
     * exp(s*v - n ln2) for the clamped v, hi = fl(s*v): with scaled, the product's rounding error
     * lo = fma(v, s, -hi) (exact) joins the Cody-Waite reduction; then the degree-6 polynomial by Horner.
     * scaled is loop-invariant: C2 unswitches the loops on it, so s == 1 runs without the product steps.
     */
    private static FloatVector mantissa(FloatVector v, FloatVector vs, FloatVector hi, FloatVector n,
            boolean scaled) {
        FloatVector t = n.fma(MINUS_LN2_HI, hi);
        if (scaled) {
            // the small parts lo - n*LN2_LO first, so that t rounds once (ExpConstants#mantissa, the same steps)
            t = t.add(n.fma(MINUS_LN2_LO, v.fma(vs, hi.mul(MINUS_ONE))));
        } else {
            t = n.fma(MINUS_LN2_LO, t);
        }
        FloatVector p = t.fma(C6, C5);
        p = p.fma(t, C4);
        p = p.fma(t, C3);
        p = p.fma(t, C2);
        p = p.fma(t, C1);
        return p.fma(t, ONE);
    }

    /**
     * 2^(n - e) for integer-valued n with vbias = MAGIC_BIAS - e: n - e + 127 goes into the exponent field,
     * k = n - e = -127 giving +0.0. No clamp below: the inputs were clamped at {@link ExpConstants#clamp}, so k
     * is at least -127. Above, k up to 127 is exact; with capped, every k >= 128 gives +Inf (an integer min
     * before the shift, one instruction), which the sums need (raddexp, raddstoreexp): the drivers' e comes
     * from the first elements only, and a larger k would wrap into the sign bit and give a small or negative
     * term instead of the huge sum that makes the driver redo the block ({@link JavaKernel}). vscaleexp's e
     * is at least every n.
     * An int multiply by 2^23, not lanewise(LSHL, 23): on JDK 17 the shift form ran the reload 3.3x slower
     * (JMH, VECTOR, n = 16384, AVX-512, JDK 17; two-pass 1.3x), presumably not intrinsified there. Nor
     * convert(F2I) of (n - e + 127) * 2^23, which saturates by itself: not intrinsified on JDK 17 (boxed,
     * 15x slower in a scratch loop; on JDK 25 it is).
     */
    private static FloatVector pow2(FloatVector n, FloatVector vbias, boolean capped) {
        // reinterpretShape with constant species: reinterpretAsInts() is not intrinsified by C2 (the
        // target species it loads is not a compile-time constant), which would box every vector.
        IntVector bits = (IntVector) n.add(vbias).reinterpretShape(INT_SPECIES, 0);
        if (capped) {
            bits = bits.min(POW2_CAP);
        }
        return (FloatVector) bits.mul(SHIFT_23).reinterpretShape(SPECIES, 0);
    }

    private static FloatVector broadcast(float v) {
        return FloatVector.broadcast(SPECIES, v);
    }

    /**
     * x[i..] clamped below at vclamp: a compare and a blend, four instructions where FloatVector.max (Java's
     * NaN and -0.0 rules) takes six. A NaN passes through (the drivers test each block's rmax first).
     */
    private static FloatVector load(float[] x, int i, FloatVector vclamp) {
        FloatVector v = FloatVector.fromArray(SPECIES, x, i);
        return v.blend(vclamp, v.compare(VectorOperators.LT, vclamp));
    }

    // The kernels run through method handles held in instance fields. C2 inlines a call through a constant
    // handle, not through these: each kernel is a compilation of its own, with the whole node budget for
    // its Vector API calls (NodeCountInliningCutoff: 18,000 nodes counted while parsing, a few hundred per
    // Vector API call on JDK 17), whatever the driver around it inlines. Called directly, C2 inlined rmax
    // and the exp kernel after it into the driver, and a kernel that ran out of budget midway boxed every
    // vector: 2-3x slower (JMH, VECTOR, AVX-512, JDK 17; one six-addition helper more in raddstoreexp did
    // it, and four max chains in rmax before). A handle call costs a few ns, once per kernel call: per block
    // of at most 4096 elements, so three for a short row (rmax, the stores, the scaling).
    // The exp kernels have an entry for s == 1 and one for a scale, so that neither parses the other's
    // steps.
    private final MethodHandle rmaxCall = handle("rmaxLoop", float.class, float[].class, int.class, int.class);
    private final MethodHandle raddexpCall = handle("raddexp1", double.class, float[].class, int.class, int.class,
            float.class, float.class);
    private final MethodHandle raddexpScaledCall = handle("raddexpScaled", double.class, float[].class, int.class,
            int.class, float.class, float.class);
    private final MethodHandle raddstoreexpCall = handle("raddstoreexp1", double.class, float[].class, int.class,
            float[].class, int.class, int.class, float.class, float.class);
    private final MethodHandle raddstoreexpScaledCall = handle("raddstoreexpScaled", double.class, float[].class,
            int.class, float[].class, int.class, int.class, float.class, float.class);
    private final MethodHandle vscaleexpCall = handle("vscaleexp1", void.class, float[].class, int.class,
            float[].class, int.class, int.class, float.class, float.class, float.class);
    private final MethodHandle vscaleexpScaledCall = handle("vscaleexpScaled", void.class, float[].class,
            int.class, float[].class, int.class, int.class, float.class, float.class, float.class);
    private final MethodHandle vscaleCall = handle("vscaleLoop", void.class, float[].class, int.class, int.class,
            float.class, float.class);

    private static MethodHandle handle(String name, Class<?> returns, Class<?>... parameters) {
        try {
            return MethodHandles.lookup().findStatic(VectorKernel.class, name,
                    MethodType.methodType(returns, parameters));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a kernel threw through invokeExact (nothing checked is declared: anything else is a bug). */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) {
            return (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        return new IllegalStateException(t);
    }

    @Override
    float rmax(float[] x, int off, int n) {
        try {
            return (float) rmaxCall.invokeExact(x, off, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    double raddexp(float[] x, int off, int n, float s, float e) {
        try {
            return (double) (s == 1f ? raddexpCall : raddexpScaledCall).invokeExact(x, off, n, s, e);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    double raddstoreexp(float[] x, int xOff, float[] y, int yOff, int n, float s, float e) {
        try {
            return (double) (s == 1f ? raddstoreexpCall : raddstoreexpScaledCall)
                    .invokeExact(x, xOff, y, yOff, n, s, e);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    void vscaleexp(float[] x, int xOff, float[] y, int yOff, int n, float s, float inv, float e) {
        try {
            (s == 1f ? vscaleexpCall : vscaleexpScaledCall).invokeExact(x, xOff, y, yOff, n, s, inv, e);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    void vscale(float[] y, int off, int n, float invHi, float invLo) {
        try {
            vscaleCall.invokeExact(y, off, n, invHi, invLo);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Four max chains (FloatVector.max keeps Java's NaN and -0.0 rules: six instructions per step, nine
     * cycles deep, so one chain waits on itself).
     */
    private static float rmaxLoop(float[] x, int off, int n) {
        FloatVector a0 = broadcast(Float.NEGATIVE_INFINITY); // no floor: exponent() clamps at xlo(s)
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
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
        return Math.max(a.reduceLanes(VectorOperators.MAX), TAIL.rmax(x, off + i, n - i));
    }

    private static double raddexp1(float[] x, int off, int n, float s, float e) {
        return raddexpLoop(x, off, n, s, e, false);
    }

    private static double raddexpScaled(float[] x, int off, int n, float s, float e) {
        return raddexpLoop(x, off, n, s, e, true);
    }

    // raddexp and raddstoreexp are separate loops: one loop with a store under a null check grows past
    // C2's inlining node limit (JDK 17) and runs 40% slower.
    private static double raddexpLoop(float[] x, int off, int n, float s, float e, boolean scaled) {
        FloatVector vbias = broadcast(ExpConstants.MAGIC_BIAS - e);
        FloatVector vs = broadcast(s);
        FloatVector vxlo = broadcast(ExpConstants.clamp(s, e));
        // Terms are added in pairs in fp32 (one rounding per pair), then into per-lane fp32 sums whose
        // rounding errors are kept, exactly, in c (TwoSum): exact to ~1 rounding per pair whatever the
        // inputs (plain fp32 lane sums drifted by up to 26 ULP on a fuzzer-found input: one large term among
        // hundreds of equal small ones). It replaced double lanes: the upper half's F2D conversion is a
        // checked lane shuffle on JDK 17, a branch and four instructions per vector. At the end the lanes of
        // sum are added in double, those of c (at most a few hundred ulps of sum: <= 256 additions per lane
        // and block, so their fp32 rounding is ~2^-38 of it) in fp32;
        // written out in each kernel, not in a helper: past the node budget C2 still inlines the Vector
        // API's own methods (force-inlined), not ours, and a helper called there boxed its arguments.
        FloatVector sum = FloatVector.zero(SPECIES);
        FloatVector c = sum;
        int i = 0;
        if (scaled) { // constant in each entry, so each compilation parses one loop
            // one vector per iteration: two scaled terms ran out of the node budget at roundoff, which
            // was then called with boxed vectors (1.8 ns per element, 3x the store pass's time)
            for (; i <= n - W; i += W) {
                FloatVector z = term(x, off + i, vs, vxlo, vbias, true);
                FloatVector t = sum.add(z);
                c = c.add(roundoff(sum, z, t));
                sum = t;
            }
        } else {
            for (; i <= n - 2 * W; i += 2 * W) {
                FloatVector pair = term(x, off + i, vs, vxlo, vbias, false)
                        .add(term(x, off + i + W, vs, vxlo, vbias, false));
                FloatVector t = sum.add(pair);
                c = c.add(roundoff(sum, pair, t));
                sum = t;
            }
            if (i <= n - W) { // one vector left: as a vector, not W more elements of the scalar tail
                FloatVector z = term(x, off + i, vs, vxlo, vbias, false);
                FloatVector t = sum.add(z);
                c = c.add(roundoff(sum, z, t));
                sum = t;
                i += W;
            }
        }
        return laneSum(sum.toArray(), c.toArray())
                + TAIL.raddexp(x, off + i, n - i, s, e);
    }

    /**
     * The lanes of the sums' vector (in double: lane k and lane k + W/2 together, then those pairs in lane order)
     * plus those of their rests (in fp32, in lane order). In a fixed order: the Vector API leaves the order of a
     * floating-point {@code reduceLanes(ADD)} open, and C2 on JDK 24+ reduces as a tree where the interpreter and
     * C1 add lane after lane, so one row's sum changed once its kernel was compiled (JitOrderTest, JDK 25). This is
     * the order JDK 17 used throughout (its bits). Once per call, on arrays (two, ~160 bytes per kernel call):
     * vectors passed to a helper that C2 does not inline are boxed, and lane reads with a loop index, a tree of
     * rearranges or two more convertShapes in the kernels ran C2 out of inlining budget, which boxed every vector
     * (84 KB per call at n = 32768, 1.5-2x the time; JMH -prof gc, thirty-fourth session).
     */
    private static double laneSum(float[] sum, float[] c) {
        int half = sum.length / 2;
        double t = 0;
        for (int k = 0; k < half; k++) {
            t += (double) sum[k] + (double) sum[k + half];
        }
        float r = 0;
        for (float v : c) {
            r += v;
        }
        return t + r;
    }

    /** a + b - t exactly, for t = fl(a + b) (Knuth's TwoSum: six additions, no condition on |a| and |b|). */
    private static FloatVector roundoff(FloatVector a, FloatVector b, FloatVector t) {
        FloatVector bv = t.sub(a);
        return a.sub(t.sub(bv)).add(b.sub(bv));
    }

    /** raddstoreexp for s == 1: two vectors per iteration, added in pairs as in raddexp. */
    private static double raddstoreexp1(float[] x, int xOff, float[] y, int yOff, int n, float s, float e) {
        FloatVector vbias = broadcast(ExpConstants.MAGIC_BIAS - e);
        FloatVector vs = broadcast(s);
        FloatVector vxlo = broadcast(ExpConstants.clamp(s, e));
        FloatVector sum = FloatVector.zero(SPECIES);
        FloatVector c = sum;
        int i = 0;
        for (; i <= n - 2 * W; i += 2 * W) {
            FloatVector z0 = term(x, xOff + i, vs, vxlo, vbias, false);
            FloatVector z1 = term(x, xOff + i + W, vs, vxlo, vbias, false);
            z0.intoArray(y, yOff + i);
            z1.intoArray(y, yOff + i + W);
            FloatVector pair = z0.add(z1);
            FloatVector t = sum.add(pair);
            c = c.add(roundoff(sum, pair, t));
            sum = t;
        }
        if (i <= n - W) { // one vector left (n = 16..31 on AVX-512 ran all scalar: 136 against 73 ns at n = 32)
            FloatVector z = term(x, xOff + i, vs, vxlo, vbias, false);
            z.intoArray(y, yOff + i);
            FloatVector t = sum.add(z);
            c = c.add(roundoff(sum, z, t));
            sum = t;
            i += W;
        }
        return laneSum(sum.toArray(), c.toArray())
                + TAIL.raddstoreexp(x, xOff + i, y, yOff + i, n - i, s, e);
    }

    /** raddstoreexp with a scale: one vector per iteration (two would not fit the node budget). */
    private static double raddstoreexpScaled(float[] x, int xOff, float[] y, int yOff, int n, float s, float e) {
        FloatVector vbias = broadcast(ExpConstants.MAGIC_BIAS - e);
        FloatVector vs = broadcast(s);
        FloatVector vxlo = broadcast(ExpConstants.clamp(s, e));
        FloatVector sum = FloatVector.zero(SPECIES);
        FloatVector c = sum;
        int i = 0;
        for (; i <= n - W; i += W) {
            FloatVector z = term(x, xOff + i, vs, vxlo, vbias, true);
            z.intoArray(y, yOff + i);
            FloatVector t = sum.add(z);
            c = c.add(roundoff(sum, z, t));
            sum = t;
        }
        return laneSum(sum.toArray(), c.toArray())
                + TAIL.raddstoreexp(x, xOff + i, y, yOff + i, n - i, s, e);
    }

    /**
     * p * 2^(n - e) for the W inputs at x[i], where exp(s*x) = p * 2^n, +Inf when n - e >= 128 (a sum's term:
     * e may be below n, see {@link #pow2}); vclamp holds {@link ExpConstants#clamp}(s, e) and vbias
     * MAGIC_BIAS - e.
     */
    private static FloatVector term(float[] x, int i, FloatVector vs, FloatVector vclamp, FloatVector vbias,
            boolean scaled) {
        FloatVector v = load(x, i, vclamp);
        FloatVector hi = scaled ? v.mul(vs) : v;
        FloatVector nv = exponent(hi);
        return mantissa(v, vs, hi, nv, scaled).mul(pow2(nv, vbias, true));
    }

    private static void vscaleexp1(float[] x, int xOff, float[] y, int yOff, int n, float s, float inv, float e) {
        vscaleexpLoop(x, xOff, y, yOff, n, s, inv, e, false);
    }

    private static void vscaleexpScaled(float[] x, int xOff, float[] y, int yOff, int n, float s, float inv,
            float e) {
        vscaleexpLoop(x, xOff, y, yOff, n, s, inv, e, true);
    }

    private static void vscaleexpLoop(float[] x, int xOff, float[] y, int yOff, int n, float s, float inv, float e,
            boolean scaled) {
        FloatVector vbias = broadcast(ExpConstants.MAGIC_BIAS - e);
        FloatVector vs = broadcast(s);
        FloatVector vxlo = broadcast(ExpConstants.clamp(s, e));
        FloatVector vinv = broadcast(inv);
        int i = 0;
        for (; i <= n - W; i += W) {
            FloatVector v = load(x, xOff + i, vxlo);
            FloatVector hi = scaled ? v.mul(vs) : v;
            FloatVector nv = exponent(hi);
            mantissa(v, vs, hi, nv, scaled).mul(vinv).mul(pow2(nv, vbias, false)).intoArray(y, yOff + i);
        }
        if (i < n) {
            TAIL.vscaleexp(x, xOff + i, y, yOff + i, n - i, s, inv, e);
        }
    }

    private static void vscaleLoop(float[] y, int off, int n, float invHi, float invLo) {
        FloatVector vhi = FloatVector.broadcast(SPECIES, invHi);
        int i = 0;
        if (invLo == 0) {
            for (; i <= n - W; i += W) {
                FloatVector.fromArray(SPECIES, y, off + i).mul(vhi).intoArray(y, off + i);
            }
        } else {
            FloatVector vlo = FloatVector.broadcast(SPECIES, invLo);
            for (; i <= n - W; i += W) {
                FloatVector v = FloatVector.fromArray(SPECIES, y, off + i);
                v.fma(vhi, v.mul(vlo)).intoArray(y, off + i);
            }
        }
        if (i < n) {
            TAIL.vscale(y, off + i, n - i, invHi, invLo);
        }
    }

    @Override
    void vmuladdc(float[] x, int xOff, float[] y, int yOff, int n, float s, float c, float cLo) {
        FloatVector vs = broadcast(s);
        FloatVector vc = broadcast(c);
        FloatVector vlo = broadcast(cLo);
        int i = 0;
        for (; i <= n - W; i += W) {
            FloatVector.fromArray(SPECIES, x, xOff + i).fma(vs, vc).add(vlo).intoArray(y, yOff + i);
        }
        if (i < n) {
            TAIL.vmuladdc(x, xOff + i, y, yOff + i, n - i, s, c, cLo);
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
            for (; i <= n - ARGMAX_BLOCK; i += ARGMAX_BLOCK) { // i + ARGMAX_BLOCK overflowed near 2^31
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
        for (int k = bestAt, end = bestAt + Math.min(ARGMAX_BLOCK, n - bestAt); k < end; k++) {
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

    /** One compare per vector (two with an upper bound below +Inf); the rare hits taken from the lane mask's bits. */
    @Override
    public int select(float[] x, int off, int n, float t, float u, int[] idx, float[] val) {
        FloatVector vt = FloatVector.broadcast(SPECIES, t);
        FloatVector vu = FloatVector.broadcast(SPECIES, u);
        boolean ranged = u != Float.POSITIVE_INFINITY;
        int count = 0;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += W) {
            // not (x < t) and not (x > u): t <= x <= u, or x is NaN
            FloatVector v = FloatVector.fromArray(SPECIES, x, off + i);
            VectorMask<Float> out = v.compare(VectorOperators.LT, vt);
            if (ranged) {
                out = out.or(v.compare(VectorOperators.GT, vu));
            }
            if (!out.allTrue()) {
                // stored while idx has room, then only counted (most of the row passes in a flat nucleus)
                long bits = out.not().toLong();
                for (; bits != 0 && count < idx.length; bits &= bits - 1, count++) {
                    int at = i + Long.numberOfTrailingZeros(bits);
                    idx[count] = at;
                    if (val != null) {
                        val[count] = x[off + at];
                    }
                }
                count += Long.bitCount(bits);
            }
        }
        return selectFrom(x, off, i, n, t, u, idx, val, count);
    }
}
