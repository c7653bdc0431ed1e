/* s4j_f64_vscale__avx512f_u32: the f64 vscale kernel (src/f64/s4j_f64_vscale.inc) over the AVX-512F f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx512.h"
#include "f64/s4j_f64_vscale.inc"
