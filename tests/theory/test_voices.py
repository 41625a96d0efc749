"""Tests of harmonia.theory.voices (voice separation)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from harmonia.theory.notearray import make_note_array
from harmonia.theory.voices import separate_voices, voice_accuracy
from tests.strategies import note_arrays


@given(note_arrays(max_size=30, tracks=2))
def test_voices_never_overlap_and_notes_are_kept(notes):
    out = separate_voices(notes)
    assert np.array_equal(np.sort(out["pitch"]), np.sort(notes["pitch"]))
    assert out.size == notes.size
    for track in np.unique(out["track"]):
        sub = out[out["track"] == track]
        assert sub["voice"].min() >= 0
        for v in np.unique(sub["voice"]):
            line = sub[sub["voice"] == v]
            line = line[np.argsort(line["onset"], kind="stable")]
            assert np.all(line["onset"][1:] >= line["onset"][:-1] + line["duration"][:-1] - 1e-9)


@given(note_arrays(max_size=30, tracks=1))
def test_fixed_voice_count_is_respected(notes):
    out = separate_voices(notes, n_voices=2)
    assert set(out["voice"].tolist()) <= {0, 1}


def test_monophony_is_one_voice_and_block_chords_go_by_rank():
    mono = make_note_array([0, 1, 2, 3], 1, [60, 72, 55, 67])
    assert separate_voices(mono)["voice"].tolist() == [0, 0, 0, 0]
    chords = make_note_array(np.repeat([0, 1, 2], 3), 1, [48, 64, 72, 50, 65, 74, 47, 62, 79])
    out = separate_voices(chords)
    assert out["voice"].tolist() == [2, 1, 0] * 3
    with pytest.raises(ValueError, match="positive integer"):
        separate_voices(chords, n_voices=0)


def test_crossing_lines_follow_pitch_proximity_when_a_voice_rests():
    # the upper voice rests at onset 1 while the lower continues; when both return, each keeps its register
    n = make_note_array([0, 0, 1, 2, 2], 1, [76, 60, 62, 77, 64])
    out = separate_voices(n, n_voices=2)
    assert out[["pitch", "voice"]].tolist() == [(60, 1), (76, 0), (62, 1), (64, 1), (77, 0)]


@pytest.mark.parametrize("name", ["bach/bwv66.6", "bach/bwv26.6"])
def test_chorale_voices_are_recovered(name):
    import harmonia

    score = harmonia.load(name)
    notes = score.notes.copy()
    truth = notes["track"].copy()
    notes["track"] = 0
    order = np.lexsort((notes["pitch"], notes["track"], notes["onset"]))
    out = separate_voices(notes[order], n_voices=4)
    assert voice_accuracy(out["voice"], truth[order]) > 0.9
    with pytest.raises(ValueError, match="differ in shape"):
        voice_accuracy(out["voice"], truth[:3])
