"""Roman numerals in RomanText / music21 syntax: parse, format, realize and analyze.

A figure such as ``V65/V`` is parsed into a :class:`RomanNumeral`; :func:`realize` spells it in a key as
line-of-fifths positions with the bass first; :func:`analyze` names a chord in a key, preferring the
reading a theory teacher would give (diatonic, then applied dominants and leading-tone chords, then mixture,
then Neapolitan and augmented sixths; a chord missing its fifth as ``[no5]``, a bare fifth as ``[no3]``).
:func:`realize_many` and :func:`analyze_pcs_many` do whole lists with array operations and one table look-up.

Conventions (those of RomanText and music21):

* **Degrees** come from the major scale in major keys and from the natural minor scale in minor keys,
  except that in minor a lower-case or diminished numeral on the sixth or seventh degree stands on the
  raised degree (``vi``, ``viio`` on F# and G# in A minor) while an upper-case one stands on the natural
  degree (``VI``, ``VII`` on F and G).  ``b`` and ``#`` lower or raise the root from there.
* **Quality** comes from the case and the marks: upper case major, lower case minor, ``o`` diminished,
  ``ø`` (or ``/o``) half-diminished, ``+`` augmented.  A seventh is the diatonic seventh above the root,
  except that ``o`` makes it diminished and ``ø`` minor.
* **Figures** give the inversion: ``6``, ``64`` for triads; ``7``, ``65``, ``43``, ``42`` (or ``2``) for
  sevenths.
* **Added, omitted and altered tones**: ``[add6]``, ``[add9]``, ``[no3]``, ``[no5]``, ``[#5]``; added tones
  are intervals above the root from the key's scale.  A half-diminished mark without a seventh figure
  (``iiø``) is read as music21 reads it: a diminished triad.
* **Special chords**: ``N`` (Neapolitan, the major triad on the lowered second degree; ``N6`` in first
  inversion), ``It6``, ``Fr43``, ``Ger65`` (augmented sixths on the lowered sixth degree with the raised
  fourth), ``Cad64`` (the cadential six-four: the tonic triad over the dominant bass).
* **Applied chords**: ``/V``, ``/ii``, nested ``/V/V``: the numeral is read in the key of the chord it
  applies to (major for an upper-case target, minor for a lower-case one).

Harmonic functions (:func:`harmonic_function`): tonic ``T``, predominant / subdominant ``S``, dominant ``D``.

=====================================================  =========
numeral                                                function
=====================================================  =========
I, i, vi (in major), iii, III, bIII, #vi               T
ii, IV, iv, VI and bVI, N, It, Fr, Ger, bII            S
V, vii (any quality), VII in minor, Cad64              D
any applied chord (``/x``)                             D
=====================================================  =========

Examples
--------
>>> rn = parse_roman("V65/V")
>>> format_roman(rn)
'V65/V'
>>> realize("V65/V", "C")  # F# A C D: the bass first, spelled on the line of fifths
[6, 3, 0, 2]
>>> analyze([6, 3, 0, 2], "C")
'V65/V'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from harmonia.errors import RomanNumeralError
from harmonia.theory.key import Key, parse_key
from harmonia.theory.notearray import NO_SPELLING
from harmonia.theory.pitch import fifths_to_pc

__all__ = [
    "RomanNumeral",
    "analyze",
    "analyze_pcs",
    "analyze_pcs_many",
    "chord_numeral",
    "format_roman",
    "harmonic_function",
    "parse_roman",
    "realize",
    "realize_many",
    "realize_pcs",
]

_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII")
# line-of-fifths offset of each scale degree above the tonic
_MAJOR_DEGREES = (0, 2, 4, -1, 1, 3, 5)
_MINOR_DEGREES = (0, 2, -3, -1, 1, -4, -2)
_FIGURES = {
    "": (False, 0), "6": (False, 1), "64": (False, 2),
    "7": (True, 0), "65": (True, 1), "43": (True, 2), "42": (True, 3), "2": (True, 3),
}
_TRIAD_FIGURES = ("", "6", "64")
_SEVENTH_FIGURES = ("7", "65", "43", "42")
_RE = re.compile(
    r"^(?P<acc>(?:b|#|-)*)(?P<num>VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i|N|It|Fr|Ger|Cad)"
    r"(?P<mark>o|ø|/o|\+)?(?P<fig>\d*)(?P<extra>(?:\[[^\]]*\])*)$"
)


class RomanNumeral(NamedTuple):
    """A parsed Roman numeral figure.

    ``special`` is ``''`` for ordinary numerals, else one of ``N``, ``It``, ``Fr``, ``Ger``, ``Cad``.
    ``quality`` is ``major``, ``minor``, ``diminished``, ``half-diminished`` or ``augmented``.
    ``applied`` holds the targets of ``/x`` from the nearest outward (``V7/V/V`` has ``('V', 'V')``).
    """

    degree: int
    alteration: int
    quality: str
    seventh: bool
    inversion: int
    added: tuple[str, ...] = ()
    omitted: tuple[int, ...] = ()
    special: str = ""
    upper: bool = True
    applied: tuple[str, ...] = ()


def parse_roman(figure: str) -> RomanNumeral:
    """Parse a RomanText figure.

    Raises
    ------
    RomanNumeralError
        If the figure is not a Roman numeral (quoting it and the accepted form).

    Examples
    --------
    >>> parse_roman("viiø43").quality, parse_roman("viiø43").inversion
    ('half-diminished', 2)
    >>> parse_roman("bVI").alteration, parse_roman("It6").special
    (-1, 'It')
    """
    # 'V6/5' and 'viio/4/3' spell the figures 65 and 43, not applied chords
    text = re.sub(r"(?<=[\do+ø])/(?=\d)", "", figure.strip())
    parts = text.split("/")
    # '/o' is a half-diminished mark, not an applied chord
    merged: list[str] = []
    for part in parts:
        if part.startswith("o") and merged and not merged[-1].endswith("]"):
            merged[-1] += "/" + part
        else:
            merged.append(part)
    head, targets = merged[0], tuple(merged[1:])
    m = _RE.match(head)
    if m is None or not text:
        raise RomanNumeralError(
            f"{figure!r} is not a Roman numeral; expected RomanText such as 'V65/V', 'viio7', 'bVI', 'N6', 'Ger65'"
        )
    for t in targets:
        if _RE.match(t) is None or not t:
            raise RomanNumeralError(f"{figure!r}: the applied target {t!r} is not a Roman numeral")
    acc = m.group("acc").replace("-", "b")
    alteration = acc.count("#") - acc.count("b")
    num, mark, fig, extra = m.group("num"), m.group("mark") or "", m.group("fig"), m.group("extra")
    added, omitted = _extras(figure, extra)
    if num in ("N", "It", "Fr", "Ger", "Cad"):
        specials = {"N": ("", "6", "64"), "It": ("6",), "Fr": ("43",), "Ger": ("65",), "Cad": ("64",)}
        if fig not in specials[num]:
            raise RomanNumeralError(f"{figure!r}: {num} takes the figures {specials[num]}")
        seventh, inversion = (num in ("Fr", "Ger")), (1 if num != "Cad" and fig else (2 if num == "Cad" else 0))
        if num == "N":
            inversion = {"": 0, "6": 1, "64": 2}[fig]
        quality = "major"
        return RomanNumeral(2 if num == "N" else 6, -1, quality, seventh, inversion, added, omitted, num, True, targets)
    if fig not in _FIGURES:
        raise RomanNumeralError(f"{figure!r}: unknown figure {fig!r}; use 6, 64, 7, 65, 43, 42 or 2")
    seventh, inversion = _FIGURES[fig]
    upper = num.isupper()
    degree = _NUMERALS.index(num.upper()) + 1
    quality = {"o": "diminished", "ø": "half-diminished", "/o": "half-diminished", "+": "augmented"}.get(
        mark, "major" if upper else "minor"
    )
    return RomanNumeral(degree, alteration, quality, seventh, inversion, added, omitted, "", upper, targets)


def _extras(figure: str, extra: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    added: list[str] = []
    omitted: list[int] = []
    for item in re.findall(r"\[([^\]]*)\]", extra):
        tokens = re.findall(r"add[b#]?\d+|no\d+|[b#]\d+", item)
        if not tokens or "".join(tokens) != item:
            raise RomanNumeralError(
                f"{figure!r}: unknown bracket [{item}]; use [addN], [add#N], [addbN], [noN] or [#N]/[bN]"
            )
        for token in tokens:
            if token.startswith("add"):
                added.append(token[3:])
            elif token.startswith("no"):
                omitted.append(int(token[2:]))
            else:
                added.append("alter" + token)  # [#5]: raise the fifth
    return tuple(added), tuple(omitted)


def format_roman(rn: RomanNumeral) -> str:
    """The canonical RomanText figure of a parsed numeral (``ø`` for half-diminished, ``42`` for third
    inversion).

    Examples
    --------
    >>> format_roman(parse_roman("V2")), format_roman(parse_roman("vii/o7"))
    ('V42', 'viiø7')
    """
    if rn.special:
        fig = {"N": _TRIAD_FIGURES[rn.inversion], "It": "6", "Fr": "43", "Ger": "65", "Cad": "64"}[rn.special]
        head = rn.special + fig
    else:
        acc = "#" * rn.alteration if rn.alteration > 0 else "b" * -rn.alteration
        num = _NUMERALS[rn.degree - 1]
        num = num if rn.upper else num.lower()
        mark = {"diminished": "o", "half-diminished": "ø", "augmented": "+"}.get(rn.quality, "")
        fig = (_SEVENTH_FIGURES if rn.seventh else _TRIAD_FIGURES)[rn.inversion]
        if rn.quality == "half-diminished" and fig == "7":
            fig = "7"
        head = acc + num + mark + fig
    head += "".join(f"[{a[5:]}]" if a.startswith("alter") else f"[add{a}]" for a in rn.added)
    head += "".join(f"[no{o}]" for o in rn.omitted)
    return "/".join((head, *rn.applied))


_key = functools.lru_cache(maxsize=256)(parse_key)


def _degree_fifths(degree: int, mode: str, *, upper: bool, quality: str) -> int:
    """Line-of-fifths offset (from the tonic) of a degree's root, with music21's minor-mode reading."""
    if mode == "major":
        return _MAJOR_DEGREES[degree - 1]
    base = _MINOR_DEGREES[degree - 1]
    if degree in (6, 7) and (not upper or quality in ("diminished", "half-diminished")):
        return base + 7  # raised sixth / leading tone
    return base


@functools.lru_cache(maxsize=4096)
def _realize_rel(figure: str, mode: str) -> tuple[int, ...]:
    """Spelled chord (bass first) relative to a tonic at 0, for a key mode."""
    rn = parse_roman(figure)
    tonic = 0
    # applied chords: walk the targets from the outermost inward
    for target in reversed(rn.applied):
        t = parse_roman(target)
        root = tonic + _degree_fifths(t.degree, mode, upper=t.upper, quality=t.quality) + 7 * t.alteration
        tonic, mode = root, ("major" if t.upper and t.quality != "diminished" else "minor")
    return tuple(_members(rn, tonic, mode))


def _members(rn: RomanNumeral, tonic: int, mode: str) -> list[int]:
    root = tonic
    if rn.special in ("It", "Fr", "Ger"):
        b6, one, sharp4 = tonic - 4, tonic, tonic + 6
        extra = {"It": [], "Fr": [tonic + 2], "Ger": [tonic - 3]}[rn.special]
        return [b6, one, *extra, sharp4]
    if rn.special == "Cad":
        return [tonic + 1, tonic, tonic + 4 if mode == "major" else tonic - 3]
    if rn.special == "N":
        root = tonic - 5
        chord = [root, root + 4, root + 1]
    else:
        root = tonic + _degree_fifths(rn.degree, mode, upper=rn.upper, quality=rn.quality) + 7 * rn.alteration
        third = root + (4 if rn.quality in ("major", "augmented") else -3)
        fifth = root + {"diminished": -6, "half-diminished": -6, "augmented": 8}.get(rn.quality, 1)
        chord = [root, third, fifth]
        if rn.seventh:
            if rn.quality == "diminished":
                seventh = root - 9
            elif rn.quality == "half-diminished":
                seventh = root - 2
            else:
                seventh = _diatonic_seventh(root, tonic, mode)
                if rn.quality == "minor" and seventh - root == 5:
                    seventh -= 7  # a minor triad takes a minor seventh (iv7 in major), as in music21
            chord.append(seventh)
    members = {1: 0, 3: 1, 5: 2, 7: 3}
    for item in rn.added:
        if item.startswith("alter"):  # [#5], [b3]: alter a chord member
            index = members.get(int(item[6:]))
            if index is None or index >= len(chord):
                raise RomanNumeralError(f"{format_roman(rn)!r}: the chord has no {item[6:]}th to alter")
            chord[index] += 7 if item[5] == "#" else -7
    for number in rn.omitted:
        index = members.get(number)
        if index is None or index >= len(chord):
            raise RomanNumeralError(f"{format_roman(rn)!r}: cannot omit the {number}th of this chord")
        chord[index] = None  # type: ignore[call-overload]
    for item in rn.added:
        if not item.startswith("alter"):
            chord.append(_added_tone(item, root, tonic, mode))
    inversion = min(rn.inversion, len(chord) - 1)
    ordered = chord[inversion:] + chord[:inversion]
    # with the bass omitted ([no1]), the next chord member sounds lowest
    return [c for c in ordered if c is not None]


def _scale(tonic: int, mode: str) -> list[int]:
    return [tonic + d for d in (_MAJOR_DEGREES if mode == "major" else _MINOR_DEGREES)]


def _diatonic_seventh(root: int, tonic: int, mode: str) -> int:
    """The seventh above ``root`` from the key's scale (in minor the natural minor's, except over the
    leading tone, whose seventh is the diminished seventh, as in music21)."""
    return _scale_tone_above(root, 6, tonic, mode)


def _scale_tone_above(root: int, steps: int, tonic: int, mode: str) -> int:
    """The key's scale tone ``steps`` letter names above ``root`` (a generic step is 2 fifths, mod 7)."""
    return next(s for s in _scale(tonic, mode) if (s - root - 2 * steps) % 7 == 0)


