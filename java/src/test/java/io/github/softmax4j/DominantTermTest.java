package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

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
}
