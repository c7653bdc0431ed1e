/* rwalk (s4j_f64_rwalk.h), compiled once per vector tier with its flags. */
#include "s4j_f64_rwalk.h"
#include "s4j_f64_simd.h"

int64_t S4J_DNAME(s4j_f64_rwalk__, S4J_DISA, _, S4J_DU4, )(size_t n, const float* x, const double* w, float xc,
                                                           double target, double* before) {
  return s4j_f64_rwalk_body(n, x, w, xc, target, before);
}
