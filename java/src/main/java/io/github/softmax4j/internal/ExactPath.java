package io.github.softmax4j.internal;

import java.util.Arrays;

/**
 * The exact path every Java backend falls back to when the fast path's range is exceeded (NaN, +-Inf,
 * all -Inf, |s*x| beyond ~65536, a scale outside [2^-100, 2^100]): a three-pass in double precision.
 * v = s*x is exact in double (a product of two floats) and v - max rounds at 2^-53, far below float
 * precision. Works in place. The C library has its own copy of this path ({@code native/src/softmax.c}),
 * so native calls never come back to Java. Its three passes are also callable one range at a time
 * ({@link #max}, {@link #sum}, {@link #write}), so {@link Chunked} runs the same arithmetic, in the same
 * order, over a vector too long for one array.
 */
final class ExactPath {
    private ExactPath() {
    }

    /** op over one row; returns its logsumexp (NaN for any NaN, +Inf for any +Inf, -Inf for all -Inf). */
    static double apply(Op op, int flags, float s, float[] x, int xOff, float[] y, int yOff, int n) {
        double max = max(s, x, xOff, n, Double.NEGATIVE_INFINITY);
        if (special(max)) {
            if (op != Op.LOG_SUM_EXP) {
                Arrays.fill(y, yOff, yOff + n, fill(op, flags, max));
            }
            return max;
        }
        double sum = sum(s, x, xOff, n, max, 0);
        write(op, s, x, xOff, y, yOff, n, max, sum);
        return max + Math.log(sum);
    }

    /** Pass 1: the running max of s*x continued over x[off, off+n); NaN once any input is NaN. */
    static double max(float s, float[] x, int off, int n, double max) {
        if (max != max) {
            return max;
        }
        for (int i = 0; i < n; i++) {
            double v = (double) x[off + i] * s;
            if (v != v) {
                return Double.NaN;
            }
            if (v > max) {
                max = v;
            }
        }
        return max;
    }

    /** Whether a pass-1 max leaves no finite work: NaN, +Inf, or all -Inf (the result is then max). */
    static boolean special(double max) {
        return max != max || Double.isInfinite(max);
    }

    /**
     * The output of every element when {@link #special(double)}: NaN anywhere gives NaN; +Inf gives NaN
     * (Inf - Inf); all -Inf gives NaN (0/0), or with FLAG_SAFE zeros (softmax) / -Inf (log-softmax).
     */
    static float fill(Op op, int flags, double max) {
        boolean safe = max == Double.NEGATIVE_INFINITY && (flags & Op.FLAG_SAFE) != 0;
        return !safe ? Float.NaN : op == Op.SOFTMAX ? 0f : Float.NEGATIVE_INFINITY;
    }

    /** Pass 2: the running sum of exp(s*x - max) continued over x[off, off+n). */
    static double sum(float s, float[] x, int off, int n, double max, double sum) {
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) x[off + i] * s - max);
        }
        return sum;
    }

    /** Pass 3: softmax or log-softmax of x[xOff, +n) into y for the finished max and sum (in place works). */
    static void write(Op op, float s, float[] x, int xOff, float[] y, int yOff, int n, double max, double sum) {
        if (op == Op.SOFTMAX) {
            for (int i = 0; i < n; i++) {
                y[yOff + i] = (float) (Math.exp((double) x[xOff + i] * s - max) / sum);
            }
        } else if (op == Op.LOG_SOFTMAX) {
            double logSum = Math.log(sum);
            for (int i = 0; i < n; i++) {
                y[yOff + i] = (float) (((double) x[xOff + i] * s - max) - logSum);
            }
        }
    }
}
