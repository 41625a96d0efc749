"""Learning genre conventions from MIDI files (POP909 songs)."""

from __future__ import annotations

import shutil

import pytest

from harmonia.errors import InvalidScoreError
from harmonia.symbolic.blueprint import blueprint_from_prompt
from harmonia.symbolic.genres import load_genre_file
from harmonia.theory.roman import realize
from harmonia.workflows.conventions import learn_conventions, song_conventions
from harmonia.workflows.genres import learn_report


def test_one_song_without_labels(data_dir, tmp_path):
    out = tmp_path / "learned.json"
    g = learn_conventions([data_dir / "pop909" / "001.mid"], genre="POP 909 one", out=out)
    assert g.name == "pop-909-one" and g.family == "learned"
    assert load_genre_file(out) == g
    assert g.production is None and g.drum_patterns == ()
    assert g.progressions and all(p.mode in ("major", "minor") for p in g.progressions)
    for p in g.progressions:
        for fig in p.numerals:
            realize(fig, "C" if p.mode == "major" else "a")
    assert g.statistics["songs"] == 1 and g.statistics["failed"] == []
    assert [i.role for i in g.instrumentation] == ["melody", "counter-melody", "harmony"]
    # the song is in G-flat major: the commonest numerals are diatonic
    assert {"I", "IV", "V"} <= {f for p in g.progressions for f in p.numerals}
    # form estimated from the chords when no labelling is beside the file
    assert g.structures[0].sections[0][0] in ("intro", "verse")
    bp = blueprint_from_prompt("pop ballad", genre=g, seed=0, duration=60)
    assert bp.genre == "pop-909-one"


def test_pop909_songs_with_labels(shared_data):
    songs = [shared_data / "pop909-dev" / s / f"{s}.mid" for s in ("001", "002", "003")]
    g = learn_conventions(songs, genre="pop909")
    assert g.statistics["songs"] == 3
    assert dict(g.meters) == {"4/4": 1.0}  # from the phrase labels, not the files' 2/4 placeholders
    first = song_conventions(songs[0])
    assert first["meter_source"] == "labels"
    assert first["sections"][0] == ("intro", 4) and first["sections"][-1] == ("outro", 3)
    assert g.tempo_bpm[0] <= g.statistics["tempo_bpm_median"] <= g.tempo_bpm[1]
    assert sum(g.statistics["function_shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert g.melody.range_midi[0] < g.melody.range_midi[1]


def test_report_records_failures(data_dir, tmp_path):
    shutil.copy(data_dir / "pop909" / "001.mid", tmp_path / "001.mid")
    shutil.copy(data_dir / "bad" / "garbage.mid", tmp_path / "garbage.mid")
    text, status = learn_report(tmp_path, "mixed", tmp_path / "out" / "mixed.json")
    assert status == 1
    assert "learned 'mixed' from 1 file(s)" in text and "failed:" in text and "garbage.mid" in text
    assert load_genre_file(tmp_path / "out" / "mixed.json").name == "mixed"


def test_nothing_readable(data_dir, tmp_path):
    shutil.copy(data_dir / "bad" / "garbage.mid", tmp_path / "garbage.mid")
    with pytest.raises(InvalidScoreError, match="none of 1 file"):
        learn_conventions(tmp_path, genre="x")
