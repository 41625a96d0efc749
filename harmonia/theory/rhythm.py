"""Syncopation of onset patterns on a metric grid.

A pattern is a 0/1 (or velocity) grid of one or more bars, ``grid`` pulses each.  Patterns are read
cyclically: a note of the last bar lasts until the first onset of the first bar, so rotating a pattern
by whole bars only rotates the per-bar values.  Models (after Gómez, Melvin, Rappaport & Toussaint
2005, "Mathematical measures of syncopation", BRIDGES; and SynPy, Song, Pearce & Harte 2015):

``"lhl"``
    Longuet-Higgins & Lee (1984, doi:10.2307/40285282): every rest position that follows a note
    (before the next onset, within the bar) and is metrically stronger than it adds the difference of
    their levels.  This per-rest reading reproduces SynPy on 15 of the 16 timelines of Gómez et al.
    (bossa nova: 6 here, 7 in SynPy, whose search for the note before a rest skips notes heavier than
    the rest: the eighth rest after the downbeat note pairs there with the previous bar's last note).
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
``"prs"``
    Pressing's cognitive cost (Pressing 1999, "Cognitive complexity and the structure of musical
    patterns", Proc. 4th Conf. Australasian Cognitive Science Society; as specified in SynPy).  At every
    level of the metric hierarchy the bar splits into spans (halves, beats, ...); each span, reduced to
    its coarsest grid, is one of Pressing's prototypes: null (nothing after its first pulse) 0, filled
    1, run (starts with a note and ends with a rest, or is followed by a rest) 2, upbeat (ends with a
    note that leads to a note) 3, syncopated (starts with a rest) 5.  A level scores the mean cost of its
    spans; the bar, the sum over levels while spans are at least two pulses long.  The last span of a
    bar is followed by the next bar's downbeat (cyclically); ``prs_open_end=True`` leaves the last bar
    without a successor, as SynPy reads the last bar of a piece (its values on the 16 timelines were
    taken that way: Gahu 10.375 there, 8.875 read cyclically).  Additive metres split into unequal
    spans.  PRS is not zero for onsets on every beat (a filled span costs 1): that pattern is the
    minimum among patterns with as many onsets.
``"kth"``
    Keith (1991, *From Polychords to Pólya*, Princeton: Vinculum): each note lasts until the next onset;
    with ``c`` the longest metrical period not longer than that duration, a note starting off a
    multiple of ``c`` adds 2 (anticipation), one ending off it adds 1 (hesitation), both 3
    (syncopation).  In binary metres this is SynPy's KTH (durations rounded down to powers of two);
    other metres with equal spans at every level (3/4, 6/8, 12/8 ...) use their own periods, where SynPy
    returns nothing; additive metres give NaN.  ``kth_offbeat_count=True`` counts only the notes that
    start off their beat, which reproduces the Keith column of Gómez et al. (2005) (Shiko 1, Son 2 ...;
    Keith's weighted sum gives 3, 6 ...).
``"sg"``
    Sioros & Guedes (2011, "Complexity driven recombination of MIDI loops", Proc. ISMIR, pp. 381-386),
    as specified in SynPy: on the bar's coarsest grid, each note at metrical level ``h`` is compared with
    its nearest neighbours (cyclically in the bar) at every level from ``h`` to the finest; a
    neighbour's velocity difference is scaled by ``min(1, 0.5 + |dh| / 8)`` and the previous neighbour
    weighs 0.8 against 1 for the next.  The smallest of these level averages times the syncopation
    potential ``1 - 0.5**h`` is the note's share.  Velocities are scaled so that the loudest note of the
    input is 1 (0/1 grids are unchanged).

Polyphonic syncopation of a drum kit (Witek et al. 2014) is :func:`polyphonic_syncopation`.

Examples
--------
>>> son = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0]
>>> [float(syncopation(son, "4/4", model=m)[0]) for m in ("lhl", "tmc", "tob", "wnbd")]
[4.0, 4.0, 1.0, 2.8]
>>> [round(float(syncopation(son, "4/4", model=m)[0]), 4) for m in ("prs", "kth", "sg")]
[8.625, 6.0, 1.6979]
"""