def _added_tone(item: str, root: int, tonic: int, mode: str) -> int:
    acc = item[0] if item[0] in "b#" else ""
    number = int(item[len(acc):])
    tone = _scale_tone_above(root, (number - 1) % 7, tonic, mode)
    return tone + (7 if acc == "#" else -7 if acc == "b" else 0)


def realize(figure: str, key: str | Key) -> list[int]:
    """Spell a numeral in a key: line-of-fifths positions, the bass first.

    Examples
    --------
    >>> realize("viio7", "a")  # G# B D F
    [8, 5, 2, -1]
    >>> realize("Ger65", "C")  # Ab C Eb F#
    [-4, 0, -3, 6]
    """
    k = _key(key)
    return [k.tonic_fifths + f for f in _realize_rel(figure, k.mode)]


def realize_pcs(figure: str, key: str | Key) -> tuple[frozenset[int], int]:
    """Pitch-class set and bass pitch class of a numeral in a key.

    Examples
    --------
    >>> pcs, bass = realize_pcs("V7", "G")
    >>> sorted(pcs), bass
    ([0, 2, 6, 9], 2)
    """
    spelled = realize(figure, key)
    return frozenset(fifths_to_pc(f) for f in spelled), fifths_to_pc(spelled[0])


# -- analysis --------------------------------------------------------------------------------------

