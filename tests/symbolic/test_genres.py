"""The genre convention database: every shipped entry validates, bad entries fail clearly, queries, similarity."""

from __future__ import annotations

import copy
import json
import pickle
from importlib import resources

import numpy as np
import pytest

from harmonia.errors import GenreSchemaError, HarmoniaError, UnknownGenreError
from harmonia.symbolic import genres as G
from harmonia.theory.rhythm import syncopation
from harmonia.theory.roman import realize_many
from harmonia.workflows.genres import format_drum_pattern, genres_report

REQUIRED = {
    "pop", "rock", "indie-rock", "punk", "metal", "funk", "soul", "rnb", "hip-hop", "trap", "house", "techno",
    "drum-and-bass", "disco", "reggae", "jazz", "blues", "bossa-nova", "country", "folk", "salsa", "gospel",
    "lo-fi", "ambient", "chorale",
}
FILES = sorted(
    (p for p in (resources.files("harmonia.symbolic") / "data" / "genres").iterdir() if p.name.endswith(".json")),
    key=lambda p: p.name,
)


def test_database_size_and_required_genres():
    names = G.list_genres()
    assert len(names) >= 25
    assert REQUIRED <= set(names)
    assert len(FILES) == len(names)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shipped_file_validates(path):
    g = G.load_genre_file(path)
    assert g.name == path.name[:-5]
    assert g.tempo_bpm[0] < g.tempo_bpm[1]
    assert g.production is not None and -30 <= g.production.loudness_lufs <= -5
    assert g.source and g.licence
    # every structure uses the allowed labels and every role has its patterns
    for s in g.structures:
        assert all(label in G.SECTION_LABELS for label, _ in s.sections)
    if "drums" in g.roles():
        assert g.drum_patterns
    # the data round-trips through the schema
    assert G.genre_from_dict(json.loads(json.dumps(g.to_dict()))) == g


@pytest.mark.parametrize("name", G.list_genres())
def test_every_progression_parses_and_realizes(name):
    g = G.get_genre(name)
    for p in g.progressions:
        keys = ["E", "Bb"] if p.mode == "major" else ["c#", "g"]
        for key in keys:
            _, counts = realize_many(list(p.numerals), [key] * len(p.numerals))
            assert (np.asarray(counts) >= 2).all(), (name, p.numerals, key)


@pytest.mark.parametrize("name", G.list_genres())
def test_drum_patterns_are_playable_grids(name):
    g = G.get_genre(name)
    for p in g.drum_patterns:
        grid = p.grid()
        assert grid.shape == (len(p.lanes), p.bars * p.steps_per_bar)
        assert ((grid == 0) | (grid >= 1)).all() and grid.max() <= 127
        assert all(27 <= lane.note <= 87 for lane in p.lanes)
        sync = syncopation(p.onsets(), p.meter, model="lhl")
        assert sync.shape == (p.bars,) and np.isfinite(sync).all()
    for p in g.bass_patterns:
        assert p.rhythm.count("x") == len(p.notes)


def _entry(name="funk"):
    return copy.deepcopy(G.get_genre(name).to_dict())


def _set(d, path, value):
    *head, last = path
    for k in head:
        d = d[k]
    d[last] = value


BAD = [
    (("progressions", 0, "numerals", 1), "V9", "progressions[0].numerals[1]", "unknown figure"),
    (("progressions", 0, "numerals", 0), "Imaj7", "progressions[0].numerals[0]", "not a Roman numeral"),
    (("tempo_bpm",), [200, 100], "tempo_bpm", "above high"),
    (("tempo_bpm",), [10, 100], "tempo_bpm[0]", "outside"),
    (("drum_patterns", 0, "lanes", 0, "hits"), "x...x...", "drum_patterns[0].lanes[0].hits", "8 steps, expected 16"),
    (("drum_patterns", 0, "lanes", 0, "hits"), "x...y...x...x...", "drum_patterns[0].lanes[0].hits", "unknown step"),
    (("drum_patterns", 0, "lanes", 0, "instrument"), "kickk", "drum_patterns[0].lanes[0].instrument", "did you mean"),
    (("instrumentation", 1, "program"), 200, "instrumentation[1].program", "outside 0..127"),
    (("instrumentation", 1, "role"), "singer", "instrumentation[1].role", "not one of"),
    (("meters", 0, "meter"), "four/4", "meters[0].meter", "bad metre"),
    (("structures", 0, "sections", 0, 0), "coda", "structures[0].sections[0][0]", "not one of"),
    (("structures", 0, "sections", 0, 1), 0, "structures[0].sections[0][1]", "outside"),
    (("bass_patterns", 0, "notes"), ["root"], "bass_patterns[0].notes", "note choices for"),
    (("bass_patterns", 0, "rhythm"), "-x.x..x.xx..x.x.", "bass_patterns[0].rhythm", "hold"),
    (("melody", "stepwise_share"), 1.5, "melody.stepwise_share", "outside"),
    (("melody", "range_midi"), [60, 62], "melody.range_midi", "less than a fourth"),
    (("swing",), "lots", "swing", "expected a number"),
    (("production", "loudness_lufs"), 3, "production.loudness_lufs", "outside"),
    (("name",), "Funk Music", "name", "slug"),
    (("colour",), "blue", "colour", "unknown field"),
]


