package io.github.softmax4j.internal;

import java.nio.FloatBuffer;

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;

/**
 * Used by the default selection only: a native kernel whose short calls go to the Vector API kernel.
 * A JNI call with two pinned arrays costs about 100 ns here before any work is done, while the Vector API
 * backend finishes n = 1 in ~35 ns and n = 32 in ~90 ns (JMH, {@code SoftmaxBenchmark}, see the README's
 * results), so below {@link #MAX_ROUTED_N} elements the Java kernel is faster. {@link #backend()} reports
 * the native backend; results of routed calls are within the same bounds.
 */
final class SmallCallRouter implements Kernel {
    /** Largest n sent to the Java kernel; measured crossover of native vs Vector API call time. */
    static final int MAX_ROUTED_N = 64;

    private final Kernel large;
    private final Kernel small;

    SmallCallRouter(Kernel large, Kernel small) {
        this.large = large;
        this.small = small;
    }

    @Override
    public Backend backend() {
        return large.backend();
    }

    @Override
    public Algorithm resolve(Algorithm algorithm, int n) {
        return (n <= MAX_ROUTED_N ? small : large).resolve(algorithm, n);
    }

    @Override
    public void softmax(Algorithm algorithm, float[] x, int xOff, float[] y, int yOff, int n) {
        (n <= MAX_ROUTED_N ? small : large).softmax(algorithm, x, xOff, y, yOff, n);
    }

    @Override
    public void softmax(Algorithm algorithm, FloatBuffer x, int xIndex, FloatBuffer y, int yIndex, int n) {
        (n <= MAX_ROUTED_N ? small : large).softmax(algorithm, x, xIndex, y, yIndex, n);
    }

    @Override
    public String toString() {
        return large.backend() + " (n <= " + MAX_ROUTED_N + ": " + small.backend() + ")";
    }
}
