/*
 * The f64 per-ISA layer of the tier being compiled, as s4j_f32_simd.h is for f32: CMake compiles every kernel
 * source in src/f64/ once per vector tier of the registry (s4j_tiers.inc) with S4J_TIER_<flags> defined, and this
 * picks that tier's layer. The portable tier's f64 kernels are scalar C written apart (src/f64-<op>/).
 */
#ifndef S4J_F64_SIMD_H
#define S4J_F64_SIMD_H

#include "kernels.h"

#if defined(S4J_TIER_AVX512)
#include "s4j_f64_avx512.h"
#elif defined(S4J_TIER_AVX2)
#include "s4j_f64_avx2.h"
#elif defined(S4J_TIER_NEON)
#include "s4j_f64_neon.h"
#else
#error "s4j_f64_simd.h: no f64 layer for this tier (S4J_TIER_<flags> of a vector tier expected)"
#endif

/* The tier's kernels, by the layer's name parts (kernels.h). */
#define S4J_F64_DECLARE_OF(isa, u2, u4) S4J_F64_VECTOR_TIER(isa, u2, u4) /* the name parts expanded first */
S4J_F64_DECLARE_OF(S4J_DISA, S4J_DU2, S4J_DU4)

#endif /* S4J_F64_SIMD_H */
