"""Bars and beats from a time-signature map.

A time-signature map is an array of :data:`~harmonia.theory.notearray.TIME_SIGNATURE_DTYPE` rows
``(onset, numerator, denominator)`` (onsets in quarter notes, the first at 0, changes on bar lines).  With
the length of an anacrusis (``pickup_qn``) it fixes every bar line.  Bars count from 1; the pickup is bar
0, as in music21.  Beats count from 1 in the beat unit of the time signature: a quarter in 3/4, a half in
2/2, a dotted quarter in 6/8, 9/8 and 12/8; the beats of a pickup bar are numbered as the last beats of a
full bar.

Examples
--------
>>> ts = np.array([(0.0, 3, 4)], dtype=TIME_SIGNATURE_DTYPE)
>>> qn_to_bar_beat([0.0, 1.0, 2.5], ts, pickup_qn=1.0)
(array([0, 1, 1]), array([3. , 1. , 2.5]))
>>> metric_level([0.0, 1.0, 2.0, 2.5, 2.75], ts, pickup_qn=1.0).tolist()
[1, 0, 1, 2, 3]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harmonia.theory.notearray import TIME_SIGNATURE_DTYPE

__all__ = ["BAR_DTYPE", "bar_beat_to_qn", "bar_table", "beat_length_qn", "metric_level", "qn_to_bar_beat"]

#: One row per bar: number, onset and length in quarter notes, and its time signature.
BAR_DTYPE = np.dtype(
    [("bar", "<i4"), ("onset", "<f8"), ("length", "<f8"), ("numerator", "<i2"), ("denominator", "<i2")]
)


def beat_length_qn(numerator: int, denominator: int) -> float:
    """Length of one beat in quarter notes: dotted for compound metres (6/8, 9/8, 12/16 ...).

    Examples
    --------
    >>> beat_length_qn(4, 4), beat_length_qn(6, 8), beat_length_qn(2, 2), beat_length_qn(3, 8)
    (1.0, 1.5, 2.0, 0.5)
    """
    unit = 4.0 / denominator
    if numerator % 3 == 0 and numerator > 3 and denominator >= 8:
        return 3 * unit
    return unit


def bar_table(time_signatures: np.ndarray, *, pickup_qn: float = 0.0, until_qn: float) -> np.ndarray:
    """Every bar that starts before ``until_qn`` (at least bar 1).

    Returns
    -------
    numpy.ndarray
        Rows of :data:`BAR_DTYPE`.
    """
    ts = np.asarray(time_signatures, dtype=TIME_SIGNATURE_DTYPE)
    rows: list[tuple[int, float, float, int, int]] = []
    if pickup_qn > 0:
        rows.append((0, 0.0, float(pickup_qn), int(ts["numerator"][0]), int(ts["denominator"][0])))
    t, bar = float(pickup_qn), 1
    for k in range(ts.size):
        num, den = int(ts["numerator"][k]), int(ts["denominator"][k])
        length = num * 4.0 / den
        seg_end = max(ts["onset"][k + 1] if k + 1 < ts.size else np.inf, t)
        while t < seg_end - 1e-9 and (t < until_qn - 1e-9 or bar == 1):
            rows.append((bar, t, length, num, den))
            t += length
            bar += 1
        if t >= until_qn - 1e-9 and bar > 1:
            break
    return np.array(rows, dtype=BAR_DTYPE)


def _locate(q: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bar row, beat length and offset in a full bar of each position."""
    i = np.clip(np.searchsorted(table["onset"], q + 1e-9, side="right") - 1, 0, None)
    num, den = table["numerator"][i], table["denominator"][i]
    beat_len = np.where((num % 3 == 0) & (num > 3) & (den >= 8), 12.0, 4.0) / den
    full_len = num * 4.0 / den
    offset = q - table["onset"][i]
    offset = np.where(table["bar"][i] == 0, offset + full_len - table["length"][i], offset)
    return i, beat_len, offset


def qn_to_bar_beat(qn: Any, time_signatures: np.ndarray, *, pickup_qn: float = 0.0) -> tuple[Any, Any]:
    """Bar numbers and beats (both from 1; the pickup is bar 0) of quarter-note positions."""
    q = np.asarray(qn, dtype=float)
    table = bar_table(time_signatures, pickup_qn=pickup_qn, until_qn=float(np.max(q, initial=0.0)) + 1e-6)
    i, beat_len, offset = _locate(q, table)
    beat = 1.0 + offset / beat_len
    bar = table["bar"][i].astype(int)
    if q.ndim == 0:
        return int(bar), float(beat)
    return bar, beat


def bar_beat_to_qn(bar: Any, beat: Any, time_signatures: np.ndarray, *, pickup_qn: float = 0.0) -> Any:
    """Quarter-note positions of ``(bar, beat)`` pairs (inverse of :func:`qn_to_bar_beat`).

    Raises
    ------
    ValueError
        For a bar number below the first bar (0 with a pickup, else 1).
    """
    b = np.asarray(bar, dtype=int)
    beat_arr = np.asarray(beat, dtype=float)
    scalar = b.ndim == 0 and beat_arr.ndim == 0
    b, beat_arr = np.broadcast_arrays(np.atleast_1d(b), np.atleast_1d(beat_arr))
    table = bar_table(time_signatures, pickup_qn=pickup_qn, until_qn=0.0)
    # grow the table until it reaches the highest bar asked for
    want = int(b.max(initial=0))
    while int(table["bar"][-1]) < want:
        end = float(table["onset"][-1] + table["length"][-1] * (want - int(table["bar"][-1]) + 1))
        table = bar_table(time_signatures, pickup_qn=pickup_qn, until_qn=end)
    idx = np.searchsorted(table["bar"], b)
    if np.any(idx >= table.size) or np.any(table["bar"][np.minimum(idx, table.size - 1)] != b):
        raise ValueError(f"bar number(s) out of range: {b.tolist()}")
    num, den = table["numerator"][idx], table["denominator"][idx]
    beat_len = np.where((num % 3 == 0) & (num > 3) & (den >= 8), 12.0, 4.0) / den
    full_len = num * 4.0 / den
    offset = (beat_arr - 1.0) * beat_len
    offset = np.where(b == 0, offset - (full_len - table["length"][idx]), offset)
    out = table["onset"][idx] + offset
    return float(out[0]) if scalar else out


def metric_level(qn: Any, time_signatures: np.ndarray, *, pickup_qn: float = 0.0) -> np.ndarray:
    """Metric strength of positions: 0 downbeat, 1 beat, 2 half beat, 3 quarter beat, 4 anything weaker.

    In compound metres the beat divides in three, so the eighths of 6/8 are level 2 and its sixteenths 3.
    """
    q = np.atleast_1d(np.asarray(qn, dtype=float))
    table = bar_table(time_signatures, pickup_qn=pickup_qn, until_qn=float(np.max(q, initial=0.0)) + 1e-6)
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
