package io.github.softmax4j.internal;

import java.util.Arrays;

/**
 * The Java path over a vector that no array holds: a {@code MemorySegment} on JDK 22+ (heap, misaligned,
 * or longer than 2^31 elements), seen here only through {@link Floats} so that this class compiles on
 * Java 17. Every pass copies {@link #CHUNK} elements at a time into a float[] and runs the backend's
 * array kernels on it.
 *
 * <p>Fast path: the split two-pass of {@link Split#vector}, each part walking its chunks: pass 1
 * ({@link Kernel#sumExp}) per chunk, the chunks' (m, e) merged exactly by the max rule ({@link ExtSum}),
 * then pass 2 ({@link Kernel#finish}) per chunk, copied back out. Chunks start at multiples of
 * {@link ExpConstants#BLOCK} from the start of the vector, so the kernel blocks are those of one call.
 * When the merged sum leaves the fast range, {@link ExactPath}'s three passes run chunk by chunk in the
 * same order as over one array (pass A max and NaN, pass B the sum, pass C the writes), on one thread.
 */
public final class Chunked {
    /** Elements per copy: 4 MiB of floats, long enough to amortize the copy call, short enough for L2/L3. */
    public static final int CHUNK = 1 << 20;

    static {
        assert CHUNK % ExpConstants.BLOCK == 0;
    }

    private Chunked() {
    }

    /** A vector of up to 2^63 - 1 floats, read and written a range at a time. */
    public interface Floats {
        /** Copies elements [index, index+len) into dst[off, off+len). */
        void get(long index, float[] dst, int off, int len);

        /** Copies src[off, off+len) into elements [index, index+len). */
        void put(long index, float[] src, int off, int len);

        /** The same memory with element {@code base} as element 0. */
        default Floats from(long base) {
            if (base == 0) {
                return this;
            }
            Floats f = this;
            return new Floats() {
                @Override
                public void get(long index, float[] dst, int off, int len) {
                    f.get(base + index, dst, off, len);
                }

                @Override
                public void put(long index, float[] src, int off, int len) {
                    f.put(base + index, src, off, len);
                }
            };
        }
    }

    /**
     * op over x[0, n) into y[0, n) on this thread (y is not touched for {@link Op#LOG_SUM_EXP}; x == y is in
     * place); returns logsumexp in double. Split across threads, the parts call {@link #sumExp} and
     * {@link #finish} ({@link Span#copies}).
     */
    static double vector(Kernel kernel, Op op, int flags, float s, Floats x, Floats y, long n) {
        return Split.vector(null, 1, op, s, n, new Split.Vector() {
            @Override
            public void sumExp(long from, long len, double[] me) {
                Chunked.sumExp(kernel, s, x, from, len, me);
            }

            @Override
            public void finish(long from, long len, double m, double e) {
                Chunked.finish(kernel, op, s, x, y, from, len, m, e);
            }

            @Override
            public double whole() {
                return exact(op, flags, s, x, y, n);
            }
        });
    }

    private static float[] buffer(long len) {
        return new float[(int) Math.min(CHUNK, len)];
    }

    /** Pass 1 over [from, from+len): as {@link Kernel#sumExp}, me[0] NaN when the exact path is needed. */
    static void sumExp(Kernel kernel, float s, Floats x, long from, long len, double[] me) {
        float[] buf = buffer(len);
        double[] part = new double[2];
        ExtSum sum = new ExtSum();
        for (long i = 0; i < len && !sum.invalid; i += CHUNK) {
            int c = (int) Math.min(CHUNK, len - i);
            x.get(from + i, buf, 0, c);
            kernel.sumExp(s, buf, 0, c, part);
            sum.add(part[0], part[1]);
        }
        me[0] = sum.invalid ? Double.NaN : sum.m;
        me[1] = sum.e;
    }

    /** Pass 2 over [from, from+len) for the merged sum m * 2^e. */
    static void finish(Kernel kernel, Op op, float s, Floats x, Floats y, long from, long len, double m, double e) {
        float[] buf = buffer(len);
        for (long i = 0; i < len; i += CHUNK) {
            int c = (int) Math.min(CHUNK, len - i);
            x.get(from + i, buf, 0, c);
            kernel.finish(op, s, buf, 0, buf, 0, c, m, e);
            y.put(from + i, buf, 0, c);
        }
    }

    /** {@link ExactPath#apply} over x[0, n) in chunks: the same arithmetic in the same order. */
    static double exact(Op op, int flags, float s, Floats x, Floats y, long n) {
        float[] buf = buffer(n);
        double max = Double.NEGATIVE_INFINITY;
        for (long i = 0; i < n && max == max; i += CHUNK) { // pass A: max, NaN stops it
            int c = (int) Math.min(CHUNK, n - i);
            x.get(i, buf, 0, c);
            max = ExactPath.max(s, buf, 0, c, max);
        }
        if (ExactPath.special(max)) {
            if (op != Op.LOG_SUM_EXP) {
                Arrays.fill(buf, ExactPath.fill(op, flags, max));
                for (long i = 0; i < n; i += CHUNK) {
                    y.put(i, buf, 0, (int) Math.min(CHUNK, n - i));
                }
            }
            return max;
        }
        double sum = 0;
        for (long i = 0; i < n; i += CHUNK) { // pass B: sum of exp(s*x - max)
            int c = (int) Math.min(CHUNK, n - i);
            x.get(i, buf, 0, c);
            sum = ExactPath.sum(s, buf, 0, c, max, sum);
        }
        if (op != Op.LOG_SUM_EXP) {
            for (long i = 0; i < n; i += CHUNK) { // pass C: the outputs
                int c = (int) Math.min(CHUNK, n - i);
                x.get(i, buf, 0, c);
                ExactPath.write(op, s, buf, 0, buf, 0, c, max, sum);
                y.put(i, buf, 0, c);
            }
        }
        return max + Math.log(sum);
    }
}
