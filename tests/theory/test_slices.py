"""Salami slices agree with music21's chordify and conserve note time."""

from __future__ import annotations

import numpy as np
from hypothesis import given

import harmonia
from harmonia.theory.slices import salami_slices
from tests.strategies import note_arrays


@given(note_arrays())
def test_slices_conserve_sounding_time_and_tile_the_music(notes):
    s = salami_slices(notes)
    assert np.isclose(s["pc_weight"].sum(), notes["duration"].sum())
    assert np.all(s["end"] > s["start"]) and np.all(s["start"][1:] >= s["end"][:-1] - 1e-12)
    for row in s:
        sounding = notes[(notes["onset"] <= row["start"]) & (notes["onset"] + notes["duration"] >= row["end"])]
        assert row["bass"] == sounding["pitch"].min() and row["n_sounding"] == sounding.size


def test_slices_match_music21_chordify():
    from music21 import corpus

    chords = corpus.parse("bach/bwv66.6").chordify().flatten().notes
    expected = [
        (float(c.offset), sorted({p.pitchClass for p in c.pitches}), min(p.midi for p in c.pitches)) for c in chords
    ]
    s = salami_slices(harmonia.load("bach/bwv66.6"))
    got = [(float(r["start"]), np.flatnonzero(r["pc_weight"]).tolist(), int(r["bass"])) for r in s]
    assert got == expected
