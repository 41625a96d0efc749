"""Metre detection from unlabelled notes: time signature and downbeat phase.

Every note adds an accent at its onset: one for the onset itself plus its length (the time to the next
onset, at most a bar), so long notes weigh more, as listeners hear them (Povel & Essens 1985,
doi:10.2307/40285311).  For every candidate metre and every phase on a sixteenth-note grid the accent
signal is correlated (Pearson) with the metre's Lerdahl-Jackendoff weights tiled over the piece; the best
pair wins.  Candidates are first narrowed to the denominators whose note value is nearest the median
inter-onset interval (see ``unit``).  The candidates' scores, passed through a softmax, give a
confidence.  Duple and triple are told apart far more reliably than 2/4 from 4/4 (which differ only
in how often a heavier downbeat recurs); the benchmark ``benchmarks/bench_meter.py`` reports both.

Examples
--------
>>> import numpy as np
>>> from harmonia.theory.notearray import make_note_array
>>> on = np.arange(0, 24, 1.0)  # a waltz: long note then two short ones in each bar
>>> dur = np.where(on % 3 == 0, 1.0, 1.0)
>>> vel = np.where(on % 3 == 0, 110, 60)
>>> notes = make_note_array(onset=on, duration=dur, pitch=np.full(24, 60), velocity=vel)
>>> estimate_meter(notes)["duple"]
False
"""

from __future__ import annotations

import numpy as np

from harmonia.errors import EmptyScoreError, InvalidScoreError
from harmonia.theory.meter import beat_period, parse_meter
from harmonia.theory.notearray import as_note_array

__all__ = ["CANDIDATES", "estimate_meter", "onset_accents"]

#: Candidate metres (numerator, denominator).  3/8 is left out: it differs from 6/8 only by how often a
#: heavier bar line recurs, which the accents rarely show, and 6/8 is far more common.
CANDIDATES: tuple[tuple[int, int], ...] = (
    (2, 1), (3, 1), (4, 1), (2, 2), (3, 2), (4, 2), (2, 4), (3, 4), (4, 4), (6, 8), (9, 8), (12, 8),
)  # fmt: skip
_STEP = 0.25  # grid step in quarter notes


def onset_accents(onset_qn: np.ndarray, *, velocity: np.ndarray | None = None, cap_qn: float = 4.0) -> np.ndarray:
    """Accent signal on a sixteenth-note grid: one per onset plus the time to the next onset (capped).

    Parameters
    ----------
    onset_qn : numpy.ndarray
        Onsets in quarter notes (any order; simultaneous onsets merge).
    velocity : numpy.ndarray, optional
        Velocities (0-127); when given, each accent is scaled by ``0.5 + velocity / 127``.
    cap_qn : float
        Longest inter-onset interval counted.

    Returns
    -------
    numpy.ndarray
        ``float64`` accent per grid step from the first onset's grid step.

    Examples
    --------
    >>> onset_accents(np.array([0.0, 1.0, 1.5])).tolist()
    [2.0, 0.0, 0.0, 0.0, 1.5, 0.0, 1.25]
    """
    idx = np.round(np.asarray(onset_qn, dtype=np.float64) / _STEP).astype(np.int64)
    base = idx.min()
    idx = idx - base
    sig = np.zeros(int(idx.max()) + 1)
    scale = np.ones(idx.size) if velocity is None else 0.5 + np.asarray(velocity, dtype=np.float64) / 127.0
    np.maximum.at(sig, idx, scale)  # onset presence (loudest note at the step)
    u = np.unique(idx)
    ioi = np.diff(np.append(u, u[-1] + 1)) * _STEP
    sig[u] += np.minimum(ioi, cap_qn)
    return sig


def _template(num: int, den: int) -> np.ndarray:
    """Three-level template (bar 3, beat 2, beat division 1, else 0), comparable across bar lengths."""
    bar_qn = num * 4.0 / den
    g = int(round(bar_qn / _STEP))
    meter = f"{num}/{den}"
    beat = beat_period(meter, grid=g)
    groups, _ = parse_meter(meter)
    compound = groups[0] == 3
    div = beat // 3 if compound else beat // 2
    pos = np.arange(g)
    tpl = np.zeros(g)
    if div > 0:
        tpl[pos % div == 0] = 1.0
    tpl[pos % beat == 0] = 2.0
    tpl[0] = 3.0
    return tpl


