"""Groove: swing ratio, groove templates (microtiming and velocity per grid position), quantization.

Times are in quarter notes.  The *beat-upbeat ratio* (Benadon 2006, doi:10.1080/07494460600760445) of a
beat is the length of its first part (beat to upbeat onset) over its second (upbeat to next beat): 1 for
straight eighths, 2 for triplet swing.  A *groove template* holds, for each position of a bar-long grid,
the mean offset of the onsets played there from the grid and their mean velocity; applying it to quantised
notes moves each onset by ``amount`` times its position's offset.  *Groove consistency* is the mean
similarity of every pair of bars' onset grids (one minus the share of positions that differ; Wu & Yang
2020, "The Jazz Transformer on the front line", ISMIR).

Examples
--------
>>> on = np.array([0.0, 2 / 3, 1.0, 5 / 3, 2.0, 8 / 3, 3.0, 11 / 3])
>>> round(swing_ratio(on), 3)
2.0
>>> quantize(np.array([0.1, 0.9]), grid_qn=0.5, strength=0.5).tolist()
[0.05, 0.95]
"""

from __future__ import annotations

import numpy as np

from harmonia.errors import InvalidScoreError

__all__ = [
    "GROOVE_TEMPLATE_DTYPE",
    "POLYRHYTHM_DTYPE",
    "apply_groove",
    "detect_polyrhythm",
    "groove_consistency",
    "groove_template",
    "quantize",
    "swing_ratio",
]

#: One row per grid position of a bar: mean offset from the grid (qn), mean velocity, onsets counted.
GROOVE_TEMPLATE_DTYPE = np.dtype([("offset_qn", "<f8"), ("velocity", "<f8"), ("count", "<i8")])


def _onsets(x) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64).ravel()
    if not np.all(np.isfinite(a)):
        raise InvalidScoreError("onsets must be finite quarter-note times")
    return a


def swing_ratio(onset_qn, *, beat_qn: float = 1.0) -> float:
    """Median beat-upbeat ratio over the beats that hold an onset on the beat and one inside it.

    Parameters
    ----------
    onset_qn : array_like
        Onsets in quarter notes.
    beat_qn : float
        Beat length (1 for quarter-note beats with swung eighths).

    Returns
    -------
    float
        The median ratio, or NaN when no beat has both onsets.

    Examples
    --------
    >>> swing_ratio(np.array([0.0, 0.5, 1.0, 1.5]))
    1.0
    """
    on = np.unique(_onsets(onset_qn))
    if beat_qn <= 0:
        raise InvalidScoreError(f"beat_qn={beat_qn} must be positive")
    pos = on / beat_qn
    beat = np.round(pos)
    on_beat = set(beat[np.abs(pos - beat) < 0.1].astype(np.int64).tolist())
    ratios = []
    for p in pos:
        b = np.floor(p)
        frac = p - b
        if 0.2 < frac < 0.85 and int(b) in on_beat:
            ratios.append(frac / (1.0 - frac))
    return float(np.median(ratios)) if ratios else float("nan")


def quantize(onset_qn, *, grid_qn: float = 0.25, strength: float = 1.0) -> np.ndarray:
    """Move onsets ``strength`` of the way to their nearest grid line (1 snaps, 0 leaves them).

    Examples
    --------
    >>> quantize(np.array([0.26, 0.49]), grid_qn=0.25).tolist()
    [0.25, 0.5]
    """
    on = _onsets(onset_qn)
    if grid_qn <= 0 or not 0.0 <= strength <= 1.0:
        raise InvalidScoreError(f"grid_qn={grid_qn} must be > 0 and strength={strength} in [0, 1]")
    return on + strength * (np.round(on / grid_qn) * grid_qn - on)


