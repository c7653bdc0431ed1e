/* raddstoreexp = Reduce-ADD and STORE EXPonentials: z = exp(s*x) * 2^-E * 2^EXP_BIAS stored into y and
 * summed (the sum returned without the bias): pass 2 of three-pass reload, whose pass 3 (vscale of the
 * same tier) removes the bias with the normaliser. Requires E >= every exponent (minus one). All loads of
 * an iteration precede its stores, so x == y (in place) works. tree (flags, kernels.h): S4J_ROW_TREE (the
 * reload without an lse output, or one whose log-sum-exp so far allows it) lets a call of more than
 * S4J_SUM_TREE_MIN terms sum as trees, and store its terms without the table rests (S4J_TREE_LO);
 * S4J_ROW_CANCEL (the reload without an lse output, every call of the row) builds the table for S4J_CANCEL_C
 * (terms and sum both carry it; the final pass's 1 / sum cancels it) and stores the shorter calls' terms with
 * S4J_CANCEL_LO. One kernel per tier (s4j_f32_simd.h). */
#include "s4j_f32_storeexp.h"

double S4J_FN_EXP(raddstoreexp)(size_t n, const float* x, float* y, float s, float e, int tree) {
  s4j_expp p;
  const int cancel = tree & S4J_ROW_CANCEL;
  s4j_expp_init(&p, s, e, cancel ? S4J_CANCEL_C : 1.0, S4J_EXP_BIAS, n >= S4J_FOLD_MIN);
  /* trees (longer rows, bound 8 ULP) store the terms without the table rests: S4J_TREE_LO */
  if ((tree & S4J_ROW_TREE) && n > S4J_SUM_TREE_MIN) {
    return S4J_SUM_EXP_CALL(1, s, &p, S4J_TREE_LO, s4j_storeexp_body, n, x, y, &p);
  }
  return cancel ? S4J_SUM_EXP_CALL(0, s, &p, S4J_CANCEL_LO, s4j_storeexp_body, n, x, y, &p)
                : S4J_SUM_EXP_CALL(0, s, &p, S4J_RELOAD_LO, s4j_storeexp_body, n, x, y, &p);
}
