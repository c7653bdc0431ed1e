/* s4j_f64_vscale__avx2_u16: the f64 vscale kernel (src/f64/s4j_f64_vscale.inc) over the AVX2 f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx2.h"
#include "f64/s4j_f64_vscale.inc"
