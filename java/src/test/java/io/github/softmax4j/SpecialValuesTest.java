package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** NaN, infinities and huge values, as PyTorch/ONNX define them, at positions inside and past a vector. */
class SpecialValuesTest {
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final float MAX = Float.MAX_VALUE;

    private static float[] run(Softmax s, float... x) {
        float[] copy = x.clone();
        float[] y = s.softmax(x);
        assertTrue(Arrays.equals(copy, x), "input modified");
        return y;
    }

    private static void assertAllNaN(float[] y, String c) {
        for (int i = 0; i < y.length; i++) {
            assertTrue(Float.isNaN(y[i]), c + ": y[" + i + "] = " + y[i] + ", want NaN");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.softmax4j.Backends#allWithAlgorithms")
    void specialValues(Backend backend, Algorithm algorithm) {
        Softmax s = Backends.require(backend).with(algorithm);
        assertEquals(0, s.softmax(new float[0]).length);
        float[] untouched = {5f};
        s.softmax(new float[0], 0, untouched, 1, 0);
        assertEquals(5f, untouched[0]);

        assertArrayEqualsExact(new float[] {0, 1}, run(s, -MAX, MAX), "[-MAX, MAX]");
        assertArrayEqualsExact(new float[] {1, 0}, run(s, 1e30f, 0), "[1e30, 0]");
        assertArrayEqualsExact(new float[] {0, 1}, run(s, -1e38f, 1e38f), "[-1e38, 1e38]");
        assertArrayEqualsExact(new float[] {0.5f, 0.5f}, run(s, 1e38f, 1e38f), "[1e38, 1e38]");
        assertArrayEqualsExact(new float[] {0.5f, 0.5f}, run(s, -1e38f, -1e38f), "[-1e38, -1e38]");
        assertArrayEqualsExact(new float[] {1, 0, 0}, run(s, 1e30f, -INF, 0), "[1e30, -Inf, 0]");
        assertArrayEqualsExact(new float[] {0, 1}, run(s, -INF, -1e30f), "[-Inf, -1e30]");
        assertArrayEqualsExact(new float[] {0.5f, 0.5f}, run(s, 70000f, 70000f), "[70000, 70000]");

        SplittableRandom r = new SplittableRandom(7);
        for (int n : new int[] {1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 5000}) {
            for (int pos : new int[] {0, n / 2, n - 1}) {
                float[] x = Reference.Dist.NORMAL.fill(new float[n], 0, n, r);
                x[pos] = Float.NaN;
                assertAllNaN(run(s, x), "NaN at " + pos + " of " + n);
                // a NaN with the sign bit set (what 0f/0f gives on x86): the AVX-512 clamp once made it a 0 term
                x[pos] = Float.intBitsToFloat(0xFFC00000);
                assertAllNaN(run(s, x), "negative NaN at " + pos + " of " + n);
                x[pos] = INF;
                assertAllNaN(run(s, x), "+Inf at " + pos + " of " + n);
                x[pos] = -INF;
                float[] y = run(s, x);
                if (n > 1) {
                    assertEquals(0f, y[pos], "-Inf gives 0, n=" + n);
                    float[] ref = Reference.softmax(x, 0, n);
                    assertTrue(Reference.maxUlp(ref, y, 0) <= 4, "-Inf at " + pos + " of " + n);
                } else {
                    assertAllNaN(y, "single -Inf");
                }
                float[] allNegInf = new float[n];
                Arrays.fill(allNegInf, -INF);
                assertAllNaN(run(s, allNegInf), "all -Inf, n=" + n);
                // huge values mixed in: the exact path takes over
                float[] big = Reference.Dist.NORMAL.fill(new float[n], 0, n, r);
                big[pos] = 1e37f;
                float[] yb = run(s, big);
                assertEquals(1f, yb[pos], "1e37 dominates, n=" + n);
                // masked-attention style: many -Inf, a few finite
                float[] masked = new float[n];
                Arrays.fill(masked, -INF);
                masked[pos] = 3f;
                masked[n - 1 - pos] = 3f;
                float[] ym = run(s, masked);
                float[] refm = Reference.softmax(masked, 0, n);
                assertTrue(Reference.maxUlp(refm, ym, 0) <= 4, "masked row n=" + n + " pos=" + pos);
            }
        }
        // the whole float range, including subnormals and ±0
        float[] wide = {Float.MIN_VALUE, -Float.MIN_VALUE, 0f, -0f, 88.7f, -87.3f, 100f, -100f, 1e-30f};
        float[] y = run(s, wide);
        assertTrue(Reference.maxUlp(Reference.softmax(wide, 0, wide.length), y, 0) <= 4, "wide range");
    }

    private static void assertArrayEqualsExact(float[] want, float[] got, String c) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], c + " at " + i + ": " + Arrays.toString(got));
        }
    }
}
