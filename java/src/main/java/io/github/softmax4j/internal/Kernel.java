package io.github.softmax4j.internal;

import java.util.Objects;

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
     * Softmax of each row as {@link #rows} with {@link Op#SOFTMAX} (cols >= 1) and, into
     * {@code index[indexOff + r]}, the index of row r's first largest output, or -1 when its outputs are NaN.
     * The Java kernels run the softmax, then {@link #argmax} over each output row (a second pass over y);
     * native kernels fuse the two ({@code s4j_f32_softmax_argmax_rows_at}).
     */
    void softmaxArgmax(Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride, float[] y,
            int yOff, int yStride, int rows, int cols, int[] index, int indexOff);

    /**
     * Pass 1 of a split two-pass over {@code x[off, off+n)}: {@code me[0] * 2^me[1]} = sum exp(s*x), or
     * {@code me[0]} NaN when this range needs the exact path. The caller merges parts with {@link ExtSum}.
     */
    void sumExp(float s, float[] x, int off, int n, double[] me);

    /** Pass 2 of a split two-pass for the merged fast-path sum m * 2^e: softmax or log-softmax. */
    void finish(Op op, float s, float[] x, int xOff, float[] y, int yOff, int n, double m, double e);

    /**
     * Double precision: {@link #rows} over doubles, the products s*x taken exactly (docs/NUMERICS.md, "Double
     * precision"); log-softmax and log-sum-exp always use the two-pass sum.
     */
    void rowsF64(Op op, Algorithm algorithm, int flags, double s, double[] x, int xOff, int xStride, double[] y,
            int yOff, int yStride, int rows, int cols, double[] lse, int lseOff);

    /**
     * Sampling: the index (relative to off) of the first largest of {@code x[off, off+n)}, n >= 1, or
     * {@code -1 - i} when {@code x[off + i]} is the first NaN (every element -Inf gives 0).
     */
    long argmax(float[] x, int off, int n);

    /**
     * Sampling: the indices i (relative to off, ascending) with {@code t <= x[off + i] <= u} or NaN (u = +Inf:
     * no upper bound; t and u not NaN), at most {@code idx.length} of them stored, and their elements into val
     * (null: not stored; else at least as long as idx); returns how many there are in all. Entries past that
     * count may be overwritten.
     */
    int select(float[] x, int off, int n, float t, float u, int[] idx, float[] val);

    /**
     * Sampling, the weights of a flat nucleus: {@code w[i] = c exp(((double) x[off + i] - top) * s)} for i in
     * [0, n) in double, one c > 0 for all of them (native: 1; the Java backends: 1 / their sum), within 2^-42
     * relative (0 or within Double.MIN_NORMAL below the normal range; x <= top finite, s > 0, no NaN),
     * each also added into {@code bins[bin(top, x[off + i], inv, bins.length - 1)]} (in some order: one or two
     * bins natively in vector lanes, so each bin within n ulps of its weights' sum; float arithmetic, {@link
     * #bin}; (float) inv > 0 and finite, at most 2^24 bins; bins are added to, not zeroed; no bins: the weights
     * alone, inv not used); returns the weights' sum.
     */
    double binExp(float[] x, int off, int n, float top, float s, double inv, double[] w, double[] bins);

    /**
     * {@link #binExp}'s arguments checked, for every backend alike (the native kernel rejects the same with
     * EINVAL): x's range, room for n weights, a finite top, a positive finite s, at most 2^24 bins (a float bin
     * position is exact up to there), and, with bins, a float inv that is positive and finite.
     */
    static void checkBinExp(float[] x, int off, int n, float top, float s, double inv, double[] w, double[] bins) {
        Objects.checkFromIndexSize(off, n, x.length);
        float f = (float) inv;
        if (w.length < n || !Float.isFinite(top) || !(s > 0f && s < Float.POSITIVE_INFINITY) || bins.length > 1 << 24
                || bins.length > 0 && !(f > 0f && f < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("w shorter than n, top not finite, s not positive and finite, more "
                    + "than 2^24 bins, or (float) inv not positive and finite: " + w.length + " < " + n + ", top "
                    + top + ", s " + s + ", " + bins.length + " bins, inv " + inv);
        }
    }

    /**
     * Sampling, the draw of a flat nucleus: the first i in [0, n) where the weights {@code w[i]} of the
     * survivors ({@code x[off + i] >= xc}) among [0, i] add up to more than target, their weight before it into
     * {@code before[0]}; n, with the survivors' whole weight there, if none does (target +Inf: their total). Any
     * order of the sums (xc and target not NaN; w non-negative and finite).
     */
    int walk(float[] x, int off, int n, double[] w, float xc, double target, double[] before);

    /**
     * The bin of logit v in {@link #binExp} ({@code s4j_binexp_bin} in C: the same float operations):
     * {@code min((int) ((top - v) * (float) inv), last)} in float arithmetic, a v above top in bin 0, -Inf in the
     * last; never increasing as v grows (each step rounds monotonically).
     */
    static int bin(float top, float v, double inv, int last) {
        return Math.max(0, Math.min((int) ((top - v) * (float) inv), last));
    }
}
