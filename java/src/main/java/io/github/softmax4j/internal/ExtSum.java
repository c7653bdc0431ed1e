package io.github.softmax4j.internal;

/**
 * A sum kept as m * 2^e in double (m) and an integer-valued exponent (e): the merge target of the
 * per-block partial sums of pass 1. Adding (m', e') rescales both to the larger exponent, exactly as the
 * per-lane accumulators do, so nothing overflows whatever the inputs' range. Once a NaN or a bad exponent
 * arrives the sum is marked invalid and the caller takes the exact path.
 */
final class ExtSum {
    double m;
    double e = Double.NEGATIVE_INFINITY;
    boolean invalid;

    void add(double blockM, double blockE) {
        // NaN, +Inf, or a block beyond the fast path's range: the caller takes the exact path.
        if (!(blockM >= 0 && blockM < Double.POSITIVE_INFINITY) || !(blockE <= ExpConstants.E_HI)) {
            invalid = true;
            return;
        }
        if (blockM == 0) {
            return;
        }
        if (blockE > e) {
            m = (e == Double.NEGATIVE_INFINITY ? 0 : Math.scalb(m, (int) (e - blockE))) + blockM;
            e = blockE;
        } else {
            m += Math.scalb(blockM, (int) (blockE - e));
        }
    }

    boolean fastPathValid() {
        return !invalid && ExpConstants.fastPathValid(m, e);
    }
}
