/* A C program that uses the softmax4j C library from its NAR artifacts: softmax of a few logits on
 * the best ISA tier this CPU has, checked against a double-precision softmax. Exit code 0 = ok. */
#include <math.h>
#include <stdio.h>

#include "softmax4j.h"

int main(void) {
  const float x[] = {1.0f, 2.0f, 3.0f, 4.0f, -1.0f, 0.5f, 10.0f, -3.0f};
  const int n = (int)(sizeof x / sizeof x[0]);
  float y[sizeof x / sizeof x[0]];
  const int isa = s4j_cpu_max_isa();
  const char* isa_name = isa == S4J_ISA_AVX512 ? "avx512" : isa == S4J_ISA_AVX2 ? "avx2" : "portable";

  const int rc = s4j_softmax_f32(isa, S4J_ALGO_AUTO, x, y, (int64_t)n);
  if (rc != S4J_OK) {
    fprintf(stderr, "s4j_softmax_f32 failed: %d\n", rc);
    return 1;
  }

  double sum_ref = 0.0;
  for (int i = 0; i < n; i++) sum_ref += exp((double)x[i]);
  double sum = 0.0, max_rel_err = 0.0;
  printf("softmax4j via NAR, isa=%s\n", isa_name);
  for (int i = 0; i < n; i++) {
    const double ref = exp((double)x[i]) / sum_ref;
    const double rel = fabs((double)y[i] - ref) / ref;
    if (rel > max_rel_err) max_rel_err = rel;
    sum += y[i];
    printf("  softmax(%6.2f) = %.9g\n", (double)x[i], (double)y[i]);
  }
  printf("sum = %.9g, max relative error vs double = %.3g\n", sum, max_rel_err);
  if (max_rel_err > 1e-6 || fabs(sum - 1.0) > 1e-5) {
    fprintf(stderr, "result out of tolerance\n");
    return 2;
  }
  printf("OK\n");
  return 0;
}
