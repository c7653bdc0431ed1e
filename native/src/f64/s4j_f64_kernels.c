/* The tier's f64 kernel set, by the names its layer gives its kernels (S4J_DISA, S4J_DU2, S4J_DU4; see
 * kernels.h): the driver's table (softmax_f64.c) takes it from the registry by the tier's isa name. Compiled once
 * per vector tier (s4j_f64_simd.h). */
#include "s4j_f64_simd.h"

#define S4J_F64_SET(isa, u2, u4) \
  const s4j_f64_kernel_set s4j_f64_kernels__##isa = S4J_F64_VECTOR_KERNELS(isa, u2, u4);
#define S4J_F64_SET_OF(isa, u2, u4) S4J_F64_SET(isa, u2, u4) /* the layer's macros expanded first */
S4J_F64_SET_OF(S4J_DISA, S4J_DU2, S4J_DU4)
