package io.github.softmax4j;

import java.lang.ref.SoftReference;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntToDoubleFunction;
import java.util.function.LongPredicate;
import java.util.random.RandomGenerator;

import io.github.softmax4j.internal.Dispatch;
import io.github.softmax4j.internal.Kernel;
import io.github.softmax4j.internal.Op;

/**
 * Picks the next token from a vector of logits: temperature, top-k, top-p (nucleus), min-p and greedy
 * decoding, exact and reproducible, without sorting the vocabulary.
 *
 * <pre>{@code
 * Sampler sampler = Sampler.of(Softmax.get()).withTemperature(0.7f).withTopK(40).withTopP(0.95);
 * RandomGenerator rng = RandomGenerator.of("L64X128MixRandom");   // or new SplittableRandom(seed)
 * int token = sampler.sample(logits, rng);
 * int best = sampler.argmax(logits);                              // greedy: ties to the lowest index
 * float lp = sampler.logProb(logits, token);                     // log P(token), one pass
 * int k = sampler.topK(logits, 5, indices, probs);               // the 5 likeliest, with probabilities
 * }</pre>
 *
 * <h2>Semantics</h2>
 * The conventions of Hugging Face {@code generate} (temperature first), in this order, with
 * {@code p_i = exp(s x_i) / sum_j exp(s x_j)}, {@code s = fl(1/T)} (the float nearest 1/T):
 * <ol>
 * <li><b>temperature</b> T: logits are multiplied by s = fl(1/T); {@code T = 0} is greedy
 * ({@link #argmax(float[])}). llama.cpp's default chain applies the temperature after top-k, top-p and min-p,
 * so there top-p and min-p see the distribution at T = 1: with T other than 1 the same settings may keep
 * other tokens than here.
 * <li><b>top-k</b>: keep the k largest logits; among equal logits the lower index is kept first.
 * <li><b>top-p</b>: of the tokens kept so far, sorted by probability (descending, equal probabilities by
 * ascending index), keep the smallest prefix whose probability mass, renormalised over the kept tokens,
 * reaches p (at least one token).
 * <li><b>min-p</b>: drop the tokens whose probability is below {@code min_p} times the largest.
 * <li><b>draw</b>: one {@code u = rng.nextDouble()} (clamped into [0, 1): a generator that returns values
 * outside never yields an index out of range); the survivors are walked <em>in ascending index order</em>
 * accumulating their weights {@code exp((x_i - x_max) * s)} in double, and the first survivor whose running
 * sum exceeds {@code u} times the total is the token.
 * </ol>
 * Because survivors are chosen by comparing logits and weighted by a double-precision exponential of their
 * own logits ({@link StrictMath#exp}), the same logits, settings and generator state give the same token on
 * every backend, tier and platform, with no exception: where the rule needs the whole vocabulary (no
 * truncation: the draw's place among all tokens; top-p without top-k: the total mass), the sampler takes the
 * backend's fast passes only where their proven error cannot change the token, and otherwise the double
 * passes, then the rule itself (all n weights in double) for the draws and cuts that close to an edge (at
 * most about n^2 x 2^-50 of all draws: ~1e-5 at 128K tokens). Logits whose log-sum-exp
 * exceeds 2^24 in magnitude (beyond what a double holds to float precision) are weighted relative to the top
 * in double throughout.
 *
 * <h2>Special values and errors</h2>
 * A NaN logit throws {@link IllegalArgumentException} naming the first NaN index; all logits -Inf throws
 * {@link IllegalArgumentException}; +Inf logits share the whole mass equally (the other tokens get none;
 * top-k then keeps the lowest-indexed +Inf tokens; top-p and min-p keep every +Inf token). -Inf logits are
 * never drawn. Settings out of range
 * ({@code T < 0} or NaN, {@code k < 1}, p outside (0, 1], min_p outside [0, 1)) throw
 * {@link IllegalArgumentException} when set; a null generator or array throws {@link NullPointerException};
 * ranges are checked as in {@link Softmax}. Inputs are never modified.
 *
 * <h2>Speed</h2>
 * One pass over the logits finds the candidates: a threshold estimated from a strided sample of 1024
 * logits (top-p without top-k: probability levels from the log-sum-exp; min-p alone: its exact threshold),
 * then every logit compared with it (NaN detected in the same comparison); only the candidates
 * (a few hundred for top-k 40) are sorted and weighted. Top-p without top-k adds the backend's one-pass
 * log-sum-exp. No truncation: pass 1 of the backend's two-pass over blocks of 4096 logits (one sum per block,
 * nothing written), the softmax of the one block the draw falls into, and a walk through it (about 1-2x a
 * softmax of the vocabulary); a draw that falls where that pass's error (about 2e-6 of the mass) could tip the
 * token, that is among tokens lighter than that, takes the double passes (about 5x more). Top-p without top-k
 * takes the double passes too when p times the mass falls within ~1e-6 of the mass of a prefix of the sorted
 * candidates (logits whose nucleus ends among tokens that light). Top-p without top-k over a nucleus of
 * hundreds to thousands of tokens is not sorted either: the first of its probability levels whose candidates
 * (more than 256) hold it is cut and drawn from over those candidates alone, as a flat nucleus is below (about
 * 1.5-1.9x a softmax over N(0, 3) logits at T = 0.7). A flat distribution's nucleus (top-p without top-k letting
 * at least max(256, n/4) tokens through a level, min-p without top-k keeping at least max(256, n/4)) is not
 * sorted: one native pass gives every token's weight in double and the first level of a selection of the top-p
 * cut over bins linear in the logit (min-p: an exact threshold), a range select the passing bin's tokens, and a
 * native walk through the survivors in index order draws: about 65 / 245 / 470 µs at 32K / 128K / 256K tokens on
 * AVX-512 (5.4-10x a softmax); logits whose |log-sum-exp| exceeds 2^24 take it whatever their nucleus. Min-p
 * alone draws fewer survivors than that in the select pass's index order, unsorted (from 256 of them by the same
 * weights pass and walk over their logits); with top-p too, min-p's survivors are collected first, and are the
 * answer when their mass is certainly below p (else top-p's nucleus is cut from among them). Each thread keeps the
 * flat path's arrays (12 bytes per token, up to 2^18 tokens) and the select pass's (up to 8 bytes per token, 2^18
 * tokens) softly between calls. Top-p without top-k sorts the whole vocabulary (O(n log n) instead of a pass)
 * when a flat nucleus's cut falls within about n x 2^-50 of p times the mass (rare), and for top-p within about
 * 10^-6 of 1 when fewer than max(256, n/4) tokens have a probability of at least (1 - p) / 2n (every token is
 * then a candidate).
 * Selections are O(n log n) at worst, whatever the logits. Instances are immutable and thread-safe; a
 * {@link RandomGenerator} is not, so give each thread its own.
 */
public final class Sampler {
    private static final int SAMPLE = 1024;
    /**
     * From this |log-sum-exp| on, a double lse no longer holds the mass relative to the top logit to float
     * precision (its ulp is 2^-28 at 2^24): probabilities and the top-p total are then taken relative to the top,
     * in double over the whole range ({@link #relativeLse}).
     */
    private static final double HUGE_LSE = 0x1p24;

    private final Softmax softmax;
    private final float temperature;
    private final int topK; // 0: off
    private final double topP; // 1: off
    private final double minP; // 0: off

    private Sampler(Softmax softmax, float temperature, int topK, double topP, double minP) {
        this.softmax = softmax;
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.minP = minP;
    }

    /**
     * A sampler on the backend of {@code softmax} (its scale, algorithm and safe flag do not apply: the
     * sampler's temperature and its rules for special values do), with temperature 1 and no truncation.
     *
     * @param softmax the backend to compute log-sum-exp with
     * @return the sampler
     * @throws NullPointerException if softmax is null
     */
    public static Sampler of(Softmax softmax) {
        Objects.requireNonNull(softmax, "softmax");
        return new Sampler(softmax, 1f, 0, 1.0, 0.0);
    }

    /**
     * The same sampler at temperature T: logits are multiplied by s = fl(1/T), the float nearest 1/T (as
     * {@link Softmax#withTemperature(float)}); 0 is greedy.
     *
     * @param t the temperature, finite and {@code >= 0}
     * @return a new sampler
     * @throws IllegalArgumentException if t is negative, NaN or infinite, or so small (below ~2.9e-39) that
     *         1/T overflows a float
     */
    public Sampler withTemperature(float t) {
        if (!(t >= 0f) || Float.isInfinite(t)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, not " + t);
        }
        if (t > 0f) {
            Checks.scale(1f / t); // 1/T must be a positive finite float
        }
        return new Sampler(softmax, t, topK, topP, minP);
    }

