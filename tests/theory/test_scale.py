"""Scales and modes: spellings, degrees, masks, detection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.theory.notearray import make_note_array
from harmonia.theory.pitch import fifths_to_name, fifths_to_pc
from harmonia.theory.scale import SCALES, estimate_scale, scale_degree, scale_fifths, scale_mask, scale_pcs

SIZES = {"major pentatonic": 5, "minor pentatonic": 5, "blues": 6, "whole-tone": 6, "octatonic half-whole": 8,
         "octatonic whole-half": 8, "chromatic": 12}


@pytest.mark.parametrize("name", sorted(SCALES))
def test_scales_have_distinct_pitch_classes_and_letters(name):
    f = scale_fifths(0, name)
    assert len(set(fifths_to_pc(x) for x in f)) == len(f) == SIZES.get(name, 7)
    if len(f) == 7:
        assert len({fifths_to_name(x)[0] for x in f}) == 7  # one of each letter


def test_spellings():
    assert [fifths_to_name(f) for f in scale_fifths("F#", "major")] == ["F#", "G#", "A#", "B", "C#", "D#", "E#"]
    assert [fifths_to_name(f) for f in scale_fifths("C", "locrian")] == ["C", "Db", "Eb", "F", "Gb", "Ab", "Bb"]
    assert scale_pcs("C", "whole-tone") == [0, 2, 4, 6, 8, 10]


@given(st.sampled_from(sorted(SCALES)), st.integers(0, 11), st.integers(0, 11))
def test_masks_rotate_with_the_tonic(name, t, k):
    assert (np.roll(scale_mask(name, t), k) == scale_mask(name, (t + k) % 12)).all()


def test_degrees():
    assert [scale_degree(n, "C") for n in ("C", "Eb", "F#", "Bb", "B")] == ["1", "b3", "#4", "b7", "7"]
    assert scale_degree("D#", "E", "harmonic minor") == "7"


@pytest.mark.parametrize(
    ("pitches", "tonic", "name"),
    [
        ([62, 64, 65, 67, 69, 71, 72, 74, 72, 71, 69, 67, 65, 64, 62], "D", "dorian"),
        ([57, 59, 60, 62, 64, 65, 68, 69, 68, 65, 64, 62, 60, 59, 57], "A", "harmonic minor"),
        ([60, 62, 64, 67, 69, 72, 69, 67, 64, 62, 60], "C", "major pentatonic"),
        ([60, 62, 64, 65, 67, 69, 71, 72, 71, 67, 65, 64, 62, 60], "C", "major"),
        ([60, 62, 64, 66, 68, 70, 72, 70, 68, 66, 64, 62, 60], "C", "whole-tone"),
    ],
)
def test_scale_detection(pitches, tonic, name):
    best = estimate_scale(make_note_array(range(len(pitches)), 1.0, pitches))[0]
    assert best[:2] == (tonic, name)


@given(st.integers(-6, 5))
def test_detection_is_transposition_invariant(k):
    tune = [62, 64, 65, 67, 69, 71, 72, 74, 72, 71, 69, 67, 65, 64, 62]
    a = estimate_scale(make_note_array(range(15), 1.0, tune))[0]
    b = estimate_scale(make_note_array(range(15), 1.0, [p + k for p in tune]))[0]
    assert a[1] == b[1] and np.isclose(a[2], b[2])
