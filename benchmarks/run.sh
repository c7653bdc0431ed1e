#!/usr/bin/env bash
# softmax4j benchmark suite (issue 3): the native harness and JMH in one short, honest configuration, then
# RESULTS.md and the PNG charts. About 12 minutes on a 2-core machine; run it on a quiet one.
#
#   mvn -B -DskipTests install        # once: the library (with its native kernels) into ~/.m2
#   benchmarks/run.sh                 # measure + report into benchmarks/results/
#
# Options:
#   --smoke           seconds-long configuration that proves the pipeline end to end (default output:
#                     benchmarks/target/smoke-results, so smoke numbers never land in benchmarks/results)
#   --report-only     only turn existing raw files into RESULTS.md + PNGs
#   --out=DIR         results folder
#   --build           rebuild benchmarks.jar even if it exists (needs the library installed in ~/.m2)
#   --native-installed  link the native harness with native/target/install (what `mvn install` built)
#                     instead of compiling ../native from source
#   --no-native | --no-jmh | --no-peers   skip a part
# Environment overrides: JMH_SIZES, OPS_SIZES, JMH_OPTS, OPS_JMH_OPTS (fork/iteration options), NATIVE_OPTS and
# CROSSOVER_OPTS (s4j_native_bench options).
#
# On a shared machine, serialize with other heavy jobs: flock /tmp/s4j-mvn.lock benchmarks/run.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
mode=full
out=""
report_only=0
build=0
native_installed=0
run_native=1
run_jmh=1
run_peers=1
for arg in "$@"; do
  case "$arg" in
    --smoke) mode=smoke ;;
    --report-only) report_only=1 ;;
    --out=*) out="${arg#--out=}" ;;
    --build) build=1 ;;
    --native-installed) native_installed=1 ;;
    --no-native) run_native=0 ;;
    --no-jmh) run_jmh=0 ;;
    --no-peers) run_peers=0 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown option $arg (see --help)" >&2; exit 64 ;;
  esac
done
if [[ -z "$out" ]]; then
  if [[ $mode == smoke ]]; then out="$here/target/smoke-results"; else out="$here/results"; fi
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

jar="$here/target/benchmarks.jar"
jvm_flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
log() { printf '\n=== %s (%s)\n' "$*" "$(date +%H:%M:%S)"; }

if [[ $build == 1 || ! -f "$jar" ]]; then
  log "building benchmarks.jar"
  # -f: only this module (the library comes from ~/.m2; the reactor would rebuild native/ and java/)
  mvn -B -q -f "$here/pom.xml" package -DskipTests
fi
# JavaCPP reuses the library it extracted from a jar of this name while the entry's size and timestamp match,
# and the build is reproducible (fixed timestamps): a rebuilt jar would time the previous native build.
rm -rf "${HOME}/.javacpp/cache/$(basename "$jar")"

report() {
  log "report: $out/RESULTS.md + PNG charts"
  java -Djava.awt.headless=true -cp "$jar" io.github.softmax4j.bench.report.ResultsReport "$out"
}
if [[ $report_only == 1 ]]; then
  report
  exit 0
fi

# ------------------------------------------------------------------ configuration
if [[ $mode == smoke ]]; then
  : "${NATIVE_OPTS:=--quick --max-n=256K}"
  : "${CROSSOVER_OPTS:=--quick --sizes=64K,128K --algos=two-pass,three-pass-reload --no-ops}"
  : "${JMH_SIZES:=1000,65536}"
  : "${JMH_OPTS:=-f 1 -wi 1 -w 200ms -i 2 -r 200ms}"
  algo_sizes="65536"
  : "${OPS_SIZES:=32768}"
  : "${OPS_JMH_OPTS:=}"
else
  # 11 interleaved samples of >= 20 ms per point, N = 1K ... 64M (L1 to DRAM)
  : "${NATIVE_OPTS:=--reps=11 --min-ms=20 --max-n=64M}"
  : "${CROSSOVER_OPTS:=--reps=9 --min-ms=20 --sizes=512K,1M,2M,4M,8M,16M,32M --algos=two-pass,three-pass-reload --no-ops}"
  # L1, L2, L3, DRAM and one odd size (the kernels' tails); 64M stays native-only (time budget)
  : "${JMH_SIZES:=1000,4096,32768,65536,262144,1048576,16777216}"
  : "${JMH_OPTS:=-f 1 -wi 3 -w 1s -i 5 -r 1s}"
  algo_sizes="4096,1048576,16777216"
  # one vector: a 32K-vocabulary sampler, 256K, and 16M / 64M where the parallel split is measured
  : "${OPS_SIZES:=32768,262144,16777216,67108864}"
  # fewer iterations per point for the 92 op/rows points (~8 minutes)
  : "${OPS_JMH_OPTS:=-f 1 -wi 2 -w 1s -i 3 -r 1s}"
fi
common=(-bm avgt -tu ns -rf csv)

