package io.github.softmax4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.Optional;

import io.github.softmax4j.internal.Chunked;
import io.github.softmax4j.internal.Dispatch;
import io.github.softmax4j.internal.NativeKernel;
import io.github.softmax4j.internal.SegmentNative;
import io.github.softmax4j.internal.Span;

/** The checks and the memory access of the segment fronts ({@link SegmentSoftmax}, {@link SegmentSampler}). */
final class Segments {
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Segments() {
    }

    /**
     * The checks of an input and an output segment, in the documented order (null, sizes, read-only output,
     * scopes, partial overlap); returns their number of floats.
     */
    static long pair(MemorySegment x, MemorySegment y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        long n = count(x, "x");
        long ny = count(y, "y");
        if (n != ny) {
            throw new IllegalArgumentException("x has " + n + " floats but y has " + ny);
        }
        if (y.isReadOnly()) {
            throw new IllegalArgumentException("Attempt to write a read-only segment (y)");
        }
        accessible(x, "x");
        accessible(y, "y");
        Optional<MemorySegment> overlap = x.asOverlappingSlice(y);
        if (overlap.isPresent() && !(overlap.get().byteSize() == x.byteSize() && x.address() == y.address())) {
            throw new IllegalArgumentException("x and y overlap without being the same memory; use the same "
                    + "segment (or one at the same address) for in place");
        }
        return n;
    }

    /** The number of floats in s (its byte size must be a multiple of 4); also used by SegmentSampler. */
    static long count(MemorySegment s, String name) {
        Objects.requireNonNull(s, name);
        long bytes = s.byteSize();
        if ((bytes & 3) != 0) {
            throw new IllegalArgumentException(name + ".byteSize() " + bytes + " is not a multiple of 4 (floats)");
        }
        return bytes >>> 2;
    }

    /** The exceptions MemorySegment's own accesses would throw, before anything reads the memory. */
    static void accessible(MemorySegment s, String name) {
        if (!s.scope().isAlive()) {
            throw new IllegalStateException("Already closed: the scope of " + name + " is not alive");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException(name + " is confined to another thread");
        }
    }

    /** The float[] behind a writable heap segment at a 4-byte boundary, else null; also used by SegmentSampler. */
    static float[] floatArray(MemorySegment s) {
        Optional<Object> base = s.heapBase();
        return base.isPresent() && base.get() instanceof float[] a && (s.address() & 3) == 0 ? a : null;
    }

    private static boolean aligned(MemorySegment s) {
        return s.isNative() && (s.address() & 3) == 0;
    }

    /**
     * How the kernels reach the segments: native memory in place through FFM downcalls (native kernels,
     * when the library exports them), the float[] behind heap segments in place, anything else through
     * copies of {@link Chunked#CHUNK} floats. Only segments of shared scopes are split across threads (a confined one is readable only by
     * its owner).
     */
    static Span span(Dispatch d, MemorySegment x, MemorySegment y, long n) {
        boolean splittable = SegmentNative.shared(x) && SegmentNative.shared(y);
        NativeKernel nk = d.nativeKernel();
        if (nk != null && aligned(x) && aligned(y) && SegmentNative.available()) {
            return SegmentNative.span(nk, x, y, n, splittable);
        }
        float[] xa = floatArray(x);
        float[] ya = floatArray(y);
        if (xa != null && ya != null) {
            int len = (int) n; // a float[] holds fewer than 2^31 elements
            return Span.arrays(xa, (int) (x.address() >>> 2), len, ya, (int) (y.address() >>> 2), len);
        }
        return Span.copies(floats(x), 0, n, floats(y), 0, n, Chunked.CHUNK, splittable);
    }

    private static Chunked.Floats floats(MemorySegment s) {
        return new Chunked.Floats() {
            @Override
            public void get(long index, float[] dst, int off, int len) {
                MemorySegment.copy(s, FLOAT, index * Float.BYTES, dst, off, len);
            }

            @Override
            public void put(long index, float[] src, int off, int len) {
                MemorySegment.copy(src, off, s, FLOAT, index * Float.BYTES, len);
            }
        };
    }

}
