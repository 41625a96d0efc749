"""Hypothesis strategies shared by the whole test suite (import them; never redefine them)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from harmonia.theory.notearray import make_note_array
from harmonia.theory.pitch import fifths_to_pc

__all__ = ["grid_onsets", "note_arrays", "spelled_note_arrays", "fifths", "time_signatures"]

#: Line-of-fifths positions from Fbb to B## (double flats to double sharps).
fifths = st.integers(min_value=-15, max_value=19)

time_signatures = st.sampled_from([(2, 4), (3, 4), (4, 4), (5, 4), (6, 8), (9, 8), (12, 8), (2, 2), (3, 8), (7, 8)])


def grid_onsets(resolution: int = 4, max_qn: float = 64.0) -> st.SearchStrategy[float]:
    """Onsets on a grid of ``1/resolution`` quarter notes."""
    return st.integers(0, int(max_qn * resolution)).map(lambda k: k / resolution)


@st.composite
def note_arrays(draw, *, min_size: int = 1, max_size: int = 40, resolution: int = 4, tracks: int = 3):
    """Note arrays on a grid (exactly representable in MIDI ticks), unknown spelling."""
    n = draw(st.integers(min_size, max_size))
    onset = draw(st.lists(grid_onsets(resolution), min_size=n, max_size=n))
    dur = draw(st.lists(st.integers(1, 8 * resolution).map(lambda k: k / resolution), min_size=n, max_size=n))
    pitch = draw(st.lists(st.integers(21, 108), min_size=n, max_size=n))
    vel = draw(st.lists(st.integers(1, 127), min_size=n, max_size=n))
    track = draw(st.lists(st.integers(0, tracks - 1), min_size=n, max_size=n))
    return make_note_array(onset, dur, pitch, velocity=vel, track=track)


@st.composite
def spelled_note_arrays(draw, **kwargs):
    """Note arrays whose every note carries a spelling consistent with its pitch."""
    notes = draw(note_arrays(**kwargs))
    spell = np.array(draw(st.lists(fifths, min_size=notes.size, max_size=notes.size)), dtype=np.int64)
    # move each pitch to the nearest MIDI number with the spelling's pitch class
    pcs = fifths_to_pc(spell)
    delta = (pcs - notes["pitch"] % 12 + 6) % 12 - 6
    pitch = np.clip(notes["pitch"] + delta, 0, 127)
    pitch = np.where(pitch % 12 != pcs, pitch + np.where(pitch > 64, -12, 12), pitch)
    notes["pitch"] = pitch
    notes["spelling"] = spell
    return notes
