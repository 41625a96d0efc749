"""The Score model: maps, position conversions, slicing, track selection, transposition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.errors import InvalidScoreError, InvalidTempoError
from harmonia.symbolic import Score, Track, load
from harmonia.theory.pitch import fifths_to_pc
from tests.strategies import spelled_note_arrays, time_signatures

tempo_maps = st.lists(
    st.tuples(st.integers(1, 200).map(lambda k: k / 4), st.floats(20, 300)), max_size=5
).map(lambda rows: [(0.0, 100.0), *sorted(dict(rows).items())])


@given(tempo_maps, st.lists(st.floats(0, 500), min_size=1, max_size=20))
def test_seconds_and_quarters_are_inverse(tempos, qn):
    s = Score([(0.0, 1.0, 60)], tempos=tempos)
    back = s.sec_to_qn(s.qn_to_sec(np.array(qn)))
    np.testing.assert_allclose(back, qn, rtol=1e-9, atol=1e-9)
    assert np.all(np.diff(s.qn_to_sec(np.sort(qn))) >= -1e-12)


@given(
    st.lists(time_signatures, min_size=1, max_size=3),
    st.integers(0, 3),
    st.lists(st.integers(0, 400).map(lambda k: k / 8), min_size=1, max_size=20),
)
def test_bar_beat_round_trip(sigs, pickup_beats, qn):
    # time signatures change at bar lines: place each change after two full bars of the previous one
    rows, t = [], 0.0
    pickup = 0.0
    for k, (num, den) in enumerate(sigs):
        if k == 0:
            pickup = min(pickup_beats, num - 1) * 4.0 / den
            rows.append((0.0, num, den))
            t = pickup + 2 * num * 4.0 / den
        else:
            rows.append((t, num, den))
            t += 2 * num * 4.0 / den
    s = Score([(0.0, 100.0, 60)], time_signatures=rows, pickup_qn=pickup)
    bar, beat = s.qn_to_bar_beat(np.array(qn))
    assert np.all(beat >= 1.0 - 1e-9)
    np.testing.assert_allclose(s.bar_beat_to_qn(bar, beat), qn, atol=1e-9)
    assert np.all(bar[np.array(qn) >= pickup] >= 1) and np.all(bar[np.array(qn) < pickup] == 0)


@pytest.mark.parametrize("work", ["bach/bwv66.6", "bach/bwv269", "bach/bwv433"])
def test_bar_and_beat_agree_with_music21(work):
    from music21 import corpus

    stream = corpus.parse(work)
    score = load(work)
    soprano = stream.parts[0].flatten().notes
    expected = [(n.measureNumber, float(n.beat)) for n in soprano if not n.tie or n.tie.type == "start"]
    sop = score.notes[score.notes["track"] == 0]
    bar, beat = score.qn_to_bar_beat(sop["onset"])
    assert bar.tolist() == [m for m, _ in expected]
    np.testing.assert_allclose(beat, [b for _, b in expected])


def test_compound_and_cut_time_beats():
    s = Score([(0.0, 12.0, 60)], time_signatures=[(0.0, 6, 8), (6.0, 2, 2)])
    bar, beat = s.qn_to_bar_beat([0.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0])
    assert bar.tolist() == [1, 1, 1, 2, 2, 3, 3]
    np.testing.assert_allclose(beat, [1.0, 2.0, 2 + 1 / 3, 1.0, 1 + 2 / 3, 1.0, 2.0])


def test_defaults_and_validation():
    s = Score([(0.0, 1.0, 60)])
    assert s.time_signatures.tolist() == [(0.0, 4, 4)] and s.tempos.tolist() == [(0.0, 120.0)]
    assert s.tracks == (Track("Track 1"),)
    with pytest.raises(InvalidTempoError, match="tempo 0 BPM at 0 qn"):
        Score([(0.0, 1.0, 60)], tempos=[(0.0, 0.0)])
    with pytest.raises(InvalidTempoError, match="10000 BPM"):
        Score([(0.0, 1.0, 60)], tempos=[(0.0, 10000.0)], metadata={"source": "x.mid"})
    with pytest.raises(InvalidScoreError, match="time signature 3/5"):
        Score([(0.0, 1.0, 60)], time_signatures=[(0.0, 3, 5)])
    with pytest.raises(InvalidScoreError, match="not sorted"):
        Score([(0.0, 1.0, 60)], tempos=[(4.0, 90.0), (2.0, 80.0)])
    with pytest.raises(InvalidScoreError, match="use track 1 but only 1 tracks"):
        Score([(0.0, 1.0, 60, 80, 1)], tracks=[Track("a")])
    with pytest.raises(InvalidScoreError, match=r"^song\.mid: note 0 .* duration 0 qn"):
        Score([(0.0, 0.0, 60)], metadata={"source": "song.mid"})
    with pytest.raises(InvalidScoreError, match="GM program 200"):
        Track("x", program=200)
    assert not s.notes.flags.writeable


def test_maps_start_at_zero_with_midi_defaults():
    s = Score([(0.0, 8.0, 60)], tempos=[(4.0, 60.0)])
    assert s.tempos.tolist() == [(0.0, 120.0), (4.0, 60.0)]
    assert s.qn_to_sec(6.0) == pytest.approx(2.0 + 2.0)


def test_slicing_by_time_bars_and_tracks():
    score = load("bach/bwv66.6")
    bars = score.slice_bars(1, 2)
    assert bars.duration_qn == pytest.approx(8.0) and bars.pickup_qn == 0
    assert bars.notes["onset"].min() == 0
    expected = score.notes[(score.notes["onset"] >= 1.0) & (score.notes["onset"] < 9.0)]
    assert bars.n_notes >= expected.size
    pickup = score.slice_bars(0, 0)
    assert pickup.duration_qn == pytest.approx(1.0) and pickup.pickup_qn == pytest.approx(1.0)
    bass = score.select_tracks(["Bass", 0])
    assert [t.name for t in bass.tracks] == ["Bass", "Soprano"]
    assert set(bass.notes["track"].tolist()) == {0, 1}
    assert np.sum(bass.notes["track"] == 0) == np.sum(score.notes["track"] == 3)
    with pytest.raises(KeyError, match="no track named 'Flute'"):
        score.select_tracks("Flute")


def test_slice_time_clips_and_shifts_maps():
    s = Score([(0.0, 4.0, 60), (5.0, 1.0, 62)], tempos=[(0.0, 60.0), (4.0, 120.0)], time_signatures=[(0.0, 3, 4)])
    part = s.slice_time(2.0, 5.5)
    assert part.notes[["onset", "duration", "pitch"]].tolist() == [(0.0, 2.0, 60), (3.0, 0.5, 62)]
    assert part.tempos.tolist() == [(0.0, 60.0), (2.0, 120.0)]
    assert part.pickup_qn == pytest.approx(1.0)  # 2 qn is beat 3 of a 3/4 bar
    unclipped = s.slice_time(2.0, 6.0, clip=False, shift=False)
    assert unclipped.notes["onset"].tolist() == [5.0]


@given(spelled_note_arrays(), st.sampled_from(["M3", "-P4", "d5", "A2", "-m6", "P8", "M9"]))
def test_transposition_is_spelling_aware_and_reversible(notes, name):
    from harmonia.theory.interval import parse_interval

    s = Score(notes, key_signatures=[(0.0, 0, 0)])
    iv = parse_interval(name)
    try:
        t = s.transpose(name)
    except ValueError:
        return  # out of MIDI range
    assert np.all(fifths_to_pc(t.notes["spelling"].astype(int)) == t.notes["pitch"] % 12)
    assert np.all(t.notes["spelling"].astype(int) - s.notes["spelling"] == iv.fifths)
    back = t.transpose(name[1:] if name.startswith("-") else "-" + name)
    assert back.notes.tolist() == s.notes.tolist()


def test_transpose_by_semitones_and_drums_stay():
    s = Score(
        [(0.0, 1.0, 60, 80, 0, 0, 0), (0.0, 1.0, 36, 80, 1)],
        tracks=[Track("Piano"), Track("Drums", is_drum=True)],
        key_signatures=[(0.0, 2, 0)],
    )
    t = s.transpose(6)
    assert t.notes[["pitch", "spelling"]].tolist() == [(66, 6), (36, -128)]
    assert t.key_signatures["fifths"].tolist() == [8]
    assert s.transpose(-3).notes["spelling"].tolist()[0] == 3  # C down a minor third is A


def test_summary_is_json_ready():
    import json

    info = load("bach/bwv66.6").summary()
    assert json.loads(json.dumps(info)) == info
    assert info["n_bars"] == 9 and info["pickup_qn"] == 1.0 and info["spelled"]
    assert [t["n_notes"] for t in info["tracks"]] == [36, 42, 44, 41]