def _candidates(mode: str) -> list[str]:
    """Numerals in the order a teacher would prefer them: diatonic, applied, mixture, chromatic."""
    out: list[str] = []
    if mode == "major":
        triads = ["I", "ii", "iii", "IV", "V", "vi", "viio"]
        sevenths = ["I7", "ii7", "iii7", "IV7", "V7", "vi7", "viiø7"]
        mixture = ["i", "iio", "bIII", "iv", "v", "bVI", "bVII", "iiø7", "viio7", "bVI7", "iv7"]
        targets = ["ii", "iii", "IV", "V", "vi"]
    else:
        triads = ["i", "iio", "III", "iv", "V", "VI", "viio", "v", "VII", "IV"]
        sevenths = ["i7", "iiø7", "III7", "iv7", "V7", "VI7", "viio7", "v7", "VII7"]
        mixture = ["I", "ii", "IV7", "III+"]
        targets = ["III", "iv", "V", "VI", "VII"]
    for chord in triads + sevenths:
        out += _inversions(chord)
    for t in targets:
        for a in ("V", "V7", "viio", "viio7", "viiø7"):
            if a == "viiø7" and t.islower():
                continue
            out += [f"{x}/{t}" for x in _inversions(a)]
    for chord in mixture:
        out += _inversions(chord)
    out += ["N6", "N", "It6", "Fr43", "Ger65"]
    return out