def groove_template(onset_qn, velocity, *, grid_qn: float = 0.25, steps: int = 16) -> np.ndarray:
    """Mean timing offset and velocity per grid position of a bar of ``steps`` positions.

    Parameters
    ----------
    onset_qn, velocity : array_like
        A performance's onsets (quarter notes, bar lines at multiples of ``steps * grid_qn``) and
        velocities.
    grid_qn : float
        Grid step (0.25: sixteenths).
    steps : int
        Grid positions per bar.

    Returns
    -------
    numpy.ndarray
        ``GROOVE_TEMPLATE_DTYPE``, one row per position (offset 0 and velocity NaN where nothing played).

    Examples
    --------
    >>> t = groove_template([0.0, 0.52, 1.0, 1.52], [100, 60, 100, 60], grid_qn=0.5, steps=4)
    >>> t["offset_qn"].round(2).tolist(), t["velocity"].tolist()
    ([0.0, 0.02, 0.0, 0.02], [100.0, 60.0, 100.0, 60.0])
    """
    on = _onsets(onset_qn)
    vel = np.asarray(velocity, dtype=np.float64).ravel()
    if vel.shape != on.shape:
        raise InvalidScoreError(f"{on.size} onsets but {vel.size} velocities")
    k = np.round(on / grid_qn).astype(np.int64)
    pos = k % steps
    off = on - k * grid_qn
    out = np.zeros(steps, dtype=GROOVE_TEMPLATE_DTYPE)
    out["count"] = np.bincount(pos, minlength=steps)
    n = np.maximum(out["count"], 1)
    out["offset_qn"] = np.bincount(pos, weights=off, minlength=steps) / n
    out["velocity"] = np.where(out["count"] > 0, np.bincount(pos, weights=vel, minlength=steps) / n, np.nan)
    return out


def apply_groove(onset_qn, velocity, template: np.ndarray, *, grid_qn: float = 0.25, amount: float = 1.0):
    """Give quantised notes a template's microtiming and velocities, ``amount`` of the way.

    Returns
    -------
    tuple of numpy.ndarray
        New onsets (qn) and velocities (float; unchanged where the template has no velocity).

    Examples
    --------
    >>> t = groove_template([0.0, 0.52], [100, 60], grid_qn=0.5, steps=2)
    >>> on, vel = apply_groove([0.0, 0.5, 1.0, 1.5], [80, 80, 80, 80], t, grid_qn=0.5, amount=0.5)
    >>> on.round(3).tolist(), vel.tolist()
    ([0.0, 0.51, 1.0, 1.51], [90.0, 70.0, 90.0, 70.0])
    """
    on = _onsets(onset_qn)
    vel = np.asarray(velocity, dtype=np.float64).ravel()
    steps = template.size
    pos = np.round(on / grid_qn).astype(np.int64) % steps
    tv = template["velocity"][pos]
    new_vel = np.where(np.isnan(tv), vel, vel + amount * (np.nan_to_num(tv) - vel))
    return on + amount * template["offset_qn"][pos], new_vel


def groove_consistency(bars) -> float:
    """Mean similarity over all pairs of bars of a ``(bars, grid)`` onset grid (1 = every bar alike).

    Examples
    --------
    >>> groove_consistency([[1, 0, 1, 0], [1, 0, 1, 0], [1, 1, 1, 0]])
    0.8333333333333334
    """
    b = np.asarray(bars) > 0
    if b.ndim != 2 or b.shape[0] < 2:
        raise InvalidScoreError(f"bars of shape {b.shape}: expected (bars >= 2, grid)")
    x = b.astype(np.float64)
    diff = x @ (1 - x).T + (1 - x) @ x.T  # positions that differ, per pair
    iu = np.triu_indices(b.shape[0], 1)
    return float(np.mean(1.0 - diff[iu] / b.shape[1]))


#: One row per cross-rhythm span: start/end (qn), the two streams (track numbers; -1 is the metre's
#: beat), their periods (qn) and the ratio as counts in a common span (3:2 = three against two).
POLYRHYTHM_DTYPE = np.dtype(
    [("start_qn", "<f8"), ("end_qn", "<f8"), ("track_a", "<i2"), ("track_b", "<i2"), ("period_a_qn", "<f8"),
     ("period_b_qn", "<f8"), ("ratio", "U5")]
)  # fmt: skip