from __future__ import annotations

import numpy as np
from numba import njit

from harmonia.errors import InvalidScoreError
from harmonia.theory.meter import beat_period, metric_levels, metric_weights

__all__ = [
    "BAR_SYNCOPATION_DTYPE",
    "DRUM_KEYS",
    "MODELS",
    "WITEK_WEIGHTS",
    "bar_syncopation",
    "complexity",
    "drum_streams",
    "ioi_entropy",
    "notes_per_beat",
    "npvi",
    "polyphonic_syncopation",
    "syncopation",
]

#: Monophonic models of :func:`syncopation`, with their references:
#: ``lhl`` Longuet-Higgins & Lee 1984; ``prs`` Pressing 1999; ``tmc`` Toussaint's metrical complexity (2002);
#: ``tob`` Toussaint's off-beatness (2003); ``wnbd`` Gómez et al. 2005; ``kth`` Keith 1991; ``sg`` Sioros &
#: Guedes 2011.
MODELS = ("lhl", "prs", "tmc", "tob", "wnbd", "kth", "sg")


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
def _next_onsets(on):  # pragma: no cover - compiled
    """Flat index of the next onset after every pulse, cyclically (past the end: + total length)."""
    n_bars, g = on.shape
    total_len = n_bars * g
    flat = on.ravel()
    nxt = np.empty(total_len, dtype=np.int64)
    first = -1
    for i in range(total_len):
        if flat[i]:
            first = i
            break
    seen = first + total_len if first >= 0 else 2 * total_len
    for i in range(total_len - 1, -1, -1):
        nxt[i] = seen
        if flat[i]:
            seen = i
    return nxt


@njit(cache=True)
def _first_onsets(on):  # pragma: no cover - compiled
    """Pulse of each bar's first onset (-1 for an empty bar)."""
    n_bars, g = on.shape
    first = np.full(n_bars, -1, dtype=np.int64)
    for b in range(n_bars):
        for p in range(g):
            if on[b, p]:
                first[b] = p
                break
    return first


@njit(cache=True)
def _following(first, b, g):  # pragma: no cover - compiled
    """Pulses from the start of bar ``b`` to the first onset after it (cyclically; itself after a full turn)."""
    n_bars = first.size
    for j in range(1, n_bars + 1):
        k = (b + j) % n_bars
        if first[k] >= 0:
            return j * g + first[k]
    return n_bars * g


@njit(cache=True)
def _wnbd_kernel(on, beat, inclusive):  # pragma: no cover - compiled
    n_bars, g = on.shape
    out = np.zeros(n_bars)
    first = _first_onsets(on)
    for b in range(n_bars):
        if first[b] < 0:
            continue
        s = 0.0
        count = 0
        end = _following(first, b, g)  # next onset after the current one, from the bar start
        for p in range(g - 1, -1, -1):  # backwards, so the next onset is known
            if not on[b, p]:
                continue
            count += 1
            r = p % beat
            if r:
                d = min(r, beat - r) / beat
                nxt = p - r + beat  # next beat
                after = nxt + beat
                if end <= nxt:
                    s += 1.0 / d
                elif end < after or (inclusive and end == after):
                    s += 2.0 / d
                else:
                    s += 1.0 / d
            end = p
        out[b] = s / count
    return out


@njit(cache=True)
def _gcd(a, b):  # pragma: no cover - compiled
    while b:
        a, b = b, a % b
    return a


