"""Slow, obvious twin of harmonia.theory.spelling's kernel (plain Python, step by step as documented)."""

from __future__ import annotations


def _pc(fifths: int) -> int:
    return fifths * 7 % 12


def _in_collection(weights: dict[int, float], d: int) -> float:
    """Weight of the pitch classes of the collection d-1 ... d+5 (added in that order)."""
    s = 0.0
    for r in range(-1, 6):
        s += weights.get(_pc(d + r), 0.0)
    return s


def global_collection(hist: dict[int, float]) -> tuple[int, bool]:
    """The best collection d (-6 ... 5, ties to the fewest accidentals) and whether it was tied."""
    order = [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, -6]
    scores = [_in_collection(hist, d) for d in order]
    best = max(scores)
    return order[scores.index(best)], scores.count(best) > 1


def spell_reference(onset, duration, pitch, stream, window=8.0) -> list[int]:
    """Spellings of notes already sorted by onset, then pitch."""
    n = len(pitch)
    if n == 0:
        return []
    weight = [max(float(x), 0.0) for x in duration]
    # 1. global collection, ties to the fewest accidentals (0, 1, -1, 2, -2 ... 5, -5, -6)
    hist: dict[int, float] = {}
    for p, w in zip(pitch, weight):
        hist[p % 12] = hist.get(p % 12, 0.0) + w
    g, _ = global_collection(hist)
    # 2. local collections
    local, prev = [], g
    for i in range(n):
        inside = [j for j in range(n) if onset[i] - window <= onset[j] <= onset[i] + window]
        w: dict[int, float] = {}
        for j in inside:  # per pitch class, in note order (as the kernel's prefix sums)
            w[pitch[j] % 12] = w.get(pitch[j] % 12, 0.0) + weight[j]
        tot = sum(weight[j] for j in inside) or 1.0
        cands = range(g - 8, g + 9)
        score = {d: _in_collection(w, d) / tot - 0.01 * abs(d - prev) - 0.03 * abs(d - g) for d in cands}
        best = max(score.values())
        prev = next(d for d in cands if score[d] == best)
        local.append(prev)
    # 3. diatonic notes; default window d-3 ... d+8 for the others
    out = [next(f for f in range(d - 3, d + 9) if _pc(f) == p % 12) for d, p in zip(local, pitch)]
    chromatic = [not (-1 <= out[i] - local[i] <= 5) for i in range(n)]
    # 4. chromatic notes, last first
    for i in reversed(range(n)):
        if not chromatic[i]:
            continue
        sharp = next(f for f in range(local[i] + 6, local[i] + 11) if _pc(f) == pitch[i] % 12)
        flat = sharp - 12
        cost = {sharp: 0.0 if out[i] == sharp else 0.5, flat: 0.0 if out[i] == flat else 0.5}
        later = [j for j in range(i + 1, n) if stream[j] == stream[i] and onset[i] < onset[j]
                 and onset[j] <= onset[i] + duration[i] + 1.0]
        near = [j for j in later if abs(pitch[j] - pitch[i]) <= 2]
        if near and abs(pitch[near[0]] - pitch[i]) == 1:
            j = near[0]
            want = out[j] + 5 if pitch[j] > pitch[i] else out[j] - 5  # a diatonic semitone (m2)
            for f in (sharp, flat):
                if want in (sharp, flat) and f != want:
                    cost[f] += 1.5
        sounding = [j for j in range(i - 1, max(-1, i - 64), -1)
                    if onset[j] + duration[j] > onset[i] and not chromatic[j]]
        sounding += [j for j in range(i + 1, n) if onset[j] == onset[i] and not chromatic[j]]
        if sounding:
            mean = sum(out[j] for j in sounding) / len(sounding)
            for f in (sharp, flat):
                cost[f] += 0.3 * abs(f - mean)
        out[i] = sharp if cost[sharp] < cost[flat] else flat
    return out
