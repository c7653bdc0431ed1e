package io.github.softmax4j;

/**
 * Double-precision references of the softmax family on s*x (test code only): s*x of two floats is
 * exact in double, and the max is subtracted in double.
 */
final class OpsReference {
    private OpsReference() {
    }

    /** log(sum exp(s*x)); NaN for any NaN, +Inf for any +Inf, -Inf for all -Inf or n == 0. */
    static double logSumExp(float[] x, int off, int n, float s) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double v = (double) x[off + i] * s;
            if (Double.isNaN(v)) {
                return Double.NaN;
            }
            max = Math.max(max, v);
        }
        if (Double.isInfinite(max)) {
            return max;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) x[off + i] * s - max);
        }
        return max + Math.log(sum);
    }

    /**
     * exp(s*x - max) / sum in double (not exp(s*x - lse): with |s*x| near FLT_MAX, lse = max + log(sum) rounds
     * to max in double and the reference lost log(sum); two copies of FLT_MAX came out [1, 1]).
     */
    static double[] softmax(float[] x, int off, int n, float s) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, (double) x[off + i] * s);
        }
        double[] y = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            y[i] = Math.exp((double) x[off + i] * s - max);
            sum += y[i];
        }
        for (int i = 0; i < n; i++) {
            y[i] /= sum;
        }
        return y;
    }

    /** The float ULP at |v|, for |v| normal. */
    static double ulp(double v) {
        return Math.ulp((float) Math.abs(v));
    }

    /** Log-sum-exp error in ULPs of max(|lse|, 1) (the documented yardstick). */
    static double lseError(double got, double ref) {
        if (Double.isNaN(ref) || Double.isInfinite(ref)) {
            return Double.compare(got, ref) == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - ref) / Math.ulp((float) Math.max(Math.abs(ref), 1.0));
    }

    /** Cross-entropy bound (the documented one): lse's 2 ULP of max(|lse|, 1), then the loss rounded once. */
    static double crossEntropyBound(double lse, double loss) {
        return 2 * Math.ulp((float) Math.max(1, Math.abs(lse))) + Math.ulp((float) loss) / 2;
    }

    /** Log-softmax bound: 2^-23 * (|s*x| + |lse|) + 2^-24. */
    static double logSoftmaxBound(float x, float s, double lse) {
        return 0x1.0p-23 * (Math.abs((double) x * s) + Math.abs(lse)) + 0x1.0p-24;
    }

    /** Softmax error of one output: ULPs for values >= FLT_MIN, else 0 when within FLT_MIN absolute. */
    static double softmaxError(float got, double ref) {
        if (ref >= Float.MIN_NORMAL) {
            return Math.abs(got - ref) / ulp(ref);
        }
        return Math.abs(got - ref) <= Float.MIN_NORMAL ? 0 : Double.POSITIVE_INFINITY;
    }
}
