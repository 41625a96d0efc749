"""Chord segmentation on constructed progressions."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from harmonia.theory.notearray import TIME_SIGNATURE_DTYPE, make_note_array
from harmonia.theory.segment import default_vocabulary, segment_chords
from harmonia.theory.slices import salami_slices
from harmonia.theory.timemap import bar_table, metric_level

NAMES = default_vocabulary().names


def _block(chords, dur=1.0, transpose=0):
    """Block chords (tuples of MIDI pitches), one per ``dur`` quarter notes."""
    on = [dur * i for i, c in enumerate(chords) for _ in c]
    return make_note_array(on, dur, [p + transpose for c in chords for p in c])


def _segment(notes):
    s = salami_slices(notes)
    bars = bar_table(np.array([(0.0, 4, 4)], dtype=TIME_SIGNATURE_DTYPE), until_qn=float(s["end"].max()))
    return segment_chords(s, strength=metric_level(s["start"], bars))


def _labels(seg):
    return [(int(r["root_pc"]), NAMES[r["quality"]], int(r["bass_pc"])) for r in seg]


PROGRESSION = [(48, 64, 67, 72), (53, 65, 69, 72), (55, 65, 67, 71), (48, 64, 67, 72)]  # I IV V7 I in C


def test_block_chords():
    assert _labels(_segment(_block(PROGRESSION))) == [(0, "maj", 0), (5, "maj", 5), (7, "dom7", 7), (0, "maj", 0)]


def test_passing_tone_does_not_make_a_new_chord():
    notes = _block([(48, 64, 67, 72), (55, 62, 67, 71)], dur=2.0)
    # the alto walks E-F-G in eighths over C major: F is a passing tone
    extra = make_note_array([0.0, 0.5, 1.0], 0.5, [64, 65, 67], track=1)
    notes = np.concatenate([notes[notes["pitch"] != 64], extra])
    assert _labels(_segment(notes))[0] == (0, "maj", 0)


def test_inversion_change_on_a_beat_splits_the_span():
    notes = make_note_array([0.0, 0.0, 0.0, 1.0], [2.0, 2.0, 1.0, 1.0], [64, 67, 48, 52])  # C major, bass C then E
    assert _labels(_segment(notes)) == [(0, "maj", 0), (0, "maj", 4)]


def test_missing_fifth_and_seventh_chords():
    notes = _block([(43, 59, 65, 71), (48, 60, 64, 72)], dur=2.0)  # G7 without D, then C
    assert _labels(_segment(notes)) == [(7, "dom7", 7), (0, "maj", 0)]


def test_altered_fifth_must_sound():
    # G Bb F with the ninth A and no fifth: a Gm9 voicing, a minor seventh (a half-diminished seventh needs
    # its diminished fifth Db); with Db sounding it is half-diminished
    assert _labels(_segment(_block([(43, 58, 65, 69)], dur=4.0)))[0][:2] == (7, "min7")
    assert _labels(_segment(_block([(43, 58, 61, 65)], dur=4.0)))[0][:2] == (7, "hdim7")


@given(st.integers(-5, 6))
def test_transposition_invariance(k):
    base = _segment(_block(PROGRESSION))
    moved = _segment(_block(PROGRESSION, transpose=k))
    assert [(r, q) for r, q, _ in _labels(moved)] == [((r + k) % 12, q) for r, q, _ in _labels(base)]
    assert moved["onset"].tolist() == base["onset"].tolist()
