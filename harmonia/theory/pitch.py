"""Spelled pitches on the line of fifths.

A spelling is an integer position on the line of fifths: C=0, G=1, D=2 ... B=5, F#=6, and
F=-1, Bb=-2, Eb=-3 ...  Seven steps along the line change the accidental by one (F=-1, F#=6,
F##=13; B=5, Bb=-2, Bbb=-9).  The pitch class of a spelling is ``7 * fifths mod 12``; a spelled
pitch with octave is a spelling plus a MIDI number, and the octave follows from both (B#3 and C4
are both MIDI 60).

Examples
--------
>>> name_to_fifths("F#"), fifths_to_name(-2), fifths_to_pc(6)
(6, 'Bb', 6)
>>> pitch_name(60, 12)
'B#3'
"""

from __future__ import annotations

import re

import numpy as np

__all__ = [
    "LETTERS_BY_FIFTHS",
    "fifths_to_alter",
    "fifths_to_letter",
    "fifths_to_name",
    "fifths_to_pc",
    "is_enharmonic",
    "name_to_fifths",
    "parse_pitch_name",
    "pitch_name",
    "spelled_octave",
]

#: Natural letters in line-of-fifths order starting at F (F=-1).
LETTERS_BY_FIFTHS = "FCGDAEB"
_LETTER_FIFTHS = {letter: i - 1 for i, letter in enumerate(LETTERS_BY_FIFTHS)}
_NAME_RE = re.compile(r"^([A-Ga-g])(#{1,4}|x|b{1,4}|-{1,4}|)(-?\d+)?$")


def fifths_to_pc(fifths):
    """Pitch class (0-11, C=0) of line-of-fifths positions (scalar or array).

    Examples
    --------
    >>> fifths_to_pc(-2), fifths_to_pc(12)
    (10, 0)
    """
    return (np.asarray(fifths) * 7) % 12 if np.ndim(fifths) else int(fifths) * 7 % 12


def fifths_to_letter(fifths: int) -> str:
    """Letter name (A-G) of a line-of-fifths position."""
    return LETTERS_BY_FIFTHS[(int(fifths) + 1) % 7]


def fifths_to_alter(fifths: int) -> int:
    """Accidental of a line-of-fifths position, in semitones (+1 sharp, -1 flat)."""
    return (int(fifths) + 1) // 7


def fifths_to_name(fifths: int, *, flat: str = "b") -> str:
    """Name of a spelling, such as ``'F#'``, ``'Bb'`` or ``'Ebb'``.

    Parameters
    ----------
    fifths : int
        Line-of-fifths position.
    flat : str, default ``'b'``
        Flat sign; music21 writes ``'-'``.

    Examples
    --------
    >>> [fifths_to_name(f) for f in (-9, -2, 0, 6, 13)]
    ['Bbb', 'Bb', 'C', 'F#', 'F##']
    >>> fifths_to_name(-2, flat="-")
    'B-'
    """
    alter = fifths_to_alter(fifths)
    return fifths_to_letter(fifths) + ("#" * alter if alter >= 0 else flat * -alter)


def name_to_fifths(name: str) -> int:
    """Line-of-fifths position of a pitch name without octave (``'C#'``, ``'Bb'``, ``'E-'``, ``'Fx'``).

    Raises
    ------
    ValueError
        If the name is not a letter A-G followed by sharps or flats.

    Examples
    --------
    >>> name_to_fifths("Eb"), name_to_fifths("E-"), name_to_fifths("Fx")
    (-3, -3, 13)
    """
    m = _NAME_RE.match(name.strip())
    if m is None or m.group(3) is not None:
        raise ValueError(f"{name!r} is not a pitch name such as 'C', 'F#', 'Bb' or 'E-'")
    letter, acc = m.group(1).upper(), m.group(2)
    alter = 2 if acc == "x" else acc.count("#") - acc.count("b") - acc.count("-")
    return _LETTER_FIFTHS[letter] + 7 * alter


def spelled_octave(pitch, fifths):
    """Scientific-pitch octave of MIDI ``pitch`` spelled as ``fifths`` (B#3 and C4 are both MIDI 60).

    Examples
    --------
    >>> spelled_octave(60, 0), spelled_octave(60, 12), spelled_octave(59, -7)  # C4, B#3, Cb4
    (4, 3, 4)
    """
    alter = (np.asarray(fifths) + 1) // 7
    out = (np.asarray(pitch) - alter) // 12 - 1
    return out if np.ndim(out) else int(out)


def pitch_name(pitch: int, fifths: int, *, flat: str = "b") -> str:
    """Name with octave of a MIDI pitch under a spelling, such as ``'F#4'``.

    Raises
    ------
    ValueError
        If the spelling's pitch class differs from the MIDI pitch's.

    Examples
    --------
    >>> pitch_name(61, 7), pitch_name(61, -5)
    ('C#4', 'Db4')
    """
    if fifths_to_pc(fifths) != int(pitch) % 12:
        raise ValueError(f"spelling {fifths_to_name(fifths)} does not fit MIDI pitch {pitch}")
    return f"{fifths_to_name(fifths, flat=flat)}{spelled_octave(pitch, fifths)}"


def parse_pitch_name(name: str) -> tuple[int, int]:
    """Parse ``'F#4'`` (or music21's ``'B-3'``) into ``(midi, fifths)``.

    Raises
    ------
    ValueError
        If the name has no octave or is malformed.

    Examples
    --------
    >>> parse_pitch_name("C4"), parse_pitch_name("B#3"), parse_pitch_name("B-3")
    ((60, 0), (60, 12), (58, -2))
    """
    m = _NAME_RE.match(name.strip())
    if m is None or m.group(3) is None:
        raise ValueError(f"{name!r} is not a pitch name with octave such as 'C4', 'F#3' or 'B-2'")
    fifths = name_to_fifths(m.group(1) + m.group(2))
    octave = int(m.group(3))
    natural_pc = fifths_to_pc(_LETTER_FIFTHS[m.group(1).upper()])
    return 12 * (octave + 1) + natural_pc + fifths_to_alter(fifths), fifths


def is_enharmonic(a: int | str, b: int | str) -> bool:
    """Whether two spelled pitches sound the same (``'C#'`` and ``'Db'``, ``'B#3'`` and ``'C4'``).

    Each argument is a line-of-fifths position (int) or a name, with or without octave.  Two names with
    octaves are compared as MIDI numbers; otherwise pitch classes are compared.  As in music21, a pitch
    is enharmonic to itself.

    Raises
    ------
    ValueError
        If a name cannot be parsed.

    Examples
    --------
    >>> is_enharmonic("C#", "Db"), is_enharmonic("B#3", "C4"), is_enharmonic("B#4", "C4")
    (True, True, False)
    >>> is_enharmonic(6, -6), is_enharmonic("Fx", 1), is_enharmonic("E", "Fb5")  # F## is G (1)
    (True, True, True)
    """

    def midi_or_pc(x: int | str) -> tuple[int | None, int]:
        if isinstance(x, str):
            m = _NAME_RE.match(x.strip())
            if m is not None and m.group(3) is not None:
                midi, _ = parse_pitch_name(x)
                return midi, midi % 12
            return None, fifths_to_pc(name_to_fifths(x))
        return None, fifths_to_pc(int(x))

    (ma, pa), (mb, pb) = midi_or_pc(a), midi_or_pc(b)
    if ma is not None and mb is not None:
        return ma == mb
    return pa == pb
