#!/usr/bin/env bash
# Checks that Windows DLLs need nothing beside them but Windows' own DLLs (KERNEL32, msvcrt, the API sets and
# the few system libraries JavaCPP's glue links: psapi, advapi32, user32, ntdll, ws2_32). Prints each DLL's
# imports; exits 1 naming the first DLL that imports anything else.
#   scripts/check-dll-imports.sh file.dll...
set -euo pipefail
objdump="${OBJDUMP:-x86_64-w64-mingw32-objdump}"
system='^(kernel32|msvcrt|psapi|advapi32|user32|ntdll|ws2_32|api-ms-win-.*)\.dll$'
for dll in "$@"; do
  imports="$("$objdump" -p "$dll" | sed -n 's/^\s*DLL Name: //p' | sort -u)"
  echo "$(basename "$dll") imports: $(echo $imports)"
  if echo "$imports" | grep -viqE "$system"; then
    echo "check-dll-imports: $dll imports a non-system DLL: $(echo "$imports" | grep -viE "$system" | tr '\n' ' ')" >&2
    exit 1
  fi
done