@njit(cache=True)
def _prs_kernel(on, starts, counts, open_end):  # pragma: no cover - compiled
    n_bars, g = on.shape
    out = np.zeros(n_bars)
    for b in range(n_bars):
        nxt_bar = -1 if (open_end and b == n_bars - 1) else (1 if on[(b + 1) % n_bars, 0] else 0)
        total = 0.0
        for lev in range(starts.shape[0]):
            n = counts[lev]
            shortest = g
            for i in range(n):
                stop = starts[lev, i + 1] if i + 1 < n else g
                shortest = min(shortest, stop - starts[lev, i])
            if shortest < 2:
                break
            cost = 0.0
            for i in range(n):
                a = starts[lev, i]
                stop = starts[lev, i + 1] if i + 1 < n else g
                nx = (1 if on[b, stop] else 0) if i + 1 < n else nxt_bar
                step = stop - a
                k = 0
                for p in range(a, stop):
                    if on[b, p]:
                        k += 1
                        step = _gcd(step, p - a)
                if step == stop - a:  # null: nothing after the span's first pulse
                    continue
                m = (stop - a) // step
                first = on[b, a]
                last = on[b, stop - step]
                if k == m:
                    cost += 1.0  # filled
                elif first and not last:
                    cost += 2.0  # run
                elif first and nx != 1:
                    cost += 2.0  # run followed by a rest
                elif last and nx == 1:
                    cost += 3.0  # upbeat
                else:
                    cost += 5.0  # syncopated
            total += cost / n
        out[b] = total
    return out


@njit(cache=True)
def _kth_kernel(on, periods, w_start, w_end):  # pragma: no cover - compiled
    n_bars, g = on.shape
    first = _first_onsets(on)
    out = np.zeros(n_bars)
    for b in range(n_bars):
        if first[b] < 0:
            continue
        s = 0.0
        end = _following(first, b, g)
        for p in range(g - 1, -1, -1):
            if not on[b, p]:
                continue
            d = end - p
            c = 1
            for per in periods:  # descending
                if per <= d:
                    c = per
                    break
            if p % c:
                s += w_start
            if end % c:
                s += w_end
            end = p
        out[b] = s
    return out


@njit(cache=True)
def _sg_kernel(vel, levels):  # pragma: no cover - compiled
    n_bars, g = vel.shape
    out = np.zeros(n_bars)
    h_red = np.empty(g, dtype=np.int64)
    v = np.empty(g)
    for b in range(n_bars):
        step = g
        for p in range(g):
            if vel[b, p] > 0:
                step = _gcd(step, p)
        n = g // step
        top = 0
        for k in range(n):
            h_red[k] = levels[k * step]
            v[k] = vel[b, k * step]
            top = max(top, h_red[k])
        total = 0.0
        for i in range(n):
            h = h_red[i]
            if v[i] <= 0 or h == 0:
                continue
            best = np.inf
            for lev in range(h, top + 1):
                pre = (i - 1) % n
                while h_red[pre] > lev:
                    pre = (pre - 1) % n
                post = (i + 1) % n
                while h_red[post] > lev:
                    post = (post + 1) % n
                f_pre = min(1.0, 0.5 + abs(h - h_red[pre]) / 8.0)
                f_post = min(1.0, 0.5 + abs(h - h_red[post]) / 8.0)
                ave = (0.8 * (v[i] - v[pre]) * f_pre + (v[i] - v[post]) * f_post) / 1.8
                best = min(best, ave)
            total += best * (1.0 - 0.5**h)
        out[b] = total
    return out


