#!/usr/bin/env python3
"""Search for the factor c of the cancelling table (constants.h S4J_CANCEL_C8 / S4J_CANCEL_C16; docs/NUMERICS.md,
"Cancelling table").

A softmax row's store pass without the table rests writes terms z = fl(t_j * p(r)) with t_j = fl(2^(j/L) c) and
r in [-ln2/(2L), ln2/(2L)]. Every output is z_i / sum(z), so a factor common to all terms cancels and only how far
the terms' relative errors are from one common multiple reaches y. Per entry j (units of 2^-24, relative):
  eps_j = t_j / (2^(j/L) c) - 1          the entry's rounding (the same for every term of that entry)
  R_j   = 1 / m_j                         the term's own final rounding, at most 2^-24 / m relative for a term
                                          whose significand is m: m_j = the smallest significand of
                                          2^(j/L) c e^r over r (1 where those products cross a power of two)
Every term lies in [eps_j - R_j, eps_j + R_j], so the half-width of the union is
  H(c) = (max_j (eps_j + R_j) - min_j (eps_j - R_j)) / 2
(the polynomial's error, ~0.04-0.06 on the native tiers, comes on top: test_exp_exhaustive measures the whole).
The search evaluates H at N values of c in [1, 2) (c and c * 2^(1/L) give the same entries, rotated) and prints
the best ones; the kernels build their tables for c/2 (exact).

usage: scripts/cancel-factor-search.py L [log2 N]     (L = 8 or 16; N = 2^26 takes ~2 minutes)
"""
import sys

import numpy as np


def half_width(c, L):
    """Modelled H(c) (units of 2^-24) and the spread of the entries' roundings, for an array of c."""
    j = np.arange(L)
    v = np.exp2(j / L) * np.asarray(c, dtype=np.float64)[:, None]
    eps = (v.astype(np.float32).astype(np.float64) / v - 1.0) * 2.0**24
    lo = np.log2(v) - 0.5 / L
    hi = np.log2(v) + 0.5 / L
    m = np.where(np.floor(hi) > np.floor(lo), 1.0, np.exp2(lo - np.floor(lo)))
    h = (np.max(eps + 1.0 / m, axis=1) - np.min(eps - 1.0 / m, axis=1)) / 2.0
    return h, np.max(eps, axis=1) - np.min(eps, axis=1)


def main():
    L = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    n = 1 << (int(sys.argv[2]) if len(sys.argv) > 2 else 26)
    chunk = 1 << 20
    best = []
    for start in range(0, n, min(chunk, n)):
        c = 1.0 + (np.arange(start, min(start + chunk, n)) + 0.5) / n
        h, _ = half_width(c, L)
        for i in np.argsort(h)[:8]:
            best.append((float(h[i]), float(c[i])))
    best.sort()
    shown = []
    for h, c in best:
        if all(abs(c - o) > 1e-4 for _, o in shown):
            shown.append((h, c))
        if len(shown) == 8:
            break
    for c in (1.0,):
        h, spread = half_width([c], L)
        print("c = %.17g: H = %.4f, entries' roundings within %.4f (x 2^-24)" % (c, h[0], spread[0]))
    for h, c in shown:
        _, spread = half_width([c], L)
        print("c = %.17g: H = %.4f, entries' roundings within %.4f; c/2 = %r" % (c, h, spread[0], c / 2))


if __name__ == "__main__":
    main()