    /**
     * The same sampler keeping only the k most probable tokens.
     *
     * @param k how many tokens, {@code >= 1} (more than the vocabulary keeps all)
     * @return a new sampler
     * @throws IllegalArgumentException if k is below 1
     */
    public Sampler withTopK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k must be >= 1, not " + k);
        }
        return new Sampler(softmax, temperature, k, topP, minP);
    }

    /**
     * The same sampler keeping the smallest set of most probable tokens whose mass reaches p.
     *
     * @param p the mass, in (0, 1] (1 keeps all)
     * @return a new sampler
     * @throws IllegalArgumentException if p is not in (0, 1]
     */
    public Sampler withTopP(double p) {
        if (!(p > 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], not " + p);
        }
        return new Sampler(softmax, temperature, topK, p, minP);
    }

    /**
     * The same sampler dropping tokens less probable than {@code minP} times the most probable one.
     *
     * @param minP the ratio, in [0, 1) (0 keeps all)
     * @return a new sampler
     * @throws IllegalArgumentException if minP is not in [0, 1)
     */
    public Sampler withMinP(double minP) {
        if (!(minP >= 0.0 && minP < 1.0)) {
            throw new IllegalArgumentException("min-p must be in [0, 1), not " + minP);
        }
        return new Sampler(softmax, temperature, topK, topP, minP);
    }

    /**
     * The same sampler at temperature 0: {@link #sample} returns {@link #argmax}.
     *
     * @return a new sampler
     */
    public Sampler greedy() {
        return new Sampler(softmax, 0f, topK, topP, minP);
    }

    /** @return the temperature (0: greedy) */
    public float temperature() {
        return temperature;
    }

    /** @return top-k, or 0 when not set */
    public int topK() {
        return topK;
    }

    /** @return top-p (1 when not set) */
    public double topP() {
        return topP;
    }

    /** @return min-p (0 when not set) */
    public double minP() {
        return minP;
    }

    // ---------------------------------------------------------------------------------------------
    // Sampling
    // ---------------------------------------------------------------------------------------------

    /**
     * Draws the next token from all of {@code logits}.
     *
     * @param logits the logits, not modified
     * @param rng one {@code nextDouble()} is drawn (none when greedy)
     * @return the token, an index into logits
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws NullPointerException if an argument is null
     */
    public int sample(float[] logits, RandomGenerator rng) {
        Objects.requireNonNull(logits, "logits");
        return sample(logits, 0, logits.length, rng);
    }

    /**
     * Draws the next token from {@code logits[off .. off + n)}.
     *
     * @param logits the logits, not modified
     * @param off the first logit
     * @param n the vocabulary size, {@code >= 1}
     * @param rng one {@code nextDouble()} is drawn (none when greedy)
     * @return the token, in [0, n) (relative to off)
     * @throws IndexOutOfBoundsException if the range is outside logits or n is 0
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws NullPointerException if an argument is null
     */
    public int sample(float[] logits, int off, int n, RandomGenerator rng) {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(rng, "rng");
        checkRange(logits, off, n);
        return sampleRange(logits, off, n, rng, Double.NaN);
    }

    /** One token from a checked range; lse: the range's log-sum-exp at this temperature, or NaN if not known. */
    private int sampleRange(float[] logits, int off, int n, RandomGenerator rng, double lse) {
        if (temperature == 0f) {
            return argmax(logits, off, n);
        }
        if (topK == 0 && topP >= 1.0 && minP == 0.0) {
            return drawAll(logits, off, n, rng);
        }
        if (needsTotalMass() && Double.isNaN(lse)) {
            lse = totalMass(logits, off, n);
        }
        if (minP > 0.0 && needsTotalMass() && !huge(lse)) {
            int token = minPFirst(logits, off, n, lse, rng);
            if (token >= 0) {
                return token;
            }
        }
        Candidates c = survivors(logits, off, n, lse, true);
        if (c.flat) {
            float top = c.top == c.top ? c.top : logits[off + argmax(logits, off, n)];
            int token = flatNucleus(logits, off, n, top, rng, topP, 0.0, huge(lse) ? Double.NaN : lse);
            if (token >= 0) {
                FLAT_DRAWS.increment();
                return token;
            }
            c = survivors(logits, off, n, lse, false); // too close to tell without the rule: sorted
        } else if (c.top == c.top && c.count >= UNSORTED_MIN) {
            // min-p alone's survivors, many of them: flatNucleus over their logits as collected (no cut to find:
            // never -1; the rule's StrictMath weights, ~20-100 ns each, only for a draw too close to tell)
            int token = c.index[flatNucleus(c.logits, 0, c.count, c.top, rng, NO_CUT, 0.0, Double.NaN)];
            CANDIDATE_DRAWS.increment();
            return token;
        } else if (c.unsorted) {
            int token = candidateNucleus(logits, off, n, c, lse, rng);
            if (token >= 0) {
                return token;
            }
            c = survivors(logits, off, n, lse, false); // too close to tell without the rule: sorted
        }
        return draw(c, logits, off, n, rng);
    }

    /**
     * No truncation: the token of the exact rule ({@link #walk}: StrictMath weights of the whole vocabulary,
     * summed in index order), found in three steps, each taken only when the one before cannot tell:
     * <ol>
     * <li>pass 1 of the backend's two-pass per block of {@link #FLOAT_BLOCK} logits (one mass each, merged
     * exactly), pass 2 of the one block the draw falls into and a walk through it: within {@link #floatSlack} of
     * the rule's cumulative distribution, so a draw farther than that from the edges of the token it falls on
     * picks the rule's token (most draws: the tokens that hold most of the mass are far wider than that);
     * <li>the backend's double-precision log-sum-exp of blocks of {@link #BLOCK} floats and the double softmax
     * of the one block the draw falls into: within {@link #slack} (about n 2^-50) of the rule;
     * <li>the rule itself over the whole vocabulary (n StrictMath exponentials, twice; about n^2 2^-50 of all
     * draws at most: ~1e-5 at 128K tokens, all of them from about 2^25 tokens on).
     * </ol>
     */
    private int drawAll(float[] x, int off, int n, RandomGenerator rng) {
        Dispatch dispatch = scaled().dispatch();
        boolean fast = n <= MAX_FLOAT_BOUND;
        double[] mass = new double[fast ? (n + FLOAT_BLOCK - 1) / FLOAT_BLOCK : 0];
        double[] me = new double[2];
        fast = fast && dispatch.blockMasses(x, off, n, FLOAT_BLOCK, mass, me);
        float top = Float.NaN; // found when a later step needs it
        if (!fast) {
            top = x[off + argmax(x, off, n)]; // NaN and all -Inf throw
            if (top == Float.POSITIVE_INFINITY) {
                Candidates c = candidates(x, off, n, 1);
                c.count = c.infinite; // +Inf logits share the mass equally
                return draw(c, x, off, n, rng);
            }
        }
        double u = unit(rng);
        int token = fast ? floatToken(dispatch, x, off, n, mass, me, u) : -1;
        if (token >= 0) {
            return token;
        }
        top = fast ? x[off + argmax(x, off, n)] : top;
        token = doubleToken(x, off, n, top, u);
        if (token >= 0) {
            return token;
        }
        float s = scale();
        float t = top;
        return walk(i -> weight(x, off + i, t, s), n, null, ruleTotal(x, off, n, top), u); // weighed twice
    }

    /** The longest vector the float softmax's bound (8 ULP) is documented for. */
    private static final int MAX_FLOAT_BOUND = 1 << 26;
    /** The blocks of the float step of {@link #drawAll}: one pass-1 call each. */
    private static final int FLOAT_BLOCK = 4096;

    /**
     * The token whose cumulative probability interval, from the block masses of pass 1 and the softmax of the
     * block the draw falls into, holds u with at least {@link #floatSlack} to spare on either side, or -1.
     */
    private static int floatToken(Dispatch dispatch, float[] x, int off, int n, double[] mass, double[] me,
            double u) {
        return inBlock(mass, FLOAT_BLOCK, n, u, floatSlack(n), (b, from, len, before, target, margin) -> {
            float[] y = new float[len];
            dispatch.blockSoftmax(x, off + from, len, y, me[0], me[1]);
            return edgeSafe(y, null, from, before, me[0], target, margin);
        });
    }

    /** A step's walk through the block a draw falls into ({@link #inBlock}). */
    private interface BlockWalk {
        int token(int b, int from, int len, double before, double target, double margin);
    }

    /**
     * A draw u among blocks of {@code block} tokens (n in all) of the given masses: the walk through the block it
     * falls into, with the mass of the blocks before it, u times the total, and slack times the total.
     */
    private static int inBlock(double[] mass, int block, int n, double u, double slack, BlockWalk walk) {
        double total = sum(mass);
        double target = u * total;
        int b = blockOf(mass, target);
        int from = b * block;
        return walk.token(b, from, Math.min(block, n - from), sum(mass, b), target, slack * total);
    }

    /**
     * The walk through one block's outputs, floats {@code yf} or doubles {@code yd} (the other null;
     * probabilities relative to a total {@code unit}, the block starting at token {@code from}, {@code before}
     * the mass ahead of it): the first token whose running mass passes target, if it is at least margin from both
     * its edges, else -1.
     */
    private static int edgeSafe(float[] yf, double[] yd, int from, double before, double unit, double target,
            double margin) {
        int len = yf != null ? yf.length : yd.length;
        double left = before;
        double within = 0.0;
        for (int j = 0; j < len; j++) {
            within += yf != null ? yf[j] : yd[j];
            double right = before + unit * within;
            if (right > target) {
                return left <= target - margin && right > target + margin ? from + j : -1;
            }
            left = right;
        }
        return -1;
    }

    /**
     * A bound on the distance, relative to the total, between the float step's cumulative distribution and the
     * exact rule's ({@link #walk}) over n tokens: the block masses within 4.87 x 2^-24 relative each (pass 1's
     * sums; docs/NUMERICS.md proves it given the exponential's error measured over every float at s = 1 and
     * sampled with temperatures), the outputs within 8.5 x 2^-23 (8 ULP of the exact value rounded, n up to
     * 2^26; the split two-pass's bound) plus n 2^-126 below Float.MIN_NORMAL, the sums, and the rule's own
     * distance to exact arithmetic: (n - 1) 2^-52 for its sums and 1500 x 2^-53 for its exponent
     * ((double) x_i - top, then times s: two roundings, |s (x_i - top)| <= 745.2 for a weight above 0) and
     * StrictMath.exp. 32 x 2^-24 + (n + 1024) 2^-50 covers them with room.
     */
    private static double floatSlack(int n) {
        return 32 * 0x1p-24 + (n + 1024.0) * 0x1p-50;
    }

    /**
     * The rule's token from the double-precision passes ({@link #doubleMasses}, then the double softmax of the
     * block the draw falls into) when u is at least {@link #slack} from the token's edges, else -1.
     */
    private int doubleToken(float[] x, int off, int n, float top, double u) {
        double[] mass = doubleMasses(x, off, n, top);
        return inBlock(mass, BLOCK, n, u, slack(n), (b, from, len, before, target, margin) -> {
            double[] y = new double[len];
            widen(x, off + from, len, top, y);
            unscaled().runF64(Op.SOFTMAX, y, 0, len, y, 0, len, 1, len, Dispatch.NO_LSE);
            return edgeSafe(null, y, from, before, mass[b], target, margin);
        });
    }

    /** The blocks of the double-precision passes ({@link #drawAll}, top-p's total in {@link #survivors}). */
    private static final int BLOCK = 2048;
    /** Blocks widened and passed to the backend per call. */
    private static final int GROUP = 4;

    /**
     * sum exp(s (x_i - top)) of each block of {@link #BLOCK} logits (the last one shorter), from the backend's
     * double-precision log-sum-exp of the widened differences (docs/NUMERICS.md, "Double precision").
     */
    private double[] doubleMasses(float[] x, int off, int n, float top) {
        Dispatch dispatch = unscaled();
        int blocks = (int) (((long) n + BLOCK - 1) / BLOCK);
        double[] mass = new double[blocks];
        double[] d = new double[Math.min(n, GROUP * BLOCK)];
        double[] lse = new double[GROUP];
        for (int b = 0; b < blocks; b += GROUP) {
            int from = b * BLOCK;
            int len = Math.min(n - from, GROUP * BLOCK);
            widen(x, off + from, len, top, d);
            int full = len / BLOCK;
            if (full > 0) {
                dispatch.runF64(Op.LOG_SUM_EXP, d, 0, BLOCK, d, 0, BLOCK, full, BLOCK, lse);
            }
            for (int i = 0; i < full; i++) {
                mass[b + i] = Math.exp(lse[i]);
            }
            if (full * BLOCK < len) { // the last block, shorter
                int rest = len - full * BLOCK;
                dispatch.runF64(Op.LOG_SUM_EXP, d, full * BLOCK, rest, d, full * BLOCK, rest, 1, rest, lse);
                mass[b + full] = Math.exp(lse[0]);
            }
        }
        return mass;
    }

    /** d[j] = (x[off + j] - top) * s in double, for j in [0, len): the exact rule's exponents, bit for bit. */
    private void widen(float[] x, int off, int len, float top, double[] d) {
        float s = scale();
        for (int j = 0; j < len; j++) {
            d[j] = ((double) x[off + j] - top) * s;
        }
    }

    /** The backend at scale 1 for the double-precision passes (their exponents are scaled by {@link #widen}). */
    private Dispatch unscaled() {
        return softmax.withScale(1f).withSafe(false).dispatch();
    }

    /**
     * A bound on the distance between the cumulative distribution (relative to its total) of the exact rule
     * ({@link #walk}) and that of the backend's double-precision passes, over n tokens: both weigh the same
     * exponents ({@link #widen}); the rule's sums in index order are within (n - 1) 2^-53 relative, its weights
     * within StrictMath.exp's ulp (2^-1075 absolute below the normal range, against a total of at least 1), the
     * double passes within (BLOCK + n / BLOCK + 40) 2^-53 (4 ULP per output, per block's log-sum-exp of at most
     * log 2048 and an absolute 4 ULP of |lse| times e^lse below, the block sums, the products), the flat
     * nucleus' weights ({@link Kernel#binExp}) within 2^-42 = 2048 x 2^-53 each and their sums within n 2^-53;
     * (n + 4096) 2^-51 is about twice the largest sum. The double kernels' bounds are docs/NUMERICS.md's,
     * measured-exp proofs there.
     */
    private static double slack(int n) {
        return (n + 4096.0) * 0x1p-51;
    }

    /** Whether a log-sum-exp is finite and too large for a double to hold the rest ({@link #HUGE_LSE}). */
    private static boolean huge(double lse) {
        return Math.abs(lse) > HUGE_LSE && Math.abs(lse) < Double.POSITIVE_INFINITY;
    }

    /**
     * log(sum exp((x_i - top) * s)) over the range in double with StrictMath (the same on every platform), for
     * logits whose log-sum-exp is too large for a double to hold the rest ({@link #HUGE_LSE}).
     */
    private double relativeLse(float[] x, int off, int n, float top) {
        return StrictMath.log(ruleTotal(x, off, n, top));
    }

    /** One uniform double in [0, 1): a generator's value outside is clamped (NaN to 0). */
    private static double unit(RandomGenerator rng) {
        double u = rng.nextDouble();
        if (!(u >= 0.0)) {
            return 0.0;
        }
        return u >= 1.0 ? Math.nextDown(1.0) : u;
    }

    /**
     * Draws the next token from the remaining floats of a buffer (position unchanged).
     *
     * @param logits heap or direct, any byte order
     * @param rng one {@code nextDouble()} is drawn (none when greedy)
     * @return the token, in [0, remaining())
     * @throws IndexOutOfBoundsException if nothing remains
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws NullPointerException if an argument is null
     */
    public int sample(FloatBuffer logits, RandomGenerator rng) {
        Objects.requireNonNull(rng, "rng");
        return onRange(logits, (a, off, n) -> sample(a, off, n, rng));
    }

    /** A call on the remaining floats of a buffer: in its array (heap, writable), else on a copy. */
    private interface RangeCall<T> {
        T apply(float[] logits, int off, int n);
    }

    private static <T> T onRange(FloatBuffer logits, RangeCall<T> call) {
        Objects.requireNonNull(logits, "logits");
        if (logits.hasArray()) {
            return call.apply(logits.array(), logits.arrayOffset() + logits.position(), logits.remaining());
        }
        float[] copy = new float[logits.remaining()];
        logits.get(logits.position(), copy);
        return call.apply(copy, 0, copy.length);
    }

    /**
     * One token per row of a {@code rows x cols} matrix of logits (dense, row-major): the log-sum-exp of
     * every row, where top-p needs it, in one native call.
     *
     * @param logits {@code rows * cols} logits
     * @param cols the vocabulary size, {@code >= 1}
     * @param rng draws one double per row, rows in order
     * @param tokens receives one token per row (its length is the number of rows)
     * @throws IllegalArgumentException if {@code logits.length != tokens.length * cols}, for a NaN logit, or a
     *         row of only -Inf (the message names the row and the index within it; the rows before it have
     *         their tokens, and the generator has given their draws)
     * @throws NullPointerException if an argument is null
     */
    public void sampleRows(float[] logits, int cols, RandomGenerator rng, int[] tokens) {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(tokens, "tokens");
        if (cols < 1 || (long) tokens.length * cols != logits.length) {
            throw new IllegalArgumentException("logits.length " + logits.length + " is not tokens.length "
                    + tokens.length + " x cols " + cols);
        }
        sampleRows(logits, 0, cols, rng, tokens);
    }

    /** {@code tokens.length} dense rows of cols logits from {@code logits[off]} on, checked by the caller. */
    void sampleRows(float[] logits, int off, int cols, RandomGenerator rng, int[] tokens) {
        double[] lse = needsTotalMass() ? scaled().lseRows(logits, off, cols, tokens.length, cols) : null;
        for (int r = 0; r < tokens.length; r++) {
            try {
                tokens[r] = sampleRange(logits, off + r * cols, cols, rng, lse == null ? Double.NaN : lse[r]);
            } catch (IllegalArgumentException e) { // name the row: the message's index is within it
                throw new IllegalArgumentException("row " + r + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The index of the largest logit, ties to the lowest index (greedy decoding).
     *
     * @param logits the logits
     * @return the index
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if logits is empty
     * @throws NullPointerException if logits is null
     */
    public int argmax(float[] logits) {
        Objects.requireNonNull(logits, "logits");
        return argmax(logits, 0, logits.length);
    }

    /**
     * The index in [0, n) of the largest of {@code logits[off .. off + n)}, ties to the lowest index.
     *
     * @param logits the logits
     * @param off the first logit
     * @param n how many, {@code >= 1}
     * @return the index, relative to off
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if the range is outside logits or n is 0
     * @throws NullPointerException if logits is null
     */
    public int argmax(float[] logits, int off, int n) {
        Objects.requireNonNull(logits, "logits");
        checkRange(logits, off, n);
        long r = softmax.dispatch().kernel(n).argmax(logits, off, n); // one vectorized pass; NaN found in the same pass
        if (r < 0) {
            throw new IllegalArgumentException("logit " + (-1 - r) + " is NaN");
        }
        if (logits[off + (int) r] == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -Infinity: no token can be chosen");
        }
        return (int) r;
    }

    /**
     * The index of the largest of the remaining floats of a buffer (position unchanged), ties to the lowest.
     *
     * @param logits heap or direct, any byte order
     * @return the index, in [0, remaining())
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if nothing remains
     * @throws NullPointerException if logits is null
     */
    public int argmax(FloatBuffer logits) {
        return onRange(logits, this::argmax);
    }

    /**
     * The k most probable tokens, most probable first (equal probabilities: lower index first), with their
     * probabilities under the full softmax at this sampler's temperature (greedy: temperature 1).
     *
     * @param logits the logits
     * @param k how many, {@code >= 1}
     * @param indices receives the tokens (length {@code >= min(k, n)})
     * @param probs receives their probabilities (length {@code >= min(k, n)}); may be logits itself (every
     *     kept logit is read before a probability is written)
     * @return {@code min(k, logits.length)}
     * @throws IllegalArgumentException if k is below 1, for a NaN logit, or all logits -Inf
     * @throws IndexOutOfBoundsException if an output array is too short or logits is empty
     * @throws NullPointerException if an argument is null
     */
    public int topK(float[] logits, int k, int[] indices, float[] probs) {
        Objects.requireNonNull(logits, "logits");
        return topK(logits, 0, logits.length, k, indices, probs);
    }

    /**
     * {@link #topK(float[], int, int[], float[])} over {@code logits[off .. off + n)}: the tokens are indices
     * in [0, n), relative to off, written to {@code indices[0 .. min(k, n))}.
     *
     * @param logits the logits
     * @param off the first logit
     * @param n the vocabulary size, {@code >= 1}
     * @param k how many, {@code >= 1}
     * @param indices receives the tokens (length {@code >= min(k, n)})
     * @param probs receives their probabilities (length {@code >= min(k, n)}); may be logits itself (every
     *     kept logit is read before a probability is written)
     * @return {@code min(k, n)}
     * @throws IllegalArgumentException if k is below 1, for a NaN logit, or all logits -Inf
     * @throws IndexOutOfBoundsException if the range is outside logits, n is 0, or an output array is too short
     * @throws NullPointerException if an argument is null
     */
    public int topK(float[] logits, int off, int n, int k, int[] indices, float[] probs) {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(probs, "probs");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, not " + k);
        }
        checkRange(logits, off, n);
        int m = Math.min(k, n);
        if (indices.length < m || probs.length < m) {
            throw new IndexOutOfBoundsException((indices.length < m ? "indices" : "probs") + " has length "
                    + (indices.length < m ? indices.length : probs.length) + ", needs min(k, n) = " + m);
        }
        Candidates c = candidates(logits, off, n, m);
        double lse = scaled().lse(logits, off, n);
        float s = scale();
        float top = logits[off + c.index[0]];
        boolean huge = huge(lse);
        double rel = huge ? relativeLse(logits, off, n, top) : 0.0;
        // probs may be logits itself (one scratch array): every kept logit is read before a probability is written
        float[] kept = new float[m];
        for (int i = 0; i < m; i++) {
            kept[i] = logits[off + c.index[i]];
        }
        for (int i = 0; i < m; i++) {
            int token = c.index[i];
            float v = kept[i];
            indices[i] = token;
            // at most 1: lse's error (either sign) could put a dominant token's just above
            probs[i] = lse == Double.POSITIVE_INFINITY
                    ? (v == Float.POSITIVE_INFINITY ? (float) (1.0 / c.infinite) : 0f)
                    : (float) Math.min(1.0, huge ? StrictMath.exp(((double) v - top) * s - rel)
                            : Math.exp((double) v * s - lse));
        }
        return m;
    }

    /**
     * {@link #topK(float[], int, int[], float[])} over the remaining floats of a buffer (position unchanged).
     *
     * @param logits heap or direct, any byte order
     * @param k how many, {@code >= 1}
     * @param indices receives the tokens, in [0, remaining())
     * @param probs receives their probabilities
     * @return {@code min(k, remaining())}
     * @throws IllegalArgumentException if k is below 1, for a NaN logit, or all logits -Inf
     * @throws IndexOutOfBoundsException if nothing remains or an output array is too short
     * @throws NullPointerException if an argument is null
     */
    public int topK(FloatBuffer logits, int k, int[] indices, float[] probs) {
        return onRange(logits, (a, off, n) -> topK(a, off, n, k, indices, probs));
    }

    /**
     * {@code log p(token)} under the full softmax at this sampler's temperature (greedy: temperature 1):
     * {@code x[token]/T - logSumExp(x/T)}, one pass, rounded once from double.
     *
     * As everywhere in this class, +Inf logits share the whole mass equally: with c of them, a +Inf token
     * gets {@code -log(c)} and every other token {@code -Inf}.
     *
     * @param logits the logits
     * @param token the token
     * @return its log-probability ({@code -Inf} for a -Inf logit)
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if token is not in [0, logits.length)
     * @throws NullPointerException if logits is null
     */
    public float logProb(float[] logits, int token) {
        Objects.requireNonNull(logits, "logits");
        return logProb(logits, 0, logits.length, token);
    }

    /**
     * {@link #logProb(float[], int)} of {@code logits[off + token]} in the vocabulary {@code logits[off .. off + n)}.
     *
     * @param logits the logits
     * @param off the first logit
     * @param n the vocabulary size, {@code >= 1}
     * @param token the token, relative to off
     * @return its log-probability ({@code -Inf} for a -Inf logit)
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if the range is outside logits, n is 0, or token is not in [0, n)
     * @throws NullPointerException if logits is null
     */
    public float logProb(float[] logits, int off, int n, int token) {
        Objects.requireNonNull(logits, "logits");
        checkRange(logits, off, n);
        Objects.checkIndex(token, n);
        float v = logits[off + token];
        double lse = scaled().lse(logits, off, n);
        if (!(Math.abs(lse) < Double.POSITIVE_INFINITY)) { // NaN, +Inf or all -Inf: rare, one more pass
            lse = totalMass(logits, off, n); // throws for a NaN or all -Inf
            int infinite = 0;
            for (int i = off; i < off + n; i++) {
                infinite += logits[i] == Float.POSITIVE_INFINITY ? 1 : 0;
            }
            if (infinite > 0) {
                return v == Float.POSITIVE_INFINITY ? (float) -StrictMath.log(infinite) : Float.NEGATIVE_INFINITY;
            }
        }
        if (huge(lse)) {
            float top = logits[off + argmax(logits, off, n)]; // no NaN and not all -Inf: lse is finite
            return (float) Math.min(0.0, ((double) v - top) * scale() - relativeLse(logits, off, n, top));
        }
        return (float) Math.min(0.0, (double) v * scale() - lse); // lse's error could put a dominant token above 0
    }

    /**
     * {@link #logProb(float[], int)} over the remaining floats of a buffer (position unchanged).
     *
     * @param logits heap or direct, any byte order
     * @param token the token, in [0, remaining())
     * @return its log-probability ({@code -Inf} for a -Inf logit)
     * @throws IllegalArgumentException for a NaN logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if nothing remains or token is not in [0, remaining())
     * @throws NullPointerException if logits is null
     */
    public float logProb(FloatBuffer logits, int token) {
        return onRange(logits, (a, off, n) -> logProb(a, off, n, token));
    }

    // ---------------------------------------------------------------------------------------------

    private float scale() {
        return temperature == 0f ? 1f : 1f / temperature;
    }

    /**
     * The backend at this temperature, never safe: a safe instance gives zeros for all -Inf logits, which
     * the sampler must reject (its passes read a NaN or an invalid sum as "special values here").
     */
    private Softmax scaled() {
        return softmax.withScale(scale()).withSafe(false);
    }

    private boolean needsTotalMass() {
        return temperature != 0f && topK == 0 && topP < 1.0;
    }

    /** The range checks of every call on {@code logits[off .. off + n)}: inside the array, not empty. */
    private static void checkRange(float[] logits, int off, int n) {
        Objects.checkFromIndexSize(off, n, logits.length);
        if (n == 0) {
            throw new IndexOutOfBoundsException("no logits");
        }
    }

    private static IllegalArgumentException nanAt(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            if (x[i] != x[i]) {
                return new IllegalArgumentException("logit " + (i - off) + " is NaN");
            }
        }
        throw new AssertionError("no NaN found");
    }

    /**
     * Candidate tokens sorted by logit (descending), ties by index (ascending); min-p alone's survivors in index
     * order ({@link #top} set); top-p's unsorted candidates that hold the nucleus, in index order with their
     * logits ({@link #unsorted}); or a flat nucleus' marker ({@link #flat}, nothing collected).
     */
    private static final class Candidates {
        int[] index;
        double[] weight; // the rule's weights of index[0 .. weighed) (in index's order), computed once
        int weighed;
        int count; // index[0 .. count): sorted, most probable first (in index order when top or unsorted is set)
        int infinite; // how many +Inf logits (they are first)
        long[] keys; // sort keys of all candidates: [0, count) sorted, [count, total) the rest, not yet sorted
        int total; // candidates in all (count, unless sort() left some unsorted)
        float top = Float.NaN; // not NaN: index[0 .. count) are the survivors in index order, top the largest logit
        boolean flat; // a flat nucleus: nothing collected (flatNucleus draws; top set if known)
        boolean unsorted; // top-p's candidates that hold the nucleus, in index order (candidateNucleus draws)
        float[] logits; // the logits of index[0 .. count) as collected (in index order; null once sorted)
        float high; // their largest (collect: the backend's argmax over them)
        boolean borrowed; // index and logits are the thread's select arrays (collect): own() before they escape
        double lse; // their log-sum-exp at the sampler's temperature, the backend's ({@link #weigh})

        /** The candidates (collected, in index order) whose logits are {@code >= t}, in that order. */
        Candidates from(float t) {
            Candidates c = new Candidates();
            c.high = high; // the largest passes any threshold it passes
            c.index = new int[count];
            c.logits = new float[count];
            for (int i = 0; i < count; i++) {
                c.index[c.count] = index[i];
                c.logits[c.count] = logits[i];
                c.count += logits[i] >= t ? 1 : 0;
            }
            return c;
        }

        /**
         * Copies borrowed arrays (collect's per-thread ones) into the candidates' own: before another collect
         * or anything after the weighing uses them (a level's set found short is dropped with no copy).
         */
        void own() {
            if (borrowed) {
                index = Arrays.copyOf(index, count);
                logits = Arrays.copyOf(logits, count);
                borrowed = false;
            }
        }

        /** Sorts the candidates left unsorted (each below every sorted one) behind the sorted prefix. */
        void sortRest() {
            Arrays.sort(keys, count, total);
            for (int i = count; i < total; i++) {
                index[i] = (int) keys[i];
            }
            count = total;
        }
    }

    /**
     * The {@code need} largest logits of the range (all of them if fewer) and any equal to the last of them,
     * sorted by logit descending, equal logits by index ascending (the k largest under the lowest-index tie
     * rule are the first k). One comparison per logit, against a
     * threshold estimated from a strided sample; a NaN is reported by that comparison.
     */
    private Candidates candidates(float[] x, int off, int n, int need) {
        return candidates(x, off, n, need, false);
    }

    /**
     * As {@link #candidates(float[], int, int, int)}; keepAll: every logit that passed the threshold is kept,
     * the first need of them sorted and the rest sorted on demand ({@link Candidates#sortRest()}).
     */
    private Candidates candidates(float[] x, int off, int n, int need, boolean keepAll) {
        float t = estimate(x, off, n, need);
        Candidates c = new Candidates();
        while (true) {
            c.count = 0;
            c.index = above(x, off, n, t, c, need, Integer.MAX_VALUE, false);
            if (c.count >= Math.min(need, n) || t == Float.NEGATIVE_INFINITY) {
                break;
            }
            t = lower(x, off, n, t, need, c.count);
        }
        return sorted(x, off, c, Math.min(need, n), keepAll);
    }

    /**
     * {@link #collect} of the logits {@code >= t} with room for what a threshold set for need candidates lets
     * through (about 4 * need + 64; one pass, rarely two), and at least for flatAt - 1 of them when flatAt is
     * below n (a flat distribution's level sets are large: a second pass for a set of tens of thousands took
     * a fifth of its search at 256K tokens).
     */
    private int[] above(float[] x, int off, int n, float t, Candidates c, int need, int flatAt, boolean borrow) {
        long room = Math.max(8L * need + 256, flatAt < n ? flatAt : 0);
        return collect(softmax.dispatch().kernel(n), x, off, n, t, c, (int) Math.min(n, room), flatAt, borrow);
    }

    /** The collected candidates sorted ({@link #sort}), checked, their +Inf logits counted. */
    private static Candidates sorted(float[] x, int off, Candidates c, int keep, boolean keepAll) {
        sort(x, off, c, keep, keepAll);
        if (c.count == 0 || x[off + c.index[0]] == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -Infinity: no token can be chosen");
        }
        for (int i = 0; i < c.count && x[off + c.index[i]] == Float.POSITIVE_INFINITY; i++) {
            c.infinite++;
        }
        return c;
    }

    /**
     * The indices (relative to off) of the logits {@code >= t} (one vectorized pass); a NaN among them throws.
     * null, with c.count set, when flatAt or more pass (only counted; the callers have ruled NaN out then).
     * borrow: the thread's select arrays themselves when they held them ({@link Candidates#borrowed}), else
     * copies.
     */
    private static int[] collect(Kernel kernel, float[] x, int off, int n, float t, Candidates c, int expect,
            int flatAt, boolean borrow) {
        // the threshold lets about 4 * need + 64 through: one pass, rarely two; a large guess goes into the
        // thread's array (zeroing 160 KiB for a few thousand hits took 8% of a wide top-p's time at 256K tokens)
        Object[] scratch = expect > SELECT_SCRATCH_MIN && expect <= SCRATCH_MAX ? selectScratch(expect) : null;
        int[] out = scratch != null ? (int[]) scratch[0] : new int[expect];
        float[] val = scratch != null ? (float[]) scratch[1] : new float[expect];
        int count = kernel.select(x, off, n, t, Float.POSITIVE_INFINITY, out, val);
        if (count >= flatAt) {
            c.count = count;
            return null;
        }
        if (count > out.length) {
            out = new int[count];
            val = new float[count];
            count = kernel.select(x, off, n, t, Float.POSITIVE_INFINITY, out, val);
            scratch = null; // arrays of its own
        }
        // their largest, and a NaN among them, by the backend's argmax (a Java loop over tens of thousands of
        // candidates in a flat distribution's level took a fifth of its search)
        long top = count == 0 ? 0 : kernel.argmax(val, 0, count);
        if (top < 0) {
            throw nanAt(x, off, n);
        }
        c.high = count == 0 ? Float.NEGATIVE_INFINITY : val[(int) top];
        c.count = count;
        c.borrowed = scratch != null && borrow;
        c.logits = scratch != null && !borrow ? Arrays.copyOf(val, count) : val;
        return scratch != null && !borrow ? Arrays.copyOf(out, count) : out;
    }

    /** collect's guesses above this many indices go into a per-thread array ({@link #selectScratch}). */
    private static final int SELECT_SCRATCH_MIN = 4096;
    /**
     * Per thread, collect's arrays for the select kernel's output, indices (int[]) and logits (float[]) (softly
     * held, up to {@link #SCRATCH_MAX} each; collect and {@link #bracketCut} write them; collect copies the hits
     * it returns, or lends them to a top-p level's set, Candidates.borrowed, until that set is dropped or owned).
     */
    private static final ThreadLocal<SoftReference<Object[]>> SELECT_SCRATCH = new ThreadLocal<>();

    /** The thread's arrays of at least length elements each (not cleared: the kernel overwrites them). */
    private static Object[] selectScratch(int length) {
        SoftReference<Object[]> held = SELECT_SCRATCH.get();
        Object[] a = held == null ? null : held.get();
        if (a == null || ((int[]) a[0]).length < length) {
            a = new Object[] {new int[length], new float[length]};
            SELECT_SCRATCH.set(new SoftReference<>(a));
        }
        return a;
    }

    /**
     * A threshold that at least {@code need} logits reach: for a short vector the need-th largest itself
     * (quickselect on a copy), else one that about {@code 4 * need + 64} should reach, from a strided sample.
     */
    private static float estimate(float[] x, int off, int n, int need) {
        if (need >= n) {
            return Float.NEGATIVE_INFINITY; // all of them
        }
        if (n <= 4 * SAMPLE) {
            return select(strided(x, off, n, n), n - need);
        }
        float[] s = strided(x, off, n, SAMPLE);
        long want = 4L * need + 64;
        int rank = (int) Math.min(SAMPLE, (want * SAMPLE + n - 1) / n + 2);
        return rank <= SMALL_RANK ? largest(s, rank) : select(s, SAMPLE - rank);
    }

    /** Up to this rank, {@link #largest} (one pass, a short sorted buffer) beats the quickselect. */
    private static final int SMALL_RANK = 64;

    /**
     * The rank-th largest of a (1-based, duplicates counted; no NaN): the rank largest kept in ascending order
     * in a short buffer, most values rejected by one comparison with its smallest.
     */
    private static float largest(float[] a, int rank) {
        float[] top = new float[rank];
        Arrays.fill(top, Float.NEGATIVE_INFINITY);
        for (float v : a) {
            if (v > top[0]) {
                int i = 1;
                while (i < rank && top[i] < v) {
                    top[i - 1] = top[i];
                    i++;
                }
                top[i - 1] = v;
            }
        }
        return top[0];
    }

    /**
     * count logits spread evenly over the whole range, the i-th at i * n / count rounded down (all of them when
     * count == n; a stride of n / count rounded down would leave a tail of up to n / 2 unsampled when
     * count < n < 2 count), a NaN as +Inf: it passes any threshold, and the full pass then finds and reports it.
     */
    private static float[] strided(float[] x, int off, int n, int count) {
        float[] s = new float[count];
        long step = ((long) n << 32) / count; // n / count in 32.32 fixed point: i * step >>> 32 <= i * n / count
        for (int i = 0; i < count; i++) {
            float v = x[off + (int) (i * step >>> 32)];
            s[i] = v != v ? Float.POSITIVE_INFINITY : v;
        }
        return s;
    }

    /** A float's bits as an int whose unsigned order is the float order (-0.0 taken as +0.0; no NaN). */
    private static int ascendingKey(float v) {
        int bits = Float.floatToRawIntBits(v + 0f); // -0.0 + 0.0 is +0.0
        return bits ^ (bits >> 31 | Integer.MIN_VALUE); // negative: all bits flipped; else the sign bit set (no branch)
    }

    /** The k-th smallest of a (0-based; no NaN), by the quickselect of the candidates on order-preserving keys. */
    private static float select(float[] a, int k) {
        long[] keys = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            keys[i] = ascendingKey(a[i]) & 0xFFFFFFFFL;
        }
        selectSmallest(keys, k + 1);
        long kth = Long.MIN_VALUE;
        for (int i = 0; i <= k; i++) {
            kth = Math.max(kth, keys[i]);
        }
        return fromKey((int) kth);
    }

    /** The float of an {@link #ascendingKey} (keys below -Inf's are NaNs). */
    private static float fromKey(int key) {
        return Float.intBitsToFloat(key < 0 ? key & Integer.MAX_VALUE : ~key);
    }

    /** A lower threshold when t let fewer than need logits through. */
    private static float lower(float[] x, int off, int n, float t, int need, int got) {
        if (got == 0 || n <= 4 * SAMPLE) {
            return Float.NEGATIVE_INFINITY;
        }
        // widen by the sample's spread below t: the (quantile) step that should bring about 8x more
        float[] s = strided(x, off, n, SAMPLE);
        Arrays.sort(s);
        int below = 0;
        while (below < SAMPLE && s[SAMPLE - 1 - below] >= t) {
            below++;
        }
        int rank = Math.min(SAMPLE, 8 * Math.max(below, 1) + 8);
        float lowered = s[SAMPLE - rank];
        return rank == SAMPLE || !(lowered < t) ? Float.NEGATIVE_INFINITY : lowered;
    }

    /**
     * Orders the candidates by logit descending, index ascending (equal logits, -0.0 and +0.0 included), and
     * keeps the first {@code keep} and any equal to the last of them: those keys are selected first
     * (quickselect) and only they are sorted, so a loose threshold that let a few hundred through costs little.
     */
    private static void sort(float[] x, int off, Candidates c, int keep, boolean keepAll) {
        // one primitive sort of longs: high 32 bits the logit in descending order, low 32 bits the index
        c.logits = null; // no longer in index's order
        long[] keys = new long[c.count];
        for (int i = 0; i < c.count; i++) {
            int descending = ~ascendingKey(x[off + c.index[i]]) ^ Integer.MIN_VALUE; // signed: descending floats
            keys[i] = ((long) descending << 32) | (c.index[i] & 0xFFFFFFFFL);
        }
        int m = keys.length;
        c.keys = keys;
        c.total = m;
        if (keep < m) {
            selectSmallest(keys, keep);
            // ties stay complete: every candidate equal to the last kept logit is kept too (+Inf logits
            // share the mass equally however many there are)
            long boundary = Long.MIN_VALUE;
            for (int i = 0; i < keep; i++) {
                boundary = Math.max(boundary, keys[i] >> 32);
            }
            int end = keep;
            for (int i = keep; i < m; i++) {
                if (keys[i] >> 32 == boundary) {
                    long t = keys[end];
                    keys[end++] = keys[i];
                    keys[i] = t;
                }
            }
            m = end;
        }
        Arrays.sort(keys, 0, m);
        for (int i = 0; i < m; i++) {
            c.index[i] = (int) keys[i];
        }
        c.count = m;
        if (!keepAll) {
            c.total = m;
        } else if (m < c.total && x[off + c.index[m - 1]] == Float.POSITIVE_INFINITY) {
            c.sortRest(); // +Inf logits share the mass: all of them must be in the sorted prefix
        }
    }

    /**
     * Moves the k smallest of a into a[0 .. k) in some order (Hoare's quickselect, middle pivot). Inputs built
     * against the middle pivot (each round's pivot the least of its range) would take n^2/2 steps: after
     * 2 floor(log2(n)) + 8 rounds the range left is sorted instead (introselect's guard), so the worst case is
     * O(n log n).
     */
    static void selectSmallest(long[] a, int k) {
        selectSmallest(a, k, 2 * (31 - Integer.numberOfLeadingZeros(a.length)) + 8);
    }

    /** {@link #selectSmallest(long[], int)} with a given round budget (the tests take the guard's branch early). */
    static void selectSmallest(long[] a, int k, int rounds) {
        int lo = 0;
        int hi = a.length - 1;
        for (; lo < hi; rounds--) {
            if (rounds == 0) {
                Arrays.sort(a, lo, hi + 1); // everything left of lo is <= the range, everything right of hi >=
                return;
            }
            long pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    /**
     * The survivors of top-k, top-p and min-p, as a prefix of sorted candidates (min-p alone: all of them, in
     * index order, {@link Candidates#top} set): returns them, or a flat marker ({@link Candidates#flat})
     * when flat is set and top-p or min-p without top-k keeps many tokens ({@link #flatNucleus}), or (flat set)
     * top-p's unsorted candidates that hold its nucleus ({@link Candidates#unsorted}, {@link #candidateNucleus}).
     * lse: the backend's log-sum-exp where top-p without top-k needs it ({@link #needsTotalMass}).
     */
    private Candidates survivors(float[] x, int off, int n, double lse, boolean flat) {
        int k = topK == 0 ? n : Math.min(topK, n);
        Candidates c;
        if (topK != 0 || topP >= 1.0 && minP == 0.0) {
            c = candidates(x, off, n, k);
        } else {
            // a huge lse (finite) cannot rank candidates by mass: the flat nucleus (weights relative to the top,
            // no lse), or all of them sorted when it cannot tell the cut
            if (huge(lse)) {
                c = flat ? FLAT : candidates(x, off, n, n);
            } else {
                c = massCandidates(x, off, n, lse, flat);
            }
            if (c.flat || c.unsorted || c.top == c.top) {
                return c; // a flat nucleus, top-p's unsorted candidates, or min-p's survivors
            }
        }
        if (c.infinite > 0) {
            c.count = Math.min(c.infinite, k); // +Inf logits share the mass equally
            return c;
        }
        int keep = Math.min(k, c.count);
        float s = scale();
        float top = x[off + c.index[0]];
        if (minP > 0.0) {
            // p_i >= min_p * p_max  <=>  s*(x_i - x_max) >= ln(min_p)
            double floor = StrictMath.log(minP); // the same cut on every platform
            int m = 1;
            while (m < keep && ((double) x[off + c.index[m]] - top) * s >= floor) {
                m++;
            }
            keep = m;
        }
        if (topP < 1.0) {
            // mass of the kept tokens (top-k renormalises over its own set; without top-k, over all)
            if (topK != 0) {
                double total = 0.0;
                for (int i = 0; i < Math.min(k, c.count); i++) {
                    total += candidateWeight(c, i, x, off, top);
                }
                keep = nucleus(x, off, c, keep, top, topP * total, 0.0);
            } else {
                // the rule's total is sum(weights(all)); the backend's log-sum-exp, then the double passes, tell
                // the cut without it unless the cut is within their error of the target (the candidates hold
                // the nucleus under any of them: massCandidates asks 1e-6 more than the first)
                int m = huge(lse) ? -1 : nucleus(x, off, c, keep, top, topP * StrictMath.exp(lse - (double) top * s),
                        lseSlack(n));
                if (m < 0 && !huge(lse)) {
                    m = nucleus(x, off, c, keep, top, topP * sum(doubleMasses(x, off, n, top)), slack(n));
                }
                keep = m >= 0 ? m : nucleus(x, off, c, keep, top, topP * ruleTotal(x, off, n, top), 0.0);
            }
        }
        c.count = keep;
        return c;
    }

    /**
     * How many of the first keep candidates (sorted) the top-p walk keeps: until their mass reaches target. The
     * rule's target is known to within a relative {@code rel}: -1 when the walk reaches that band without
     * passing it (too close to tell).
     */
    private int nucleus(float[] x, int off, Candidates c, int keep, float top, double target, double rel) {
        float s = scale();
        double low = target * (1.0 - rel);
        double acc = 0.0;
        int m = 0;
        while (m < keep) {
            acc += candidateWeight(c, m, x, off, top);
            m++;
            if (acc >= low) {
                return acc >= target * (1.0 + rel) ? m : -1;
            }
        }
        return m;
    }

    /**
     * A bound on the relative distance between exp(lse - s top), lse the backend's log-sum-exp in double, and
     * the rule's total: lse's absolute error (at most 4.87 x 2^-24, docs/NUMERICS.md's proof given the measured
     * error of the exponential; 12 x 2^-24 taken), the rounding of s top and of the exponents, StrictMath.exp,
     * the rule's sum ((n - 1) 2^-53) and the product with p. Sorted candidates hold the rule's nucleus because
     * lse's error plus the rule's stays below the 1e-6 that massCandidates adds to the mass it gathers (a weighed
     * set, whose mass has two such errors, is cut unsorted only beyond both).
     */
    private static double lseSlack(int n) {
        return 12 * 0x1p-24 + (n + 64.0) * 0x1p-51;
    }

    /** The backend's log-sum-exp of the range at this temperature; NaN and all -Inf throw. */
    private double totalMass(float[] x, int off, int n) {
        double lse = scaled().lse(x, off, n);
        if (Double.isNaN(lse)) {
            throw nanAt(x, off, n);
        }
        if (lse == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -Infinity: no token can be chosen");
        }
        return lse;
    }

    /**
     * Candidates whose mass, with the backend's log-sum-exp, reaches top-p, or min-p's survivors (top-k not
     * set; in index order, {@link Candidates#top} set); a flat marker ({@link #FLAT}, or min-p's own with its
     * top) when flat is set and a probability level of top-p or min-p's threshold lets {@link #flatFrom} tokens
     * or more through, or when the candidates of a top-p level fall so far short of p that the nucleus
     * holds that many ({@link #flatBelow}).
     */
    private Candidates massCandidates(float[] x, int off, int n, double lse, boolean flat) {
        float s = scale();
        if (topP >= 1.0) {
            // below flatFrom, the survivors are collected (many of them drawn from unsorted: sampleRange)
            int flatAt = flat ? flatFrom(n) : Integer.MAX_VALUE;
            // min-p alone: its survivors are the logits from an exact threshold on (+Inf logits: those)
            float top = x[off + argmax(x, off, n)];
            if (top == Float.POSITIVE_INFINITY) {
                return candidates(x, off, n, Math.min(64, n), true);
            }
            // the top passes: some; they are the survivors (the draw weighs them in index order: no sort)
            Candidates c = minPSurvivors(x, off, n, top, flatAt);
            c.flat = c.index == null; // a flat nucleus (its top known)
            c.total = c.count;
            c.top = top;
            return c;
        }
        int flatAt = flat ? flatFrom(n) : Integer.MAX_VALUE;
        int need = 64;
        // Top-p from the log-sum-exp, with no sample of the logits: the tokens of probability >= 2^-9, then
        // >= 2^-13, >= 2^-17 (at most 512, 8192 and 131072 of them; a peaked distribution's nucleus is among the
        // first, which the mass walk below checks, a nucleus of a few thousand among the third, whose set is far
        // smaller than the next level's: that one would call many of them flat), then >= (1 - p) / 2n, whose
        // complement holds less than (1 - p) / 2 of the mass: the nucleus is among those (the walk accepts them
        // unless p is within ~2e-6 of 1, where it asks for more). One select pass each (the first two share
        // one); the sampled estimate when lse is not finite, or when the levels did not suffice.
        double[] levels = massLevels((1.0 - topP) / (2.0 * n));
        double enough = topP * (1.0 + 1e-6); // the sorted candidates' mass that holds the nucleus under lse's error
        // the first two levels' sets from one select pass (the first's: the second's logits from its bound on),
        // unless the second reaches flatAt (it holds at most about 2^13 tokens: only in short vocabularies)
        Candidates ahead = null;
        boolean secondFlat = false; // the second level's set reached flatAt
        for (int round = 0;; round++) {
            float bound = round < levels.length ? massBound(lse, s, levels[round]) : Float.NaN;
            if (round == 0 && levels.length > 2 && bound == bound) {
                ahead = new Candidates();
                ahead.index = collect(softmax.dispatch().kernel(n), x, off, n, massBound(lse, s, levels[1]), ahead,
                        Math.min(n, AHEAD_MAX), flatAt, true); // borrowed until round 1 (no collect before)
                secondFlat = ahead.index == null;
                ahead = secondFlat ? null : ahead;
            } else if (round == 1 && secondFlat) {
                return FLAT; // what the second level's own select pass would find
            }
            // all that passed the threshold (often several times need, enough to end in one round); a set of
            // more than WEIGH_MIN is weighed unsorted first (weigh: its mass from the backend's log-sum-exp of its
            // logits, where the unsorted paths are allowed): one short of top-p goes on to the next level with
            // nothing sorted, and one of at least UNSORTED_MIN that holds it is cut and drawn from unsorted
            // (candidateNucleus)
            Candidates c;
            if (bound == bound) {
                if (ahead == null) {
                    c = new Candidates();
                    c.index = above(x, off, n, bound, c, need, flatAt, true);
                } else {
                    c = round == 0 ? ahead.from(bound) : ahead; // the first level's set, then the second's
                    ahead = round == 0 ? ahead : null;
                }
                if (c.count == 0) {
                    continue; // no token that probable (a flat distribution): the next level
                }
                if (c.index == null) {
                    return FLAT;
                }
                if (flat && c.count > WEIGH_MIN && weigh(c)) {
                    // the set's mass relative to exp(lse), within lseSlack(n) + lseSlack(count) (~1.4e-6) of the
                    // rule's: short of p, the next level; holding p beyond that error, cut unsorted; in between
                    // (or short at the last level: p within ~2e-6 of 1) sorted and walked
                    double held = Math.exp(c.lse - lse);
                    if (held < enough && round + 1 < levels.length) { // short: the next level, nothing sorted
                        // the sample (looksFlat) only where a sixteenth of flatAt is certain
                        if (flatBelow(c.count, held, levels[round], flatAt)
                                || flatBelow(c.count, held, levels[round], flatAt / 16)
                                        && looksFlat(x, off, n, lse, flatAt)) {
                            return flat(c.high);
                        }
                        need = (int) Math.min(n, 8L * Math.max(need, c.count));
                        continue;
                    }
                    double holds = topP * (1.0 + lseSlack(n) + lseSlack(c.count) + 0x1p-40);
                    if (c.count >= UNSORTED_MIN && held >= holds) {
                        c.own();
                        c.unsorted = true; // the cut and the draw without a sort (candidateNucleus)
                        return c;
                    }
                }
                c.own(); // a set short of p was dropped with no copy (a flat search's levels: tens of thousands)
                c = sorted(x, off, c, Math.min(need, c.count), true);
            } else {
                c = candidates(x, off, n, Math.min(need, n), true);
            }
            if (c.infinite > 0) {
                return c;
            }
            if (c.total >= n) {
                c.sortRest();
                return c;
            }
            // enough when the candidates hold the top-p mass and the min-p survivors (they are a prefix)
            double mass = 0.0;
            int i = 0;
            boolean done;
            while (true) {
                // the candidates are sorted, most probable first: stop as soon as they hold enough
                for (; i < c.count && mass < enough; i++) {
                    mass += probability(x[off + c.index[i]], s, lse);
                }
                float last = x[off + c.index[c.count - 1]];
                float top = x[off + c.index[0]];
                boolean minPCovered = minP == 0.0 || ((double) last - top) * s < StrictMath.log(minP);
                done = mass >= enough && minPCovered;
                if (done || c.count == c.total) {
                    break;
                }
                c.sortRest();
            }
            if (done) {
                return c;
            }
            if (flat && bound == bound && mass < enough && flatBelow(c.count, mass, levels[round], flatAt)) {
                return flat(x[off + c.index[0]]);
            }
            need = (int) Math.min(n, 8L * Math.max(need, c.count));
        }
    }

    /**
     * A top-p level's set of at least this many candidates known to hold the nucleus is cut and drawn from
     * unsorted ({@link #candidateNucleus}; a shorter one is sorted and walked), and so are min-p's survivors from
     * this many when they are the answer ({@link #sampleRange}, {@link #minPFirst}; fewer: walked by the rule's
     * weights). minPFirst cuts top-p's nucleus from min-p's survivors unsorted at any size.
     */
    private static final int UNSORTED_MIN = 256;

    /**
     * Min-p's survivors below a finite top (the logits from its exact threshold on), collected in index order with
     * their logits ({@link #collect}: index null, count set, when flatAt or more pass). Room for flatAt of them
     * (above 4096, up to SCRATCH_MAX, the thread's select arrays): one select pass (a second took a fifth of a
     * draw from 15K survivors of 128K flat logits); 1024 at first above 2^20 tokens.
     */
    private Candidates minPSurvivors(float[] x, int off, int n, float top, int flatAt) {
        Candidates c = new Candidates();
        int room = Math.min(n, flatAt <= SCRATCH_MAX ? flatAt : 1024);
        c.index = collect(softmax.dispatch().kernel(n), x, off, n, fromKey(minPKey(top, scale())), c, room, flatAt,
                false);
        return c;
    }

    /**
     * Top-p with min-p, no top-k: both keep a prefix of the ranking, so the survivors are the shorter one. Min-p's
     * (the logits from its exact threshold on, collected in index order when fewer than {@link #flatFrom}) are
     * the answer when their mass is certainly below top-p's p (their log-sum-exp and the vocabulary's, the
     * backend's, each within {@link #lseSlack} of the rule's): drawn from as min-p alone draws them, unsorted;
     * otherwise {@link #candidateNucleus} cuts top-p's nucleus from among them (they hold it, or fall short of p by
     * less than about twice its error bound, and it then tells nothing). -1, with nothing drawn, when neither can
     * tell or min-p keeps flatFrom or more (the levels then): over flat logits at top-p 0.95 and
     * min-p 0.05 (llama.cpp's defaults) the levels took 8x a softmax for a draw from 1.4% of the vocabulary.
     */
    private int minPFirst(float[] x, int off, int n, double lse, RandomGenerator rng) {
        float top = x[off + argmax(x, off, n)];
        if (top == Float.POSITIVE_INFINITY) {
            return -1; // +Inf logits: the levels' own path
        }
        Candidates c = minPSurvivors(x, off, n, top, flatFrom(n));
        if (c.index == null || !weigh(c)) {
            return -1;
        }
        // top-p's share of min-p's survivors' mass, as candidateNucleus has it, within rel: above 1 + rel (and a
        // little more for the comparison), the rule's top-p prefix is longer than min-p's
        double share = topP * Math.exp(lse - c.lse);
        double rel = lseSlack(n) + lseSlack(c.count) + (Math.abs(lse) + Math.abs(c.lse) + 2) * 0x1p-52;
        if (share * (1 - rel) > 1 + rel + 0x1p-50) {
            if (c.count >= UNSORTED_MIN) {
                int token = c.index[flatNucleus(c.logits, 0, c.count, top, rng, NO_CUT, 0.0, Double.NaN)];
                CANDIDATE_DRAWS.increment();
                return token;
            }
            c.top = top; // min-p alone's survivors in index order: the rule's weights
            c.total = c.count;
            return draw(c, x, off, n, rng);
        }
        return candidateNucleus(x, off, n, c, lse, rng);
    }

    /**
     * Top-p (and min-p) without top-k over candidates known to hold the nucleus (all the logits from a
     * probability level on: a prefix of the ranking), {@code c.index[0 .. c.count)} in index order:
     * {@link #flatNucleus} over their logits as collected in that order, relative to the backend's log-sum-exp of the
     * vocabulary (within {@link #lseSlack} of the rule's total): no sort, and the rule's StrictMath weights only
     * for a draw too close to tell otherwise. -1, with nothing drawn, when the cut is too close to tell, or the
     * candidates fall short of p (min-p's survivors from {@link #minPFirst} whose mass it could not place).
     */
    private int candidateNucleus(float[] x, int off, int n, Candidates c, double lse, RandomGenerator rng) {
        // top-p's share of the candidates' total: the rule's total over theirs. exp(lse) and exp(c.lse), the
        // backend's log-sum-exps of the vocabulary and of the candidates, are within lseSlack of the rule's totals
        // (relative to exp(s top)); their difference rounds by at most (|lse| + |c.lse|) 2^-53, Math.exp and the
        // product by 2^-53 each
        double p = topP * Math.exp(lse - c.lse);
        double rel = lseSlack(n) + lseSlack(c.count) + (Math.abs(lse) + Math.abs(c.lse) + 2) * 0x1p-52;
        int token = flatNucleus(c.logits, 0, c.count, c.high, rng, p, p * rel, Double.NaN);
        if (token < 0) {
            // too close to tell: both totals from the backend's double passes, the vocabulary's within slack(n) of
            // the rule's, the candidates' log-sum-exp within 4 ULP of max(|lse'|, 1) (lse' <= log 2^31) of theirs;
            // the division's and Math.exp's roundings: 2^-42 covers those
            p = topP * (sum(doubleMasses(x, off, n, c.high)) / Math.exp(doubleLse(c.logits, c.count, c.high)));
            token = flatNucleus(c.logits, 0, c.count, c.high, rng, p, p * (slack(n) + 0x1p-42), Double.NaN);
        }
        if (token < 0) {
            return -1;
        }
        CANDIDATE_DRAWS.increment();
        return c.index[token];
    }

    /**
     * The backend's double log-sum-exp of the rule's exponents {@code ((double) v[j] - top) * s} of v[0 .. m)
     * (within 4 ULP of max(|lse|, 1), docs/NUMERICS.md, "Double precision").
     */
    private double doubleLse(float[] v, int m, float top) {
        Object[] scratch = takeScratch(m);
        try {
            double[] d = (double[]) scratch[0];
            widen(v, 0, m, top, d);
            double[] lse = new double[1];
            unscaled().runF64(Op.LOG_SUM_EXP, d, 0, m, d, 0, m, 1, m, lse);
            return lse[0];
        } finally {
            putScratch(scratch);
        }
    }

    /**
     * Room for the second top-p level's set (tokens of probability 2^-13 or more, and a few more for lse's
     * rounding), collected with the first's in one pass ({@link #massCandidates}).
     */
    private static final int AHEAD_MAX = (1 << 13) + 256;

    /** Sets of more candidates than this are weighed by {@link #weigh} (fewer are sorted and walked). */
    private static final int WEIGH_MIN = 64;

    /**
     * Weighs a top-p level's candidates (or min-p's survivors) c.index[0 .. c.count) (no NaN) unsorted, from
     * their logits as collected ({@link Candidates#logits}): the backend's log-sum-exp of them at this temperature
     * (one pass, ~0.12 ns per candidate; {@link Candidates#lse}). False (nothing weighed) when their largest
     * ({@link Candidates#high}) is +Inf.
     */
    private boolean weigh(Candidates c) {
        if (c.high == Float.POSITIVE_INFINITY) {
            return false;
        }
        c.lse = scaled().lse(c.logits, 0, c.count);
        return true;
    }

    /** A logit's probability from the backend's log-sum-exp in double (the top-p search's mass walks). */
    private static double probability(float v, float s, double lse) {
        return Math.exp((double) v * s - lse);
    }

    /**
     * Whether the top-p nucleus has flatAt tokens or more when the count candidates above probability level q
     * (all of them) hold mass held, short of top-p: it takes all of them and at least (p - held) / q more, each
     * below q. Only the path depends on it (the flat nucleus is exact for any nucleus): it spares sorting and
     * weighing candidates, and further select passes, when the distribution is flat.
     */
    private boolean flatBelow(int count, double held, double q, int flatAt) {
        return count + (topP - held) / q >= flatAt;
    }

    /** {@link #looksFlat}'s bins per unit of log-probability, and their span below its highest bin. */
    private static final int GUESS_BINS_PER_UNIT = 16;
    private static final int GUESS_BINS = 32 * GUESS_BINS_PER_UNIT;

    /**
     * A guess, from a strided sample of SAMPLE logits ({@link #strided}), that the top-p nucleus holds well over
     * flatAt tokens (1.25 flatAt), taken when a level's set fell short of p and {@link #flatBelow} could not tell
     * but certifies flatAt / 16 (wide logits' nuclei, hundreds to a few thousand tokens, stay clear of the sample,
     * whose strided reads took 1.03-1.34x their time at 128K-256K tokens): it spares the next level's select pass
     * and weighing (at 128K flat logits, a set of ~30K), which would end flat.
     * Only the path depends on it: {@link #flatNucleus} is exact for any nucleus, and a wrong guess costs time.
     * Each sampled token stands for n / m; its log-probability (lse the backend's) goes into a bin of width
     * 1/16, the bins walked from the most probable down (a bin weighed at its centre, within 3.2%) until their
     * mass passes p of the sample's own total. No guess (false) when the sample holds less than half of the
     * mass (the mass is in tokens it missed: a few heavy ones, no flat nucleus).
     */
    private boolean looksFlat(float[] x, int off, int n, double lse, int flatAt) {
        float[] sample = strided(x, off, n, Math.min(n, SAMPLE));
        int m = sample.length;
        double s = scale();
        // bin 0 holds log-probabilities from high down; higher ones go into heavy, weighed exactly
        double high = 8.0 - Math.log(n);
        int[] count = new int[GUESS_BINS];
        double heavy = 0.0; // the probability of the sampled tokens above high
        int heavies = 0;
        for (int j = 0; j < m; j++) {
            double lq = sample[j] * s - lse;
            double b = (high - lq) * GUESS_BINS_PER_UNIT;
            if (b < 0.0) {
                heavy += Math.exp(lq);
                heavies++;
            } else {
                count[(int) Math.min(b, GUESS_BINS - 1)]++; // -Inf: the last bin (weighed, negligibly, at its centre)
            }
        }
        double[] mass = new double[GUESS_BINS];
        double total = heavy;
        for (int k = 0; k < GUESS_BINS; k++) {
            mass[k] = count[k] == 0 ? 0.0 : count[k] * Math.exp(high - (k + 0.5) / GUESS_BINS_PER_UNIT);
            total += mass[k];
        }
        double per = (double) n / m; // tokens per sampled token
        if (!(total * per >= 0.5)) {
            return false;
        }
        double held = heavy;
        long tokens = heavies;
        for (int k = 0; k < GUESS_BINS && held < topP * total; k++) {
            held += mass[k];
            tokens += count[k];
        }
        return tokens * per >= 1.25 * flatAt;
    }

    /** The probability levels of the top-p candidates ({@link #massCandidates}) down to the safe one. */
    private static double[] massLevels(double safe) {
        double[] levels = {0x1p-9, 0x1p-13, 0x1p-17};
        int above = 0;
        while (above < levels.length && levels[above] > safe) {
            above++;
        }
        double[] all = Arrays.copyOf(levels, above + 1);
        all[above] = safe;
        return all;
    }

    /**
     * The logit threshold of probability q: the largest float not above {@code (lse + log q) / s}, so every token
     * of probability at least q (a little less, for lse's rounding) reaches it; NaN when lse is not finite.
     */
    private static float massBound(double lse, float s, double q) {
        if (!(Math.abs(lse) < Double.POSITIVE_INFINITY)) {
            return Float.NaN;
        }
        double t = (lse + Math.log(q)) / s;
        float f = (float) t;
        return f > t ? Math.nextDown(f) : f;
    }

    /**
     * {@link #survivors}' answer when top-p or min-p without top-k has {@link #flatFrom} candidates or more
     * (min-p alone answers with one of its own, {@link Candidates#flat} and the top logit set).
     */
    private static final Candidates FLAT = new Candidates();

    static {
        FLAT.flat = true;
    }

    /** A flat marker with its top known (the largest logit of a top-p level's set: the vocabulary's). */
    private static Candidates flat(float top) {
        Candidates c = new Candidates();
        c.flat = true;
        c.top = top;
        return c;
    }

    /**
     * From how many candidates (min-p's survivors, a top-p level's set, or a top-p nucleus bounded from
     * below by {@link #flatBelow}) on top-p or min-p without top-k takes {@link #flatNucleus} over the vocabulary
     * instead of collecting the candidates and drawing from them unsorted ({@link #candidateNucleus}, min-p's in
     * {@link #sampleRange}: a few ns per candidate against about 1-1.5 ns per token of the vocabulary).
     */
    private static int flatFrom(int n) {
        return Math.max(256, n / 4);
    }

    /** How many tokens {@link #flatNucleus} has drawn over the vocabulary: the tests check their inputs take it. */
    static final LongAdder FLAT_DRAWS = new LongAdder();
    /**
     * How many tokens {@link #flatNucleus} has drawn from collected candidates, top-p's ({@link
     * #candidateNucleus}) or min-p's survivors as collected, alone or binding before top-p (for the tests).
     */
    static final LongAdder CANDIDATE_DRAWS = new LongAdder();

    /** {@link #flatNucleus}' p when there is no top-p cut to find (min-p's survivors are the answer). */
    private static final double NO_CUT = Double.POSITIVE_INFINITY;

    /** {@link Kernel#binExp}'s bins when there is no cut to find: the weights alone. */
    private static final double[] NO_BINS = {};

    /** The bins of each level of {@link #topPCut}: linear in the logit, a histogram that stays in L1. */
    private static final int CUT_BINS = 2048;

    /** {@link #topPCut}'s first level spans this far below the top logit, times T (the rest share its last bin). */
    private static final double CUT_SPAN = 32.0;

    /** A set of {@link #topPCut} this small is sorted (logit descending, index ascending) instead of binned. */
    private static final int CUT_SORT = 64;

    /** Room for the first level's bin in {@link #topPCut} at first (more: a second select). */
    private static final int CUT_FIRST = 4096;

    /** The longest vocabulary whose {@link #flatNucleus} arrays a thread keeps (3 MiB at most, softly held). */
    private static final int SCRATCH_MAX = 1 << 18;

    /**
     * Per thread, {@link #flatNucleus}' arrays up to {@link #SCRATCH_MAX} (no 3 MiB allocated per token): the
     * weights (double[]) and {@link #topPCut}'s bin lists (int[]). Softly held, of JDK classes only (no
     * class loader kept), and taken out while in use: a call from the caller's generator gets its own.
     */
    private static final ThreadLocal<SoftReference<Object[]>> SCRATCH = new ThreadLocal<>();

    /** The thread's arrays of at least n elements each, taken out of {@link #SCRATCH} (or new ones). */
    private static Object[] takeScratch(int n) {
        SoftReference<Object[]> ref = SCRATCH.get();
        Object[] s = ref == null ? null : ref.get();
        if (s == null || ((double[]) s[0]).length < n) {
            int length = n > SCRATCH_MAX || s == null ? n
                    : Math.max(n, Math.min(SCRATCH_MAX, 2 * ((double[]) s[0]).length));
            return new Object[] {new double[length], new int[length]};
        }
        SCRATCH.remove();
        return s;
    }

    /** Gives the arrays back to the thread (kept up to {@link #SCRATCH_MAX} elements). */
    private static void putScratch(Object[] s) {
        if (((double[]) s[0]).length <= SCRATCH_MAX) {
            SCRATCH.set(new SoftReference<>(s));
        }
    }

    /**
     * Top-p and/or min-p without top-k over a nucleus of much of the vocabulary: the exact rule's cut and draw
     * with no sort. The backend's one pass ({@link Kernel#binExp}) gives the weight of every token relative to the
     * top, exp of the rule's own exponent, within 2^-42; with the sums' rounding and the rule's, the cut's and the
     * draw's cumulative masses are within {@link #slack}, half the margin, of the rule's (relative to the total).
     * Top-p: a selection over bins linear in the logit ({@link #topPCut}: each level's bins in L1, most probable
     * first, their masses summed in double) finds the token where the mass of the tokens ranked before it
     * (logit descending, index ascending) passes p, and the cut is the rule's when p is farther than the margin
     * from both edges of that token's interval.
     * Min-p: the logits from its exact threshold ({@link #minPKey}) on. The draw walks the survivors'
     * weights in index order ({@link Kernel#walk}) with the same margin, and the rule itself (StrictMath weights of the
     * survivors) takes a draw closer than that. Returns -1, with nothing drawn from rng, when the cut is too
     * close to tell. From BRACKET_FROM tokens with lse known, a sample's bracket of the cut ({@link #bracket},
     * {@link #bracketCut}) comes first, and the first-level bins only when it misses.
     * <p>
     * Over x[off .. off + n): the whole vocabulary (p = topP, pSlack 0, lse its log-sum-exp
     * at this temperature if known and not {@link #huge}, else NaN), or the logits of a prefix of its ranking that
     * holds the nucleus, collected in index order ({@link #candidateNucleus}): p is then top-p's share of the
     * prefix's own total, known within pSlack (the cut's margin grows by it); or min-p's survivors as collected,
     * alone or shorter than top-p's nucleus (p = {@link #NO_CUT}: no top-p cut). lse only guides the path.
     */
    private int flatNucleus(float[] x, int off, int n, float top, RandomGenerator rng, double p, double pSlack,
            double lse) {
        Object[] scratch = takeScratch(n);
        try {
            return flatNucleus(x, off, n, top, rng, (double[]) scratch[0], (int[]) scratch[1], p, pSlack, lse);
        } finally {
            putScratch(scratch);
        }
    }

    /** {@link #flatNucleus} with its arrays: y for the weights, link for {@link #topPCut}. */
    private int flatNucleus(float[] x, int off, int n, float top, RandomGenerator rng, double[] y, int[] link,
            double p, double pSlack, double lse) {
        // the rule's weights exp(s (x_i - top)) in double (the backend's one pass; within 2^-42 each), and in the
        // same pass the weight above a bracket of the cut guessed from a sample (two bins), or the first level of
        // topPCut's bins (none for min-p alone: no cut to find)
        Kernel kernel = softmax.dispatch().kernel(n);
        // bins per unit of logit, a float (Kernel.bin's arithmetic) even at 1/T near Float.MAX_VALUE
        double inv = Math.min(CUT_BINS * (double) scale() / CUT_SPAN, Float.MAX_VALUE);
        boolean cuts = topP < 1.0 && p != NO_CUT;
        // the cut's distance to the rule is at most (4n + 8) 2^-53 + 2^-41 of the total, the draw's (4n + 10)
        // 2^-53 + 2^-41 (docs/NUMERICS.md, "Token sampling"): twice slack(n) covers either about twice
        double margin = 2 * slack(n);
        double z; // top's weight (c, 1 natively) or more
        // the survivors: the tokens i whose ascendingKey is above cut, or equal and i <= last (cutDistance >= 0)
        long cut = 0;
        int last = n - 1;
        double total = Double.NaN; // their weight, when known
        if (cuts) {
            double[] before = new double[1];
            int[] bracket = lse == lse && n >= BRACKET_FROM ? bracket(kernel, x, off, n, top, inv, lse, p, y) : null;
            last = NOT_BRACKETED;
            // the bracket: the logits from the least float of first-level bin bracket[1] (not the last: finite) to
            // hi, the largest float in bin 1 of two at inv2 (bin 0 of two: the logits above the bracket)
            double inv2 = bracket == null ? Double.NaN : inv / bracket[0];
            float lo = bracket == null ? Float.NaN : fromKey(binKey(top, inv, bracket[1], true));
            float hi = bracket == null ? Float.NaN : fromKey(binKey(top, inv2, 1, false));
            if (lo <= hi) { // not NaN: a bracket, not empty
                double[] above = new double[2];
                z = kernel.binExp(x, off, n, top, scale(), inv2, y, above);
                last = bracketCut(kernel, x, off, n, y, link, top, lo, hi, above[0], p * z, (margin + pSlack) * z,
                        before);
            }
            if (last == NOT_BRACKETED) {
                if (lo <= hi) {
                    BRACKET_MISSES.increment();
                }
                double[] bins = new double[CUT_BINS];
                z = kernel.binExp(x, off, n, top, scale(), inv, y, bins);
                last = topPCut(kernel, x, off, n, y, link, top, inv, bins, p * z, (margin + pSlack) * z, before);
            } else {
                BRACKETED.increment();
            }
            if (last < 0) {
                return -1;
            }
            cut = ascendingKey(x[off + last]) & 0xFFFFFFFFL;
            total = before[0] + y[last]; // any order of the sum is within the margin
        } else {
            z = kernel.binExp(x, off, n, top, scale(), inv, y, NO_BINS);
        }
        if (minP > 0.0) { // s (x_i - top) >= log(min_p): the logits from a threshold on, a prefix of the ranking
            long min = minPKey(top, scale()) & 0xFFFFFFFFL;
            if (min > cut) {
                cut = min;
                last = n - 1; // every logit equal to the threshold's
                total = Double.NaN;
            }
        }
        // the survivors are the logits from the cut's on (ties after last weigh 0 in y): the backend's walk over
        // them in index order sums their weights (any order of the sums is within the margin)
        float xc = fromKey((int) cut);
        double[] before = new double[1];
        if (Double.isNaN(total)) {
            kernel.walk(x, off, n, y, xc, Double.POSITIVE_INFINITY, before);
            total = before[0];
        }
        double u = unit(rng);
        double target = u * total;
        int i = kernel.walk(x, off, n, y, xc, target, before);
        if (i < n && before[0] <= target - margin * total && before[0] + y[i] > target + margin * total) {
            return i; // x[off + i] >= xc: the walk stopped at a survivor
        }
        float s = scale();
        for (int j = 0; j < n; j++) { // too close to tell: the rule, over the survivors in index order
            y[j] = cutDistance(x[off + j], j, cut, last) >= 0 ? weight(x, off + j, top, s) : 0.0;
        }
        return walk(j -> y[j], n, null, sum(y, n), u);
    }

    /** From this vocabulary size on, the vocabulary's flat nucleus brackets its cut from a sample first. */
    private static final int BRACKET_FROM = 1 << 13;

    /** How many logits {@link #bracket} weighs (at most a sixteenth of the vocabulary), in runs of BRACKET_RUN. */
    private static final int BRACKET_SAMPLE = 4096;

    /** {@link #bracket}'s logits come in runs of this many consecutive ones (a 64-byte line). */
    private static final int BRACKET_RUN = 16;

    /** {@link #bracket}'s width: this many standard deviations of the sampled weight either side of the cut. */
    private static final double BRACKET_SIGMAS = 2.0;

    /** {@link #bracketCut}'s room for the bracket's tokens, as a share of the vocabulary (1/8). */
    private static final int BRACKET_ROOM_SHIFT = 3;

    /** {@link #bracketCut}'s answer when the cut is not in the bracket by the margin: {@link #topPCut} decides. */
    private static final int NOT_BRACKETED = -2;

    /**
     * Per thread, {@link #bracket}'s and {@link #bracketCut}'s arrays: CUT_BINS bins (double[]), the sample
     * (float[] of BRACKET_SAMPLE), and the bracket's weights (double[]) and indices (int[]), grown as needed up to
     * SCRATCH_MAX (the bracket's room). Softly held, JDK classes only; each call zeroes the bins it takes. Fresh
     * arrays cost more than the sample's kernel call (tens of KiB zeroed in memory not in cache).
     */
    private static final ThreadLocal<SoftReference<Object[]>> BRACKET_SCRATCH = new ThreadLocal<>();

    private static Object[] bracketScratch() {
        SoftReference<Object[]> held = BRACKET_SCRATCH.get();
        Object[] a = held == null ? null : held.get();
        if (a == null) {
            a = new Object[] {new double[CUT_BINS], new float[BRACKET_SAMPLE], new double[CUT_FIRST],
                new int[CUT_FIRST]};
            BRACKET_SCRATCH.set(new SoftReference<>(a));
        }
        return a;
    }

    /** The thread's CUT_BINS bins, zeroed. */
    private static double[] bracketBins() {
        double[] bins = (double[]) bracketScratch()[0];
        Arrays.fill(bins, 0.0);
        return bins;
    }

    /** The thread's array for the sample, BRACKET_SAMPLE floats (contents undefined). */
    private static float[] bracketSample() {
        return (float[]) bracketScratch()[1];
    }

    /** The thread's array for at least size <= SCRATCH_MAX weights (contents undefined). */
    private static double[] bracketWeights(int size) {
        Object[] a = bracketScratch();
        if (((double[]) a[2]).length < size) {
            a[2] = new double[size];
        }
        return (double[]) a[2];
    }

    /** The thread's array for at least size <= SCRATCH_MAX indices (contents undefined). */
    private static int[] bracketIndices(int size) {
        Object[] a = bracketScratch();
        if (((int[]) a[3]).length < size) {
            a[3] = new int[size];
        }
        return (int[]) a[3];
    }

    /**
     * The index of the first of w[0 .. m) not too small to tell a backend's per-call factor by ({@code >=
     * 2^-900}), or -1 (the Java backends' weights are divided by their sum: a common factor per call).
     */
    private static int weighty(double[] w, int m) {
        for (int j = 0; j < m; j++) {
            if (w[j] >= 0x1p-900) {
                return j;
            }
        }
        return -1;
    }

    /**
     * The first bin b where before[0] plus the weights of bins[0 .. b] (each times ratio) reaches p, with
     * before[0] grown by the bins before it; CUT_BINS if none does.
     */
    private static int passing(double[] bins, double ratio, double[] before, double p) {
        int b = 0;
        while (b < CUT_BINS && before[0] + bins[b] * ratio < p) {
            before[0] += bins[b++] * ratio;
        }
        return b;
    }

    /** How many flat nucleus cuts came from {@link #bracket}'s bracket (for the tests). */
    static final LongAdder BRACKETED = new LongAdder();

    /** How many of {@link #bracket}'s brackets missed the cut, {@link #topPCut} deciding (for the tests). */
    static final LongAdder BRACKET_MISSES = new LongAdder();

    /**
     * The first-level bins {@code [hi, lo]} (1 <= hi <= lo; bins of {@link Kernel#bin} at inv below top) that
     * should hold top-p's cut, guessed from BRACKET_SAMPLE logits in runs, or null. With the vocabulary's total
     * weight relative to the top, exp(lse - s top), the weight below the cut is (1 - p) of it; the sample's
     * weight of the bins from the last up to bin k, n/m times, estimates the vocabulary's, with a standard
     * deviation taken as (n/m) (sqrt(sum w_j e_j) + e_k) (e_j the weight at the upper edge of sampled weight j's
     * bin, at least w_j; e_k one more sampled token at bin k's edge): lo is the lowest bin where that estimate
     * plus BRACKET_SIGMAS deviations reaches the cut's weight, hi the lowest above it where the estimate minus as
     * many does; null if lo would be the last bin. Only the path depends on it: {@link #bracketCut} checks
     * the bracket against the weights themselves.
     */
    private int[] bracket(Kernel kernel, float[] x, int off, int n, float top, double inv, double lse, double p,
            double[] y) {
        float s = scale();
        // runs of BRACKET_RUN consecutive logits (a cache line each, not a line per logit) at evenly spread starts
        int runs = Math.min(BRACKET_SAMPLE, n >>> 4) / BRACKET_RUN;
        int m = runs * BRACKET_RUN;
        float[] sample = bracketSample();
        long stride = ((long) (n - BRACKET_RUN) << 32) / runs; // in 32.32 fixed point: the last run ends by n
        for (int r = 0; r < runs; r++) {
            System.arraycopy(x, off + (int) (r * stride >>> 32), sample, r * BRACKET_RUN, BRACKET_RUN);
        }
        double[] bins = bracketBins();
        kernel.binExp(sample, 0, m, top, s, inv, y, bins); // y: the vocabulary's weights' array, not written yet
        // the backend's weights carry one factor per call (native 1, the Java backends 1 / their sum): the
        // sample's, from a weight not too small against its exponential
        int heavy = weighty(y, m);
        double factor = heavy < 0 ? Double.NaN : Math.exp(((double) sample[heavy] - top) * s) / y[heavy];
        double per = (double) n / m; // tokens per sampled token
        double target = (1.0 - p) * Math.exp(lse - (double) s * top); // the weight below the cut
        double step = s / (double) (float) inv; // bin k's upper edge weighs exp(-step k)
        if (!(target > 0.0 && target < Double.POSITIVE_INFINITY && step > 0.0 && factor > 0.0
                && factor < Double.POSITIVE_INFINITY)) {
            return null;
        }
        double grow = Math.exp(step);
        double below = 0.0;
        double squares = 0.0; // the sampled weights' squares from the last bin up to k, each at most w_k times its own
        double edge = 0.0;
        int lo = -1;
        for (int k = CUT_BINS - 1; k > 0; k--) {
            // bin k's upper edge, exp(-step k): exactly every 64 bins, by the neighbour's ratio between
            edge = (k & 63) == 63 || edge == 0.0 ? Math.exp(-step * k) : edge * grow;
            below += per * factor * bins[k];
            squares += factor * bins[k] * edge;
            if (below < 0.25 * target) {
                continue; // too far below the cut for either edge (a bracket that starts higher only may miss)
            }
            double sigma = BRACKET_SIGMAS * per * (Math.sqrt(squares) + edge);
            if (lo < 0 && below + sigma >= target) {
                if (k == CUT_BINS - 1) {
                    return null; // the cut may be in the last bin (-Inf, and all more than CUT_SPAN T below)
                }
                lo = k;
            }
            if (lo >= 0 && below - sigma >= target) {
                return new int[] {k, lo};
            }
        }
        return null;
    }

    /**
     * {@link #flatNucleus}' top-p cut in a bracket of the ranking (the result and massBefore as {@link
     * #topPCut}'s), or NOT_BRACKETED when p is not inside the bracket by the margin: the bracket is the logits
     * from lo (finite) to hi, above the weight of the tokens above hi. Its tokens come from one range select with
     * their logits, their bins from the backend's {@link Kernel#binExp} over those logits (the weights' same
     * formula), and the passing bin's tokens go on to {@link #cutIn}. It takes the select arrays of {@link
     * #collect}: its one caller with lse known, {@link #sampleRange}, holds no set borrowed from them here.
     */
    private int bracketCut(Kernel kernel, float[] x, int off, int n, double[] y, int[] link, float top, float lo,
            float hi, double above, double p, double margin, double[] massBefore) {
        if (!(above < p - margin)) {
            return NOT_BRACKETED;
        }
        Object[] scratch = selectScratch(Math.min(SCRATCH_MAX, Math.max(CUT_FIRST, n >>> BRACKET_ROOM_SHIFT)));
        int[] set = (int[]) scratch[0];
        float[] val = (float[]) scratch[1];
        int size = kernel.select(x, off, n, lo, hi, set, val);
        if (size > set.length) {
            return NOT_BRACKETED;
        }
        // the bracket's own bins, linear from the top as the first level's (lo in the last; their weights into a
        // scratch: the same values as y's)
        double inv = Math.min(CUT_BINS / ((double) top - lo), Float.MAX_VALUE);
        double[] bins = bracketBins();
        double[] w = bracketWeights(size);
        double held = kernel.binExp(val, 0, size, top, scale(), inv, w, bins);
        // this call's factor against y's (native: 1, exactly: the same weights), from one weight not too small
        int j0 = weighty(w, size);
        if (j0 < 0) {
            return NOT_BRACKETED;
        }
        double ratio = y[set[j0]] / w[j0];
        if (!(above + held * ratio >= p + margin)) {
            return NOT_BRACKETED;
        }
        double[] before = {above};
        int b = passing(bins, ratio, before, p);
        if (b == CUT_BINS) {
            return -1; // the sums' rounding left p out of reach: too close to tell
        }
        // bin b's tokens, in index order: the bracket's logits in bin b's range, by the backend's select over them
        int[] at = bracketIndices(size);
        int k = kernel.select(val, 0, size, fromKey(binKey(top, inv, b, true)), fromKey(binKey(top, inv, b, false)),
                at, null);
        for (int j = 0; j < k; j++) {
            at[j] = set[at[j]];
        }
        return cutIn(x, off, at, k, y, link, before[0], p, margin, massBefore);
    }

    /**
     * {@link #flatNucleus}' top-p cut: the token where the weight of the tokens ranked before it (logit
     * descending, index ascending; weights y) passes p, if p is at least margin from both edges of its
     * interval, else -1; that weight goes to massBefore[0], and the tokens of the cut's logit after it (not
     * survivors) get weight 0 in y. A selection over bins linear in the logit: the first level's over the whole
     * vocabulary are the kernel's (bins0, from the top down to CUT_SPAN T below it, lower logits in its last
     * bin, inv0 bins per unit of logit: {@link Kernel#binExp}), their tokens where the weight passes p taken by
     * one range select; each next level bins that set in Java, from its largest logit (bin 0) to its least
     * finite one (the last bin), so every level after the first leaves fewer tokens and a span about CUT_BINS
     * times narrower: the levels end. A bin's logits are a range of the ranking: the weights of the bins before
     * it add up to the weight before the set.
     */
    private int topPCut(Kernel kernel, float[] x, int off, int n, double[] y, int[] link, float top, double inv0,
            double[] bins0, double p, double margin, double[] massBefore) {
        double[] ahead = {0.0}; // the weight of the tokens ranked before the set
        int b = passing(bins0, 1.0, ahead, p);
        double before = ahead[0];
        if (b == CUT_BINS) {
            return -1; // the total's rounding left p out of reach: too close to tell
        }
        // bin b's tokens, in index order: the logits from the least in bin b or above to the largest in it or below
        float lo = fromKey(binKey(top, inv0, b, true));
        float hi = fromKey(binKey(top, inv0, b, false));
        int[] set = new int[Math.min(n, CUT_FIRST)];
        int size = kernel.select(x, off, n, lo, hi, set, null);
        if (size > set.length) {
            set = new int[size];
            kernel.select(x, off, n, lo, hi, set, null);
        }
        return cutIn(x, off, set, size, y, link, before, p, margin, massBefore);
    }

    /**
     * {@link #topPCut}'s levels after the first (and {@link #bracketCut}'s after the bracket's bins): the cut among
     * the tokens set[0 .. size), in index order, a range of the ranking whose weight is preceded by before (the
     * weight of the tokens ranked above them); the same result as {@link #topPCut}.
     */
    private static int cutIn(float[] x, int off, int[] set, int size, double[] y, int[] link, double before,
            double p, double margin, double[] massBefore) {
        int b;
        int bins = Math.min(CUT_BINS, size); // a short set (a bracket's bin) needs no more bins than tokens
        double[] mass = new double[bins];
        int[] head = new int[bins]; // each bin's tokens as a list through link, last first
        while (true) {
            float high = Float.NEGATIVE_INFINITY;
            float low = Float.POSITIVE_INFINITY; // the least finite logit of the set
            for (int j = 0; j < size; j++) {
                float v = x[off + set[j]];
                high = Math.max(high, v);
                low = v > Float.NEGATIVE_INFINITY ? Math.min(low, v) : low;
            }
            if (!(high > low)) { // one finite logit (the bin has weight) and maybe -Inf ones: equal, in index order
                for (int j = 0; j < size; j++) {
                    int i = set[j];
                    if (x[off + i] == high && before + y[i] >= p) {
                        for (int t = j + 1; t < size; t++) { // the equal logits after the cut's
                            y[set[t]] = x[off + set[t]] == high ? 0.0 : y[set[t]];
                        }
                        return cutAt(i, before, y[i], p, margin, massBefore);
                    }
                    before += x[off + i] == high ? y[i] : 0.0;
                }
                return -1;
            }
            if (size <= CUT_SORT) {
                break;
            }
            double inv = bins / ((double) high - low); // the least finite logit lands on the last bin
            // monotone in the logit (each step rounds monotonically): a bin holds a range of the ranking; -Inf
            // goes to the last bin, whose weight it does not change
            Arrays.fill(mass, 0.0);
            Arrays.fill(head, -1);
            for (int j = 0; j < size; j++) {
                int i = set[j];
                int k = Math.min((int) ((high - x[off + i]) * inv), bins - 1);
                mass[k] += y[i];
                link[i] = head[k];
                head[k] = i;
            }
            b = 0;
            while (b < bins && before + mass[b] < p) {
                before += mass[b++];
            }
            if (b == bins) {
                return -1;
            }
            int k = 0;
            for (int i = head[b]; i >= 0; i = link[i]) {
                k++;
            }
            if (k == size) {
                break; // no narrower (not expected: the bins span the set's own logits): sorted
            }
            int[] next = new int[k];
            for (int i = head[b], j = k; i >= 0; i = link[i]) {
                next[--j] = i; // in index order
            }
            set = next;
            size = k;
        }
        long[] keys = new long[size]; // logit descending, index ascending (as sort does)
        for (int j = 0; j < size; j++) {
            int i = set[j];
            keys[j] = ((long) (~ascendingKey(x[off + i]) ^ Integer.MIN_VALUE) << 32) | i;
        }
        Arrays.sort(keys);
        for (int j = 0; j < size; j++) {
            int i = (int) keys[j];
            if (before + y[i] >= p) {
                for (int t = j + 1; t < size && keys[t] >>> 32 == keys[j] >>> 32; t++) {
                    y[(int) keys[t]] = 0.0; // the equal logits after the cut's
                }
                return cutAt(i, before, y[i], p, margin, massBefore);
            }
            before += y[i];
        }
        return -1;
    }

    /**
     * The {@link #ascendingKey} of the least float (least: true) or the largest (false) at most top whose first
     * level bin, {@link Kernel#bin} (float arithmetic) as {@link Kernel#binExp} places it, is at
     * most b (least) or at least b (largest): a bisection over the keys (the bin is monotone in v).
     */
    private static int binKey(float top, double inv, int b, boolean least) {
        long lo = ascendingKey(Float.NEGATIVE_INFINITY) & 0xFFFFFFFFL; // its bin is the last: at least b
        long hi = (ascendingKey(top) & 0xFFFFFFFFL) + 1; // top's bin is 0: at most b
        if (least) {
            return (int) firstKey(lo, hi, k -> Kernel.bin(top, fromKey((int) k), inv, CUT_BINS - 1) <= b);
        }
        return (int) firstKey(lo, hi, k -> Kernel.bin(top, fromKey((int) k), inv, CUT_BINS - 1) < b) - 1;
    }

    /**
     * The least unsigned {@link #ascendingKey} k in [lo, hi) for which pass holds, pass monotone in k (false,
     * then true), or hi if none: a bisection over the keys (binKey, minPKey).
     */
    private static long firstKey(long lo, long hi, LongPredicate pass) {
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (pass.test(mid)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The cut at token i (mass before it before, its own w) if p is at least margin from both edges, else -1. */
    private static int cutAt(int i, double before, double w, double p, double margin, double[] massBefore) {
        massBefore[0] = before;
        return before < p - margin && before + w >= p + margin ? i : -1;
    }

    /**
     * The smallest {@link #ascendingKey} of a float v with {@code ((double) v - top) * s >= log(min_p)}, min-p's
     * test (monotone in v; top passes it): a bisection over the keys.
     */
    private int minPKey(float top, float s) {
        double floor = StrictMath.log(minP); // the same cut on every platform
        return (int) firstKey(0, (ascendingKey(top) & 0xFFFFFFFFL) + 1,
                k -> ((double) fromKey((int) k) - top) * s >= floor);
    }

    /**
     * {@code >= 0} when token i of logit v is a survivor of {@link #flatNucleus} (its {@link #ascendingKey} above
     * cut, or equal and i <= last), negative otherwise: the distance of its key to the first key it needs.
     */
    private static long cutDistance(float v, int i, long cut, int last) {
        return (ascendingKey(v) & 0xFFFFFFFFL) - cut - (i <= last ? 0 : 1);
    }

    /**
     * One draw over the survivors, walked in index order: few of them sorted by index (with the weights top-p
     * computed for them, if it did: no second StrictMath.exp), many (a large nucleus) scattered into a weight per
     * token of the range instead (a sum over the range adds zeros between them).
     */
    private int draw(Candidates c, float[] x, int off, int n, RandomGenerator rng) {
        double u = unit(rng);
        int m = c.count;
        if (c.infinite > 0) {
            int[] kept = Arrays.copyOf(c.index, m);
            Arrays.sort(kept);
            return kept[(int) (u * m)];
        }
        boolean indexOrder = c.top == c.top; // min-p's survivors: already in index order
        float top = indexOrder ? c.top : x[off + c.index[0]];
        if ((long) m * 16 < n) {
            int[] kept;
            double[] w;
            if (!indexOrder && c.weighed >= m) { // top-p's walk weighed them: sorted by index with their weights
                long[] keys = new long[m];
                for (int i = 0; i < m; i++) {
                    keys[i] = (long) c.index[i] << 32 | i;
                }
                sortByIndex(keys, m, n);
                kept = new int[m];
                w = new double[m];
                for (int i = 0; i < m; i++) {
                    kept[i] = (int) (keys[i] >>> 32);
                    w[i] = c.weight[(int) keys[i]];
                }
            } else {
                kept = Arrays.copyOf(c.index, m);
                if (!indexOrder) {
                    Arrays.sort(kept);
                }
                w = weights(x, off, kept, m, top);
            }
            double[] weight = w;
            return walk(i -> weight[i], m, kept, sum(w), u);
        }
        double[] byToken = new double[n];
        for (int i = 0; i < m; i++) {
            byToken[c.index[i]] = candidateWeight(c, i, x, off, top);
        }
        return walk(i -> byToken[i], n, null, sum(byToken), u);
    }

    /**
     * Sorts keys[0 .. m) of the form {@code index << 32 | payload} (distinct indices in [0, n)) by index: an LSD
     * radix sort over the index's bits, 11 at a time (two passes up to 4M tokens; at 256K tokens over N(0, 3)
     * logits the 2,400 survivors' sort took 26% of top-p's time as {@code Arrays.sort}); short runs by
     * {@code Arrays.sort}.
     */
    static void sortByIndex(long[] keys, int m, int n) {
        if (m < 256) {
            Arrays.sort(keys, 0, m);
            return;
        }
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
        int[] count = new int[1 << 11];
        long[] src = keys;
        long[] dst = new long[m];
        for (int shift = 32; shift < 32 + bits; shift += 11) {
            Arrays.fill(count, 0);
            for (int i = 0; i < m; i++) {
                count[(int) (src[i] >>> shift) & 2047]++;
            }
            for (int b = 0, sum = 0; b < count.length; b++) {
                int k = count[b];
                count[b] = sum;
                sum += k;
            }
            for (int i = 0; i < m; i++) {
                long v = src[i];
                dst[count[(int) (v >>> shift) & 2047]++] = v;
            }
            long[] t = src;
            src = dst;
            dst = t;
        }
        if (src != keys) {
            System.arraycopy(src, 0, keys, 0, m);
        }
    }

    /**
     * The draw's exact rule over m tokens {@code kept[0 .. m)} (ascending; null: [0, m)) of weights
     * {@code w.applyAsDouble(0 .. m)} and their total summed in that order: the first token whose running sum
     * exceeds u times the total (the last of positive weight if rounding leaves none). The same token on every
     * backend, tier and platform.
     */
    private static int walk(IntToDoubleFunction w, int m, int[] kept, double total, double u) {
        double target = u * total;
        double acc = 0.0;
        int last = 0;
        for (int i = 0; i < m; i++) {
            double wi = w.applyAsDouble(i);
            acc += wi;
            if (wi > 0.0) {
                last = i;
            }
            if (acc > target) {
                return kept == null ? i : kept[i];
            }
        }
        return kept == null ? last : kept[last];
    }

    /** The rule's weight of candidate i, computed once ({@link Candidates#weight}). */
    private double candidateWeight(Candidates c, int i, float[] x, int off, float top) {
        if (i >= c.weighed) {
            if (c.weight == null || c.weight.length <= i) {
                c.weight = Arrays.copyOf(c.weight == null ? new double[0] : c.weight,
                        Math.max(i + 1, Math.min(c.index.length, 2 * Math.max(64, i))));
            }
            float s = scale();
            for (int j = c.weighed; j <= i; j++) {
                c.weight[j] = weight(x, off + c.index[j], top, s);
            }
            c.weighed = i + 1;
        }
        return c.weight[i];
    }

    /** The exact rule's weight of {@code x[at]}: {@code StrictMath.exp((x[at] - top) * s)} in double. */
    private static double weight(float[] x, int at, float top, float s) {
        return StrictMath.exp(((double) x[at] - top) * s);
    }

    /** The exact rule's weights of tokens {@code kept[0 .. m)}, top the largest logit. */
    private double[] weights(float[] x, int off, int[] kept, int m, float top) {
        float s = scale();
        double[] w = new double[m];
        for (int i = 0; i < m; i++) {
            w[i] = weight(x, off + kept[i], top, s);
        }
        return w;
    }

    /** The exact rule's total over {@code x[off, off+n)}: every weight, summed in index order. */
    private double ruleTotal(float[] x, int off, int n, float top) {
        float s = scale();
        double total = 0.0;
        for (int i = 0; i < n; i++) {
            total += weight(x, off + i, top, s);
        }
        return total;
    }

    /** The sum in index order. */
    private static double sum(double[] w) {
        return sum(w, w.length);
    }

    /** The sum of {@code w[0, m)} in index order. */
    private static double sum(double[] w, int m) {
        double total = 0.0;
        for (int i = 0; i < m; i++) {
            total += w[i];
        }
        return total;
    }

    /** The block a draw at target falls into: the first whose running mass passes it (the last if none). */
    private static int blockOf(double[] mass, double target) {
        double acc = 0.0;
        int b = 0;
        while (b < mass.length - 1 && acc + mass[b] <= target) {
            acc += mass[b++];
        }
        return b;
    }

    @Override
    public String toString() {
        return "Sampler[" + softmax.backend() + ", T=" + temperature + (topK == 0 ? "" : ", topK=" + topK)
                + (topP < 1.0 ? ", topP=" + topP : "") + (minP > 0.0 ? ", minP=" + minP : "") + "]";
    }
}
