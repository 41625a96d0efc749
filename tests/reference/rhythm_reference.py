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


def _spans(levels, lev):
    st = [p for p in range(len(levels)) if levels[p] <= lev]
    return [(st[i], st[i + 1] if i + 1 < len(st) else len(levels)) for i in range(len(st))]


def _prs_cost(bar, a, b, nxt):
    idx = [p - a for p in range(a, b) if bar[p]]
    step = gcd(b - a, *idx) if idx else b - a
    red = [bar[a + k * step] for k in range((b - a) // step)]
    if not any(red[1:]):
        return 0
    if all(red):
        return 1
    if red[0] and not red[-1]:
        return 2
    if red[0] and nxt != 1:
        return 2
    if red[-1] and nxt == 1:
        return 3
    return 5


def prs(bars, levels, open_end=False):
    """Pressing: per level, the mean prototype cost of its spans; levels while spans have >= 2 pulses."""
    out = []
    for b, bar in enumerate(bars):
        nxt_bar = None if (open_end and b == len(bars) - 1) else int(bool(bars[(b + 1) % len(bars)][0]))
        total = 0.0
        for lev in range(max(levels) + 1):
            sp = _spans(levels, lev)
            if min(e - a for a, e in sp) < 2:
                break
            costs = [
                _prs_cost(bar, a, e, int(bool(bar[sp[i + 1][0]])) if i + 1 < len(sp) else nxt_bar)
                for i, (a, e) in enumerate(sp)
            ]
            total += sum(costs) / len(sp)
        out.append(total)
    return out


def kth(bars, levels, offbeat_count=False):
    """Keith: start off the note's metrical period 2 (or 1), end off it 1 (or 0); even hierarchies only."""
    g = len(levels)
    periods = sorted({g // len([p for p in range(g) if levels[p] <= lev]) for lev in range(max(levels) + 1)})
    flat = [x for bar in bars for x in bar]
    n = len(flat)
    out = []
    for b, bar in enumerate(bars):
        s = 0.0
        for p, x in enumerate(bar):
            if not x:
                continue
            start = b * g + p
            end = next(e for e in range(start + 1, start + n + 1) if flat[e % n])
            c = max(q for q in periods if q <= end - start) if end - start >= 1 else 1
            s += (1 if offbeat_count else 2) * (p % c != 0) + (0 if offbeat_count else 1) * ((p + end - start) % c != 0)
        out.append(s)
    return out


def sg(bars, levels):
    """Sioros & Guedes as specified in SynPy, on each bar's coarsest grid, cyclic within the bar."""
    out = []
    for bar in bars:
        g = len(bar)
        peak = max(max(b) for b in bars) or 1
        idx = [p for p in range(g) if bar[p]]
        step = gcd(g, *idx) if idx else g
        n = g // step
        v = [bar[k * step] / peak for k in range(n)]
        h = [levels[k * step] for k in range(n)]

        def dif(i, j, v=v, h=h):
            return (v[i] - v[j]) * min(1.0, 0.5 * abs(h[i] - h[j]) / 4 + 0.5)

        total = 0.0
        for i in range(n):
            if not v[i] or h[i] == 0:
                continue
            aves = []
            for lev in range(h[i], max(h) + 1):
                pre = next(j % n for j in range(i - 1, i - n - 1, -1) if h[j % n] <= lev)
                post = next(j % n for j in range(i + 1, i + n + 1) if h[j % n] <= lev)
                aves.append((0.8 * dif(i, pre) + dif(i, post)) / 1.8)
            total += min(aves) * (1 - 0.5 ** h[i])
        out.append(total)
    return out


def witek(streams, levels, pair, rest):
    """Witek et al.: weak note, then the strongest position up to the next onset of any stream."""
    n_bars, g = len(streams[0]), len(levels)
    flat = [[x for bar in s for x in bar] for s in streams]
    n = n_bars * g
    anyon = [any(f[i] for f in flat) for i in range(n)]
    out = [0.0] * n_bars
    for i in range(n):
        if not anyon[i]:
            continue
        q = next(j for j in range(i + 1, i + n + 1) if anyon[j % n])
        silent = [levels[j % g] for j in range(i + 1, q)]
        for s in range(len(streams)):
            if not flat[s][i]:
                continue
            if silent and min(silent) < levels[i % g]:
                if rest[s] is not None:
                    out[i // g] += levels[i % g] - min(silent) + rest[s]
            elif levels[q % g] < levels[i % g] and not flat[s][q % n]:
                ws = [pair[s][t] for t in range(len(streams)) if flat[t][q % n] and pair[s][t] is not None]
                if ws:
                    out[i // g] += levels[i % g] - levels[q % g] + min(ws)
    return out
