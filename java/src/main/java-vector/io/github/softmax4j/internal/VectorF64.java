package io.github.softmax4j.internal;

import static io.github.softmax4j.internal.VectorF64Constants.C10;
import static io.github.softmax4j.internal.VectorF64Constants.C11;
import static io.github.softmax4j.internal.VectorF64Constants.C12;
import static io.github.softmax4j.internal.VectorF64Constants.C13;
import static io.github.softmax4j.internal.VectorF64Constants.C2;
import static io.github.softmax4j.internal.VectorF64Constants.C3;
import static io.github.softmax4j.internal.VectorF64Constants.C4;
import static io.github.softmax4j.internal.VectorF64Constants.C5;
import static io.github.softmax4j.internal.VectorF64Constants.C6;
import static io.github.softmax4j.internal.VectorF64Constants.C7;
import static io.github.softmax4j.internal.VectorF64Constants.C8;
import static io.github.softmax4j.internal.VectorF64Constants.C9;
import static io.github.softmax4j.internal.VectorF64Constants.EXP2_MAGIC;
import static io.github.softmax4j.internal.VectorF64Constants.K_MIN;
import static io.github.softmax4j.internal.VectorF64Constants.LOG2E;
import static io.github.softmax4j.internal.VectorF64Constants.LONG_SPECIES;
import static io.github.softmax4j.internal.VectorF64Constants.LO_MAX;
import static io.github.softmax4j.internal.VectorF64Constants.MINUS_LN2_HI;
import static io.github.softmax4j.internal.VectorF64Constants.MINUS_LN2_LO;
import static io.github.softmax4j.internal.VectorF64Constants.MINUS_LO_MAX;
import static io.github.softmax4j.internal.VectorF64Constants.ONE;
import static io.github.softmax4j.internal.VectorF64Constants.ROUND_BIAS;
import static io.github.softmax4j.internal.VectorF64Constants.SPECIES;
import static io.github.softmax4j.internal.VectorF64Constants.W;
import static io.github.softmax4j.internal.VectorF64Constants.X_LO;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Double-precision softmax and log-sum-exp with {@code jdk.incubator.vector} (the preferred species:
 * 4 lanes on AVX2, 8 on AVX-512): the per-block kernels of {@link ScalarF64}'s algorithms, one vector
 * per iteration (longer bodies push C2 (JDK 17) past its inlining node limit, which boxes every vector),
 * then a scalar tail with the same numerics. Loop-carried vectors start from {@code zero()}/
 * {@code broadcast()} calls, never from static constants, and 2^k reinterprets with constant species.
 */
final class VectorF64 {
    private VectorF64() {
    }

    /** max(X_LO, hi) for hi = fl(x*s) (NaN propagates through lanewise max). */
    private static DoubleVector clampedHi(DoubleVector v, DoubleVector vs, boolean scaled) {
        return (scaled ? v.mul(vs) : v).max(X_LO);
    }

    /** The low part of x*s against the clamped hi, clamped to +-LO_MAX (0 when s == 1). */
    private static DoubleVector lowPart(DoubleVector v, DoubleVector vs, DoubleVector c, boolean scaled) {
        return scaled ? v.fma(vs, c.neg()).max(MINUS_LO_MAX).min(LO_MAX) : DoubleVector.zero(SPECIES);
    }

    /** n = rint(c * log2 e) by the 1.5 * 2^52 rounding bias. */
    private static DoubleVector exponent(DoubleVector c) {
        return c.mul(LOG2E).add(ROUND_BIAS).sub(ROUND_BIAS);
    }

    /** exp(c + lo - n ln2): exact Cody-Waite first step, then Taylor degree 13 by Horner. */
    private static DoubleVector mantissa(DoubleVector c, DoubleVector lo, DoubleVector n) {
        DoubleVector t = n.fma(MINUS_LN2_HI, c).add(n.fma(MINUS_LN2_LO, lo));
        DoubleVector q = t.fma(C13, C12);
        q = q.fma(t, C11);
        q = q.fma(t, C10);
        q = q.fma(t, C9);
        q = q.fma(t, C8);
        q = q.fma(t, C7);
        q = q.fma(t, C6);
        q = q.fma(t, C5);
        q = q.fma(t, C4);
        q = q.fma(t, C3);
        q = q.fma(t, C2);
        q = q.fma(t, ONE);
        return q.fma(t, ONE);
    }

    /** 2^k for integer-valued k <= 0; k < -1022 gives +0.0 (k + 1023 goes into the exponent field). */
    private static DoubleVector pow2(DoubleVector k) {
        return (DoubleVector) k.max(K_MIN).add(EXP2_MAGIC).reinterpretShape(LONG_SPECIES, 0)
                .lanewise(VectorOperators.LSHL, 52).reinterpretShape(SPECIES, 0);
    }

    /** p * 2^(n - e) for the W inputs at x[i]. */
    private static DoubleVector term(double[] x, int i, DoubleVector vs, boolean scaled, DoubleVector ve) {
        DoubleVector v = DoubleVector.fromArray(SPECIES, x, i);
        DoubleVector c = clampedHi(v, vs, scaled);
        DoubleVector n = exponent(c);
        return mantissa(c, lowPart(v, vs, c, scaled), n).mul(pow2(n.sub(ve)));
    }

