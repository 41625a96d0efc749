"""Phrase boundaries: LBDM properties and planted phrases."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from harmonia.theory.notearray import make_note_array
from harmonia.theory.phrase import lbdm, melody_line, phrase_starts

melodies = st.lists(st.tuples(st.integers(1, 8), st.integers(55, 80)), min_size=3, max_size=40)


def _line(m, shift=0.0, transpose=0):
    dur = np.array([d / 2 for d, _ in m])
    on = np.concatenate([[0.0], np.cumsum(dur)[:-1]]) + shift
    return make_note_array(on, dur, [p + transpose for _, p in m])


@given(melodies, st.integers(-12, 12), st.integers(0, 16))
def test_boundaries_ignore_transposition_and_time_shift(m, k, shift):
    assert phrase_starts(_line(m)).tolist() == phrase_starts(_line(m, shift=shift, transpose=k)).tolist()


@given(melodies)
def test_strengths_are_bounded(m):
    line = _line(m)
    s = lbdm(line["onset"], line["duration"], line["pitch"])
    assert s.shape == (line.size - 1,) and np.all(s >= 0) and np.all(s <= 1 + 1e-12)


def test_planted_phrases_after_rests():
    phrase = [(60, 1.0), (62, 1.0), (64, 1.0), (65, 1.0), (67, 2.0)]
    rows, t = [], 0.0
    for _ in range(4):
        for p, d in phrase:
            rows.append((t, d, p))
            t += d
        t += 2.0  # a rest ends each phrase
    notes = make_note_array(*zip(*rows))
    assert phrase_starts(notes).tolist() == [0, 5, 10, 15]


def test_melody_line_takes_the_top_voice():
    notes = make_note_array([0, 0, 1, 1], [1, 1, 1, 1], [60, 72, 62, 71])
    assert melody_line(notes)["pitch"].tolist() == [72, 71]
