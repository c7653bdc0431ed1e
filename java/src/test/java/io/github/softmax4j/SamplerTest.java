package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Sampler} against a reference written from the definitions in double (sort everything, apply top-k,
 * top-p, min-p, normalise): every drawn token is a survivor of the reference, the frequencies over 10^6 draws
 * pass a chi-square goodness-of-fit test (p > 0.001) for each setting, the same seed gives the same tokens on
 * every backend, and the special values and bad input behave as documented.
 */
class SamplerTest {
    private static final long SEED = Long.getLong("softmax4j.test.seed", 0x5A3B1E5L);

    /** Logits like a language model's: N(0, 3) with a few dominant tokens. */
    static float[] logits(int n, SplittableRandom r) {
        float[] x = wide(n, r);
        for (int k = 0; k < 1 + n / 500; k++) {
            x[r.nextInt(n)] = (float) (12 + 2 * r.nextGaussian());
        }
        return x;
    }

    /** Wide logits, N(0, 3): top-p's nucleus at T = 0.7 holds hundreds to thousands of tokens. */
    static float[] wide(int n, SplittableRandom r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (3 * r.nextGaussian());
        }
        return x;
    }

    /** The reference: survivors (by index) and their probabilities, from the definitions, in double. */
    static double[] reference(float[] x, float t, int topK, double topP, double minP) {
        int n = x.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -x[i]).thenComparingInt(i -> i));
        int keep = topK == 0 ? n : Math.min(topK, n);
        double max = x[order[0]];
        double s = 1f / t; // the sampler divides by T as a multiplication by 1/T rounded to float
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = Math.exp((x[i] - max) * s);
        }
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += w[order[i]];
        }
        if (topP < 1) {
            double acc = 0;
            int m = 0;
            while (m < keep) {
                acc += w[order[m++]];
                if (acc >= topP * total) {
                    break;
                }
            }
            keep = m;
        }
        if (minP > 0) {
            int m = 1;
            while (m < keep && w[order[m]] >= minP) {
                m++;
            }
            keep = m;
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            sum += w[order[i]];
        }
        for (int i = 0; i < keep; i++) {
            p[order[i]] = w[order[i]] / sum;
        }
        return p;
    }

    /** Chi-square goodness of fit (categories with expected count >= 5, the rest pooled): p > 0.001. */
    static void chiSquare(long[] observed, double[] p, long draws, String what) {
        double stat = 0;
        int df = -1;
        double pooledE = 0;
        long pooledO = 0;
        for (int i = 0; i < p.length; i++) {
            double e = p[i] * draws;
            if (p[i] == 0) {
                assertEquals(0, observed[i], what + ": token " + i + " is not a survivor but was drawn");
                continue;
            }
            if (e >= 5) {
                stat += (observed[i] - e) * (observed[i] - e) / e;
                df++;
            } else {
                pooledE += e;
                pooledO += observed[i];
            }
        }
        if (pooledE > 0) {
            stat += (pooledO - pooledE) * (pooledO - pooledE) / Math.max(pooledE, 1e-300);
            df++;
        }
        if (df < 1) {
            return; // one category: nothing to test (the survivor check above holds)
        }
        // Wilson-Hilferty: (stat/df)^(1/3) is about normal with mean 1 - 2/(9df), variance 2/(9df)
        double z = (Math.cbrt(stat / df) - (1 - 2.0 / (9 * df))) / Math.sqrt(2.0 / (9 * df));
        assertTrue(z < 3.09, what + ": chi-square " + stat + " with " + df + " degrees of freedom, z = " + z
                + " (p < 0.001)");
    }

    static List<Object[]> settings() {
        List<Object[]> s = new ArrayList<>();
        s.add(new Object[] {1f, 0, 1.0, 0.0});
        s.add(new Object[] {0.7f, 40, 0.95, 0.0});
        s.add(new Object[] {0.7f, 0, 0.95, 0.0});
        s.add(new Object[] {1.3f, 10, 1.0, 0.0});
        s.add(new Object[] {1f, 0, 1.0, 0.05});
        s.add(new Object[] {0.5f, 50, 0.9, 0.02});
        return s;
    }

    @ParameterizedTest
    @MethodSource("settings")
    void distributionMatchesTheDefinition(float t, int k, double p, double minP) {
        SplittableRandom r = new SplittableRandom(SEED);
        float[] x = logits(1000, r);
        Sampler sampler = configure(Sampler.of(Softmax.get()), t, k, p, minP);
        double[] ref = reference(x, t, k, p, minP);
        long[] count = new long[x.length];
        int draws = 1_000_000;
        SplittableRandom rng = new SplittableRandom(SEED + 1);
        for (int i = 0; i < draws; i++) {
            count[sampler.sample(x, rng)]++;
        }
        chiSquare(count, ref, draws, sampler.toString());
    }

    @Test
    void largeVocabularies() {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        for (int n : new int[] {32_000, 128_256}) {
            float[] x = logits(n, r);
            for (Object[] s : settings()) {
                float t = (float) s[0];
                int k = (int) s[1];
                double p = (double) s[2];
                double minP = (double) s[3];
                Sampler sampler = configure(Sampler.of(Softmax.get()), t, k, p, minP);
                double[] ref = reference(x, t, k, p, minP);
                long[] count = new long[n];
                int draws = 5_000;
                SplittableRandom rng = new SplittableRandom(SEED + n);
                for (int i = 0; i < draws; i++) {
                    count[sampler.sample(x, rng)]++;
                }
                chiSquare(count, ref, draws, sampler + " n=" + n);
            }
        }
    }

    /**
     * Top-p without top-k finds its candidates by probability levels from the log-sum-exp (2^-9, 2^-13, then
     * (1 - p) / 2n, which certainly holds the nucleus): distributions whose nucleus ends at each level, or
     * where no token reaches the first ones (flat), must give the reference's survivors and probabilities.
     * Inverse-CDF draws (the sampler walks the survivors in index order): on a grid of u, every drawn token is a
     * survivor and each token is drawn p * grid times, give or take one (a nucleus that lost its smallest tokens
     * shows as every survivor drawn too often); and u at the middle of a survivor's interval of the reference's
     * CDF draws that survivor, for the 200 least probable survivors and a stride of the rest (a missing or an
     * extra boundary token shifts every interval after it).
     */
    @Test
    void topPSurvivorsAtEveryLevel() {
        SplittableRandom r = new SplittableRandom(SEED + 3);
        float[] peaked = logits(32_000, r); // the nucleus among the tokens >= 2^-9
        float[] medium = new float[32_000]; // 2,000 near-equal tokens of ~2^-11: the first level holds none
        float[] tail = new float[32_000]; // a long tail: the nucleus reaches below 2^-13
        float[] flat = new float[10_000]; // every token ~1/n < 2^-13: only the last level
        float[] shortTail = new float[4_000];
        for (int i = 0; i < medium.length; i++) {
            medium[i] = (float) (i % 16 == 0 ? 9 + 0.1 * r.nextGaussian() : r.nextGaussian());
            tail[i] = (float) (2 * r.nextGaussian());
        }
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) (0.01 * r.nextGaussian());
        }
        for (int i = 0; i < shortTail.length; i++) {
            shortTail[i] = (float) (2 * r.nextGaussian());
        }
        Object[][] cases = { // logits, T, top-p, min-p, grid
            {peaked, 0.7f, 0.95, 0.0, 20_000}, {medium, 1f, 0.9, 0.0, 10_000}, {tail, 1f, 0.95, 0.0, 4_000},
            {flat, 1f, 0.5, 0.0, 1_000}, {shortTail, 1f, 0.999999, 0.0, 2_000}, {peaked, 1f, 1e-6, 0.0, 100},
            {tail, 1f, 0.9, 0.001, 4_000}, {medium, 0.8f, 0.99, 0.5, 10_000},
        };
        for (Object[] c : cases) {
            float[] x = (float[]) c[0];
            float t = (float) c[1];
            double p = (double) c[2];
            double minP = (double) c[3];
            int grid = (int) c[4];
            Sampler sampler = configure(Sampler.of(Softmax.get()), t, 0, p, minP);
            double[] ref = reference(x, t, 0, p, minP);
            int[] drawn = new int[x.length];
            double[] u = {0};
            RandomGenerator onGrid = given(u);
            for (int i = 0; i < grid; i++) {
                u[0] = (i + 0.5) / grid;
                int token = sampler.sample(x, onGrid);
                assertTrue(ref[token] > 0, sampler + " n=" + x.length + ": token " + token + " is not a survivor");
                drawn[token]++;
            }
            int survivors = 0;
            for (int i = 0; i < x.length; i++) {
                if (ref[i] > 0) {
                    survivors++;
                }
                assertTrue(Math.abs(drawn[i] - ref[i] * grid) <= 1.5, sampler + " n=" + x.length + ": token " + i
                        + " drawn " + drawn[i] + " times, p * grid = " + ref[i] * grid);
            }
            assertTrue(survivors >= 1, sampler + ": no survivor");
            // the middle of each checked survivor's interval of the reference CDF, in index order
            Integer[] byP = new Integer[survivors];
            double[] from = new double[x.length];
            double cdf = 0;
            for (int i = 0, j = 0; i < x.length; i++) {
                if (ref[i] > 0) {
                    from[i] = cdf;
                    cdf += ref[i];
                    byP[j++] = i;
                }
            }
            Arrays.sort(byP, Comparator.comparingDouble((Integer i) -> ref[i]));
            int stride = Math.max(1, (survivors - 200) / 800);
            for (int j = 0; j < survivors; j += j < 200 ? 1 : stride) {
                int i = byP[j];
                u[0] = (from[i] + ref[i] / 2) / cdf;
                assertEquals(i, sampler.sample(x, onGrid), sampler + " n=" + x.length + ": u = " + u[0]
                        + " in the middle of survivor " + i + "'s interval (p = " + ref[i] + ")");
            }
        }
    }

    private static Sampler configure(Sampler s, float t, int k, double p, double minP) {
        s = s.withTemperature(t);
        if (k > 0) {
            s = s.withTopK(k);
        }
        if (p < 1) {
            s = s.withTopP(p);
        }
        if (minP > 0) {
            s = s.withMinP(minP);
        }
        return s;
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void sameSeedSameTokensOnEveryBackend(Backend backend) {
        Softmax sm = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(SEED + 3);
        float[] x = logits(50_000, r);
        for (Object[] s : settings()) {
            Sampler mine = configure(Sampler.of(sm), (float) s[0], (int) s[1], (double) s[2], (double) s[3]);
            Sampler scalar = configure(Sampler.of(Softmax.of(Backend.SCALAR)), (float) s[0], (int) s[1],
                    (double) s[2], (double) s[3]);
            SplittableRandom a = new SplittableRandom(SEED + 4);
            SplittableRandom b = new SplittableRandom(SEED + 4);
            int[] ta = new int[500];
            int[] tb = new int[500];
            for (int i = 0; i < ta.length; i++) {
                ta[i] = mine.sample(x, a);
                tb[i] = scalar.sample(x, b);
            }
            assertArrayEquals(tb, ta, mine + " vs " + scalar);
        }
    }

    /**
     * Draws at, beside and near the edges of the cumulative distribution, and top-p at, beside and near the mass
     * of a prefix: every backend gives the exact rule's token (StrictMath weights relative to the top, summed in
     * index order; SamplerReference), the same on every backend. Exactly at an edge only the rule itself can tell
     * (the float and the double passes both defer); 1e-9 beside it the double passes can, 3e-6 beside it the
     * float pass. Vocabularies of one float block and of several (4096 floats, 2048 doubles per block), a peaked
     * and a flat distribution, two temperatures. Before the thirty-fifth session the backend's float softmax and
     * log-sum-exp decided near the edges, and the token at an edge depended on the backend.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void edgesOfTheDistributionFollowTheExactRule(Backend backend) {
        Softmax sm = Backends.require(backend);
        double[] u = {0, 0};
        RandomGenerator given = given(u);
        SplittableRandom r = new SplittableRandom(SEED + 35);
        for (int n : new int[] {3000, 10007}) {
            for (double sigma : new double[] {3, 0.3}) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (float) (r.nextGaussian() * sigma);
                }
                x[r.nextInt(n)] = Float.NEGATIVE_INFINITY; // a masked token is never drawn
                int[] order = SamplerReference.order(x, 0, n);
                for (float t : new float[] {1f, 0.7f}) {
                    float s = 1f / t;
                    float top = x[order[0]];
                    double[] w = ruleWeights(x, top, s);
                    // no truncation: u at the end of some token's interval, one double beside it, 1e-9 and 3e-6 off
                    drawsAtEdges(Sampler.of(sm).withTemperature(t), x, order, n, s, w, 97, u, given, "sigma " + sigma);
                    // top-p without top-k: p at (beside, near) the mass of the first m tokens by probability
                    u[0] = 0.37;
                    cutsAtPrefixes(Sampler.of(sm).withTemperature(t), x, order, s, w, 400, 13, u, given,
                            "sigma " + sigma);
                    // a large nucleus (most of the vocabulary when flat), alone and with min-p: u at (beside,
                    // near) the edges of its tokens' intervals, the survivors walked in index order
                    for (double[] pq : new double[][] {{0.9, 0.0}, {0.9, 0.05}, {0.95, 0.3}, {1.0, 0.02}}) {
                        Sampler nucleus = Sampler.of(sm).withTemperature(t).withTopP(pq[0]).withMinP(pq[1]);
                        int keep = SamplerReference.survivors(x, 0, n, order, s, 0, pq[0], pq[1]);
                        long flat = Sampler.FLAT_DRAWS.sum();
                        long collected = Sampler.CANDIDATE_DRAWS.sum();
                        int drawn = drawsAtEdges(nucleus, x, order, keep, s, w, 53, u, given, "sigma " + sigma);
                        // the flat logits' nuclei (every setting here) were drawn without sorting them, with min-p
                        // perhaps from its survivors as collected
                        long unsorted = Sampler.FLAT_DRAWS.sum() - flat
                                + (pq[1] > 0 ? Sampler.CANDIDATE_DRAWS.sum() - collected : 0);
                        assertTrue(sigma > 1 || unsorted >= drawn, nucleus + ": " + unsorted + " of " + drawn
                                + " draws unsorted");
                    }
                    // min-p alone at (beside) the probability of the m-th token: its threshold is exact
                    u[0] = 0.61;
                    for (int m = 2; m < n; m += m / 2) {
                        double at = StrictMath.exp(((double) x[order[m - 1]] - top) * s);
                        for (double q : new double[] {at, Math.nextUp(at), Math.nextDown(at)}) {
                            if (!(q > 0 && q < 1)) {
                                continue;
                            }
                            Sampler minP = Sampler.of(sm).withTemperature(t).withMinP(q);
                            int keep = SamplerReference.survivors(x, 0, n, order, s, 0, 1.0, q);
                            u[1] = 0;
                            long flat = Sampler.FLAT_DRAWS.sum();
                            long collected = Sampler.CANDIDATE_DRAWS.sum();
                            assertEquals(SamplerReference.draw(x, 0, order, keep, s, u[0]), minP.sample(x, given), minP
                                    + ", n = " + n + ", sigma " + sigma + ": min-p by token " + m + " (" + keep
                                    + " kept)");
                            assertEquals(1, u[1], minP + ": one double drawn");
                            // the path: from n / 4 survivors over the vocabulary, from 256 over the survivors
                            // collected, unsorted; fewer by the rule's weights
                            assertEquals(keep >= n / 4 ? 1 : 0, Sampler.FLAT_DRAWS.sum() - flat, minP + ", " + keep);
                            assertEquals(keep >= 256 && keep < n / 4 ? 1 : 0, Sampler.CANDIDATE_DRAWS.sum() - collected,
                                    minP + ", " + keep + " kept");
                        }
                    }
                }
            }
        }
    }

    /**
     * A large nucleus of quantized logits (many equal, +0.0 and -0.0 among them): ties at the top-p cut are
     * ranked by index, min-p's threshold falls on a run of equal logits, and u sits at the survivors' edges.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void largeNucleiOfEqualLogitsFollowTheExactRule(Backend backend) {
        Softmax sm = Backends.require(backend);
        double[] u = {0, 0};
        RandomGenerator given = given(u);
        SplittableRandom r = new SplittableRandom(SEED + 36);
        int n = 6000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            float q = Math.round(r.nextGaussian() * 4) / 4f;
            x[i] = q == 0f && r.nextBoolean() ? -0f : q;
        }
        int[] order = SamplerReference.order(x, 0, n);
        for (float t : new float[] {1f, 0.6f}) {
            float s = 1f / t;
            double[] w = ruleWeights(x, x[order[0]], s);
            // top-p at, beside and near the mass of the first m tokens (inside runs of equal logits)
            u[0] = 0.29;
            cutsAtPrefixes(Sampler.of(sm).withTemperature(t), x, order, s, w, n, 211, u, given, "quantized logits");
            for (double[] pq : new double[][] {{0.8, 0.0}, {0.97, 0.2}, {1.0, 0.1}}) {
                Sampler nucleus = Sampler.of(sm).withTemperature(t).withTopP(pq[0]).withMinP(pq[1]);
                int keep = SamplerReference.survivors(x, 0, n, order, s, 0, pq[0], pq[1]);
                long flat = Sampler.FLAT_DRAWS.sum();
                long collected = Sampler.CANDIDATE_DRAWS.sum();
                int drawn = drawsAtEdges(nucleus, x, order, keep, s, w, 41, u, given, "quantized logits");
                // top-p's nuclei here are thousands of tokens: drawn without sorting them (from min-p's
                // survivors as collected when min-p keeps fewer; fewer than 256 by the rule's weights)
                long unsorted = Sampler.FLAT_DRAWS.sum() - flat
                        + (pq[1] > 0 ? Sampler.CANDIDATE_DRAWS.sum() - collected : 0);
                assertTrue(pq[0] == 1.0 || pq[1] > 0 && keep < 256 || unsorted >= drawn, nucleus + ": " + unsorted
                        + " of " + drawn + " draws unsorted (" + keep + " kept)");
            }
        }
    }

    /**
     * The flat nucleus' top-p cut over logits shaped against its selection (bins linear in the logit, a level
     * per bin): a cluster far narrower than the first level's bins (several levels), equal logits a few ulps
     * apart (one bin, then runs of equal logits), logits near 1e30 (the span below the top rounds away), a masked
     * vocabulary (-Inf in the last bin), tiny logits beside ordinary ones, and a cut below the first level's span
     * (p within 1e-10 of 1). p at, beside and 1e-9 from the mass of the first m tokens: the rule's token, the
     * unsorted path taken whenever the cut can be told from it.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void flatNucleusCutsFollowTheExactRuleOnShapedLogits(Backend backend) {
        Softmax sm = Backends.require(backend);
        double[] u = {0.43, 0};
        RandomGenerator given = given(u);
        SplittableRandom r = new SplittableRandom(SEED + 37);
        int n = 20003; // not a multiple of the draw's blocks of 8
        String[] shapes = {"narrow cluster", "ulps apart", "near 1e30", "masked", "tiny and ordinary", "below span"};
        for (String shape : shapes) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                double g = r.nextGaussian();
                x[i] = switch (shape) {
                    case "narrow cluster" -> (float) (3 + 0.002 * g);
                    case "ulps apart" -> Math.nextUp(1f) + r.nextInt(40) * Math.ulp(1f);
                    case "near 1e30" -> 1e30f + r.nextInt(3) * Math.ulp(1e30f);
                    case "masked" -> r.nextInt(3) == 0 ? Float.NEGATIVE_INFINITY : (float) g;
                    case "tiny and ordinary" -> (float) (r.nextBoolean() ? g * 1e-30 : g);
                    default -> i == 0 ? 40f : r.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : (float) (0.5 * g);
                };
            }
            int[] order = SamplerReference.order(x, 0, n);
            float s = 1f;
            double[] w = ruleWeights(x, x[order[0]], s);
            long flat = Sampler.FLAT_DRAWS.sum();
            if (shape.equals("below span")) { // the cut among the tokens 40 below the top: too close, sorted
                double rest = 1 - w[0] / Arrays.stream(w).sum();
                for (double p : new double[] {1 - rest / 2, 1 - rest / 3}) {
                    Sampler nucleus = Sampler.of(sm).withTopP(p);
                    int keep = SamplerReference.survivors(x, 0, n, order, s, 0, p, 0.0);
                    assertEquals(SamplerReference.draw(x, 0, order, keep, s, u[0]), nucleus.sample(x, given),
                            nucleus + ", " + shape);
                }
                continue;
            }
            int upTo = shape.equals("near 1e30") ? n / 3 : n; // the top third: the others weigh 0
            cutsAtPrefixes(Sampler.of(sm), x, order, s, w, upTo, upTo / 23, u, given, shape);
            // p 1e-9 from the edges of 23 nuclei of at least n / 23 tokens, most of them (near
            // 1e30, |lse| > 2^24: every nucleus, the whole vocabulary sorted before the thirty-seventh session)
            assertTrue(Sampler.FLAT_DRAWS.sum() - flat >= 30, shape + ": " + (Sampler.FLAT_DRAWS.sum() - flat)
                    + " draws unsorted");
        }
    }

    /**
     * From 2^13 tokens the vocabulary's flat nucleus brackets top-p's cut from a sample first (Sampler's
     * bracket: the weight above the bracket from the weights' own pass, the cut among the bracket's tokens). Over
     * N(0, 1) logits at T = 0.7 (65,536 tokens), p at, a double beside and 1e-9 from the edges of 23 nuclei: every
     * draw is the rule's token, and the flat ones' cuts came from the bracket; with the sampled logits (the
     * sampler's 256 runs of 16, at (n - 16) r / 256 in 32.32 fixed point) 1.5 above their neighbours' law, the
     * sample misjudges the weight below the cut, the bracket misses and the first-level bins decide: still the
     * rule's token.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void flatNucleusBracketsItsCutFromASample(Backend backend) {
        Softmax sm = Backends.require(backend);
        int n = 65_536;
        double[] u = {0.43, 0};
        RandomGenerator given = given(u);
        float t = 0.7f;
        float s = 1f / t;
        for (boolean shifted : new boolean[] {false, true}) {
            SplittableRandom r = new SplittableRandom(SEED + 45);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) r.nextGaussian();
            }
            long stride = ((long) (n - 16) << 32) / 256;
            for (int run = 0; shifted && run < 256; run++) {
                for (int i = (int) (run * stride >>> 32), j = 0; j < 16; j++) {
                    x[i + j] += 1.5f;
                }
            }
            int[] order = SamplerReference.order(x, 0, n);
            double[] w = ruleWeights(x, x[order[0]], s);
            long flat = Sampler.FLAT_DRAWS.sum();
            long bracketed = Sampler.BRACKETED.sum();
            long missed = Sampler.BRACKET_MISSES.sum();
            cutsAtPrefixes(Sampler.of(sm).withTemperature(t), x, order, s, w, n, n / 23, u, given,
                    shifted ? "sampled positions shifted" : "N(0, 1)");
            long flats = Sampler.FLAT_DRAWS.sum() - flat;
            long hits = Sampler.BRACKETED.sum() - bracketed;
            long misses = Sampler.BRACKET_MISSES.sum() - missed;
            assertTrue(flats >= 40, backend + ": " + flats + " flat draws");
            if (shifted) {
                assertTrue(misses >= flats / 2, backend + ": " + misses + " of " + flats + " brackets missed");
            } else {
                assertTrue(hits >= flats - 5 && misses <= 5, backend + ": " + hits + " of " + flats
                        + " flat cuts from the bracket, " + misses + " missed");
            }
        }
    }

    /**
     * Top-p over logits of a growing spread (a nucleus of thousands, of hundreds, of tens of the 65,536 tokens):
     * the rule's token for each draw, and the path by the nucleus' size (a nucleus under n / 32 from a level's
     * candidates, one over n / 8 by the flat path over the whole vocabulary), not by how many tokens pass the last
     * probability level: the thirty-eighth session's starting build drew the 702-token nucleus (spread 4.5) by the
     * flat path.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void topPTakesThePathOfItsNucleusSize(Backend backend) {
        Softmax sm = Backends.require(backend);
        int n = 65536;
        double[] u = {0, 0};
        RandomGenerator given = given(u);
        for (double spread : new double[] {2.5, 3.5, 4.5, 6}) {
            SplittableRandom r = new SplittableRandom(SEED + 38);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (spread * r.nextGaussian());
            }
            int[] order = SamplerReference.order(x, 0, n);
            int keep = SamplerReference.survivors(x, 0, n, order, 1f, 0, 0.95, 0.0);
            Sampler nucleus = Sampler.of(sm).withTopP(0.95);
            long flat = Sampler.FLAT_DRAWS.sum();
            for (double draw : new double[] {0.0, 0.17, 0.5, 0.93, Math.nextDown(1.0)}) {
                u[0] = draw;
                assertEquals(SamplerReference.draw(x, 0, order, keep, 1f, draw), nucleus.sample(x, given),
                        "spread " + spread + ", nucleus " + keep + ", u " + draw);
            }
            long unsorted = Sampler.FLAT_DRAWS.sum() - flat;
            if (keep < n / 32) {
                assertEquals(0, unsorted, "spread " + spread + ": a nucleus of " + keep + " drawn unsorted");
            } else if (keep > n / 8) {
                assertEquals(5, unsorted, "spread " + spread + ": a nucleus of " + keep + " sorted");
            }
        }
    }

    /**
     * A flat nucleus at the temperatures' ends: equal logits at 1/T near Float.MAX_VALUE (the cut's bins per unit
     * of logit, 64/T, beyond a float: clamped there) and N(0, 1) logits at 1/T = 1e-30 (every weight about 1).
     * Each draw on a grid of u is the rule's token, and each took the flat path.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void flatNucleusAtTheTemperaturesEnds(Backend backend) {
        Softmax sm = Backends.require(backend);
        int n = 70_001; // p n = 66,500.95: equal weights put no token's edge at the cut (70,000 would: the rule then)
        double[] u = {0, 0};
        RandomGenerator given = given(u);
        SplittableRandom r = new SplittableRandom(SEED + 43);
        float[] equal = new float[n];
        float[] gauss = new float[n];
        for (int i = 0; i < n; i++) {
            equal[i] = 0f; // s x = 0: lse = log n, a finite mass scale
            gauss[i] = (float) r.nextGaussian();
        }
        Object[][] cases = {{equal, 2f / Float.MAX_VALUE}, {gauss, 1e30f}};
        for (Object[] c : cases) {
            float[] x = (float[]) c[0];
            float t = (float) c[1];
            float s = 1f / t;
            int[] order = SamplerReference.order(x, 0, n);
            int keep = SamplerReference.survivors(x, 0, n, order, s, 0, 0.95, 0.0);
            Sampler nucleus = Sampler.of(sm).withTemperature(t).withTopP(0.95);
            long flat = Sampler.FLAT_DRAWS.sum();
            for (double draw : new double[] {0.0, 0.17, 0.5, 0.93, Math.nextDown(1.0)}) {
                u[0] = draw;
                assertEquals(SamplerReference.draw(x, 0, order, keep, s, draw), nucleus.sample(x, given),
                        "T " + t + ", nucleus " + keep + ", u " + draw);
            }
            assertEquals(5, Sampler.FLAT_DRAWS.sum() - flat, "T " + t + ": draws not flat");
        }
    }

    /**
     * Top-p with min-p (Sampler#minPFirst: min-p's survivors collected first; the answer when their mass is
     * certainly below p, else the set top-p's nucleus is cut from): min-p keeping exactly top-p's nucleus (its
     * share of the mass at p: neither can tell, the levels decide), one token fewer or more, a float step either
     * side of those, half and twice the nucleus, over wide logits (N(0, 3), 65,536 tokens, T = 0.7, p 0.95 and
     * 0.5). Every draw on a grid of u must be the rule's token, and the draws must have taken both the collected
     * survivors' path (min-p binds) and the cut among them (it does not).
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void topPWithMinPAtTheNucleusEdgeFollowsTheRule(Backend backend) {
        Softmax sm = Backends.require(backend);
        int n = 65_536;
        float[] x = wide(n, new SplittableRandom(SEED + 44));
        int[] order = SamplerReference.order(x, 0, n);
        float t = 0.7f;
        float s = 1f / t;
        double[] u = {0};
        RandomGenerator given = given(u);
        long collected = Sampler.CANDIDATE_DRAWS.sum();
        int checked = 0;
        for (double p : new double[] {0.95, 0.5}) {
            int nucleus = SamplerReference.survivors(x, 0, n, order, s, 0, p, 0.0);
            for (int m : new int[] {nucleus, nucleus - 1, nucleus + 1, nucleus / 2, 2 * nucleus}) {
                double at = StrictMath.exp(((double) x[order[m - 1]] - x[order[0]]) * s);
                for (double q : new double[] {at, Math.nextUp(at), Math.nextDown(at)}) {
                    Sampler sampler = Sampler.of(sm).withTemperature(t).withTopP(p).withMinP(q);
                    int keep = SamplerReference.survivors(x, 0, n, order, s, 0, p, q);
                    for (int i = 0; i <= 16; i++) {
                        u[0] = i == 16 ? Math.nextDown(1.0) : i / 16.0;
                        assertEquals(SamplerReference.draw(x, 0, order, keep, s, u[0]), sampler.sample(x, given),
                                sampler + ", nucleus " + nucleus + ", min-p by token " + m + ", " + keep + " kept, u "
                                        + u[0]);
                        checked++;
                    }
                }
            }
        }
        assertTrue(Sampler.CANDIDATE_DRAWS.sum() - collected >= checked / 2, backend + ": "
                + (Sampler.CANDIDATE_DRAWS.sum() - collected) + " of " + checked + " unsorted");
    }

    /**
     * Top-p alone over the candidates of a probability level that hold the nucleus, cut and drawn unsorted
     * (Sampler#candidateNucleus: bins linear in the logit over the collected set, the backend's double softmax of
     * the rule's exponents, top-p's share of the set's total from the vocabulary's log-sum-exp): 262,144 tokens
     * whose holding level has a few thousand, plain (N(0, 3)), with a narrow cluster or a run of logits a few
     * ulps apart near the cut, or quantized to quarters (runs of equal logits across the bins' edges), and with a
     * min-p that binds before top-p's cut or after it. Every draw
     * on a grid of u must be the rule's token, and each must have taken the unsorted path (one no longer taken
     * leaves this test without its subject).
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void topPCandidatesFollowTheRuleUnsorted(Backend backend) {
        Softmax sm = Backends.require(backend);
        int n = 262_144;
        SplittableRandom r = new SplittableRandom(SEED + 40);
        float[] wide = new float[n];
        float[] cluster = new float[n];
        float[] quarters = new float[n];
        float[] ulps = new float[n];
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            wide[i] = (float) (3 * g);
            cluster[i] = i % 400 == 0 ? (float) (7.2 + 1e-3 * g) : wide[i];
            quarters[i] = Math.round(12 * g) / 4f;
            ulps[i] = i % 400 == 0 ? 7f + (i % 7) * Math.ulp(7f) : wide[i];
        }
        Object[][] cases = { // logits, temperature, top-p, min-p (1e-4 binds before top-p's cut, 1e-7 after it)
            {wide, 0.7f, 0.95, 0.0}, {wide, 0.8f, 0.93, 0.0}, {cluster, 0.7f, 0.9, 0.0}, {quarters, 0.7f, 0.95, 0.0},
            {ulps, 0.7f, 0.95, 0.0}, {ulps, 0.7f, 0.9, 0.0}, {wide, 0.7f, 0.95, 1e-4}, {wide, 0.7f, 0.95, 1e-7},
        };
        double[] u = {0};
        RandomGenerator given = given(u);
        for (Object[] c : cases) {
            float[] x = (float[]) c[0];
            float t = (float) c[1];
            double p = (double) c[2];
            double q = (double) c[3];
            float s = 1f / t; // the sampler's scale
            int[] order = SamplerReference.order(x, 0, n);
            int keep = SamplerReference.survivors(x, 0, n, order, s, 0, p, q);
            Sampler sampler = Sampler.of(sm).withTemperature(t).withTopP(p).withMinP(q);
            long unsorted = Sampler.CANDIDATE_DRAWS.sum();
            for (int i = 0; i <= 64; i++) {
                u[0] = i == 64 ? Math.nextDown(1.0) : i / 64.0;
                assertEquals(SamplerReference.draw(x, 0, order, keep, s, u[0]), sampler.sample(x, given),
                        sampler + ", nucleus " + keep + ", u " + u[0]);
            }
            assertEquals(65, Sampler.CANDIDATE_DRAWS.sum() - unsorted, sampler + ", nucleus " + keep
                    + ": unsorted draws");
        }
    }

    /**
     * Top-p alone over wide logits (65,536 tokens, N(0, 3), T = 0.7 and 1: nuclei of hundreds to thousands, cut
     * unsorted from a level's candidates) with p at, one double beside, and 1e-9, 1e-7 and 1e-5 (relative) from
     * the mass of the first m tokens by probability: the last survivor and the first token past the rule's cut
     * are each drawn by a u in the middle of its interval (of the rule's survivors, and of those and one more), so
     * keeping one token more or less than the rule fails. The candidates' path decides p 1e-5 away by the
     * vocabulary's log-sum-exp, p 1e-7 and 1e-9 away by the double passes' total (asserted: those draws are
     * unsorted), and leaves p at the edge to the sorted walk.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void topPCandidatesCutWhereTheRuleDoes(Backend backend) {
        Softmax sm = Backends.require(backend);
        int n = 65_536;
        float[] x = wide(n, new SplittableRandom(SEED + 43));
        int[] order = SamplerReference.order(x, 0, n);
        double[] u = {0, 0};
        RandomGenerator given = given(u);
        long candidates = 0;
        long taken = Sampler.CANDIDATE_DRAWS.sum();
        for (float t : new float[] {0.7f, 1f}) {
            float s = 1f / t;
            double[] w = ruleWeights(x, x[order[0]], s);
            double total = 0;
            for (double wi : w) {
                total += wi;
            }
            double prefix = 0;
            for (int m = 1; m <= 2000; m++) {
                prefix += w[order[m - 1]];
                double edge = prefix / total; // at most 0.98: nuclei from 300 tokens up that levels hold
                if (m < 300 || m % 150 != 0 || edge > 0.98) {
                    continue;
                }
                for (double p : new double[] {edge, Math.nextUp(edge), Math.nextDown(edge), edge * (1 + 1e-9),
                        edge * (1 - 1e-9), edge * (1 + 1e-7), edge * (1 - 1e-7), edge * (1 + 1e-5),
                        edge * (1 - 1e-5)}) {
                    Sampler nucleus = Sampler.of(sm).withTemperature(t).withTopP(p);
                    int keep = SamplerReference.survivors(x, 0, n, order, s, 0, p, 0.0);
                    boolean away = Math.abs(p - edge) > 1e-10 * edge;
                    for (int extra = 0; extra <= 1; extra++) {
                        u[0] = middleOf(order, keep + extra, order[keep - 1 + extra], w);
                        u[1] = 0;
                        long unsorted = Sampler.CANDIDATE_DRAWS.sum() + Sampler.FLAT_DRAWS.sum();
                        assertEquals(SamplerReference.draw(x, 0, order, keep, s, u[0]), nucleus.sample(x, given),
                                nucleus + ", T " + t + ": p by the mass of the first " + m + " tokens (" + keep
                                        + " kept), u " + u[0]);
                        assertEquals(1, u[1], nucleus + ": one double drawn");
                        long drawn = Sampler.CANDIDATE_DRAWS.sum() + Sampler.FLAT_DRAWS.sum() - unsorted;
                        assertTrue(!away || drawn == 1, nucleus + ", T " + t + ": p by the mass of the first " + m
                                + " tokens drawn sorted");
                        candidates += away ? 1 : 0;
                    }
                }
            }
        }
        // every one of those draws cut a level's candidates
        assertTrue(Sampler.CANDIDATE_DRAWS.sum() - taken >= candidates, (Sampler.CANDIDATE_DRAWS.sum() - taken)
                + " of " + candidates + " draws away from the edges cut from a level's candidates");
    }

    /**
     * The middle of token's interval, as a fraction of the total, in the walk over the survivors
     * {@code order[0 .. keep)} in index order with weights w.
     */
    private static double middleOf(int[] order, int keep, int token, double[] w) {
        int[] kept = Arrays.copyOf(order, keep);
        Arrays.sort(kept);
        double total = 0;
        double before = Double.NaN;
        for (int i : kept) {
            before = i == token ? total : before;
            total += w[i];
        }
        return (before + w[token] / 2) / total;
    }

    /**
     * A generator that samples on the same thread inside {@code nextDouble()} (both calls over flat nuclei of the
     * same size, which share per-thread arrays): the outer draw still follows the rule.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void aGeneratorThatSamplesDoesNotDisturbTheDraw(Backend backend) {
        Softmax sm = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(SEED + 38);
        int n = 9001;
        float[] outer = new float[n];
        float[] inner = new float[n];
        for (int i = 0; i < n; i++) {
            outer[i] = (float) r.nextGaussian();
            inner[i] = (float) (1.1 * r.nextGaussian());
        }
        int[] order = SamplerReference.order(outer, 0, n);
        for (double[] pq : new double[][] {{0.9, 0.0}, {1.0, 0.02}}) {
            Sampler sampler = Sampler.of(sm).withTopP(pq[0]).withMinP(pq[1]);
            int keep = SamplerReference.survivors(outer, 0, n, order, 1f, 0, pq[0], pq[1]);
            for (double u : new double[] {0.1, 0.37, 0.5, 0.77, 0.93}) {
                RandomGenerator reentrant = new RandomGenerator() {
                    @Override
                    public long nextLong() {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public double nextDouble() {
                        sampler.sample(inner, new SplittableRandom(7));
                        return u;
                    }
                };
                long flat = Sampler.FLAT_DRAWS.sum();
                assertEquals(SamplerReference.draw(outer, 0, order, keep, 1f, u), sampler.sample(outer, reentrant),
                        sampler + ", u = " + u);
                assertTrue(Sampler.FLAT_DRAWS.sum() - flat >= 2, sampler + ": both draws unsorted");
            }
        }
    }

    /** The rule's weights {@code StrictMath.exp(((double) x_i - top) * s)} of every token. */
    private static double[] ruleWeights(float[] x, float top, float s) {
        double[] w = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            w[i] = StrictMath.exp(((double) x[i] - top) * s);
        }
        return w;
    }

    /**
     * Top-p alone at, one double beside and 1e-9 from the mass of the first m tokens by probability (every
     * stride-th m up to upTo), u[0] given: the sampler keeps and draws what the rule does.
     */
    private static void cutsAtPrefixes(Sampler sampler, float[] x, int[] order, float s, double[] w, int upTo,
            int stride, double[] u, RandomGenerator given, String what) {
        int n = x.length;
        double total = 0;
        for (double wi : w) {
            total += wi;
        }
        double prefix = 0;
        for (int m = 1; m <= upTo; m++) {
            prefix += w[order[m - 1]];
            if (m % stride != 1) {
                continue;
            }
            double edge = prefix / total;
            for (double p : new double[] {edge, Math.nextUp(edge), Math.nextDown(edge), edge + 1e-9, edge - 1e-9}) {
                if (!(p > 0 && p < 1)) {
                    continue;
                }
                Sampler nucleus = sampler.withTopP(p);
                int keep = SamplerReference.survivors(x, 0, n, order, s, 0, p, 0.0);
                u[1] = 0;
                assertEquals(SamplerReference.draw(x, 0, order, keep, s, u[0]), nucleus.sample(x, given), nucleus
                        + ", n = " + n + ", " + what + ": p by the mass of the first " + m + " tokens (" + keep
                        + " kept)");
                assertEquals(1, u[1], nucleus + ": one double drawn");
            }
        }
    }

    /**
     * u at, one double beside, 1e-9 and 3e-6 from the upper edge of every stride-th survivor's interval
     * ({@code order[0 .. keep)} of weights w, walked in index order): the sampler draws the rule's token, with
     * one double from the generator. Returns how many tokens it drew.
     */
    private static int drawsAtEdges(Sampler sampler, float[] x, int[] order, int keep, float s, double[] w,
            int stride, double[] u, RandomGenerator given, String what) {
        int drawn = 0;
        int[] kept = Arrays.copyOf(order, keep);
        Arrays.sort(kept);
        double total = 0;
        for (int i : kept) {
            total += w[i];
        }
        double cum = 0;
        for (int j = 0; j < keep; j++) {
            cum += w[kept[j]];
            if (j % stride != 5) {
                continue;
            }
            double edge = cum / total;
            for (double e : new double[] {edge, Math.nextUp(edge), Math.nextDown(edge), edge + 1e-9, edge - 1e-9,
                    edge + 3e-6, edge - 3e-6}) {
                if (!(e >= 0 && e < 1)) {
                    continue;
                }
                u[0] = e;
                u[1] = 0;
                assertEquals(SamplerReference.draw(x, 0, order, keep, s, e), sampler.sample(x, given), sampler
                        + ", n = " + x.length + ", " + what + ": u = " + e + " by the edge after token " + kept[j]
                        + " (" + keep + " kept)");
                assertEquals(1, u[1], sampler + ": one double drawn");
                drawn++;
            }
        }
        return drawn;
    }

    /** Logits so large that a double log-sum-exp cannot hold their rest: probabilities relative to the top. */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void hugeLogitsKeepTheirProbabilities(Backend backend) {
        Softmax sm = Backends.require(backend);
        float[] x = {1e20f, 1e20f, 0f};
        Sampler sampler = Sampler.of(sm);
        int[] idx = new int[2];
        float[] probs = new float[2];
        sampler.topK(x, 2, idx, probs);
        assertArrayEquals(new int[] {0, 1}, idx);
        assertArrayEquals(new float[] {0.5f, 0.5f}, probs, 1e-6f, sampler + ": topK probabilities");
        assertEquals(-Math.log(2), sampler.logProb(x, 1), 1e-6, sampler + ": logProb");
        Sampler topP = sampler.withTopP(0.6);
        SplittableRandom r = new SplittableRandom(SEED + 34);
        int[] drawn = new int[3];
        for (int i = 0; i < 400; i++) {
            drawn[topP.sample(x, r)]++;
        }
        assertTrue(drawn[0] > 100 && drawn[1] > 100 && drawn[2] == 0, topP + ": drawn " + Arrays.toString(drawn));
    }

    /** A generator whose every nextDouble() is u[0] (set by the caller between draws). */
    private static RandomGenerator given(double[] u) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                if (u.length > 1) {
                    u[1]++; // the draws counted
                }
                return u[0];
            }
        };
    }

    /** The first index of the largest, -1 - i for a first NaN at i: the kernels' argmax by definition. */
    private static long argmaxByDefinition(float[] x, int off, int n) {
        int best = 0;
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(x[off + i])) {
                return -1L - i;
            }
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void argmaxAndSelectKernelsMatchTheirDefinition(Backend backend) {
        io.github.softmax4j.internal.Kernel k = Backends.require(backend).dispatch().kernel();
        if (backend.name().startsWith("NATIVE")) { // the kernel would store up to idx.length elements into val
            assertThrows(IllegalArgumentException.class, () -> k.select(new float[40], 0, 40, 0f,
                    Float.POSITIVE_INFINITY, new int[20], new float[19]));
        }
        SplittableRandom r = new SplittableRandom(SEED + 11);
        int[] sizes = {1, 2, 3, 15, 16, 17, 31, 33, 63, 64, 65, 1023, 1024, 1025, 2047, 2048, 2049, 3000, 4096 + 7,
            40_000};
        for (int n : sizes) {
            for (int off : new int[] {0, 3}) {
                for (int kind = 0; kind < 7; kind++) {
                    float[] x = new float[off + n + 5];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    int a = r.nextInt(n);
                    int b = r.nextInt(n);
                    switch (kind) {
                        case 1: // the maximum twice, often in different blocks: the first wins
                            x[off + a] = 50f;
                            x[off + b] = 50f;
                            break;
                        case 2: // the maximum last
                            x[off + n - 1] = 60f;
                            break;
                        case 3: // NaN, maybe twice: the first is reported
                            x[off + a] = Float.NaN;
                            x[off + b] = Float.NaN;
                            break;
                        case 4: // every element -Inf
                            Arrays.fill(x, off, off + n, Float.NEGATIVE_INFINITY);
                            break;
                        case 5: // +Inf twice and a NaN beyond the range (never read)
                            x[off + a] = Float.POSITIVE_INFINITY;
                            x[off + b] = Float.POSITIVE_INFINITY;
                            x[off + n] = Float.NaN;
                            break;
                        case 6: // -0.0 and +0.0 as the maximum
                            Arrays.fill(x, off, off + n, -1f);
                            x[off + a] = -0.0f;
                            x[off + b] = 0.0f;
                            break;
                        default:
                            break;
                    }
                    String what = backend + " n=" + n + " off=" + off + " kind=" + kind;
                    assertEquals(argmaxByDefinition(x, off, n), k.argmax(x, off, n), what);
                    float t = kind == 4 ? Float.NEGATIVE_INFINITY : (float) (1.5 + r.nextGaussian() * 0.3);
                    // no upper bound, one above t (a range), or one below it (nothing but NaN passes)
                    float u = (kind + n) % 3 == 0 ? Float.POSITIVE_INFINITY
                            : (n % 3 == 1 ? t + (float) Math.abs(r.nextGaussian()) : t - 0.5f);
                    List<Integer> want = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        if (!(x[off + i] < t) && !(x[off + i] > u)) {
                            want.add(i);
                        }
                    }
                    for (int cap : new int[] {0, 3, n}) {
                        int[] idx = new int[cap];
                        float[] val = (kind + off) % 2 == 1 ? null : new float[cap + 1]; // the elements too, or not
                        if (val != null) {
                            Arrays.fill(val, -7f);
                        }
                        assertEquals(want.size(), k.select(x, off, n, t, u, idx, val),
                                what + " select count, u " + u + ", cap " + cap);
                        for (int i = 0; i < Math.min(cap, want.size()); i++) {
                            assertEquals((int) want.get(i), idx[i], what + " select index " + i + ", cap " + cap);
                            if (val != null) {
                                assertEquals(Float.floatToRawIntBits(x[off + idx[i]]), Float.floatToRawIntBits(val[i]),
                                        what + " select value " + i + ", cap " + cap);
                            }
                        }
                        if (val != null) {
                            assertEquals(-7f, val[cap], what + ": a value past the cap");
                        }
                    }
                }
            }
        }
    }

    /**
     * The flat nucleus' weights kernel by its definition on every backend: each weight relative to the total
     * within 2^-42 + n ulps of {@code Math.exp} of the rule's exponent relative to their sum (0 or within
     * MIN_NORMAL below the normal range), each bin the kernel's own weights of its logits added in index order
     * (bit for bit), and the total their sum (the native tiers' common factor is 1: the total within 2^-42 + n
     * ulps of the exponentials' sum).
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void binExpKernelsMatchTheirDefinition(Backend backend) {
        io.github.softmax4j.internal.Kernel k = Backends.require(backend).dispatch().kernel();
        SplittableRandom r = new SplittableRandom(SEED + 12);
        float[] scales = {1f, 1f / 0.7f, 0.05f, 20f};
        for (int n : new int[] {1, 2, 7, 8, 9, 63, 64, 65, 100, 1000, 4099, 70_000}) {
            for (int off : new int[] {0, 5}) {
                for (int kind = 0; kind < 6; kind++) {
                    float[] x = new float[off + n + 3];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = kind == 2 && i % 3 == 0 ? Float.NEGATIVE_INFINITY : (float) (2 * r.nextGaussian());
                    }
                    if (kind == 3) { // exponents from -700 to -760 after the top's 0: gradual underflow, then 0
                        for (int i = 1; i < n; i++) {
                            x[off + i] = 3f - (float) ((700 + 60.0 * i / n) / scales[(n + kind) % scales.length]);
                        }
                        x[off] = 3f;
                    }
                    if (kind == 5) { // top - v overflows float to +Inf (the last bin; in C, clamped before (int))
                        for (int i = 0; i < n; i++) {
                            x[off + i] = i % 3 == 0 ? 3e38f : i % 3 == 1 ? -3e38f : -Float.MAX_VALUE;
                        }
                    }
                    float top = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < n; i++) {
                        top = Math.max(top, x[off + i]);
                    }
                    if (top == Float.NEGATIVE_INFINITY) {
                        x[off] = top = 1f;
                    }
                    top = kind == 1 ? top - 1f : top; // kind 1: some logits above top (bin 0)
                    float s = scales[(n + kind) % scales.length];
                    int nb = new int[] {1, 2, 5, 2048, 0}[(n + off + kind) % 5]; // 0: the weights alone
                    double inv = nb * s / 32.0 + 0.1 * kind;
                    if (kind == 4 && nb > 0) { // at the bins' edges, a float step either side: float and double part
                        for (int i = 1; i < n; i++) {
                            float edge = top - (float) ((i % nb) / inv);
                            x[off + i] = i % 3 == 0 ? Math.nextDown(edge) : i % 3 == 1 ? edge : Math.nextUp(edge);
                        }
                        x[off] = top;
                    }
                    double[] w = new double[n + 2];
                    w[n] = -7;
                    double[] bins = new double[nb];
                    double total = k.binExp(x, off, n, top, s, inv, w, bins);
                    double[] want = new double[nb];
                    double sum = 0;
                    double weights = 0;
                    for (int i = 0; i < n; i++) {
                        sum += Math.exp(((double) x[off + i] - top) * s);
                        weights += w[i];
                    }
                    String what = backend + " n=" + n + " off=" + off + " kind=" + kind + " s=" + s;
                    double bound = 0x1p-42 + 2 * (n + 4) * 0x1p-52;
                    for (int i = 0; i < n; i++) {
                        double v = x[off + i];
                        double e = Math.exp((v - top) * s) / sum;
                        assertTrue(Math.abs(w[i] / total - e) <= bound * e + (e < 0x1p-1000 ? 0x1p-1000 : 0),
                                what + ": w[" + i + "] / total = " + w[i] / total + ", exp / sum = " + e);
                        // the definition's float arithmetic (Kernel.bin), written out
                        if (nb > 0) {
                            want[Math.max(0, Math.min((int) ((top - x[off + i]) * (float) inv), nb - 1))] += w[i];
                        }
                    }
                    assertEquals(-7, w[n], what + ": a weight past n");
                    if (nb <= 2 && backend.name().startsWith("NATIVE")) { // vector lanes: within n ulps of the sums
                        for (int b = 0; b < nb; b++) {
                            assertEquals(want[b], bins[b], (n + 4) * 0x1p-52 * want[b], what + ": bin " + b);
                        }
                    } else {
                        assertArrayEquals(want, bins, what + ": bins");
                    }
                    if (backend.name().startsWith("NATIVE")) { // the native tiers' weights are the exponentials
                        assertEquals(weights, total, (n + 4) * 0x1p-52 * weights, what + ": the total, their sum");
                        assertEquals(sum, total, bound * sum, what + ": total");
                    }
                }
            }
        }
    }

    /**
     * binExp's limits on every backend alike (Kernel.checkBinExp; natively also the C entry's EINVAL): a top not
     * finite, an s not positive and finite, more than 2^24 bins, a float inv of 0 or +Inf (a double inv beyond
     * Float.MAX_VALUE), NaN or negative (with bins; none: the weights alone), w too short.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void binExpRejectsBinsItCannotPlace(Backend backend) {
        io.github.softmax4j.internal.Kernel k = Backends.require(backend).dispatch().kernel();
        float[] x = {0f, -1f, -2f};
        double[] w = new double[3];
        for (double inv : new double[] {0.0, 1e-300, 1e300, Double.POSITIVE_INFINITY, Double.NaN, -1.0}) {
            assertThrows(IllegalArgumentException.class, () -> k.binExp(x, 0, 3, 0f, 1f, inv, w, new double[4]),
                    backend + " inv " + inv);
        }
        // no bins: the weights alone, inv not used
        assertEquals(1.0 + Math.exp(-1) + Math.exp(-2), k.binExp(x, 0, 3, 0f, 1f, Double.NaN, w, new double[0]) / w[0],
                1e-12, backend + ": no bins");
        assertThrows(IllegalArgumentException.class,
                () -> k.binExp(x, 0, 3, 0f, 1f, 1.0, w, new double[(1 << 24) + 1]));
        for (float top : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> k.binExp(x, 0, 3, top, 1f, 1.0, w, new double[4]),
                    backend + " top " + top);
        }
        for (float sc : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> k.binExp(x, 0, 3, 0f, sc, 1.0, w, new double[0]),
                    backend + " s " + sc);
        }
        double[] shortW = new double[2];
        assertThrows(IllegalArgumentException.class, () -> k.binExp(x, 0, 3, 0f, 1f, 1.0, shortW, new double[4]));
        assertThrows(IndexOutOfBoundsException.class, () -> k.binExp(x, 1, 3, 0f, 1f, 1.0, w, new double[4]));
        double[] bins = new double[1 << 24]; // the largest allowed: works
        assertEquals(1.0 + Math.exp(-1) + Math.exp(-2), k.binExp(x, 0, 3, 0f, 1f, Float.MAX_VALUE, w, bins) / w[0],
                1e-12, backend.toString());
        assertEquals(w[1] + w[2], bins[(1 << 24) - 1], 0.0, backend + ": -1 and -2 beyond the last bin");
    }

    /**
     * The flat nucleus' walk by its definition on every backend: integer weights (every order of their sums
     * exact), survivors x >= xc, targets before, at and after every kind of position.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void walkKernelsMatchTheirDefinition(Backend backend) {
        io.github.softmax4j.internal.Kernel k = Backends.require(backend).dispatch().kernel();
        SplittableRandom r = new SplittableRandom(SEED + 13);
        for (int n : new int[] {1, 7, 8, 9, 63, 64, 65, 129, 1000, 4099}) {
            for (int off : new int[] {0, 3}) {
                float[] x = new float[off + n + 2];
                double[] w = new double[n + 1];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i % 5 == 0 ? Float.NEGATIVE_INFINITY : (float) r.nextGaussian();
                }
                for (int i = 0; i < n; i++) {
                    w[i] = r.nextInt(100); // -Inf logits too: with xc -Inf they are survivors (x >= xc)
                }
                float xc = n % 2 == 0 ? Float.NEGATIVE_INFINITY : (float) (0.3 * r.nextGaussian());
                double kept = 0;
                for (int i = 0; i < n; i++) {
                    kept += x[off + i] >= xc ? w[i] : 0;
                }
                for (double target : new double[] {-1, 0, 1, kept / 3, Math.floor(kept / 2) + 0.5, kept - 1, kept,
                    Double.POSITIVE_INFINITY}) {
                    int want = n;
                    double acc = 0;
                    double wantBefore = kept;
                    for (int i = 0; i < n; i++) {
                        double right = acc + (x[off + i] >= xc ? w[i] : 0);
                        if (right > target) {
                            want = i;
                            wantBefore = acc;
                            break;
                        }
                        acc = right;
                    }
                    double[] before = {-5};
                    String what = backend + " n=" + n + " off=" + off + " xc=" + xc + " target=" + target;
                    assertEquals(want, k.walk(x, off, n, w, xc, target, before), what);
                    assertEquals(wantBefore, before[0], what + ": the weight before");
                }
            }
        }
    }

    @Test
    void argmaxTopKAndLogProb() {
        Sampler s = Sampler.of(Softmax.get());
        assertEquals(2, s.argmax(new float[] {1, 3, 5, 5, 2}));
        assertEquals(2, s.argmax(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, -1}));
        assertEquals(1, s.argmax(new float[] {0, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY}));
        assertEquals(1, s.argmax(new float[] {9, 1, 4}, 1, 2));
        assertEquals(2, s.greedy().sample(new float[] {1, 3, 5, 5}, new SplittableRandom(1)));

        SplittableRandom r = new SplittableRandom(SEED + 5);
        float[] x = logits(20_000, r);
        x[7] = x[8] = 100f; // a tie at the top: the lower index first
        int[] idx = new int[5];
        float[] probs = new float[5];
        Sampler t = s.withTemperature(0.8f);
        assertEquals(5, t.topK(x, 5, idx, probs));
        double[] full = reference(x, 0.8f, 0, 1.0, 0.0);
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -x[i]).thenComparingInt(i -> i));
        for (int i = 0; i < 5; i++) {
            assertEquals((int) order[i], idx[i]);
            assertEquals(full[idx[i]], probs[i], 4e-7 * full[idx[i]] + 1e-30, "prob of " + idx[i]);
        }
        assertEquals(7, idx[0]);
        assertEquals(8, idx[1]);
        double lse = 0;
        double max = 100;
        for (float v : x) {
            lse += Math.exp((v - max) / 0.8);
        }
        lse = Math.log(lse) + max / 0.8;
        assertEquals(x[123] / 0.8 - lse, t.logProb(x, 123), 2e-6 * Math.max(1, Math.abs(x[123] / 0.8 - lse)));
        assertEquals(3, s.topK(new float[] {1, 2, 3}, 10, new int[3], new float[3]));
    }

    @Test
    void specialValuesAndBadInput() {
        Sampler s = Sampler.of(Softmax.get()).withTopK(3);
        SplittableRandom rng = new SplittableRandom(9);
        float[] nan = {1, 2, Float.NaN, 4, Float.NaN};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.sample(nan, rng));
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.argmax(nan));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).withTopP(0.9).sample(nan, rng));
        float[] allNegInf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertThrows(IllegalArgumentException.class, () -> s.sample(allNegInf, rng));
        assertThrows(IllegalArgumentException.class, () -> s.argmax(allNegInf));
        assertThrows(IllegalArgumentException.class,
                () -> Sampler.of(Softmax.get()).withTopP(0.5).sample(allNegInf, rng));
        // a safe Softmax (zeros for all -Inf) changes nothing: its flag does not apply to the sampler
        Sampler safe = Sampler.of(Softmax.get().withSafe(true));
        assertThrows(IllegalArgumentException.class, () -> safe.sample(allNegInf, rng), "safe, no truncation");
        assertThrows(IllegalArgumentException.class, () -> safe.withTemperature(0.5f).sampleRows(
                new float[] {1, 2, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2, rng, new int[2]), "safe rows");
        assertThrows(IllegalArgumentException.class, () -> safe.logProb(allNegInf, 0), "safe logProb");
        // logProb: the same rules (NaN named, all -Inf rejected, +Inf tokens share the mass)
        IllegalArgumentException lpNan = assertThrows(IllegalArgumentException.class,
                () -> Sampler.of(Softmax.get()).logProb(nan, 0));
        assertTrue(lpNan.getMessage().contains("logit 2 "), lpNan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).logProb(allNegInf, 1));
        float[] twoInf = {3, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 7};
        for (Sampler sp : List.of(Sampler.of(Softmax.get()), Sampler.of(Softmax.get()).withTemperature(0.25f), safe)) {
            assertEquals((float) -StrictMath.log(2), sp.logProb(twoInf, 1), sp + " logProb of a +Inf token");
            assertEquals((float) -StrictMath.log(2), sp.logProb(twoInf, 3), sp + " logProb of a +Inf token");
            for (int i : new int[] {0, 2, 4}) {
                assertEquals(Float.NEGATIVE_INFINITY, sp.logProb(twoInf, i), sp + " logProb beside +Inf, " + i);
            }
        }
        // +Inf tokens share the mass equally; -Inf is never drawn
        float[] inf = {3, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 7};
        long[] count = new long[inf.length];
        for (int i = 0; i < 20_000; i++) {
            count[Sampler.of(Softmax.get()).sample(inf, rng)]++;
        }
        assertEquals(0, count[0] + count[2] + count[4]);
        assertTrue(Math.abs(count[1] - count[3]) < 800, Arrays.toString(count));
        assertEquals(1, Sampler.of(Softmax.get()).withTopK(1).sample(inf, rng));
        // many +Inf tokens (more than the first round of candidates) all share the mass, with top-p too
        float[] manyInf = new float[5_000];
        for (int i = 0; i < manyInf.length; i++) {
            manyInf[i] = i % 97 == 5 ? Float.POSITIVE_INFINITY : (float) (i % 13);
        }
        for (Sampler sp : List.of(Sampler.of(Softmax.get()), Sampler.of(Softmax.get()).withTopP(0.9),
                Sampler.of(Softmax.get()).withMinP(0.1))) {
            long[] hits = new long[manyInf.length];
            for (int i = 0; i < 10_000; i++) {
                hits[sp.sample(manyInf, rng)]++;
            }
            int drawn = 0;
            for (int i = 0; i < hits.length; i++) {
                assertTrue(hits[i] == 0 || i % 97 == 5, sp + ": a finite logit drew against +Inf: " + i);
                drawn += hits[i] > 0 ? 1 : 0;
            }
            assertEquals((manyInf.length - 5 + 96) / 97, drawn, sp + ": every +Inf token must be drawn");
        }
        // a tie straddling the top-k boundary: the lowest indices win
        float[] tie = new float[10_000];
        for (int i = 0; i < tie.length; i++) {
            tie[i] = i % 50 == 0 ? 4f : -(i % 7);
        }
        Sampler k3 = Sampler.of(Softmax.get()).withTopK(3);
        for (int i = 0; i < 2_000; i++) {
            int t = k3.sample(tie, rng);
            assertTrue(t == 0 || t == 50 || t == 100, "top-3 of a 200-way tie drew " + t);
        }
        // settings
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).withTopK(0));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).withTopP(0));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).withTopP(1.01));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).withMinP(1));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).withMinP(-0.1));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).withTemperature(-1));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(Softmax.get()).withTemperature(Float.NaN));
        assertThrows(NullPointerException.class, () -> s.sample(new float[] {1}, null));
        assertThrows(NullPointerException.class, () -> s.sample((float[]) null, rng));
        assertThrows(NullPointerException.class, () -> Sampler.of(null));
        assertThrows(IndexOutOfBoundsException.class, () -> s.sample(new float[0], rng));
        assertThrows(IndexOutOfBoundsException.class, () -> s.sample(new float[4], 2, 3, rng));
        // a generator that returns doubles outside [0, 1): clamped, never out of range
        float[] x = {1, 2, 3, 4};
        for (double bad : new double[] {-5, 1, 7, Double.NaN, Double.POSITIVE_INFINITY}) {
            RandomGenerator fixed = new RandomGenerator() {
                @Override
                public long nextLong() {
                    return 0;
                }

                @Override
                public double nextDouble() {
                    return bad;
                }
            };
            int token = Sampler.of(Softmax.get()).sample(x, fixed);
            assertTrue(token >= 0 && token < 4, "token " + token + " for nextDouble() = " + bad);
        }
        float[] before = x.clone();
        Sampler.of(Softmax.get()).withTopP(0.5).sample(x, rng);
        assertArrayEquals(before, x, "input modified");
    }

    @Test
    void rowsBuffersAndRanges() {
        SplittableRandom r = new SplittableRandom(SEED + 6);
        int rows = 5;
        int cols = 3000;
        float[] m = new float[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (2 * r.nextGaussian());
        }
        for (Sampler s : new Sampler[] {Sampler.of(Softmax.get()).withTemperature(0.7f).withTopK(20),
                Sampler.of(Softmax.get()).withTopP(0.8), Sampler.of(Softmax.get()).greedy(),
                Sampler.of(Softmax.get()).withTemperature(0.7f).withTopP(0.95).withMinP(0.05), // min-p first
                Sampler.of(Softmax.get()).withTemperature(0.7f).withTopP(0.95).withMinP(0.001)}) {
            int[] tokens = new int[rows];
            s.sampleRows(m, cols, new SplittableRandom(77), tokens);
            SplittableRandom one = new SplittableRandom(77);
            for (int row = 0; row < rows; row++) {
                int single = s.sample(m, row * cols, cols, one);
                assertEquals(single, tokens[row], s + " row " + row + " lse " + Softmax.get().lse(m, row * cols, cols)
                        + " vs " + Softmax.get().lseRows(m, 0, cols, rows, cols)[row]);
            }
            FloatBuffer heap = FloatBuffer.wrap(m, cols, cols).slice();
            FloatBuffer direct = ByteBuffer.allocateDirect(4 * cols).order(ByteOrder.nativeOrder()).asFloatBuffer();
            direct.put(m, cols, cols).flip();
            int a = s.sample(heap, new SplittableRandom(5));
            assertEquals(a, s.sample(direct, new SplittableRandom(5)));
            assertEquals(a, s.sample(m, cols, cols, new SplittableRandom(5)));
            // argmax, topK and logProb over a range, a heap slice, a direct and a read-only buffer: row 1 alone
            float[] row = Arrays.copyOfRange(m, cols, 2 * cols);
            int[] wantIdx = new int[7];
            float[] wantProbs = new float[7];
            assertEquals(7, s.topK(row, 7, wantIdx, wantProbs));
            float wantLp = s.logProb(row, 2_999);
            for (FloatBuffer b : new FloatBuffer[] {heap, direct, heap.asReadOnlyBuffer(), null}) {
                String at = s + (b == null ? " range" : " " + b);
                int[] idx = new int[7];
                float[] probs = new float[7];
                assertEquals(7, b == null ? s.topK(m, cols, cols, 7, idx, probs) : s.topK(b, 7, idx, probs), at);
                assertArrayEquals(wantIdx, idx, at);
                assertArrayEquals(wantProbs, probs, at);
                assertEquals(wantLp, b == null ? s.logProb(m, cols, cols, 2_999) : s.logProb(b, 2_999), at);
                assertEquals(s.argmax(row), b == null ? s.argmax(m, cols, cols) : s.argmax(b), at);
                if (b != null) {
                    assertEquals(0, b.position(), "position unchanged, " + at);
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> Sampler.of(Softmax.get()).logProb(m, cols, cols, cols));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Sampler.of(Softmax.get()).topK(m, m.length - 2, 3, 1, new int[1], new float[1]));
        assertThrows(IndexOutOfBoundsException.class, () -> Sampler.of(Softmax.get()).argmax(FloatBuffer.allocate(0)));
        assertThrows(IllegalArgumentException.class,
                () -> Sampler.of(Softmax.get()).sampleRows(m, 7, new SplittableRandom(1), new int[5]));
    }

    /**
     * Values against the quickselect's middle pivot: each round's middle element is the least of its range, so
     * every round drops one element (built by running the rounds on placeholders and numbering each round's
     * middle as it is reached). Without a guard selecting k = n - 1 of 2^20 takes ~5 * 10^11 steps.
     */
    static long[] middlePivotKiller(int n) {
        int[] at = new int[n];
        for (int i = 0; i < n; i++) {
            at[i] = i;
        }
        long[] value = new long[n];
        for (int lo = 0; lo < n; lo++) {
            int mid = (lo + n - 1) >>> 1;
            value[at[mid]] = lo;
            int t = at[lo];
            at[lo] = at[mid];
            at[mid] = t;
        }
        return value;
    }

    @Test
    void selectionHasNoQuadraticInput() {
        int n = 1 << 20;
        for (int k : new int[] {n - 1, n / 2, 40}) {
            long[] a = middlePivotKiller(n);
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Sampler.selectSmallest(a, k), "k = " + k);
            long[] front = Arrays.copyOf(a, k);
            Arrays.sort(front);
            for (int i = 0; i < k; i++) {
                assertEquals(i, front[i], "k = " + k); // the values are 0 .. n-1: the k smallest are 0 .. k-1
            }
        }
        // the same order as logits through the public API: top-k of all but one token sorts them all
        long[] v = middlePivotKiller(n);
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) {
            logits[i] = -v[i]; // exact below 2^24: descending logits in the killer's order
        }
        int[] idx = new int[n - 1];
        float[] probs = new float[n - 1];
        int got = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> Sampler.of(Softmax.get()).topK(logits, n - 1, idx, probs));
        assertEquals(n - 1, got);
        for (int r = 0; r < n - 1; r++) {
            assertEquals(r, v[idx[r]], "rank " + r);
        }
    }

    @Test
    void selectionKeepsTheSmallestWithDuplicates() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(3000);
            long[] a = new long[n];
            for (int i = 0; i < n; i++) {
                a[i] = r.nextInt(1 + r.nextInt(50)); // many equal keys
            }
            long[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = 1 + r.nextInt(n);
            Sampler.selectSmallest(a, k, trial % 4); // 0-3 rounds of quickselect, then the guard's sort
            long[] front = Arrays.copyOf(a, k);
            Arrays.sort(front);
            assertArrayEquals(Arrays.copyOf(sorted, k), front, "n = " + n + ", k = " + k);
        }
    }

    /**
     * The draw's sort of survivors by index (an LSD radix sort over the index bits from 256 keys on): lengths on
     * both sides of that switch, one to three 11-bit digits (n up to 2^31 - 1), indices clustered and spread over
     * [0, n), payloads that must travel with their index.
     */
    @Test
    void survivorsSortByIndexWithTheirPayloads() {
        SplittableRandom r = new SplittableRandom(SEED + 41);
        int[] tokens = {300, 2048, 2049, 262_144, 4_194_305, Integer.MAX_VALUE};
        int threeDigits = 0; // trials whose indices differ above bit 22 (the third digit's pass matters)
        for (int trial = 0; trial < 300; trial++) {
            int n = tokens[trial % tokens.length];
            int m = Math.min(n, trial / 6 % 3 == 0 ? r.nextInt(300) : 200 + r.nextInt(5000));
            // m distinct indices in [0, n): clustered near one point every other round of the sizes
            boolean spread = trial / 6 % 2 == 0;
            java.util.Set<Integer> picked = new java.util.HashSet<>();
            int base = r.nextInt(n);
            while (picked.size() < m) {
                picked.add(spread ? r.nextInt(n) : (int) ((base + (long) r.nextInt(Math.min(n, 4 * m))) % n));
            }
            int or = 0;
            int and = -1;
            for (int index : picked) {
                or |= index;
                and &= index;
            }
            threeDigits += m >= 256 && (or ^ and) >>> 22 != 0 ? 1 : 0;
            long[] keys = new long[m];
            int j = 0;
            for (int index : picked) {
                keys[j] = (long) index << 32 | j; // the payload: the key's position before the sort
                j++;
            }
            long[] expected = keys.clone();
            Arrays.sort(expected);
            long[] got = Arrays.copyOf(keys, m + 3); // only [0, m) is sorted; the rest untouched
            got[m] = got[m + 1] = got[m + 2] = -1;
            Sampler.sortByIndex(got, m, n);
            assertArrayEquals(expected, Arrays.copyOf(got, m), "n = " + n + ", m = " + m);
            assertEquals(-1, got[m] & got[m + 1] & got[m + 2], "n = " + n + ", m = " + m + ": beyond m");
        }
        assertTrue(threeDigits >= 10, "trials with a third digit: " + threeDigits);
    }

    @Test
    void topKMayWriteItsProbabilitiesOverTheLogits() {
        Sampler sampler = Sampler.of(Softmax.get()).withTemperature(0.7f);
        float[] logits = logits(5000, new SplittableRandom(SEED));
        for (int k : new int[] {1, 3, 40, 5000}) {
            float[] x = logits.clone();
            int[] idx = new int[k];
            float[] probs = new float[k];
            sampler.topK(x, k, idx, probs);
            int[] idxInPlace = new int[k];
            sampler.topK(x, k, idxInPlace, x); // one array: logits in, probabilities out
            assertArrayEquals(idx, idxInPlace, "k = " + k);
            assertArrayEquals(probs, Arrays.copyOf(x, k), "k = " + k); // the old code read overwritten logits
        }
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> sampler.topK(logits, 5, new int[4], new float[5]));
        assertTrue(e.getMessage().contains("indices"), e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> sampler.topK(logits, 5, new int[5], new float[2]));
        assertTrue(e.getMessage().contains("probs"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Softmax.get().crossEntropyRows(new float[10], 3, new int[3]));
        assertTrue(bad.getMessage().startsWith("logits.length 10"), bad.getMessage());
    }
}
