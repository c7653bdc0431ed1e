/* s4j_f64_vscaleexp__avx512f_p13_u16: the f64 vscaleexp kernel (src/f64/s4j_f64_vscaleexp.inc) over the AVX-512F f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx512.h"
#include "f64/s4j_f64_vscaleexp.inc"
