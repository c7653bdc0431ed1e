#!/usr/bin/env bash
# Cross-builds the JNI library of another platform into native/target/platforms/, which the next
# `mvn package` puts into the jar beside the host's own (io/github/softmax4j/internal/<platform>/, JavaCPP's
# layout; Loader.load() picks the one of the running JVM).
#
#   mvn -B -DskipTests install               # host build: compiles NativeLib (needed by JavaCPP's generator)
#   bash scripts/build-platform.sh linux-arm64
#   mvn -B -DskipTests install               # the jar now carries linux-x86_64 and linux-arm64
#
# Platforms: linux-arm64 (Debian: gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross; the
# kernel library with the NEON tier, the JNI glue by JavaCPP's linux-arm64 properties) and windows-x86_64
# (gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64; JavaCPP's windows-x86_64-mingw properties, libgcc/libstdc++
# static, checked to import only system DLLs). macOS is built natively by .github/workflows/release.yml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
platform="${1:?usage: build-platform.sh linux-arm64|windows-x86_64}"
jobs=2

archive="libsoftmax4j.a"
case "$platform" in
  linux-arm64)
    toolchain="$root/cmake/toolchains/aarch64-linux-gnu.cmake"
    properties=linux-arm64
    cxx="${CROSS_CXX:-aarch64-linux-gnu-g++}"
    includes=""
    extra=""
    ;;
  windows-x86_64)
    # mingw-w64; libgcc and libstdc++ linked statically, so the DLL imports only system DLLs
    toolchain="$root/cmake/toolchains/mingw-w64-x86_64.cmake"
    properties=windows-x86_64-mingw
    cxx="${CROSS_CXX:-x86_64-w64-mingw32-g++-win32}" # win32 threads: no libwinpthread
    includes="$root/cmake/jni-win32;" # its jni_md.h (a Linux JDK has no include/win32); ';': Windows' separator
    extra="-static-libgcc -static-libstdc++"
    archive="libsoftmax4j_static.a"
    ;;
  *) echo "build-platform.sh: unsupported platform '$platform' (linux-arm64, windows-x86_64)" >&2; exit 2 ;;
esac

classes="$root/java/target/classes"
[[ -f "$classes/io/github/softmax4j/internal/NativeLib.class" ]] || {
  echo "build-platform.sh: $classes has no NativeLib.class: run 'mvn -B -DskipTests install' first" >&2; exit 2; }
javacpp="$(find "$HOME/.m2/repository/org/bytedeco/javacpp" -name 'javacpp-*.jar' ! -name '*-sources*' | sort | tail -1)"
[[ -n "$javacpp" ]] || { echo "build-platform.sh: javacpp jar not in ~/.m2 (run the host build first)" >&2; exit 2; }

work="$root/native/target/cross/$platform"
out="$root/native/target/platforms/io/github/softmax4j/internal/$platform"
echo "=== $platform: the C library (CMake, $toolchain)"
cmake -S "$root/native" -B "$work/cmake" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
  -DSOFTMAX4J_BUILD_BENCH=OFF -DSOFTMAX4J_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX="$work/install" >/dev/null
cmake --build "$work/cmake" -j "$jobs" >/dev/null
cmake --install "$work/cmake" >/dev/null

echo "=== $platform: the JNI library (JavaCPP Builder, properties $properties)"
xextra=()
for a in $extra; do xextra+=(-Xcompiler "$a"); done
rm -rf "$out" && mkdir -p "$out"
java -cp "$javacpp" org.bytedeco.javacpp.tools.Builder -properties "$properties" -cp "$classes" \
  -Dplatform.compiler="$cxx" -Dplatform.includepath="$includes$work/install/include" \
  -Xcompiler "-Wl,--whole-archive,$work/install/lib/$archive,--no-whole-archive" "${xextra[@]}" \
  -d "$out" io.github.softmax4j.internal.NativeLib
rm -f "$out"/*.cpp "$out"/*.h "$out"/*.exp "$out"/*.lib
file "$out"/*
if [[ "$platform" == windows-* ]]; then
  # nothing but Windows' own DLLs may be needed beside it
  bash "$root/scripts/check-dll-imports.sh" "$out"/*.dll
  # the entries FFM downcalls look up by name (SegmentNative, HeapNative; softmax4j.h's S4J_API) are exported
  exports="$("${OBJDUMP:-x86_64-w64-mingw32-objdump}" -p "$out"/*.dll | sed -n 's/^\s*\[ *[0-9]*\] //p')"
  for f in s4j_f32_rows_at s4j_f32_sumexp_at s4j_f32_finish_at s4j_softmax_f32_at; do
    grep -qx "$f" <<<"$exports" || { echo "build-platform.sh: the DLL does not export $f" >&2; exit 1; }
  done
  echo "the DLL exports the FFM entries"
fi
echo "=== $platform: $(ls "$out") ready; 'mvn -B -DskipTests install' packs it into the jar"
