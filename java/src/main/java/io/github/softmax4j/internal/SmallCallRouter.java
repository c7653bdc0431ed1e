package io.github.softmax4j.internal;

import java.nio.FloatBuffer;

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;

/**
 * Used by the default selection only: a native kernel whose short calls go to the Vector API kernel.
 * A JNI call with two pinned arrays costs about 100 ns here before any work is done, while the Vector API
 * backend finishes n = 1 in ~35 ns and n = 32 in ~90 ns (JMH, {@code SoftmaxBenchmark}, see the README's
 * results), so below {@link #MAX_ROUTED_N} elements per call (all rows together: a batch of short rows
 * is one JNI call) the Java kernel is faster. {@link #backend()} reports the native backend; results of
 * routed calls are within the same bounds.
 */
final class SmallCallRouter implements Kernel {
    /** Largest element count sent to the Java kernel; measured crossover of native vs Vector API call time. */
    static final int MAX_ROUTED_N = 64;

    private final Kernel large;
    private final Kernel small;

    SmallCallRouter(Kernel large, Kernel small) {
        this.large = large;
        this.small = small;
    }

    /** The kernel of long calls (the native one). */
    Kernel large() {
        return large;
    }

    private Kernel pick(long elements) {
        return elements <= MAX_ROUTED_N ? small : large;
    }

    @Override
    public Backend backend() {
        return large.backend();
    }

    @Override
    public Algorithm resolve(Algorithm algorithm, int n) {
        return pick(n).resolve(algorithm, n);
    }

    @Override
    public void rows(Op op, Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride, float[] y,
            int yOff, int yStride, int rows, int cols, double[] lse, int lseOff) {
        pick((long) rows * cols).rows(op, algorithm, flags, s, x, xOff, xStride, y, yOff, yStride, rows, cols, lse,
                lseOff);
    }

    @Override
    public void rows(Op op, Algorithm algorithm, int flags, float s, FloatBuffer x, int xIndex, int xStride,
            FloatBuffer y, int yIndex, int yStride, int rows, int cols, double[] lse, int lseOff) {
        pick((long) rows * cols).rows(op, algorithm, flags, s, x, xIndex, xStride, y, yIndex, yStride, rows, cols,
                lse, lseOff);
    }

    @Override
    public void softmaxArgmax(Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride, float[] y,
            int yOff, int yStride, int rows, int cols, int[] index, int indexOff) {
        pick((long) rows * cols).softmaxArgmax(algorithm, flags, s, x, xOff, xStride, y, yOff, yStride, rows, cols,
                index, indexOff);
    }

    // The split two-pass is for long vectors: always the native kernel.
    @Override
    public void sumExp(float s, float[] x, int off, int n, double[] me) {
        large.sumExp(s, x, off, n, me);
    }

    @Override
    public void sumExp(float s, FloatBuffer x, int index, int n, double[] me) {
        large.sumExp(s, x, index, n, me);
    }

    @Override
    public void finish(Op op, float s, float[] x, int xOff, float[] y, int yOff, int n, double m, double e) {
        large.finish(op, s, x, xOff, y, yOff, n, m, e);
    }

    @Override
    public void finish(Op op, float s, FloatBuffer x, int xIndex, FloatBuffer y, int yIndex, int n, double m,
            double e) {
        large.finish(op, s, x, xIndex, y, yIndex, n, m, e);
    }

    @Override
    public void softmaxF64(Algorithm algorithm, int flags, double s, double[] x, int xOff, double[] y, int yOff,
            int n) {
        pick(n).softmaxF64(algorithm, flags, s, x, xOff, y, yOff, n);
    }

    @Override
    public double logSumExpF64(double s, double[] x, int off, int n) {
        return pick(n).logSumExpF64(s, x, off, n);
    }

    @Override
    public String toString() {
        return large.backend() + " (n <= " + MAX_ROUTED_N + ": " + small.backend() + ")";
    }

    @Override
    public long argmax(float[] x, int off, int n) {
        return pick(n).argmax(x, off, n);
    }

    @Override
    public int select(float[] x, int off, int n, float t, int[] idx) {
        return pick(n).select(x, off, n, t, idx);
    }
}
