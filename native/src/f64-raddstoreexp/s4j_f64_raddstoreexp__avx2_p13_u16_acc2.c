/* s4j_f64_raddstoreexp__avx2_p13_u16_acc2: the f64 raddstoreexp kernel (src/f64/s4j_f64_raddstoreexp.inc) over the AVX2 f64 layer. */
#include "kernels.h"
#include "s4j_f64_avx2.h"
#include "f64/s4j_f64_raddstoreexp.inc"
