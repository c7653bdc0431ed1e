package io.github.softmax4j.internal;

/**
 * The operations every kernel computes over a row; the ordinals match {@code S4J_OP_*} in
 * {@code native/include/softmax4j.h}.
 */
public enum Op {
    /** y = exp(s*x) / sum exp(s*x). */
    SOFTMAX,
    /** y = s*x - logsumexp(s*x), two passes; never log(softmax). */
    LOG_SOFTMAX,
    /** lse = log(sum exp(s*x)), one pass; y is not touched. */
    LOG_SUM_EXP;

    /** Flag: a row whose every input is -Inf gives zeros (softmax) or -Inf (log-softmax), not NaN. */
    public static final int FLAG_SAFE = 1;
    /** Flag: also write each row's logsumexp into the lse array (always on for {@link #LOG_SUM_EXP}). */
    public static final int FLAG_LSE = 2;

    /** Whether a call with these flags writes lse. */
    public boolean writesLse(int flags) {
        return this == LOG_SUM_EXP || (flags & FLAG_LSE) != 0;
    }
}
