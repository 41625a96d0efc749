"""Salami slices: the score cut at every note onset and offset.

Between two consecutive boundaries nothing starts or stops, so each slice has one set of sounding
pitches.  Slices are what music21's ``chordify`` produces, but as arrays: per slice the start and end (in
quarter notes), the duration-weighted pitch-class content, the pitch classes attacked at its start, and the
lowest sounding pitch.  Harmonic analysis builds its chord spans out of slices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from harmonia.theory.notearray import as_note_array

__all__ = ["SLICE_DTYPE", "salami_slices"]

#: One row per slice; ``pc_weight`` is quarter notes of sounding per pitch class (voices add up),
#: ``attack_mask`` has bit k set when pitch class k starts at the slice's onset, ``bass`` is the lowest
#: sounding MIDI pitch (-1 for a rest), ``n_sounding`` the number of sounding notes.
SLICE_DTYPE = np.dtype(
    [
        ("start", "<f8"),
        ("end", "<f8"),
        ("pc_weight", "<f8", (12,)),
        ("attack_mask", "<u2"),
        ("bass", "<i2"),
        ("n_sounding", "<i2"),
    ]
)


@njit(cache=True)
def _slice_kernel(onset, offset, pitch, bounds):  # pragma: no cover - compiled
    n_b = bounds.size - 1
    weight = np.zeros((n_b, 12))
    attack = np.zeros(n_b, dtype=np.uint16)
    bass = np.full(n_b, -1, dtype=np.int16)
    count = np.zeros(n_b, dtype=np.int16)
    order = np.argsort(onset, kind="mergesort")
    for idx in range(order.size):
        i = order[idx]
        k0 = np.searchsorted(bounds, onset[i])
        pc = pitch[i] % 12
        attack[k0] |= np.uint16(1 << pc)
        k = k0
        while k < n_b and bounds[k] < offset[i] - 1e-12:
            weight[k, pc] += bounds[k + 1] - bounds[k]
            if bass[k] < 0 or pitch[i] < bass[k]:
                bass[k] = pitch[i]
            count[k] += 1
            k += 1
    return weight, attack, bass, count


def salami_slices(notes: Any, *, keep_rests: bool = False) -> np.ndarray:
    """Cut a score into slices at every note onset and offset.

    Parameters
    ----------
    notes : note array or Score
        The music (drum tracks should be removed first; every note counts as pitched).
    keep_rests : bool, default False
        Keep slices in which nothing sounds.

    Returns
    -------
    numpy.ndarray
        Rows of :data:`SLICE_DTYPE`, in time order.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> s = salami_slices(make_note_array([0.0, 0.0, 1.0], [2.0, 1.0, 1.0], [48, 64, 62]))
    >>> s[["start", "end", "bass"]].tolist()
    [(0.0, 1.0, 48), (1.0, 2.0, 48)]
    >>> s["pc_weight"][1].nonzero()[0].tolist()  # C and D sound in the second slice
    [0, 2]
    """
    arr = as_note_array(notes, sort=False)
    if arr.size == 0:
        return np.zeros(0, dtype=SLICE_DTYPE)
    onset = np.ascontiguousarray(arr["onset"])
    offset = onset + arr["duration"]
    bounds = np.unique(np.concatenate([onset, offset]))
    weight, attack, bass, count = _slice_kernel(onset, offset, arr["pitch"].astype(np.int64), bounds)
    out = np.empty(bounds.size - 1, dtype=SLICE_DTYPE)
    out["start"], out["end"] = bounds[:-1], bounds[1:]
    out["pc_weight"], out["attack_mask"], out["bass"], out["n_sounding"] = weight, attack, bass, count
    return out if keep_rests else out[count > 0]
