"""Keys: text forms, the shipped profiles, correlation key finding."""

from __future__ import annotations

import json
import re
from importlib import resources

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from harmonia.theory.key import (
    KEY_PROFILES,
    Key,
    estimate_key_from_pcd,
    format_key,
    key_correlations,
    key_profile,
    parse_key,
    pitch_class_distribution,
)


def test_profile_file_schema():
    data = json.loads(resources.files("harmonia.theory").joinpath("data/key_profiles.json").read_text())
    assert set(data["profiles"]) == set(KEY_PROFILES)
    for name, entry in data["profiles"].items():
        assert set(entry) == {"source", "kind", "major", "minor"}, name
        assert len(entry["major"]) == len(entry["minor"]) == 12
        assert all(v > 0 for v in entry["major"] + entry["minor"])
        assert entry["major"][0] == max(entry["major"]) or name in ("aarden-essen", "bellman-budge")
        assert re.search(r"\d{4}", entry["source"])


@given(st.sampled_from(KEY_PROFILES), arrays(np.float64, 12, elements=st.floats(0, 10)), st.integers(0, 11))
def test_key_finding_is_transposition_invariant(profile, pcd, k):
    r = key_correlations(pcd, profile=profile)
    moved = key_correlations(np.roll(pcd, k), profile=profile)
    assert np.allclose(np.roll(r[:12], k), moved[:12]) and np.allclose(np.roll(r[12:], k), moved[12:])


@pytest.mark.parametrize("profile", KEY_PROFILES)
def test_scales_find_their_keys(profile):
    for tonic in range(12):
        for mode, steps in (("major", (0, 2, 4, 5, 7, 9, 11)), ("minor", (0, 2, 3, 5, 7, 8, 11))):
            pcd = np.zeros(12)
            pcd[[(tonic + s) % 12 for s in steps]] = 1
            pcd[tonic] += 1
            pcd[(tonic + 7) % 12] += 0.5
            found = estimate_key_from_pcd(pcd, profile=profile)
            assert (found.tonic_pc, found.mode) == (tonic, mode)


def test_chorale_keys_against_the_analysts():
    """The key of each of ten analysed Bach chorales, from its whole pitch-class distribution."""
    from music21 import converter, corpus

    import harmonia

    right = 0
    for n in range(1, 11):
        path = corpus.getWork(f"bach/choraleAnalyses/riemenschneider{n:03d}.rntxt")
        text = open(path, encoding="utf-8").read()
        bwv = re.search(r"^BWV:\s*(\S+)", text, re.M).group(1)
        m = re.fullmatch(r"(\d+)\((\d+)\)\.(\d+)", bwv)
        work = f"bach/bwv{m.group(1)}.{m.group(3)}-{m.group(2)}" if m else "bach/bwv" + re.sub(r"[a-z]+$", "", bwv)
        first = converter.parse(path, format="romantext").flatten().getElementsByClass("RomanNumeral")[0].key
        found = estimate_key_from_pcd(pitch_class_distribution(harmonia.load(work)))
        right += (found.tonic_pc, found.mode) == (first.tonic.pitchClass, first.mode)
    assert right >= 8


def test_key_text():
    assert parse_key("Bb") == Key(-2, "major") and format_key(parse_key("g#:min")) == "g#"
    with pytest.raises(ValueError, match="not a key"):
        parse_key("H")
    with pytest.raises(ValueError, match="unknown key profile"):
        key_profile("nope")
