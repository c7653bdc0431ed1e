/* s4j_f64_rmax__avx2_u16_acc4: the f64 rmax kernel (src/f64/s4j_f64_rmax.inc) over the AVX2 f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx2.h"
#include "f64/s4j_f64_rmax.inc"
