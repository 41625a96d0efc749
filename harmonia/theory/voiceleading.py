"""Voice leading: costs between chords, the voice grid of a texture, and voice-leading patterns.

A *voice leading* between two chords says where each note of the first goes in the second (Tymoczko
2006, doi:10.1126/science.1126287; Tymoczko 2011, *A Geometry of Music*, doi:10.1093/oso/9780195336672.001.0001).
Its size is a norm of the voices' displacements in semitones: taxicab (sum of absolute motions),
Euclidean (square root of the sum of squares) or L-infinity (the largest single motion).

Conventions:

* Chords are MIDI pitches (voices in register) or, with ``pitch_classes=True``, pitch classes, whose
  motions go the short way round the octave (at most 6 semitones; a tritone counts 6).
* Chords of equal size are connected one-to-one (a bijection: no voice splits or merges) unless
  ``doubling=True``.  Chords of unequal size need doubling: every note of each chord is used at least
  once, so some notes split or merge (Tymoczko's voice leadings between multisets).  Under every norm
  offered a minimal voice leading never crosses voices, so between pitch sets it is a monotone path
  through the two sorted chords (pairing sorted voices when sizes agree); between pitch-class sets it
  is such a path after some rotation of one chord.  The kernels search those paths exactly.
* Negative numbers in a batch or voicing mark absent voices (rests, padding).

The *voice grid* (:func:`voice_grid`) is the texture read as voices: one row per distinct onset, one
column per voice (track and voice label), highest voice first, ``-1`` where a voice rests.  Rule
checks (:mod:`harmonia.theory.vl_rules`) and the pattern statistics here read it.

Examples
--------
>>> voice_leading_cost([60, 64, 67], [60, 65, 69])  # C major to F major: E-F and G-A
3.0
>>> voice_leading_cost([0, 4, 7], [5, 9, 0], pitch_classes=True)  # the same, as pitch classes
3.0
>>> voice_leading_cost([0, 4, 7, 10], [5, 9, 0], pitch_classes=True)  # C7 to F: G and Bb merge on A
4.0
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from harmonia.theory.notearray import as_note_array

__all__ = [
    "MOTION_DTYPE",
    "NORMS",
    "SUSPENSION_DTYPE",
    "VoiceGrid",
    "common_tone_retention",
    "minimal_voice_leading",
    "motion_counts",
    "progression_cost",
    "suspensions",
    "voice_grid",
    "voice_leading_cost",
    "voice_leading_costs",
    "voice_leading_profile",
    "voicing_cost",
]

#: Accepted norm names (aliases: ``"l1"``, ``"l2"``, ``"max"``).
NORMS = ("taxicab", "euclidean", "linf")
_NORM_CODE = {"taxicab": 0, "l1": 0, "euclidean": 1, "l2": 1, "linf": 2, "max": 2}
_BIG = 1e300


# ---------------------------------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------------------------------
@njit(cache=True)
def _disp(a, b, pc):  # pragma: no cover - compiled
    """Signed displacement from a to b (pitch classes: the short way, in (-6, 6])."""
    d = b - a
    if pc:
        d = d % 12
        if d > 6:
            d -= 12
    return d


@njit(cache=True)
def _local(d, norm):  # pragma: no cover - compiled
    d = abs(d)
    if norm == 1:
        return float(d * d)
    return float(d)


@njit(cache=True)
def _acc(total, c, norm):  # pragma: no cover - compiled
    if norm == 2:
        return max(total, c)
    return total + c


@njit(cache=True)
def _finish(total, norm):  # pragma: no cover - compiled
    if norm == 1:
        return np.sqrt(total)
    return total


@njit(cache=True)
def _sort_small(x, n):  # pragma: no cover - compiled
    """Insertion sort of the first n entries of x in place (chords are small)."""
    for i in range(1, n):
        v = x[i]
        j = i - 1
        while j >= 0 and x[j] > v:
            x[j + 1] = x[j]
            j -= 1
        x[j + 1] = v


@njit(cache=True)
def _bijection(a, b, n, norm, pc, offset):  # pragma: no cover - compiled
    """Cost of pairing sorted a[i] with sorted b[(i + offset) % n]."""
    total = 0.0
    for i in range(n):
        total = _acc(total, _local(_disp(a[i], b[(i + offset) % n], pc), norm), norm)
    return total


@njit(cache=True)
def _cover(a, m, b, n, norm, pc, offset_a, offset, dp):  # pragma: no cover - compiled
    """Cheapest monotone path (steps (1,0), (0,1), (1,1)) from (0, 0) to (m-1, n-1), a and b rotated."""
    for i in range(m):
        for j in range(n):
            c = _local(_disp(a[(i + offset_a) % m], b[(j + offset) % n], pc), norm)
            if i == 0 and j == 0:
                best = 0.0
            else:
                best = _BIG
                if i > 0 and dp[i - 1, j] < best:
                    best = dp[i - 1, j]
                if j > 0 and dp[i, j - 1] < best:
                    best = dp[i, j - 1]
                if i > 0 and j > 0 and dp[i - 1, j - 1] < best:
                    best = dp[i - 1, j - 1]
            dp[i, j] = _acc(best, c, norm)
    return dp[m - 1, n - 1]


@njit(cache=True)
def _min_cost(a, m, b, n, norm, pc, doubling, dp):  # pragma: no cover - compiled
    """Minimal voice-leading cost between the sorted first m of a and first n of b (before _finish)."""
    if not doubling:
        if not pc:
            return _bijection(a, b, n, norm, False, 0)
        best = _BIG
        for k in range(n):
            c = _bijection(a, b, n, norm, True, k)
            if c < best:
                best = c
        return best
    if not pc:
        return _cover(a, m, b, n, norm, False, 0, 0, dp)
    # on the circle a minimal cover, read cyclically, has a step that advances in both chords; cutting
    # there gives a monotone path, so some pair of rotations finds it
    best = _BIG
    for h in range(m):
        for k in range(n):
            c = _cover(a, m, b, n, norm, True, h, k, dp)
            if c < best:
                best = c
    return best


@njit(cache=True)
def _batch_kernel(a, b, norm, pc, doubling):  # pragma: no cover - compiled
    n_rows = a.shape[0]
    out = np.empty(n_rows)
    wa = np.empty(a.shape[1], dtype=np.int64)
    wb = np.empty(b.shape[1], dtype=np.int64)
    dp = np.empty((a.shape[1], b.shape[1]))
    for r in range(n_rows):
        m = 0
        for i in range(a.shape[1]):
            if a[r, i] >= 0:
                wa[m] = a[r, i] % 12 if pc else a[r, i]
                m += 1
        n = 0
        for j in range(b.shape[1]):
            if b[r, j] >= 0:
                wb[n] = b[r, j] % 12 if pc else b[r, j]
                n += 1
        if m == 0 or n == 0:
            out[r] = np.nan
            continue
        _sort_small(wa, m)
        _sort_small(wb, n)
        dbl = doubling == 1 or m != n
        out[r] = _finish(_min_cost(wa, m, wb, n, norm, pc, dbl, dp), norm)
    return out


@njit(cache=True)
def _batch4_taxicab(a, b):  # pragma: no cover - compiled
    """Four-voice pitch chords, taxicab: sort both with a five-comparator network, pair in order."""
    n_rows = a.shape[0]
    out = np.empty(n_rows)
    for r in range(n_rows):
        a0, a1, a2, a3 = a[r, 0], a[r, 1], a[r, 2], a[r, 3]
        b0, b1, b2, b3 = b[r, 0], b[r, 1], b[r, 2], b[r, 3]
        a0, a1 = min(a0, a1), max(a0, a1)
        a2, a3 = min(a2, a3), max(a2, a3)
        a0, a2 = min(a0, a2), max(a0, a2)
        a1, a3 = min(a1, a3), max(a1, a3)
        a1, a2 = min(a1, a2), max(a1, a2)
        b0, b1 = min(b0, b1), max(b0, b1)
        b2, b3 = min(b2, b3), max(b2, b3)
        b0, b2 = min(b0, b2), max(b0, b2)
        b1, b3 = min(b1, b3), max(b1, b3)
        b1, b2 = min(b1, b2), max(b1, b2)
        out[r] = abs(a0 - b0) + abs(a1 - b1) + abs(a2 - b2) + abs(a3 - b3)
    return out


@njit(cache=True)
def _path_kernel(a, b, norm, pc, doubling):  # pragma: no cover - compiled
    """Minimal cost and its edges (index into sorted a, index into sorted b) for one chord pair."""
    m, n = a.size, b.size
    dp = np.empty((m, n))
    best, best_h, best_k = _BIG, 0, 0
    for h in range(m if (pc and doubling) else 1):
        for k in range(n if pc else 1):
            c = _cover(a, m, b, n, norm, pc, h, k, dp) if doubling else _bijection(a, b, n, norm, pc, k)
            if c < best:
                best, best_h, best_k = c, h, k
    edges = np.empty((m + n, 2), dtype=np.int64)
    if not doubling:
        for i in range(n):
            edges[i, 0] = i
            edges[i, 1] = (i + best_k) % n
        return best, edges[:n]
    _cover(a, m, b, n, norm, pc, best_h, best_k, dp)
    i, j, e = m - 1, n - 1, 0
    while True:
        edges[e, 0] = (i + best_h) % m
        edges[e, 1] = (j + best_k) % n
        e += 1
        if i == 0 and j == 0:
            break
        cand, ni, nj = _BIG, i, j
        if i > 0 and j > 0 and dp[i - 1, j - 1] < cand:
            cand, ni, nj = dp[i - 1, j - 1], i - 1, j - 1
        if i > 0 and dp[i - 1, j] < cand:
            cand, ni, nj = dp[i - 1, j], i - 1, j
        if j > 0 and dp[i, j - 1] < cand:
            cand, ni, nj = dp[i, j - 1], i, j - 1
        i, j = ni, nj
    return best, edges[:e][::-1].copy()


# ---------------------------------------------------------------------------------------------------
# costs: public wrappers
# ---------------------------------------------------------------------------------------------------
def _norm_code(norm: str) -> int:
    try:
        return _NORM_CODE[norm]
    except (KeyError, TypeError):
        raise ValueError(f"unknown norm {norm!r}; use one of {NORMS}") from None


def _chord(x: Any, pitch_classes: bool, what: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{what} must be a non-empty 1-D sequence of pitches, got {x!r}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{what} must hold integer pitches, got {x!r}")
    arr = arr.astype(np.int64)
    if np.any(arr < 0):
        raise ValueError(f"{what} holds negative pitches {x!r}; pitches are MIDI numbers >= 0")
    if pitch_classes:
        arr = arr % 12
    return np.sort(arr)


def _doubling(doubling: bool | None, m: int, n: int) -> bool:
    if doubling is None:
        return m != n
    if not doubling and m != n:
        raise ValueError(f"chords of {m} and {n} notes need doubling; pass doubling=True or None, not False")
    return bool(doubling)


def voice_leading_cost(
    a: Any, b: Any, *, norm: str = "taxicab", pitch_classes: bool = False, doubling: bool | None = None
) -> float:
    """Size of the minimal voice leading from chord ``a`` to chord ``b``.

    Parameters
    ----------
    a, b : sequence of int
        MIDI pitches (or pitch classes with ``pitch_classes=True``); order does not matter, repeated
        notes are doublings.
    norm : {"taxicab", "euclidean", "linf"}, default "taxicab"
        How voice motions add up: the sum of semitones moved, the Euclidean length, or the largest motion.
    pitch_classes : bool, default False
        Read the chords as pitch classes; each voice then moves the short way (at most 6 semitones).
    doubling : bool or None, default None
        None: one-to-one when the chords have the same size, doubling otherwise.  True: let notes split or
        merge even between chords of equal size.  False: one-to-one (sizes must agree).

    Returns
    -------
    float
        The cost, in semitones.

    Raises
    ------
    ValueError
        For an empty chord, a negative pitch, an unknown norm, or ``doubling=False`` with sizes that differ.

    Examples
    --------
    >>> voice_leading_cost([60, 64, 67], [59, 62, 67])  # C to G: C-B, E-D
    3.0
    >>> round(voice_leading_cost([60, 64, 67], [59, 62, 67], norm="euclidean"), 4)
    2.2361
    >>> voice_leading_cost([0, 4, 7], [11, 2, 7], pitch_classes=True, norm="linf")
    2.0
    """
    code = _norm_code(norm)
    x, y = _chord(a, pitch_classes, "a"), _chord(b, pitch_classes, "b")
    dbl = _doubling(doubling, x.size, y.size)
    dp = np.empty((x.size, y.size))
    return float(_finish(_min_cost(x, x.size, y, y.size, code, pitch_classes, dbl, dp), code))


def minimal_voice_leading(
    a: Any, b: Any, *, norm: str = "taxicab", pitch_classes: bool = False, doubling: bool | None = None
) -> tuple[float, np.ndarray]:
    """The minimal voice leading itself: its cost and where each voice goes.

    Parameters
    ----------
    a, b, norm, pitch_classes, doubling
        As in :func:`voice_leading_cost`.

    Returns
    -------
    cost : float
        As :func:`voice_leading_cost` returns it.
    moves : numpy.ndarray
        Shape ``(voices, 2)``, rows ``(from, to)`` from low to high.  For pitch classes ``to`` is
        ``from`` plus the signed motion, so it may fall outside 0-11 (``11 -> 12`` is B moving up to C).

    Examples
    --------
    >>> cost, moves = minimal_voice_leading([60, 64, 67], [59, 62, 67])
    >>> cost, moves.tolist()
    (3.0, [[60, 59], [64, 62], [67, 67]])
    >>> minimal_voice_leading([7, 11, 2, 5], [0, 4, 7], pitch_classes=True)[1].tolist()
    [[2, 4], [5, 4], [7, 7], [11, 12]]
    """
    code = _norm_code(norm)
    x, y = _chord(a, pitch_classes, "a"), _chord(b, pitch_classes, "b")
    dbl = _doubling(doubling, x.size, y.size)
    cost, edges = _path_kernel(x, y, code, pitch_classes, dbl)
    src = x[edges[:, 0]]
    dst = y[edges[:, 1]]
    if pitch_classes:
        dst = src + (dst - src) % 12
        dst = np.where(dst - src > 6, dst - 12, dst)
    moves = np.stack([src, dst], axis=1)
    moves = moves[np.lexsort((moves[:, 1], moves[:, 0]))]
    return float(_finish(cost, code)), moves


def voice_leading_costs(
    a: Any, b: Any, *, norm: str = "taxicab", pitch_classes: bool = False, doubling: bool | None = None
) -> np.ndarray:
    """Minimal voice-leading costs of many chord pairs at once.

    Parameters
    ----------
    a, b : array_like of int, shape (pairs, voices_a) and (pairs, voices_b)
        One chord per row; negative entries are padding (absent notes), so rows may hold chords of
        different sizes.  A row whose chord is all padding gets NaN.
    norm, pitch_classes, doubling
        As in :func:`voice_leading_cost` (``doubling=None`` decides per row).

    Returns
    -------
    numpy.ndarray
        Shape ``(pairs,)``, float64.

    Examples
    --------
    >>> voice_leading_costs([[60, 64, 67, 72], [60, 64, 67, -1]], [[59, 62, 67, 74], [65, 69, 72, 77]]).tolist()
    [5.0, 23.0]
    """
    code = _norm_code(norm)
    x = np.asarray(a)
    y = np.asarray(b)
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"a and b must be 2-D with one chord per row and as many rows; got {x.shape} and {y.shape}")
    if not (np.issubdtype(x.dtype, np.integer) and np.issubdtype(y.dtype, np.integer)):
        raise ValueError(f"chord arrays must hold integers, got {x.dtype} and {y.dtype}")
    if doubling is False and x.shape[1] != y.shape[1]:
        raise ValueError(f"chords of {x.shape[1]} and {y.shape[1]} voices need doubling; pass doubling=None")
    if (
        code == 0
        and not pitch_classes
        and not doubling
        and x.shape[1] == y.shape[1] == 4
        and (x.size == 0 or (x.min() >= 0 and y.min() >= 0))
    ):
        return _batch4_taxicab(np.ascontiguousarray(x), np.ascontiguousarray(y))
    dbl = 1 if doubling else (0 if doubling is False else -1)
    return _batch_kernel(x.astype(np.int64), y.astype(np.int64), code, pitch_classes, dbl)


def voicing_cost(a: Any, b: Any, *, norm: str = "taxicab", pitch_classes: bool = False) -> float:
    """Cost of a given voice leading: voice ``i`` moves from ``a[i]`` to ``b[i]``.

    Parameters
    ----------
    a, b : sequence of int
        The two voicings, voice by voice, of equal length; a negative entry is a rest and that voice
        is left out.
    norm, pitch_classes
        As in :func:`voice_leading_cost`.

    Returns
    -------
    float

    Examples
    --------
    >>> voicing_cost([67, 64, 60, 48], [67, 65, 60, 53])  # I to IV, soprano and tenor hold
    6.0
    >>> voicing_cost([72, 67], [71, 74])  # the upper voices cross; the given pairing is what counts
    8.0
    """
    code = _norm_code(norm)
    x, y = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"voicings must be 1-D and of equal length, got {x.shape} and {y.shape}")
    keep = (x >= 0) & (y >= 0)
    d = (y - x)[keep]
    if pitch_classes:
        d = (d + 6) % 12 - 6
    d = np.abs(d).astype(float)
    if d.size == 0:
        return 0.0
    if code == 0:
        return float(d.sum())
    if code == 1:
        return float(np.sqrt((d * d).sum()))
    return float(d.max())


def progression_cost(
    chords: Any,
    *,
    norm: str = "taxicab",
    pitch_classes: bool = False,
    doubling: bool | None = None,
    voiced: bool = False,
) -> float:
    """Total voice-leading cost of a chord progression.

    Parameters
    ----------
    chords : sequence of sequences of int
        The chords in order.
    norm, pitch_classes, doubling
        As in :func:`voice_leading_cost`.
    voiced : bool, default False
        False: add the minimal costs between consecutive chords.  True: the chords are voicings of equal
        length, voice by voice (negative = rest), and their given motions are added (:func:`voicing_cost`).

    Returns
    -------
    float
        For ``norm="linf"`` the largest step cost; else the sum of step costs.

    Examples
    --------
    >>> I, IV, V = [48, 64, 67, 72], [53, 65, 69, 72], [55, 62, 67, 71]
    >>> progression_cost([I, IV, V, I])
    26.0
    >>> progression_cost([I, IV, V, I], pitch_classes=True)  # as pitch classes the bass moves the short way
    20.0
    >>> progression_cost([[67, 64], [62, 66]], voiced=True)  # as written, the voices cross: 5 + 2
    7.0
    >>> progression_cost([[67, 64], [62, 66]])  # the minimal voice leading does not: 2 + 1
    3.0
    """
    seq = [list(c) for c in chords]
    if len(seq) < 2:
        return 0.0
    if voiced:
        steps = [voicing_cost(p, q, norm=norm, pitch_classes=pitch_classes) for p, q in itertools.pairwise(seq)]
    else:
        steps = [
            voice_leading_cost(p, q, norm=norm, pitch_classes=pitch_classes, doubling=doubling)
            for p, q in itertools.pairwise(seq)
        ]
    return float(max(steps)) if _norm_code(norm) == 2 else float(sum(steps))


# ---------------------------------------------------------------------------------------------------
# the voice grid
# ---------------------------------------------------------------------------------------------------
class VoiceGrid(NamedTuple):
    """A texture read as voices at every onset.

    Attributes
    ----------
    onsets : numpy.ndarray
        ``(K,)`` distinct note onsets in quarter notes.
    pitch : numpy.ndarray
        ``(K, V)`` int16: the MIDI pitch each voice sounds at each onset, ``-1`` when it rests.
    attack : numpy.ndarray
        ``(K, V)`` bool: the voice starts a note at that onset (else it holds or rests).
    spelling : numpy.ndarray
        ``(K, V)`` int8 line-of-fifths spelling of the sounding note (-128 unknown or resting).
    labels : numpy.ndarray
        ``(V, 2)`` the ``(track, voice)`` of each column, highest voice (by mean pitch) first.
    """

    onsets: np.ndarray
    pitch: np.ndarray
    attack: np.ndarray
    spelling: np.ndarray
    labels: np.ndarray


@njit(cache=True)
def _grid_kernel(times, onset, offset, pitch, spell, col, n_cols):  # pragma: no cover - compiled
    k_n = times.size
    grid = np.full((k_n, n_cols), -1, dtype=np.int16)
    att = np.zeros((k_n, n_cols), dtype=np.bool_)
    sp = np.full((k_n, n_cols), -128, dtype=np.int8)
    for i in range(onset.size):
        k = np.searchsorted(times, onset[i])
        c = col[i]
        first = True
        while k < k_n and times[k] < offset[i] - 1e-9:
            if grid[k, c] < pitch[i]:  # two notes at once in one voice: the higher one is the voice
                grid[k, c] = pitch[i]
                sp[k, c] = spell[i]
                att[k, c] = first
            first = False
            k += 1
    return grid, att, sp


def voice_grid(notes: Any, *, voice_order: str = "pitch") -> VoiceGrid:
    """Read a texture as voices: one column per ``(track, voice)``, one row per distinct onset.

    A voice that sounds two notes at once (a chord in one part) is represented by the higher one.

    Parameters
    ----------
    notes : note array or Score
        Notes with voices told apart by ``track`` and ``voice`` (use
        :func:`harmonia.theory.voices.separate_voices` first for unlabelled music).
    voice_order : {"pitch", "label"}, default "pitch"
        Order of the columns, highest voice first: by mean pitch (column 0 is the soprano of a chorale
        in any track order), or by ``(track, voice)`` label, for scores whose parts are listed from the
        top down.

    Returns
    -------
    VoiceGrid

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> g = voice_grid(make_note_array([0, 0, 1], [2, 1, 1], [48, 64, 65], track=[1, 0, 0]))
    >>> g.pitch.tolist(), g.attack[:, 1].tolist(), g.labels.tolist()
    ([[64, 48], [65, 48]], [True, False], [[0, -1], [1, -1]])
    """
    arr = as_note_array(notes)
    if arr.size == 0:
        empty = np.zeros((0, 0))
        return VoiceGrid(
            np.zeros(0), empty.astype(np.int16), empty.astype(bool), empty.astype(np.int8), np.zeros((0, 2), int)
        )
    keys = arr["track"].astype(np.int64) * 65536 + (arr["voice"].astype(np.int64) + 1)
    uniq, col = np.unique(keys, return_inverse=True)
    means = np.bincount(col, weights=arr["pitch"].astype(float)) / np.bincount(col)
    if voice_order not in ("pitch", "label"):
        raise ValueError(f"voice_order must be 'pitch' or 'label', got {voice_order!r}")
    order = np.lexsort((uniq, -means)) if voice_order == "pitch" else np.arange(uniq.size)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    times = np.unique(arr["onset"])
    grid, att, sp = _grid_kernel(
        times,
        arr["onset"],
        arr["onset"] + arr["duration"],
        arr["pitch"].astype(np.int16),
        arr["spelling"].astype(np.int8),
        rank[col].astype(np.int64),
        uniq.size,
    )
    labels = np.stack([uniq[order] // 65536, uniq[order] % 65536 - 1], axis=1)
    return VoiceGrid(times, grid, att, sp, labels)


# ---------------------------------------------------------------------------------------------------
# patterns
# ---------------------------------------------------------------------------------------------------
#: One row per voice pair (upper voice ``voice_a`` above ``voice_b``, grid columns): how many moves of
#: each type.  ``parallel`` counts similar motion keeping the interval (up to octaves); ``similar``
#: the rest of the same-direction moves.
MOTION_DTYPE = np.dtype(
    [
        ("voice_a", "<i2"),
        ("voice_b", "<i2"),
        ("contrary", "<i8"),
        ("oblique", "<i8"),
        ("similar", "<i8"),
        ("parallel", "<i8"),
    ]
)


def _as_grid(notes: Any) -> VoiceGrid:
    return notes if isinstance(notes, VoiceGrid) else voice_grid(notes)


def motion_counts(notes: Any) -> np.ndarray:
    """Count contrary, oblique, similar and parallel motion for every pair of voices.

    A move is a step from one onset of the grid to the next in which at least one of the two voices
    changes pitch while both sound at both onsets.

    Parameters
    ----------
    notes : note array, Score or VoiceGrid

    Returns
    -------
    numpy.ndarray
        Rows of :data:`MOTION_DTYPE`, one per voice pair.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> up = make_note_array([0, 1, 2, 3] * 2, 1, [72, 74, 76, 74, 60, 62, 60, 60], track=[0] * 4 + [1] * 4)
    >>> motion_counts(up)[["contrary", "oblique", "similar", "parallel"]].tolist()
    [(1, 1, 0, 1)]
    """
    g = _as_grid(notes)
    v = g.pitch.shape[1]
    rows = []
    p = g.pitch.astype(np.int64)
    for i in range(v):
        for j in range(i + 1, v):
            a0, a1, b0, b1 = p[:-1, i], p[1:, i], p[:-1, j], p[1:, j]
            ok = (a0 >= 0) & (a1 >= 0) & (b0 >= 0) & (b1 >= 0)
            da, db = np.sign(a1 - a0)[ok], np.sign(b1 - b0)[ok]
            moved = (da != 0) | (db != 0)
            iv0 = np.abs(a0 - b0)[ok] % 12
            iv1 = np.abs(a1 - b1)[ok] % 12
            contrary = int(np.sum(moved & (da * db < 0)))
            oblique = int(np.sum(moved & (da * db == 0)))
            same = moved & (da * db > 0)
            parallel = int(np.sum(same & (iv0 == iv1)))
            rows.append((i, j, contrary, oblique, int(np.sum(same)) - parallel, parallel))
    return np.array(rows, dtype=MOTION_DTYPE)


def common_tone_retention(notes: Any) -> float:
    """Share of common tones kept in the same voice when the harmony changes.

    At each step of the grid where the set of sounding pitch classes changes, every pitch class sounding
    on both sides is a common tone; it is *retained* when some voice sounds the same pitch (same
    register) on both sides.  Returns retained / common over the piece (NaN if no step has common tones).

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> # C major to A minor in first inversion: C is held, E comes back only in the bass
    >>> n = make_note_array([0, 0, 0, 1, 1, 1], 1, [72, 64, 48, 72, 69, 52], track=[0, 1, 2] * 2)
    >>> common_tone_retention(n)
    0.5
    """
    g = _as_grid(notes)
    p = g.pitch.astype(np.int64)
    common = retained = 0
    for k in range(p.shape[0] - 1):
        x, y = p[k][p[k] >= 0], p[k + 1][p[k + 1] >= 0]
        px, py = set((x % 12).tolist()), set((y % 12).tolist())
        if px == py or not px or not py:
            continue
        both = px & py
        common += len(both)
        held = (p[k] >= 0) & (p[k] == p[k + 1])
        retained += len(both & set((p[k][held] % 12).tolist()))
    return retained / common if common else float("nan")


#: One row per suspension: onset of the dissonance (qn), grid column of the suspended voice, its pitch,
#: the pitch it resolves to, the interval above the bass in semitones (mod 12), and a chain number
#: (suspensions in one voice whose resolution prepares the next share it).
SUSPENSION_DTYPE = np.dtype(
    [
        ("onset", "<f8"),
        ("voice", "<i2"),
        ("pitch", "<i2"),
        ("resolution", "<i2"),
        ("above_bass", "<i2"),
        ("chain", "<i4"),
    ]
)
_DISSONANT_ABOVE_BASS = (1, 2, 5, 6, 10, 11)
_CONSONANT_ABOVE_BASS = (0, 3, 4, 7, 8, 9)


def suspensions(notes: Any) -> np.ndarray:
    """Find suspensions: a note held over from a consonance, dissonant against a new bass, resolving down by step.

    At an onset ``k`` a voice above the bass is suspended when it sounds the same pitch as at ``k - 1``
    (held or tied, or struck again), the bass (lowest sounding voice) strikes a note at ``k``, the voice
    was consonant with the bass at ``k - 1`` and is dissonant with it at ``k`` (a second, fourth,
    tritone or seventh, up to octaves), and the voice's next pitch is one or two semitones lower.
    Suspensions in one voice form a chain when each resolution is held into the next suspension.

    Parameters
    ----------
    notes : note array, Score or VoiceGrid

    Returns
    -------
    numpy.ndarray
        Rows of :data:`SUSPENSION_DTYPE` in time order.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> # a 4-3: C5 held over a bass that moves C3 -> G2, resolving to B4
    >>> n = make_note_array([0, 0, 1, 2, 3], [1, 2, 2, 1, 1], [48, 72, 43, 71, 43], track=[1, 0, 1, 0, 1])
    >>> suspensions(n)[["onset", "pitch", "resolution", "above_bass"]].tolist()
    [(1.0, 72, 71, 5)]
    """
    g = _as_grid(notes)
    p = g.pitch.astype(np.int64)
    k_n = p.shape[0]
    rows: list[list[Any]] = []
    last_chain: dict[int, tuple[int, int]] = {}  # voice -> (chain id, grid index of its resolution)
    n_chains = 0
    for k in range(1, k_n):
        sounding = np.flatnonzero(p[k] >= 0)
        prev = np.flatnonzero(p[k - 1] >= 0)
        if sounding.size < 2 or prev.size < 2:
            continue
        bass = sounding[-1]
        bass_prev = prev[-1]
        if not g.attack[k, bass]:
            continue
        for v in sounding[:-1]:
            pv = p[k, v]
            if p[k - 1, v] != pv or v == bass_prev:
                continue
            if (pv - p[k, bass]) % 12 not in _DISSONANT_ABOVE_BASS:
                continue
            if (p[k - 1, v] - p[k - 1, bass_prev]) % 12 not in _CONSONANT_ABOVE_BASS:
                continue
            kk = k + 1
            while kk < k_n and p[kk, v] == pv:
                kk += 1
            if kk >= k_n or not 1 <= pv - p[kk, v] <= 2:
                continue
            chain = last_chain.get(int(v))
            if chain is not None and chain[1] <= k - 1 and np.all(p[chain[1] : k, v] == p[k - 1, v]):
                chain_id = chain[0]
            else:
                chain_id = n_chains
                n_chains += 1
            last_chain[int(v)] = (chain_id, kk)
            rows.append([g.onsets[k], v, pv, p[kk, v], (pv - p[k, bass]) % 12, chain_id])
    return np.array([tuple(r) for r in rows], dtype=SUSPENSION_DTYPE)


def voice_leading_profile(notes: Any, *, key: Any = None, findings: np.ndarray | None = None) -> dict[str, Any]:
    """A per-piece summary of how the voices move.

    Parameters
    ----------
    notes : note array, Score or VoiceGrid
    key : Key, str or None
        Passed to :func:`harmonia.theory.vl_rules.check_voice_leading` when ``findings`` is not given.
    findings : numpy.ndarray, optional
        Rule findings already computed (rows of :data:`harmonia.theory.vl_rules.FINDING_DTYPE`).

    Returns
    -------
    dict
        ``n_voices``, ``n_onsets``; ``motion`` (share of contrary, oblique, similar, parallel moves over
        all voice pairs); ``melodic`` (share of repeated notes, steps of 1-2 semitones, leaps of 3-12,
        leaps beyond an octave, and the mean absolute interval); ``cost`` (mean taxicab cost per chord
        change of the voicings as written, of the minimal voice leading between the same pitch sets,
        and their ratio, 1 = as smooth as possible); ``common_tone_retention``; ``suspensions`` and
        ``suspension_chains`` (chains of two or more); ``findings`` (count per rule).

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> n = make_note_array([0, 0, 1, 1], 1, [72, 60, 71, 62], track=[0, 1, 0, 1])
    >>> prof = voice_leading_profile(n)
    >>> prof["motion"]["contrary"], prof["cost"]["ratio"]
    (1.0, 1.0)
    """
    from harmonia.theory.vl_rules import check_voice_leading

    g = _as_grid(notes)
    if findings is None:
        findings = check_voice_leading(g, key=key)
    p = g.pitch.astype(np.int64)
    mc = motion_counts(g)
    names = ("contrary", "oblique", "similar", "parallel")
    totals = {n: int(mc[n].sum()) for n in names}
    all_moves = sum(totals.values())
    motion = {n: (totals[n] / all_moves if all_moves else float("nan")) for n in names}
    # melodic intervals: consecutive sounding onsets of one voice where it strikes a note
    ivs = []
    for v in range(p.shape[1]):
        a, b = p[:-1, v], p[1:, v]
        ok = (a >= 0) & (b >= 0) & g.attack[1:, v]
        ivs.append(np.abs(b - a)[ok])
    iv = np.concatenate(ivs) if ivs else np.zeros(0, dtype=np.int64)
    n_iv = iv.size
    melodic = {
        "repeat": float(np.mean(iv == 0)) if n_iv else float("nan"),
        "step": float(np.mean((iv >= 1) & (iv <= 2))) if n_iv else float("nan"),
        "leap": float(np.mean((iv >= 3) & (iv <= 12))) if n_iv else float("nan"),
        "beyond_octave": float(np.mean(iv > 12)) if n_iv else float("nan"),
        "mean_abs_semitones": float(iv.mean()) if n_iv else float("nan"),
    }
    # costs between consecutive onsets where every voice sounds on both sides and something moves
    full = np.all(p >= 0, axis=1)
    steps = np.flatnonzero(full[:-1] & full[1:] & np.any(p[:-1] != p[1:], axis=1))
    if steps.size:
        written = np.abs(p[steps + 1] - p[steps]).sum(axis=1).astype(float)
        minimal = voice_leading_costs(p[steps], p[steps + 1], doubling=False)
        cost = {
            "written": float(written.mean()),
            "minimal": float(minimal.mean()),
            "ratio": float(minimal.sum() / written.sum()) if written.sum() else 1.0,
        }
    else:
        cost = {"written": float("nan"), "minimal": float("nan"), "ratio": float("nan")}
    sus = suspensions(g)
    chains = np.bincount(sus["chain"]) if sus.size else np.zeros(0, dtype=int)
    rules, counts = np.unique(findings["rule"], return_counts=True) if findings.size else ([], [])
    return {
        "n_voices": int(p.shape[1]),
        "n_onsets": int(p.shape[0]),
        "motion": motion,
        "motion_counts": totals,
        "melodic": melodic,
        "cost": cost,
        "common_tone_retention": common_tone_retention(g),
        "suspensions": int(sus.size),
        "suspension_chains": int(np.sum(chains >= 2)),
        "findings": {str(r): int(c) for r, c in zip(rules, counts)},
    }
