"""Syncopation of onset patterns on a metric grid.

A pattern is a 0/1 (or velocity) grid of one or more bars, ``grid`` pulses each.  Patterns are read
cyclically: a note of the last bar lasts until the first onset of the first bar, so rotating a pattern
by whole bars only rotates the per-bar values.  Models (after Gómez, Melvin, Rappaport & Toussaint
2005, "Mathematical measures of syncopation", BRIDGES; and SynPy, Song, Pearce & Harte 2015):

``"lhl"``
    Longuet-Higgins & Lee (1984, doi:10.2307/40285282): every rest position that follows a note
    (before the next onset, within the bar) and is metrically stronger than it adds the difference of
    their levels.  This per-rest reading reproduces SynPy on 15 of the 16 timelines of Gómez et al.
    (bossa nova: 6 here, 7 in SynPy).
``"tmc"``
    Toussaint's metrical complexity: the largest sum of Lerdahl-Jackendoff weights that the same
    number of onsets could have, minus the pattern's sum.
``"tob"``
    Toussaint's off-beatness: onsets on pulses coprime with the bar's pulse count.  The default reads
    the grid as given (the paper: Shiko has 0); ``reduce_grid=True`` first reduces the grid to the
    coarsest one holding every onset, as SynPy does (Shiko: 2).
``"wnbd"``
    Weighted note-to-beat distance, per note (total / number of notes).  A note starting at distance
    ``T`` (in beats) from its nearest beat scores ``1/T`` if it ends before the next beat is passed,
    ``2/T`` if it crosses the next beat and ends strictly before the beat after it, else ``1/T``
    (the paper: Soukous 3.6).  ``wnbd_inclusive=True`` counts a note ending exactly on the beat after
    the next as ``2/T``, as SynPy does (Soukous 4.4).

Examples
--------
>>> son = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0]
>>> [float(syncopation(son, "4/4", model=m)[0]) for m in ("lhl", "tmc", "tob", "wnbd")]
[4.0, 4.0, 1.0, 2.8]
"""

from __future__ import annotations

import numpy as np
from numba import njit

from harmonia.errors import InvalidScoreError
from harmonia.theory.meter import beat_period, metric_levels, metric_weights

__all__ = [
    "BAR_SYNCOPATION_DTYPE",
    "MODELS",
    "bar_syncopation",
    "complexity",
    "ioi_entropy",
    "notes_per_beat",
    "npvi",
    "syncopation",
]

MODELS = ("lhl", "tmc", "tob", "wnbd")


@njit(cache=True)
def _lhl_kernel(on, levels):  # pragma: no cover - compiled
    n_bars, g = on.shape
    out = np.zeros(n_bars)
    for b in range(n_bars):
        total = 0.0
        last_level = -1
        for p in range(g):
            if on[b, p]:
                last_level = levels[p]
            elif last_level >= 0 and levels[p] < last_level:
                total += last_level - levels[p]
        out[b] = total
    return out


@njit(cache=True)
def _tmc_kernel(on, weights, sorted_weights):  # pragma: no cover - compiled
    n_bars, g = on.shape
    out = np.zeros(n_bars)
    for b in range(n_bars):
        s = 0.0
        k = 0
        for p in range(g):
            if on[b, p]:
                s += weights[p]
                k += 1
        best = 0.0
        for i in range(k):
            best += sorted_weights[i]
        out[b] = best - s
    return out


