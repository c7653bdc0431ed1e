/* s4j_f64_raddstoreexp__neon_p13_u8_acc2: the f64 raddstoreexp kernel (src/f64/s4j_f64_raddstoreexp.inc) over the NEON f64 layer. */
#include "kernels.h"
#include "s4j_f64_neon.h"
#include "f64/s4j_f64_raddstoreexp.inc"