def _inversions(chord: str) -> list[str]:
    base = re.match(r"^(.*?)(7?)$", chord)
    head, seventh = base.group(1), base.group(2)
    figs = _SEVENTH_FIGURES if seventh else _TRIAD_FIGURES
    return [head + f for f in figs]


def _incomplete(figure: str, omit: int) -> str | None:
    """``figure`` with its third or fifth omitted (``V7[no5]/V``), or None where that tone is the bass."""
    head, *targets = figure.split("/")
    m = re.match(r"^(.*?)(\d*)$", head)
    fig = m.group(2)
    if re.match(r"^(N|It|Fr|Ger|Cad)", head):
        return None  # N, It, Fr, Ger keep all their tones
    if omit == 5 and fig in ("64", "43"):
        return None
    if omit == 3 and fig not in ("", "7"):
        return None  # a chord without its third is read in root position only
    return "/".join((f"{head}[no{omit}]", *targets))


def _vocabulary(mode: str) -> list[str]:
    """Every figure :func:`analyze` can answer, in order of preference: complete chords, then chords
    without their fifth (``V7[no5]``), then root-position chords without their third (``I[no3]``, ``V7[no3]``)."""
    complete = _candidates(mode)
    no5 = [f for f in (_incomplete(c, 5) for c in complete) if f]
    no3 = [f for f in (_incomplete(c, 3) for c in complete) if f]
    return complete + no5 + no3


