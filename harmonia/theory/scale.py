"""Scales and modes, spelled on the line of fifths, with scale degrees and membership masks.

Each scale is a list of line-of-fifths offsets from its tonic, in scale order, so that realizing it on a
spelled tonic gives correct spellings (D harmonic minor has C#, Eb major has Ab).

Examples
--------
>>> from harmonia.theory.pitch import fifths_to_name
>>> [fifths_to_name(f) for f in scale_fifths("D", "harmonic minor")]
['D', 'E', 'F', 'G', 'A', 'Bb', 'C#']
>>> scale_degree("F#", "C")
'#4'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harmonia.theory.notearray import as_note_array
from harmonia.theory.pitch import fifths_to_name, fifths_to_pc, name_to_fifths

__all__ = ["SCALES", "estimate_scale", "scale_degree", "scale_fifths", "scale_mask", "scale_pcs"]

#: Scale name -> line-of-fifths offsets from the tonic, in scale order.
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, -1, 1, 3, 5),
    "natural minor": (0, 2, -3, -1, 1, -4, -2),
    "harmonic minor": (0, 2, -3, -1, 1, -4, 5),
    "melodic minor": (0, 2, -3, -1, 1, 3, 5),
    "ionian": (0, 2, 4, -1, 1, 3, 5),
    "dorian": (0, 2, -3, -1, 1, 3, -2),
    "phrygian": (0, -5, -3, -1, 1, -4, -2),
    "lydian": (0, 2, 4, 6, 1, 3, 5),
    "mixolydian": (0, 2, 4, -1, 1, 3, -2),
    "aeolian": (0, 2, -3, -1, 1, -4, -2),
    "locrian": (0, -5, -3, -1, -6, -4, -2),
    "major pentatonic": (0, 2, 4, 1, 3),
    "minor pentatonic": (0, -3, -1, 1, -2),
    "blues": (0, -3, -1, -6, 1, -2),
    "whole-tone": (0, 2, 4, 6, 8, 10),
    "octatonic half-whole": (0, -5, -3, 4, 6, 1, 3, -2),
    "octatonic whole-half": (0, 2, -3, -1, -6, -4, 3, 5),
    "chromatic": (0, 7, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5),
}
# names that repeat another scale's collection (left out of estimate_scale's candidates)
_ALIASES = {"ionian": "major", "aeolian": "natural minor"}
# a slight preference, per quarter of the score scale, for the common readings when the notes fit several
_PRIOR = {"major": 0.02, "natural minor": 0.02, "harmonic minor": 0.01, "major pentatonic": 0.01,
          "minor pentatonic": 0.01}


def _tonic(tonic: str | int) -> int:
    return name_to_fifths(tonic) if isinstance(tonic, str) else int(tonic)


def _check(name: str) -> tuple[int, ...]:
    if name not in SCALES:
        raise ValueError(f"unknown scale {name!r}; choose one of {sorted(SCALES)}")
    return SCALES[name]


def scale_fifths(tonic: str | int, name: str = "major") -> list[int]:
    """The spelled scale on a tonic (name such as ``'Eb'`` or line-of-fifths position).

    Examples
    --------
    >>> [fifths_to_name(f) for f in scale_fifths("Eb")]
    ['Eb', 'F', 'G', 'Ab', 'Bb', 'C', 'D']
    """
    t = _tonic(tonic)
    return [t + f for f in _check(name)]


def scale_pcs(tonic: str | int, name: str = "major") -> list[int]:
    """Pitch classes of a scale, in scale order.

    Examples
    --------
    >>> scale_pcs("A", "minor pentatonic")
    [9, 0, 2, 4, 7]
    """
    return [fifths_to_pc(f) for f in scale_fifths(tonic, name)]


def scale_mask(name: str, tonic_pc: Any) -> np.ndarray:
    """Boolean pitch-class membership ``(..., 12)`` of a scale for one or many tonics (pitch classes).

    Examples
    --------
    >>> scale_mask("major", [0, 7]).astype(int).tolist()
    [[1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], [1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1]]
    """
    base = np.zeros(12, dtype=bool)
    base[[fifths_to_pc(f) for f in _check(name)]] = True
    t = np.asarray(tonic_pc, dtype=np.int64)
    idx = (np.arange(12) - t[..., None]) % 12
    return base[idx]


def scale_degree(pitch: str | int, tonic: str | int, name: str = "major") -> str:
    """Scale degree of a spelled pitch in a scale: ``'1'`` ... ``'7'``, altered as ``'b3'``, ``'#4'``.

    Examples
    --------
    >>> scale_degree("Bb", "C"), scale_degree("G#", "A", "harmonic minor"), scale_degree("G", "A", "harmonic minor")
    ('b7', '7', 'b7')
    """
    p, t = _tonic(pitch), _tonic(tonic)
    steps = _check(name)
    rel = p - t
    letter = (rel * 4) % 7  # generic step above the tonic (a fifth is four steps)
    for k, s in enumerate(steps):
        if (s * 4) % 7 == letter:
            diff = (rel - s) // 7
            return ("#" * diff if diff > 0 else "b" * -diff) + str(k + 1)
    # a letter the scale lacks (pentatonic, blues): count the step from the major scale
    major = SCALES["major"]
    s = next(x for x in major if (x * 4) % 7 == letter)
    diff = (rel - s) // 7
    return ("#" * diff if diff > 0 else "b" * -diff) + str(major.index(s) + 1)


def estimate_scale(notes: Any, *, candidates: tuple[str, ...] | None = None) -> list[tuple[str, str, float]]:
    """Rank tonic and scale readings of a melody or passage, best first.

    Each (tonic, scale) is scored by the share of sounding time inside the scale, plus weight on the tonic
    (the final note, the first note and the tonic's own share of the time), minus a small cost per scale
    tone, so that a smaller collection wins when it explains the notes as well (a tune using only five
    pitch classes is pentatonic, not major).  Church modes sharing a collection are told apart by their
    tonic; when readings fit equally, major and minor come before the modes.

    Parameters
    ----------
    notes : note array or Score
        The passage.
    candidates : tuple of str, optional
        Scale names to consider (default: all but the chromatic scale and exact aliases).

    Returns
    -------
    list of (tonic name, scale name, confidence)
        Confidence is a softmax over the scores, summing to 1 over all readings.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> dorian = [62, 64, 65, 67, 69, 71, 72, 74, 72, 71, 69, 67, 65, 64, 62]
    >>> best = estimate_scale(make_note_array(range(15), 1.0, dorian))[0]
    >>> best[:2]
    ('D', 'dorian')
    """
    arr = as_note_array(notes)
    if arr.size == 0:
        raise ValueError("cannot estimate the scale of an empty passage")
    names = candidates or tuple(n for n in SCALES if n not in _ALIASES and n != "chromatic")
    w = np.bincount(arr["pitch"] % 12, weights=arr["duration"], minlength=12)
    w = w / w.sum()
    last_pc = int(arr["pitch"][np.argmax(arr["onset"] + arr["duration"] * 1e-6)] % 12)
    first_pc = int(arr["pitch"][0] % 12)
    scores, labels = [], []
    for name in names:
        masks = scale_mask(name, np.arange(12))
        inside = masks @ w
        size = masks.sum(axis=1)
        for tonic in range(12):
            score = 4.0 * inside[tonic] + 1.0 * (last_pc == tonic) + 0.3 * (first_pc == tonic)
            score += 1.0 * w[tonic] - 0.02 * size[tonic] + _PRIOR.get(name, 0.0)
            scores.append(score)
            labels.append((tonic, name))
    s = np.array(scores) * 8.0
    p = np.exp(s - s.max())
    p /= p.sum()
    order = np.argsort(-p, kind="stable")
    spelled = arr["spelling"][arr["spelling"] != -128]
    center = float(spelled.mean()) if spelled.size else 1.0
    out = []
    for i in order:
        tonic, name = labels[i]
        base = (tonic * 7) % 12
        fifths = min((base - 12, base, base + 12), key=lambda f: abs(f - center + 1))
        out.append((fifths_to_name(fifths), name, float(p[i])))
    return out
