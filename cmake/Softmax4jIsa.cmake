# The ISA tiers, read from the registry native/src/s4j_tiers.inc (one line per tier: see its header), and
# their compile flags on a tier's kernels only (its object library, or single files), never globally: cpu.c
# and the dispatcher must run on any CPU of the architecture, so only the kernels of a tier get its instructions.
#
#   s4j_read_tiers(file)              S4J_TIERS: the tiers compiled for this target, by their flags field
#                                     (e.g. SCALAR;AVX2;AVX512); S4J_TIER_FLAGS_<tier>: their compile flags
#   s4j_isa_target(target tier)       a tier's flags on a whole target (the per-tier kernel libraries)
#   s4j_isa_sources(tier file...)     a tier's flags on single files (tests, the benchmark's AVX2 helpers)
include_guard(GLOBAL)

# A registry line: S4J_TIER[_X86|_ARM64](id, isa, method, unroll, vlen, flags, "name", cpu, auto32, auto64,
# "gcc/clang flags", "MSVC flags"). S4J_TIER_X86 lines are compiled on x86-64 only (S4J_HAVE_X86), S4J_TIER_ARM64
# lines on AArch64 only (S4J_HAVE_ARM64).
function(s4j_read_tiers file)
  file(STRINGS "${file}" lines REGEX "^S4J_TIER(_X86|_ARM64)?\\(")
  set(tiers)
  foreach(line IN LISTS lines)
    string(REGEX MATCH "^S4J_TIER(_X86|_ARM64)?\\(([^)]*)" _ "${line}")
    set(arch "${CMAKE_MATCH_1}")
    set(args "${CMAKE_MATCH_2}")
    if((arch STREQUAL "_X86" AND NOT S4J_HAVE_X86) OR (arch STREQUAL "_ARM64" AND NOT S4J_HAVE_ARM64))
      continue()
    endif()
    string(REGEX MATCHALL "\"[^\"]*\"" quoted "${args}")
    list(LENGTH quoted count)
    if(NOT count EQUAL 3)
      message(FATAL_ERROR "s4j_tiers.inc: expected a quoted name, gcc/clang flags and MSVC flags in: ${line}")
    endif()
    string(REPLACE " " "" fields "${args}")
    string(REPLACE "," ";" fields "${fields}")
    list(GET fields 5 tier)
    list(GET quoted 1 flags)
    if(MSVC)
      list(GET quoted 2 flags)
    endif()
    string(REPLACE "\"" "" flags "${flags}")
    separate_arguments(flags NATIVE_COMMAND "${flags}")
    set(S4J_TIER_FLAGS_${tier} "${flags}" PARENT_SCOPE)
    list(APPEND tiers ${tier})
  endforeach()
  set(S4J_TIERS "${tiers}" PARENT_SCOPE)
endfunction()

function(s4j_isa_target target tier)
  if(NOT DEFINED S4J_TIER_FLAGS_${tier})
    message(FATAL_ERROR "s4j_isa_target: tier '${tier}' is not in the registry for this target")
  endif()
  if(S4J_TIER_FLAGS_${tier})
    target_compile_options(${target} PRIVATE ${S4J_TIER_FLAGS_${tier}})
  endif()
endfunction()

function(s4j_isa_sources tier)
  if(NOT DEFINED S4J_TIER_FLAGS_${tier})
    message(FATAL_ERROR "s4j_isa_sources: tier '${tier}' is not in the registry for this target")
  endif()
  if(S4J_TIER_FLAGS_${tier})
    set_property(SOURCE ${ARGN} APPEND PROPERTY COMPILE_OPTIONS ${S4J_TIER_FLAGS_${tier}})
  endif()
endfunction()
