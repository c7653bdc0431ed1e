package io.github.softmax4j;

/**
 * How the softmax is computed. Every algorithm gives the same results within the same error bound
 * (see {@link Softmax}); they differ only in speed, which depends on the length and on whether the data
 * fits in cache.
 *
 * <p>The ordinal of each constant is part of the native ABI ({@code S4J_ALGO_*} in {@code softmax4j.h}).
 */
public enum Algorithm {
    /**
     * Per call, the fastest algorithm for that length on this backend: {@link #THREE_PASS_RELOAD} while
     * input and output fit in cache, {@link #TWO_PASS} beyond where that was measured to be faster (the
     * crossover is a measured constant per tier; the AVX2, NEON, portable and Java tiers run the reload at
     * every size).
     */
    AUTO,
    /**
     * The Two-Pass Softmax Algorithm (Dukhan and Ablavatski, 2020): pass 1 sums exp(x) as
     * (mantissa, exponent) pairs without a max pass, pass 2 writes the output. Reads x twice and writes y
     * once: 12 bytes per element, the least memory traffic of the three.
     */
    TWO_PASS,
    /** Max pass, sum-of-exp pass, then exp is recomputed and scaled: 16 bytes per element. */
    THREE_PASS_RECOMPUTE,
    /**
     * exp is stored into the output and summed, then the output is scaled in place: exp is computed once, so it
     * is the fastest while the data is in cache. Out of place there is no max pass over memory (the exponent
     * comes from the first 256 elements; a block far above it is redone, docs/NUMERICS.md, "Reload"): 16 bytes
     * per element; in place a max pass runs first (x is overwritten by the terms): 20 bytes per element. In
     * double precision ({@link DoubleSoftmax}) the max pass always runs first.
     */
    THREE_PASS_RELOAD
}
