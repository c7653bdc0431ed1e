package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend the host can run x every algorithm against the double-precision reference: awkward sizes,
 * four distributions, offsets, in place. Seeded; the seed and case are in every failure message.
 */
class ConformanceTest {
    static final long SEED = Long.getLong("softmax4j.testSeed", 0x5eed_2026L);

    /** 0, 1, 2..2W+1 for W = 16 (AVX-512), primes, 1000, 1001, 4096, 65537, 1M. */
    static int[] sizes() {
        List<Integer> s = new ArrayList<>();
        for (int n = 0; n <= 33; n++) {
            s.add(n);
        }
        s.addAll(List.of(61, 63, 64, 65, 97, 127, 128, 129, 1000, 1001, 1009, 4095, 4096, 4097, 4099, 8191,
                65537, 1 << 20));
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    static double bound(int n) {
        return n <= 4096 ? 4 : 8;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.softmax4j.Backends#allWithAlgorithms")
    void matchesReference(Backend backend, Algorithm algorithm) {
        Softmax s = Backends.require(backend).with(algorithm);
        double worstSmall = 0;
        double worstLarge = 0;
        for (int n : sizes()) {
            for (Reference.Dist d : Reference.Dist.values()) {
                long seed = SEED ^ (31L * n + d.ordinal());
                float[] x = d.fill(new float[n], 0, n, new SplittableRandom(seed));
                float[] copy = x.clone();
                float[] y = new float[n];
                s.softmax(x, y);
                assertArrayEquals(copy, x, "input modified");
                double err = check(s, x, 0, y, 0, n, "n=" + n + " " + d + " seed=" + seed);
                if (n <= 4096) {
                    worstSmall = Math.max(worstSmall, err);
                } else {
                    worstLarge = Math.max(worstLarge, err);
                }
            }
        }
        System.out.printf("%s %s: max ULP %.0f (n <= 4096), %.0f (n > 4096)%n", backend, algorithm,
                worstSmall, worstLarge);
    }

    /** 16M elements (2^24): the block-wise normaliser keeps the error within 8 ULP. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.softmax4j.Backends#allWithAlgorithms")
    void sixteenMillion(Backend backend, Algorithm algorithm) {
        Softmax s = Backends.require(backend).with(algorithm);
        int n = 1 << 24;
        long seed = SEED + 16;
        float[] x = Reference.Dist.NORMAL.fill(new float[n], 0, n, new SplittableRandom(seed));
        float[] y = new float[n];
        s.softmax(x, y);
        double err = check(s, x, 0, y, 0, n, "n=16M NORMAL seed=" + seed);
        System.out.printf("%s %s: max ULP %.0f at n = 16M%n", backend, algorithm, err);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.softmax4j.Backends#allWithAlgorithms")
    void offsetsAndInPlace(Backend backend, Algorithm algorithm) {
        Softmax s = Backends.require(backend).with(algorithm);
        SplittableRandom r = new SplittableRandom(SEED + 1);
        for (int n : new int[] {1, 5, 17, 31, 33, 1001, 4099, 70001}) {
            for (int xOff : new int[] {0, 1, 3, 16, 17}) {
                int yOff = (xOff * 7 + 5) % 19;
                float[] x = Reference.Dist.LLM_LOGITS.fill(new float[xOff + n + 9], xOff, n, r);
                Arrays.fill(x, 0, xOff, 1e30f); // poison around the range: must not be read
                Arrays.fill(x, xOff + n, x.length, Float.NaN);
                float[] copy = x.clone();
                float[] y = new float[yOff + n + 7];
                Arrays.fill(y, -7f);
                s.softmax(x, xOff, y, yOff, n);
                assertArrayEquals(copy, x, "input modified");
                String c = "n=" + n + " xOff=" + xOff + " yOff=" + yOff;
                check(s, x, xOff, y, yOff, n, c);
                for (int i = 0; i < yOff; i++) {
                    assertEquals(-7f, y[i], "wrote before the range " + c);
                }
                for (int i = yOff + n; i < y.length; i++) {
                    assertEquals(-7f, y[i], "wrote after the range " + c);
                }
                // in place, same offset: equals the out-of-place result bit for bit
                float[] z = x.clone();
                s.softmax(z, xOff, z, xOff, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(y[yOff + i]), Float.floatToIntBits(z[xOff + i]),
                            "in place differs at " + i + " " + c);
                }
            }
        }
    }

    static double check(Softmax s, float[] x, int xOff, float[] y, int yOff, int n, String c) {
        float[] ref = Reference.softmax(x, xOff, n);
        double err = Reference.maxUlp(ref, y, yOff);
        double b = bound(n);
        if (err > b) {
            int i = Reference.firstBad(ref, y, yOff, b);
            throw new AssertionError(s + " " + c + ": error " + err + " ULP > " + b + " at i=" + i + " x="
                    + x[xOff + i] + " y=" + y[yOff + i] + " ref=" + ref[i]);
        }
        assertTrue(err <= b);
        return err;
    }
}
