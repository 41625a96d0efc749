"""music21 <-> Score: pitches, spellings, onsets, durations and voices survive."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import harmonia
from harmonia.symbolic import Score, from_music21
from tests.strategies import voiced_note_arrays

KEEP = ["onset", "duration", "pitch", "spelling", "track"]


@pytest.mark.parametrize("work", ["bach/bwv66.6", "bach/bwv269", "bach/bwv4.8"])
def test_corpus_round_trip_through_music21(work):
    score = harmonia.load(work)
    back = from_music21(score.to_music21())
    assert back.notes.tolist() == score.notes.tolist()
    assert back.pickup_qn == score.pickup_qn
    assert back.time_signatures.tolist() == score.time_signatures.tolist()
    assert back.key_signatures.tolist() == score.key_signatures.tolist()


def test_notes_match_music21_directly():
    from music21 import corpus

    stream = corpus.parse("bach/bwv66.6").stripTies()
    expected = sorted(
        (float(n.getOffsetInHierarchy(stream)), float(n.quarterLength), n.pitch.nameWithOctave, k)
        for k, part in enumerate(stream.parts)
        for n in part.flatten().notes
    )
    score = harmonia.load("bach/bwv66.6")
    from harmonia.theory.pitch import pitch_name

    got = sorted(
        (float(n["onset"]), float(n["duration"]), pitch_name(int(n["pitch"]), int(n["spelling"]), flat="-"), int(t))
        for n, t in zip(score.notes, score.notes["track"])
    )
    assert got == expected


@settings(max_examples=25)
@given(voiced_note_arrays())
def test_musicxml_round_trip_keeps_spellings_and_voices(tmp_path_factory, notes):
    path = tmp_path_factory.mktemp("xml") / "score.musicxml"
    score = Score(notes, time_signatures=[(0.0, 3, 4)], key_signatures=[(0.0, 2, 0)])
    score.to_musicxml(path)
    back = harmonia.load(path)
    assert back.notes[KEEP].tolist() == score.notes[KEEP].tolist()
    # voices come back numbered from 0 in each track, in the same grouping
    for t in range(len(score.tracks)):
        a = score.notes[score.notes["track"] == t]
        b = back.notes[back.notes["track"] == t]
        ids_a = np.unique(a["voice"])
        if ids_a.size > 1:
            remap = {int(v): i for i, v in enumerate(ids_a)}
            assert b["voice"].tolist() == [remap[int(v)] for v in a["voice"]]


def test_mxl_and_tempo_and_metadata(tmp_path):
    score = harmonia.load("bach/bwv66.6")
    score.to_musicxml(tmp_path / "c.mxl")
    back = harmonia.load(tmp_path / "c.mxl")
    assert back.notes[KEEP].tolist() == score.notes[KEEP].tolist()
    assert back.tempos.tolist() == score.tempos.tolist()
    assert [t.name for t in back.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]


def test_refuses_non_streams_and_opus():
    from music21 import stream

    with pytest.raises(TypeError, match="expected a music21 stream"):
        from_music21([1, 2, 3])
    with pytest.raises(TypeError, match="Opus"):
        from_music21(stream.Opus())


def test_grace_notes_are_dropped_and_counted():
    from music21 import converter

    s = converter.parse("tinyNotation: 4/4 c4 d4 e4 f4")
    s.flatten().notes[1].getGrace(inPlace=True)
    score = from_music21(s)
    assert score.n_notes == 3 and score.metadata["grace_notes_dropped"] == 1


def test_kern_file_matches_music21():
    from music21 import converter, corpus

    krn = next(p for p in corpus.getComposer("bach") if p.name == "bwv277.krn")
    score = harmonia.load(krn)
    stream = converter.parse(krn).stripTies()
    expected = sorted(
        (float(n.getOffsetInHierarchy(stream)), n.pitch.midi) for n in stream.flatten().notes
    )
    assert score.metadata["format"] == "krn" and score.has_spelling
    assert sorted(score.notes[["onset", "pitch"]].tolist()) == expected


def test_abc_file(tmp_path):
    path = tmp_path / "tune.abc"
    path.write_text("X:1\nT:Scale\nM:3/4\nL:1/8\nK:G\nGABc de|f2 g4|]\n")
    score = harmonia.load(path)
    assert score.metadata["title"] == "Scale"
    assert score.notes["pitch"].tolist() == [67, 69, 71, 72, 74, 76, 78, 79]
    assert score.notes["spelling"].tolist()[-2:] == [6, 1]  # F# from the key signature, then G
    assert score.time_signatures.tolist() == [(0.0, 3, 4)]
    assert score.notes["duration"].tolist()[-2:] == [1.0, 2.0]