@njit(cache=True)
def _witek_kernel(on, levels, pair_w, rest_w):  # pragma: no cover - compiled
    n_streams, n_bars, g = on.shape
    total_len = n_bars * g
    any_on = np.zeros((n_bars, g), dtype=np.bool_)
    for s in range(n_streams):
        for b in range(n_bars):
            for p in range(g):
                if on[s, b, p]:
                    any_on[b, p] = True
    nxt_on = _next_onsets(any_on)
    active = np.zeros(n_streams, dtype=np.bool_)
    for s in range(n_streams):
        active[s] = not np.isnan(rest_w[s])
        for t in range(n_streams):
            if not np.isnan(pair_w[s, t]):
                active[s] = True
    out = np.zeros(n_bars)
    for b in range(n_bars):
        for p in range(g):
            if not any_on[b, p]:
                continue
            lp = levels[p]
            # strongest silent position before the next onset of any stream, and that onset
            start = b * g + p
            q = nxt_on[start]
            rest_lev = lp
            pos = p + 1
            for _ in range(q - start - 1):
                if pos == g:
                    pos = 0
                rest_lev = min(rest_lev, levels[pos])
                pos += 1
            qq = q % total_len
            qb = qq // g
            qp = qq - qb * g
            for s in range(n_streams):
                if not (on[s, b, p] and active[s]):
                    continue
                if rest_lev < lp:  # silence on a stronger position comes first
                    if not np.isnan(rest_w[s]):
                        out[b] += lp - rest_lev + rest_w[s]
                elif levels[qp] < lp and not on[s, qb, qp]:  # another instrument answers on a stronger one
                    w = np.inf
                    for t in range(n_streams):
                        if on[t, qb, qp] and not np.isnan(pair_w[s, t]):
                            w = min(w, pair_w[s, t])
                    if w < np.inf:
                        out[b] += lp - levels[qp] + w
    return out


