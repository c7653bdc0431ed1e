/* s4j_f64_rmax__neon_u8_acc4: the f64 rmax kernel (src/f64/s4j_f64_rmax.inc) over the NEON f64 layer. */
#include "kernels.h"
#include "s4j_f64_neon.h"
#include "f64/s4j_f64_rmax.inc"
