# Warnings per compiler, applied per target: s4j_target_warnings(target).
include_guard(GLOBAL)

function(s4j_target_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4)
  elseif(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wstrict-prototypes
                                             -Wmissing-prototypes)
  endif()
endfunction()