@functools.lru_cache(maxsize=4)
def _table(mode: str, spelled: bool) -> dict:
    table: dict = {}
    for figure in _vocabulary(mode):
        rel = _realize_rel(figure, mode)
        key = (frozenset(rel), rel[0]) if spelled else (frozenset(f * 7 % 12 for f in rel), rel[0] * 7 % 12)
        table.setdefault(key, figure)
    return table


def analyze(fifths, key: str | Key, *, bass: int | None = None) -> str:
    """Name a spelled chord in a key.

    Parameters
    ----------
    fifths : sequence of int
        The chord's spellings (line of fifths); the first is the bass unless ``bass`` is given.
    key : str or Key
        The key.
    bass : int, optional
        Spelling of the bass.

    Returns
    -------
    str
        The preferred numeral: diatonic before applied, applied before mixture, mixture before chromatic.

    Raises
    ------
    RomanNumeralError
        When no numeral of the vocabulary spells this chord in this key.

    Examples
    --------
    >>> analyze([-4, 0, -3, 6], "C")  # Ab C Eb F#
    'Ger65'
    >>> analyze([-4, 0, -3, -6], "C")  # Ab C Eb Gb: a dominant seventh on Ab, not a German sixth
    Traceback (most recent call last):
    ...
    harmonia.errors.RomanNumeralError: no numeral spells [-6, -4, -3, 0] over -4 in C
    """
    k = _key(key)
    rel = [int(f) - k.tonic_fifths for f in fifths]
    b = (int(bass) - k.tonic_fifths) if bass is not None else rel[0]
    found = _table(k.mode, True).get((frozenset(rel), b))
    if found is None:
        raise RomanNumeralError(f"no numeral spells {sorted(set(rel))} over {b} in {k}")
    return found


def analyze_pcs(pcs, bass_pc: int, key: str | Key) -> str:
    """Name an unspelled chord (pitch classes and bass pitch class) in a key.

    Examples
    --------
    >>> analyze_pcs({2, 6, 9, 0}, 6, "C"), analyze_pcs({7, 11, 2}, 7, "e")
    ('V65/V', 'III')
    """
    k = _key(key)
    t = k.tonic_pc
    rel = frozenset((int(p) - t) % 12 for p in pcs)
    found = _table(k.mode, False).get((rel, (int(bass_pc) - t) % 12))
    if found is None:
        raise RomanNumeralError(f"no numeral has pitch classes {sorted(rel)} over {(bass_pc - t) % 12} in {k}")
    return found


