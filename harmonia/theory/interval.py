"""Spelled intervals on the line of fifths.

A directed spelled interval is an :class:`Interval` ``(fifths, semitones)``: how far it moves a spelling
along the line of fifths, and how many semitones it moves the pitch (negative downwards).  A major third
up is ``(4, 4)``, a minor sixth down ``(4, -8)`` (C down to E, like C up to E, is four fifths along the
line), a diminished seventh up ``(-9, 9)``.  The pair is consistent when ``semitones ≡ 7 * fifths
(mod 12)``; from it follow the interval's generic size (second, third ...), quality and octaves.

Names follow the usual shorthand: quality ``P`` perfect, ``M`` major, ``m`` minor, ``A`` augmented,
``d`` diminished (doubled for doubly augmented / diminished: ``AA4``, ``dd7``), then the generic size
counted from 1 (unison), with compound sizes allowed (``M9``, ``P15``), and a leading ``-`` for a
descending interval.

Examples
--------
>>> parse_interval("M3"), parse_interval("-m6"), parse_interval("d7")
(Interval(fifths=4, semitones=4), Interval(fifths=4, semitones=-8), Interval(fifths=-9, semitones=9))
>>> format_interval(Interval(6, 6)), format_interval(Interval(2, 14))
('A4', 'M9')
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

__all__ = [
    "Interval",
    "format_interval",
    "interval_between",
    "invert",
    "is_enharmonic",
    "parse_interval",
    "transpose_spelled",
]

# line-of-fifths offset of the perfect or major interval of each generic size (0 = unison ... 6 = seventh)
_BASE_FIFTHS = (0, 2, 4, -1, 1, 3, 5)
_PERFECT = (0, 3, 4)  # unison, fourth, fifth
# natural semitones of each generic step above C (C D E F G A B)
_STEP_SEMITONES = (0, 2, 4, 5, 7, 9, 11)
_NAME_RE = re.compile(r"^(-?)(P|M|m|A+|d+)(\d+)$")


class Interval(NamedTuple):
    """A directed spelled interval: line-of-fifths displacement and signed semitones."""

    fifths: int
    semitones: int

    def __neg__(self) -> Interval:
        return Interval(-self.fifths, -self.semitones)


def _quality(fifths_from_base: int, perfect: bool) -> str:
    if perfect:
        if fifths_from_base == 0:
            return "P"
        return "A" * (fifths_from_base // 7) if fifths_from_base > 0 else "d" * (-fifths_from_base // 7)
    if fifths_from_base == 0:
        return "M"
    if fifths_from_base == -7:
        return "m"
    if fifths_from_base > 0:
        return "A" * (fifths_from_base // 7)
    return "d" * ((-fifths_from_base - 7) // 7)


def parse_interval(name: str) -> Interval:
    """Parse an interval name such as ``'M3'``, ``'-P5'``, ``'A4'``, ``'dd7'`` or ``'M10'``.

    Raises
    ------
    ValueError
        If the name is malformed or the quality does not fit the size (``'M5'``, ``'P3'``).

    Examples
    --------
    >>> parse_interval("P8"), parse_interval("-M2"), parse_interval("A6")
    (Interval(fifths=0, semitones=12), Interval(fifths=-2, semitones=-2), Interval(fifths=10, semitones=10))
    """
    m = _NAME_RE.match(name.strip())
    if m is None:
        raise ValueError(f"{name!r} is not an interval name such as 'M3', '-P5', 'A4' or 'M9'")
    down, quality, size = m.group(1) == "-", m.group(2), int(m.group(3))
    if size < 1:
        raise ValueError(f"{name!r} is not a valid interval: sizes count from 1 (unison)")
    step = (size - 1) % 7
    octaves = (size - 1) // 7
    perfect = step in _PERFECT
    if quality in ("M", "m") and perfect:
        raise ValueError(f"{name!r} is not a valid interval: unisons, fourths, fifths and octaves are perfect, "
                         "augmented or diminished")
    if quality == "P" and not perfect:
        raise ValueError(f"{name!r} is not a valid interval: seconds, thirds, sixths and sevenths are major, minor, "
                         "augmented or diminished")
    shift = {"P": 0, "M": 0, "m": -7}.get(quality)
    if shift is None:
        n = len(quality)
        shift = 7 * n if quality[0] == "A" else -7 * n - (0 if perfect else 7)
    fifths = _BASE_FIFTHS[step] + shift
    semitones = _STEP_SEMITONES[step] + 12 * octaves + (fifths - _BASE_FIFTHS[step]) // 7
    if fifths < -1 and step == 0 and octaves == 0:
        raise ValueError(f"{name!r} is not a valid interval: a unison cannot be diminished")
    return Interval(-fifths, -semitones) if down else Interval(fifths, semitones)


def format_interval(interval: Interval | tuple[int, int]) -> str:
    """Name of a directed spelled interval (inverse of :func:`parse_interval`).

    Raises
    ------
    ValueError
        If ``semitones`` does not agree with ``fifths``.

    Examples
    --------
    >>> format_interval((-3, -9)), format_interval((0, -24)), format_interval((-6, 6))
    ('-M6', '-P15', 'd5')
    >>> format_interval((12, 0)), format_interval((-19, -1))
    ('-d2', 'dd2')
    """
    fifths, semitones = int(interval[0]), int(interval[1])
    if (semitones - 7 * fifths) % 12:
        raise ValueError(
            f"({fifths}, {semitones}) is not an interval: {semitones} semitones cannot span {fifths} fifths"
        )
    # the direction is that of the letter-name steps (4 per fifth, 7 per octave), not of the semitones:
    # (12, 0) is C4 down to B#3, a descending diminished second; (-19, -1) is C4 up to Dbbb4, an ascending
    # doubly diminished second; a unison goes down when its semitones do (C4 to Cb4 is -A1)
    steps = 4 * fifths + 7 * ((semitones - 7 * fifths) // 12)
    down = steps < 0 or (steps == 0 and semitones < 0)
    if down:
        fifths, semitones = -fifths, -semitones
    step = (4 * fifths) % 7
    base = _BASE_FIFTHS[step]
    quality = _quality(fifths - base, step in _PERFECT)
    natural = _STEP_SEMITONES[step] + (fifths - base) // 7
    octaves = (semitones - natural) // 12
    return f"{'-' if down else ''}{quality}{step + 1 + 7 * octaves}"


def invert(interval: Interval) -> Interval:
    """The complement within the octave (M3 -> m6, A4 -> d5, P1 -> P8), in the same direction.

    Compound intervals are reduced to their simple form first.

    Examples
    --------
    >>> format_interval(invert(parse_interval("M3"))), format_interval(invert(parse_interval("-A4")))
    ('m6', '-d5')
    """
    name = format_interval(interval)
    m = _NAME_RE.match(name)
    sign, quality, size = m.group(1), m.group(2), int(m.group(3))
    simple = (size - 1) % 7 + 1 if size != 8 else 8
    swapped = {"P": "P", "M": "m", "m": "M"}.get(quality) or ("d" if quality[0] == "A" else "A") * len(quality)
    return parse_interval(f"{sign}{swapped}{9 - simple}")


def interval_between(pitch_a, fifths_a, pitch_b, fifths_b):
    """The spelled interval from a to b (MIDI pitches and line-of-fifths spellings; arrays broadcast).

    Examples
    --------
    >>> interval_between(60, 0, 64, 4), interval_between(64, 4, 60, 0)
    (Interval(fifths=4, semitones=4), Interval(fifths=-4, semitones=-4))
    >>> format_interval(interval_between(60, 0, 66, 6)), format_interval(interval_between(60, 0, 66, -6))
    ('A4', 'd5')
    """
    f = np.asarray(fifths_b) - np.asarray(fifths_a)
    s = np.asarray(pitch_b) - np.asarray(pitch_a)
    if f.ndim == 0:
        return Interval(int(f), int(s))
    return Interval(f, s)


def transpose_spelled(pitch, fifths, interval: Interval | str):
    """Transpose spelled pitches: ``(pitch + semitones, fifths + fifths)`` (arrays broadcast).

    Examples
    --------
    >>> transpose_spelled(60, 0, "M3"), transpose_spelled(61, 7, "-P5")  # C4 -> E4, C#4 -> F#3
    ((64, 4), (54, 6))
    """
    iv = parse_interval(interval) if isinstance(interval, str) else interval
    p = np.asarray(pitch) + iv.semitones
    f = np.asarray(fifths) + iv.fifths
    if p.ndim == 0:
        return int(p), int(f)
    return p, f


def is_enharmonic(a: Interval | tuple[int, int] | str, b: Interval | tuple[int, int] | str) -> bool:
    """Whether two spelled intervals span the same number of semitones in the same direction.

    ``'A4'`` and ``'d5'`` (6 semitones), ``'M3'`` and ``'d4'`` (4) are enharmonic; ``'M3'`` and ``'M10'``
    are not, nor are ``'M3'`` and ``'-M3'``.  As in music21, an interval is enharmonic to itself.

    Parameters
    ----------
    a, b : Interval, (fifths, semitones) or str
        Intervals or interval names such as ``'A4'`` or ``'-m6'``.

    Raises
    ------
    ValueError
        If a name cannot be parsed or a pair is inconsistent.

    Examples
    --------
    >>> is_enharmonic("A4", "d5"), is_enharmonic("M3", "d4"), is_enharmonic("M3", "M10")
    (True, True, False)
    >>> is_enharmonic(Interval(6, 6), Interval(-6, 6)), is_enharmonic("AA2", "-m3")
    (True, False)
    """

    def semitones(x: Interval | tuple[int, int] | str) -> int:
        if isinstance(x, str):
            return parse_interval(x).semitones
        format_interval(x)  # validates the pair
        return int(x[1])

    return semitones(a) == semitones(b)
