package io.github.softmax4j.internal;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The memory of one call: where its input rows are read and its output rows written, and how a kernel
 * reaches them. {@link Dispatch} chooses the path (one call, a split across threads, groups of rows) and
 * asks the span to run each piece; the span knows only its memory. Three kinds here, one more on JDK 22+:
 * <ul>
 * <li>{@link #arrays}: float[] with offsets (heap buffers too); every backend runs on them in place.
 * <li>{@link #direct}: direct buffers in native order, read and written in place by the C kernels.
 * <li>{@link #copies}: memory no kernel reads in place (a direct buffer under a Java backend, a mix of heap
 *     and direct, a read-only heap buffer, a heap segment of another type): copied into float[] and back.
 * <li>{@code SegmentNative.span} (JDK 22+): native memory segments, read and written in place by the C
 *     kernels through FFM downcalls, which keep the segments' scopes alive during each call.
 * </ul>
 * Row r of x starts {@code r * xStride} elements after row 0, row r of y {@code r * yStride} after its row
 * 0; a vector is row 0. Callers have checked every index (the facades do, before they build a span).
 */
public abstract class Span {
    Span() {
    }

    /**
     * op over rows [first, first + count) of cols elements; with {@link Op#writesLse(int)}, row r's
     * log-sum-exp into {@code lse[first + r]} (else lse may be empty). cols above 2^31 - 1 only for one row
     * of the kinds that hold it (copies, segments).
     */
    abstract void rows(Dispatch d, Op op, int flags, int first, int count, long cols, double[] lse);

    /** Pass 1 of the split two-pass over [from, from + len) of row 0: as {@link Kernel#sumExp}. */
    abstract void sumExp(Dispatch d, long from, long len, double[] me);

    /** Pass 2 of the split two-pass over [from, from + len) of row 0, for the merged sum m * 2^e. */
    abstract void finish(Dispatch d, Op op, long from, long len, double m, double e);

    /** Whether the parts of a split vector may run on other threads (their memory is readable there). */
    boolean splittable() {
        return true;
    }

    // ---------------------------------------------------------------------------------------------

    /** Rows of float[]; y may be x (in place, or ignored for {@link Op#LOG_SUM_EXP}). */
    public static Span arrays(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
        return new Arrays(x, xOff, xStride, y, yOff, yStride);
    }

    /**
     * Rows between buffers: in place in the arrays of heap buffers, in place in direct memory under a native
     * kernel, else through copies. Indexes are absolute (positions are the caller's business); {@code xAddress}
     * and {@code yAddress} are the buffers' {@link NativeKernel#address}, looked up once by the caller.
     */
    public static Span buffers(Dispatch d, FloatBuffer x, long xAddress, int xIndex, int xStride, FloatBuffer y,
            long yAddress, int yIndex, int yStride, int rows, int cols) {
        if (x.hasArray() && y.hasArray()) {
            return arrays(x.array(), x.arrayOffset() + xIndex, xStride, y.array(), y.arrayOffset() + yIndex, yStride);
        }
        NativeKernel nk = d.nativeKernel();
        if (nk != null && nativeLayout(x, xAddress) && nativeLayout(y, yAddress)
                && !d.routesSmall((long) rows * cols)) {
            if (SEGMENTS == null) {
                return new Direct(nk, x, xIndex, xStride, y, yIndex, yStride);
            }
            Span s = SEGMENTS.direct(nk, x, xIndex, xStride, y, yIndex, yStride);
            if (s != null) {
                return s;
            }
            // JDK 22+ without the FFM entries (a library without them, or the lookup refused): a buffer may be
            // the view of an arena another thread closes, so no raw address; the copies below check its scope
        }
        // A Java kernel on direct buffers, a mix of heap and direct, or a read-only heap input (it hides its
        // array: it may be a view of y's memory): one copy of the whole input span before anything is written,
        // so any aliasing is safe. Only direct buffers checked for overlap (their addresses known: JDK 22+, or
        // JavaCPP loaded) that any thread may read are split across threads, by rows or as a vector: a part
        // copies only its own input.
        return copies(floats(x), xIndex, xStride, floats(y), yIndex, yStride, Long.MAX_VALUE,
                x.isDirect() && y.isDirect() && xAddress >= 0 && yAddress >= 0
                        && (SEGMENTS == null || SEGMENTS.shared(x) && SEGMENTS.shared(y)));
    }

    /**
     * Direct buffers on JDK 22+ ({@code SegmentBuffers}, in the jar's {@code META-INF/versions/22}): a buffer
     * may be a view of a memory segment ({@code MemorySegment.asByteBuffer()}) whose arena another thread
     * can close during the call, or that only its owner thread may read. Through JNI the kernel got the raw
     * address and nothing kept the memory alive (the JVM crashed: issue 11's crash through the buffer API);
     * an FFM downcall on {@code MemorySegment.ofBuffer} keeps the scope alive for the call (a concurrent close
     * fails instead), as for segments.
     */
    interface SegmentViews {
        /** The span of direct buffers in native layout under nk through FFM downcalls; null if not bound. */
        Span direct(NativeKernel nk, FloatBuffer x, int xIndex, int xStride, FloatBuffer y, int yIndex, int yStride);

        /** Whether threads other than the caller may read b (false for a view of a confined segment). */
        boolean shared(FloatBuffer b);

        /** The address of the direct buffer b's element 0. */
        long address(FloatBuffer b);
    }

    /** The address of a direct buffer's element 0 from its memory segment (JDK 22+), else -1. */
    static long segmentAddress(FloatBuffer direct) {
        return SEGMENTS == null ? -1 : SEGMENTS.address(direct);
    }

    /** Null before JDK 22 (no segment views of buffers exist there) or in a jar without the versions/22 classes. */
    private static final SegmentViews SEGMENTS = segmentViews();

    private static SegmentViews segmentViews() {
        try {
            return (SegmentViews) Class.forName("io.github.softmax4j.internal.SegmentBuffers").getField("INSTANCE")
                    .get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * Rows of memory seen through {@link Chunked.Floats}. A vector longer than {@code copyLimit} runs chunk by
     * chunk (the two-pass, {@link Chunked}); a shorter one, and every batch of rows, is copied whole.
     * {@code splittable}: whether the memory may be read from other threads.
     */
    public static Span copies(Chunked.Floats x, long xIndex, long xStride, Chunked.Floats y, long yIndex,
            long yStride, long copyLimit, boolean splittable) {
        return new Copies(x, xIndex, xStride, y, yIndex, yStride, copyLimit, splittable);
    }

    /**
     * Whether C can read the buffer's memory as floats: direct, native byte order, 4-byte aligned.
     * Big-endian views (the default of {@code ByteBuffer.asFloatBuffer()}) and misaligned floats go
     * through the buffer API's conversion (a copy).
     */
    private static boolean nativeLayout(FloatBuffer b, long address) {
        return b.isDirect() && b.order() == ByteOrder.nativeOrder() && address >= 0 && (address & 3) == 0;
    }

    private static Chunked.Floats floats(FloatBuffer b) {
        return new Chunked.Floats() {
            @Override
            public void get(long index, float[] dst, int off, int len) {
                b.get((int) index, dst, off, len);
            }

            @Override
            public void put(long index, float[] src, int off, int len) {
                b.put((int) index, src, off, len);
            }
        };
    }

    static final class Arrays extends Span {
        private final float[] x;
        private final int xOff;
        private final int xStride;
        private final float[] y;
        private final int yOff;
        private final int yStride;

        Arrays(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
            this.x = x;
            this.xOff = xOff;
            this.xStride = xStride;
            this.y = y;
            this.yOff = yOff;
            this.yStride = yStride;
        }

        @Override
        void rows(Dispatch d, Op op, int flags, int first, int count, long cols, double[] lse) {
            d.kernel((long) count * cols).rows(op, d.algorithm(), flags, d.scale(), x, xOff + first * xStride,
                    xStride, y, yOff + first * yStride, yStride, count, (int) cols, lse, first);
        }

        @Override
        void sumExp(Dispatch d, long from, long len, double[] me) {
            d.kernel(len).sumExp(d.scale(), x, xOff + (int) from, (int) len, me);
        }

        @Override
        void finish(Dispatch d, Op op, long from, long len, double m, double e) {
            d.kernel(len).finish(op, d.scale(), x, xOff + (int) from, y, yOff + (int) from, (int) len, m, e);
        }

        /** Softmax of rows [first, first + count) with each row's argmax into index[first + r]. */
        void softmaxArgmax(Dispatch d, int flags, int first, int count, int cols, int[] index) {
            d.kernel((long) count * cols).softmaxArgmax(d.algorithm(), flags, d.scale(), x, xOff + first * xStride,
                    xStride, y, yOff + first * yStride, yStride, count, cols, index, first);
        }
    }

    /** Direct buffers under the native kernel (absolute indexes; JavaCPP adds each buffer's position). */
    private static final class Direct extends Span {
        private final NativeKernel k;
        private final FloatBuffer x;
        private final int xIndex;
        private final int xStride;
        private final FloatBuffer y;
        private final int yIndex;
        private final int yStride;

        Direct(NativeKernel k, FloatBuffer x, int xIndex, int xStride, FloatBuffer y, int yIndex, int yStride) {
            this.k = k;
            this.x = x;
            this.xIndex = xIndex - x.position();
            this.xStride = xStride;
            this.y = y;
            this.yIndex = yIndex - y.position();
            this.yStride = yStride;
        }

        @Override
        void rows(Dispatch d, Op op, int flags, int first, int count, long cols, double[] lse) {
            k.rows(op, d.algorithm(), flags, d.scale(), x, xIndex + first * xStride, xStride, y,
                    yIndex + first * yStride, yStride, count, (int) cols, lse, first);
        }

        @Override
        void sumExp(Dispatch d, long from, long len, double[] me) {
            k.sumExp(d.scale(), x, xIndex + (int) from, (int) len, me);
        }

        @Override
        void finish(Dispatch d, Op op, long from, long len, double m, double e) {
            k.finish(op, d.scale(), x, xIndex + (int) from, y, yIndex + (int) from, (int) len, m, e);
        }
    }

    /** Memory copied through float[]: whole when it fits the copy limit, else chunk by chunk. */
    private static final class Copies extends Span {
        private final Chunked.Floats x;
        private final long xStride;
        private final Chunked.Floats y;
        private final long yStride;
        private final long copyLimit;
        private final boolean splittable;

        Copies(Chunked.Floats x, long xIndex, long xStride, Chunked.Floats y, long yIndex, long yStride,
                long copyLimit, boolean splittable) {
            this.x = x.from(xIndex);
            this.xStride = xStride;
            this.y = y.from(yIndex);
            this.yStride = yStride;
            this.copyLimit = copyLimit;
            this.splittable = splittable;
        }

        @Override
        void rows(Dispatch d, Op op, int flags, int first, int count, long cols, double[] lse) {
            if (count == 1 && cols > copyLimit) { // one long vector: the two-pass chunk by chunk
                double v = Chunked.vector(d.kernel(cols), op, flags, d.scale(), x, y, cols);
                if (op.writesLse(flags)) {
                    lse[first] = v;
                }
                return;
            }
            // A copy of the rows' whole input span, the array kernel on it in place, the output rows back.
            int len = (int) ((count - 1) * xStride + cols);
            float[] t = new float[len];
            x.get(first * xStride, t, 0, len);
            d.kernel((long) count * cols).rows(op, d.algorithm(), flags, d.scale(), t, 0, (int) xStride, t, 0,
                    (int) xStride, count, (int) cols, lse, first);
            if (op != Op.LOG_SUM_EXP) {
                for (int r = 0; r < count; r++) {
                    y.put((first + r) * yStride, t, (int) (r * xStride), (int) cols);
                }
            }
        }

        @Override
        void sumExp(Dispatch d, long from, long len, double[] me) {
            Chunked.sumExp(d.kernel(len), d.scale(), x, from, len, me);
        }

        @Override
        void finish(Dispatch d, Op op, long from, long len, double m, double e) {
            Chunked.finish(d.kernel(len), op, d.scale(), x, y, from, len, m, e);
        }

        @Override
        boolean splittable() {
            return splittable;
        }
    }
}
