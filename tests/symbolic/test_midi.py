"""MIDI read and write: round trips, maps, and agreement with miditoolkit on a real song."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import harmonia
from harmonia.symbolic import Score, Track
from tests.conftest import DATA
from tests.strategies import midi_safe_note_arrays

FIELDS = ["onset", "duration", "pitch", "velocity", "track"]


@settings(max_examples=40)
@given(midi_safe_note_arrays())
def test_midi_write_then_read_gives_the_same_notes(tmp_path_factory, notes):
    path = tmp_path_factory.mktemp("midi") / "song.mid"
    n_tracks = int(notes["track"].max()) + 1
    tracks = [Track(f"t{i}", program=i * 5) for i in range(n_tracks)]
    Score(notes, tracks=tracks, tempos=[(0.0, 100.0), (8.0, 75.0)], time_signatures=[(0.0, 3, 4)]).to_midi(path)
    back = harmonia.load(path)
    assert back.notes[FIELDS].tolist() == Score(notes, tracks=tracks).notes[FIELDS].tolist()
    assert [(t.name, t.program) for t in back.tracks] == [(t.name, t.program) for t in tracks]
    assert back.time_signatures.tolist() == [(0.0, 3, 4)]
    np.testing.assert_allclose(back.tempos["bpm"], [100.0, 75.0], rtol=1e-5)


def test_real_song_matches_miditoolkit():
    import miditoolkit

    path = DATA / "pop909" / "001.mid"
    score = harmonia.load(path)
    mtk = miditoolkit.MidiFile(str(path))
    expected = sorted(
        (n.start / mtk.ticks_per_beat, (n.end - n.start) / mtk.ticks_per_beat, n.pitch, n.velocity, t)
        for t, inst in enumerate(mtk.instruments)
        for n in inst.notes
    )
    got = sorted(score.notes[FIELDS].tolist())
    np.testing.assert_allclose(np.array(got, dtype=float), np.array(expected, dtype=float), atol=1e-9)
    assert [t.name for t in score.tracks] == [i.name for i in mtk.instruments] == ["MELODY", "BRIDGE", "PIANO"]
    assert score.qn_to_sec(score.duration_qn) == pytest.approx(
        mtk.get_tick_to_time_mapping()[int(round(score.duration_qn * mtk.ticks_per_beat))], abs=1e-3
    )


def test_drum_tracks_and_key_signatures_round_trip(tmp_path):
    s = Score(
        [(0.0, 0.25, 36, 100, 1), (0.0, 2.0, 60, 70, 0, -1, 0)],
        tracks=[Track("Keys", 4), Track("Kit", 0, is_drum=True)],
        key_signatures=[(0.0, -3, 1)],
    )
    s.to_midi(tmp_path / "x.mid")
    back = harmonia.load(tmp_path / "x.mid")
    assert [t.is_drum for t in back.tracks] == [False, True]
    assert back.key_signatures.tolist() == [(0.0, -3, 1)]
    assert back.summary()["key_signatures"][0]["key"] == "c"


def test_write_is_atomic(tmp_path):
    from harmonia.symbolic.atomic import atomic_path

    target = tmp_path / "out.mid"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    Score([(0.0, 1.0, 60)]).to_midi(target)
    assert [p.name for p in tmp_path.iterdir()] == ["out.mid"]
    assert harmonia.load(target).notes["pitch"].tolist() == [60]
