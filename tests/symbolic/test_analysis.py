"""The Analysis object: tables, JSON, RomanText that music21 reads back, MusicXML with numerals."""

from __future__ import annotations

import json

import numpy as np
import pytest

import harmonia


@pytest.fixture(scope="module")
def analysis():
    return harmonia.analyze("bach/bwv66.6")


def test_tables_and_global_key(analysis):
    assert analysis.global_key == "f#"
    assert analysis.chords.size > 20 and analysis.keys.size >= 1
    assert np.all(np.diff(analysis.chords["onset"]) > 0)
    assert analysis.chords["onset"][0] == 0.0 and analysis.chords["offset"][-1] == analysis.score.duration_qn
    df = analysis.to_dataframe("chords")
    assert {"numeral", "key", "root", "measure", "beat"} <= set(df.columns)
    with pytest.raises(ValueError, match="unknown table"):
        analysis.to_dataframe("melody")


def test_json_schema(analysis, tmp_path):
    data = json.loads(analysis.to_json(tmp_path / "a.json"))
    assert json.loads((tmp_path / "a.json").read_text()) == data
    chord = data["chords"][0]
    assert set(chord) == {"onset", "offset", "measure", "beat", "key", "numeral", "function", "root", "quality",
                          "inversion"}
    assert set(data["keys"][0]) == {"onset", "offset", "key"}
    assert {"onset", "measure", "beat", "key", "type"} <= set(data["cadences"][0])
    assert all(c["key"][0].upper() in "ABCDEFG" for c in data["chords"])


def test_romantext_is_read_back_by_music21(analysis):
    from music21 import converter

    text = analysis.to_romantext()
    assert text.splitlines()[4] == "Time Signature: 4/4"
    stream = converter.parse(text, format="romantext")
    rns = list(stream.flatten().getElementsByClass("RomanNumeral"))
    ours = analysis.chords
    for rn in rns:
        on = analysis.score.bar_beat_to_qn(rn.measureNumber, float(rn.beat))
        k = int(np.searchsorted(ours["onset"], on + 1e-9, side="right") - 1)
        assert rn.figure == ours["numeral"][k]
        pcs = sum(1 << p.pitchClass for p in rn.pitches)
        assert pcs == ours["pc_mask"][k], (rn.measureNumber, rn.beat, rn.figure, rn.key)
        assert rn.bass().pitchClass == ours["bass_pc"][k]


def test_musicxml_carries_the_numerals(analysis, tmp_path):
    analysis.to_musicxml(tmp_path / "a.musicxml")
    from music21 import converter

    stream = converter.parse(tmp_path / "a.musicxml")
    lyrics = [n.lyric for n in stream.parts[-1].recurse().notes if n.lyric]
    texts = [t.content for t in stream.parts[-1].recurse().getElementsByClass("TextExpression")]
    assert len(lyrics) + len(texts) == analysis.chords.size
    first = analysis.to_dict()["chords"][0]
    assert lyrics[0] == f"{first['key']}: {first['numeral']}"


def test_plot(analysis):
    import matplotlib

    matplotlib.use("Agg")
    ax = analysis.plot()
    labels = [t.get_text() for t in ax.texts]
    assert "i" in labels and any(t.strip() in ("PAC", "IAC", "HC", "PHC") for t in labels)
