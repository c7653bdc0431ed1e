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
}
