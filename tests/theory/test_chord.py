"""Chord identification and chord symbols."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.errors import ChordSymbolError
from harmonia.theory.chord import (
    QUALITIES,
    SPELLED_ONLY,
    ChordSymbol,
    format_chord_symbol,
    format_harte,
    identify_chord,
    identify_chords,
    parse_chord_symbol,
    parse_harte,
)
from harmonia.theory.pitch import fifths_to_pc
from tests.conftest import DATA

pc_qualities = st.sampled_from([q for q in QUALITIES if q not in SPELLED_ONLY])


@pytest.mark.parametrize(
    ("pitches", "name"),
    [
        ([60, 64, 67], "C"), ([57, 60, 64], "Am"), ([59, 62, 65], "Bdim"), ([60, 64, 68], "Caug"),
        ([55, 59, 62, 65], "G7"), ([53, 57, 60, 64], "Fmaj7"), ([62, 65, 69, 72], "Dm7"), ([59, 62, 65, 69], "Bm7b5"),
        ([59, 62, 65, 68], "Bdim7"), ([60, 62, 67], "Csus2"), ([60, 65, 67], "Csus4"), ([64, 67, 72], "C/E"),
        ([60, 64, 67, 69], "C6"), ([57, 60, 64, 67], "Am7"), ([60, 64, 67, 74], "Cadd9"), ([60, 64, 70, 74], "C9"),
        ([43, 59, 65, 71], "G7"),
    ],
)
def test_identify(pitches, name):
    assert identify_chord(pitches).name == name


def test_spelled_input_keeps_spellings():
    ger = identify_chord([56, 60, 63, 66], spellings=[-4, 0, -3, 6])
    assert ger.quality == "ger6" and ger.root_fifths == -4
    assert identify_chord([61, 65, 68], spellings=[7, 11, 8]).name == "C#"
    assert identify_chord([61, 65, 68], spellings=[-5, -1, -4]).name == "Db"


def test_missing_and_extra_tones():
    c7 = identify_chord([60, 64, 70])
    assert c7.quality == "dom7" and c7.missing == (7,) and c7.extra == ()
    cluster = identify_chord([60, 61, 62, 63])
    assert cluster.extra  # nothing explains a chromatic cluster


@given(pc_qualities, st.integers(0, 11), st.integers(-6, 6))
def test_identification_is_transposition_invariant(quality, root, k):
    pcs = [(root + 7 * f) % 12 for f in QUALITIES[quality].fifths]
    pitches = [48 + pcs[0]] + [60 + p for p in pcs[1:]]
    a = identify_chord(pitches)
    b = identify_chord([p + k for p in pitches])
    assert (b.root_pc - a.root_pc) % 12 == k % 12 and a.quality == b.quality and a.inversion == b.inversion


@given(st.lists(st.booleans(), min_size=12, max_size=12).filter(any), st.integers(0, 11))
def test_batch_agrees_with_single(mask, bass):
    mask[bass] = True
    pcs = [pc for pc in range(12) if mask[pc]]
    single = identify_chord([48 + bass] + [60 + p for p in pcs])
    root, q, inv = identify_chords(np.array([mask]), [bass])
    assert (int(root[0]), list(QUALITIES)[int(q[0])], int(inv[0])) == (single.root_pc, single.quality, single.inversion)


@pytest.mark.parametrize("text", ["C", "Cm", "Cmaj7/E", "F#m7b5", "Bb7(#9)", "Ebsus4", "G7sus4", "A6", "Dbm6",
                                  "E9", "Abmaj9", "C#dim7", "Faug", "D5", "C7(b9,#11)", "Gadd9/B", "C6/9"])
def test_pop_symbol_round_trip(text):
    assert format_chord_symbol(parse_chord_symbol(text)) == text


@pytest.mark.parametrize("text", ["C:maj", "A:min/b3", "B:maj7", "E:7/3", "F#:hdim7", "G:sus4(b7)", "D:min7/b7",
                                  "Bb:maj6", "C:dim", "Ab:aug", "C:maj7/5", "E:min/5"])
def test_harte_round_trip(text):
    assert format_harte(parse_harte(text)) == text


def test_symbols_agree_with_identification():
    for name in QUALITIES:
        if name in SPELLED_ONLY:
            continue
        symbol = ChordSymbol(0, name, None, ())
        pcs = symbol.pcs
        found = identify_chord([48 + pcs[0]] + [60 + p for p in pcs[1:]])
        assert found.root_pc == 0, name
        assert sorted({fifths_to_pc(f) for f in QUALITIES[found.quality].fifths}) == sorted(
            {fifths_to_pc(f) for f in QUALITIES[name].fifths}
        ), name


def test_every_pop909_label_parses():
    labels = (DATA / "pop909" / "chord_labels.txt").read_text().split()
    parsed = [parse_harte(label) for label in labels]
    assert len(labels) > 100 and parsed.count(None) == 1  # 'N'
    assert format_harte(parse_harte("C#:min/b3")) == "C#:min/b3"


@pytest.mark.parametrize("bad", ["H7", "Cfoo", "C7(x9)", "", "c"])
def test_bad_pop_symbols(bad):
    with pytest.raises(ChordSymbolError, match="chord"):
        parse_chord_symbol(bad)


@pytest.mark.parametrize("bad", ["C:foo", "C:", "X:maj", "C:maj/x"])
def test_bad_harte_labels(bad):
    with pytest.raises(ChordSymbolError):
        parse_harte(bad)
