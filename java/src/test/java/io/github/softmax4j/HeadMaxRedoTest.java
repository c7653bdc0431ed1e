package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The passes without a max pass over memory, where E comes from the first 256 elements and a block with a far
 * larger input is redone: the three-pass reload (C s4j_reload, Java JavaKernel.reloadHeadMax: a redone
 * block starts a segment of its own, each segment is scaled by its own factor at the end, past 32 segments
 * the max pass runs first) and the two-pass sum (s4j_sumexp, JavaKernel.sumExp: softmax, log-sum-exp).
 * Inputs built so that each of these paths runs, out of place and in place, on every backend, against the
 * double references (ConformanceTest's bound, outputs below FLT_MIN within FLT_MIN; log-sum-exp within
 * 2 ULP).
 */
class HeadMaxRedoTest {
    private static final int BLOCK = 4096; // the Java drivers' block; the C driver's is larger

    /** Softmax by the reload and by two-pass, out of place and in place, and log-sum-exp. */
    private static void check(Softmax base, float[] x, String what) {
        float[] sx = x.clone();
        for (int i = 0; i < sx.length; i++) {
            sx[i] *= base.scale(); // a power of two here: exact
        }
        float[] ref = Reference.softmax(sx, 0, x.length);
        for (Algorithm a : new Algorithm[] {Algorithm.THREE_PASS_RELOAD, Algorithm.TWO_PASS}) {
            Softmax s = base.with(a);
            float[] y = s.softmax(x);
            double err = Reference.maxUlp(ref, y, 0);
            int bad = Reference.firstBad(ref, y, 0, ConformanceTest.bound(x.length));
            assertTrue(err <= ConformanceTest.bound(x.length), s + " " + what + " n=" + x.length + ": " + err
                    + " ULP, first at " + bad + (bad < 0 ? "" : " (" + y[bad] + " vs " + ref[bad] + ")"));
            float[] in = x.clone();
            s.softmax(in, in);
            assertTrue(Reference.maxUlp(ref, in, 0) <= ConformanceTest.bound(x.length),
                    s + " " + what + " in place");
        }
        double lse = base.logSumExp(x);
        double lseRef = OpsReference.logSumExp(x, 0, x.length, base.scale());
        assertTrue(OpsReference.lseError(lse, lseRef) <= 2, base + " " + what + " n=" + x.length + ": lse " + lse
                + " vs " + lseRef);
    }

