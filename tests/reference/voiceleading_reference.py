"""Slow, obvious twins of the voice-leading kernels (for agreement tests only).

``brute_force_cost`` tries every one-to-one pairing (permutations) or every set of voice motions that
uses each note of both chords (subsets of all note pairs).  ``motion_findings`` re-derives the motion and
melodic rules of :mod:`harmonia.theory.vl_rules` from their definitions with plain Python loops.
"""

from __future__ import annotations

import itertools
import math


def _disp(a: int, b: int, pc: bool) -> int:
    if not pc:
        return b - a
    return min((b - a) % 12, (a - b) % 12)


def _total(ds: list[int], norm: str) -> float:
    ds = [abs(d) for d in ds]
    if norm == "taxicab":
        return float(sum(ds))
    if norm == "euclidean":
        return math.sqrt(sum(d * d for d in ds))
    return float(max(ds))


def brute_force_cost(
    a: list[int], b: list[int], norm: str = "taxicab", pc: bool = False, doubling: bool = False
) -> float:
    """Minimal cost by exhaustive search (chords of up to about 4 notes)."""
    if pc:
        a, b = [x % 12 for x in a], [x % 12 for x in b]
    if not doubling:
        assert len(a) == len(b)
        return min(
            _total([_disp(x, b[i], pc) for x, i in zip(a, perm)], norm)
            for perm in itertools.permutations(range(len(b)))
        )
    pairs = [(i, j) for i in range(len(a)) for j in range(len(b))]
    best = math.inf
    for r in range(max(len(a), len(b)), len(a) + len(b)):
        for subset in itertools.combinations(pairs, r):
            if {i for i, _ in subset} == set(range(len(a))) and {j for _, j in subset} == set(range(len(b))):
                best = min(best, _total([_disp(a[i], b[j], pc) for i, j in subset], norm))
    return best


def motion_findings(
    pitch: list[list[int]], attack: list[list[bool]], exempt_step: bool = True
) -> set[tuple[str, int, int, int]]:
    """(rule, onset index, voice a, voice b) for the parallel, contrary, direct, crossing, overlap, spacing
    and leap rules, from a grid given as lists (``-1`` = rest; column 0 the highest voice)."""
    out: set[tuple[str, int, int, int]] = set()
    n_k = len(pitch)
    n_v = len(pitch[0]) if n_k else 0

    def sounding(k: int) -> list[int]:
        return [v for v in range(n_v) if pitch[k][v] >= 0]

    for k in range(n_k):
        s = sounding(k)
        for x in range(len(s)):
            for y in range(x + 1, len(s)):
                i, j = s[x], s[y]
                if pitch[k][i] < pitch[k][j] and (attack[k][i] or attack[k][j]):
                    out.add(("voice_crossing", k, i, j))
        for x in range(len(s) - 2):  # adjacent upper pairs: the lower of the two is not the bass
            i, j = s[x], s[x + 1]
            if pitch[k][i] - pitch[k][j] > 12 and (attack[k][i] or attack[k][j]):
                out.add(("spacing", k, i, j))
        if k == 0:
            continue
        for v in range(n_v):
            a0, a1 = pitch[k - 1][v], pitch[k][v]
            if a0 >= 0 and a1 >= 0 and attack[k][v]:
                if abs(a1 - a0) > 12:
                    out.add(("leap_beyond_octave", k, v, -1))
        prev = sounding(k - 1)
        for i in range(n_v):
            for j in range(i + 1, n_v):
                a0, a1, b0, b1 = pitch[k - 1][i], pitch[k][i], pitch[k - 1][j], pitch[k][j]
                if min(a0, a1, b0, b1) < 0 or (a0 == a1 and b0 == b1):
                    continue
                up_a, up_b = a1 > a0, b1 > b0
                both_move = a0 != a1 and b0 != b1
                before, after = abs(a0 - b0) % 12, abs(a1 - b1) % 12
                perfect = {7: "fifths", 0: "octaves"}
                if both_move and before == after and before in perfect:
                    kind = "parallel" if up_a == up_b else "contrary"
                    out.add((f"{kind}_{perfect[before]}", k, i, j))
                outer = i == s[0] == prev[0] and j == s[-1] == prev[-1]
                if outer and both_move and up_a == up_b and after in perfect and before != after:
                    if not (exempt_step and abs(a1 - a0) <= 2):
                        out.add((f"direct_{perfect[after]}", k, i, j))
                between = [w for w in range(i + 1, j) if pitch[k - 1][w] >= 0 or pitch[k][w] >= 0]
                if not between and (b1 > a0 or a1 < b0):
                    out.add(("voice_overlap", k, i, j))
    return out
