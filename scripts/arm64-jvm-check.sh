#!/usr/bin/env bash
# Runs the linux-arm64 JNI library end to end in an arm64 JVM under qemu-user, on an x86-64 machine:
# Diagnostics (must select NATIVE_NEON, self-check must pass), then a reduced conformance suite (JUnit
# console launcher) with NATIVE_NEON required: the quick suites of special values, dominant terms, bad input,
# buffers and selection, ~2 minutes under emulation. Not here: suites that start child JVMs (qemu-user runs
# no foreign executable without binfmt_misc) and the long ones (ConformanceTest's 16M sizes take far longer
# emulated); ARM64_TESTS=ConformanceTest,... picks others.
#
#   mvn -B -DskipTests install && bash scripts/build-platform.sh linux-arm64 && mvn -B -DskipTests install
#   bash scripts/arm64-jvm-check.sh
#
# Needs (Debian, as root): qemu-user; the arm64 JRE is taken from Debian's arm64 packages with
# `apt-get download` (dpkg --add-architecture arm64 && apt-get update, done here if missing) and unpacked
# into native/target/arm64-jre: nothing is installed for arm64.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jre="$root/native/target/arm64-jre"
tests="${ARM64_TESTS:-BackendCoverageTest,SpecialValuesTest,DominantTermTest,BadInputMatrixTest,BufferTest,SelectionTest}"

lib="$root/java/target/classes/io/github/softmax4j/internal/linux-arm64/libjniNativeLib.so"
[[ -f "$lib" ]] || { echo "arm64-jvm-check.sh: no $lib: run scripts/build-platform.sh linux-arm64, then mvn -B -DskipTests install" >&2; exit 2; }

java_arm64="$jre/usr/lib/jvm/java-17-openjdk-arm64/bin/java"
if [[ ! -x "$java_arm64" ]]; then
  echo "=== fetching Debian's arm64 JRE and its libraries (unpacked, not installed)"
  dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64; apt-get update -q; }
  mkdir -p "$jre/debs"
  (cd "$jre/debs" && apt-get download openjdk-17-jre-headless:arm64 libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 \
    zlib1g:arm64 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  for d in "$jre"/debs/*.deb; do dpkg -x "$d" "$jre"; done
fi
run() { qemu-aarch64 -L "$jre" "$java_arm64" "$@"; }

echo "=== test classpath and the JUnit console launcher (Maven)"
cp_file="$root/java/target/test-classpath.txt"
mvn -B -q -f "$root/java/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
mvn -B -q -N -f "$root/pom.xml" dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
  -DoutputDirectory="$root/java/target/launcher"
launcher="$root/java/target/launcher/junit-platform-console-standalone-1.14.1.jar"
cp="$root/java/target/classes:$(cat "$cp_file")"

echo "=== Diagnostics in an arm64 JVM ($(run -version 2>&1 | head -1))"
log="$root/java/target/arm64-diagnostics.txt"
run --add-modules jdk.incubator.vector -cp "$cp" io.github.softmax4j.Diagnostics --no-speed 2>&1 | tee "$log"
grep -q "^  selected: NATIVE_NEON" "$log" && grep -q "^  OK" "$log" || {
  echo "arm64-jvm-check.sh: the arm64 JVM did not select NATIVE_NEON, or its self-check failed" >&2; exit 1; }

echo "=== reduced conformance suite in the arm64 JVM: $tests (NATIVE_NEON required)"
args=()
IFS=, read -ra names <<<"$tests"
for t in "${names[@]}"; do args+=(--select-class "io.github.softmax4j.$t"); done
run --add-modules jdk.incubator.vector -Xss4m -Dsoftmax4j.requireBackends=NATIVE_NEON,NATIVE_PORTABLE,SCALAR \
  -jar "$launcher" execute --disable-banner --details=summary --fail-if-no-tests \
  -cp "$root/java/target/test-classes:$cp" "${args[@]}"
echo "arm64-jvm-check: passed"
