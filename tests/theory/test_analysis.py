"""Harmonic analysis of constructed progressions and of a Bach chorale with an expert analysis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonia.theory.analysis import analyze_notes
from harmonia.theory.notearray import make_note_array

# four-voice block chords (bass, tenor, alto, soprano), MIDI pitches, in C major unless said
I = (48, 64, 67, 72)  # noqa: E741 - Roman numerals name the chords
IV = (53, 65, 69, 72)
V7 = (43, 65, 71, 74)
V = (43, 62, 67, 71)
ii6 = (53, 62, 69, 74)
vi = (45, 64, 69, 72)
V7_of_V = (50, 66, 69, 72)


def _progression(chords, dur=1.0, transpose=0):
    on = [dur * i for i, c in enumerate(chords) for _ in c]
    voices = [v for c in chords for v in range(len(c))]
    pitch = [p + transpose for c in chords for p in c]
    return make_note_array(on, dur, pitch, track=voices)


def _numerals(result):
    return result["chords"]["numeral"].tolist()


def test_authentic_cadence():
    r = analyze_notes(_progression([I, IV, V7, I]))
    assert _numerals(r) == ["I", "IV", "V7", "I"]
    assert r["chords"]["function"].tolist() == ["T", "S", "D", "T"]
    assert r["cadences"][["onset", "type", "bass_motion", "soprano_degree"]].tolist() == [(3.0, "PAC", "5-1", 1)]
    assert r["keys"][["tonic_fifths", "mode"]].tolist() == [(0, 0)]


@pytest.mark.parametrize(
    ("chords", "fermata", "expected"),
    [
        ([I, IV, I, ii6, V], 4.0, "HC"),
        ([I, IV, V7, vi], 3.0, "DC"),
        ([I, V, I, IV, I], 4.0, "PC"),
    ],
)
def test_cadence_types_at_fermatas(chords, fermata, expected):
    r = analyze_notes(_progression(chords), fermatas_qn=[fermata])
    assert r["cadences"]["type"].tolist() == [expected]
    assert r["cadences"]["evidence"].tolist() == ["fermata"]


def test_phrygian_half_cadence_in_minor():
    i, iv6, V_ = (45, 60, 64, 69), (41, 62, 65, 69), (40, 64, 68, 71)  # a minor: i, iv6, V
    r = analyze_notes(_progression([i, V_, i, iv6, V_]), fermatas_qn=[4.0])
    assert r["keys"][["tonic_fifths", "mode"]].tolist() == [(3, 1)]
    assert r["cadences"]["type"].tolist() == ["PHC"]


def test_tonicization_is_an_applied_chord_not_a_modulation():
    r = analyze_notes(_progression([I, IV, I, V7_of_V, V, I, IV, V7, I]))
    assert r["keys"].size == 1
    assert "V7/V" in _numerals(r)


def test_modulation_to_the_dominant():
    # C: I IV V7 I | G: I(=C:V) IV(=C) V7 I  with F sharps: a cadence in G
    g_v7 = (50, 66, 72, 74)
    g_i = (43, 62, 67, 71)
    music = [I, IV, V7, I, I, g_i, (48, 64, 67, 72), g_v7, g_i, (40, 64, 67, 71), (48, 64, 69, 72), g_v7, g_i, g_i]
    r = analyze_notes(_progression(music))
    keys = r["keys"][["tonic_fifths", "mode"]].tolist()
    assert keys[0] == (0, 0) and keys[-1] == (1, 0)


@settings(max_examples=12, deadline=None)
@given(st.integers(-6, 5))
def test_analysis_is_transposition_invariant(k):
    base = analyze_notes(_progression([I, IV, ii6, V7, I, vi, V7_of_V, V, I]))
    moved = analyze_notes(_progression([I, IV, ii6, V7, I, vi, V7_of_V, V, I], transpose=k))
    assert _numerals(moved) == _numerals(base)
    assert ((moved["keys"]["tonic_fifths"] * 7 - base["keys"]["tonic_fifths"] * 7) % 12 == k % 12).all()
    assert moved["cadences"]["type"].tolist() == base["cadences"]["type"].tolist()


def test_harmonic_rhythm_counts_changes_per_bar():
    r = analyze_notes(_progression([I, IV, V7, I, I, vi, ii6, V]))
    hr = r["harmonic_rhythm"]
    assert hr["n_changes"].tolist() == [4, 3]  # I IV V7 I | (I held) vi ii6 V
    assert hr["on_downbeat"].tolist() == [True, False]
    assert np.allclose(hr["changes_per_beat"], [1.0, 0.75])


def test_passing_and_neighbour_tones():
    notes = _progression([I, I], dur=2.0)
    # soprano C5 - D5 (passing) - E5 over C major; alto G4 - A4 (neighbour) - G4, the dissonances in eighths
    onset, duration = [0.0, 1.5, 2.0, 0.0, 0.5, 1.0], [1.5, 0.5, 2.0, 0.5, 0.5, 3.0]
    extra = make_note_array(onset, duration, [72, 74, 76, 67, 69, 67], track=[3, 3, 3, 2, 2, 2])
    notes = notes[notes["track"] < 2]
    r = analyze_notes(np.concatenate([notes, extra]))
    types = dict(zip(r["nonchord_tones"]["pitch"].tolist(), r["nonchord_tones"]["type"].tolist()))
    assert types == {74: "passing", 69: "neighbour"}


def test_empty_input():
    r = analyze_notes(make_note_array([], [], []))
    assert all(table.size == 0 for table in r.values())


def test_chorale_against_the_expert_analysis():
    """BWV 269 with Riemenschneider 001 (music21's corpus): realized chords and keys per beat."""
    from music21 import converter, corpus

    import harmonia

    score = harmonia.load("bach/bwv269")
    expert = converter.parse(
        str(corpus.getWork("bach/choraleAnalyses/riemenschneider001.rntxt")), format="romantext"
    )
    analysis = harmonia.analyze(score)
    chords = analysis.chords
    ok_chord = ok_key = n = 0
    for rn in expert.flatten().getElementsByClass("RomanNumeral"):
        on = score.bar_beat_to_qn(rn.measureNumber, float(rn.beat))
        k = int(np.searchsorted(chords["onset"], on + 1e-9, side="right") - 1)
        pcs = sum(1 << p.pitchClass for p in rn.pitches)
        ok_chord += chords["pc_mask"][k] == pcs and chords["bass_pc"][k] == rn.bass().pitchClass
        ok_key += (chords["key_tonic_fifths"][k] * 7) % 12 == rn.key.tonic.pitchClass
        n += 1
    assert ok_chord / n >= 0.85 and ok_key / n >= 0.9
    assert analysis.global_key == "G"
    assert analysis.cadences.size >= 5


def test_picardy_third_ends_a_minor_piece():
    i, iv, V_, I_ = (45, 60, 64, 69), (50, 62, 65, 69), (40, 64, 68, 71), (45, 61, 64, 69)  # a: i iv V I(picardy)
    r = analyze_notes(_progression([i, iv, V_, i, iv, V_, I_]))
    assert r["chords"]["numeral"].tolist()[-1] == "I"
    assert r["keys"][["tonic_fifths", "mode"]].tolist()[-1] == (3, 1)
    assert r["cadences"]["type"].tolist()[-1] == "PAC"


def _song(chords, reps, bar_qn=4.0):
    """Block chords of one bar each (tuples of MIDI pitches, the bass first), the progression ``reps`` times."""
    bars = [c for _ in range(reps) for c in chords]
    on, dur, pitch = [], [], []
    for b, c in enumerate(bars):
        for p in c:
            on.append(b * bar_qn)
            dur.append(bar_qn)
            pitch.append(p)
    return make_note_array(on, dur, pitch)


def _key_names(result):
    from harmonia.theory.pitch import fifths_to_pc

    return {(fifths_to_pc(int(k["tonic_fifths"])), int(k["mode"])) for k in result["keys"]}


def test_twelve_bar_blues_of_dominant_sevenths_is_in_the_tonic():
    # C7 C7 C7 C7 F7 F7 C7 C7 G7 F7 C7 C7 (then C): each C7 would be V7 of F in common-practice harmony
    c7, f7, g7 = (36, 64, 67, 70, 72), (41, 65, 69, 72, 75), (43, 65, 67, 71, 74)
    blues = [c7, c7, c7, c7, f7, f7, c7, c7, g7, f7, c7, c7]
    result = analyze_notes(np.concatenate([_song(blues, 4), make_note_array([192.0] * 4, 4.0, [36, 64, 67, 72])]))
    assert int(result["global_key"]["tonic_fifths"][0]) == 0 and int(result["global_key"]["mode"][0]) == 0
    assert _key_names(result) == {(0, 0)}
    assert result["chords"]["numeral"][0] == "V7/IV"  # the chord keeps its name; only the key evidence changes


def test_dorian_loop_is_in_its_minor_tonic():
    # Dm - G, two bars each, repeated: a dorian i-IV loop, not ii-V in C major
    dm, g = (38, 62, 65, 69), (43, 62, 67, 71)
    result = analyze_notes(_song([dm, dm, g, g], 8))
    assert _key_names(result) == {(2, 1)}
    assert _numerals(result)[:2] == ["i", "IV"]


def test_one_chord_vamp_with_a_low_fifth_in_the_bass_is_in_its_root():
    # ten bars of F#m7(9) (A E G# F#) over a bass that holds F# and dips to the C# below it on the off-beats
    # (root - low fifth - root): each half bar's lowest note is C#, but the bass sounds F# most of the time,
    # so the vamp is in f# minor (i7), not c# minor (iv7)
    on, dur, pitch = [], [], []
    for b in range(10):
        t = 4.0 * b
        for p in (57, 64, 68, 78):
            on.append(t), dur.append(3.9), pitch.append(p)
        for o, d, p in ((0.0, 1.4, 42), (1.75, 0.66, 37), (2.5, 1.4, 42)):
            on.append(t + o), dur.append(d), pitch.append(p)
    result = analyze_notes(make_note_array(on, dur, pitch))
    from harmonia.theory.pitch import fifths_to_pc

    home = result["global_key"][0]
    assert (fifths_to_pc(int(home["tonic_fifths"])), int(home["mode"])) == (6, 1)
    assert _key_names(result) == {(6, 1)}
