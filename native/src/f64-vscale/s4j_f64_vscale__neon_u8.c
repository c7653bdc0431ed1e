/* s4j_f64_vscale__neon_u8: the f64 vscale kernel (src/f64/s4j_f64_vscale.inc) over the NEON f64 layer. */
#include "kernels.h"
#include "s4j_f64_neon.h"
#include "f64/s4j_f64_vscale.inc"
