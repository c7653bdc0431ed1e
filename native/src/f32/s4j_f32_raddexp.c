/* raddexp = Reduce-ADD of EXPonentials: sum of exp(s*x) * 2^-E over x[0..n), in double (docs/NUMERICS.md),
 * with the exp of S4J_EXP_LO (one rounding per term): log-sum-exp takes its accuracy from these terms; calls that
 * sum as trees (below) leave the rests out, as raddstoreexp's do (S4J_TREE_LO), so both give the same sum (without
 * S4J_ROW_CANCEL).
 * Pass 1 of two-pass (block by block, relative to a running E that an input may exceed: such a block's
 * sum comes out >= 2^31 or non-finite, and the driver redoes it) and pass 2 of three-pass recompute.
 * NaN and +Inf inputs make the sum NaN or infinite. tree (flags, kernels.h): S4J_ROW_TREE (softmax outputs only:
 * two-pass and recompute without an lse output) lets a call of more than S4J_SUM_TREE_MIN terms sum as trees;
 * S4J_ROW_CANCEL is ignored (these terms meet an exp computed again: no common factor cancels). One kernel per
 * tier (s4j_f32_simd.h). */
#include "s4j_f32_sumexp.h"

/* s == 1 (no temperature) runs the loop without the exact-product steps. */
double S4J_FN_EXP(raddexp)(size_t n, const float* x, float s, float e, int tree) {
  s4j_expp p;
  s4j_expp_init(&p, s, e, 1.0, S4J_EXP_BIAS, n >= S4J_FOLD_MIN);
  /* trees: the terms without the table rests, as raddstoreexp's (S4J_TREE_LO) */
  if ((tree & S4J_ROW_TREE) && n > S4J_SUM_TREE_MIN) {
    return S4J_SUM_EXP_CALL(1, s, &p, S4J_TREE_LO, s4j_sumexp_body, n, x, &p);
  }
  return S4J_SUM_EXP_CALL(0, s, &p, S4J_EXP_LO, s4j_sumexp_body, n, x, &p);
}
