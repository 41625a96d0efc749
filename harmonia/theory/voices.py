"""Voice separation: give every note of an unlabelled texture (MIDI piano, chordified music) a voice.

Each track is separated on its own into ``n_voices`` voices, numbered from the top (0 = highest).
The notes starting together are matched to the voices that are free at that moment by the cheapest
order-preserving assignment (a dynamic programme over notes sorted from the top and voices sorted
from the top), where putting a note of pitch ``p`` into voice ``v`` costs

* ``|p - last(v)|``, the size of the melodic move from the voice's previous note (pitch proximity,
  the principle behind most voice-separation models; Huron 2001, doi:10.1525/mp.2001.19.1.1);
* plus ``register_weight * |p - centre(v)|``, a pull towards the voice's register (the pitch quantile
  of the track that the voice's rank stands for), which decides when a voice has no previous note;
* plus ``crossing_penalty`` for every voice still holding a note that the new note would cross.

Voices that hold a note can take no new one.  The minimal order-preserving match is the minimal
taxicab voice leading of :mod:`harmonia.theory.voiceleading` extended to voices that rest.

Examples
--------
>>> from harmonia.theory.notearray import make_note_array
>>> # two voices in contrary motion, written into one track
>>> n = make_note_array([0, 0, 1, 1, 2, 2], 1, [72, 60, 71, 62, 69, 64])
>>> separate_voices(n)["voice"].tolist()
[1, 0, 1, 0, 1, 0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from harmonia.theory.notearray import as_note_array

__all__ = ["separate_voices", "voice_accuracy"]


@njit(cache=True)
def _separate_kernel(onset, offset, pitch, n_voices, centre, register_weight, crossing_penalty):  # pragma: no cover
    """Voices for notes sorted by onset, then pitch descending."""
    n = onset.size
    out = np.empty(n, dtype=np.int16)
    last = np.full(n_voices, -1.0)
    held_until = np.full(n_voices, -np.inf)
    held_pitch = np.full(n_voices, -1.0)
    big = 1e12
    start = 0
    while start < n:
        stop = start
        while stop < n and onset[stop] == onset[start]:
            stop += 1
        t = onset[start]
        m = stop - start
        busy = np.zeros(n_voices, dtype=np.bool_)
        for v in range(n_voices):
            busy[v] = held_until[v] > t + 1e-9
        cost = np.empty((m, n_voices))
        for i in range(m):
            p = pitch[start + i]
            for v in range(n_voices):
                c = register_weight * abs(p - centre[v])
                if last[v] >= 0:
                    c += abs(p - last[v])
                if busy[v]:
                    c += big
                for u in range(n_voices):
                    if busy[u] and ((u < v and p > held_pitch[u]) or (u > v and p < held_pitch[u])):
                        c += crossing_penalty
                cost[i, v] = c
        if m <= n_voices:
            # dp[i, v]: notes 0..i placed, note i in voice v, voices strictly increasing
            dp = np.full((m, n_voices), np.inf)
            back = np.full((m, n_voices), -1, dtype=np.int64)
            for v in range(n_voices):
                dp[0, v] = cost[0, v]
            for i in range(1, m):
                best, arg = np.inf, -1
                for v in range(i, n_voices):
                    if dp[i - 1, v - 1] < best:
                        best, arg = dp[i - 1, v - 1], v - 1
                    dp[i, v] = best + cost[i, v]
                    back[i, v] = arg
            v = 0
            for w in range(n_voices):
                if dp[m - 1, w] < dp[m - 1, v]:
                    v = w
            for i in range(m - 1, -1, -1):
                out[start + i] = v
                v = back[i, v]
        else:  # more notes than voices: spread them by rank
            for i in range(m):
                out[start + i] = (i * n_voices) // m
        for i in range(m):
            v = out[start + i]
            last[v] = pitch[start + i]
            if offset[start + i] > held_until[v]:
                held_until[v] = offset[start + i]
                held_pitch[v] = pitch[start + i]
        start = stop
    return out


def _max_polyphony(onset: np.ndarray, offset: np.ndarray) -> int:
    """Most notes sounding at once (a note ending when another starts does not overlap it)."""
    times = np.concatenate((onset, offset))
    is_onset = np.concatenate((np.ones(onset.size, dtype=np.int64), np.zeros(offset.size, dtype=np.int64)))
    order = np.lexsort((is_onset, times))
    return int(np.max(np.cumsum(np.where(is_onset[order] == 1, 1, -1)), initial=0))


def separate_voices(
    notes: Any,
    *,
    n_voices: int | None = None,
    register_weight: float = 0.5,
    crossing_penalty: float = 12.0,
) -> np.ndarray:
    """Assign each note to a voice, track by track.

    Parameters
    ----------
    notes : note array or Score
        The music; existing ``voice`` labels are ignored.
    n_voices : int, optional
        Voices per track; by default the largest number of notes a track sounds at once.
    register_weight : float, default 0.5
        Weight of the pull towards each voice's register, against melodic proximity (weight 1).
    crossing_penalty : float, default 12.0
        Cost, in semitones of melodic motion, of crossing a voice that holds a note.

    Returns
    -------
    numpy.ndarray
        A note array (sorted) whose ``voice`` field numbers the voices of each track from the top.

    Raises
    ------
    ValueError
        If ``n_voices`` is not a positive integer.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> # a held bass under a moving upper voice, then a chord
    >>> n = make_note_array([0, 0, 1, 2, 2], [2, 1, 1, 1, 1], [48, 67, 69, 71, 50])
    >>> separate_voices(n)[["pitch", "voice"]].tolist()
    [(48, 1), (67, 0), (69, 0), (50, 1), (71, 0)]
    """
    if n_voices is not None and (not isinstance(n_voices, (int, np.integer)) or n_voices < 1):
        raise ValueError(f"n_voices must be a positive integer, got {n_voices!r}")
    arr = as_note_array(notes)
    out = arr.copy()
    for track in np.unique(arr["track"]):
        idx = np.flatnonzero(arr["track"] == track)
        sub = arr[idx]
        order = np.lexsort((-sub["pitch"].astype(np.int64), sub["onset"]))
        sub = sub[order]
        onset = sub["onset"].astype(float)
        offset = onset + sub["duration"]
        v_n = int(n_voices) if n_voices is not None else max(_max_polyphony(onset, offset), 1)
        pitch = sub["pitch"].astype(float)
        centre = np.quantile(pitch, 1.0 - (np.arange(v_n) + 0.5) / v_n) if v_n > 1 else np.array([np.median(pitch)])
        voices = _separate_kernel(onset, offset, pitch, v_n, centre, float(register_weight), float(crossing_penalty))
        out["voice"][idx[order]] = voices
    return out


def voice_accuracy(predicted: Any, truth: Any) -> float:
    """Share of notes whose voice matches the reference labels (both note arrays, same notes, same order).

    Examples
    --------
    >>> import numpy as np
    >>> voice_accuracy(np.array([0, 1, 1]), np.array([0, 1, 0]))
    0.6666666666666666
    """
    p, t = np.asarray(predicted), np.asarray(truth)
    if p.dtype.names is not None:
        p = p["voice"]
    if t.dtype.names is not None:
        t = t["voice"]
    if p.shape != t.shape:
        raise ValueError(f"predicted and reference labels differ in shape: {p.shape} vs {t.shape}")
    return float(np.mean(p == t)) if p.size else float("nan")
