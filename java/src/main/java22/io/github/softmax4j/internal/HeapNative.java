package io.github.softmax4j.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The short {@code float[]} calls as FFM critical downcalls (JDK 22+; {@link ShortCalls} says when they are
 * used and why only short ones): the arrays go as heap segments ({@link Linker.Option#critical(boolean)
 * critical(true)} lets a downcall take them), the thread stays in Java state and nothing is pinned. The
 * handles are static finals, so C2 inlines them into the call.
 */
final class HeapNative implements ShortCalls.Entries {
    /** Loaded by name from {@link ShortCalls} (this class exists only in the jar's versions/22). */
    public static final ShortCalls.Entries ENTRIES = new HeapNative();

    // int s4j_softmax_f32_at(int isa, int algorithm, const float* x, int64_t x_offset, float* y,
    //     int64_t y_offset, int64_t n)
    private static final MethodHandle SOFTMAX = SegmentNative.downcall("s4j_softmax_f32_at",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
            Linker.Option.critical(true));
    private static final MethodHandle ROWS = SegmentNative.downcall("s4j_f32_rows_at", SegmentNative.ROWS_F32,
            Linker.Option.critical(true));

    private HeapNative() {
    }

    @Override
    public int softmax(int isa, int algorithm, float[] x, long xOffset, float[] y, long yOffset, long n) {
        try {
            return (int) SOFTMAX.invokeExact(isa, algorithm, MemorySegment.ofArray(x), xOffset,
                    MemorySegment.ofArray(y), yOffset, n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) { // invokeExact declares Throwable; a C function throws nothing
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int rows(int isa, int op, int algorithm, int flags, float s, float[] x, long xOffset, long xStride,
            float[] y, long yOffset, long yStride, long rows, long cols, double[] lse, long lseOffset) {
        // locals: a conditional in invokeExact's arguments would take the type Object
        MemorySegment ys = y == null ? MemorySegment.NULL : MemorySegment.ofArray(y);
        MemorySegment lses = lse == null ? MemorySegment.NULL : MemorySegment.ofArray(lse);
        try {
            return (int) ROWS.invokeExact(isa, op, algorithm, flags, s, MemorySegment.ofArray(x), xOffset, xStride,
                    ys, yOffset, yStride, rows, cols, lses, lseOffset);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) { // invokeExact declares Throwable; a C function throws nothing
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String toString() {
        return "FFM critical downcalls";
    }
}
