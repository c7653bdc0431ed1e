/* s4j_f64_raddexp__avx512f_p13_u32_acc2: the f64 raddexp kernel (src/f64/s4j_f64_raddexp.inc) over the AVX-512F f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx512.h"
#include "f64/s4j_f64_raddexp.inc"
