/* s4j_f64_rmax__avx512f_u32_acc4: the f64 rmax kernel (src/f64/s4j_f64_rmax.inc) over the AVX-512F f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx512.h"
#include "f64/s4j_f64_rmax.inc"
