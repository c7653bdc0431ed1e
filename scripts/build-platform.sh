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
# kernel library with the NEON tier, the JNI glue by JavaCPP's linux-arm64 properties). The other platforms
# (macOS, Windows) are built natively by .github/workflows/ci.yml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
platform="${1:?usage: build-platform.sh linux-arm64}"
jobs=2

case "$platform" in
  linux-arm64) toolchain="$root/cmake/toolchains/aarch64-linux-gnu.cmake" ;;
  *) echo "build-platform.sh: unsupported platform '$platform' (linux-arm64)" >&2; exit 2 ;;
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

echo "=== $platform: the JNI library (JavaCPP Builder, properties $platform)"
rm -rf "$out" && mkdir -p "$out"
java -cp "$javacpp" org.bytedeco.javacpp.tools.Builder -properties "$platform" -cp "$classes" \
  -Dplatform.compiler="${CROSS_CXX:-aarch64-linux-gnu-g++}" -Dplatform.includepath="$work/install/include" \
  -Xcompiler "-Wl,--whole-archive,$work/install/lib/libsoftmax4j.a,--no-whole-archive" \
  -d "$out" io.github.softmax4j.internal.NativeLib
rm -f "$out"/*.cpp "$out"/*.h
file "$out"/*
echo "=== $platform: $(ls "$out") ready; 'mvn -B -DskipTests install' packs it into the jar"