# -- batch API -------------------------------------------------------------------------------------

_MAX_TONES = 6


@functools.lru_cache(maxsize=8192)
def _relative_row(figure: str, mode: str) -> tuple[int, ...]:
    rel = _realize_rel(figure, mode)
    if len(rel) > _MAX_TONES:
        raise RomanNumeralError(f"{figure!r} has {len(rel)} tones; the batch API holds at most {_MAX_TONES}")
    return rel + (NO_SPELLING,) * (_MAX_TONES - len(rel))


def realize_many(figures: Sequence[str], keys: Sequence[str | Key]) -> tuple[np.ndarray, np.ndarray]:
    """Realize many numerals, each in its own key, into one array.

    Each distinct (figure, mode) is realized once; the tonics are added as one array operation.

    Parameters
    ----------
    figures : sequence of str
        RomanText figures.
    keys : sequence of str or Key
        One key per figure.

    Returns
    -------
    fifths : ndarray of int16, shape (n, 6)
        Spellings on the line of fifths, the bass in column 0, padded with ``NO_SPELLING`` (-128).
    sizes : ndarray of int8, shape (n,)
        Number of tones of each chord.

    Examples
    --------
    >>> fifths, sizes = realize_many(["V7/V", "It6"], ["C", "a"])
    >>> fifths[0, :sizes[0]].tolist(), fifths[1, :sizes[1]].tolist()
    ([2, 6, 3, 0], [-1, 3, 9])
    """
    if len(figures) != len(keys):
        raise RomanNumeralError(f"{len(figures)} figures but {len(keys)} keys; give one key per figure")
    lookup = {k: _key(k) for k in set(keys)}
    parsed = [lookup[k] for k in keys]
    rel = np.array([_relative_row(f, k.mode) for f, k in zip(figures, parsed)], dtype=np.int16).reshape(-1, 6)
    tonic = np.array([k.tonic_fifths for k in parsed], dtype=np.int16)
    pad = rel == NO_SPELLING
    out = np.where(pad, NO_SPELLING, rel + tonic[:, None]).astype(np.int16)
    return out, (~pad).sum(axis=1).astype(np.int8)


@functools.lru_cache(maxsize=2)
def _pc_code_table(minor: bool) -> tuple[np.ndarray, tuple[str, ...]]:
    """Figure index (-1: none) for every 16-bit code ``pc mask | bass << 12`` relative to the tonic."""
    table = _table("minor" if minor else "major", False)
    names = tuple(dict.fromkeys(table.values()))
    index = {n: i for i, n in enumerate(names)}
    codes = np.full(1 << 16, -1, dtype=np.int16)
    for (pcs, bass), figure in table.items():
        codes[sum(1 << p for p in pcs) | bass << 12] = index[figure]
    return codes, names


def analyze_pcs_many(pc_masks, bass_pcs, tonic_pcs, minor) -> list[str | None]:
    """Name many unspelled chords, each in its own key, with one vectorised table look-up.

    Parameters
    ----------
    pc_masks : array of int
        Pitch-class sets as 12-bit masks (bit ``p`` set when pitch class ``p`` sounds).
    bass_pcs : array of int
        Bass pitch classes.
    tonic_pcs : array of int
        Tonic pitch class of each chord's key.
    minor : array of bool
        Whether each key is minor.

    Returns
    -------
    list of str or None
        The numeral :func:`analyze_pcs` gives, or None where it would raise.

    Examples
    --------
    >>> analyze_pcs_many([0b001001000100, 0b001001000101], [2, 6], [7, 0], [False, False])  # D F# A in G; in C
    ['V', 'V65/V']
    """
    masks = np.asarray(pc_masks, dtype=np.int64) & 0xFFF
    bass = np.asarray(bass_pcs, dtype=np.int64) % 12
    tonic = np.asarray(tonic_pcs, dtype=np.int64) % 12
    is_minor = np.asarray(minor, dtype=bool)
    rotated = ((masks >> tonic) | (masks << (12 - tonic))) & 0xFFF  # pitch classes relative to the tonic
    code = rotated | ((bass - tonic) % 12) << 12
    out: list[str | None] = [None] * masks.size
    for flag in (False, True):
        codes, names = _pc_code_table(flag)
        sel = np.flatnonzero(is_minor == flag)
        found = codes[code[sel]]
        for i, f in zip(sel.tolist(), found.tolist()):
            if f >= 0:
                out[i] = names[f]
    return out


