"""Chords: identification from pitches, and chord symbols in pop form (``Cmaj7/E``) and Harte form (``C:maj7``).

A chord quality is a set of intervals above the root, stored on the line of fifths (M3 = +4, m3 = -3,
P5 = +1, m7 = -2, A6 = +10 ...), so that spelled input gives spelled answers: Ab-C-Eb-F# is a German
sixth, Ab-C-Eb-Gb a dominant seventh.  Unspelled (MIDI) input is matched by pitch class.

**Which reading wins.**  :func:`identify_chord` tries every root and quality and keeps, in order:
the reading with no unexplained tones; then the fewest missing tones (a missing fifth is forgiven,
a missing third or seventh is not); then the reading whose root is in the bass; then the commoner
quality (triads, then sevenths, then sixths and added-note chords, then extended and altered chords).
So C-E-G-A is C6 over a C bass and Am7 over an A bass, and C-E-Bb (no fifth) is C7.

Examples
--------
>>> identify_chord([60, 64, 67, 70]).name, identify_chord([60, 64, 70]).name
('C7', 'C7')
>>> identify_chord([57, 60, 64, 67]).name, identify_chord([60, 64, 67, 69]).name
('Am7', 'C6')
>>> parse_chord_symbol("F#m7b5").quality, format_harte(parse_harte("C:min/b3"))
('hdim7', 'C:min/b3')
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from harmonia.errors import ChordSymbolError
from harmonia.theory.pitch import fifths_to_name, fifths_to_pc, name_to_fifths

__all__ = [
    "QUALITIES",
    "SPELLED_ONLY",
    "ChordIdentity",
    "ChordSymbol",
    "format_chord_symbol",
    "format_harte",
    "identify_chord",
    "identify_chords",
    "parse_chord_symbol",
    "parse_harte",
]


class _Quality(NamedTuple):
    fifths: tuple[int, ...]  # intervals above the root, on the line of fifths; the root first
    pop: str
    harte: str
    rank: int  # preference: lower wins ties
    required: tuple[int, ...]  # members that may not be missing (indices into fifths)


#: Chord qualities: name -> line-of-fifths intervals, pop suffix, Harte shorthand, preference.
QUALITIES: dict[str, _Quality] = {
    "maj": _Quality((0, 4, 1), "", "maj", 0, (0, 1)),
    "min": _Quality((0, -3, 1), "m", "min", 0, (0, 1)),
    "dim": _Quality((0, -3, -6), "dim", "dim", 1, (0, 1, 2)),
    "aug": _Quality((0, 4, 8), "aug", "aug", 2, (0, 1, 2)),
    "dom7": _Quality((0, 4, 1, -2), "7", "7", 1, (0, 1, 3)),
    "maj7": _Quality((0, 4, 1, 5), "maj7", "maj7", 1, (0, 1, 3)),
    "min7": _Quality((0, -3, 1, -2), "m7", "min7", 1, (0, 1, 3)),
    "hdim7": _Quality((0, -3, -6, -2), "m7b5", "hdim7", 1, (0, 1, 2, 3)),
    "dim7": _Quality((0, -3, -6, -9), "dim7", "dim7", 1, (0, 1, 2, 3)),
    "minmaj7": _Quality((0, -3, 1, 5), "mMaj7", "minmaj7", 3, (0, 1, 3)),
    "aug7": _Quality((0, 4, 8, -2), "aug7", "aug(b7)", 3, (0, 1, 2, 3)),
    "augmaj7": _Quality((0, 4, 8, 5), "augMaj7", "aug(7)", 3, (0, 1, 2, 3)),
    "sus2": _Quality((0, 2, 1), "sus2", "sus2", 2, (0, 1, 2)),
    "sus4": _Quality((0, -1, 1), "sus4", "sus4", 2, (0, 1, 2)),
    "7sus4": _Quality((0, -1, 1, -2), "7sus4", "sus4(b7)", 3, (0, 1, 3)),
    "power": _Quality((0, 1), "5", "5", 4, (0, 1)),
    "maj6": _Quality((0, 4, 1, 3), "6", "maj6", 2, (0, 1, 3)),
    "min6": _Quality((0, -3, 1, 3), "m6", "min6", 2, (0, 1, 3)),
    "add9": _Quality((0, 4, 1, 2), "add9", "maj(9)", 3, (0, 1, 3)),
    "madd9": _Quality((0, -3, 1, 2), "madd9", "min(9)", 3, (0, 1, 3)),
    "add11": _Quality((0, 4, 1, -1), "add11", "maj(11)", 4, (0, 1, 3)),
    "6/9": _Quality((0, 4, 1, 3, 2), "6/9", "maj6(9)", 3, (0, 1, 3, 4)),
    "dom9": _Quality((0, 4, 1, -2, 2), "9", "9", 3, (0, 1, 3, 4)),
    "maj9": _Quality((0, 4, 1, 5, 2), "maj9", "maj9", 3, (0, 1, 3, 4)),
    "min9": _Quality((0, -3, 1, -2, 2), "m9", "min9", 3, (0, 1, 3, 4)),
    "dom11": _Quality((0, 4, 1, -2, 2, -1), "11", "11", 4, (0, 3, 5)),
    "min11": _Quality((0, -3, 1, -2, 2, -1), "m11", "min11", 4, (0, 1, 3, 5)),
    "dom13": _Quality((0, 4, 1, -2, 2, 3), "13", "13", 4, (0, 1, 3, 5)),
    "maj13": _Quality((0, 4, 1, 5, 2, 3), "maj13", "maj13", 4, (0, 1, 3, 5)),
    "min13": _Quality((0, -3, 1, -2, 2, 3), "m13", "min13", 4, (0, 1, 3, 5)),
    "7b9": _Quality((0, 4, 1, -2, -5), "7(b9)", "7(b9)", 4, (0, 1, 3, 4)),
    "7#9": _Quality((0, 4, 1, -2, 9), "7(#9)", "7(#9)", 4, (0, 1, 3, 4)),
    "7#11": _Quality((0, 4, 1, -2, 6), "7(#11)", "7(#11)", 4, (0, 1, 3, 4)),
    "7b13": _Quality((0, 4, 1, -2, -4), "7(b13)", "7(b13)", 4, (0, 1, 3, 4)),
    "7alt": _Quality((0, 4, -2, -5, 9, 8), "7alt", "7(b9,#9,#5)", 5, (0, 1, 2, 3)),
    "it6": _Quality((0, 4, 10), "It+6", "(1,3,#6)", 5, (0, 1, 2)),
    "fr6": _Quality((0, 4, 2, 10), "Fr+6", "(1,3,9,#6)", 5, (0, 1, 2, 3)),
    "ger6": _Quality((0, 4, 1, 10), "Ger+6", "(1,3,5,#6)", 5, (0, 1, 2, 3)),
}
_NAMES = tuple(QUALITIES)
#: Qualities told apart from others only by spelling (an augmented sixth sounds as a dominant seventh):
#: identification by pitch class skips them.
SPELLED_ONLY = frozenset({"it6", "fr6", "ger6"})


class ChordIdentity(NamedTuple):
    """The reading of a set of pitches as a chord."""

    root_pc: int
    root_fifths: int | None  # spelled root when the input was spelled
    quality: str
    inversion: int  # which chord member is in the bass: 0 root, 1 third ...
    bass_pc: int
    missing: tuple[int, ...]  # pitch classes of the template that do not sound
    extra: tuple[int, ...]  # sounding pitch classes the template does not explain

    @property
    def name(self) -> str:
        """Pop chord symbol, e.g. ``'Cmaj7/E'``."""
        root = self.root_fifths if self.root_fifths is not None else _default_spelling(self.root_pc)
        bass = None
        if self.bass_pc != self.root_pc:
            bass = _bass_spelling(root, self.quality, self.bass_pc)
        return format_chord_symbol(ChordSymbol(root, self.quality, bass, ()))


def _default_spelling(pc: int) -> int:
    """The usual name of a pitch class as a chord root: C C# D Eb E F F# G Ab A Bb B."""
    return {0: 0, 1: 7, 2: 2, 3: -3, 4: 4, 5: -1, 6: 6, 7: 1, 8: -4, 9: 3, 10: -2, 11: 5}[int(pc) % 12]


