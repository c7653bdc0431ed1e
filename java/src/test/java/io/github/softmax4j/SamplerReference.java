package io.github.softmax4j;

import java.util.Arrays;

/**
 * {@link Sampler}'s documented semantics written out step by step over a full sort of the logits (test code,
 * O(n log n); the sampler itself sorts only its candidates). Where the Javadoc fixes the arithmetic (survivors
 * chosen by comparing logits, weights {@code StrictMath.exp(((double) x - x_max) * s)} summed in index order,
 * the top-k set's own mass for top-p, the whole vocabulary's in index order without top-k) the token is exact
 * and every backend must give it.
 */
final class SamplerReference {
    /** A NaN logit: the result is {@code NAN_AT - index} of the first NaN. */
    static final int NAN_AT = -1;
    /** Every logit -Inf: no token. */
    static final int ALL_NEGATIVE_INFINITY = Integer.MIN_VALUE;

    private SamplerReference() {
    }

    /** The generator's value as the sampler takes it: clamped into [0, 1), NaN to 0. */
    static double unit(double u) {
        if (!(u >= 0.0)) {
            return 0.0;
        }
        return u >= 1.0 ? Math.nextDown(1.0) : u;
    }

    /** The first NaN's code ({@code NAN_AT - i}), all -Inf's code, or 0 when the logits can be sampled. */
    static int invalid(float[] x, int off, int n) {
        boolean finiteOrPlus = false;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (v != v) {
                return NAN_AT - i;
            }
            finiteOrPlus |= v != Float.NEGATIVE_INFINITY;
        }
        return finiteOrPlus ? 0 : ALL_NEGATIVE_INFINITY;
    }

    /** Indices 0..n-1 by logit descending, equal logits (-0.0 == +0.0) by index ascending. No NaN. */
    static int[] order(float[] x, int off, int n) {
        Integer[] o = new Integer[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        Arrays.sort(o, (a, b) -> {
            float va = x[off + a];
            float vb = x[off + b];
            return va == vb ? Integer.compare(a, b) : (va > vb ? -1 : 1);
        });
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = o[i];
        }
        return r;
    }

    /** How many +Inf logits. */
    static int positiveInfinities(float[] x, int off, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            c += x[off + i] == Float.POSITIVE_INFINITY ? 1 : 0;
        }
        return c;
    }

    /**
     * How many of the sorted tokens survive top-k (0: off), min-p (0: off) and top-p (1: off) at scale s. No NaN,
     * not all -Inf, no +Inf.
     */
    static int survivors(float[] x, int off, int n, int[] order, float s, int topK, double topP, double minP) {
        int k = topK == 0 ? n : Math.min(topK, n);
        float top = x[off + order[0]];
        // the scaled distance of each sorted token to the top (<= 0), and its weight exp(distance)
        double[] dist = new double[k];
        double[] weight = new double[k];
        for (int i = 0; i < k; i++) {
            dist[i] = ((double) x[off + order[i]] - top) * s;
            weight[i] = StrictMath.exp(dist[i]);
        }
        // min-p: p_i >= min_p * p_max, compared as distance >= log(min_p); the top always stays
        int minPKeep = k;
        if (minP > 0.0) {
            double floor = StrictMath.log(minP); // the sampler's: Math.log may differ by an ulp (a fuzzer input at the cut)
            minPKeep = 1;
            for (int i = 1; i < k && dist[i] >= floor; i++) {
                minPKeep = i + 1;
            }
        }
        if (topP >= 1.0) {
            return minPKeep;
        }
        // top-p: the shortest prefix whose weight reaches p times the mass (of the top-k set, or of the whole
        // vocabulary, summed in index order), never longer than what min-p kept
        double mass = topK != 0 ? sum(weight, k) : sum(weights(x, off, n, top, s), n);
        double target = topP * mass;
        double acc = 0.0;
        for (int i = 0; i < minPKeep; i++) {
            acc += weight[i];
            if (acc >= target) {
                return i + 1;
            }
        }
        return minPKeep;
    }

    /** w[0] + ... + w[m-1], in that order. */
    private static double sum(double[] w, int m) {
        double total = 0.0;
        for (int i = 0; i < m; i++) {
            total += w[i];
        }
        return total;
    }

    /** The weights of x[off, +n) relative to top, in index order. */
    private static double[] weights(float[] x, int off, int n, float top, float s) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = StrictMath.exp(((double) x[off + i] - top) * s);
        }
        return w;
    }

    /**
     * The draw over the first {@code keep} sorted tokens: walked in index order, weights relative to the top; the
     * last of positive weight when the rounding of u times the total leaves none.
     */
    static int draw(float[] x, int off, int[] order, int keep, float s, double u) {
        int[] kept = Arrays.copyOf(order, keep);
        Arrays.sort(kept);
        float top = x[off + order[0]];
        double[] w = new double[keep];
        double total = 0.0;
        for (int i = 0; i < keep; i++) {
            w[i] = StrictMath.exp(((double) x[off + kept[i]] - top) * s);
            total += w[i];
        }
        double target = unit(u) * total;
        double acc = 0.0;
        int last = 0;
        for (int i = 0; i < keep; i++) {
            acc += w[i];
            last = w[i] > 0.0 ? i : last;
            if (acc > target) {
                return kept[i];
            }
        }
        return kept[last];
    }

    /** The lowest-indexed of the min(k, count) lowest-indexed +Inf tokens picked uniformly by u. */
    static int drawInfinite(float[] x, int off, int n, int topK, double u) {
        int m = positiveInfinities(x, off, n);
        if (topK != 0) {
            m = Math.min(m, topK);
        }
        int[] kept = new int[m];
        for (int i = 0, j = 0; j < m; i++) {
            if (x[off + i] == Float.POSITIVE_INFINITY) {
                kept[j++] = i;
            }
        }
        return kept[(int) (unit(u) * m)];
    }

    /** The first largest logit (no NaN, not all -Inf). */
    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
