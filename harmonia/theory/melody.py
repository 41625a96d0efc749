"""Melodic contour and interval patterns.

Contour follows Huron's study of European folk-song phrases [1]_: a phrase is reduced to three heights,
its first note, the mean of its inner notes and its last note, and each of the two steps (first to mean,
mean to last) is up, level or down.  The nine combinations are the nine contour classes:

======================  ===========  ===========
class                   first-mean   mean-last
======================  ===========  ===========
ascending               up           up
descending              down         down
convex (arch)           up           down
concave                 down         up
horizontal              level        level
horizontal-ascending    level        up
horizontal-descending   level        down
ascending-horizontal    up           level
descending-horizontal   down         level
======================  ===========  ===========

Heights count as level when they differ by at most ``tolerance`` semitones (0.5 by default, so the mean
is compared as if rounded to the nearest semitone).  Huron found convex phrases the most common.

References
----------
.. [1] D. Huron, "The melodic arch in Western folksongs," *Computing in Musicology* 10, 1996, pp. 3-23.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

__all__ = [
    "CONTOUR_CLASSES",
    "chord_tone_share",
    "contour_vector",
    "huron_contour",
    "interval_class_histogram",
    "interval_histogram",
    "interval_ngrams",
    "parsons_code",
    "step_leap_ratio",
]

#: Huron's nine contour classes, indexed by (first-to-mean, mean-to-last) with -1 down, 0 level, 1 up.
CONTOUR_CLASSES = {
    (1, 1): "ascending",
    (-1, -1): "descending",
    (1, -1): "convex",
    (-1, 1): "concave",
    (0, 0): "horizontal",
    (0, 1): "horizontal-ascending",
    (0, -1): "horizontal-descending",
    (1, 0): "ascending-horizontal",
    (-1, 0): "descending-horizontal",
}


def _direction(a: float, b: float, tolerance: float) -> int:
    if abs(b - a) <= tolerance:
        return 0
    return 1 if b > a else -1


def huron_contour(pitches: Any, *, tolerance: float = 0.5) -> str:
    """Huron's contour class of one phrase (MIDI pitches in order).

    Examples
    --------
    >>> huron_contour([60, 64, 67, 65, 60]), huron_contour([67, 64, 62, 60]), huron_contour([60, 64, 64])
    ('convex', 'descending', 'ascending-horizontal')
    """
    p = np.asarray(pitches, dtype=float)
    if p.size < 2:
        raise ValueError(f"a contour needs at least two notes, got {p.size}")
    mean = p[1:-1].mean() if p.size > 2 else (p[0] + p[-1]) / 2
    return CONTOUR_CLASSES[(_direction(p[0], mean, tolerance), _direction(mean, p[-1], tolerance))]


def parsons_code(pitches: Any) -> str:
    """Parsons code: ``*`` then ``u`` (up), ``d`` (down) or ``r`` (repeat) for each following note.

    Examples
    --------
    >>> parsons_code([60, 62, 62, 59])
    '*urd'
    """
    p = np.asarray(pitches)
    steps = np.sign(np.diff(p))
    return "*" + "".join({1: "u", -1: "d", 0: "r"}[int(s)] for s in steps)


def contour_vector(onset_qn: Any, pitch: Any, *, size: int = 16) -> np.ndarray:
    """A phrase's pitch curve sampled at ``size`` evenly spaced times, minus its mean.

    Two phrases with the same shape give the same vector whatever their key, register and length, so
    Euclidean distance or correlation between vectors measures contour similarity.

    Examples
    --------
    >>> v = contour_vector([0, 1, 2, 3], [60, 62, 64, 62], size=4)
    >>> v.round(2).tolist()
    [-2.0, 0.0, 2.0, 0.0]
    """
    on = np.asarray(onset_qn, dtype=float)
    p = np.asarray(pitch, dtype=float)
    if on.size == 0:
        raise ValueError("a contour needs at least one note")
    span = on[-1] - on[0]
    times = on[0] + (np.arange(size) / size) * (span if span > 0 else 1.0) * (on.size / max(on.size - 1, 1))
    idx = np.clip(np.searchsorted(on, times + 1e-9, side="right") - 1, 0, on.size - 1)
    curve = p[idx]
    return curve - curve.mean()


def interval_histogram(pitch: Any, *, max_semitones: int = 12) -> np.ndarray:
    """Counts of melodic intervals from ``-max_semitones`` to ``+max_semitones`` (larger ones clipped).

    Examples
    --------
    >>> h = interval_histogram([60, 62, 64, 60], max_semitones=4)
    >>> h.tolist()  # -4 ... +4
    [1, 0, 0, 0, 0, 0, 2, 0, 0]
    """
    iv = np.clip(np.diff(np.asarray(pitch, dtype=int)), -max_semitones, max_semitones)
    return np.bincount(iv + max_semitones, minlength=2 * max_semitones + 1)


def interval_class_histogram(pitch: Any) -> np.ndarray:
    """Counts of interval classes 0-6 (an interval and its inversion, in any octave, are one class).

    Examples
    --------
    >>> interval_class_histogram([60, 67, 60, 64]).tolist()
    [0, 0, 0, 0, 1, 2, 0]
    """
    iv = np.abs(np.diff(np.asarray(pitch, dtype=int))) % 12
    return np.bincount(np.minimum(iv, 12 - iv), minlength=7)


def interval_ngrams(pitch: Any, n: int = 3) -> Counter:
    """Counts of successive ``n``-interval patterns (tuples of signed semitones).

    Examples
    --------
    >>> interval_ngrams([60, 62, 64, 62, 64, 66], n=2).most_common(1)
    [((2, 2), 2)]
    """
    iv = np.diff(np.asarray(pitch, dtype=int)).tolist()
    return Counter(tuple(iv[i : i + n]) for i in range(len(iv) - n + 1))


def step_leap_ratio(pitch: Any) -> float:
    """Steps (1-2 semitones) per leap (3 or more); repeated notes count as neither; inf without leaps.

    Examples
    --------
    >>> step_leap_ratio([60, 62, 64, 67, 65])
    3.0
    """
    iv = np.abs(np.diff(np.asarray(pitch, dtype=int)))
    steps = int(np.count_nonzero((iv >= 1) & (iv <= 2)))
    leaps = int(np.count_nonzero(iv >= 3))
    return steps / leaps if leaps else float("inf")


def chord_tone_share(
    onset_qn: Any, pitch: Any, metric_level: Any, chords: np.ndarray, *, max_level: int = 1
) -> float:
    """Share of the melody's notes on strong positions that belong to the chord sounding there.

    Parameters
    ----------
    onset_qn, pitch : array_like
        The melody.
    metric_level : array_like
        Metric level of each onset (0 downbeat, 1 beat, ...; see :func:`harmonia.theory.timemap.metric_level`).
    chords : numpy.ndarray
        Chord spans with ``onset`` and ``pc_mask`` fields (the ``chords`` table of the harmonic analysis).
    max_level : int, default 1
        Which positions count as strong (downbeats and beats by default).

    Returns
    -------
    float
        In [0, 1]; NaN when no note falls on a strong position.

    Examples
    --------
    >>> chords = np.array([(0.0, 0b000010010001)], dtype=[("onset", "f8"), ("pc_mask", "u2")])  # C major
    >>> chord_tone_share([0, 1, 2], [60, 62, 64], [0, 1, 1], chords)
    0.6666666666666666
    """
    on = np.asarray(onset_qn, dtype=float)
    p = np.asarray(pitch, dtype=int)
    strong = np.asarray(metric_level) <= max_level
    if not strong.any() or chords.size == 0:
        return float("nan")
    k = np.clip(np.searchsorted(chords["onset"], on[strong] + 1e-9, side="right") - 1, 0, None)
    member = (chords["pc_mask"][k].astype(np.int64) >> (p[strong] % 12)) & 1
    return float(member.mean())
