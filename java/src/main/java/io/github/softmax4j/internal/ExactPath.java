package io.github.softmax4j.internal;

import java.util.Arrays;

/**
 * The exact path every Java backend falls back to when the fast path's range is exceeded (NaN, +-Inf,
 * all -Inf, |s*x| beyond ~65536, a scale outside [2^-100, 2^100]): a three-pass in double precision.
 * v = s*x is exact in double (a product of two floats) and v - max rounds at 2^-53, far below float
 * precision. Works in place. The C library has its own copy of this path ({@code native/src/softmax.c}),
 * so native calls never come back to Java.
 */
final class ExactPath {
    private ExactPath() {
    }

    /** op over one row; returns its logsumexp (NaN for any NaN, +Inf for any +Inf, -Inf for all -Inf). */
    static double apply(Op op, int flags, float s, float[] x, int xOff, float[] y, int yOff, int n) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int i = 0; i < n; i++) {
            double v = (double) x[xOff + i] * s;
            if (v != v) {
                nan = true;
            } else if (v > max) {
                max = v;
            }
        }
        if (nan || Double.isInfinite(max)) {
            // NaN anywhere: NaN. +Inf: logsumexp +Inf, softmax NaN (Inf - Inf). All -Inf: logsumexp -Inf,
            // softmax NaN (0/0), or with FLAG_SAFE zeros (softmax) / -Inf (log-softmax).
            boolean safe = !nan && max < 0 && (flags & Op.FLAG_SAFE) != 0;
            float fill = !safe ? Float.NaN : op == Op.SOFTMAX ? 0f : Float.NEGATIVE_INFINITY;
            if (op != Op.LOG_SUM_EXP) {
                Arrays.fill(y, yOff, yOff + n, fill);
            }
            return nan ? Double.NaN : max;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) x[xOff + i] * s - max);
        }
        double logSum = Math.log(sum);
        if (op == Op.SOFTMAX) {
            for (int i = 0; i < n; i++) {
                y[yOff + i] = (float) (Math.exp((double) x[xOff + i] * s - max) / sum);
            }
        } else if (op == Op.LOG_SOFTMAX) {
            for (int i = 0; i < n; i++) {
                y[yOff + i] = (float) (((double) x[xOff + i] * s - max) - logSum);
            }
        }
        return max + logSum;
    }
}
