package io.github.softmax4j;

import java.util.Arrays;
import java.util.SplittableRandom;

/** The one reference: a textbook softmax in double precision (test code only), and the ULP yardstick. */
final class Reference {
    private Reference() {
    }

    /** exp(x - max) / sum in double, rounded to float; NaN, +Inf and all -Inf give all NaN. */
    static float[] softmax(float[] x, int off, int n) {
        float[] y = new float[n];
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            nan |= Float.isNaN(v);
            max = Math.max(max, v);
        }
        if (nan || max == Double.POSITIVE_INFINITY || max == Double.NEGATIVE_INFINITY) {
            Arrays.fill(y, Float.NaN);
            return y;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[off + i] - max);
        }
        for (int i = 0; i < n; i++) {
            y[i] = (float) (Math.exp(x[off + i] - max) / sum);
        }
        return y;
    }

    /** Distance in units in the last place between two finite non-negative floats. */
    static long ulps(float a, float b) {
        return Math.abs((long) Float.floatToIntBits(a) - Float.floatToIntBits(b));
    }

    /**
     * The largest error of y against the reference: in ULP for reference values >= FLT_MIN; outputs below
     * are checked against FLT_MIN absolute and count 0 when within it. NaN mismatches give +Inf.
     */
    static double maxUlp(float[] ref, float[] y, int yOff) {
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            float r = ref[i];
            float v = y[yOff + i];
            double err;
            if (Float.isNaN(r) || Float.isNaN(v)) {
                err = Float.isNaN(r) && Float.isNaN(v) ? 0 : Double.POSITIVE_INFINITY;
            } else if (r >= Float.MIN_NORMAL) {
                err = v < 0 ? Double.POSITIVE_INFINITY : ulps(r, v);
            } else {
                err = Math.abs(v - r) <= Float.MIN_NORMAL && v >= 0 ? 0 : Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, err);
        }
        return worst;
    }

    /** Index of the first failing element, for messages. */
    static int firstBad(float[] ref, float[] y, int yOff, double bound) {
        for (int i = 0; i < ref.length; i++) {
            if (maxUlp(new float[] {ref[i]}, new float[] {y[yOff + i]}, 0) > bound) {
                return i;
            }
        }
        return -1;
    }

    /** The input distributions of the conformance suite. */
    enum Dist {
        NORMAL, UNIFORM_100, OVERFLOW_89_100, LLM_LOGITS;

        float[] fill(float[] x, int off, int n, SplittableRandom r) {
            for (int i = 0; i < n; i++) {
                float v;
                switch (this) {
                    case NORMAL:
                        v = (float) r.nextGaussian();
                        break;
                    case UNIFORM_100:
                        v = (float) (r.nextDouble() * 200 - 100);
                        break;
                    case OVERFLOW_89_100:
                        v = (float) (89 + r.nextDouble() * 11);
                        break;
                    default:
                        // logits: N(0, 3), one in 500 an outlier near +30, some masked-looking -30s
                        double g = r.nextGaussian() * 3;
                        int k = r.nextInt(1000);
                        v = (float) (k < 2 ? 25 + r.nextDouble() * 10 : k < 12 ? g - 30 : g);
                }
                x[off + i] = v;
            }
            return x;
        }
    }
}
