#!/usr/bin/env bash
# Builds examples/consumer against the installed softmax4j artifact (run `mvn install` first) and runs it
#  1. with no compiler and no cmake on the PATH and an empty JavaCPP cache: it must get a native backend
#     (on a CPU with AVX2 or AVX-512) from the natives inside the jar;
#  2. with the native library removed from the jar: it must fall back to the Vector API backend with one
#     clear log line and no exception;
#  3. on the module path (the example is a module that requires io.github.softmax4j): a native backend,
#     with the module-path flags.
# With the README's flags, runs 1 and 3 must print nothing on stderr but the JVM's own line
# "WARNING: Using incubator modules: jdk.incubator.vector"; without --add-modules, one line of ours names it
# wherever the Vector API would run (nothing on a native backend).
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

native_cpu=0
if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then native_cpu=1; fi
# stderr of a run, without the JVM's own incubator-module line (printed whenever the module is added)
own_stderr() { grep -v '^WARNING: Using incubator modules: jdk.incubator.vector$' "$1" || true; }

echo "=== consumer with natives, PATH without compilers (java = $java_bin)"
out="$(env -i HOME="$cache" PATH=/nonexistent "$java_bin" "${flags[@]}" \
  -Dorg.bytedeco.javacpp.cachedir="$cache/javacpp" -cp "$cp" example.Main 2>"$cache/err1")"
echo "$out"; cat "$cache/err1"
if [ "$native_cpu" = 1 ]; then
  echo "$out" | grep -qE '^backend: NATIVE_' || { echo "FAIL: expected a native backend"; exit 1; }
fi
[ -z "$(own_stderr "$cache/err1")" ] || { echo "FAIL: stderr is not empty with the README's flags"; exit 1; }

# without --add-modules: a native backend needs nothing of the Vector API (nothing on stderr); where the Vector
# API would run (no native tier here, or -Dsoftmax4j.tinyCalls=vector) one line names the flag
one_line_names_the_flag() { # one log record (java.util.logging puts a date line above it), and it names the flag
  [ "$(grep -c 'softmax4j: ' "$1")" = 1 ] && grep 'softmax4j: ' "$1" | grep -q -- '--add-modules jdk.incubator.vector' ||
    { echo "FAIL: expected one softmax4j line naming --add-modules jdk.incubator.vector"; exit 1; }
  [ -z "$(grep -v 'softmax4j: ' "$1" | grep -v ' io.github.softmax4j.internal.KernelSelector ')" ] || { echo "FAIL: more on stderr"; exit 1; }
}
echo "=== consumer on the class path without --add-modules"
out="$(env -i HOME="$cache" PATH=/nonexistent "$java_bin" --enable-native-access=ALL-UNNAMED \
  -Dorg.bytedeco.javacpp.cachedir="$cache/javacpp" -cp "$cp" example.Main 2>"$cache/err2")"
echo "$out"; cat "$cache/err2"
if [ "$native_cpu" = 1 ]; then
  [ -z "$(cat "$cache/err2")" ] || { echo "FAIL: stderr is not empty with a native backend"; exit 1; }
  echo "=== the same with -Dsoftmax4j.tinyCalls=vector: one line names the flag"
  env -i HOME="$cache" PATH=/nonexistent "$java_bin" --enable-native-access=ALL-UNNAMED -Dsoftmax4j.tinyCalls=vector \
    -Dorg.bytedeco.javacpp.cachedir="$cache/javacpp" -cp "$cp" example.Main >/dev/null 2>"$cache/err2b"
  cat "$cache/err2b"
  one_line_names_the_flag "$cache/err2b"
else
  one_line_names_the_flag "$cache/err2"
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

echo "=== consumer on the module path"
mp_flags=(--add-modules jdk.incubator.vector --enable-native-access=org.bytedeco.javacpp,io.github.softmax4j)
out="$(env -i HOME="$cache" PATH=/nonexistent "$java_bin" "${mp_flags[@]}" \
  -Dorg.bytedeco.javacpp.cachedir="$cache/javacpp3" -p "target/classes:$(cat target/classpath.txt)" \
  -m example.consumer/example.Main 2>"$cache/err3")"
echo "$out"; cat "$cache/err3"
if [ "$native_cpu" = 1 ]; then
  echo "$out" | grep -qE '^backend: NATIVE_' || { echo "FAIL: expected a native backend on the module path"; exit 1; }
fi
[ -z "$(own_stderr "$cache/err3")" ] || { echo "FAIL: stderr is not empty on the module path"; exit 1; }

echo "=== java -jar on the installed jar (its Class-Path finds JavaCPP in the repository layout)"
out="$(cd "$cache" && env -i HOME="$cache" PATH=/nonexistent "$java_bin" "${flags[@]}" \
  -Dorg.bytedeco.javacpp.cachedir="$cache/javacpp4" -jar "$lib_jar" --no-speed 2>&1)"
echo "$out" | tail -3
echo "$out" | tail -1 | grep -qx '  OK' || { echo "FAIL: java -jar diagnostics did not end with OK"; exit 1; }
if [ "$native_cpu" = 1 ]; then
  echo "$out" | grep -q '^  selected: NATIVE_' ||
    { echo "FAIL: java -jar diagnostics did not choose a native backend"; exit 1; }
fi
echo "=== through softmax4j-platform: every platform's jar by default, one platform's with -Djavacpp.platform"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x86_64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  *) platform="" ;;
esac
mvn -B -q package -Dconsumer.platformPom
tr ':' '\n' < target/classpath.txt | grep -q '/softmax4j-0[^/]*-SNAPSHOT\.jar$' ||
  { echo "FAIL: softmax4j-platform without -Djavacpp.platform did not bring the plain jar"; exit 1; }
if [ -n "$platform" ] && unzip -l "$lib_jar" "io/github/softmax4j/internal/$platform/*" >/dev/null 2>&1; then
  mvn -B -q package -Dconsumer.platformPom -Djavacpp.platform="$platform"
  one="$(tr ':' '\n' < target/classpath.txt | grep '/softmax4j-[^/]*\.jar$' || true)"
  echo "softmax4j on the class path: $one"
  [ "$(printf '%s\n' "$one" | wc -l)" = 1 ] && [ "$(basename "$one")" = "$(basename "$lib_jar" .jar)-$platform.jar" ] ||
    { echo "FAIL: -Djavacpp.platform=$platform did not bring exactly the $platform jar"; exit 1; }
  others="$(unzip -l "$one" | awk '{print $4}' | grep '^io/github/softmax4j/internal/[^/]*-[^/]*/.' | grep -v "/$platform/" || true)"
  [ -z "$others" ] || { echo "FAIL: the $platform jar carries other platforms' natives: $others"; exit 1; }
  out="$(env -i HOME="$cache" PATH=/nonexistent "$java_bin" "${flags[@]}" \
    -Dorg.bytedeco.javacpp.cachedir="$cache/javacpp5" -cp "target/classes:$(cat target/classpath.txt)" example.Main 2>&1)"
  echo "$out"
  if [ "$native_cpu" = 1 ]; then
    echo "$out" | grep -qE '^backend: NATIVE_' || { echo "FAIL: expected a native backend from the $platform jar"; exit 1; }
  fi
  result="7 passed, 0 failed"
else
  result="6 passed, 0 failed (no natives of this platform in the jar: its one-platform jar not checked)"
fi
mvn -B -q package # the plain dependency again, as the other runs expect
echo "consumer: $result"