def _hierarchy_starts(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Span starts per metrical level (padded), their counts, and the periods if every level is even."""
    g = levels.size
    top = int(levels.max())
    starts = np.zeros((top + 1, g + 1), dtype=np.int64)
    counts = np.zeros(top + 1, dtype=np.int64)
    periods = []
    for lev in range(top + 1):
        idx = np.flatnonzero(levels <= lev)
        starts[lev, : idx.size] = idx
        counts[lev] = idx.size
        gaps = np.diff(np.append(idx, g))
        periods.append(int(gaps[0]) if np.all(gaps == gaps[0]) else -1)
    per = None if min(periods) < 0 else np.array(sorted(set(periods), reverse=True), dtype=np.int64)
    return starts, counts, per


def _as_bars(onsets, grid: int | None) -> np.ndarray:
    return np.ascontiguousarray(_as_grid(onsets, grid) > 0)


def _as_grid(onsets, grid: int | None) -> np.ndarray:
    """Validated ``(bars, grid)`` array of 0/1 or velocities (bool, integer or float, as given)."""
    a = np.asarray(onsets)
    if a.dtype.kind not in "biuf":
        a = a.astype(np.float64)
    if a.ndim == 1:
        if grid is None:
            a = a[None, :]
        else:
            if a.size % grid:
                raise InvalidScoreError(f"{a.size} pulses are not a whole number of bars of grid={grid}")
            a = a.reshape(-1, grid)
    if a.ndim != 2 or a.shape[1] == 0 or a.shape[0] == 0:
        raise InvalidScoreError(f"onsets of shape {a.shape}: expected (pulses,) or (bars, grid)")
    bad = a.dtype.kind == "f" and not np.isfinite(a).all()
    if bad or (a.dtype.kind in "if" and a.min() < 0):
        raise InvalidScoreError("onsets must be finite and non-negative (0/1 or velocities)")
    return np.ascontiguousarray(a)


def syncopation(
    onsets,
    meter: str | tuple[int, int],
    *,
    model: str = "lhl",
    grid: int | None = None,
    reduce_grid: bool = False,
    wnbd_inclusive: bool = False,
    prs_open_end: bool = False,
    kth_offbeat_count: bool = False,
) -> np.ndarray:
    """Syncopation of each bar of an onset grid.

    Parameters
    ----------
    onsets : array_like
        0/1 or velocities, shape ``(pulses,)`` (one bar, or several with ``grid``) or ``(bars, grid)``.
    meter : str or tuple of int
        The metre, e.g. ``"4/4"``, ``"12/8"``, ``"2+2+3/8"``.
    model : {"lhl", "prs", "tmc", "tob", "wnbd", "kth", "sg"}
        The model (see the module notes and :data:`MODELS`).
    grid : int, optional
        Pulses per bar when ``onsets`` is flat and holds several bars.
    reduce_grid : bool
        Off-beatness on the coarsest grid holding every onset (SynPy's reading).
    wnbd_inclusive : bool
        WNBD as SynPy: a note ending exactly two beats on counts as crossing.
    prs_open_end : bool
        PRS: the last bar has no following bar (SynPy's reading of a piece's last bar).
    kth_offbeat_count : bool
        KTH: count the notes that start off their beat (the Keith column of Gómez et al. 2005) instead
        of Keith's weighted sum.

    Returns
    -------
    numpy.ndarray
        ``float64`` value per bar (NaN for ``"kth"`` in additive metres).

    Raises
    ------
    InvalidScoreError
        For an unknown model, a bad metre or grid, or negative or non-finite onsets.

    Examples
    --------
    >>> syncopation([1, 0, 1, 0, 1, 0, 1, 0], "4/4", model="lhl").tolist()
    [0.0]
    >>> syncopation([[1, 0, 0, 1], [0, 0, 1, 0]], "2/4", model="tmc").tolist()
    [1.0, 1.0]
    >>> shiko = [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0]
    >>> float(syncopation(shiko, "4/4", model="kth")[0]), float(syncopation(shiko, "4/4", model="kth",
    ...                                                                    kth_offbeat_count=True)[0])
    (3.0, 1.0)
    """
    if model not in MODELS:
        raise InvalidScoreError(f"unknown syncopation model {model!r}: expected one of {MODELS}")
    raw = _as_grid(onsets, grid)
    on = raw if raw.dtype == np.bool_ else raw > 0
    g = on.shape[1]
    if model == "lhl":
        return _lhl_kernel(on, metric_levels(meter, grid=g).astype(np.float64))
    if model == "tmc":
        w = metric_weights(meter, grid=g).astype(np.float64)
        return _tmc_kernel(on, w, np.sort(w)[::-1].copy())
    if model == "wnbd":
        return _wnbd_kernel(on, beat_period(meter, grid=g), wnbd_inclusive)
    if model in ("prs", "kth"):
        starts, counts, periods = _hierarchy_starts(metric_levels(meter, grid=g))
        if model == "prs":
            return _prs_kernel(on, starts, counts, prs_open_end)
        if periods is None:
            return np.full(on.shape[0], np.nan)
        return _kth_kernel(on, periods, 1.0 if kth_offbeat_count else 2.0, 0.0 if kth_offbeat_count else 1.0)
    if model == "sg":
        vel = raw.astype(np.float64)
        top = vel.max()
        return _sg_kernel(vel / top if top > 0 else vel, metric_levels(meter, grid=g))
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


#: Instrument weights ``I`` of Witek et al.'s polyphonic syncopation, ``(syncopating, answering): I``;
#: ``None`` as the answer stands for silence in every instrument.
WITEK_WEIGHTS: dict[tuple[str, str | None], float] = {
    ("kick", "snare"): 2.0,
    ("snare", "kick"): 1.0,
    ("kick", "hihat"): 5.0,
    ("snare", "hihat"): 5.0,
    ("kick", None): 6.0,
    ("snare", None): 6.0,
}


def polyphonic_syncopation(
    streams,
    meter: str | tuple[int, int],
    *,
    instruments: tuple[str, ...] = ("kick", "snare", "hihat"),
    weights: dict[tuple[str, str | None], float] | None = None,
    grid: int | None = None,
) -> np.ndarray:
    """Polyphonic syncopation of a drum kit per bar (Witek et al. 2014).

    A note syncopates when what follows it falls on a metrically stronger position (Longuet-Higgins & Lee
    levels, as in :func:`metric_levels`; ``n`` is the note's level, ``N`` the stronger one's, ``n > N``):
    silence in every instrument on a stronger position before the next onset gives ``S = n - N +
    I(instrument, None)``, with ``N`` the strongest silent position; otherwise a next onset on a stronger
    position by another instrument gives ``S = n - N + I(instrument, other)``.  Where several
    instruments answer, the smallest weight counts; an answer by the note's own instrument is no
    syncopation.  The
    pattern is read cyclically (the search crosses bar lines); each syncopation counts in the bar of its
    note.  Only instruments with a weight syncopate (by default kick and snare; the hi-hat only answers).

    The default :data:`WITEK_WEIGHTS` are kick answered by snare 2, snare answered by kick 1, kick or
    snare answered by hi-hat 5, and kick or snare followed by silence 6.  These are the weights of the
    Groove Toolbox implementation of Witek et al.'s measure (the pair weights follow the paper's
    ordering; the silence weight could not be checked against the paper's text): pass ``weights`` to
    change them.

    Parameters
    ----------
    streams : array_like
        One onset grid per instrument, shape ``(instruments, pulses)`` or ``(instruments, bars, grid)``;
        0/1 or velocities.
    meter : str or tuple of int
        The metre.
    instruments : tuple of str
        The name of each stream, matched against the keys of ``weights``.
    weights : dict, optional
        ``{(instrument, answering instrument or None): I}``; defaults to :data:`WITEK_WEIGHTS`.
    grid : int, optional
        Pulses per bar when the streams are flat.

    Returns
    -------
    numpy.ndarray
        ``float64`` summed syncopation per bar.

    References
    ----------
    Witek, M. A. G., Clarke, E. F., Wallentin, M., Kringelbach, M. L. & Vuust, P. (2014). Syncopation,
    body-movement and pleasure in groove music. *PLoS ONE* 9(4): e94446. doi:10.1371/journal.pone.0094446

    Examples
    --------
    >>> kick  = [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    >>> snare = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    >>> hihat = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]
    >>> polyphonic_syncopation([kick, snare, hihat], "4/4").tolist()  # kick on the 4th sixteenth, snare on 2
    [4.0]
    >>> polyphonic_syncopation([[1, 0, 0, 0] * 4, [0, 0, 0, 0, 1, 0, 0, 0] * 2, hihat], "4/4").tolist()
    [0.0]
    """
    a = np.asarray(streams)
    if a.ndim not in (2, 3) or a.shape[0] != len(instruments):
        raise InvalidScoreError(
            f"streams of shape {a.shape}: expected (instruments, pulses) or (instruments, bars, grid) with "
            f"{len(instruments)} instruments {instruments}"
        )
    if a.ndim == 2 and grid is not None:
        if a.shape[1] % grid:
            raise InvalidScoreError(f"{a.shape[1]} pulses are not a whole number of bars of grid={grid}")
        a = a.reshape(a.shape[0], -1, grid)
    elif a.ndim == 2:
        a = a[:, None, :]
    _as_grid(a.reshape(-1, a.shape[2]), None)  # validates values
    on = np.ascontiguousarray(a if a.dtype == np.bool_ else a > 0)
    weights = WITEK_WEIGHTS if weights is None else weights
    index = {name: i for i, name in enumerate(instruments)}
    pair = np.full((len(instruments), len(instruments)), np.nan)
    rest = np.full(len(instruments), np.nan)
    for (src, dst), w in weights.items():
        if src not in index or (dst is not None and dst not in index):
            continue
        if dst is None:
            rest[index[src]] = float(w)
        else:
            pair[index[src], index[dst]] = float(w)
    levels = metric_levels(meter, grid=on.shape[2])
    return _witek_kernel(on, levels, pair, rest)


#: General MIDI drum keys of each instrument class used by :func:`drum_streams`.
DRUM_KEYS: dict[str, tuple[int, ...]] = {
    "kick": (35, 36),
    "snare": (37, 38, 39, 40),
    "hihat": (42, 44, 46, 51, 53, 59),  # hi-hats and ride cymbals keep time alike
}


def drum_streams(notes, *, bar_qn: float = 4.0, grid: int = 16, start_qn: float = 0.0) -> np.ndarray:
    """Kick, snare and hi-hat onset grids of General MIDI drum notes, for :func:`polyphonic_syncopation`.

    Parameters
    ----------
    notes : note array or anything :func:`~harmonia.theory.notearray.as_note_array` accepts
        Drum notes (General MIDI keys, see :data:`DRUM_KEYS`); other keys are ignored.
    bar_qn : float
        Bar length in quarter notes.
    grid : int
        Pulses per bar; onsets snap to the nearest pulse.
    start_qn : float
        Time of the first downbeat.

    Returns
    -------
    numpy.ndarray
        ``int8`` array of shape ``(3, bars, grid)`` (kick, snare, hi-hat).

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> n = make_note_array(onset=np.array([0.0, 1.0, 1.0]), duration=np.full(3, 0.1),
    ...                     pitch=np.array([36, 38, 42]))
    >>> drum_streams(n, grid=4)[:, 0].tolist()
    [[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]]
    """
    from harmonia.theory.notearray import as_note_array

    arr = as_note_array(notes)
    step = np.round((arr["onset"] - start_qn) / bar_qn * grid).astype(np.int64)
    keep = step >= 0
    n_bars = int(step[keep].max() // grid) + 1 if keep.any() else 1
    out = np.zeros((3, n_bars * grid), dtype=np.int8)
    for i, name in enumerate(("kick", "snare", "hihat")):
        sel = keep & np.isin(arr["pitch"], DRUM_KEYS[name])
        out[i, step[sel]] = 1
    return out.reshape(3, n_bars, grid)


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


def bar_syncopation(
    notes, *, time_signatures=None, model: str = "lhl", per_track: bool = True, **options: bool
) -> np.ndarray:
    """Syncopation of every bar (and track) of a score.

    Each bar's onsets are placed on the finer of two grids: the metre's units split in binary steps
    (sixteenths in 4/4) or in three (triplets), whichever misplaces the onsets least; a bar that mixes
    duplets and triplets takes the grid that holds most of them (ties go binary) and its other onsets
    snap to the nearest pulse.  Each bar is read cyclically on its own.  ``model="witek"`` scores the
    drum kit of all tracks together (:func:`polyphonic_syncopation` over :data:`DRUM_KEYS`; one row per
    bar, track -1).

    Parameters
    ----------
    notes : note array or anything :func:`~harmonia.theory.notearray.as_note_array` accepts
    time_signatures : numpy.ndarray, optional
        A ``TIME_SIGNATURE_DTYPE`` map; 4/4 from 0 when absent (or taken from ``notes.time_signatures``).
    model : str
        A :data:`MODELS` name, or ``"witek"``.
    per_track : bool
        One row per bar and track (else all tracks merged, track -1).
    **options
        Passed to :func:`syncopation` (``prs_open_end``, ``kth_offbeat_count`` ...).

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
    >>> bar_syncopation(n, model="sg")["value"].round(3).tolist()
    [0.651, 0.365]
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
    if model not in (*MODELS, "witek"):
        raise InvalidScoreError(f"unknown syncopation model {model!r}: expected one of {(*MODELS, 'witek')}")
    end = float(arr["onset"].max()) + 1e-6
    if model == "witek":
        arr = arr[np.isin(arr["pitch"], np.concatenate([np.array(v) for v in DRUM_KEYS.values()]))]
        per_track = False
        if arr.size == 0:
            return np.zeros(0, dtype=BAR_SYNCOPATION_DTYPE)
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
            pos = np.round(rel * g).astype(np.int64) % g
            if model == "witek":
                streams = np.zeros((3, g), dtype=np.int8)
                for i, name in enumerate(("kick", "snare", "hihat")):
                    streams[i, pos[np.isin(arr["pitch"][sel], DRUM_KEYS[name])]] = 1
                val = float(polyphonic_syncopation(streams, f"{num}/{den}")[0])
            else:
                grid = np.zeros(g, dtype=np.int8)
                grid[pos] = 1
                val = float(syncopation(grid, f"{num}/{den}", model=model, **options)[0])
            rows.append((bi, tr, start, num, den, g, val))
    return np.array(rows, dtype=BAR_SYNCOPATION_DTYPE)