def _bass_spelling(root_fifths: int, quality: str, bass_pc: int) -> int:
    for f in QUALITIES[quality].fifths:
        if fifths_to_pc(root_fifths + f) == bass_pc:
            return root_fifths + f
    return _default_spelling(bass_pc)


def _score(present: set[int], bass: int, root: int, q: _Quality, pcs_of) -> tuple:
    members = [pcs_of(root, f) for f in q.fifths]
    member_set = set(members)
    extra = present - member_set
    missing = [i for i, m in enumerate(members) if m not in present]
    hard = [i for i in missing if i in q.required]
    key = (len(extra), len(hard), len(missing), bass != members[0], q.rank)
    return key, members, extra, missing


def identify_chord(pitches: Any, *, spellings: Any = None, bass: int | None = None) -> ChordIdentity:
    """Name the chord that a set of pitches forms.

    Parameters
    ----------
    pitches : sequence of int
        MIDI pitches (or pitch classes); the lowest is the bass unless ``bass`` is given.
    spellings : sequence of int, optional
        Line-of-fifths spellings of the pitches; with them, roots and intervals are matched as spelled.
    bass : int, optional
        Pitch class of the bass.

    Returns
    -------
    ChordIdentity

    Raises
    ------
    ValueError
        For an empty chord.

    Examples
    --------
    >>> identify_chord([56, 60, 63, 66], spellings=[-4, 0, -3, 6]).quality  # Ab C Eb F#
    'ger6'
    >>> identify_chord([56, 60, 63, 66], spellings=[-4, 0, -3, -6]).quality  # Ab C Eb Gb
    'dom7'
    >>> identify_chord([64, 67, 72]).inversion  # C/E
    1
    """
    p = np.asarray(pitches, dtype=int)
    if p.size == 0:
        raise ValueError("cannot identify an empty chord")
    bass_pc = int(bass) % 12 if bass is not None else int(p.min()) % 12
    best = None
    if spellings is not None:
        sp = [int(s) for s in spellings]
        bass_sp = sp[int(np.argmin(p))] if bass is None else None
        present = set(sp)
        roots = sorted(present)
        for root in roots:
            for name, q in QUALITIES.items():
                key, members, extra, missing = _score(
                    present, bass_sp if bass_sp is not None else None, root, q, lambda r, f: r + f
                )
                if bass_sp is None:
                    key = (*key[:3], fifths_to_pc(members[0]) != bass_pc, key[4])
                if best is None or key < best[0]:
                    best = (key, root, name, members, extra, missing)
        _, root, name, members, extra, missing = best
        member_pcs = [fifths_to_pc(m) for m in members]
        inversion = member_pcs.index(bass_pc) if bass_pc in member_pcs else 0
        return ChordIdentity(
            fifths_to_pc(root), root, name, inversion, bass_pc,
            tuple(sorted({member_pcs[i] for i in missing})), tuple(sorted({fifths_to_pc(e) for e in extra})),
        )
    present = {int(x) % 12 for x in p}
    for root in range(12):
        for name, q in QUALITIES.items():
            if name in SPELLED_ONLY:
                continue
            key, members, extra, missing = _score(present, bass_pc, root, q, lambda r, f: (r + 7 * f) % 12)
            if best is None or key < best[0]:
                best = (key, root, name, members, extra, missing)
    _, root, name, members, extra, missing = best
    inversion = members.index(bass_pc) if bass_pc in members else 0
    return ChordIdentity(root, None, name, inversion, bass_pc, tuple(sorted(members[i] for i in missing)),
                         tuple(sorted(extra)))


