package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.function.Supplier;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Differential fuzzing of the {@code MemorySegment} fronts (JDK 22+), every backend: {@link SegmentSoftmax}
 * (softmax, log-softmax, in place or not, log-sum-exp, cross-entropy) and {@link SegmentSampler} (sample,
 * argmax, sampleRows) must give the bits, tokens and exceptions of the {@code float[]} API of the same
 * configuration, whatever memory the segments are: heap segments of {@code float[]} (read in place), of
 * {@code byte[]} and {@code long[]} (copied), native segments of confined and shared arenas at any byte offset
 * (aligned ones reach the native kernels by address, misaligned ones are copied), read-only inputs; with the
 * algorithm, a scale, safe mode and the thread split chosen by the fuzzer. Invalid calls (a read-only or
 * shorter output, a size that is not a multiple of 4, partially overlapping segments, a closed arena, a label
 * or an empty input out of range) must throw the documented exception and leave both segments as they were;
 * every input must be unchanged after the call (except in place). {@code mvn verify} on JDK 22+ replays the
 * corpus (src/test/resources/io/github/softmax4j/SegmentFuzzTestInputs/segments/); fuzz it as
 * {@link SoftmaxFuzzTest} says, with {@code -Dtest=SegmentFuzzTest}.
 */
class SegmentFuzzTest {
    /** The memory a segment lives in. */
    private enum Kind {
        HEAP_FLOATS, HEAP_BYTES, HEAP_LONGS, NATIVE_CONFINED, NATIVE_SHARED
    }

    /** What makes a call invalid (at most one per input). */
    private enum Invalid {
        NONE, READ_ONLY_Y, SHORT_Y, ODD_SIZE, PARTIAL_OVERLAP, CLOSED, LABEL
    }

