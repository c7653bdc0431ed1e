#!/usr/bin/env bash
# Static throughput estimates of the f32 kernels' main loops with llvm-mca, per tier and CPU model, for tiers
# that cannot be timed here (NEON without arm64 hardware; AVX-512 on a machine without it). Each kernel's
# main loop (the s == 1 entry, the mode the drivers use for it) is compiled with the build's flags, the
# largest loop without prefetches is taken from the assembly (hot_loop.py) and llvm-mca gives its cycles per
# iteration; ns/element = cycles / elements per iteration / GHz. An ESTIMATE: llvm-mca models the core only
# (no caches, no memory, no frequency changes); calibrate it on a tier that can be timed here (the x86 rows
# of the same run beside the native harness's medians). Prints CSV.
#
#   bash benchmarks/native/mca/estimate.sh > benchmarks/results/mca-estimates.csv
#
# Needs: gcc, aarch64-linux-gnu-gcc, llvm-mca with the neoverse-v1 and znver5 models (Debian: llvm-19).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../../native"
mca="${LLVM_MCA:-$(command -v llvm-mca-19 || echo /usr/lib/llvm-19/bin/llvm-mca)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fp="-O3 -DNDEBUG -ffp-contract=off -fno-fast-math -fno-trapping-math -std=c11"
inc="-I$src/include -I$src/src -I$src/src/simd"

# tier: compiler, flags, arch, vector lanes, summing-kernel vectors per step, mode bits (FOLD on AVX-512,
# whose drivers' common case has E folded into the tables), CPU models with their GHz
tiers=(
  "avx2|gcc|-mavx2 -mfma -DS4J_TIER_AVX2=1 -DS4J_HAVE_X86=1|x86_64|8|4|0|znver5:3.3 znver3:3.3"
  "avx512|gcc|-mavx512f -mavx512dq -mavx2 -mfma -DS4J_TIER_AVX512=1 -DS4J_HAVE_X86=1|x86_64|16|8|S4J_EXP_FOLD|znver5:3.3 znver4:3.3 skylake-avx512:3.0"
  "neon|aarch64-linux-gnu-gcc|-DS4J_TIER_NEON=1 -DS4J_HAVE_ARM64=1|aarch64|4|4|0|neoverse-v1:2.6 neoverse-n1:2.5 apple-m1:3.2"
)
# kernel (a suffix names a mode of the same source: "-tree" calls of more than 4096 terms, S4J_SUM_TREE;
# "-cancel" the store pass of softmax rows, the cancelling table without the rests; "-one" vscale's one product):
# source, the wrapper's signature and call of the source's body (s4j_body; s4j_storeexp_body for the store pass, s4j_sumexp_body for raddexp), vectors per main-loop iteration
# (sum = the summing kernels' step, 4 = four vectors). The exp parameters are a local initialised in the
# wrapper, as in the kernels themselves: passed by pointer they stayed in memory, which took registers off
# the table (NEON: 113 instructions per 4 vectors in such a wrapper, 143 in the kernel as built until the
# twelfth session).
kernels=(
  "raddstoreexp@double w(size_t n, const float* x, float* y, float e) { s4j_expp p; s4j_expp_init(&p, 1.0f, e, 1.0, S4J_EXP_BIAS, 1); return s4j_storeexp_body(n, x, y, &p, S4J_RELOAD_LO | MODE); }@sum"
  "raddexp@double w(size_t n, const float* x, float e) { s4j_expp p; s4j_expp_init(&p, 1.0f, e, 1.0, S4J_EXP_BIAS, 1); return s4j_sumexp_body(n, x, &p, S4J_EXP_LO | MODE); }@sum"
  "raddstoreexp-tree@double w(size_t n, const float* x, float* y, float e) { s4j_expp p; s4j_expp_init(&p, 1.0f, e, 1.0, S4J_EXP_BIAS, 1); return s4j_storeexp_body(n, x, y, &p, S4J_RELOAD_LO | S4J_SUM_TREE | MODE); }@sum"
  "raddexp-tree@double w(size_t n, const float* x, float e) { s4j_expp p; s4j_expp_init(&p, 1.0f, e, 1.0, S4J_EXP_BIAS, 1); return s4j_sumexp_body(n, x, &p, S4J_EXP_LO | S4J_SUM_TREE | MODE); }@sum"
  "vscaleexp@float w(size_t n, const float* x, float* y, double c, float e) { s4j_expp p; s4j_expp_init(&p, 1.0f, e, c, S4J_EXP_FINAL_BIAS, 1); return s4j_body(n, x, y, &p, 0, S4J_EXP_LO | MODE); }@4"
  "raddstoreexp-cancel@double w(size_t n, const float* x, float* y, float e) { s4j_expp p; s4j_expp_init(&p, 1.0f, e, S4J_CANCEL_C, S4J_EXP_BIAS, 1); return s4j_storeexp_body(n, x, y, &p, S4J_CANCEL_LO | MODE); }@sum"
  "vscale@float w(size_t n, float* y, s4j_vf hi, s4j_vf lo) { s4j_factor f; f.hi = hi; f.lo = lo; f.pow2 = hi; return s4j_body(n, y, &f, 0, 0, 0); }@4"
  "vscale-one@float w(size_t n, float* y, s4j_vf hi, s4j_vf lo) { s4j_factor f; f.hi = hi; f.lo = lo; f.pow2 = hi; return s4j_body(n, y, &f, 0, 0, 1); }@4"
)
echo "tier,kernel,cpu_model,ghz,instructions_per_iteration,elements_per_iteration,instructions_per_element,cycles_per_iteration,cycles_per_element,est_ns_per_element"
for t in "${tiers[@]}"; do
  IFS='|' read -r tier cc flags arch lanes step mode models <<<"$t"
  for k in "${kernels[@]}"; do
    IFS='@' read -r label wrapper vecs <<<"$k"
    [ "$vecs" = sum ] && vecs=$step
    elements=$((vecs * lanes))
    fn="mca_${label//-/_}"
    c="$tmp/$tier-$label.c"
    printf '#include "f32/s4j_f32_%s.c"\n#define MODE (%s)\n%s\n' "${label%%-*}" "$mode" \
      "${wrapper/double w(/double $fn(}" | sed "s/float w(/float $fn(/" > "$c"
    # shellcheck disable=SC2086
    $cc $fp $flags $inc -Wno-missing-prototypes -S "$c" -o "$tmp/$tier-$label.s"
    python3 "$here/hot_loop.py" "$tmp/$tier-$label.s" "$arch" "$fn" > "$tmp/$tier-$label.loop"
    n_ins=$(grep -c . "$tmp/$tier-$label.loop")
    for m in $models; do
      model="${m%%:*}"; ghz="${m##*:}"
      cycles=$("$mca" -mtriple="$arch-linux-gnu" -mcpu="$model" -iterations=200 "$tmp/$tier-$label.loop" 2>/dev/null |
        awk '/^Total Cycles:/ {print $3 / 200}')
      awk -v t="$tier" -v k="$label" -v m="$model" -v g="$ghz" -v i="$n_ins" -v e="$elements" -v c="$cycles" \
        'BEGIN { printf "%s,%s,%s,%s,%d,%d,%.3f,%.2f,%.4f,%.4f\n", t, k, m, g, i, e, i / e, c, c / e, c / e / g }'
    done
  done
done
