# Per-ISA compile flags on a tier's kernels only (its object library, or single files), never globally: cpu.c
# and the dispatcher must run on any x86-64, so only the kernels of a tier get that tier's instructions.
#
#   s4j_isa_sources(AVX2 file...)     AVX2 + FMA tier
#   s4j_isa_sources(AVX512 file...)   AVX-512F tier (also AVX2 + FMA, which the AVX-512F tier implies)
include_guard(GLOBAL)

function(s4j_isa_sources tier)
  if(tier STREQUAL "AVX2")
    if(MSVC)
      set(flags /arch:AVX2)
    else()
      set(flags -mavx2 -mfma)
    endif()
  elseif(tier STREQUAL "AVX512")
    if(MSVC)
      set(flags /arch:AVX512)
    else()
      set(flags -mavx512f -mavx2 -mfma)
    endif()
  else()
    message(FATAL_ERROR "s4j_isa_sources: unknown tier '${tier}' (expected AVX2 or AVX512)")
  endif()
  set_property(SOURCE ${ARGN} APPEND PROPERTY COMPILE_OPTIONS ${flags})
endfunction()

# The same flags on a whole target (the per-tier object libraries of the kernels, f32 and f64):
#   s4j_isa_target(target SCALAR|AVX2|AVX512|NEON)        (the f32 AVX-512 tier also uses AVX-512DQ: vrangeps)
function(s4j_isa_target target tier)
  if(tier STREQUAL "SCALAR" OR tier STREQUAL "NEON") # NEON: baseline on AArch64, no flag

    return()
  elseif(tier STREQUAL "AVX2")
    if(MSVC)
      target_compile_options(${target} PRIVATE /arch:AVX2)
    else()
      target_compile_options(${target} PRIVATE -mavx2 -mfma)
    endif()
  elseif(tier STREQUAL "AVX512")
    if(MSVC)
      target_compile_options(${target} PRIVATE /arch:AVX512)
    else()
      target_compile_options(${target} PRIVATE -mavx512f -mavx512dq -mavx2 -mfma)
    endif()
  else()
    message(FATAL_ERROR "s4j_isa_target: unknown tier '${tier}'")
  endif()
endfunction()
