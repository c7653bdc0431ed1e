package io.github.softmax4j;

import java.util.Objects;

import io.github.softmax4j.internal.Dispatch;
import io.github.softmax4j.internal.Op;

/**
 * The softmax family over {@code double[]}: softmax, log-softmax and log-sum-exp of one vector or of a batch
 * of rows, with the configuration of a {@link Softmax}.
 *
 * <pre>{@code
 * DoubleSoftmax d = DoubleSoftmax.of(Softmax.get());
 * double[] p = d.softmax(scores);                  // or softmax(x, y), softmax(x, xOff, y, yOff, n)
 * double lse = d.logSumExp(scores);                // one pass over the data
 * d.logSoftmaxRows(scores, out, cols);             // every row of a (scores.length / cols) x cols matrix
 * }</pre>
 *
 * <h2>Configuration</h2>
 * Everything the wrapped {@link Softmax} is configured with applies: its backend (the native tiers have
 * double kernels of their own; the Java backends run the same driver in Java), algorithm, scale (the float
 * that {@link Softmax#withScale} or {@link Softmax#withTemperature} made, widened exactly: a temperature of 0.7
 * gives s = fl32(1/0.7) = 1.4285714626..., not the double 1/0.7, and the outputs are exact for that s), safe
 * flag, and parallel executor and threshold (batches of rows are split by rows; a single vector is not split).
 *
 * <h2>Values and accuracy</h2>
 * Special values as for floats ({@link Softmax}): any NaN gives all outputs NaN; any +Inf gives all NaN
 * (log-sum-exp +Inf); -Inf gives 0 (log-softmax -Inf); all -Inf gives all NaN (log-sum-exp -Inf), or zeros
 * and -Inf with {@link Softmax#withSafe(boolean)}; n = 0 does nothing (log-sum-exp -Inf). Softmax: every
 * output at least {@link Double#MIN_NORMAL} within 4 ULP of the exact value, smaller ones within
 * {@code Double.MIN_NORMAL}. Log-sum-exp: within 4 ULP of {@code max(|lse|, 1)}. Log-softmax: the log-sum-exp
 * is kept as two doubles so that its rounding never reaches y: within {@code 2^-52 * |y| + 2^-50} absolute.
 *
 * <h2>Arguments</h2>
 * As for {@link Softmax}: inputs are never modified except by in-place calls (the same array, offset and
 * stride), null arguments throw {@link NullPointerException}, ranges outside their arrays
 * {@link IndexOutOfBoundsException}, mismatched lengths and partially overlapping input and output
 * {@link IllegalArgumentException}. Bad input never reaches native code.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DoubleSoftmax {
    private final Softmax softmax;

    private DoubleSoftmax(Softmax softmax) {
        this.softmax = softmax;
    }

    /**
     * Double-precision operations with every setting of {@code softmax} (backend, algorithm, scale, safe,
     * threads).
     *
     * @param softmax the configuration to apply
     * @return the double-precision operations of that configuration
     */
    public static DoubleSoftmax of(Softmax softmax) {
        return new DoubleSoftmax(Objects.requireNonNull(softmax, "softmax"));
    }

    /**
     * The wrapped configuration.
     *
     * @return the {@link Softmax} given to {@link #of(Softmax)}
     */
    public Softmax softmax() {
        return softmax;
    }

    /**
     * Returns a new array with the softmax of x.
     *
     * @param x the input, not modified
     * @return a new array of {@code x.length} elements, {@code exp(s*x) / sum exp(s*x)}
     */
    public double[] softmax(double[] x) {
        Objects.requireNonNull(x, "x");
        double[] y = new double[x.length];
        softmax(x, 0, y, 0, x.length);
        return y;
    }

    /**
     * Softmax of all of x into y ({@code x == y} computes in place).
     *
     * @param x the input
     * @param y the output, of the same length (may be x)
     * @throws IllegalArgumentException if the lengths differ
     */
    public void softmax(double[] x, double[] y) {
        whole(Op.SOFTMAX, x, y);
    }

    /**
     * Softmax of {@code x[xOff, xOff+n)} into {@code y[yOff, yOff+n)} (identical or disjoint ranges).
     *
     * @param x the input; elements [xOff, xOff + n) are read
     * @param xOff the index of the first input element
     * @param y the output; elements [yOff, yOff + n) are written
     * @param yOff the index of the first output element
     * @param n the number of elements, {@code >= 0}
     * @throws IndexOutOfBoundsException if n or an offset is negative, or a range does not fit in its array
     * @throws IllegalArgumentException if x and y are one array and the ranges overlap at different offsets
     */
    public void softmax(double[] x, int xOff, double[] y, int yOff, int n) {
        rows(Op.SOFTMAX, x, xOff, n, y, yOff, n, 1, n);
    }

    /**
     * Softmax of each row of a dense {@code (x.length / cols) x cols} matrix, one native call for all rows
     * (split by rows across threads when the configuration is parallel).
     *
     * @param x the input, rows of cols elements one after another
     * @param y the output, of the same length (may be x)
     * @param cols the length of each row, {@code > 0}
     * @throws IllegalArgumentException if cols is not positive, x.length is not a multiple of cols, or the
     *         lengths differ
     */
    public void softmaxRows(double[] x, double[] y, int cols) {
        denseRows(Op.SOFTMAX, x, y, cols);
    }

    /**
     * Log-softmax of all of x into y: {@code y = s*x - logSumExp(x)} in two passes. {@code x == y} computes
     * in place.
     *
     * @param x the input
     * @param y the output, of the same length (may be x)
     * @throws IllegalArgumentException if the lengths differ
     */
    public void logSoftmax(double[] x, double[] y) {
        whole(Op.LOG_SOFTMAX, x, y);
    }

    /**
     * Log-softmax of {@code x[xOff, xOff+n)} into {@code y[yOff, yOff+n)} (identical or disjoint ranges).
     *
     * @param x the input; elements [xOff, xOff + n) are read
     * @param xOff the index of the first input element
     * @param y the output; elements [yOff, yOff + n) are written
     * @param yOff the index of the first output element
     * @param n the number of elements, {@code >= 0}
     * @throws IndexOutOfBoundsException if n or an offset is negative, or a range does not fit in its array
     * @throws IllegalArgumentException if x and y are one array and the ranges overlap at different offsets
     */
    public void logSoftmax(double[] x, int xOff, double[] y, int yOff, int n) {
        rows(Op.LOG_SOFTMAX, x, xOff, n, y, yOff, n, 1, n);
    }

    /**
     * Log-softmax of each row of a dense {@code (x.length / cols) x cols} matrix.
     *
     * @param x the input, rows of cols elements one after another
     * @param y the output, of the same length (may be x)
     * @param cols the length of each row, {@code > 0}
     * @throws IllegalArgumentException if cols is not positive, x.length is not a multiple of cols, or the
     *         lengths differ
     */
    public void logSoftmaxRows(double[] x, double[] y, int cols) {
        denseRows(Op.LOG_SOFTMAX, x, y, cols);
    }

    /**
     * {@code log(sum exp(s*x))} in one pass. NaN for any NaN, +Inf for any +Inf, -Inf for all -Inf or an
     * empty x.
     *
     * @param x the input, not modified
     * @return {@code log(sum exp(s*x))}
     */
    public double logSumExp(double[] x) {
        Objects.requireNonNull(x, "x");
        return logSumExp(x, 0, x.length);
    }

    /**
     * Log-sum-exp of {@code x[off, off+n)}.
     *
     * @param x the input; elements [off, off + n) are read
     * @param off the index of the first element
     * @param n the number of elements, {@code >= 0}
     * @return {@code log(sum exp(s*x))} over the range; -Inf for n = 0
     * @throws IndexOutOfBoundsException if off or n is negative, or the range does not fit in x
     */
    public double logSumExp(double[] x, int off, int n) {
        Objects.requireNonNull(x, "x");
        Objects.checkFromIndexSize(off, n, x.length);
        if (n == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        double[] lse = new double[1];
        softmax.dispatch().runF64(Op.LOG_SUM_EXP, x, off, n, x, off, n, 1, n, lse);
        return lse[0];
    }

    private void whole(Op op, double[] x, double[] y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        Checks.sameLength(x.length, y.length);
        rows(op, x, 0, x.length, y, 0, x.length, 1, x.length);
    }

    private void denseRows(Op op, double[] x, double[] y, int cols) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        int rows = Checks.denseRows("x", x.length, cols);
        Checks.sameLength(x.length, y.length);
        rows(op, x, 0, cols, y, 0, cols, rows, cols);
    }

    private void rows(Op op, double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int rows,
            int cols) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (Checks.rows(x, x.length, xOff, xStride, y, y.length, yOff, yStride, rows, cols)) {
            softmax.dispatch().runF64(op, x, xOff, xStride, y, yOff, yStride, rows, cols, Dispatch.NO_LSE);
        }
    }

    @Override
    public String toString() {
        return "DoubleSoftmax[" + softmax + "]";
    }
}
