"""Pitch spelling: properties, the reference twin, real chorales, MIDI loading, and is_enharmonic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import harmonia
from harmonia.symbolic import Score, Track
from harmonia.theory import interval, pitch
from harmonia.theory.notearray import NO_SPELLING, as_note_array, make_note_array
from harmonia.theory.spelling import spell_notes, spell_pitches
from tests.reference.spelling_reference import global_collection, spell_reference
from tests.strategies import fifths, note_arrays


def _sorted_columns(notes):
    n = notes[np.lexsort((notes["pitch"], notes["onset"]))]
    return n, n["onset"], n["duration"], n["pitch"].astype(int), n["track"].astype(int)


# -- properties ------------------------------------------------------------------------------------------
@given(note_arrays(max_size=60))
def test_spelling_never_changes_the_pitch_class(notes):
    sp = spell_notes(notes)["spelling"].astype(int)
    assert np.all((7 * sp) % 12 == notes["pitch"] % 12)
    assert np.all((sp >= -15) & (sp <= 19))  # never beyond double flats / double sharps


@given(note_arrays(max_size=30))
def test_kernel_agrees_with_the_reference(notes):
    _, on, dur, p, tr = _sorted_columns(notes)
    got = spell_pitches(p, on, duration_qn=dur, stream=tr)
    assert got.tolist() == spell_reference(on.tolist(), dur.tolist(), p.tolist(), tr.tolist())


@given(note_arrays(max_size=40), st.integers(-11, 11))
def test_transposition_shifts_every_spelling_by_the_interval(notes, semitones):
    """Exact statement: if the global collection is not tied, transposing by ``semitones`` (read as any
    spelled interval of ``k`` fifths) moves every spelling by the same ``k + 12 m``; ``m`` is 0 whenever the
    transposed global collection ``g + k`` stays within -6 ... 5."""
    moved = notes["pitch"].astype(int) + semitones
    assume(moved.min() >= 0 and moved.max() <= 127)
    hist: dict[int, float] = {}
    for p, w in zip(notes["pitch"].tolist(), notes["duration"].tolist()):
        hist[p % 12] = hist.get(p % 12, 0.0) + w
    g, tied = global_collection(hist)
    assume(not tied)
    t = notes.copy()
    t["pitch"] = moved
    before = spell_notes(notes)
    after = spell_notes(t)
    diff = after["spelling"].astype(int) - before["spelling"].astype(int)
    k = (7 * semitones + 5) % 12 - 5  # the interval's fifths, taken in -5 ... 6
    assert len(set(diff.tolist())) == 1
    assert (diff[0] - k) % 12 == 0
    if -6 <= g + k <= 5:
        assert diff[0] == k


SCALES = {  # semitones and line-of-fifths steps above the tonic, up and down
    "major": ([0, 2, 4, 5, 7, 9, 11, 12], [0, 2, 4, -1, 1, 3, 5, 0]),
    "natural minor": ([0, 2, 3, 5, 7, 8, 10, 12], [0, 2, -3, -1, 1, -4, -2, 0]),
    "harmonic minor": ([0, 2, 3, 5, 7, 8, 11, 12], [0, 2, -3, -1, 1, -4, 5, 0]),
}


@given(st.integers(-6, 5), st.sampled_from(sorted(SCALES)), st.integers(3, 5), st.sampled_from([0.5, 1.0, 2.0]))
def test_diatonic_scales_are_spelled_exactly(key_signature, scale, octave, step_qn):
    """Every key whose signature lies within 6 flats ... 5 sharps (F# major reads as Gb major)."""
    semis, steps = SCALES[scale]
    tonic = key_signature if scale == "major" else key_signature + 3  # relative minor
    base = 12 * (octave + 1) + pitch.fifths_to_pc(tonic)
    up = [base + s for s in semis]
    p = up + up[-2::-1]
    f = [tonic + s for s in steps]
    expected = f + f[-2::-1]
    got = spell_pitches(p, np.arange(len(p)) * step_qn, duration_qn=step_qn)
    assert got.tolist() == expected


def test_input_order_does_not_matter():
    p = [60, 63, 67, 66, 62, 68, 67]
    on = [0, 0, 0, 1, 1, 2, 3]
    perm = [3, 0, 6, 2, 5, 1, 4]
    a = spell_pitches(p, on)
    b = spell_pitches(np.take(p, perm), np.take(on, perm))
    assert b.tolist() == a[perm].tolist()


def test_chromatic_notes_follow_their_resolution():
    # C major context; G# rises to A (V/vi), Ab falls to G (iv)
    ctx_p, ctx_on = [60, 64, 67, 65, 69, 72, 67, 71, 74], [0, 0, 0, 1, 1, 1, 2, 2, 2]
    up = spell_pitches([*ctx_p, 68, 69], [*ctx_on, 3, 4])
    down = spell_pitches([*ctx_p, 68, 67], [*ctx_on, 3, 4])
    assert pitch.fifths_to_name(up[-2]) == "G#" and pitch.fifths_to_name(down[-2]) == "Ab"


def test_edge_cases_and_errors():
    assert spell_pitches([], []).dtype == np.int8 and spell_pitches([], []).size == 0
    assert spell_pitches([61], [0.0]).tolist() == [7]  # C# alone: the A major / D major side
    with pytest.raises(ValueError, match="onset_qn has 1"):
        spell_pitches([60, 62], [0.0])
    with pytest.raises(ValueError, match="0-127"):
        spell_pitches([128], [0.0])
    with pytest.raises(ValueError, match="finite"):
        spell_pitches([60], [np.nan])
    with pytest.raises(ValueError, match="window_qn"):
        spell_pitches([60], [0.0], window_qn=0)


def test_drum_tracks_stay_unspelled():
    notes = make_note_array([0, 0, 1], 1.0, [36, 64, 66], track=[1, 0, 0])
    out = spell_notes(notes, drum_tracks=[1])
    assert out["spelling"][out["track"] == 1].tolist() == [NO_SPELLING]
    assert out["spelling"][out["track"] == 0].tolist() == [4, 6]
    score = Score(notes, tracks=[Track("Piano"), Track("Drums", is_drum=True)])
    assert spell_notes(score)["spelling"].tolist() == out["spelling"].tolist()  # drum flags read from a Score


# -- real music --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("work", "minimum"), [("bach/bwv66.6", 0.99), ("bach/bwv179.6", 0.98)])
def test_chorales_get_their_notated_spellings(work, minimum):
    score = harmonia.load(work)
    truth = as_note_array(score.notes)["spelling"]
    got = score.respell().notes["spelling"]
    assert np.mean(got == truth) >= minimum


def test_midi_loading_spells_by_default(tmp_path):
    score = harmonia.load("bach/bwv179.6")
    path = tmp_path / "chorale.mid"
    score.to_midi(path)
    truth = score.notes[np.lexsort((score.notes["pitch"], score.notes["track"], score.notes["onset"]))]
    back = harmonia.load(path).notes  # load -> load_midi(spell=True)
    back = back[np.lexsort((back["pitch"], back["track"], back["onset"]))]
    assert back["pitch"].tolist() == truth["pitch"].tolist()
    assert np.mean(back["spelling"] == truth["spelling"]) >= 0.98
    assert np.all(harmonia.load(path, spell=False).notes["spelling"] == NO_SPELLING)


def test_midi_drum_tracks_are_not_spelled(tmp_path):
    notes = make_note_array([0, 0, 1, 1], 1.0, [36, 60, 42, 64], track=[0, 1, 0, 1])
    score = Score(notes, tracks=[Track("Drums", is_drum=True), Track("Piano")])
    path = tmp_path / "drums.mid"
    score.to_midi(path)
    back = harmonia.load(path)
    drums = [i for i, t in enumerate(back.tracks) if t.is_drum]
    assert drums and np.all(back.notes["spelling"][np.isin(back.notes["track"], drums)] == NO_SPELLING)
    assert back.notes["spelling"][~np.isin(back.notes["track"], drums)].tolist() == [0, 4]


# -- is_enharmonic ---------------------------------------------------------------------------------------
@given(fifths, st.integers(-2, 2), st.integers(1, 11))
def test_pitches_twelve_fifths_apart_are_enharmonic(f, k, other):
    assert pitch.is_enharmonic(f, f + 12 * k)
    g = f if f <= 7 else f - 12  # names up to double sharps
    assert pitch.is_enharmonic(pitch.fifths_to_name(g), pitch.fifths_to_name(g + 12))
    assert not pitch.is_enharmonic(f, f + other)


@given(fifths, st.integers(40, 80))
def test_spelled_pitches_with_octaves_compare_midi_numbers(f, midi):
    midi = midi - (midi - pitch.fifths_to_pc(f)) % 12  # a MIDI number of f's pitch class
    a = pitch.pitch_name(midi, f)
    assert pitch.is_enharmonic(a, pitch.pitch_name(midi, f + 12))
    assert not pitch.is_enharmonic(a, pitch.pitch_name(midi + 12, f))


@given(st.integers(-6, 6), st.integers(0, 2), st.integers(1, 11))
def test_intervals_twelve_fifths_apart_are_enharmonic(f, octaves, other):
    semis = (7 * f) % 12 + 12 * octaves
    a = interval.Interval(f, semis)
    assert interval.is_enharmonic(a, interval.Interval(f + 12, semis))
    assert interval.is_enharmonic(interval.format_interval(a), interval.format_interval((f - 12, semis)))
    assert interval.is_enharmonic(-a, interval.Interval(-f - 12, -semis))
    assert not interval.is_enharmonic(a, -a) or semis == 0
    assert not interval.is_enharmonic(a, interval.Interval(f + other, semis + 7 * other))


def test_inconsistent_interval_pairs_are_refused():
    with pytest.raises(ValueError, match="cannot span"):
        interval.is_enharmonic((4, 5), "M3")
