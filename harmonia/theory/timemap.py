"""Bars and beats: the bar table, and conversions between quarter notes and ``(bar, beat)``.

A **bar table** has one row per notated measure (:data:`BAR_DTYPE`): its number, onset and length in
quarter notes, its time signature, and ``padding``: how far into a full bar the measure starts.  Padding
is what makes beats right in incomplete measures: a one-beat pickup in 4/4 has padding 3 (its note is on
beat 4), and chorales often split a bar at a fermata into two measures with one number (3 beats, then 1
beat with padding 3), exactly as music21 reads them.  :func:`bar_table` builds the regular table that a
time-signature map and a pickup imply; scores read from notation keep their own.

Bars count from 1 and the pickup is bar 0, as in music21.  Beats count from 1 in the beat unit of the time
signature: a quarter in 3/4, a half in 2/2, a dotted quarter in 6/8, 9/8 and 12/8.

Examples
--------
>>> ts = np.array([(0.0, 3, 4)], dtype=TIME_SIGNATURE_DTYPE)
>>> bars = bar_table(ts, pickup_qn=1.0, until_qn=8.0)
>>> qn_to_bar_beat([0.0, 1.0, 2.5], bars)
(array([0, 1, 1]), array([3. , 1. , 2.5]))
>>> metric_level([0.0, 1.0, 2.0, 2.5, 2.75], bars).tolist()
[1, 0, 1, 2, 3]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harmonia.theory.notearray import TIME_SIGNATURE_DTYPE

__all__ = [
    "BAR_DTYPE",
    "bar_beat_to_qn",
    "bar_table",
    "beat_length_qn",
    "extend_bars",
    "metric_level",
    "qn_to_bar_beat",
]

#: One row per measure: number, onset and length (qn), padding (qn of a full bar before its start),
#: and its time signature.
BAR_DTYPE = np.dtype(
    [
        ("bar", "<i4"),
        ("onset", "<f8"),
        ("length", "<f8"),
        ("padding", "<f8"),
        ("numerator", "<i2"),
        ("denominator", "<i2"),
    ]
)


def beat_length_qn(numerator: Any, denominator: Any) -> Any:
    """Length of one beat in quarter notes: dotted for compound metres (6/8, 9/8, 12/16 ...).

    Examples
    --------
    >>> beat_length_qn(4, 4), beat_length_qn(6, 8), beat_length_qn(2, 2), beat_length_qn(3, 8)
    (1.0, 1.5, 2.0, 0.5)
    """
    num, den = np.asarray(numerator), np.asarray(denominator)
    out = np.where((num % 3 == 0) & (num > 3) & (den >= 8), 12.0, 4.0) / den
    return float(out) if out.ndim == 0 else out


def bar_table(time_signatures: np.ndarray, *, pickup_qn: float = 0.0, until_qn: float) -> np.ndarray:
    """The regular bars implied by a time-signature map and a pickup, up to ``until_qn`` (at least bar 1).

    Returns
    -------
    numpy.ndarray
        Rows of :data:`BAR_DTYPE`.
    """
    ts = np.asarray(time_signatures, dtype=TIME_SIGNATURE_DTYPE)
    rows: list[tuple[int, float, float, float, int, int]] = []
    if pickup_qn > 0:
        num, den = int(ts["numerator"][0]), int(ts["denominator"][0])
        full = num * 4.0 / den
        rows.append((0, 0.0, float(pickup_qn), max(full - pickup_qn, 0.0), num, den))
    t, bar = float(pickup_qn), 1
    for k in range(ts.size):
        num, den = int(ts["numerator"][k]), int(ts["denominator"][k])
        length = num * 4.0 / den
        seg_end = max(ts["onset"][k + 1] if k + 1 < ts.size else np.inf, t)
        while t < seg_end - 1e-9 and (t < until_qn - 1e-9 or bar == 1):
            rows.append((bar, t, length, 0.0, num, den))
            t += length
            bar += 1
        if t >= until_qn - 1e-9 and bar > 1:
            break
    return np.array(rows, dtype=BAR_DTYPE)


def extend_bars(bars: np.ndarray, until_qn: float) -> np.ndarray:
    """Append regular bars in the last time signature until the table reaches ``until_qn``."""
    last = bars[-1]
    end = float(last["onset"] + last["length"])
    if end >= until_qn - 1e-9:
        return bars
    full = last["numerator"] * 4.0 / last["denominator"]
    n = int(np.ceil((until_qn - end) / full - 1e-9)) + 1
    extra = np.zeros(n, dtype=BAR_DTYPE)
    extra["bar"] = last["bar"] + 1 + np.arange(n)
    extra["onset"] = end + full * np.arange(n)
    extra["length"] = full
    extra["numerator"], extra["denominator"] = last["numerator"], last["denominator"]
    return np.concatenate([bars, extra])


def _locate(q: np.ndarray, bars: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, beat length, and position within a full bar of each position."""
    i = np.clip(np.searchsorted(bars["onset"], q + 1e-9, side="right") - 1, 0, None)
    beat_len = beat_length_qn(bars["numerator"][i], bars["denominator"][i])
    offset = q - bars["onset"][i] + bars["padding"][i]
    return i, np.asarray(beat_len), offset


