package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Differential fuzzing (Jazzer): one target that runs every input on every backend this machine can run,
 * each compared with the double-precision reference ({@link Reference}) within the documented bound (4 ULP for
 * n <= 4096, else 8; FLT_MIN absolute below FLT_MIN; NaN exactly where the reference has NaN). The fuzzer chooses
 * the algorithm, the call shape (arrays at offsets, in place, direct and heap buffers), the length (0..5000,
 * across the 4096-element block), the offsets, a background distribution and up to 64 placed values from
 * {@code consumeFloat()}, which yields NaN, +-Inf, +-0, subnormals and +-FLT_MAX among others. Every input is
 * also checked to be unchanged (except in place). A new backend or tier joins by being in {@link Backend}: no
 * target and no corpus of its own.
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
        float scale = d.pickValue(SCALES);
        float shift = d.consumeRegularFloat(-200f, 200f);
        SplittableRandom r = new SplittableRandom(d.consumeLong());
        float[] x = new float[xOff + n + 2];
        for (int i = 0; i < n; i++) {
            x[xOff + i] = (float) (r.nextGaussian() * scale + shift);
        }
        int placed = n == 0 ? 0 : d.consumeInt(0, 64);
        for (int k = 0; k < placed && d.remainingBytes() > 0; k++) {
            x[xOff + d.consumeInt(0, n - 1)] = d.consumeFloat();
        }
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