    private static float[] noise(int n, float at, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = at + (float) r.nextGaussian();
        }
        return x;
    }

    /** One block far above the head: the redo, a second segment, the first one's factor 2^-(d) * inv. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void laterBlockFarAboveTheHead(Backend backend) {
        Softmax s = Backends.require(backend);
        // 45: a redo whose earlier outputs are ~1e-20; 80: the earlier segment's factor below 2^-100 with
        // outputs still normal (~1e-35); 150: below 2^-200 (outputs 0); 30000: a huge jump
        for (float high : new float[] {45f, 80f, 150f, 30000f}) {
            for (int n : new int[] {300, BLOCK + 300, 3 * BLOCK + 5, 70001, 300000}) {
                for (int pos : new int[] {257, n / 2, n - 1}) {
                    float[] x = noise(n, 0f, n + pos);
                    for (int i = pos; i < Math.min(n, pos + 40); i++) {
                        x[i] = high - (i - pos) * 0.25f; // a few outputs of the new segment, not just one
                    }
                    check(s, x, "head ~0, " + high + " at " + pos);
                    check(s.withScale(0.5f), x, "s = 0.5, " + high + " at " + pos);
                }
            }
        }
    }

    /**
     * Three levels: the head ~0, an input of 38 soon after (its term ~2^55 relative to the head's E: no redo),
     * then a far larger one in a later block: the first segment's factor falls below 2^-126 while its
     * outputs (~exp(38 - high)) are still normal floats.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void earlierSegmentWithNormalOutputsUnderATinyFactor(Backend backend) {
        Softmax s = Backends.require(backend);
        for (float high : new float[] {80f, 95f, 104f, 115f}) {
            for (int n : new int[] {2 * BLOCK + 9, 65536 + 4000}) {
                float[] x = noise(n, 0f, n);
                x[300] = 38f;
                x[301] = 37f;
                x[n - 1] = high;
                x[n - 2] = high - 1f;
                check(s, x, "38 at 300, " + high + " at the end");
            }
        }
    }

    /** A staircase: every block above the last; 20 segments, then 40 (past 32: the max pass first). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void staircaseOfSegments(Backend backend) {
        Softmax s = Backends.require(backend);
        for (int steps : new int[] {20, 40}) {
            for (float rise : new float[] {2f, 45f, 70f}) {
                int block = s.backend().isNative() ? 65536 : BLOCK;
                int n = steps * block + 17;
                float[] x = noise(n, 0f, steps);
                for (int i = 0; i < n; i++) {
                    x[i] += rise * (i / block);
                }
                check(s, x, steps + " steps of " + rise);
            }
        }
    }

    /**
     * A NaN or +Inf in a late block gives all NaN (log-sum-exp NaN or +Inf); a masked head (-Inf, -1e9) before
     * real values is ignored.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void specialValuesAfterTheHead(Backend backend) {
        Softmax s = Backends.require(backend);
        for (int n : new int[] {300, BLOCK + 300, 70001}) {
            for (float special : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                float[] x = noise(n, 0f, n);
                x[n - 1] = special;
                for (Algorithm a : new Algorithm[] {Algorithm.THREE_PASS_RELOAD, Algorithm.TWO_PASS}) {
                    for (float v : s.with(a).softmax(x)) {
                        assertTrue(Float.isNaN(v), s.with(a) + " " + special + " at the end of " + n);
                    }
                }
                assertEquals(Float.isNaN(special) ? Float.NaN : special, s.logSumExp(x), s + " lse, " + special);
            }
            for (int masked : new int[] {256, Math.min(1000, n - 2), n - 1}) {
                float[] x = noise(n, 3f, masked);
                Arrays.fill(x, 0, masked, Float.NEGATIVE_INFINITY);
                check(s, x, masked + " -Inf first");
                Arrays.fill(x, 0, masked, -1e9f);
                check(s, x, masked + " -1e9 first");
            }
            float[] x = new float[n];
            Arrays.fill(x, Float.NEGATIVE_INFINITY);
            float[] y = s.withSafe(true).softmax(x);
            for (float v : y) {
                assertEquals(0f, v, s + " all -Inf, safe");
            }
        }
    }

    /**
     * Out of place and in place the reload gives the same bits (docs/NUMERICS.md, "Reload"), also where the
     * out-of-place sum, relative to a head far below the largest inputs but never redone (each block's sum stays
     * below 2^58), makes the final factor small enough to be applied in steps of 2^-100: every 4096th input
     * 39.140625 above zeros (the Java reload stepped and then dropped the factor's low float: 0.015624999 out of
     * place against 0.015625 in place, the correctly rounded 1/64), and one 30 after a head of zeros (the low
     * float subnormal without the steps).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void inPlaceAndOutOfPlaceAgreeWhenTheFactorIsTiny(Backend backend) {
        Softmax s = Backends.require(backend).with(Algorithm.THREE_PASS_RELOAD);
        float[] spikes = new float[64 * BLOCK];
        for (int b = 0; b < 64; b++) {
            spikes[b * BLOCK + BLOCK / 2] = 39.140625f;
        }
        float[] late = new float[3 * BLOCK];
        late[2 * BLOCK + 7] = 30f;
        for (float[] x : new float[][] {spikes, late}) {
            float[] out = s.softmax(x);
            float[] in = x.clone();
            s.softmax(in, in);
            for (int i = 0; i < x.length; i++) {
                if (Math.abs(out[i]) >= Float.MIN_NORMAL || Math.abs(in[i]) >= Float.MIN_NORMAL) {
                    assertEquals(Float.floatToIntBits(in[i]), Float.floatToIntBits(out[i]),
                            s + " n=" + x.length + " at " + i + ": out of place " + out[i] + ", in place " + in[i]);
                }
            }
        }
        assertEquals(0.015625f, s.softmax(spikes)[BLOCK / 2], s + " the spikes' 1/64");
    }
}
