"""The note-array input gate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from harmonia.errors import InvalidScoreError
from harmonia.theory.notearray import NOTE_DTYPE, as_note_array, make_note_array
from tests.strategies import note_arrays


@given(note_arrays())
def test_as_note_array_is_idempotent_and_sorted(notes):
    once = as_note_array(notes)
    assert once.dtype == NOTE_DTYPE
    assert as_note_array(once).tolist() == once.tolist()
    keys = list(zip(once["onset"], once["track"], once["pitch"]))
    assert keys == sorted(keys)
    assert once is not notes


def test_accepts_records_mappings_and_foreign_structured_arrays():
    from_tuples = as_note_array([(1.0, 1.0, 62), (0.0, 2.0, 60, 90, 1, 0, 0)])
    assert from_tuples[["onset", "pitch", "velocity", "track", "spelling"]].tolist() == [
        (0.0, 60, 90, 1, 0),
        (1.0, 62, 80, 0, -128),
    ]
    foreign = np.array([(0.5, 0.5, 64, 1.0)], dtype=[("onset", "f4"), ("duration", "f4"), ("pitch", "i8"), ("x", "f8")])
    assert as_note_array(foreign)[["onset", "pitch", "voice"]].tolist() == [(0.5, 64, -1)]

    class HasNotes:
        notes = make_note_array([0.0], [1.0], [60])

    assert as_note_array(HasNotes())["pitch"].tolist() == [60]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([(0.0, -1.0, 60)], "note 0 .* duration -1 qn; durations must be > 0"),
        ([(0.0, 1.0, 60), (float("nan"), 1.0, 60)], "note 1 has a non-finite onset"),
        ([(0.0, 1.0, 130)], "note 0 has pitch 130; pitches must lie in"),
        ([{"onset": 0, "duration": 1, "pitch": 60, "loudness": 3}], "unknown field"),
        ([(0.0, 1.0)], "expected 3 to 7 values"),
        (np.zeros(2, dtype=[("onset", "f8"), ("pitch", "i2")]), r"lacks field\(s\) \['duration'\]"),
    ],
)
def test_bad_notes_are_refused_with_the_index(bad, message):
    with pytest.raises(InvalidScoreError, match=message):
        as_note_array(bad)


def test_wrong_types():
    with pytest.raises(TypeError, match="got int"):
        as_note_array(3)
    with pytest.raises(TypeError, match="structured note array"):
        as_note_array(np.zeros(3))
    with pytest.raises(InvalidScoreError, match="must hold integers"):
        make_note_array([0.0], [1.0], [60.5])
