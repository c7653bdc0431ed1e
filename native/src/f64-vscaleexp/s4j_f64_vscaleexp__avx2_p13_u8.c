/* s4j_f64_vscaleexp__avx2_p13_u8: the f64 vscaleexp kernel (src/f64/s4j_f64_vscaleexp.inc) over the AVX2 f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx2.h"
#include "f64/s4j_f64_vscaleexp.inc"