    @FuzzTest(maxDuration = "2m")
    void segments(byte[] input) {
        for (Backend b : SoftmaxFuzzTest.BACKENDS) {
            try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(input)) {
                check(b, d);
            }
        }
    }

    private static void check(Backend backend, FuzzedDataProvider d) {
        Softmax s = Softmax.of(backend).with(d.pickValue(Algorithm.values()));
        if (d.consumeBoolean()) {
            s = s.withScale(d.pickValue(SoftmaxFuzzTest.SCALES));
        }
        s = s.withSafe(d.consumeBoolean());
        boolean parallel = d.consumeInt(0, 3) == 0;
        if (parallel) {
            s = s.parallel().withParallelThreshold(4096);
        }
        int op = d.consumeInt(0, 6);
        Invalid invalid = d.consumeInt(0, 3) == 0 ? d.pickValue(Invalid.values()) : Invalid.NONE;
        Kind xKind = d.pickValue(Kind.values());
        int xShift = d.consumeInt(0, 7); // bytes before the data in its memory
        boolean inPlace = op <= 1 && d.consumeBoolean();
        Kind yKind = d.pickValue(Kind.values());
        int yShift = d.consumeInt(0, 7);
        int n = d.consumeInt(op >= 4 ? 1 : 0, 9000);
        int cols = Math.max(1, Math.min(n, 1 + d.consumeInt(0, 600)));
        float[] x = Arrays.copyOf(SoftmaxFuzzTest.input(d, 0, n), n);
        Arena doomed = Arena.ofShared(); // closed by the CLOSED case before its call
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment xs = invalid == Invalid.CLOSED ? make(Kind.NATIVE_SHARED, xShift, x, confined, doomed)
                    : make(xKind, xShift, x, confined, shared);
            if (invalid == Invalid.ODD_SIZE) {
                xs = widen(xs, 1 + d.consumeInt(0, 2));
            }
            if (d.consumeBoolean() && !inPlace) {
                xs = xs.asReadOnly();
            }
            Kind shown = invalid == Invalid.CLOSED ? Kind.NATIVE_SHARED : xKind;
            String where = s + " op " + op + " n=" + n + " x " + shown + "+" + xShift
                    + (parallel ? " parallel" : "") + (invalid != Invalid.NONE ? " invalid " + invalid : "");
            if (op <= 3) {
                softmaxFamily(s, d, op, invalid, x, xs, inPlace, yKind, yShift, confined, shared, doomed, where);
            } else {
                sampling(s, d, op, invalid, x, xs, cols, doomed, where);
            }
        } finally {
            if (doomed.scope().isAlive()) {
                doomed.close();
            }
        }
    }

    /** softmax (op 0), log-softmax (1), log-sum-exp (2), cross-entropy (3). */
    private static void softmaxFamily(Softmax s, FuzzedDataProvider d, int op, Invalid invalid, float[] x,
            MemorySegment xs, boolean inPlace, Kind yKind, int yShift, Arena confined, Arena shared, Arena doomed,
            String where) {
        int n = x.length;
        SegmentSoftmax seg = SegmentSoftmax.of(s);
        // a confined segment is never split across threads: its call is the sequential one
        Softmax lseRef = s.isParallel() && !io.github.softmax4j.internal.SegmentNative.shared(xs) ? s.sequential() : s;
        if (op >= 2) {
            int label = invalid == Invalid.LABEL ? (d.consumeBoolean() ? n : -1 - d.consumeInt(0, 5))
                    : n == 0 ? 0 : d.consumeInt(0, n - 1);
            Supplier<Float> got = op == 2 ? () -> seg.logSumExp(xs) : () -> seg.crossEntropy(xs, label);
            Supplier<Float> ref = op == 2 ? () -> lseRef.logSumExp(x) : () -> lseRef.crossEntropy(x, label);
            Class<? extends Throwable> expected = expectedFailure(invalid, op);
            if (op == 3 && n == 0 && invalid != Invalid.ODD_SIZE && invalid != Invalid.CLOSED) {
                expected = IndexOutOfBoundsException.class; // no label is in range; a closed scope comes first
            }
            if (expected != null) {
                if (invalid == Invalid.CLOSED) {
                    doomed.close();
                }
                assertThrows(expected, got::get, where);
            } else {
                float r = ref.get();
                float g = got.get();
                assertEquals(Float.floatToIntBits(r), Float.floatToIntBits(g), where + ": " + g + " vs " + r
                        + "; " + SoftmaxFuzzTest.describe(x, 0, n));
            }
            if (xs.scope().isAlive()) {
                expectUnchanged(xs, x, where);
            }
            return;
        }
        MemorySegment ys;
        if (inPlace) {
            ys = xs;
        } else if (invalid == Invalid.PARTIAL_OVERLAP && n >= 2) {
            // y: the same memory as x, shifted by whole floats (or by bytes), same size
            int by = 4 * (1 + d.consumeInt(0, n - 2)) + (d.consumeBoolean() ? 0 : 1 + d.consumeInt(0, 2));
            MemorySegment room = shared.allocate(4L * n + by + 8, 8);
            MemorySegment.copy(x, 0, room, Segments.FLOAT, 0, n);
            MemorySegment xo = room.asSlice(0, 4L * n);
            MemorySegment yo = room.asSlice(by, 4L * n);
            float[] yBefore = floats(yo, n);
            assertThrows(IllegalArgumentException.class, () -> apply(seg, op, xo, yo), where);
            expectUnchanged(xo, x, where);
            expectUnchanged(yo, yBefore, where);
            return;
        } else {
            float[] junk = new float[Math.max(0, n + (invalid == Invalid.SHORT_Y ? -1 : 0))];
            Arrays.fill(junk, 12.5f);
            ys = make(yKind, yShift, junk, confined, shared);
            if (invalid == Invalid.READ_ONLY_Y) {
                ys = ys.asReadOnly();
            }
        }
        Softmax ref = s.isParallel() && !(io.github.softmax4j.internal.SegmentNative.shared(xs) && io.github.softmax4j.internal.SegmentNative.shared(ys)) ? s.sequential() : s;
        Class<? extends Throwable> expected = expectedFailure(invalid, op);
        if (invalid == Invalid.SHORT_Y && (inPlace || n == 0)) {
            expected = null; // nothing shorter to make
        }
        if (invalid == Invalid.PARTIAL_OVERLAP && n < 2) {
            expected = null;
        }
        if (invalid == Invalid.READ_ONLY_Y && inPlace) {
            expected = null;
        }
        float[] yBefore = floats(ys, (int) (ys.byteSize() / 4));
        if (expected != null) {
            MemorySegment xf = xs;
            MemorySegment yf = ys;
            if (invalid == Invalid.CLOSED) {
                doomed.close();
            }
            assertThrows(expected, () -> apply(seg, op, xf, yf), where);
            if (xs.scope().isAlive()) {
                expectUnchanged(xs, x, where);
            }
            if (ys.scope().isAlive()) {
                expectUnchanged(ys, yBefore, where);
            }
            return;
        }
        float[] want = new float[n];
        if (op == 0) {
            ref.softmax(x, 0, want, 0, n);
        } else {
            ref.logSoftmax(x, 0, want, 0, n);
        }
        apply(seg, op, xs, ys);
        float[] got = floats(ys, n);
        int i = mismatch(want, got, s.backend().isNative());
        if (i >= 0) {
            throw new AssertionError(where + " y " + (inPlace ? "in place" : yKind + "+" + yShift) + ": first "
                    + "difference at " + i + ": want " + Float.toHexString(want[i]) + " got "
                    + Float.toHexString(got[i]) + "; " + SoftmaxFuzzTest.describe(x, 0, n));
        }
        if (!inPlace) {
            expectUnchanged(xs, x, where);
        }
    }

    /**
     * The first index where got is not want, or -1. In place against out of place on a native tier, outputs
     * below 2^-100 may differ by one unit in the last place (docs/NUMERICS.md, "Bias": the reload's factor is
     * normalised or not depending on the E its terms were relative to), and a segment that is copied (not a
     * float[] nor aligned native memory) is computed in place in its copy; everything else must be the same
     * bits.
     */
    private static int mismatch(float[] want, float[] got, boolean lastBitBelow2m100) {
        for (int i = 0; i < want.length; i++) {
            int a = Float.floatToIntBits(want[i]);
            int b = Float.floatToIntBits(got[i]);
            if (a != b && !(lastBitBelow2m100 && Math.abs(want[i]) < 0x1.0p-100f && Math.abs(got[i]) < 0x1.0p-100f
                    && Math.abs(a - b) == 1)) {
                return i;
            }
        }
        return -1;
    }

    /** sample (op 4), argmax (5), sampleRows (6), against the float[] sampler of the same configuration. */
    private static void sampling(Softmax s, FuzzedDataProvider d, int op, Invalid invalid, float[] x,
            MemorySegment xs, int cols, Arena doomed, String where) {
        int n = x.length;
        float t = d.consumeBoolean() ? d.pickValue(SoftmaxFuzzTest.TEMPERATURES) : d.consumeRegularFloat(1e-3f, 1e3f);
        int kMode = d.consumeInt(0, 2);
        int topK = kMode == 0 ? 0 : kMode == 1 ? d.pickValue(new int[] {1, 2, 40, n, n + 5}) : 1 + d.consumeInt(0, n);
        double topP = d.consumeBoolean() ? 1.0 : Math.max(1e-300, d.consumeProbabilityDouble());
        double minP = d.consumeBoolean() ? 0.0 : Math.min(d.consumeProbabilityDouble(), 0.999);
        Sampler sampler = new SoftmaxFuzzTest.SamplerSettings(t, topK, topP, minP).of(s.sequential());
        SegmentSampler seg = SegmentSampler.of(sampler);
        double[] us = {d.consumeDouble(), d.consumeProbabilityDouble(), d.consumeProbabilityDouble()};
        int rows = n / cols;
        MemorySegment in = op == 6 && invalid == Invalid.NONE ? xs.asSlice(0, Math.min(xs.byteSize(), 4L * rows * cols))
                : xs;
        float[] xr = op == 6 && invalid == Invalid.NONE ? Arrays.copyOf(x, rows * cols) : x;
        Supplier<int[]> got = () -> op == 4 ? new int[] {seg.sample(in, new SoftmaxFuzzTest.GivenDoubles(us))}
                : op == 5 ? new int[] {seg.argmax(in)} : rowsOf(seg, in, cols, rows, invalid, us);
        Supplier<int[]> ref = () -> op == 4 ? new int[] {sampler.sample(xr, new SoftmaxFuzzTest.GivenDoubles(us))}
                : op == 5 ? new int[] {sampler.argmax(xr)} : rowsOf(sampler, xr, cols, rows, us);
        Class<? extends Throwable> expected = expectedFailure(invalid, op);
        if (expected == null && op == 6 && invalid == Invalid.LABEL) {
            expected = IllegalArgumentException.class; // a rows x cols that does not match the segment
        }
        if (expected == null) {
            int[] want;
            try {
                want = ref.get();
            } catch (IllegalArgumentException e) { // NaN, all -Inf: the segment front must say the same
                assertThrows(IllegalArgumentException.class, got::get, where + " (array: " + e.getMessage() + ")");
                expectUnchanged(xs, x, where);
                return;
            }
            int[] g = got.get();
            assertEquals(Arrays.toString(want), Arrays.toString(g), where + " sampler " + sampler + "; "
                    + SoftmaxFuzzTest.describe(x, 0, n));
        } else {
            if (invalid == Invalid.CLOSED) {
                doomed.close();
            }
            assertThrows(expected, got::get, where);
        }
        if (xs.scope().isAlive()) {
            expectUnchanged(xs, x, where);
        }
    }

    private static int[] rowsOf(SegmentSampler seg, MemorySegment in, int cols, int rows, Invalid invalid,
            double[] us) {
        int[] tokens = new int[invalid == Invalid.LABEL ? rows + 1 : rows];
        seg.sampleRows(in, cols, new SoftmaxFuzzTest.GivenDoubles(us), tokens);
        return tokens;
    }

    private static int[] rowsOf(Sampler sampler, float[] x, int cols, int rows, double[] us) {
        int[] tokens = new int[rows];
        sampler.sampleRows(x, cols, new SoftmaxFuzzTest.GivenDoubles(us), tokens);
        return tokens;
    }

    /** The exception an invalid call must throw, null when the invalidity does not apply to this op. */
    private static Class<? extends Throwable> expectedFailure(Invalid invalid, int op) {
        switch (invalid) {
            case ODD_SIZE:
                return IllegalArgumentException.class;
            case CLOSED:
                return IllegalStateException.class;
            case READ_ONLY_Y:
            case SHORT_Y:
                return op <= 1 ? IllegalArgumentException.class : null;
            case LABEL:
                return op == 3 ? IndexOutOfBoundsException.class : null;
            default:
                return null;
        }
    }

    private static void apply(SegmentSoftmax seg, int op, MemorySegment x, MemorySegment y) {
        if (op == 0) {
            seg.softmax(x, y);
        } else {
            seg.logSoftmax(x, y);
        }
    }

    /** A segment of the given kind holding v, its data starting shift bytes into its memory. */
    private static MemorySegment make(Kind kind, int shift, float[] v, Arena confined, Arena shared) {
        long bytes = 4L * v.length;
        MemorySegment s;
        switch (kind) {
            case HEAP_FLOATS: // float[] memory: only whole floats of shift
                s = MemorySegment.ofArray(new float[v.length + 2]).asSlice(4L * (shift & 1), bytes);
                break;
            case HEAP_BYTES:
                s = MemorySegment.ofArray(new byte[(int) bytes + 8]).asSlice(shift, bytes);
                break;
            case HEAP_LONGS:
                s = MemorySegment.ofArray(new long[v.length / 2 + 2]).asSlice(shift, bytes);
                break;
            case NATIVE_CONFINED:
                s = confined.allocate(bytes + 8, 8).asSlice(shift, bytes);
                break;
            default:
                s = shared.allocate(bytes + 8, 8).asSlice(shift, bytes);
        }
        MemorySegment.copy(v, 0, s, Segments.FLOAT, 0, v.length);
        return s;
    }

    /** s with 1-3 more bytes: its byte size is no longer a multiple of 4. */
    private static MemorySegment widen(MemorySegment s, int extra) {
        MemorySegment room = Arena.ofAuto().allocate(s.byteSize() + extra, 8);
        MemorySegment.copy(s, 0, room, 0, s.byteSize());
        return room;
    }

    private static float[] floats(MemorySegment s, int n) {
        float[] a = new float[n];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a, 0, (int) Math.min(n, s.byteSize() / 4));
        return a;
    }

    private static void expectUnchanged(MemorySegment s, float[] before, String where) {
        float[] now = floats(s, before.length);
        if (!Arrays.equals(now, before) && s.byteSize() / 4 >= before.length) {
            throw new AssertionError(where + ": a segment changed at " + Arrays.mismatch(now, before));
        }
    }
}