# ------------------------------------------------------------------ machine
log "machine"
backend_info="$(java "${jvm_flags[@]}" -cp "$jar" io.github.softmax4j.bench.Backends 2>/dev/null)"
available="$(sed -n 's/^available=//p' <<<"$backend_info")"
best_native="$(sed -n 's/^bestNative=//p' <<<"$backend_info")"
cache() { lscpu | sed -n "s/^$1 cache: *//p" | head -1; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- native java 2>/dev/null || echo ' (native/ or java/ modified)')"
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "caches: L1d $(cache L1d), L2 $(cache L2), L3 $(cache L3)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "OS: $(uname -sr)"
  echo "JDK: $(java -version 2>&1 | sed -n 2p)"
  echo "C compiler: $(gcc --version 2>/dev/null | head -1)"
  echo "backends: $available (best native: ${best_native:-none})"
  echo "mode: $mode"
  echo "command: benchmarks/run.sh $*"
  echo "native options: $NATIVE_OPTS"
  echo "JMH options: $JMH_OPTS ${common[*]}, sizes $JMH_SIZES"
} >"$out/machine.txt"
cat "$out/machine.txt"

# ------------------------------------------------------------------ native harness
if [[ $run_native == 1 ]]; then
  build_dir="$here/native/build"
  cmake_args=(-DCMAKE_BUILD_TYPE=Release)
  if [[ $native_installed == 1 ]]; then
    cmake_args+=(-DS4J_BENCH_USE_INSTALLED=ON)
    build_dir="$here/native/build-installed"
  fi
  log "native harness: build ($build_dir)"
  cmake -S "$here/native" -B "$build_dir" "${cmake_args[@]}" >/dev/null
  cmake --build "$build_dir" -j "$(nproc)" >/dev/null
  log "native harness: s4j_native_bench $NATIVE_OPTS"
  # shellcheck disable=SC2086 # NATIVE_OPTS is a list of options
  "$build_dir/s4j_native_bench" $NATIVE_OPTS --out="$out/native.csv"
  # the data behind AUTO's crossover per tier (native/src/softmax.c): the two algorithms around it
  log "native harness: AUTO crossover"
  # shellcheck disable=SC2086 # CROSSOVER_OPTS is a list of options
  "$build_dir/s4j_native_bench" $CROSSOVER_OPTS --out="$out/crossover.csv"
fi

# ------------------------------------------------------------------ JMH
logs="$here/target/run-logs" # full JMH output: kept out of the commit-ready results folder
mkdir -p "$logs"
jmh() { # jmh NAME REGEX [jmh options...]; ops and rows go to ops-NAME.csv (their own report tables)
  local name="$1" regex="$2" csv="$out/jmh-$1.csv" opts="$JMH_OPTS"
  shift 2
  # JMH rejects an option given twice: ops and rows take OPS_JMH_OPTS instead of JMH_OPTS when it is set
  if [[ $name == ops || $name == rows ]]; then
    csv="$out/ops-$name.csv"
    opts="${OPS_JMH_OPTS:-$JMH_OPTS}"
  fi
  log "JMH $name: $regex $opts $*"
  # shellcheck disable=SC2086 # opts is a list of options
  java -jar "$jar" "$regex" $opts "${common[@]}" -rff "$csv" "$@" \
    >"$logs/jmh-$name.log" 2>&1 || { echo "JMH $name failed, see $logs/jmh-$name.log" >&2; return 1; }
  grep -E '^(Benchmark|[A-Za-z]+Benchmark\.)' "$logs/jmh-$name.log" || true
}
if [[ $run_jmh == 1 ]]; then
  rm -f "$out"/jmh-*.csv "$out"/ops-*.csv "$logs"/jmh-*.log
  # every backend that runs here, AUTO: what a user gets
  jmh api 'SoftmaxBenchmark\.array$' -p backend="$available" -p algorithm=AUTO -p n="$JMH_SIZES"
  if [[ -n "$best_native" ]]; then
    # the three algorithms through Java on the best native tier (all tiers x algorithms: native harness)
    jmh algorithms 'SoftmaxBenchmark\.array$' -p backend="$best_native" \
      -p algorithm=TWO_PASS,THREE_PASS_RECOMPUTE,THREE_PASS_RELOAD -p n="$algo_sizes"
    # direct buffers through the API, and the raw JNI call without the facade: the Java-side cost
    jmh buffer 'SoftmaxBenchmark\.directBuffer$' -p backend="$best_native" -p algorithm=AUTO -p n="$JMH_SIZES"
    jmh raw 'RawNativeBenchmark\.rawNativeArray$' -p backend="$best_native" -p algorithm=AUTO -p n="$JMH_SIZES"
  fi
  if [[ -n "$best_native" ]]; then
    # the other operations (one vector) and batched rows, on the best native tier and the Vector API
    ops_backends="$best_native"
    [[ ",$available," == *",VECTOR,"* ]] && ops_backends="$ops_backends,VECTOR"
    jmh ops 'OpsBenchmark' -p backend="$ops_backends" -p n="$OPS_SIZES"
    jmh rows 'RowsBenchmark' -p backend="$ops_backends"
  fi
  jmh baseline 'BaselineBenchmark' -p n="$JMH_SIZES"
  if [[ $run_peers == 1 ]]; then
    jmh peers 'PeersBenchmark' -p n="$JMH_SIZES"
  fi
fi

report
log "done: $out"
