package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Differential fuzzing (Jazzer): targets that run every input on every backend this machine can run; this one,
 * {@code softmax},
 * each compared with the double-precision reference ({@link Reference}) within the documented bound (4 ULP for
 * n <= 4096, else 8; FLT_MIN absolute below FLT_MIN; NaN exactly where the reference has NaN). The fuzzer chooses
 * the algorithm, the call shape (arrays at offsets, in place, direct and heap buffers), the length (0..5000,
 * across the 4096-element block), the offsets, a background distribution and up to 64 placed values from
 * {@code consumeFloat()}, which yields NaN, +-Inf, +-0, subnormals and +-FLT_MAX among others. Every input is
 * also checked to be unchanged (except in place). The second, {@link #ops}, covers the rest of the family. A new
 * backend or tier joins by being in {@link Backend}: no target and no corpus of its own.
 *
 * <p>{@code mvn verify} replays the committed corpus (src/test/resources/io/github/softmax4j/SoftmaxFuzzTestInputs/
 * softmax/) as regression tests. To fuzz for a set time (10 minutes here), optionally on some backends only:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl java test -Dtest=SoftmaxFuzzTest -Dsoftmax4j.fuzzBackends=NATIVE_AVX2 \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=600
 * </pre>
 * (without the two properties the target fuzzes for its {@code maxDuration}). New interesting inputs land in
 * java/.cifuzz-corpus/; failing ones in the Inputs folder above, where they become regression tests.
 */
class SoftmaxFuzzTest {
    /** The backends every input runs on: those this machine can run (or -Dsoftmax4j.fuzzBackends). */
    private static final List<Backend> BACKENDS = backends();

    /** The raw input, decoded the same way for every backend (a FuzzedDataProvider of it per backend). */
    @FuzzTest(maxDuration = "2m")
    void softmax(byte[] input) {
        for (Backend b : BACKENDS) {
            try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(input)) {
                check(b, d);
            }
        }
    }

    /**
     * A fuzz target cannot abort (Jazzer reports an aborted assumption as a finding), so a backend that
     * cannot run here is left out of the list, with the reason printed.
     */
    private static List<Backend> backends() {
        String only = System.getProperty("softmax4j.fuzzBackends", "");
        List<Backend> out = new ArrayList<>();
        for (Backend b : Backend.values()) {
            if (!only.isBlank() && !Arrays.asList(only.split(",")).contains(b.name())) {
                continue;
            }
            try {
                Softmax.of(b);
                out.add(b);
            } catch (UnsupportedOperationException e) {
                System.out.println("!!! SKIPPED fuzzing " + b + " (cannot run on this machine): " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no backend to fuzz (softmax4j.fuzzBackends=" + only + ")");
        }
        return out;
    }

    private static final float[] SCALES = {1f, 0.01f, 10f, 100f, 1000f, 70000f, 1e30f};

    /**
     * The rest of the family on the same kind of input, every backend: log-sum-exp and log-softmax (with a
     * temperature), softmax with a temperature, rows (strided, each row against the reference; short rows take
     * their own fused kernel), the fused softmax + argmax, and the sampler's argmax, each against
     * {@link OpsReference} within its documented bound. {@code mvn verify} replays its corpus
     * (SoftmaxFuzzTestInputs/ops/: the inputs of its findings, each fixed); fuzz it as above with
     * {@code -Dtest=SoftmaxFuzzTest#ops}.
     */
    @FuzzTest(maxDuration = "2m")
    void ops(byte[] input) {
        for (Backend b : BACKENDS) {
            try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(input)) {
                checkOps(b, d);
            }
        }
    }

    private static final float[] TEMPERATURE_SCALES = {1f, 1f / 0.7f, 0.5f, 2f, 1e-3f, 1e3f, 0x1.0p-100f, 0x1.0p+100f};

    static void checkOps(Backend backend, FuzzedDataProvider d) {
        int op = d.consumeInt(0, 5);
        float s = d.pickValue(TEMPERATURE_SCALES);
        Softmax sm = Softmax.of(backend).with(d.pickValue(Algorithm.values())).withScale(s);
        int n = d.consumeInt(0, 5000);
        int off = d.consumeInt(0, 7);
        float[] x = input(d, off, n);
        float[] xCopy = x.clone();
        String what = sm + " op " + op + " n=" + n + " off=" + off + ": " + describe(xCopy, off, n);
        double lse = OpsReference.logSumExp(x, off, n, s);
        switch (op) {
            case 0: // log-sum-exp
                expectLse(sm.logSumExp(x, off, n), lse, what);
                break;
            case 1: { // log-softmax
                float[] y = new float[n];
                sm.logSoftmax(x, off, y, 0, n);
                for (int i = 0; i < n; i++) {
                    expectLogSoftmax(y[i], x[off + i], s, lse, what + " at " + i);
                }
                break;
            }
            case 2: { // softmax with the temperature
                float[] y = new float[n + 1];
                sm.softmax(x, off, y, 1, n);
                expectSoftmax(y, 1, x, off, n, s, lse, what);
                break;
            }
            case 3: { // rows: cols from the input, a stride of at least cols, every row against the reference
                int cols = n == 0 ? 0 : 1 + d.consumeInt(0, Math.min(n, 300) - 1);
                int stride = cols + d.consumeInt(0, 3);
                int rows = cols == 0 ? 0 : Math.max(0, (n - cols) / stride + 1);
                float[] y = new float[off + n + 2];
                sm.softmaxRows(x, off, stride, y, off, stride, rows, cols);
                float[] lses = new float[rows];
                if (rows > 0) {
                    sm.logSumExpRows(x, off, stride, rows, cols, lses, 0);
                }
                for (int row = 0; row < rows; row++) {
                    int at = off + row * stride;
                    double rowLse = OpsReference.logSumExp(x, at, cols, s);
                    expectSoftmax(y, at, x, at, cols, s, rowLse, what + " row " + row + " of " + rows + "x" + cols
                            + " stride " + stride);
                    expectLse(lses[row], rowLse, what + " lse row " + row);
                }
                break;
            }
            case 4: { // the fused softmax + argmax
                float[] y = new float[n];
                int index = sm.softmaxArgmax(x, off, y, 0, n);
                expectSoftmax(y, 0, x, off, n, s, lse, what);
                int want = -1;
                for (int i = 0; i < n; i++) {
                    if (!Float.isNaN(y[i]) && (want < 0 || y[i] > y[want])) {
                        want = i;
                    }
                }
                if (n > 0 && Float.isNaN(y[0])) {
                    want = -1;
                }
                assertEquals(want, index, "softmaxArgmax index, " + what);
                break;
            }
            default: { // the sampler's argmax: the first largest logit, a NaN named, all -Inf refused
                if (n == 0) {
                    break;
                }
                int nan = -1;
                int want = 0;
                for (int i = 0; i < n; i++) {
                    float v = x[off + i];
                    if (Float.isNaN(v)) {
                        nan = i;
                        break;
                    }
                    if (v > x[off + want]) {
                        want = i;
                    }
                }
                Sampler sampler = Sampler.of(sm).greedy();
                if (nan >= 0 || x[off + want] == Float.NEGATIVE_INFINITY) {
                    int firstNan = nan;
                    IllegalArgumentException e = assertThrows(
                            IllegalArgumentException.class, () -> sampler.argmax(x, off, n), what);
                    if (firstNan >= 0) {
                        assertTrue(e.getMessage().contains("logit " + firstNan + " "),
                                e.getMessage() + ", " + what);
                    }
                } else {
                    assertEquals(want, sampler.argmax(x, off, n), "argmax, " + what);
                }
            }
        }
        assertEquals(0, Arrays.compare(xCopy, x), "input modified, " + what);
    }

    /** Log-sum-exp within 2 ULP of max(|lse|, 1); a reference beyond the float range gives that infinity. */
    private static void expectLse(float got, double ref, String what) {
        if (Float.isInfinite((float) ref) && !Double.isInfinite(ref)) { // beyond the float range once rounded
            assertEquals(Math.signum(ref) * Double.POSITIVE_INFINITY, got, "lse beyond float, " + what);
            return;
        }
        double e = OpsReference.lseError(got, ref);
        assertTrue(e <= 2, "lse " + got + " want " + ref + " (" + e + " ULP), " + what);
    }

    /** One log-softmax output: s*x - lse within the documented absolute bound, -Inf for -Inf, NaN rows. */
    private static void expectLogSoftmax(float got, float x, float s, double lse, String what) {
        if (Double.isNaN(lse) || Double.isInfinite(lse)) {
            assertTrue(Float.isNaN(got), "want NaN, got " + got + ", " + what);
            return;
        }
        if (x == Float.NEGATIVE_INFINITY) {
            assertEquals(Float.NEGATIVE_INFINITY, got, what);
            return;
        }
        double want = (double) x * s - lse;
        if (Float.isInfinite((float) want)) { // beyond the float range once rounded (FLT_MAX + 2^103 and up)
            assertEquals(Math.signum(want) * Double.POSITIVE_INFINITY, got, "beyond float, " + what);
            return;
        }
        assertTrue(Math.abs(got - want) <= OpsReference.logSoftmaxBound(x, s, lse),
                "log-softmax " + got + " want " + want + ", " + what);
    }

    /** Softmax of x[xOff, +n) at scale s in y[yOff, +n): the documented ULP bound, or all NaN. */
    private static void expectSoftmax(float[] y, int yOff, float[] x, int xOff, int n, float s, double lse,
            String what) {
        double[] p = OpsReference.softmax(x, xOff, n, s);
        double bound = n <= 4096 ? 4 : 8;
        for (int i = 0; i < n; i++) {
            float got = y[yOff + i];
            if (Double.isNaN(lse) || lse == Double.POSITIVE_INFINITY || lse == Double.NEGATIVE_INFINITY) {
                assertTrue(Float.isNaN(got), "want NaN at " + i + ", got " + got
                        + ", " + what);
                continue;
            }
            double e = OpsReference.softmaxError(got, p[i]);
            if (e > bound) {
                throw new AssertionError(String.format("softmax %s ULP > %s at %d: x=%s want %s got %s; %s", e, bound,
                        i, Float.toHexString(x[xOff + i]), p[i], Float.toHexString(got), what));
            }
        }
    }

    /**
     * A fuzz target cannot abort (Jazzer reports an aborted assumption as a finding), so a backend that
     * cannot run here disables its target, with the reason printed.
     */
    private static boolean available(Backend b) {
        try {
            Softmax.of(b);
            return true;
        } catch (UnsupportedOperationException e) {
            System.out.println("!!! SKIPPED fuzz target for " + b + " (cannot run on this machine): " + e.getMessage());
            return false;
        }
    }

    /**
     * The input both targets decode the same way: x[off, off + n) of a Gaussian background (spread from
     * {@link #SCALES}, a shift in [-200, 200], a seed) and up to 64 placed values from {@code consumeFloat()};
     * two spare elements after it.
     */
    private static float[] input(FuzzedDataProvider d, int off, int n) {
        float spread = d.pickValue(SCALES);
        float shift = d.consumeRegularFloat(-200f, 200f);
        SplittableRandom r = new SplittableRandom(d.consumeLong());
        float[] x = new float[off + n + 2];
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) (r.nextGaussian() * spread + shift);
        }
        int placed = n == 0 ? 0 : d.consumeInt(0, 64);
        for (int k = 0; k < placed && d.remainingBytes() > 0; k++) {
            x[off + d.consumeInt(0, n - 1)] = d.consumeFloat();
        }
        return x;
    }

    /** The input's range and its unusual values (non-finite, huge, subnormal), for failure messages. */
    static String describe(float[] x, int off, int n) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        StringBuilder odd = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            min = Math.min(min, v);
            max = Math.max(max, v);
            if ((!Float.isFinite(v) || Math.abs(v) > 1e4f || (v != 0 && Math.abs(v) < Float.MIN_NORMAL)) && shown++ < 12) {
                odd.append(' ').append(i).append('=').append(Float.toHexString(v));
            }
        }
        return "input min " + min + " max " + max + ", unusual values:" + (shown == 0 ? " none" : odd.toString());
    }

    static void check(Backend backend, FuzzedDataProvider d) {
        Softmax s = Softmax.of(backend).with(d.pickValue(Algorithm.values()));
        int shape = d.consumeInt(0, 3);
        int n = d.consumeInt(0, 5000);
        int xOff = d.consumeInt(0, 7);
        int yOff = d.consumeInt(0, 7);
        float[] x = input(d, xOff, n);
        float[] xCopy = x.clone();
        float[] ref = Reference.softmax(x, xOff, n);
        float[] got;
        String where;
        switch (shape) {
            case 0: {
                float[] y = new float[yOff + n + 1];
                s.softmax(x, xOff, y, yOff, n);
                got = Arrays.copyOfRange(y, yOff, yOff + n);
                where = "arrays x+" + xOff + " y+" + yOff;
                break;
            }
            case 1: {
                float[] z = x.clone();
                s.softmax(z, xOff, z, xOff, n);
                got = Arrays.copyOfRange(z, xOff, xOff + n);
                where = "in place +" + xOff;
                break;
            }
            case 2: {
                FloatBuffer xb = ByteBuffer.allocateDirect(4 * (xOff + n)).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                xb.put(x, 0, xOff + n).position(xOff);
                FloatBuffer yb = ByteBuffer.allocateDirect(4 * n + 16).position(yOff).slice()
                        .order(ByteOrder.nativeOrder()).asFloatBuffer().limit(n);
                s.softmax(xb, yb);
                got = new float[n];
                yb.get(0, got);
                float[] xAfter = new float[n];
                xb.get(xOff, xAfter);
                assertEquals(0, Arrays.compare(Arrays.copyOfRange(x, xOff, xOff + n), xAfter), "direct input modified");
                where = "direct x+" + xOff + " y+" + yOff + " bytes";
                break;
            }
            default: {
                FloatBuffer xb = FloatBuffer.wrap(x).position(xOff).slice().limit(n);
                FloatBuffer yb = FloatBuffer.wrap(new float[n + yOff]).position(yOff).slice();
                s.softmax(xb, yb);
                got = new float[n];
                yb.get(0, got);
                where = "heap slices x+" + xOff + " y+" + yOff;
            }
        }
        assertEquals(0, Arrays.compare(xCopy, x), "input modified (" + where + ")");
        double bound = n <= 4096 ? 4 : 8;
        double err = Reference.maxUlp(ref, got, 0);
        if (err > bound) {
            int i = Reference.firstBad(ref, got, 0, bound);
            throw new AssertionError(String.format("%s n=%d %s: %s ULP > %s; first at %d: x=%s want %s got %s; %s",
                    s, n, where, err, bound, i, Float.toHexString(x[xOff + i]), Float.toHexString(ref[i]),
                    Float.toHexString(got[i]), describe(xCopy, xOff, n)));
        }
    }
}
