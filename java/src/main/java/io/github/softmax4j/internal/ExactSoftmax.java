package io.github.softmax4j.internal;

import java.util.Arrays;

/**
 * The exact path every Java backend falls back to when the fast path's range is exceeded (NaN, +Inf,
 * all -Inf, |x| beyond ~65536): a three-pass softmax in double precision. x - max is exact in double for
 * every pair of floats whose difference matters, so results are within 1 ULP. Works in place.
 * The C library has its own copy of this path ({@code native/src/softmax.c}), so native calls never
 * come back to Java.
 */
final class ExactSoftmax {
    private ExactSoftmax() {
    }

    static void softmax(float[] x, int xOff, float[] y, int yOff, int n) {
        float max = Float.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            if (v != v) {
                nan = true;
            } else if (v > max) {
                max = v;
            }
        }
        // NaN anywhere, +Inf anywhere (Inf - Inf) and all -Inf (-Inf + Inf) have no defined softmax.
        if (nan || max == Float.POSITIVE_INFINITY || max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(y, yOff, yOff + n, Float.NaN);
            return;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) x[xOff + i] - max);
        }
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (Math.exp((double) x[xOff + i] - max) / sum);
        }
    }
}
