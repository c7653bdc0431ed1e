package io.github.softmax4j.internal;

import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;

/**
 * Direct buffers as memory segments (JDK 22+; {@link Span}'s hook for them): {@code MemorySegment.ofBuffer}
 * gives a buffer's memory with the scope of the segment it is a view of (or the buffer's own), so the FFM
 * downcalls of {@link SegmentNative} keep that scope alive for each call and refuse a confined one on
 * another thread, where a JNI call on the raw address read freed memory.
 */
public final class SegmentBuffers implements Span.SegmentViews {
    /** The hook, found by {@link Span} by reflection (this class exists only in META-INF/versions/22). */
    public static final SegmentBuffers INSTANCE = new SegmentBuffers();

    private SegmentBuffers() {
    }

    @Override
    public Span direct(NativeKernel nk, FloatBuffer x, int xIndex, int xStride, FloatBuffer y, int yIndex,
            int yStride) {
        if (!SegmentNative.available()) {
            return null; // no downcall entries: the caller copies (JNI on the raw address could read freed memory)
        }
        MemorySegment xs = MemorySegment.ofBuffer(x); // from the position on: indexes relative to it
        MemorySegment ys = MemorySegment.ofBuffer(y);
        return SegmentNative.span(nk, xs, xIndex - x.position(), xStride, ys, yIndex - y.position(), yStride,
                SegmentNative.shared(xs) && SegmentNative.shared(ys));
    }

    @Override
    public boolean shared(FloatBuffer b) {
        return SegmentNative.shared(MemorySegment.ofBuffer(b));
    }

    @Override
    public long address(FloatBuffer b) {
        return MemorySegment.ofBuffer(b).address() - 4L * b.position(); // the segment starts at the position
    }
}
