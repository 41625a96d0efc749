"""Slow, obvious twins of the syncopation kernels in harmonia.theory.rhythm (one bar list at a time)."""

from math import gcd


def lhl(bars, levels):
    """Every rest after a note (before the next onset, in the bar) stronger than the note adds the gap."""
    out = []
    for bar in bars:
        total, note_level = 0, None
        for p, x in enumerate(bar):
            if x:
                note_level = levels[p]
            elif note_level is not None and levels[p] < note_level:
                total += note_level - levels[p]
        out.append(float(total))
    return out


def tmc(bars, weights):
    out = []
    for bar in bars:
        ws = [w for w, x in zip(weights, bar, strict=True) if x]
        best = sorted(weights, reverse=True)[: len(ws)]
        out.append(float(sum(best) - sum(ws)))
    return out


def tob(bars):
    return [float(sum(1 for p, x in enumerate(bar) if x and gcd(p, len(bar)) == 1)) for bar in bars]


def wnbd(bars, beat, inclusive=False):
    flat = [x for bar in bars for x in bar]
    n, g = len(flat), len(bars[0])
    out = []
    for b, bar in enumerate(bars):
        scores = []
        for p, x in enumerate(bar):
            if not x:
                continue
            start = b * g + p
            end = next(e for e in range(start + 1, start + n + 1) if flat[e % n])
            prev_beat = (start // beat) * beat
            if start == prev_beat:
                scores.append(0.0)
                continue
            d = min(start - prev_beat, prev_beat + beat - start) / beat
            nxt, after = prev_beat + beat, prev_beat + 2 * beat
            crosses = end > nxt and (end < after or (inclusive and end == after))
            scores.append((2.0 if crosses else 1.0) / d)
        out.append(sum(scores) / len(scores) if scores else 0.0)
    return out
