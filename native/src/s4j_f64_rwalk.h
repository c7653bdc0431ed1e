/* rwalk = Reduce-WALK (sampling: the draw of the sampler's flat nucleus, its survivors walked in index order):
 * over float logits x[0, n) and their weights w (double), the first index i where the weights of the survivors
 * (x >= xc) of [0, i] pass target (sum > target), the survivors' weight before it into *before; n, with their
 * whole weight there, if none does (target +Inf: the survivors' total). Blocks of 64 summed as 8 lanes (the
 * compiler vectorizes the loop with the tier's flags), the block where the sum passes walked one token at a
 * time: any order of the sums is within the sampler's margin. One body for every tier (s4j_f64_rwalk.c, and the
 * portable tier's src/f64-rwalk/). */
#ifndef S4J_F64_RWALK_H
#define S4J_F64_RWALK_H

#include <stddef.h>
#include <stdint.h>

#define S4J_RWALK_BLOCK 64

static inline int64_t s4j_f64_rwalk_body(size_t n, const float* x, const double* w, float xc, double target,
                                         double* before) {
  double acc = 0.0;
  size_t i = 0;
  for (; i + S4J_RWALK_BLOCK <= n; i += S4J_RWALK_BLOCK) {
    double lane[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    for (size_t j = 0; j < S4J_RWALK_BLOCK; j += 8) {
      for (int k = 0; k < 8; k++) {
        /* a product, no conditional read: for x >= xc ? w : 0, gcc 12 emitted masked loads of w, the high half's
         * with the low half's mask (AVX2 and AVX-512 tiers: blocks summed short; test_sampling's walk check) */
        lane[k] += w[i + j + (size_t)k] * (x[i + j + (size_t)k] >= xc ? 1.0 : 0.0);
      }
    }
    const double block = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    if (acc + block > target) break; /* the token is in this block */
    acc += block;
  }
  for (; i < n; i++) {
    const double right = acc + w[i] * (x[i] >= xc ? 1.0 : 0.0);
    if (right > target) {
      *before = acc;
      return (int64_t)i;
    }
    acc = right;
  }
  *before = acc;
  return (int64_t)n;
}

#endif /* S4J_F64_RWALK_H */
