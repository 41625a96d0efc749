"""Keys: a tonic on the line of fifths and a mode.

A key is a :class:`Key` ``(tonic_fifths, mode)`` with ``mode`` ``'major'`` or ``'minor'``.  Its text
form follows music21 and the analysis JSON: upper-case tonic for major (``'C'``, ``'F#'``, ``'Bb'``),
lower-case for minor (``'c'``, ``'f#'``, ``'bb'``); music21's ``'B-'``/``'b-'`` flats are accepted
on input.

Examples
--------
>>> parse_key("f#")
Key(tonic_fifths=6, mode='minor')
>>> format_key(Key(-2, "major")), format_key(parse_key("b-"))
('Bb', 'bb')
"""

from __future__ import annotations

from typing import NamedTuple

from harmonia.theory.pitch import fifths_to_name, fifths_to_pc, name_to_fifths

__all__ = ["MODES", "Key", "format_key", "parse_key"]

MODES = ("major", "minor")


class Key(NamedTuple):
    """A key: tonic as a line-of-fifths position, and ``'major'`` or ``'minor'``."""

    tonic_fifths: int
    mode: str

    @property
    def tonic_pc(self) -> int:
        """Pitch class of the tonic (C=0)."""
        return fifths_to_pc(self.tonic_fifths)

    def __str__(self) -> str:
        return format_key(self)


def parse_key(text: str | Key) -> Key:
    """Parse ``'C'``, ``'c'``, ``'F#'``, ``'bb'``, ``'B-'``, ``'Gb:maj'`` or ``'a:min'`` into a :class:`Key`.

    Raises
    ------
    ValueError
        If the text names no key.

    Examples
    --------
    >>> parse_key("Eb"), parse_key("Gb:maj"), parse_key("c#:min")
    (Key(tonic_fifths=-3, mode='major'), Key(tonic_fifths=-6, mode='major'), Key(tonic_fifths=7, mode='minor'))
    """
    if isinstance(text, Key):
        return text
    s = text.strip()
    mode = None
    for sep in (":", " "):
        if sep in s:
            s, tail = s.split(sep, 1)
            tail = tail.strip().lower()
            if tail in ("maj", "major"):
                mode = "major"
            elif tail in ("min", "minor"):
                mode = "minor"
            else:
                raise ValueError(f"{text!r}: unknown mode {tail!r}; use 'maj' or 'min'")
            break
    try:
        tonic = name_to_fifths(s)
    except ValueError:
        raise ValueError(f"{text!r} is not a key such as 'C', 'c', 'F#', 'bb' or 'Gb:maj'") from None
    if mode is None:
        mode = "major" if s[0].isupper() else "minor"
    return Key(tonic, mode)


def format_key(key: Key | tuple[int, str]) -> str:
    """Text form of a key: ``'C'``, ``'c'``, ``'F#'``, ``'bb'``.

    Examples
    --------
    >>> format_key((6, "minor"))
    'f#'
    """
    tonic, mode = key
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    name = fifths_to_name(tonic)
    return name if mode == "major" else name[0].lower() + name[1:]
