package io.github.softmax4j.internal;

import java.nio.FloatBuffer;

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;

/**
 * The one internal kernel interface: a stateless, thread-safe softmax over a contiguous range. Every
 * backend ({@link NativeKernel}, the Vector API {@code VectorKernel}, {@link ScalarKernel}) implements it
 * with the same numerics (docs/NUMERICS.md). Callers have validated every argument: arrays are non-null,
 * ranges lie inside them, ranges of x and y are either identical (in place) or disjoint, and n > 0.
 */
public interface Kernel {
    /** The backend this kernel is. */
    Backend backend();

    /** The concrete algorithm {@code algorithm} stands for at length n (resolves AUTO). */
    Algorithm resolve(Algorithm algorithm, int n);

    /** Softmax of x[xOff, xOff+n) into y[yOff, yOff+n). */
    void softmax(Algorithm algorithm, float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Softmax between direct buffers, at absolute element indexes (positions and limits are ignored and
     * left unchanged). The default copies through heap arrays; native kernels read the memory directly.
     */
    default void softmax(Algorithm algorithm, FloatBuffer x, int xIndex, FloatBuffer y, int yIndex, int n) {
        float[] tmp = new float[n];
        x.get(xIndex, tmp, 0, n);
        softmax(algorithm, tmp, 0, tmp, 0, n);
        y.put(yIndex, tmp, 0, n);
    }
}
