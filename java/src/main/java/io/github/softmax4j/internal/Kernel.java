package io.github.softmax4j.internal;

import java.nio.FloatBuffer;

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;

/**
 * The one internal kernel interface: stateless and thread-safe. Every backend ({@link NativeKernel}, the
 * Vector API {@code VectorKernel}, {@link ScalarKernel}) implements it with the same numerics
 * (docs/NUMERICS.md). Callers have validated every argument: arrays are non-null, every row lies inside
 * its array, rows of x and y are either identical (in place) or disjoint, the scale s is positive and
 * finite, {@code lse} has room for every row when the op writes it (else it may be empty).
 */
public interface Kernel {
    /** The backend this kernel is. */
    Backend backend();

    /** The concrete algorithm {@code algorithm} stands for at length n (resolves AUTO). */
    Algorithm resolve(Algorithm algorithm, int n);

    /**
     * {@code op} over {@code rows} rows of {@code cols} elements: row r reads {@code x[xOff + r*xStride, +cols)},
     * writes {@code y[yOff + r*yStride, +cols)} (not for {@link Op#LOG_SUM_EXP}) and, when
     * {@link Op#writesLse(int)}, {@code lse[lseOff + r]}. {@code algorithm} applies to {@link Op#SOFTMAX}.
     */
    void rows(Op op, Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride, float[] y,
            int yOff, int yStride, int rows, int cols, double[] lse, int lseOff);

    /**
     * The same between buffers at absolute element indexes (positions and limits are ignored and left
     * unchanged). The default copies through heap arrays; native kernels read direct memory in place.
     */
    default void rows(Op op, Algorithm algorithm, int flags, float s, FloatBuffer x, int xIndex, int xStride,
            FloatBuffer y, int yIndex, int yStride, int rows, int cols, double[] lse, int lseOff) {
        if (rows == 0) {
            return;
        }
        float[] xs = span(x, xIndex, xStride, rows, cols);
        float[] ys = op == Op.LOG_SUM_EXP ? xs : new float[xs.length];
        rows(op, algorithm, flags, s, xs, 0, xStride, ys, 0, xStride, rows, cols, lse, lseOff);
        if (op != Op.LOG_SUM_EXP) {
            for (int r = 0; r < rows; r++) {
                y.put(yIndex + r * yStride, ys, r * xStride, cols);
            }
        }
    }

    /**
     * Softmax of each row as {@link #rows} with {@link Op#SOFTMAX} (cols >= 1) and, into
     * {@code index[indexOff + r]}, the index of row r's first largest output, or -1 when its outputs are NaN.
     * The default runs the softmax, then {@link #argmax} over each output row (a second pass over y); native
     * kernels fuse the two ({@code s4j_f32_softmax_argmax_rows_at}).
     */
    default void softmaxArgmax(Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride, float[] y,
            int yOff, int yStride, int rows, int cols, int[] index, int indexOff) {
        rows(Op.SOFTMAX, algorithm, flags, s, x, xOff, xStride, y, yOff, yStride, rows, cols, new double[0], 0);
        for (int r = 0; r < rows; r++) {
            long a = argmax(y, yOff + r * yStride, cols);
            index[indexOff + r] = a < 0 ? -1 : (int) a;
        }
    }

    /**
     * Pass 1 of a split two-pass over {@code x[off, off+n)}: {@code me[0] * 2^me[1]} = sum exp(s*x), or
     * {@code me[0]} NaN when this range needs the exact path. The caller merges parts with {@link ExtSum}.
     */
    void sumExp(float s, float[] x, int off, int n, double[] me);

    /** Pass 2 of a split two-pass for the merged fast-path sum m * 2^e: softmax or log-softmax. */
    void finish(Op op, float s, float[] x, int xOff, float[] y, int yOff, int n, double m, double e);

    /** {@link #sumExp(float, float[], int, int, double[])} over a buffer; the default copies. */
    default void sumExp(float s, FloatBuffer x, int index, int n, double[] me) {
        sumExp(s, span(x, index, n, 1, n), 0, n, me);
    }

    /** {@link #finish(Op, float, float[], int, float[], int, int, double, double)} between buffers. */
    default void finish(Op op, float s, FloatBuffer x, int xIndex, FloatBuffer y, int yIndex, int n, double m,
            double e) {
        float[] t = span(x, xIndex, n, 1, n);
        finish(op, s, t, 0, t, 0, n, m, e);
        y.put(yIndex, t, 0, n);
    }

    /**
     * Double precision: softmax of s*x[xOff, xOff+n) into y[yOff, yOff+n) (flags: {@link Op#FLAG_SAFE}),
     * the product taken exactly (docs/NUMERICS.md, "Double precision").
     */
    void softmaxF64(Algorithm algorithm, int flags, double s, double[] x, int xOff, double[] y, int yOff, int n);

    /** Double precision: log(sum exp(s*x[off, off+n))), one pass. */
    double logSumExpF64(double s, double[] x, int off, int n);

    /** The elements rows of a strided range span, copied out of a buffer. */
    private static float[] span(FloatBuffer b, int index, int stride, int rows, int cols) {
        float[] a = new float[(rows - 1) * stride + cols];
        b.get(index, a, 0, a.length);
        return a;
    }

    /**
     * Sampling: the index (relative to off) of the first largest of {@code x[off, off+n)}, n >= 1, or
     * {@code -1 - i} when {@code x[off + i]} is the first NaN (every element -Inf gives 0). The default is a
     * plain loop; native kernels override it.
     */
    default long argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 0; i < n; i++) { // one pass: the first NaN ends it
            float v = x[off + i];
            if (v != v) {
                return -1L - i;
            }
            if (v > x[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Sampling: the indices i (relative to off, ascending) with {@code x[off + i] >= t} or NaN, at most
     * {@code idx.length} of them stored; returns how many there are in all. Native kernels override it.
     */
    default int select(float[] x, int off, int n, float t, int[] idx) {
        return selectFrom(x, off, 0, n, t, idx, 0);
    }

    /**
     * The loop of {@link #select}: from index {@code from} on, after {@code count} candidates found before it
     * (a vector kernel's tail); returns the count in all.
     */
    static int selectFrom(float[] x, int off, int from, int n, float t, int[] idx, int count) {
        for (int i = from; i < n; i++) {
            if (!(x[off + i] < t)) {
                if (count < idx.length) {
                    idx[count] = i;
                }
                count++;
            }
        }
        return count;
    }
}
