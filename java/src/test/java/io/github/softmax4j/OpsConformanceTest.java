package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.softmax4j.internal.F64Test;

/**
 * The softmax family (log-sum-exp, log-softmax, cross-entropy, temperature, rows, safe, parallel) on every
 * backend that can run here, against {@link OpsReference}. Bounds as documented in {@link Softmax}.
 */
class OpsConformanceTest {
    private static final long SEED = Long.getLong("softmax4j.test.seed", 0x0F5EED0005L);
    private static final int[] SIZES = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 97, 1000, 1001, 4096, 4099, 65537};
    private static final float[] SCALES = {1f, 0.7f, 1f / 0.3f, 2.5f};
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(3);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    private static String ctx(Backend b, int n, float s, Reference.Dist d) {
        return b + " n=" + n + " scale=" + s + " dist=" + d + " seed=0x" + Long.toHexString(SEED);
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void logSumExpLogSoftmaxAndScaledSoftmax(Backend backend) {
        Softmax base = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(SEED);
        double worstLse = 0;
        double worstSm = 0;
        for (int n : SIZES) {
            for (Reference.Dist d : Reference.Dist.values()) {
                float[] x = d.fill(new float[n], 0, n, r);
                for (float s : SCALES) {
                    Softmax sm = base.withScale(s);
                    String c = ctx(backend, n, s, d);
                    worstLse = Math.max(worstLse, checkLseAndLogSoftmax(sm, x, s, c));

                    double[] p = OpsReference.softmax(x, 0, n, s);
                    for (Algorithm a : Algorithm.values()) {
                        float[] z = sm.with(a).softmax(x);
                        for (int i = 0; i < n; i++) {
                            double err = OpsReference.softmaxError(z[i], p[i]);
                            worstSm = Math.max(worstSm, err);
                            assertTrue(err <= 4, c + " " + a + ": softmax[" + i + "] " + z[i] + " vs " + p[i]);
                        }
                    }
                }
            }
        }
        System.out.printf("%s: logSumExp max %.2f ULP of max(|lse|,1), scaled softmax max %.2f ULP%n", backend,
                worstLse, worstSm);
    }

    /**
     * A high temperature (scale s < 1) over inputs below -65536 (X_LO), whose products s*x are ordinary: the
     * Java backends' max once started at X_LO in x units, so a row whose largest input lay between X_LO / s and
     * X_LO got its E from X_LO * s, every term underflowed, and softmax([-154233]) at s = 0.001 came out 0
     * (two-pass, recompute; found by the fuzzer's {@code ops} target). Inputs spread over the head (256) and a
     * second block, every algorithm, log-sum-exp and log-softmax too.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void highTemperatureBelowTheUnscaledClamp(Backend backend) {
        SplittableRandom r = new SplittableRandom(SEED + 7);
        for (float s : new float[] {0.001f, 0.1f, 0.5f}) {
            Softmax sm = Backends.require(backend).withScale(s);
            for (int n : new int[] {1, 2, 17, 300, 70000}) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    // s*x between X_LO and X_LO * s: below -65536 in x, ordinary after the scale
                    x[i] = (float) ((-65536.0 * (1 + r.nextDouble() * (1 / s - 1) * 0.9)));
                }
                String c = backend + " scale=" + s + " n=" + n;
                checkLseAndLogSoftmax(sm, x, s, c);
                double[] p = OpsReference.softmax(x, 0, n, s);
                double bound = n <= 4096 ? 4 : 8;
                for (Algorithm a : Algorithm.values()) {
                    float[] z = sm.with(a).softmax(x);
                    for (int i = 0; i < n; i++) {
                        double err = OpsReference.softmaxError(z[i], p[i]);
                        assertTrue(err <= bound, c + " " + a + ": softmax[" + i + "] " + z[i] + " vs " + p[i]);
                    }
                }
            }
        }
    }

    /** Log-sum-exp (2 ULP of max(|lse|, 1)) and log-softmax (the absolute bound) of x at scale s; the lse error. */
    private static double checkLseAndLogSoftmax(Softmax sm, float[] x, float s, String c) {
        int n = x.length;
        double lse = OpsReference.logSumExp(x, 0, n, s);
        double e = OpsReference.lseError(sm.logSumExp(x), lse);
        assertTrue(e <= 2, c + ": logSumExp " + sm.logSumExp(x) + " vs " + lse + " (" + e + " ULP)");
        float[] y = sm.logSoftmax(x);
        for (int i = 0; i < n; i++) {
            double ref = (double) x[i] * s - lse;
            assertTrue(Math.abs(y[i] - ref) <= OpsReference.logSoftmaxBound(x[i], s, lse),
                    c + ": logSoftmax[" + i + "] " + y[i] + " vs " + ref);
        }
        return e;
    }

    /**
     * Log-softmax where lse is large and y small: [0, 1, 2, 3] shifted by up to the fast path's range (ONNX's
     * conformance input shifted), and a row of 4097 so that the two-pass blocks run. Every output within 2 ULP
     * of the double result relative to |y| (2^-24 absolute below 1): lse rounded to one float put up to
     * 2^-24 |lse| into every output (the Java backends until the thirty-third session: 1.2e-3 at 32870).
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void logSoftmaxKeepsLseRoundingOutOfY(Backend backend) {
        Softmax sm = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(SEED + 33);
        for (int trial = 0; trial < 400; trial++) {
            float shift = trial == 0 ? 32870f : (float) r.nextDouble(-65000, 65000);
            int n = trial % 8 == 7 ? 4097 : 4;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = shift + (n == 4 ? i : (float) r.nextDouble(0, 6));
            }
            double lse = OpsReference.logSumExp(x, 0, n, 1f);
            float[] y = sm.logSoftmax(x);
            for (int i = 0; i < n; i++) {
                double ref = (double) x[i] - lse;
                double bound = 2 * Math.max(Math.ulp((float) Math.abs(ref)), 0x1p-24);
                assertTrue(Math.abs(y[i] - ref) <= bound, sm + " shift " + shift + " n=" + n + ": logSoftmax[" + i
                        + "] " + y[i] + " vs " + ref + " (" + Math.abs(y[i] - ref) / bound * 2 + " ULP)");
            }
        }
    }

    /** Many terms near 0 make lse and log-softmax near 0, where only an absolute bound is meaningful. */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void nearZeroAndSingleElement(Backend backend) {
        Softmax sm = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(SEED + 1);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + r.nextInt(3);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextGaussian() * 0.1 - Math.log(n));
            }
            double lse = OpsReference.logSumExp(x, 0, n, 1f);
            assertTrue(OpsReference.lseError(sm.logSumExp(x), lse) <= 2, Arrays.toString(x) + ": " + sm.logSumExp(x)
                    + " vs " + lse);
            float[] y = sm.logSoftmax(x);
            for (int i = 0; i < n; i++) {
                assertTrue(Math.abs(y[i] - (x[i] - lse)) <= OpsReference.logSoftmaxBound(x[i], 1f, lse),
                        Arrays.toString(x) + ": logSoftmax " + Arrays.toString(y));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void crossEntropyOneAndRows(Backend backend) {
        Softmax sm = Backends.require(backend).withTemperature(0.8f);
        SplittableRandom r = new SplittableRandom(SEED + 2);
        int rows = 37;
        int cols = 1003;
        int stride = 1010;
        float[] logits = Reference.Dist.LLM_LOGITS.fill(new float[stride * rows], 0, stride * rows, r);
        int[] labels = r.ints(rows, 0, cols).toArray();
        float[] losses = new float[rows + 2];
        float mean = sm.crossEntropyRows(logits, 5, stride, rows - 1, cols, labels, 1, losses, 2);
        double total = 0;
        for (int k = 0; k < rows - 1; k++) {
            int off = 5 + k * stride;
            double lse = OpsReference.logSumExp(logits, off, cols, sm.scale());
            double ref = lse - (double) logits[off + labels[1 + k]] * sm.scale();
            total += ref;
            double bound = OpsReference.crossEntropyBound(lse, ref);
            assertTrue(Math.abs(losses[2 + k] - ref) <= bound, backend + " row " + k + ": " + losses[2 + k] + " vs " + ref);
            float one = sm.crossEntropy(logits, off, cols, labels[1 + k]);
            assertEquals(losses[2 + k], one, Math.ulp(one), "crossEntropy vs crossEntropyRows");
        }
        assertEquals(total / (rows - 1), mean, 1e-5 * Math.abs(mean), "mean loss");
        assertEquals(0f, losses[0]);
        assertEquals(0f, losses[1]);
        assertTrue(Float.isNaN(sm.crossEntropyRows(logits, 0, stride, 0, cols, labels, 0, null, 0)), "mean of none");
        // a large scale: losses (up to |s*x|) far above lse, where the loss's own rounding is most of the bound
        Softmax hot = Backends.require(backend).withScale(100f);
        for (int k = 0; k < rows - 1; k++) {
            int off = 5 + k * stride;
            double lse = OpsReference.logSumExp(logits, off, cols, hot.scale());
            double ref = lse - (double) logits[off + labels[1 + k]] * hot.scale();
            float got = hot.crossEntropy(logits, off, cols, labels[1 + k]);
            double bound = OpsReference.crossEntropyBound(lse, ref);
            assertTrue(Math.abs(got - ref) <= bound, backend + " scale 100, row " + k + ": " + got + " vs " + ref);
        }
        float[] dense = Arrays.copyOf(logits, 4 * 6);
        float denseMean = sm.crossEntropyRows(dense, 6, new int[] {0, 5, 2, 3});
        assertTrue(Float.isFinite(denseMean));
        float[] masked = {0f, Float.NEGATIVE_INFINITY, 1f};
        assertEquals(Float.POSITIVE_INFINITY, sm.crossEntropy(masked, 1), "label with -Inf logit");
        // the losses written into the logits' own array, over a row still to be read: every label's logit is read
        // first (row 1's label logit at index 2 was overwritten by row 0's loss before)
        float[] both = new float[4];
        float[] apart = new float[2];
        float expected = sm.crossEntropyRows(new float[4], 0, 2, 2, 2, new int[] {0, 0}, 0, apart, 0);
        assertEquals(expected, sm.crossEntropyRows(both, 0, 2, 2, 2, new int[] {0, 0}, 0, both, 2), "mean, aliased");
        assertEquals(apart[0], both[2], "row 0, aliased");
        assertEquals(apart[1], both[3], "row 1, aliased");
    }

    /** Rows (strided, dense, short, in place) equal the single-row calls of the same backend, bit for bit. */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void rowsMatchSingleRows(Backend backend) {
        Softmax sm = Backends.require(backend).withScale(0.9f);
        SplittableRandom r = new SplittableRandom(SEED + 3);
        for (int cols : new int[] {1, 2, 3, 5, 8, 15, 16, 17, 33, 100, 4097}) {
            int rows = 7;
            int xs = cols + 3;
            int ys = cols + 1;
            float[] x = Reference.Dist.NORMAL.fill(new float[2 + rows * xs], 0, 2 + rows * xs, r);
            float[] xCopy = x.clone();
            float[] y = new float[1 + rows * ys];
            float[] lseOut = new float[rows];
            for (boolean log : new boolean[] {false, true}) {
                Arrays.fill(y, 42f);
                if (log) {
                    sm.logSoftmaxRows(x, 2, xs, y, 1, ys, rows, cols);
                } else {
                    sm.softmaxRows(x, 2, xs, y, 1, ys, rows, cols);
                }
                sm.logSumExpRows(x, 2, xs, rows, cols, lseOut, 0);
                for (int k = 0; k < rows; k++) {
                    float[] one = new float[cols];
                    if (log) {
                        sm.logSoftmax(x, 2 + k * xs, one, 0, cols);
                    } else {
                        sm.softmax(x, 2 + k * xs, one, 0, cols);
                    }
                    assertArrayEquals(one, Arrays.copyOfRange(y, 1 + k * ys, 1 + k * ys + cols),
                            backend + " cols=" + cols + " row " + k + (log ? " log" : ""));
                    assertEquals(sm.logSumExp(x, 2 + k * xs, cols), lseOut[k], "lse row " + k);
                    if (k + 1 < rows) {
                        assertEquals(42f, y[1 + k * ys + cols], "gap after row " + k + " written");
                    }
                }
                assertArrayEquals(xCopy, x, "input modified");
                float[] inPlace = x.clone();
                if (log) {
                    sm.logSoftmaxRows(inPlace, 2, xs, inPlace, 2, xs, rows, cols);
                } else {
                    sm.softmaxRows(inPlace, 2, xs, inPlace, 2, xs, rows, cols);
                }
                for (int k = 0; k < rows; k++) {
                    assertArrayEquals(Arrays.copyOfRange(y, 1 + k * ys, 1 + k * ys + cols),
                            Arrays.copyOfRange(inPlace, 2 + k * xs, 2 + k * xs + cols), "in place row " + k);
                }
            }
        }
        float[] dense = {1, 2, 3, 4, 5, 6};
        float[] out = new float[6];
        sm.softmaxRows(dense, out, 3);
        assertArrayEquals(sm.softmax(new float[] {4, 5, 6}), Arrays.copyOfRange(out, 3, 6));
        assertArrayEquals(new float[] {sm.logSumExp(new float[] {1, 2}), sm.logSumExp(new float[] {3, 4}),
            sm.logSumExp(new float[] {5, 6})}, sm.logSumExpRows(dense, 2));
        // One row does not use its strides: any value, negative too (the native entry rejected a negative one
        // with IllegalStateException where the Java backends computed the row).
        float[] v = {0.5f, -1f, 2f, 3f};
        for (int stride : new int[] {-1, -100, 0, 1, Integer.MAX_VALUE}) {
            String at = backend + " one row, stride " + stride;
            float[] got = new float[4];
            sm.softmaxRows(v, 0, stride, got, 0, stride, 1, 4);
            assertArrayEquals(sm.softmax(v), got, at);
            sm.withSafe(true).softmaxRows(v, 0, stride, got, 0, -stride, 1, 4);
            assertArrayEquals(sm.withSafe(true).softmax(v), got, at + ", safe");
            sm.logSoftmaxRows(v, 0, stride, got, 0, stride, 1, 4);
            assertArrayEquals(sm.logSoftmax(v), got, at + ", log-softmax");
            float[] l = new float[1];
            sm.logSumExpRows(v, 0, stride, 1, 4, l, 0);
            assertEquals(sm.logSumExp(v), l[0], at + ", log-sum-exp");
            assertEquals(sm.crossEntropy(v, 2), sm.crossEntropyRows(v, 0, stride, 1, 4, new int[] {2}, 0, null, 0),
                    at + ", cross-entropy");
            FloatBuffer dx = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asFloatBuffer().put(v).flip();
            FloatBuffer dy = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asFloatBuffer();
            sm.logSoftmaxRows(dx, stride, dy, stride, 1, 4);
            dy.get(0, got);
            assertArrayEquals(sm.logSoftmax(v), got, at + ", direct log-softmax");
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void specialValuesAndSafe(Backend backend) {
        Softmax sm = Backends.require(backend);
        float inf = Float.POSITIVE_INFINITY;
        for (int n : new int[] {1, 5, 17, 70, 5000}) {
            float[] allMasked = new float[n];
            Arrays.fill(allMasked, -inf);
            assertEquals(-inf, sm.logSumExp(allMasked), backend + " lse(all -Inf) n=" + n);
            assertTrue(Float.isNaN(sm.softmax(allMasked)[0]), "softmax(all -Inf) is NaN by default");
            assertTrue(Float.isNaN(sm.logSoftmax(allMasked)[n - 1]), "logSoftmax(all -Inf) is NaN by default");
            float[] zeros = sm.withSafe(true).softmax(allMasked);
            float[] minusInf = sm.withSafe(true).logSoftmax(allMasked);
            for (int i = 0; i < n; i++) {
                assertEquals(0f, zeros[i], "safe softmax of a masked row");
                assertEquals(-inf, minusInf[i], "safe logSoftmax of a masked row");
            }
            float[] x = Reference.Dist.NORMAL.fill(new float[n], 0, n, new SplittableRandom(n));
            x[n / 2] = -inf;
            float[] ls = sm.withSafe(true).logSoftmax(x);
            assertEquals(-inf, ls[n / 2]);
            if (n > 1) {
                assertTrue(Float.isFinite(ls[(n / 2 + 1) % n]));
            }
            x[n / 2] = inf;
            assertEquals(inf, sm.logSumExp(x));
            assertTrue(Float.isNaN(sm.logSoftmax(x)[0]));
            x[n / 2] = Float.NaN;
            assertTrue(Float.isNaN(sm.logSumExp(x)));
        }
        assertEquals(-inf, sm.logSumExp(new float[0]));
        assertEquals(1e30f, sm.logSumExp(new float[] {1e30f, 0f}));
        assertEquals(Float.MAX_VALUE, sm.logSumExp(new float[] {-Float.MAX_VALUE, Float.MAX_VALUE}));
        assertArrayEquals(new float[] {0f, -1e30f}, sm.logSoftmax(new float[] {1e30f, 0f}));
        // rows: a masked row among normal ones, safe and not
        float[] rows = {1, 2, 3, -inf, -inf, -inf, 0, 0, 0};
        float[] out = new float[9];
        sm.withSafe(true).softmaxRows(rows, out, 3);
        assertArrayEquals(new float[] {0, 0, 0}, Arrays.copyOfRange(out, 3, 6));
        assertEquals(1f / 3, out[6], 1e-7f);
        sm.softmaxRows(rows, out, 3);
        assertTrue(Float.isNaN(out[3]) && !Float.isNaN(out[0]) && !Float.isNaN(out[8]));
        // temperature far beyond the fast range: the exact path
        float[] t = {1f, 2f, 3f};
        double lse = OpsReference.logSumExp(t, 0, 3, 1e35f);
        assertEquals(lse, sm.withScale(1e35f).logSumExp(t), Math.ulp((float) lse));
        assertArrayEquals(new float[] {0, 0, 1}, sm.withTemperature(1e-30f).softmax(t));
    }

    /**
     * Log-sum-exp, log-softmax and cross-entropy run the two-pass whatever the softmax algorithm, so a parallel
     * instance splits them under a three-pass algorithm too (they ran on the calling thread until the
     * thirty-third session); softmax itself splits a vector only under AUTO and TWO_PASS.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void parallelThreePassSplitsTheTwoPassOps(Backend backend) {
        java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Executor counting = task -> {
            tasks.incrementAndGet();
            pool.execute(task);
        };
        Softmax seq = Backends.require(backend).with(Algorithm.THREE_PASS_RELOAD);
        Softmax par = seq.parallel(counting).withParallelThreshold(1);
        float[] x = Reference.Dist.LLM_LOGITS.fill(new float[100_000], 0, 100_000, new SplittableRandom(SEED + 5));
        double lse = OpsReference.logSumExp(x, 0, x.length, 1f);
        assertTrue(OpsReference.lseError(par.logSumExp(x), lse) <= 2, backend + " parallel three-pass lse");
        float[] ls = par.logSoftmax(x);
        for (int i = 0; i < x.length; i++) {
            assertTrue(Math.abs(ls[i] - ((double) x[i] - lse)) <= OpsReference.logSoftmaxBound(x[i], 1f, lse),
                    backend + " parallel three-pass logSoftmax i=" + i);
        }
        assertTrue(tasks.get() > 0 || Runtime.getRuntime().availableProcessors() == 1,
                backend + ": log-sum-exp and log-softmax under a parallel three-pass ran on the calling thread");
        int before = tasks.get();
        float[] y = par.softmax(x);
        assertEquals(before, tasks.get(), backend + ": a three-pass softmax vector is not split");
        assertArrayEquals(seq.softmax(x), y, backend + ": the parallel three-pass softmax is the sequential one");
    }

    /** The parallel split (forced by a low threshold) against the reference and the sequential result. */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void parallelSplit(Backend backend) {
        Softmax seq = Backends.require(backend).withScale(1.3f);
        Softmax par = seq.parallel(pool).withParallelThreshold(1);
        SplittableRandom r = new SplittableRandom(SEED + 4);
        for (int n : new int[] {1, 4096, 4097, 3 * 4096 + 5, 100_000}) {
            float[] x = Reference.Dist.LLM_LOGITS.fill(new float[n], 0, n, r);
            double[] p = OpsReference.softmax(x, 0, n, 1.3f);
            float[] y = par.softmax(x);
            for (int i = 0; i < n; i++) {
                // 8 ULP: rows above 4096 (the parts' sums may add trees: proven 5.96 on AVX-512, NUMERICS "Error budget")
                assertTrue(OpsReference.softmaxError(y[i], p[i]) <= (n <= 4096 ? 4 : 8),
                        backend + " parallel n=" + n + " i=" + i);
            }
            double lse = OpsReference.logSumExp(x, 0, n, 1.3f);
            assertTrue(OpsReference.lseError(par.logSumExp(x), lse) <= 2, "parallel lse n=" + n);
            float[] ls = par.logSoftmax(x);
            for (int i = 0; i < n; i++) {
                assertTrue(Math.abs(ls[i] - ((double) x[i] * 1.3f - lse))
                        <= OpsReference.logSoftmaxBound(x[i], 1.3f, lse), "parallel logSoftmax n=" + n);
            }
            float[] inPlace = x.clone();
            par.softmax(inPlace, inPlace);
            assertArrayEquals(y, inPlace, "parallel in place");
            FloatBuffer dx = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
            FloatBuffer dy = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
            dx.put(x).flip();
            par.softmax(dx, dy);
            float[] fromBuffer = new float[n];
            dy.get(0, fromBuffer);
            assertArrayEquals(y, fromBuffer, "parallel direct buffers");
            assertEquals(par.logSumExp(x), par.logSumExp(dx), "parallel lse of a direct buffer");
            // rows split by rows
            float[] y2 = new float[n];
            int cols = Math.max(1, n / 7);
            int rowsN = n / cols;
            par.softmaxRows(x, 0, cols, y2, 0, cols, rowsN, cols);
            float[] y3 = new float[n];
            // one row is not split by rows: the parallel instance splits the vector (two-pass) instead
            (rowsN == 1 ? seq.with(Algorithm.TWO_PASS) : seq).softmaxRows(x, 0, cols, y3, 0, cols, rowsN, cols);
            assertArrayEquals(y3, y2, "rows split across threads equal sequential rows");
            // a read-only heap view of y's memory one row ahead (its overlap with y cannot be seen): the whole
            // input is read before any row is written, as if the buffers were disjoint (split by rows, a group
            // wrote the row another group had yet to copy)
            // (the same call on disjoint memory is the reference: a copy is computed in place, which may differ
            // from the array call's out-of-place reload below 2^-100, NUMERICS "Bias")
            if (rowsN > 1) {
                float[] disjoint = new float[rowsN * cols];
                seq.softmaxRows(FloatBuffer.wrap(x, 0, rowsN * cols).asReadOnlyBuffer(), cols, FloatBuffer.wrap(disjoint),
                        cols, rowsN, cols);
                float[] a = new float[(rowsN + 1) * cols];
                for (int round = 0; round < 20; round++) {
                    System.arraycopy(x, 0, a, cols, rowsN * cols);
                    FloatBuffer ahead = FloatBuffer.wrap(a, cols, rowsN * cols).slice().asReadOnlyBuffer();
                    par.softmaxRows(ahead, cols, FloatBuffer.wrap(a), cols, rowsN, cols);
                    assertArrayEquals(disjoint, Arrays.copyOf(a, rowsN * cols), "rows over a read-only view of y");
                }
            }
            // a NaN anywhere: the merged sum is invalid, the exact path runs on one thread
            x[n / 3] = Float.NaN;
            assertTrue(Float.isNaN(par.softmax(x)[n - 1]));
            assertTrue(Float.isNaN(par.logSumExp(x)));
        }
    }

    /** Double precision through the facade (the kernels themselves: internal.F64Test). */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void doublePrecision(Backend backend) {
        SplittableRandom r = new SplittableRandom(SEED + 5);
        for (float s : new float[] {1f, 0.7f}) {
            DoubleSoftmax sm = DoubleSoftmax.of(Backends.require(backend).withScale(s));
            for (int n : new int[] {1, 3, 4, 5, 9, 17, 1000, 4099}) {
                double[] x = new double[n + 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextGaussian() * 5;
                }
                double[] xn = Arrays.copyOfRange(x, 2, 2 + n);
                double[] lse = new double[2];
                double[] ref = io.github.softmax4j.internal.F64Test.reference(xn, n, s, lse);
                double[] y = new double[n + 1];
                sm.softmax(x, 2, y, 1, n);
                for (int i = 0; i < n; i++) {
                    double ulps = io.github.softmax4j.internal.F64Test.ulps(y[1 + i], ref[2 * i], ref[2 * i + 1]);
                    assertTrue(ulps <= 4, backend + " f64 n=" + n + " s=" + s + " i=" + i + ": " + ulps + " ULP");
                }
                double l = sm.logSumExp(x, 2, n);
                assertTrue(Math.abs((l - lse[0]) - lse[1]) <= 4 * Math.ulp(Math.max(1, Math.abs(lse[0]))),
                        backend + " f64 lse n=" + n + ": " + l + " vs " + lse[0]);
                assertArrayEquals(Arrays.copyOfRange(y, 1, 1 + n), sm.softmax(xn), "f64 whole array");
                // log-softmax within 2^-52 |y| + 2^-50 of the double-double reference
                double[] refLog = io.github.softmax4j.internal.F64Test.referenceLog(xn, n, s);
                sm.logSoftmax(x, 2, y, 1, n);
                for (int i = 0; i < n; i++) {
                    double err = Math.abs((y[1 + i] - refLog[2 * i]) - refLog[2 * i + 1]);
                    assertTrue(err <= Math.abs(refLog[2 * i]) * 0x1p-52 + 0x1p-50,
                            backend + " f64 log-softmax n=" + n + " s=" + s + " i=" + i + ": error " + err);
                }
                double[] whole = xn.clone();
                sm.logSoftmax(whole, whole);
                assertArrayEquals(Arrays.copyOfRange(y, 1, 1 + n), whole, "f64 log-softmax in place");
            }
            // rows: one call, sequential and split by rows across threads, against one call per row
            int cols = 37;
            double[] m = new double[11 * cols];
            for (int i = 0; i < m.length; i++) {
                m[i] = r.nextGaussian() * 4;
            }
            DoubleSoftmax par = DoubleSoftmax.of(sm.softmax().parallel(pool).withParallelThreshold(1));
            for (boolean log : new boolean[] {false, true}) {
                double[] rowsOut = new double[m.length];
                double[] parOut = new double[m.length];
                double[] one = new double[cols];
                if (log) {
                    sm.logSoftmaxRows(m, rowsOut, cols);
                    par.logSoftmaxRows(m, parOut, cols);
                } else {
                    sm.softmaxRows(m, rowsOut, cols);
                    par.softmaxRows(m, parOut, cols);
                }
                assertArrayEquals(rowsOut, parOut, backend + " f64 rows split by threads, log=" + log);
                for (int row = 0; row < 11; row++) {
                    if (log) {
                        sm.logSoftmax(m, row * cols, one, 0, cols);
                    } else {
                        sm.softmax(m, row * cols, one, 0, cols);
                    }
                    assertArrayEquals(one, Arrays.copyOfRange(rowsOut, row * cols, (row + 1) * cols),
                            backend + " f64 row " + row + " log=" + log);
                }
            }
        }
        DoubleSoftmax sm = DoubleSoftmax.of(Backends.require(backend));
        double[] masked = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        assertTrue(Double.isNaN(sm.softmax(masked)[0]));
        assertArrayEquals(new double[] {0, 0}, DoubleSoftmax.of(sm.softmax().withSafe(true)).softmax(masked));
        assertEquals(Double.NEGATIVE_INFINITY, sm.logSumExp(masked));
        assertEquals(Double.NEGATIVE_INFINITY, sm.logSumExp(new double[0]));
        double[] logMasked = new double[2];
        sm.logSoftmax(masked, logMasked);
        assertTrue(Double.isNaN(logMasked[0]) && Double.isNaN(logMasked[1]), "f64 log-softmax all -Inf");
        DoubleSoftmax.of(sm.softmax().withSafe(true)).logSoftmax(masked, logMasked);
        assertArrayEquals(masked, logMasked, "f64 safe log-softmax all -Inf");
        double[] withInf = {1, Double.POSITIVE_INFINITY, 2};
        double[] logInf = new double[3];
        sm.logSoftmax(withInf, logInf);
        assertTrue(Double.isNaN(logInf[0]) && Double.isNaN(logInf[2]), "f64 log-softmax +Inf -> NaN");
        assertThrows(IllegalArgumentException.class, () -> sm.softmaxRows(new double[6], new double[6], 4), "cols");
        assertThrows(IllegalArgumentException.class, () -> sm.logSoftmaxRows(new double[6], new double[6], 0), "cols 0");
        assertThrows(IllegalArgumentException.class, () -> sm.logSoftmax(new double[3], new double[2]), "lengths");
        assertThrows(NullPointerException.class, () -> sm.logSoftmax(new double[1], 0, null, 0, 1), "null y");
        double[] inPlace = {1, 2, 3};
        sm.softmax(inPlace, inPlace);
        assertArrayEquals(sm.softmax(new double[] {1, 2, 3}), inPlace);
        assertThrows(IllegalArgumentException.class, () -> sm.softmax(new double[3], new double[4]));
        assertThrows(IndexOutOfBoundsException.class, () -> sm.softmax(new double[3], 1, new double[3], 0, 3));
        double[] d = new double[6];
        assertThrows(IllegalArgumentException.class, () -> sm.softmax(d, 0, d, 1, 4), "overlap");
        assertThrows(NullPointerException.class, () -> sm.logSumExp((double[]) null));
        assertThrows(NullPointerException.class, () -> DoubleSoftmax.of(null));
        assertEquals("DoubleSoftmax[" + sm.softmax() + "]", sm.toString());
    }

    /**
     * Double log-softmax of an input whose difference to the maximum overflows while the scale brings it back
     * into range: [-DBL_MAX, 2e300, 1e300] at s = 0.001 gives ~-1.8e305, which came out -Inf on every backend
     * (the exact path formed (x - max) * s; the fuzz target {@code SoftmaxFuzzTest#doubles} found it).
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void doubleLogSoftmaxOfAnOverflowingDifference(Backend backend) {
        expectDoubleLogSoftmax(backend, 0.001f, new double[] {-Double.MAX_VALUE, 2e300, 1e300});
        // 8.53e307 against DBL_MAX: 2Sum's intermediate overflows (the difference rounds); y stays finite
        expectDoubleLogSoftmax(backend, 0.001f,
                new double[] {-Double.MAX_VALUE, 8.530234455389695e307, Double.MAX_VALUE});
        // at s = 0.7 the scaled difference stays beyond the range: -Inf, not NaN
        double[] y = new double[3];
        DoubleSoftmax.of(Backends.require(backend).withScale(0.7f))
                .logSoftmax(new double[] {-Double.MAX_VALUE, 1.78e308, 1e300}, y);
        assertEquals(Double.NEGATIVE_INFINITY, y[0], backend + " s=0.7 log-softmax[0]");
        assertEquals(0.0, y[1], backend + " s=0.7 log-softmax[1]");
    }

    /** Double log-softmax of x at scale s within 2^-52 |y| + 2^-50 of the double-double reference. */
    private static void expectDoubleLogSoftmax(Backend backend, float s, double[] x) {
        double[] y = new double[x.length];
        DoubleSoftmax.of(Backends.require(backend).withScale(s)).logSoftmax(x, y);
        double[] ref = F64Test.referenceLog(x, x.length, s);
        for (int i = 0; i < x.length; i++) {
            double err = Math.abs((y[i] - ref[2 * i]) - ref[2 * i + 1]);
            assertTrue(err <= Math.abs(ref[2 * i]) * 0x1p-52 + 0x1p-50, backend + " s=" + s + " log-softmax of "
                    + Arrays.toString(x) + " [" + i + "] = " + y[i] + ", want " + ref[2 * i]);
        }
    }

    /**
     * Rows of x and y interleaved in one array or buffer without sharing an element (equal strides; logits in
     * the left part of each row, the output in the right part, or y's rows one row further on) are disjoint and
     * accepted; they give the results of separate arrays, on one thread and split across threads; a distance
     * that makes a y row touch an x row is still rejected.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void interleavedRows(Backend backend) throws Exception {
        Softmax sm = Backends.require(backend);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Softmax par = sm.parallel(pool).withParallelThreshold(1);
            int rows = 40;
            int cols = 5;
            int stride = 12;
            SplittableRandom r = new SplittableRandom(7);
            for (int d : new int[] {5, 6, 7, stride + 5, -7, -stride - 6}) {
                int xOff = d < 0 ? 2 * stride : 0;
                float[] x = new float[xOff + rows * stride + 2 * stride];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextDouble(-8, 8);
                }
                float[] want = new float[rows * cols];
                sm.softmaxRows(x.clone(), xOff, stride, want, 0, cols, rows, cols);
                for (Softmax s : new Softmax[] {sm, par}) {
                    float[] a = x.clone();
                    s.softmaxRows(a, xOff, stride, a, xOff + d, stride, rows, cols);
                    FloatBuffer direct = ByteBuffer.allocateDirect(4 * x.length).order(ByteOrder.nativeOrder())
                            .asFloatBuffer().put(x);
                    s.softmaxRows(direct.position(xOff), stride, direct.duplicate().position(xOff + d), stride, rows,
                            cols);
                    for (int row = 0; row < rows; row++) {
                        for (int c = 0; c < cols; c++) {
                            int at = xOff + d + row * stride + c;
                            assertEquals(want[row * cols + c], a[at], s + " d=" + d + " row " + row + " array");
                            assertEquals(want[row * cols + c], direct.get(at), s + " d=" + d + " row " + row + " direct");
                            assertEquals(x[xOff + row * stride + c], a[xOff + row * stride + c], "x row " + row + " kept");
                        }
                    }
                }
            }
            float[] x = new float[rows * stride + stride];
            for (int d : new int[] {1, 4, 8, stride - 1, stride + 4, -4}) { // each y row touches an x row
                int xOff = d < 0 ? stride : 0;
                assertThrows(IllegalArgumentException.class,
                        () -> sm.softmaxRows(x, xOff, stride, x, xOff + d, stride, rows, cols), "d=" + d);
            }
        } finally {
            pool.shutdown();
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void badInput(Backend backend) {
        Softmax sm = Backends.require(backend);
        float[] x = new float[10];
        float[] y = new float[10];
        for (float s : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, -0f}) {
            assertThrows(IllegalArgumentException.class, () -> sm.withScale(s), "scale " + s);
        }
        assertThrows(IllegalArgumentException.class, () -> sm.withTemperature(0f));
        assertThrows(IllegalArgumentException.class, () -> sm.softmaxRows(x, 0, 2, y, 0, 3, 3, 3), "stride < cols");
        assertThrows(IndexOutOfBoundsException.class, () -> sm.softmaxRows(x, 0, 4, y, 0, 4, 3, 3), "past end");
        assertThrows(IndexOutOfBoundsException.class, () -> sm.softmaxRows(x, 0, Integer.MAX_VALUE, y, 0, 3, 3, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> sm.softmaxRows(x, 0, 3, y, 0, 3, -1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> sm.logSoftmax(x, 0, y, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> sm.softmaxRows(x, 0, 3, x, 1, 3, 3, 3), "overlap");
        assertThrows(IllegalArgumentException.class, () -> sm.logSoftmaxRows(x, 0, 5, x, 0, 4, 2, 4), "strides differ");
        assertThrows(IllegalArgumentException.class, () -> sm.softmaxRows(x, y, 3), "not a multiple");
        assertThrows(IllegalArgumentException.class, () -> sm.softmaxRows(x, y, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> sm.crossEntropy(x, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> sm.crossEntropy(x, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> sm.crossEntropy(x, 2, 5, 5));
        assertThrows(IndexOutOfBoundsException.class,
                () -> sm.crossEntropyRows(x, 0, 5, 2, 5, new int[] {0, 5}, 0, null, 0), "label == cols");
        assertThrows(IndexOutOfBoundsException.class,
                () -> sm.crossEntropyRows(x, 0, 5, 2, 5, new int[] {0}, 0, null, 0), "too few labels");
        assertThrows(IndexOutOfBoundsException.class,
                () -> sm.crossEntropyRows(x, 0, 5, 2, 5, new int[] {0, 1}, 0, new float[1], 0), "too few losses");
        assertThrows(IllegalArgumentException.class, () -> sm.crossEntropyRows(x, 5, new int[] {1}));
        assertThrows(IndexOutOfBoundsException.class, () -> sm.logSumExp(x, 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> sm.logSumExpRows(x, 0, 5, 2, 5, new float[1], 0));
        assertThrows(NullPointerException.class, () -> sm.logSumExp((float[]) null));
        assertThrows(NullPointerException.class, () -> sm.logSoftmax(null, y));
        assertThrows(NullPointerException.class, () -> sm.crossEntropyRows(x, 5, null));
        assertThrows(NullPointerException.class, () -> sm.parallel(null));
        assertThrows(IllegalArgumentException.class, () -> sm.withParallelThreshold(0));
        FloatBuffer ro = FloatBuffer.allocate(10).asReadOnlyBuffer();
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> sm.logSoftmax(FloatBuffer.wrap(x), ro));
        assertThrows(java.nio.ReadOnlyBufferException.class,
                () -> sm.softmaxRows(FloatBuffer.wrap(x), 5, ro, 5, 2, 5));
        assertThrows(IndexOutOfBoundsException.class,
                () -> sm.softmaxRows(FloatBuffer.wrap(x), 5, FloatBuffer.wrap(y), 5, 3, 5));
        assertEquals(sm.logSumExp(x), sm.logSumExp(FloatBuffer.wrap(x).asReadOnlyBuffer()), "read-only input");
        assertArrayEquals(new float[10], x, "inputs unchanged");
    }
}
