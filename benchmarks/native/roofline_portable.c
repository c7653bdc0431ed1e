#include "roofline.h"

float s4j_bench_read_sum_portable(const float* x, size_t n) {
  /* 8 partial sums break the add dependency chain; the result only feeds a sink. */
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; k++) {
      s[k] += x[i + (size_t)k];
    }
  }
  for (; i < n; i++) {
    s[0] += x[i];
  }
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}
