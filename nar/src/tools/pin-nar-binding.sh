#!/bin/sh
# softmax4j: pins libs.binding (the way NAR consumers link this library: static or shared) in every
# nar.properties that nar-prepare-package wrote under target/, before nar-package zips the NARs.
# NAR 3.10.1 chooses it from the order in which the file system lists target/nar (static and shared
# each overwrite the other), and its consumers cannot override it at link time.
# Usage: pin-nar-binding.sh TARGET_DIR static|shared
set -eu
target=$1
binding=$2
case "$binding" in
  static|shared) ;;
  *) echo "pin-nar-binding: softmax4j.nar.binding must be static or shared, not '$binding'" >&2; exit 1 ;;
esac
found=0
for f in $(find "$target/classes/META-INF/nar" "$target/nar" -path '*/META-INF/nar/*' -name nar.properties); do
  # sed -i.bak: both GNU and BSD (macOS) sed accept it
  sed -i.bak -E "s/^(([A-Za-z0-9_]+-[A-Za-z0-9_]+-[A-Za-z0-9_]+[.])?libs[.]binding)=.*/\\1=$binding/" "$f"
  rm -f "$f.bak"
  found=$((found + 1))
done
if [ "$found" -eq 0 ]; then
  echo "pin-nar-binding: no nar.properties under $target" >&2
  exit 1
fi
echo "pin-nar-binding: libs.binding=$binding in $found nar.properties"
