#!/usr/bin/env python3
"""Prints the hot loop of a compiler's assembly listing (GNU as syntax, x86-64 or AArch64): the loop with the
most instructions, among those without a prefetch, that branches back to its own label. Input: the .s file,
the architecture (x86_64 or aarch64: the comment character) and the function to look in; output: the loop's instructions, one per line, ready for llvm-mca. Used by estimate.sh."""
import re
import sys

lines = open(sys.argv[1]).read().splitlines()
if len(sys.argv) > 3:  # only the function named there (its label to its .size directive)
    fn = sys.argv[3]
    start = next(i for i, l in enumerate(lines) if l.strip() == fn + ":")
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(".size") and fn in lines[i])
    lines = lines[start + 1:end]
comment = "//" if len(sys.argv) > 2 and sys.argv[2] == "aarch64" else "#"
label_at = {}
body = []  # (label or None, instruction or None)
for raw in lines:
    s = raw.split(comment)[0].strip()
    if not s:
        continue
    m = re.match(r"^([.\w$]+):$", s)
    if m:
        label_at[m.group(1)] = len(body)
        body.append((m.group(1), None))
        continue
    if s.startswith("."):  # directives
        continue
    body.append((None, s))

best = None
for end, (_, ins) in enumerate(body):
    if ins is None:
        continue
    m = re.match(r"^(j\w+|b(\.\w+)?|b\w*|cbn?z|tbn?z)\s+(.*)$", ins)
    if not m:
        continue
    target = m.group(3).split(",")[-1].strip()
    start = label_at.get(target)
    if start is None or start >= end:
        continue
    loop = [i for (_, i) in body[start:end + 1] if i is not None]
    if any("prefetch" in i or i.startswith("prfm") for i in loop):
        continue
    if any(l is not None for (l, _) in body[start + 1:end + 1]):
        continue  # an inner label: not a single straight-line loop body
    if best is None or len(loop) > len(best):
        best = loop
if best is None:
    sys.exit("no loop found in " + sys.argv[1])
print("\n".join(best))
