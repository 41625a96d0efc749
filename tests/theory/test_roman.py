"""Roman numerals: parse/format, realize/analyze round trips, transposition, known equivalences."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.errors import RomanNumeralError
from harmonia.theory.key import Key, format_key
from harmonia.theory.pitch import fifths_to_pc
from harmonia.theory.roman import (
    _candidates,
    _incomplete,
    _vocabulary,
    analyze,
    analyze_pcs,
    analyze_pcs_many,
    format_roman,
    harmonic_function,
    parse_roman,
    realize,
    realize_many,
    realize_pcs,
)

keys = st.builds(Key, st.integers(-6, 6), st.sampled_from(["major", "minor"]))
CANONICAL = ["I", "V65/V", "viio7", "viiø7", "bVI", "N6", "It6", "Fr43", "Ger65", "Cad64", "I[add6]", "V7[no3]",
             "iv6", "V7/V/V", "viio42/ii", "III+", "V[#5]", "bII6"]


@pytest.mark.parametrize("figure", CANONICAL)
def test_format_parse_round_trip(figure):
    assert format_roman(parse_roman(figure)) == figure


# Readings that spell exactly like a preferred one and so never come out of analyze: an applied triad
# that is also diatonic (V/IV = I in major; V/III = VII, V/VI = III, V/VII = IV, viio/III = iio in minor),
# and in minor the Picardy I, read as V/iv, and IV7, read as V7/VII.
SHADOWED = {
    "major": {"V/IV", "V6/IV", "V64/IV"},
    "minor": {"V/III", "V6/III", "V64/III", "V7/III", "V65/III", "V43/III", "V42/III", "viio/III", "viio6/III",
              "viio64/III", "viiø7/III", "viiø65/III", "viiø43/III", "viiø42/III", "V/VI", "V6/VI", "V64/VI",
              "V/VII", "V6/VII", "V64/VII", "I", "I6", "I64", "IV7", "IV65", "IV43", "IV42"},
}


@given(keys, st.data())
def test_analyze_inverts_realize(key, data):
    figure = data.draw(st.sampled_from(_candidates(key.mode)))
    spelled = realize(figure, key)
    found = analyze(spelled, key)
    assert realize(found, key) == spelled
    assert (found == figure) == (figure not in SHADOWED[key.mode])


def test_shadowed_readings_are_exactly_the_duplicates():
    for mode in ("major", "minor"):
        key = Key(0, mode)
        shadowed = {f for f in _candidates(mode) if analyze(realize(f, key), key) != f}
        assert shadowed == SHADOWED[mode]


@given(keys, st.data())
def test_incomplete_chords_are_named_by_their_complete_reading(key, data):
    # a chord without its fifth (or a root-position triad without its third) gets the numeral of the
    # complete chord it belongs to, with [no5] / [no3], and that numeral spells the same tones
    figure = data.draw(st.sampled_from(_candidates(key.mode)))
    full = realize(figure, key)
    if len(full) < 3 or re.match(r"^(N|It|Fr|Ger|Cad)", figure) or figure.split("/")[0][-2:] in ("64", "43"):
        return
    incomplete = realize(_incomplete(figure, 5), key)
    assert len(incomplete) == len(full) - 1 and set(incomplete) < set(full)
    found = analyze(incomplete, key)
    assert realize(found, key) == incomplete
    assert "[no5]" in found or found in _candidates(key.mode)


def test_incomplete_chord_examples():
    assert analyze([2, 6, 0], "C") == "V7[no5]/V"  # D F# C: V7/V without its fifth
    assert analyze([1, 2], "g") == "i[no3]"  # G D: an open fifth on the tonic
    assert analyze([1, 5, -1], "C") == "V7[no5]"
    assert analyze_pcs({7, 11, 5}, 7, "C") == "V7[no5]"
    assert analyze([1, 2, -1], "C") == "V7[no3]"  # G D F
    assert analyze([4, 1, 5, 2], "a") == "v7"  # E G B D: the natural minor's minor-seventh chord on v


@given(keys, st.integers(-5, 5), st.data())
def test_transposition_invariance(key, k, data):
    figure = data.draw(st.sampled_from(_vocabulary(key.mode)))
    moved = Key(key.tonic_fifths + k, key.mode)
    assert [f + k for f in realize(figure, key)] == realize(figure, moved)
    pcs, bass = realize_pcs(figure, key)
    shift = (7 * k) % 12
    assert analyze_pcs({(p + shift) % 12 for p in pcs}, (bass + shift) % 12, moved) == analyze_pcs(pcs, bass, key)


def test_applied_dominant_is_the_dominant_of_the_target_key():
    # V7/V in C is the V7 of G; V7/V/V in C is the V7 of D
    assert realize("V7/V", "C") == realize("V7", "G") == [2, 6, 3, 0]
    assert realize("V7/V/V", "C") == realize("V7", "D")
    assert realize("viio7/ii", "C") == realize("viio7", "d")


def test_minor_mode_sixth_and_seventh_degrees_follow_music21():
    # in A minor: VI on F, vi on F#, VII on G, viio on G#
    assert [fifths_to_pc(f) for f in realize("VI", "a")] == [5, 9, 0]
    assert [fifths_to_pc(f) for f in realize("viio", "a")] == [8, 11, 2]
    assert [fifths_to_pc(f) for f in realize("VII", "a")] == [7, 11, 2]
    assert realize("vi", "a")[0] == 6  # F# (line of fifths 6), the raised sixth degree


def test_augmented_sixths_are_spelled_apart_from_dominant_sevenths():
    assert analyze([-4, 0, -3, 6], "C") == "Ger65"
    assert analyze([-4, 0, 2, 6], "C") == "Fr43"
    assert analyze([-4, 0, 6], "C") == "It6"
    with pytest.raises(RomanNumeralError, match="no numeral spells"):
        analyze([-4, 0, -3, -6], "C")  # Ab7 is not a German sixth


@pytest.mark.parametrize("bad", ["", "X", "V13", "IIII", "V/", "V[foo]", "N7", "It43"])
def test_bad_figures(bad):
    with pytest.raises(RomanNumeralError, match=r"Roman numeral|figure|bracket|takes the figures"):
        parse_roman(bad)


def test_functions():
    assert [harmonic_function(f) for f in ("I", "vi", "iii", "ii65", "IV", "V7", "viio7", "V/vi", "Ger65")] == [
        "T", "T", "T", "S", "S", "D", "D", "D", "S",
    ]
    assert harmonic_function("VI", minor=True) == "S" and harmonic_function("III", minor=True) == "T"


def test_key_text_round_trip():
    assert format_key(Key(-2, "minor")) == "bb"


@given(st.lists(st.tuples(keys, st.integers(0, 10_000)), min_size=1, max_size=20))
def test_batch_realize_matches_one_at_a_time(items):
    figures = [_vocabulary(k.mode)[i % len(_vocabulary(k.mode))] for k, i in items]
    fifths, sizes = realize_many(figures, [k for k, _ in items])
    for row, size, figure, (key, _) in zip(fifths.tolist(), sizes.tolist(), figures, items):
        assert row[:size] == realize(figure, key)
        assert all(x == -128 for x in row[size:])


@given(st.lists(st.tuples(st.integers(1, 4095), st.integers(0, 11), keys), min_size=1, max_size=30))
def test_batch_analysis_matches_one_at_a_time(items):
    masks = [m | 1 << b for m, b, _ in items]  # the bass sounds
    expected = []
    for mask, (_, b, key) in zip(masks, items):
        try:
            expected.append(analyze_pcs({p for p in range(12) if mask >> p & 1}, b, key))
        except RomanNumeralError:
            expected.append(None)
    found = analyze_pcs_many(masks, [b for _, b, _ in items], [k.tonic_pc for _, _, k in items],
                             [k.mode == "minor" for _, _, k in items])
    assert found == expected


@given(keys, st.data())
def test_batch_analysis_of_realized_chords(key, data):
    figure = data.draw(st.sampled_from(_vocabulary(key.mode)))
    pcs, bass = realize_pcs(figure, key)
    mask = sum(1 << p for p in pcs)
    assert analyze_pcs_many([mask], [bass], [key.tonic_pc], [key.mode == "minor"]) == [analyze_pcs(pcs, bass, key)]
