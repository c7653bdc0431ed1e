/* s4j_f64_vscaleexp__neon_p13_u4: the f64 vscaleexp kernel (src/f64/s4j_f64_vscaleexp.inc) over the NEON f64 layer. */
#include "kernels.h"
#include "s4j_f64_neon.h"
#include "f64/s4j_f64_vscaleexp.inc"
