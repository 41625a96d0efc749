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

import functools
import json
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

from harmonia.theory.pitch import fifths_to_name, fifths_to_pc, name_to_fifths

__all__ = [
    "KEY_PROFILES",
    "MODES",
    "Key",
    "estimate_key_from_pcd",
    "format_key",
    "key_correlations",
    "key_profile",
    "parse_key",
    "pitch_class_distribution",
]

#: Names of the shipped key profiles (see ``harmonia/theory/data/key_profiles.json`` for sources).
KEY_PROFILES = (
    "krumhansl-kessler",
    "temperley",
    "temperley-kostka-payne",
    "aarden-essen",
    "bellman-budge",
    "albrecht-shanahan",
)

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


@functools.lru_cache(maxsize=1)
def _profile_data() -> dict[str, Any]:
    text = resources.files("harmonia.theory").joinpath("data/key_profiles.json").read_text(encoding="utf-8")
    return json.loads(text)["profiles"]


def key_profile(name: str = "albrecht-shanahan") -> np.ndarray:
    """A published key profile as a ``(2, 12)`` array: major row, minor row, by semitones above the tonic.

    Parameters
    ----------
    name : str
        One of :data:`KEY_PROFILES`.

    Raises
    ------
    ValueError
        For an unknown name.

    Examples
    --------
    >>> key_profile("krumhansl-kessler")[0, :3].tolist()
    [6.35, 2.23, 3.48]
    """
    data = _profile_data()
    if name not in data:
        raise ValueError(f"unknown key profile {name!r}; choose one of {list(KEY_PROFILES)}")
    out = np.array([data[name]["major"], data[name]["minor"]], dtype=float)
    out.flags.writeable = False
    return out


def key_correlations(pcd: Any, *, profile: str = "albrecht-shanahan") -> np.ndarray:
    """Pearson correlation of pitch-class distributions with the 24 rotated key profiles.

    Parameters
    ----------
    pcd : array_like
        Shape ``(12,)`` or ``(n, 12)``: weight of each pitch class (C=0).
    profile : str
        Which profile (:data:`KEY_PROFILES`).

    Returns
    -------
    numpy.ndarray
        Shape ``(24,)`` or ``(n, 24)``: keys 0-11 are C ... B major, 12-23 C ... B minor.

    Examples
    --------
    >>> c_major_scale = [1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]
    >>> int(np.argmax(key_correlations(c_major_scale, profile="krumhansl-kessler")))
    0
    """
    x = np.atleast_2d(np.asarray(pcd, dtype=float))
    if x.shape[-1] != 12:
        raise ValueError(f"pitch-class distributions have 12 entries, got shape {x.shape}")
    prof = key_profile(profile)
    degree = (np.arange(12)[None, :] - np.arange(12)[:, None]) % 12  # [tonic, pc]
    keys = np.concatenate([prof[0][degree], prof[1][degree]])  # (24, 12)
    kc = keys - keys.mean(axis=1, keepdims=True)
    xc = x - x.mean(axis=1, keepdims=True)
    denom = np.linalg.norm(xc, axis=1, keepdims=True) * np.linalg.norm(kc, axis=1)[None, :]
    r = np.divide(xc @ kc.T, denom, out=np.zeros((x.shape[0], 24)), where=denom > 0)
    return r[0] if np.ndim(pcd) == 1 else r


def estimate_key_from_pcd(pcd: Any, *, profile: str = "albrecht-shanahan") -> Key:
    """The best-correlating key of a pitch-class distribution (Krumhansl-Schmuckler key finding).

    The tonic is spelled as its key signature is written with fewer accidentals (Eb major rather than
    D# major, C# minor rather than Db minor).

    Examples
    --------
    >>> estimate_key_from_pcd([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1])  # the harmonic minor scale of C
    Key(tonic_fifths=0, mode='minor')
    """
    k = int(np.argmax(key_correlations(pcd, profile=profile)))
    mode = "major" if k < 12 else "minor"
    tonic_fifths = (k % 12) * 7 % 12  # 0..11 on the line of fifths
    # signature of the key, in sharps: the tonic's position (minus 3 for minor); keep it within -6..+5
    signature = tonic_fifths - (3 if mode == "minor" else 0)
    if signature > 5:
        tonic_fifths -= 12
    return Key(tonic_fifths, mode)


def pitch_class_distribution(notes: Any, *, weight: str = "duration") -> np.ndarray:
    """Pitch-class distribution of a note array (or Score), weighted by ``duration`` or ``count``.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> pitch_class_distribution(make_note_array([0, 1], [2, 1], [60, 64])).tolist()[:5]
    [2.0, 0.0, 0.0, 0.0, 1.0]
    """
    from harmonia.theory.notearray import as_note_array

    arr = as_note_array(notes, sort=False)
    if weight not in ("duration", "count"):
        raise ValueError(f"weight must be 'duration' or 'count', got {weight!r}")
    w = arr["duration"] if weight == "duration" else np.ones(arr.size)
    return np.bincount(arr["pitch"] % 12, weights=w, minlength=12).astype(float)