    /** Adds the compensated lanes (s, c) into acc as double-doubles. */
    private static void reduce(DoubleVector s, DoubleVector c, double[] acc) {
        double[] ls = s.toArray();
        double[] lc = c.toArray();
        for (int j = 0; j < ls.length; j++) {
            ScalarF64.ddAdd(acc, ls[j], lc[j]);
        }
    }

    static final ScalarF64.Ops OPS = new ScalarF64.Ops() {
        @Override
        public double rmax(double[] x, int off, int n, double s, boolean scaled) {
            DoubleVector vs = DoubleVector.broadcast(SPECIES, s);
            DoubleVector a = DoubleVector.broadcast(SPECIES, ScalarF64.X_LO);
            int i = 0;
            for (; i <= n - W; i += W) {
                DoubleVector v = DoubleVector.fromArray(SPECIES, x, off + i);
                a = a.max(scaled ? v.mul(vs) : v); // NaN propagates
            }
            double m = a.reduceLanes(VectorOperators.MAX);
            return Math.max(m, ScalarF64.SCALAR.rmax(x, off + i, n - i, s, scaled));
        }

        @Override
        public void raddexp(double[] x, int off, int n, double s, boolean scaled, double e, double[] acc) {
            DoubleVector vs = DoubleVector.broadcast(SPECIES, s);
            DoubleVector ve = DoubleVector.broadcast(SPECIES, e);
            DoubleVector sum = DoubleVector.zero(SPECIES);
            DoubleVector comp = DoubleVector.zero(SPECIES);
            int i = 0;
            for (; i <= n - W; i += W) {
                // 2Sum per lane: sum + comp is exact to ~2^-104 (plain lanes drift on adversarial inputs)
                DoubleVector z = term(x, off + i, vs, scaled, ve);
                DoubleVector t = sum.add(z);
                DoubleVector bp = t.sub(sum);
                comp = comp.add(sum.sub(t.sub(bp)).add(z.sub(bp)));
                sum = t;
            }
            reduce(sum, comp, acc);
            ScalarF64.SCALAR.raddexp(x, off + i, n - i, s, scaled, e, acc);
        }

        @Override
        public void raddstoreexp(double[] x, int xOff, double[] y, int yOff, int n, double s, boolean scaled,
                double e, double[] acc) {
            DoubleVector vs = DoubleVector.broadcast(SPECIES, s);
            DoubleVector ve = DoubleVector.broadcast(SPECIES, e);
            DoubleVector sum = DoubleVector.zero(SPECIES);
            DoubleVector comp = DoubleVector.zero(SPECIES);
            int i = 0;
            for (; i <= n - W; i += W) {
                DoubleVector z = term(x, xOff + i, vs, scaled, ve);
                z.intoArray(y, yOff + i);
                DoubleVector t = sum.add(z);
                DoubleVector bp = t.sub(sum);
                comp = comp.add(sum.sub(t.sub(bp)).add(z.sub(bp)));
                sum = t;
            }
            reduce(sum, comp, acc);
            ScalarF64.SCALAR.raddstoreexp(x, xOff + i, y, yOff + i, n - i, s, scaled, e, acc);
        }

        @Override
        public void vscaleexp(double[] x, int xOff, double[] y, int yOff, int n, double s, boolean scaled,
                double invHi, double invLo, double e) {
            DoubleVector vs = DoubleVector.broadcast(SPECIES, s);
            DoubleVector ve = DoubleVector.broadcast(SPECIES, e);
            DoubleVector vih = DoubleVector.broadcast(SPECIES, invHi);
            DoubleVector vil = DoubleVector.broadcast(SPECIES, invLo);
            int i = 0;
            for (; i <= n - W; i += W) {
                DoubleVector v = DoubleVector.fromArray(SPECIES, x, xOff + i);
                DoubleVector c = clampedHi(v, vs, scaled);
                DoubleVector nv = exponent(c);
                DoubleVector p = mantissa(c, lowPart(v, vs, c, scaled), nv);
                p.fma(vih, p.mul(vil)).mul(pow2(nv.sub(ve))).intoArray(y, yOff + i);
            }
            ScalarF64.SCALAR.vscaleexp(x, xOff + i, y, yOff + i, n - i, s, scaled, invHi, invLo, e);
        }

        @Override
        public void vscale(double[] y, int off, int n, double invHi, double invLo) {
            DoubleVector vih = DoubleVector.broadcast(SPECIES, invHi);
            DoubleVector vil = DoubleVector.broadcast(SPECIES, invLo);
            int i = 0;
            for (; i <= n - W; i += W) {
                DoubleVector v = DoubleVector.fromArray(SPECIES, y, off + i);
                v.fma(vih, v.mul(vil)).intoArray(y, off + i);
            }
            ScalarF64.SCALAR.vscale(y, off + i, n - i, invHi, invLo);
        }
    };
}
