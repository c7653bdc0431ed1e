/* Pass 1 of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438):
 * sum of exp(x) as m * 2^e with per-lane, per-accumulator extended exponents. AVX2 + FMA. */
#include "kernels.h"
#include "s4j_avx2.h"

/* u32 = 4 vectors per iteration, each into its own (m, e) accumulator. u32/acc4 kept: u8/acc1 0.36
 * and u16/acc2 0.36-0.37 ns/elem vs 0.37-0.38 at n=4096 on Zen 3 (gcc 12 -O3), but fewer
 * accumulators put more terms into each fp32 lane (max error 2.6 -> 3.3 ULP with acc2). */
double s4j_f32_raddextexp__avx2_p6_u32_acc4(size_t n, const float* x, float* e_out) {
  const __m256 vinit = _mm256_set1_ps(S4J_E_INIT);
  __m256 vm0 = _mm256_setzero_ps(), vm1 = vm0, vm2 = vm0, vm3 = vm0;
  __m256 ve0 = vinit, ve1 = vinit, ve2 = vinit, ve3 = vinit;
  for (; n >= 32; n -= 32, x += 32) {
    __m256 vn0, vn1, vn2, vn3;
    const __m256 vp0 = s4j_avx2_exp_pn(_mm256_loadu_ps(x), &vn0);
    const __m256 vp1 = s4j_avx2_exp_pn(_mm256_loadu_ps(x + 8), &vn1);
    const __m256 vp2 = s4j_avx2_exp_pn(_mm256_loadu_ps(x + 16), &vn2);
    const __m256 vp3 = s4j_avx2_exp_pn(_mm256_loadu_ps(x + 24), &vn3);
    s4j_avx2_accumulate(&vm0, &ve0, vp0, vn0);
    s4j_avx2_accumulate(&vm1, &ve1, vp1, vn1);
    s4j_avx2_accumulate(&vm2, &ve2, vp2, vn2);
    s4j_avx2_accumulate(&vm3, &ve3, vp3, vn3);
  }
  for (; n >= 8; n -= 8, x += 8) {
    __m256 vn;
    const __m256 vp = s4j_avx2_exp_pn(_mm256_loadu_ps(x), &vn);
    s4j_avx2_accumulate(&vm0, &ve0, vp, vn);
  }
  if (n != 0) {
    __m256 vn;
    const __m256 vp = s4j_avx2_exp_pn(s4j_avx2_load_tail(x, s4j_avx2_tail_mask(n)), &vn);
    s4j_avx2_accumulate(&vm1, &ve1, vp, vn);
  }
  /* Accumulators merged with the same rule in fp32, then the 8 lanes in double. */
  s4j_avx2_merge(&vm0, &ve0, vm1, ve1);
  s4j_avx2_merge(&vm2, &ve2, vm3, ve3);
  s4j_avx2_merge(&vm0, &ve0, vm2, ve2);
  return s4j_avx2_reduce_extexp(vm0, ve0, e_out);
}
