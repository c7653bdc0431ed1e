/* s4j_f64_raddexp__neon_p13_u8_acc2: the f64 raddexp kernel (src/f64/s4j_f64_raddexp.inc) over the NEON f64 layer. */
#include "kernels.h"
#include "s4j_f64_neon.h"
#include "f64/s4j_f64_raddexp.inc"
