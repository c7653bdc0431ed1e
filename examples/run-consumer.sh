#!/usr/bin/env bash
# Builds examples/consumer against the installed softmax4j artifact (run `mvn install` first) and runs it
#  1. with no compiler and no cmake on the PATH and an empty JavaCPP cache: it must get a native backend
#     (on a CPU with AVX2 or AVX-512) from the natives inside the jar;
#  2. with the native library removed from the jar: it must fall back to the Vector API backend with one
#     clear log line and no exception.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/consumer"
mvn -B -q package
java_bin="$(command -v java)"
java_bin="$(readlink -f "$java_bin")"
cp="target/classes:$(cat target/classpath.txt)"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT

echo "=== consumer with natives, PATH without compilers (java = $java_bin)"
out="$(env -i HOME="$cache" PATH=/nonexistent "$java_bin" "${flags[@]}" \
  -Dorg.bytedeco.javacpp.cachedir="$cache/javacpp" -cp "$cp" example.Main 2>&1)"
echo "$out"
if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
  echo "$out" | grep -qE '^backend: NATIVE_' || { echo "FAIL: expected a native backend"; exit 1; }
fi

echo "=== consumer with the native library removed from the jar"
lib_jar="$(tr ':' '\n' < target/classpath.txt | grep '/softmax4j-[0-9].*\.jar$' | head -1)"
stripped="$cache/softmax4j-no-natives.jar"
cp "$lib_jar" "$stripped"
zip -q -d "$stripped" 'io/github/softmax4j/internal/*/*' >/dev/null
cp2="target/classes:$(tr ':' '\n' < target/classpath.txt | grep -v '/softmax4j-[0-9].*\.jar$' | paste -sd: -):$stripped"
out="$(env -i HOME="$cache" PATH=/nonexistent "$java_bin" "${flags[@]}" \
  -Dorg.bytedeco.javacpp.cachedir="$cache/javacpp2" -cp "$cp2" example.Main 2>&1)"
echo "$out"
echo "$out" | grep -q '^backend: VECTOR' || { echo "FAIL: expected the VECTOR fallback"; exit 1; }
if echo "$out" | grep -q 'Exception'; then echo "FAIL: an exception was printed"; exit 1; fi
echo "$out" | grep -q 'native library could not be loaded' || { echo "FAIL: no log line about the natives"; exit 1; }
echo "consumer: 2 passed, 0 failed"
