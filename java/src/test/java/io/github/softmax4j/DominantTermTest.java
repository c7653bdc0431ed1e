package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression test for a finding of the differential fuzzer (SoftmaxFuzzTest; the raw input is in its
 * regression corpus as fp32-lane-sum-bias-avx2-vector): one dominant term and many equal small
 * ones made every small term added to the fp32 lane holding the large one round the same way, so that
 * lane's error grew with its number of terms: NATIVE_AVX2 7-8 ULP at n = 4096, VECTOR 26 ULP at n = 577
 * (THREE_PASS_RELOAD), against the documented 4 ULP. Fixed by adding terms in fp32 pairs and then in
 * double lanes, and by summing two-pass blocks relative to the block's largest exponent.
 */
class DominantTermTest {
    /** The fuzzer's shape at several sizes, positions of the large term and sizes of the small ones. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.softmax4j.Backends#allWithAlgorithms")
    void dominantTermPlusManySmallOnes(Backend backend, Algorithm algorithm) {
        Softmax s = Backends.require(backend).with(algorithm);
        for (int n : new int[] {3, 577, 4095, 4096, 4097, 70001}) {
            for (float small : new float[] {-5.5f, -13.375f, -17.25f}) {
                for (int pos : new int[] {0, 2, n / 2, n - 1}) {
                    float[] x = new float[n];
                    Arrays.fill(x, small);
                    x[pos] = 0f;
                    float[] ref = Reference.softmax(x, 0, n);
                    double err = Reference.maxUlp(ref, s.softmax(x), 0);
                    assertTrue(err <= ConformanceTest.bound(n),
                            s + " n=" + n + " small=" + small + " at " + pos + ": " + err + " ULP");
                }
            }
        }
    }

    /**
     * A row whose mass is one term gives exactly 1 there under the reload (docs/NUMERICS.md, "Cancelling
     * table"), as the correctly rounded result is: its final pass divides the stored term by a sum that rounds
     * to that term, and for about one z in seven no single float f has fl(z * f) = 1 (softmax([4]) among them:
     * the Java backends gave 0.99999994 until they kept the two-float factor there). The other inputs are -Inf
     * or 30 below the top (their terms below 2^-43 of the sum), the top random, with and without a temperature,
     * out of place and in place, and in rows long enough for the reload's blocks and segments; in double
     * precision too, there under every algorithm (the portable tier's two-pass output pass rounded its two-double
     * factor's product twice: 1 - 2^-53).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void aRowOfOneTermGivesExactlyOne(Backend backend) {
        SplittableRandom rnd = new SplittableRandom(20261206);
        Softmax reload = Backends.require(backend).with(Algorithm.THREE_PASS_RELOAD);
        for (int n : new int[] {1, 2, 17, 4096, 4097, 70001}) {
            for (int trial = 0; trial < (n > 5000 ? 8 : 60); trial++) {
                float top = trial == 0 ? 4f : (float) (rnd.nextDouble(-80, 80));
                float rest = trial % 2 == 0 ? Float.NEGATIVE_INFINITY : top - 30;
                int pos = rnd.nextInt(n);
                float[] x = new float[n];
                Arrays.fill(x, rest);
                x[pos] = top;
                for (Softmax s : new Softmax[] {reload, reload.withTemperature(0.75f)}) {
                    float[] y = s.softmax(x);
                    assertEquals(1f, y[pos], s + " n=" + n + " top=" + top + " rest=" + rest + " at " + pos);
                    float[] inPlace = x.clone();
                    s.softmax(inPlace, inPlace);
                    assertEquals(1f, inPlace[pos], "in place: " + s + " n=" + n + " top=" + top + " at " + pos);
                    double[] xd = new double[n];
                    Arrays.fill(xd, rest == Float.NEGATIVE_INFINITY ? rest : top - 1000.0); // exp(-30) counts here
                    xd[pos] = top + rnd.nextDouble(0x1p-20);
                    for (Algorithm a : Algorithm.values()) { // in double every algorithm: the output pass too
                        Softmax sa = s.with(a);
                        assertEquals(1.0, DoubleSoftmax.of(sa).softmax(xd)[pos], "double: " + sa + " n=" + n
                                + " top=" + xd[pos] + " at " + pos);
                    }
                }
            }
        }
    }
}