@njit(cache=True)
def _wnbd_kernel(on, beat, inclusive):  # pragma: no cover - compiled
    n_bars, g = on.shape
    total_len = n_bars * g
    out = np.zeros(n_bars)
    # next onset of each onset, cyclically over the whole pattern
    for b in range(n_bars):
        s = 0.0
        count = 0
        for p in range(g):
            if not on[b, p]:
                continue
            count += 1
            r = p % beat
            if r == 0:
                continue
            start = b * g + p
            end = start + 1
            while not on[(end % total_len) // g, (end % total_len) % g]:
                end += 1
            d = min(r, beat - r) / beat
            nxt = start - r + beat  # next beat
            after = nxt + beat
            if end <= nxt:
                s += 1.0 / d
            elif end < after or (inclusive and end == after):
                s += 2.0 / d
            else:
                s += 1.0 / d
        out[b] = s / count if count else 0.0
    return out


def _as_bars(onsets, grid: int | None) -> np.ndarray:
    a = np.asarray(onsets)
    if a.ndim == 1:
        if grid is None:
            a = a[None, :]
        else:
            if a.size % grid:
                raise InvalidScoreError(f"{a.size} pulses are not a whole number of bars of grid={grid}")
            a = a.reshape(-1, grid)
    if a.ndim != 2 or a.shape[1] == 0 or a.shape[0] == 0:
        raise InvalidScoreError(f"onsets of shape {a.shape}: expected (pulses,) or (bars, grid)")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise InvalidScoreError("onsets must be finite and non-negative (0/1 or velocities)")
    return np.ascontiguousarray(a > 0)


def syncopation(
    onsets,
    meter: str | tuple[int, int],
    *,
    model: str = "lhl",
    grid: int | None = None,
    reduce_grid: bool = False,
    wnbd_inclusive: bool = False,
) -> np.ndarray:
    """Syncopation of each bar of an onset grid.

    Parameters
    ----------
    onsets : array_like
        0/1 or velocities, shape ``(pulses,)`` (one bar, or several with ``grid``) or ``(bars, grid)``.
    meter : str or tuple of int
        The metre, e.g. ``"4/4"``, ``"12/8"``, ``"2+2+3/8"``.
    model : {"lhl", "tmc", "tob", "wnbd"}
        The model (see the module notes).
    grid : int, optional
        Pulses per bar when ``onsets`` is flat and holds several bars.
    reduce_grid : bool
        Off-beatness on the coarsest grid holding every onset (SynPy's reading).
    wnbd_inclusive : bool
        WNBD as SynPy: a note ending exactly two beats on counts as crossing.

    Returns
    -------
    numpy.ndarray
        ``float64`` value per bar.

    Examples
    --------
    >>> syncopation([1, 0, 1, 0, 1, 0, 1, 0], "4/4", model="lhl").tolist()
    [0.0]
    >>> syncopation([[1, 0, 0, 1], [0, 0, 1, 0]], "2/4", model="tmc").tolist()
    [1.0, 1.0]
    """
    if model not in MODELS:
        raise InvalidScoreError(f"unknown syncopation model {model!r}: expected one of {MODELS}")
    on = _as_bars(onsets, grid)
    g = on.shape[1]
    if model == "lhl":
        return _lhl_kernel(on, metric_levels(meter, grid=g).astype(np.float64))
    if model == "tmc":
        w = metric_weights(meter, grid=g).astype(np.float64)
        return _tmc_kernel(on, w, np.sort(w)[::-1].copy())
    if model == "wnbd":
        return _wnbd_kernel(on, beat_period(meter, grid=g), wnbd_inclusive)
    if not reduce_grid:
        coprime = np.gcd(np.arange(g), g) == 1
        return (on & coprime).sum(axis=1).astype(np.float64)
    out = np.zeros(on.shape[0])
    for b in range(on.shape[0]):
        idx = np.flatnonzero(on[b])
        n = g
        if idx.size:
            step = int(np.gcd.reduce(np.append(idx, g)))
            idx, n = idx // step, g // step
        out[b] = float(np.sum(np.gcd(idx, n) == 1))
    return out


def _iois(onset_qn) -> np.ndarray:
    on = np.unique(np.asarray(onset_qn, dtype=np.float64))
    if not np.all(np.isfinite(on)):
        raise InvalidScoreError("onsets must be finite quarter-note times")
    return np.diff(on)


def notes_per_beat(onset_qn, *, beat_qn: float = 1.0) -> float:
    """Distinct onsets per beat over the span from the first onset to the last beat it reaches.

    Examples
    --------
    >>> notes_per_beat([0, 0.5, 1, 1.5, 2, 3])
    1.5
    """
    on = np.unique(np.asarray(onset_qn, dtype=np.float64))
    if on.size == 0:
        return 0.0
    span = max(np.floor((on[-1] - on[0]) / beat_qn) + 1.0, 1.0)
    return float(on.size / span)


def ioi_entropy(onset_qn, *, resolution_qn: float = 1 / 12) -> float:
    """Shannon entropy (bits) of the distribution of inter-onset intervals rounded to ``resolution_qn``.

    Examples
    --------
    >>> ioi_entropy([0, 1, 2, 3]), ioi_entropy([0, 1, 1.5, 2.5, 3])
    (0.0, 1.0)
    """
    ioi = _iois(onset_qn)
    if ioi.size == 0:
        return 0.0
    _, counts = np.unique(np.round(ioi / resolution_qn).astype(np.int64), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum() + 0.0)


def npvi(onset_qn) -> float:
    """Normalised pairwise variability index of successive inter-onset intervals (Grabe & Low 2002).

    ``100 / (m - 1) * sum |d_k - d_{k+1}| / ((d_k + d_{k+1}) / 2)``: 0 for isochronous rhythm,
    about 67 for alternating long-short in 2:1.

    Examples
    --------
    >>> npvi([0, 1, 2, 3]), round(npvi([0, 2, 3, 5, 6]), 1)
    (0.0, 66.7)
    """
    d = _iois(onset_qn)
    if d.size < 2:
        return 0.0
    return float(100.0 * np.mean(np.abs(d[:-1] - d[1:]) / ((d[:-1] + d[1:]) / 2.0)))


def complexity(onsets, meter: str | tuple[int, int], *, grid: int | None = None) -> float:
    """Composite rhythmic complexity of an onset grid: the mean of four scores, each in [0, 1].

    The four scores are: WNBD syncopation squashed as ``s / (1 + s)``; IOI entropy over
    ``log2(grid)`` bits; nPVI over 200 (its bound); and density, onsets per pulse.  The equal weights are
    a documented choice, not fitted to listener data.

    Examples
    --------
    >>> complexity([1, 0, 1, 0, 1, 0, 1, 0], "4/4") < complexity([1, 0, 0, 1, 0, 0, 1, 0], "4/4")
    True
    """
    on = _as_bars(onsets, grid)
    g = on.shape[1]
    s = float(np.mean(syncopation(on, meter, model="wnbd")))
    pulses = np.flatnonzero(on.ravel()).astype(np.float64)
    if pulses.size == 0:
        return 0.0
    cyc = np.append(pulses, pulses[0] + on.size)
    ent = ioi_entropy(cyc, resolution_qn=1.0) / np.log2(max(g, 2))
    var = npvi(cyc) / 200.0
    dens = pulses.size / on.size
    return float(np.mean([s / (1.0 + s), min(ent, 1.0), var, dens]))


#: One row per bar and track: bar index, track, bar start (qn), metre, grid pulses, value.
BAR_SYNCOPATION_DTYPE = np.dtype(
    [("bar", "<i8"), ("track", "<i2"), ("start_qn", "<f8"), ("numerator", "<i2"), ("denominator", "<i2"),
     ("grid", "<i8"), ("value", "<f8")]
)  # fmt: skip


def _bars_from_map(ts: np.ndarray, end_qn: float) -> list[tuple[float, int, int]]:
    rows = sorted(((float(r["onset"]), int(r["numerator"]), int(r["denominator"])) for r in ts), key=lambda r: r[0])
    if not rows or rows[0][0] > 0:
        rows.insert(0, (0.0, 4, 4))
    bars = []
    for i, (start, num, den) in enumerate(rows):
        stop = rows[i + 1][0] if i + 1 < len(rows) else end_qn
        length = num * 4.0 / den
        t = start
        while t < stop - 1e-9 or (t == start and start < stop):
            bars.append((t, num, den))
            t += length
    return bars


def bar_syncopation(notes, *, time_signatures=None, model: str = "lhl", per_track: bool = True) -> np.ndarray:
    """Syncopation of every bar (and track) of a score.

    Each bar's onsets are placed on the finer of two grids: the metre's units split in binary steps
    (sixteenths in 4/4) or in three (triplets), whichever misplaces the onsets least; a bar that mixes
    duplets and triplets takes the grid that holds most of them (ties go binary) and its other onsets
    snap to the nearest pulse.  Each bar is read cyclically on its own.

    Parameters
    ----------
    notes : note array or anything :func:`~harmonia.theory.notearray.as_note_array` accepts
    time_signatures : numpy.ndarray, optional
        A ``TIME_SIGNATURE_DTYPE`` map; 4/4 from 0 when absent (or taken from ``notes.time_signatures``).
    model : str
        A :data:`MODELS` name.
    per_track : bool
        One row per bar and track (else all tracks merged, track -1).

    Returns
    -------
    numpy.ndarray
        ``BAR_SYNCOPATION_DTYPE`` rows for every bar with onsets.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> n = make_note_array(onset=np.array([0, 0.75, 2, 4, 4 + 2 / 3, 4 + 4 / 3]), duration=np.full(6, 0.25),
    ...                     pitch=np.full(6, 60))
    >>> r = bar_syncopation(n, model="lhl")
    >>> r["grid"].tolist(), r["value"].tolist()
    ([16, 12], [3.0, 4.0])
    """
    from harmonia.theory.meter import parse_meter
    from harmonia.theory.notearray import as_note_array

    if time_signatures is None:
        time_signatures = getattr(notes, "time_signatures", None)
    arr = as_note_array(notes)
    if arr.size == 0:
        return np.zeros(0, dtype=BAR_SYNCOPATION_DTYPE)
    ts = np.zeros(0, dtype=[("onset", "<f8"), ("numerator", "<i2"), ("denominator", "<i2")])
    if time_signatures is not None:
        ts = np.asarray(time_signatures)
    end = float(arr["onset"].max()) + 1e-6
    tracks = np.unique(arr["track"]) if per_track else np.array([-1])
    rows = []
    for bi, (start, num, den) in enumerate(_bars_from_map(ts, end)):
        length = num * 4.0 / den
        units = sum(parse_meter((num, den))[0])
        for tr in tracks:
            sel = (arr["onset"] >= start - 1e-9) & (arr["onset"] < start + length - 1e-9)
            if tr >= 0:
                sel &= arr["track"] == tr
            if not sel.any():
                continue
            rel = (arr["onset"][sel] - start) / length
            best = None
            for g in (units * 4, units * 3):
                err = np.abs(rel * g - np.round(rel * g))
                key = (int(np.sum(err > 1e-3)), float(err.sum()))
                if best is None or key < best[0]:
                    best = (key, g)
            g = best[1]
            grid = np.zeros(g, dtype=np.int8)
            grid[np.round(rel * g).astype(np.int64) % g] = 1
            val = float(syncopation(grid, f"{num}/{den}", model=model)[0])
            rows.append((bi, tr, start, num, den, g, val))
    return np.array(rows, dtype=BAR_SYNCOPATION_DTYPE)