def qn_to_bar_beat(qn: Any, bars: np.ndarray) -> tuple[Any, Any]:
    """Bar numbers and beats (both from 1; the pickup is bar 0) of quarter-note positions."""
    q = np.asarray(qn, dtype=float)
    table = extend_bars(bars, float(np.max(q, initial=0.0)) + 1e-6)
    i, beat_len, offset = _locate(q, table)
    beat = 1.0 + offset / beat_len
    bar = table["bar"][i].astype(int)
    if q.ndim == 0:
        return int(bar), float(beat)
    return bar, beat


def bar_beat_to_qn(bar: Any, beat: Any, bars: np.ndarray) -> Any:
    """Quarter-note positions of ``(bar, beat)`` pairs (inverse of :func:`qn_to_bar_beat`).

    When a bar number names several measures (a bar split at a fermata), the measure whose span holds
    the beat is used.

    Raises
    ------
    ValueError
        For a bar number the table does not have (below its first bar).
    """
    b = np.asarray(bar, dtype=int)
    beat_arr = np.asarray(beat, dtype=float)
    scalar = b.ndim == 0 and beat_arr.ndim == 0
    b, beat_arr = np.broadcast_arrays(np.atleast_1d(b), np.atleast_1d(beat_arr))
    table = bars
    want = int(b.max(initial=0))
    if int(table["bar"][-1]) < want:
        full = table["numerator"][-1] * 4.0 / table["denominator"][-1]
        table = extend_bars(table, float(table["onset"][-1] + full * (want - int(table["bar"][-1]) + 1)))
    out = np.empty(b.size)
    for n in range(b.size):
        rows = np.flatnonzero(table["bar"] == b[n])
        if rows.size == 0:
            raise ValueError(f"bar number {int(b[n])} is not in the score (bars {table['bar'][0]}-{table['bar'][-1]})")
        pick = rows[0]
        for r in rows:
            into = (beat_arr[n] - 1.0) * beat_length_qn(table["numerator"][r], table["denominator"][r])
            if into >= table["padding"][r] - 1e-9:
                pick = r
        into = (beat_arr[n] - 1.0) * beat_length_qn(table["numerator"][pick], table["denominator"][pick])
        out[n] = table["onset"][pick] + into - table["padding"][pick]
    return float(out[0]) if scalar else out


def metric_level(qn: Any, bars: np.ndarray) -> np.ndarray:
    """Metric strength of positions: 0 downbeat, 1 beat, 2 half beat, 3 quarter beat, 4 anything weaker.

    In compound metres the beat divides in three, so the eighths of 6/8 are level 2 and its sixteenths 3.
    """
    q = np.atleast_1d(np.asarray(qn, dtype=float))
    table = extend_bars(bars, float(np.max(q, initial=0.0)) + 1e-6)
    i, beat_len, offset = _locate(q, table)
    num, den = table["numerator"][i], table["denominator"][i]
    division = np.where((num % 3 == 0) & (num > 3) & (den >= 8), 3.0, 2.0)
    in_beats = offset / beat_len
    level = np.full(q.shape, 4, dtype=np.int64)
    level[_integral(in_beats * division * 2)] = 3
    level[_integral(in_beats * division)] = 2
    level[_integral(in_beats)] = 1
    level[np.abs(offset) < 1e-6] = 0
    return level


def _integral(x: np.ndarray) -> np.ndarray:
    return np.abs(x - np.round(x)) < 1e-6