def _unit_candidates(onset_qn: np.ndarray, candidates) -> list[tuple[int, int]]:
    """Keep the metres whose denominator's note value is nearest the median inter-onset interval
    (quarters and eighths stay together: 6/8 competes with 2/4 and 3/4)."""
    on = np.unique(onset_qn)
    if on.size < 2:
        return list(candidates)
    med = float(np.median(np.diff(on)))
    dens = np.array(sorted({d for _, d in candidates}))
    best = int(dens[np.argmin(np.abs(np.log((4.0 / dens) / med)))])
    family = {4, 8} if best in (4, 8) else {best}
    kept = [c for c in candidates if c[1] in family]
    return kept or list(candidates)


def estimate_meter(notes, *, candidates=CANDIDATES, unit: str = "auto") -> dict:
    """Estimate the time signature and the downbeat phase of unlabelled notes.

    Parameters
    ----------
    notes : note array or anything :func:`~harmonia.theory.notearray.as_note_array` accepts
        Onsets in quarter notes (the notated beat unit is taken as given).
    candidates : sequence of (int, int)
        Metres to choose from.
    unit : {"auto", "all"}
        ``"auto"`` first keeps the candidates whose denominator's note value is nearest the median
        inter-onset interval (the typical note is taken to be the notated beat unit: 4/2 rather than 4/4
        for a tune in half and quarter notes; quarter and eighth denominators compete together);
        ``"all"`` compares every candidate.

    Returns
    -------
    dict
        ``time_signature`` ("3/4"), ``numerator``, ``denominator``, ``phase_qn`` (first downbeat at or
        after the first onset, in quarter notes), ``confidence`` (softmax share of the winner),
        ``duple`` (True for 2, 4, 6, 12 beats), ``compound``, and ``scores`` per candidate.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> on = np.array([0, 1, 1.5, 2, 3, 4, 5, 5.5, 6, 7.0])
    >>> est = estimate_meter(make_note_array(onset=on, duration=np.ones(10), pitch=np.full(10, 60)))
    >>> est["duple"]
    True
    """
    arr = as_note_array(notes)
    if arr.size == 0:
        raise EmptyScoreError("estimate_meter needs at least one note")
    if unit == "auto":
        candidates = _unit_candidates(arr["onset"], candidates)
    elif unit != "all":
        raise InvalidScoreError(f"unit={unit!r}: expected 'auto' or 'all'")
    sig = onset_accents(arr["onset"], velocity=arr["velocity"])
    first = float(np.round(arr["onset"].min() / _STEP) * _STEP)
    scores = {}
    best = (-np.inf, None, 0)
    n = sig.size
    for num, den in candidates:
        tpl = _template(num, den)
        g = tpl.size
        reps = n // g + 2
        tiled = np.tile(tpl, reps)
        cand_best, cand_phase = -np.inf, 0
        for ph in range(g):
            t = tiled[ph : ph + n]
            if sig.std() == 0 or t.std() == 0:
                r = 0.0
            else:
                r = float(np.corrcoef(sig, t)[0, 1])
            if r > cand_best:
                cand_best, cand_phase = r, ph
        scores[f"{num}/{den}"] = cand_best
        if cand_best > best[0]:
            best = (cand_best, (num, den), cand_phase)
    _, (num, den), ph = best
    g = _template(num, den).size
    phase_qn = first + ((g - ph) % g) * _STEP
    vals = np.array(list(scores.values()))
    conf = float(1.0 / np.exp(20.0 * (vals - vals.max())).sum())
    beats = num // 3 if (den == 8 and num % 3 == 0 and num > 3) else num
    return {
        "time_signature": f"{num}/{den}",
        "numerator": num,
        "denominator": den,
        "phase_qn": phase_qn,
        "confidence": conf,
        "duple": beats % 2 == 0,
        "compound": den == 8 and num % 3 == 0 and num > 3,
        "scores": scores,
    }