# -- batch identification (numba) ----------------------------------------------------------------

def _batch_tables() -> tuple[np.ndarray, ...]:
    n_q = len(_NAMES)
    masks = np.zeros((n_q, 12), dtype=np.int64)  # template mask per root
    required = np.zeros((n_q, 12), dtype=np.int64)
    members = np.full((n_q, 12, 6), -1, dtype=np.int64)
    rank = np.zeros(n_q, dtype=np.int64)
    for qi, name in enumerate(_NAMES):
        q = QUALITIES[name]
        rank[qi] = q.rank if name not in SPELLED_ONLY else 1 << 20  # never chosen from pitch classes
        for r in range(12):
            for k, f in enumerate(q.fifths):
                pc = (r + 7 * f) % 12
                masks[qi, r] |= 1 << pc
                members[qi, r, k] = pc
                if k in q.required:
                    required[qi, r] |= 1 << pc
    return masks, required, members, rank


_TABLES: tuple[np.ndarray, ...] | None = None


@njit(cache=True)
def _popcount(x):  # pragma: no cover - compiled
    c = 0
    while x:
        x &= x - 1
        c += 1
    return c


@njit(cache=True)
def _identify_kernel(chord_masks, bass, masks, required, members, rank):  # pragma: no cover - compiled
    n = chord_masks.size
    n_q = masks.shape[0]
    out_root = np.zeros(n, dtype=np.int64)
    out_q = np.zeros(n, dtype=np.int64)
    out_inv = np.zeros(n, dtype=np.int64)
    for i in range(n):
        m = chord_masks[i]
        best = (1 << 62)
        for r in range(12):
            for qi in range(n_q):
                t = masks[qi, r]
                extra = _popcount(m & ~t)
                hard = _popcount(required[qi, r] & ~m)
                missing = _popcount(t & ~m)
                not_root = 1 if bass[i] != r else 0
                key = (((extra * 8 + hard) * 8 + missing) * 2 + not_root) * 8 + rank[qi]
                if key < best:
                    best = key
                    out_root[i] = r
                    out_q[i] = qi
        inv = 0
        for k in range(6):
            if members[out_q[i], out_root[i], k] == bass[i]:
                inv = k
                break
        out_inv[i] = inv
    return out_root, out_q, out_inv


