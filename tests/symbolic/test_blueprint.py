"""Blueprints: JSON round trip, validation, prompt -> plan (determinism, duration, mood, requests)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings

from harmonia.errors import InvalidBlueprintError, UnknownGenreError
from harmonia.symbolic.blueprint import Blueprint, blueprint_from_prompt, parse_prompt
from harmonia.symbolic.genres import get_genre, list_genres
from harmonia.theory.key import parse_key
from harmonia.theory.roman import realize
from tests.strategies import blueprints


@settings(max_examples=40)
@given(blueprints())
def test_json_round_trip(bp):
    text = bp.to_json()
    back = Blueprint.from_json(text)
    assert back == bp
    assert back.to_json() == text


def test_json_file_round_trip(tmp_path):
    bp = blueprint_from_prompt("chill lo-fi beat for studying", seed=4)
    path = tmp_path / "blueprint.json"
    bp.to_json(path)
    assert Blueprint.from_json(path) == bp
    assert Blueprint.from_json(str(path)) == bp
    with pytest.raises(InvalidBlueprintError, match="no such blueprint file"):
        Blueprint.from_json(tmp_path / "missing.json")
    with pytest.raises(InvalidBlueprintError, match="not valid JSON"):
        Blueprint.from_json("{oops")


def _mut(d, path, value):
    *head, last = path
    for k in head:
        d = d[k]
    if value is KeyError:
        del d[last]
    else:
        d[last] = value


BAD = [
    (("key",), "H", "key"),
    (("mode",), "dorian", "mode"),
    (("tempo_bpm",), 0, "tempo_bpm"),
    (("energy",), 1.5, "energy"),
    (("meter",), KeyError, "meter"),
    (("sections", 0, "label"), "coda", "sections[0].label"),
    (("sections", 1, "bars"), 0, "sections[1].bars"),
    (("sections", 1, "progression", 0), "V9", "sections[1].progression[0]"),
    (("sections", 0, "drum_pattern"), "polka", "sections[0].drum_pattern"),
    (("sections", 0, "tempo"), 3, "sections[0].tempo"),
    (("dynamics",), [0.5], "dynamics"),
    (("instrumentation", 0, "program"), 128, "instrumentation[0].program"),
    (("rhythm", "drum_patterns", 0, "lanes", 0, "hits"), "x", "rhythm.drum_patterns[0].lanes[0].hits"),
    (("melody", "scale"), "whole-tone", "melody.scale"),
    (("version",), 99, "version"),
    (("colour",), "red", "colour"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD, ids=[b[2] for b in BAD])
def test_bad_json_names_the_field(path, value, field):
    d = blueprint_from_prompt("upbeat indie rock song about summer", seed=1).to_dict()
    _mut(d, path, value)
    with pytest.raises(InvalidBlueprintError) as info:
        Blueprint.from_json(json.dumps(d))
    assert f"field {field!r}" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_indie_rock_summer_prompt():
    for seed in range(5):
        bp = blueprint_from_prompt("upbeat indie rock song about summer", seed=seed)
        assert bp.genre == "indie-rock"
        assert parse_key(bp.key).mode == "major" and bp.mode in ("major", "mixolydian")
        assert 118 <= bp.tempo_bpm <= 150
        assert bp.energy >= 0.75
        assert bp.sections[0].label == "intro" and bp.sections[-1].label == "outro"
        assert {"verse", "chorus"} <= {s.label for s in bp.sections}
        assert abs(bp.duration_sec - 180) <= 9


def test_deterministic_per_seed():
    a = blueprint_from_prompt("dark techno", seed=7).to_json()
    b = blueprint_from_prompt("dark techno", seed=7).to_json()
    assert a == b
    others = {blueprint_from_prompt("a song about rain", genre="pop", seed=s).to_json() for s in range(6)}
    assert len(others) > 1


@pytest.mark.parametrize("genre", list_genres())
def test_duration_close_to_request(genre):
    for duration in (60.0, 180.0, 300.0):
        bp = blueprint_from_prompt("", genre=genre, duration=duration, seed=int(duration))
        assert abs(bp.duration_sec - duration) <= 0.1 * duration, (genre, duration, bp.duration_sec)
        g = get_genre(genre)
        assert g.tempo_bpm[0] <= bp.tempo_bpm <= g.tempo_bpm[1]
        assert len(bp.dynamics) == bp.total_bars
        plan = bp.chord_plan()
        assert sum(length for _, length, _, _ in plan) == pytest.approx(bp.total_bars)
        for _, _, fig, _ in plan[:24]:
            realize(fig, bp.key)


def test_mood_moves_mode_tempo_and_energy():
    happy = [blueprint_from_prompt("happy", genre="pop", seed=s) for s in range(12)]
    sad = [blueprint_from_prompt("sad", genre="pop", seed=s) for s in range(12)]
    assert sum(b.key[0].isupper() for b in happy) > sum(b.key[0].isupper() for b in sad)
    assert sum(b.tempo_bpm for b in happy) > sum(b.tempo_bpm for b in sad)
    assert all(h.energy > s.energy for h, s in zip(happy, sad))
    calm = blueprint_from_prompt("music", genre="house", mood="calm", seed=0)
    assert calm.mood == "calm" and calm.energy < get_genre("house").energy


def test_explicit_requests():
    p = parse_prompt("A sad slow waltz in D minor with piano at 72 bpm")
    assert (p["key"], p["mode"], p["meter"], p["tempo_bpm"], p["instruments"]) == ("d", "minor", "3/4", 72.0, ["piano"])
    bp = blueprint_from_prompt("folk waltz in G major at 100 bpm with cello", seed=2)
    assert (bp.genre, bp.key, bp.meter, bp.tempo_bpm) == ("folk", "G", "3/4", 100.0)
    assert 42 in [i.program for i in bp.instrumentation]
    assert parse_prompt("jazz in Bb")["key"] == "Bb"
    assert blueprint_from_prompt("something", seed=0).genre == "pop"  # the default
    assert blueprint_from_prompt("a heavy metal anthem", seed=0).genre == "metal"


def test_errors():
    with pytest.raises(UnknownGenreError, match="did you mean 'techno'"):
        blueprint_from_prompt("x", genre="technoo")
    with pytest.raises(InvalidBlueprintError, match="unknown mood"):
        blueprint_from_prompt("x", mood="hangry")
    with pytest.raises(InvalidBlueprintError, match="duration"):
        blueprint_from_prompt("x", duration=0)
    with pytest.raises(TypeError):
        blueprint_from_prompt(None)


def test_learned_genre_object_and_summary():
    g = dataclasses.replace(get_genre("reggae"), name="my-reggae")
    bp = blueprint_from_prompt("relaxed", genre=g, seed=1, duration=90)
    assert bp.genre == "my-reggae"
    text = bp.summary()
    assert text.startswith("my-reggae:") and "bar   1 intro" in text