_RATIOS = ((3, 2), (2, 3), (4, 3), (3, 4))


def _regular_period(on: np.ndarray, tol: float) -> float:
    """The common inter-onset interval of at least three onsets, or NaN when they are not isochronous."""
    if on.size < 3:
        return float("nan")
    d = np.diff(on)
    m = float(np.median(d))
    return m if m > 0 and np.all(np.abs(d - m) <= tol * m) else float("nan")


def detect_polyrhythm(notes, *, window_qn: float = 3.0, beat_qn: float | None = None, tol: float = 0.08) -> np.ndarray:
    """Spans where two tracks (or a track and the beat) pulse in 3:2, 2:3, 4:3 or 3:4.

    Each track's distinct onsets are cut into windows of ``window_qn``; a window with at least three
    evenly spaced onsets (within ``tol`` of their median interval) has that period.  Two streams whose
    periods stand in one of the ratios form a cross-rhythm; neighbouring windows with the same pair and
    ratio merge into one span.  With ``beat_qn`` every track is also compared with a steady pulse of that
    period (track -1), which finds hemiola: half notes across 3/4 bars against the dotted-half bar pulse
    (``beat_qn=3``) read 3:2.

    Parameters
    ----------
    notes : note array or anything :func:`~harmonia.theory.notearray.as_note_array` accepts
    window_qn : float
        Window length (quarter notes).
    beat_qn : float, optional
        A steady pulse (the beat, or the bar for hemiola), compared as track -1.
    tol : float
        Relative tolerance of evenness.

    Returns
    -------
    numpy.ndarray
        ``POLYRHYTHM_DTYPE`` rows.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> a = np.arange(0, 12, 2 / 3)  # triplet quarters in one hand
    >>> b = np.arange(0, 12, 1.0)  # quarters in the other
    >>> n = make_note_array(onset=np.concatenate([a, b]), duration=np.full(30, 0.1), pitch=np.full(30, 60),
    ...                     track=np.repeat([0, 1], [18, 12]))
    >>> r = detect_polyrhythm(n)
    >>> r[["start_qn", "end_qn", "ratio"]].tolist()
    [(0.0, 12.0, '3:2')]
    """
    from harmonia.theory.notearray import as_note_array

    arr = as_note_array(notes)
    if arr.size == 0 or window_qn <= 0:
        return np.zeros(0, dtype=POLYRHYTHM_DTYPE)
    tracks = np.unique(arr["track"]).tolist()
    n_win = int(np.ceil((arr["onset"].max() + 1e-9) / window_qn))
    periods = {}
    for t in tracks:
        on = np.unique(arr["onset"][arr["track"] == t])
        for w in range(n_win):
            sel = on[(on >= w * window_qn - 1e-9) & (on < (w + 1) * window_qn - 1e-9)]
            periods[t, w] = _regular_period(sel, tol)
    streams = list(tracks)
    if beat_qn is not None:
        streams.append(-1)
        for w in range(n_win):
            periods[-1, w] = float(beat_qn)
    rows: list[list] = []
    for i, ta in enumerate(streams):
        for tb in streams[i + 1 :]:
            for w in range(n_win):
                pa, pb = periods[ta, w], periods[tb, w]
                if not (np.isfinite(pa) and np.isfinite(pb)):
                    continue
                for x, y in _RATIOS:  # x notes of a in the time of y notes of b: x * pa == y * pb
                    if abs(x * pa - y * pb) <= tol * y * pb:
                        label = f"{x}:{y}"
                        last = rows[-1] if rows else None
                        if last and last[2:4] == [ta, tb] and last[6] == label and last[1] == w * window_qn:
                            last[1] = (w + 1) * window_qn
                        else:
                            rows.append([w * window_qn, (w + 1) * window_qn, ta, tb, pa, pb, label])
                        break
    return np.array([tuple(r) for r in rows], dtype=POLYRHYTHM_DTYPE)