@pytest.mark.parametrize(("path", "value", "field", "words"), BAD, ids=[b[2] for b in BAD])
def test_bad_entries_name_the_field(path, value, field, words):
    d = _entry()
    _set(d, path, value)
    with pytest.raises(GenreSchemaError) as info:
        G.genre_from_dict(d)
    err = info.value
    assert err.field == field
    assert words in err.problem
    assert f"field {field!r}" in str(err) and f"genre {err.genre!r}" in str(err)
    assert isinstance(err, ValueError) and isinstance(err, HarmoniaError)
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


def test_missing_and_inconsistent_fields():
    d = _entry()
    del d["melody"]
    with pytest.raises(GenreSchemaError, match="'melody': missing"):
        G.genre_from_dict(d)
    d = _entry()
    d["drum_patterns"] = []
    with pytest.raises(GenreSchemaError, match="has drums but there is no drum pattern"):
        G.genre_from_dict(d)
    d = _entry("pop")
    d["modes"].append({"mode": "dorian", "weight": 1.0})
    d["progressions"] = [p for p in d["progressions"] if p["mode"] == "major"]
    with pytest.raises(GenreSchemaError, match="needs a progression in minor"):
        G.genre_from_dict(d)
    with pytest.raises(GenreSchemaError, match="expected an object"):
        G.genre_from_dict(["not", "a", "dict"])


def test_bad_json_file(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(GenreSchemaError, match="not valid JSON"):
        G.load_genre_file(bad)


def test_lookup_aliases_and_suggestions():
    assert G.get_genre("Drum & Bass").name == "drum-and-bass"
    assert G.get_genre("DnB").name == "drum-and-bass"
    assert G.get_genre("R&B").name == "rnb"
    assert G.get_genre("lofi").name == "lo-fi"
    assert G.get_genre("Indie Rock").name == "indie-rock"
    assert G.get_genre("bossa").name == "bossa-nova"
    with pytest.raises(UnknownGenreError) as info:
        G.get_genre("tecno")
    assert "techno" in info.value.suggestions
    assert "did you mean" in str(info.value)
    with pytest.raises(UnknownGenreError):
        G.get_genre("polka-zydeco-fusion")
    with pytest.raises(TypeError):
        G.get_genre(3)


def test_filters():
    fast = G.filter_genres(tempo_bpm=174)
    assert "drum-and-bass" in fast and "ambient" not in fast
    ranges = {n: G.get_genre(n).tempo_bpm for n in G.list_genres()}
    assert fast == sorted(n for n, (lo, hi) in ranges.items() if lo <= 174 <= hi)
    swung = G.filter_genres(swing=True)
    assert {"jazz", "blues"} <= set(swung) and "techno" not in swung
    assert "chorale" in G.filter_genres(meter="3/4", role="melody")
    assert "salsa" in G.filter_genres(meter="4/4", role="percussion")
    assert set(G.filter_genres(family="electronic")) >= {"house", "techno", "ambient"}
    assert "metal" in G.filter_genres(mode="phrygian")
    assert "ambient" in G.filter_genres(mood="calm")
    assert "blues" in G.filter_genres(program=22)


def test_similarity_matrix_properties():
    names, sim = G.genre_similarity()
    assert names == G.list_genres()
    assert sim.shape == (len(names), len(names))
    assert np.allclose(sim, sim.T)
    assert np.allclose(np.diag(sim), 1.0)
    assert (sim >= -1).all() and (sim <= 1).all()
    # neighbours that any listener would group
    for a, b, c in [("rock", "punk", "ambient"), ("house", "disco", "folk"), ("jazz", "blues", "metal"),
                    ("chorale", "folk", "trap"), ("lo-fi", "hip-hop", "punk")]:
        i, j, k = names.index(a), names.index(b), names.index(c)
        assert sim[i, j] > sim[i, k], (a, b, c)


def test_nearest_and_linkage():
    near = G.nearest_genres("rock", k=3)
    assert len(near) == 3 and "rock" not in [n for n, _ in near]
    assert [s for _, s in near] == sorted((s for _, s in near), reverse=True)
    assert "punk" in [n for n, _ in near]
    names, z = G.genre_linkage()
    assert z.shape == (len(names) - 1, 4)
    feats = G.genre_features("jazz")
    assert set(feats) == set(G.GROUP_WEIGHTS)
    assert feats["feel"][0] == pytest.approx(0.7)


def test_reports():
    table = genres_report()
    assert all(name in table for name in G.list_genres())
    rows = json.loads(genres_report(as_json=True))["genres"]
    assert len(rows) == len(G.list_genres())
    text = genres_report("bossa nova")
    assert "Bossa nova" in text and "|x..xx..xx..xx..x|" in text and "nearest:" in text
    entry = json.loads(genres_report("jazz", as_json=True))
    assert G.genre_from_dict({k: v for k, v in entry.items() if k != "nearest"}) == G.get_genre("jazz")
    assert len(entry["nearest"]) == 5
    assert format_drum_pattern(G.get_genre("jazz").drum_patterns[0]).count("|") == 6
    with pytest.raises(UnknownGenreError):
        genres_report("jaz-fusion-core")
