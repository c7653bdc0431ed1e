#!/usr/bin/env bash
# Two builds of the committed tree (HEAD), in two fresh clones at different paths, must give byte-identical
# artifacts: the library jar (classes, the JNI library, manifest), its sources and Javadoc jars, and the
# C library. Tests are skipped (they run elsewhere); each build is a full one: CMake, javac, JavaCPP.
#   scripts/reproducible-check.sh [work-dir [maven args...]]    e.g. /tmp/r -Prelease -Dgpg.skip (then the
#   CycloneDX SBOMs are compared too); the JDK is Maven's (JAVA_HOME): release jars are built on JDK 22+.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
shift || true
mkdir -p "$work"
for side in a b; do
  dir="$work/build-$side"
  rm -rf "$dir"
  git clone -q --no-hardlinks "$root" "$dir"
  echo "=== build $side in $dir ($(git -C "$dir" rev-parse --short HEAD))"
  (cd "$dir" && mvn -B -q -DskipTests -pl native,java "$@" package)
done
status=0
for f in java/target/softmax4j-*.jar java/target/bom.* native/target/install/lib/libsoftmax4j.a; do
  for a in "$work"/build-a/$f; do
    [ -e "$a" ] || continue
    rel="${a#"$work"/build-a/}"
    b="$work/build-b/$rel"
    if cmp -s "$a" "$b"; then
      echo "identical: $rel ($(sha256sum < "$a" | cut -c1-16))"
    else
      echo "DIFFERENT: $rel"
      status=1
      if [[ "$a" == *.jar ]]; then
        diff <(unzip -v "$a" | awk '{print $7, $8}') <(unzip -v "$b" | awk '{print $7, $8}') | head -20 || true
      fi
    fi
  done
done
[ "$status" = 0 ] && echo "reproducible: every artifact identical" || echo "NOT reproducible"
exit "$status"