_QUALITY_MARKS = {
    # chord quality name -> (upper case, mark, seventh)
    "maj": (True, "", False), "min": (False, "", False), "dim": (False, "o", False), "aug": (True, "+", False),
    "dom7": (True, "", True), "maj7": (True, "", True), "min7": (False, "", True), "hdim7": (False, "ø", True),
    "dim7": (False, "o", True), "fr6": (True, "", True),
}


def chord_numeral(root_pc: int, quality: str, inversion: int, key: str | Key) -> str:
    """Name any chord as a numeral by its root's degree, whatever its function.

    Where :func:`analyze_pcs` picks the reading a teacher prefers from a vocabulary (applied chords,
    Neapolitan, augmented sixths), this names the chord plainly from the scale degree of its root, with
    ``b`` or ``#`` for a chromatic root, so that every chord gets a name.

    Parameters
    ----------
    root_pc : int
        Pitch class of the root.
    quality : str
        ``maj``, ``min``, ``dim``, ``aug``, ``dom7``, ``maj7``, ``min7``, ``hdim7``, ``dim7`` or ``fr6``.
    inversion : int
        0 root position, 1 first inversion ...
    key : str or Key
        The key.

    Examples
    --------
    >>> chord_numeral(8, "maj", 0, "C"), chord_numeral(3, "aug", 0, "C"), chord_numeral(6, "dim7", 0, "a")
    ('bVI', 'bIII+', 'vio7')
    """
    k = _key(key)
    if quality not in _QUALITY_MARKS:
        raise RomanNumeralError(f"unknown chord quality {quality!r}; use one of {sorted(_QUALITY_MARKS)}")
    upper, mark, seventh = _QUALITY_MARKS[quality]
    q = {"o": "diminished", "ø": "half-diminished", "+": "augmented"}.get(mark, "major" if upper else "minor")
    rel = (int(root_pc) - k.tonic_pc) % 12
    best = None
    for degree in range(1, 8):
        base = _degree_fifths(degree, k.mode, upper=upper, quality=q)
        for alteration in (0, -1, 1):
            if (7 * (base + 7 * alteration)) % 12 == rel:
                cost = (abs(alteration), alteration > 0)
                if best is None or cost < best[0]:
                    best = (cost, degree, alteration)
    _, degree, alteration = best
    numeral = _NUMERALS[degree - 1] if upper else _NUMERALS[degree - 1].lower()
    acc = "#" if alteration > 0 else "b" if alteration < 0 else ""
    figures = (_SEVENTH_FIGURES if seventh else _TRIAD_FIGURES)[min(inversion, 3 if seventh else 2)]
    return acc + numeral + mark + figures


def harmonic_function(figure: str, *, minor: bool = False) -> str:
    """Tonic (``T``), predominant (``S``) or dominant (``D``) function of a numeral (table in the module doc).

    Examples
    --------
    >>> [harmonic_function(f) for f in ("I", "ii6", "V7", "vi", "V7/V", "N6", "Cad64", "bVI")]
    ['T', 'S', 'D', 'T', 'D', 'S', 'D', 'S']
    """
    rn = parse_roman(figure)
    if rn.applied:
        return "D"
    if rn.special in ("N", "It", "Fr", "Ger"):
        return "S"
    if rn.special == "Cad":
        return "D"
    d = rn.degree
    if d in (5, 7):
        return "D"
    if d in (2, 4):
        return "S"
    if d == 6:
        return "T" if (not minor and rn.upper is False and rn.alteration == 0) or rn.alteration > 0 else "S"
    return "T"
