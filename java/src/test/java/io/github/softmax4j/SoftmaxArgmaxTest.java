package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused softmax + argmax on every backend and algorithm: the same y as {@code softmax} (bit for bit) and the
 * index of y's first largest element, whatever the path (short rows, chunk boundaries, the exact path, NaN,
 * every input -Inf with and without safe, in place, rows, the parallel split), and bad arguments.
 */
class SoftmaxArgmaxTest {
    /** y's first largest element, -1 if any is NaN or y is empty. */
    private static int top(float[] y, int off, int n) {
        int best = n == 0 ? -1 : 0;
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(y[off + i])) {
                return -1;
            }
            if (y[off + i] > y[off + best]) {
                best = i;
            }
        }
        return best;
    }

    private static void check(Softmax s, float[] x, String what) {
        float[] copy = x.clone();
        float[] want = s.softmax(x);
        float[] y = new float[x.length];
        int got = s.softmaxArgmax(x, y);
        assertArrayEquals(copy, x, what + ": input modified");
        assertArrayEquals(want, y, what + ": y differs from softmax");
        assertEquals(top(want, 0, want.length), got, what + ": index");
        float[] in = x.clone(); // in place: its own output's index
        int inPlace = s.softmaxArgmax(in, in);
        assertEquals(top(in, 0, in.length), inPlace, what + ": in place");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.softmax4j.Backends#allWithAlgorithms")
    void matchesSoftmaxThenArgmax(Backend backend, Algorithm algorithm) {
        for (boolean safe : new boolean[] {false, true}) {
            Softmax s = Backends.require(backend).with(algorithm).withSafe(safe);
            SplittableRandom r = new SplittableRandom(11);
            for (int n : new int[] {0, 1, 2, 15, 16, 17, 63, 64, 65, 1000, 16384, 16385, 40000, 70001}) {
                String c = backend + " " + algorithm + " safe=" + safe + " n=" + n;
                float[] x = Reference.Dist.NORMAL.fill(new float[n], 0, n, r);
                check(s, x, c);
                if (n == 0) {
                    continue;
                }
                x[n - 1] = 9f;
                x[n / 3] = 9f; // a tie: the first wins
                check(s, x, c + " tie");
                x[n / 2] = 1e30f; // the exact path (a huge input)
                check(s, x, c + " huge");
                x[n / 2] = Float.NaN;
                assertEquals(-1, s.softmaxArgmax(x, new float[n]), c + " NaN");
                x[n / 2] = Float.POSITIVE_INFINITY;
                assertEquals(-1, s.softmaxArgmax(x, new float[n]), c + " +Inf");
                Arrays.fill(x, Float.NEGATIVE_INFINITY);
                assertEquals(safe ? 0 : -1, s.softmaxArgmax(x, new float[n]), c + " all -Inf");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void offsetsAndRows(Backend backend) {
        Softmax s = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(5);
        int rows = 5;
        int cols = 333;
        float[] x = Reference.Dist.NORMAL.fill(new float[rows * cols], 0, rows * cols, r);
        x[2 * cols + 17] = Float.NaN; // row 2: NaN
        float[] y = new float[x.length];
        int[] idx = new int[rows + 1];
        idx[rows] = 77;
        s.softmaxArgmaxRows(x, y, cols, idx);
        for (int row = 0; row < rows; row++) {
            float[] want = new float[cols];
            s.softmax(x, row * cols, want, 0, cols);
            assertArrayEquals(want, Arrays.copyOfRange(y, row * cols, (row + 1) * cols), "row " + row);
            assertEquals(top(want, 0, cols), idx[row], "row " + row);
        }
        assertEquals(-1, idx[2]);
        assertEquals(77, idx[rows], "wrote past the rows");
        float[] big = new float[10 + cols];
        System.arraycopy(x, 0, big, 7, cols);
        float[] out = new float[3 + cols];
        assertEquals(idx[0], s.softmaxArgmax(big, 7, out, 3, cols));
        assertEquals(-1, s.softmaxArgmax(big, 7, out, 3, 0));
    }

    @Test
    void parallelSplitsGiveTheSameIndex() {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Softmax seq = Softmax.get();
            Softmax par = seq.parallel(pool).withParallelThreshold(1 << 12);
            SplittableRandom r = new SplittableRandom(3);
            float[] x = Reference.Dist.NORMAL.fill(new float[100_003], 0, 100_003, r);
            x[77_777] = 20f;
            float[] y1 = new float[x.length];
            float[] y2 = new float[x.length];
            assertEquals(seq.softmaxArgmax(x, y1), par.softmaxArgmax(x, y2));
            assertEquals(77_777, par.softmaxArgmax(x, y2));
            int cols = 5000;
            float[] m = Reference.Dist.NORMAL.fill(new float[8 * cols], 0, 8 * cols, r);
            int[] a = new int[8];
            int[] b = new int[8];
            seq.softmaxArgmaxRows(m, new float[m.length], cols, a);
            par.softmaxArgmaxRows(m, new float[m.length], cols, b);
            assertArrayEquals(a, b);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void badArguments() {
        Softmax s = Softmax.get();
        float[] x = new float[8];
        assertThrows(NullPointerException.class, () -> s.softmaxArgmax(null, x));
        assertThrows(NullPointerException.class, () -> s.softmaxArgmax(x, null));
        assertThrows(IllegalArgumentException.class, () -> s.softmaxArgmax(x, new float[7]));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmaxArgmax(x, 2, new float[8], 0, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmaxArgmax(x, -1, new float[8], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> s.softmaxArgmax(x, 0, x, 1, 4)); // overlap
        assertThrows(IllegalArgumentException.class, () -> s.softmaxArgmaxRows(x, new float[8], 3, new int[3]));
        assertThrows(IllegalArgumentException.class, () -> s.softmaxArgmaxRows(x, new float[8], 4, new int[1]));
        assertThrows(NullPointerException.class, () -> s.softmaxArgmaxRows(x, new float[8], 4, null));
    }
}
