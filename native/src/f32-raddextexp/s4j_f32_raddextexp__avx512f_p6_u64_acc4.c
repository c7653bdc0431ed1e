/* Pass 1 of The Two-Pass Softmax Algorithm (Dukhan & Ablavatski, 2020, arXiv:2001.04438):
 * sum of exp(x) as m * 2^e with per-lane, per-accumulator extended exponents. AVX-512F. */
#include "kernels.h"
#include "s4j_avx512.h"

/* u64 = 4 vectors per iteration, each into its own (m, e) accumulator (4 independent add chains),
 * as the paper's best AVX-512 variants; not measurable on the Zen 3 development machine. */
double s4j_f32_raddextexp__avx512f_p6_u64_acc4(size_t n, const float* x, float* e_out) {
  const __m512 vinit = _mm512_set1_ps(S4J_E_INIT);
  __m512 vm0 = _mm512_setzero_ps(), vm1 = vm0, vm2 = vm0, vm3 = vm0;
  __m512 ve0 = vinit, ve1 = vinit, ve2 = vinit, ve3 = vinit;
  for (; n >= 64; n -= 64, x += 64) {
    __m512 vn0, vn1, vn2, vn3;
    const __m512 vp0 = s4j_avx512_exp_pn(_mm512_loadu_ps(x), &vn0);
    const __m512 vp1 = s4j_avx512_exp_pn(_mm512_loadu_ps(x + 16), &vn1);
    const __m512 vp2 = s4j_avx512_exp_pn(_mm512_loadu_ps(x + 32), &vn2);
    const __m512 vp3 = s4j_avx512_exp_pn(_mm512_loadu_ps(x + 48), &vn3);
    s4j_avx512_accumulate(&vm0, &ve0, vp0, vn0);
    s4j_avx512_accumulate(&vm1, &ve1, vp1, vn1);
    s4j_avx512_accumulate(&vm2, &ve2, vp2, vn2);
    s4j_avx512_accumulate(&vm3, &ve3, vp3, vn3);
  }
  for (; n >= 16; n -= 16, x += 16) {
    __m512 vn;
    const __m512 vp = s4j_avx512_exp_pn(_mm512_loadu_ps(x), &vn);
    s4j_avx512_accumulate(&vm0, &ve0, vp, vn);
  }
  if (n != 0) {
    __m512 vn;
    const __m512 vp = s4j_avx512_exp_pn(s4j_avx512_load_tail(x, s4j_avx512_tail_mask(n)), &vn);
    s4j_avx512_accumulate(&vm1, &ve1, vp, vn);
  }
  /* Accumulators merged with the same rule (one more accumulate step each), then lanes in double. */
  s4j_avx512_accumulate(&vm0, &ve0, vm1, ve1);
  s4j_avx512_accumulate(&vm2, &ve2, vm3, ve3);
  s4j_avx512_accumulate(&vm0, &ve0, vm2, ve2);
  return s4j_avx512_reduce_extexp(vm0, ve0, e_out);
}
