/* rwalk (s4j_f64_rwalk.h), portable C. */
#include "kernels.h"
#include "s4j_f64_rwalk.h"

int64_t s4j_f64_rwalk__scalar_u64(size_t n, const float* x, const double* w, float xc, double target,
                                  double* before) {
  return s4j_f64_rwalk_body(n, x, w, xc, target, before);
}
