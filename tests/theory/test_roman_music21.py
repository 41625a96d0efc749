"""harmonia's Roman numerals beside music21's on music21's own RomanText corpus.

``tests/data/rntxt_figures.json`` holds every distinct (figure, key) of the ``.rntxt`` files in music21's
corpus with music21's realization; ``tests/data/make_rntxt_figures.py`` rebuilds it.
"""

from __future__ import annotations

import json

import pytest

from harmonia.errors import RomanNumeralError
from harmonia.theory.pitch import fifths_to_name
from harmonia.theory.roman import analyze, realize, realize_pcs
from tests.conftest import DATA

m21roman = pytest.importorskip("music21.roman")
from music21 import chord as m21chord  # noqa: E402
from music21 import key as m21key  # noqa: E402

ROWS = json.loads((DATA / "rntxt_figures.json").read_text())["figures"]
# Figures of the corpus that are not well-formed RomanText; music21 guesses a reading, harmonia refuses them:
# an applied chord with no target ('V/', 'V6/', 'viio6/', 'IV/'), 'var', 'VIII', figured-bass '4' alone,
# a ninth figure ('IV9'), a mark after the figure ('III6+' for 'III+6'), and '[maj7]' (not a RomanText bracket).
MALFORMED = {"V/", "V6/", "viio6/", "IV/", "var", "VIII", "I4", "IV9", "III6+", "bVII7[maj7]"}


def _m21_key(name: str) -> m21key.Key:
    return m21key.Key(name[0] + name[1:].replace("b", "-"))


def test_corpus_size():
    # 814 distinct (figure, key) pairs, 264 distinct figures, 8,112 chords
    assert len(ROWS) == 814
    assert len({r["figure"] for r in ROWS}) == 264
    assert sum(r["count"] for r in ROWS) == 8112


def test_every_well_formed_figure_realizes_as_in_music21():
    """Same pitch classes and same bass for every well-formed (figure, key) of the corpus."""
    refused = []
    for row in ROWS:
        try:
            pcs, bass = realize_pcs(row["figure"], row["key"])
        except RomanNumeralError:
            refused.append(row["figure"])
            continue
        assert (sorted(pcs), bass) == (row["pcs"], row["bass"]), row
    assert set(refused) == MALFORMED


@pytest.mark.parametrize("figure", ["V7/V", "viio7", "viiø7/V", "Ger65", "It6", "Fr43", "N6", "bVI", "iv6",
                                    "V65/V/V", "VII", "vii", "VI", "vi", "Cad64", "I[add6]"])
@pytest.mark.parametrize("key", ["C", "a", "Eb", "f#"])
def test_spellings_match_music21(figure, key):
    """Not only pitch classes: the spelled names agree too, bass first."""
    ours = [fifths_to_name(f) for f in realize(figure, key)]
    theirs = [p.name.replace("-", "b") for p in m21roman.RomanNumeral(figure, _m21_key(key)).pitches]
    assert ours[0] == theirs[0] and sorted(ours) == sorted(theirs)


def test_minor_subtonic_music21_names_bVII_and_then_misreads():
    """In G minor F-A-C is VII (RomanText: upper-case VII in minor is on the natural seventh degree).

    music21's ``romanNumeralFromChord`` calls it ``bVII``, which music21's own ``RomanNumeral`` realizes as
    Fb-Ab-Cb: its answer does not round-trip.  harmonia answers ``VII``, which realizes back to F-A-C.
    """
    k = _m21_key("g")
    m21_figure = m21roman.romanNumeralFromChord(m21chord.Chord(["F4", "A4", "C5"]), k).figure
    if m21_figure == "bVII":  # the music21 behaviour this test documents
        assert [p.name for p in m21roman.RomanNumeral(m21_figure, k).pitches] == ["F-", "A-", "C-"]
    assert analyze([-1, 3, 0], "g") == "VII"
    assert [fifths_to_name(f) for f in realize("VII", "g")] == ["F", "A", "C"]


def test_applied_dominant_music21_names_by_root_harmonia_by_function():
    """D-F#-A in C: music21's ``romanNumeralFromChord`` gives ``II`` (a chromatic root), a teacher and
    harmonia give ``V/V``, the figure the corpus's analysts wrote; both spell the same chord."""
    k = _m21_key("C")
    assert analyze([2, 6, 3], "C") == "V/V"
    assert sorted(p.pitchClass for p in m21roman.RomanNumeral("V/V", k).pitches) == [2, 6, 9]
