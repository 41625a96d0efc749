"""Spelled intervals: names, arithmetic, inversion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.theory.interval import Interval, format_interval, interval_between, invert, parse_interval
from harmonia.theory.pitch import fifths_to_pc
from tests.strategies import fifths


def _interval(f: int, octave: int, down: bool) -> Interval:
    up = Interval(f, 7 * f % 12 + 12 * octave)
    return -up if down else up


intervals = st.builds(_interval, st.integers(-14, 14), st.integers(0, 2), st.booleans())


@given(intervals)
def test_format_then_parse_is_identity(iv):
    assert parse_interval(format_interval(iv)) == iv


@pytest.mark.parametrize(
    "name",
    ["P1", "m2", "M2", "m3", "M3", "P4", "A4", "d5", "P5", "m6", "M6", "m7", "M7", "P8", "d7", "A6", "AA4", "dd5",
     "M9", "m10", "P11", "P15", "-M3", "-P5", "A1", "d8"],
)
def test_parse_then_format_is_identity(name):
    assert format_interval(parse_interval(name)) == name


def test_known_values():
    assert parse_interval("M3") == Interval(4, 4)
    assert parse_interval("d7") == Interval(-9, 9)
    assert parse_interval("A6") == Interval(10, 10)
    assert parse_interval("-m2") == Interval(5, -1)
    assert parse_interval("M10") == Interval(4, 16)


@given(intervals)
def test_semitones_and_fifths_agree(iv):
    assert (iv.semitones - 7 * iv.fifths) % 12 == 0


@given(st.sampled_from(["m2", "M2", "m3", "M3", "P4", "A4", "d5", "P5", "m6", "M6", "m7", "M7", "A2", "d7"]))
def test_inversion_complements_to_an_octave(name):
    iv = parse_interval(name)
    inv = invert(iv)
    assert iv.semitones + inv.semitones == 12 and iv.fifths + inv.fifths == 0
    assert invert(inv) == iv


@given(st.integers(21, 100), fifths, intervals)
def test_interval_between_transposed_pitches(pitch, spelling, iv):
    pitch = pitch + (fifths_to_pc(spelling) - pitch) % 12
    assert interval_between(pitch, spelling, pitch + iv.semitones, spelling + iv.fifths) == iv


@pytest.mark.parametrize("bad", ["M5", "P3", "X3", "3", "m0", "d1", ""])
def test_bad_names(bad):
    with pytest.raises(ValueError, match="interval"):
        parse_interval(bad)


def test_inconsistent_pair():
    with pytest.raises(ValueError, match="cannot span"):
        format_interval((4, 5))


def test_format_parse_round_trip_exhaustive_including_extreme_qualities():
    for f in range(-30, 31):
        for octaves in range(-3, 4):
            interval = (f, 7 * f + 12 * octaves)
            assert tuple(parse_interval(format_interval(interval))) == interval
    assert format_interval((-19, -1)) == "dd2"  # C up to Dbbb: a second that sounds a semitone lower
