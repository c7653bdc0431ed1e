/* s4j_f64_raddexp__avx2_p13_u16_acc2: the f64 raddexp kernel (src/f64/s4j_f64_raddexp.inc) over the AVX2 f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx2.h"
#include "f64/s4j_f64_raddexp.inc"