def identify_chords(pc_masks: Any, bass_pc: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Identify many unspelled chords at once (the rule of :func:`identify_chord`, in numba).

    Parameters
    ----------
    pc_masks : array_like of bool, shape (n, 12)
        Which pitch classes sound in each chord.
    bass_pc : array_like of int, shape (n,)
        Bass pitch class of each chord.

    Returns
    -------
    (root_pc, quality, inversion) : tuple of numpy.ndarray
        ``quality`` indexes ``list(QUALITIES)``.

    Examples
    --------
    >>> masks = np.zeros((2, 12), bool); masks[0, [0, 4, 7]] = True; masks[1, [2, 5, 7, 11]] = True
    >>> root, q, inv = identify_chords(masks, [4, 7])
    >>> root.tolist(), [list(QUALITIES)[i] for i in q], inv.tolist()
    ([0, 7], ['maj', 'dom7'], [1, 0])
    """
    global _TABLES
    if _TABLES is None:
        _TABLES = _batch_tables()
    m = np.asarray(pc_masks, dtype=bool)
    bits = (m.astype(np.int64) << np.arange(12)).sum(axis=1)
    return _identify_kernel(bits, np.asarray(bass_pc, dtype=np.int64) % 12, *_TABLES)


# -- chord symbols ---------------------------------------------------------------------------------

class ChordSymbol(NamedTuple):
    """A chord symbol: spelled root, quality name (a key of :data:`QUALITIES`), spelled bass, alterations."""

    root_fifths: int
    quality: str
    bass_fifths: int | None
    alterations: tuple[str, ...]  # added or altered tones such as 'b9', '#11'

    @property
    def pcs(self) -> list[int]:
        """Pitch classes, bass first."""
        tones = [self.root_fifths + f for f in QUALITIES[self.quality].fifths]
        tones += [self.root_fifths + _DEGREE_FIFTHS[a] for a in self.alterations]
        pcs = [fifths_to_pc(t) for t in tones]
        if self.bass_fifths is not None:
            b = fifths_to_pc(self.bass_fifths)
            pcs = [b] + [x for x in pcs if x != b]
        return list(dict.fromkeys(pcs))


# degree (as written in symbols) -> line-of-fifths interval above the root
_DEGREE_FIFTHS = {
    "1": 0, "b2": -5, "2": 2, "#2": 9, "b3": -3, "3": 4, "4": -1, "#4": 6, "b5": -6, "5": 1, "#5": 8,
    "b6": -4, "6": 3, "bb7": -9, "b7": -2, "7": 5, "b9": -5, "9": 2, "#9": 9, "11": -1, "#11": 6,
    "b13": -4, "13": 3,
}
_POP_SUFFIXES = sorted(((q.pop, name) for name, q in QUALITIES.items()), key=lambda x: -len(x[0]))
_POP_ALIASES = {"M7": "maj7", "Δ7": "maj7", "Δ": "maj7", "min7": "min7", "-7": "min7", "ø7": "hdim7", "ø": "hdim7",
                "o7": "dim7", "°7": "dim7", "o": "dim", "°": "dim", "+": "aug", "min": "min", "-": "min",
                "maj": "maj", "m7(b5)": "hdim7", "sus": "sus4", "7sus": "7sus4", "M": "maj", "mM7": "minmaj7"}
_ROOT = re.compile(r"^([A-G](?:#{1,2}|b{1,2})?)")


def parse_chord_symbol(text: str) -> ChordSymbol:
    """Parse a pop chord symbol such as ``'Cmaj7/E'``, ``'F#m7b5'``, ``'Bb7(#9)'`` or ``'Dsus4'``.

    Raises
    ------
    ChordSymbolError
        If the symbol cannot be read (quoting it and the accepted form).

    Examples
    --------
    >>> s = parse_chord_symbol("Bb7(#9)/D")
    >>> fifths_to_name(s.root_fifths), s.quality, s.alterations, fifths_to_name(s.bass_fifths)
    ('Bb', 'dom7', ('#9',), 'D')
    """
    s = text.strip()
    m = _ROOT.match(s)
    if m is None:
        raise ChordSymbolError(f"{text!r} is not a chord symbol; expected a root A-G with # or b, e.g. 'Cmaj7/E'")
    root = name_to_fifths(m.group(1))
    rest = s[m.end():]
    bass = None
    slash = re.search(r"/([A-G](?:#{1,2}|b{1,2})?)$", rest)
    if slash:
        bass = name_to_fifths(slash.group(1))
        rest = rest[: slash.start()]
    alterations: tuple[str, ...] = ()
    paren = re.search(r"\(([^)]*)\)$", rest)
    if paren:
        alterations = tuple(a.strip() for a in paren.group(1).split(",") if a.strip())
        rest = rest[: paren.start()]
    quality = _POP_ALIASES.get(rest)
    if quality is None:
        quality = next((name for suffix, name in _POP_SUFFIXES if suffix == rest), None)
    if quality is None:
        known = sorted(q.pop for q in QUALITIES.values())
        raise ChordSymbolError(f"{text!r}: unknown chord quality {rest!r}; known: {known}")
    for a in alterations:
        if a not in _DEGREE_FIFTHS:
            raise ChordSymbolError(f"{text!r}: unknown chord alteration {a!r}; use b9, #9, #11, b13, 6, 9 ...")
    return ChordSymbol(root, quality, bass, alterations)


def format_chord_symbol(symbol: ChordSymbol) -> str:
    """Canonical pop form of a chord symbol.

    Examples
    --------
    >>> format_chord_symbol(parse_chord_symbol("CM7/E")), format_chord_symbol(parse_chord_symbol("F#ø7"))
    ('Cmaj7/E', 'F#m7b5')
    """
    text = fifths_to_name(symbol.root_fifths) + QUALITIES[symbol.quality].pop
    if symbol.alterations:
        text += "(" + ",".join(symbol.alterations) + ")"
    if symbol.bass_fifths is not None:
        text += "/" + fifths_to_name(symbol.bass_fifths)
    return text


_HARTE_SHORT = {q.harte: name for name, q in QUALITIES.items() if re.fullmatch(r"[a-z0-9]+", q.harte)}


def parse_harte(text: str) -> ChordSymbol | None:
    """Parse a chord in Harte et al.'s syntax (``'C:min/b3'``, ``'B:maj7'``, ``'A:sus4(b7)'``); ``'N'`` -> None.

    The bass is given as a degree above the root (``/b3``, ``/5``); a root without a shorthand is a major
    triad.

    References
    ----------
    C. Harte, M. Sandler, S. Abdallah and E. Gómez, "Symbolic representation of musical chords: a proposed
    syntax for text annotations," *Proc. ISMIR*, 2005.

    Raises
    ------
    ChordSymbolError
        For a malformed label.

    Examples
    --------
    >>> s = parse_harte("A:sus4(b7)")
    >>> s.quality, s.alterations
    ('sus4', ('b7',))
    """
    s = text.strip()
    if s in ("N", "X"):
        return None
    m = re.fullmatch(r"([A-G](?:#{1,2}|b{1,2})?)(?::([a-z0-9]+)?(\(([^)]*)\))?)?(?:/([b#]*\d+))?", s)
    if m is not None and s.endswith(":"):
        m = None
    if m is None:
        raise ChordSymbolError(f"{text!r} is not a Harte chord label such as 'C:maj7', 'A:min/b3' or 'N'")
    root = name_to_fifths(m.group(1))
    short, degrees, bass_degree = m.group(2), m.group(4), m.group(5)
    if short:
        if short not in _HARTE_SHORT:
            raise ChordSymbolError(f"{text!r}: unknown shorthand {short!r}; known: {sorted(_HARTE_SHORT)}")
        quality = _HARTE_SHORT[short]
    elif degrees is not None:
        quality = "power" if {d.strip() for d in degrees.split(",")} >= {"1", "5"} else "maj"
    else:
        quality = "maj"
    alterations: list[str] = []
    if degrees:
        for d in (x.strip() for x in degrees.split(",")):
            if d.startswith("*") or d in ("1",) or (quality == "power" and d == "5"):
                continue
            if d not in _DEGREE_FIFTHS:
                raise ChordSymbolError(f"{text!r}: unknown degree {d!r}")
            if _DEGREE_FIFTHS[d] not in QUALITIES[quality].fifths:
                alterations.append(d)
    bass = None
    if bass_degree:
        if bass_degree not in _DEGREE_FIFTHS:
            raise ChordSymbolError(f"{text!r}: unknown bass degree {bass_degree!r}")
        bass = root + _DEGREE_FIFTHS[bass_degree]
    return ChordSymbol(root, quality, bass, tuple(alterations))


def format_harte(symbol: ChordSymbol | None) -> str:
    """Harte form of a chord symbol (``None`` is ``'N'``, no chord).

    Examples
    --------
    >>> format_harte(parse_chord_symbol("Am/C")), format_harte(None)
    ('A:min/b3', 'N')
    """
    if symbol is None:
        return "N"
    q = QUALITIES[symbol.quality]
    head = fifths_to_name(symbol.root_fifths) + ":" + q.harte
    if symbol.alterations:
        head += "(" + ",".join(symbol.alterations) + ")"
    if symbol.bass_fifths is not None:
        diff = symbol.bass_fifths - symbol.root_fifths
        simple = {d: f for d, f in _DEGREE_FIFTHS.items() if not d.lstrip("b#").startswith(("9", "11", "13"))}
        degree = next((d for d, f in simple.items() if f == diff), None)
        if degree is None:
            raise ChordSymbolError(f"the bass of {format_chord_symbol(symbol)!r} is no degree Harte syntax can name")
        head += "/" + degree
    return head
