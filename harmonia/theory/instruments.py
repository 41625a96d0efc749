"""Instrument ranges: the 128 General MIDI programs and named instruments, and General MIDI drum kits.

The table lives in ``harmonia/theory/data/ranges.json`` (schema: ``ranges.schema.json`` beside it),
shared with :func:`harmonia.theory.vl_rules.voice_ranges`.  Every range is a pair of *sounding* MIDI
pitches, inclusive:

* **absolute**: what the instrument can play at all (a professional player, the common model of the
  instrument, standard tuning);
* **comfortable**: the central register where tone, dynamics and agility are at ease; the range to
  ask of a generator by default.

A General MIDI entry that names an orchestral instrument (``"violin"``, ``"trumpet"`` ...) takes both
ranges from that instrument's entries, so each fact is written once.  Programs without an acoustic limit
(synthesizer leads, pads, effects) span the piano keyboard, sound effects the whole MIDI range; their
comfortable range is a central register chosen by harmonia.  The file cites its sources.

Program numbers are 0-based (0 = Acoustic Grand Piano, 127 = Gunshot), as in MIDI files and miditok;
``-1`` (miditok's program for drums) and ``128`` both mean the drum kit.

Examples
--------
>>> program_range(40), program_range(40, kind="absolute")  # violin
((55, 88), (55, 100))
>>> gm_program_name(33), gm_family(33)
('Electric Bass (finger)', 'Bass')
>>> instrument_range("cello", kind="comfortable")
(36, 72)
>>> drum_kit_pitches("basic")[:4].tolist()
[35, 36, 37, 38]
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

__all__ = [
    "DRUM_KITS",
    "DRUM_PROGRAMS",
    "drum_kit_pitches",
    "gm_family",
    "gm_program_name",
    "instrument_range",
    "program_range",
    "program_range_table",
]

#: Program numbers that mean the drum kit (miditok uses -1; some code uses 128).
DRUM_PROGRAMS = (-1, 128)

#: Named drum kits: key numbers of the General MIDI percussion map (GM Level 1: 35-81; GM Level 2 adds
#: 27-34 and 82-87).  ``"basic"`` is a rock/pop kit: kicks, side stick, snares, clap, hi-hats, toms,
#: crash and ride cymbals.
DRUM_KITS: dict[str, tuple[int, ...]] = {
    "gm": tuple(range(35, 82)),
    "gm2": tuple(range(27, 88)),
    "basic": (35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 53, 57, 59),
}

_KINDS = ("comfortable", "absolute")


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("harmonia.theory").joinpath("data/ranges.json").read_text(encoding="utf-8")
    return json.loads(text)


def _check_kind(kind: str) -> None:
    if kind not in _KINDS:
        raise ValueError(f"unknown range kind {kind!r}; use 'comfortable' or 'absolute'")


def instrument_range(name: str, *, kind: str = "comfortable") -> tuple[int, int]:
    """Range (lowest, highest sounding MIDI pitch) of a named instrument or voice.

    Parameters
    ----------
    name : str
        A name of ``ranges.json``: ``"violin"``, ``"double_bass"``, ``"guitar"``, ``"soprano"`` ... or a
        General MIDI program name (``"Alto Sax"``, case-insensitive).
    kind : {"comfortable", "absolute"}
        Which range.  Voices (SATB) have one range, returned for both kinds.

    Returns
    -------
    tuple of int

    Raises
    ------
    ValueError
        For an unknown name or kind.

    Examples
    --------
    >>> instrument_range("trumpet"), instrument_range("trumpet", kind="absolute")
    ((55, 79), (52, 82))
    >>> instrument_range("alto sax")
    (49, 77)
    """
    _check_kind(kind)
    data = _data()
    absolute = {n: (r["low"], r["high"]) for g in data["groups"].values() for n, r in g["ranges"].items()}
    comfortable = {n: (r["low"], r["high"]) for n, r in data["comfortable"]["ranges"].items()}
    if name in absolute:
        return comfortable.get(name, absolute[name]) if kind == "comfortable" else absolute[name]
    for entry in data["general_midi"]["programs"]:
        if entry["name"].lower() == name.lower():
            return program_range(entry["program"], kind=kind)
    raise ValueError(f"unknown instrument {name!r}; known: {sorted(absolute)} or a General MIDI program name")


@lru_cache(maxsize=2)
def _table(kind: str) -> np.ndarray:
    data = _data()
    out = np.zeros((128, 2), dtype=np.int64)
    for entry in data["general_midi"]["programs"]:
        if "instrument" in entry:
            out[entry["program"]] = instrument_range(entry["instrument"], kind=kind)
        else:
            out[entry["program"]] = entry[kind]
    out.setflags(write=False)
    return out


def program_range_table(*, kind: str = "comfortable") -> np.ndarray:
    """Ranges of all 128 General MIDI programs as a read-only ``(128, 2)`` int64 array (low, high).

    Examples
    --------
    >>> t = program_range_table(kind="absolute")
    >>> t.shape, t[0].tolist(), t[73].tolist()
    ((128, 2), [21, 108], [60, 96])
    """
    _check_kind(kind)
    return _table(kind)


def program_range(program: int, *, kind: str = "comfortable") -> tuple[int, int]:
    """Range (lowest, highest sounding MIDI pitch) of a General MIDI program (0-127).

    Raises
    ------
    ValueError
        For a program outside 0-127 (drums, -1 or 128, have no pitch range: see :data:`DRUM_KITS`).

    Examples
    --------
    >>> program_range(0), program_range(32, kind="absolute")
    ((36, 96), (28, 67))
    """
    if not 0 <= int(program) <= 127:
        raise ValueError(f"program {program} has no pitch range; General MIDI programs are 0-127 (drums: -1/128)")
    lo, hi = program_range_table(kind=kind)[int(program)]
    return int(lo), int(hi)


def gm_program_name(program: int) -> str:
    """General MIDI Level 1 name of a program (0-127; -1 and 128 give ``'Drums'``).

    Examples
    --------
    >>> gm_program_name(0), gm_program_name(-1)
    ('Acoustic Grand Piano', 'Drums')
    """
    if int(program) in DRUM_PROGRAMS:
        return "Drums"
    if not 0 <= int(program) <= 127:
        raise ValueError(f"program {program} is not a General MIDI program (0-127, or -1/128 for drums)")
    return _data()["general_midi"]["programs"][int(program)]["name"]


def gm_family(program: int) -> str:
    """General MIDI family of a program (``'Piano'``, ``'Bass'``, ``'Synth Pad'`` ...; drums: ``'Drums'``).

    Examples
    --------
    >>> gm_family(56), gm_family(128)
    ('Brass', 'Drums')
    """
    if int(program) in DRUM_PROGRAMS:
        return "Drums"
    gm_program_name(program)  # validates
    return _data()["general_midi"]["families"][int(program) // 8]


def drum_kit_pitches(kit: str | Any = "gm") -> np.ndarray:
    """Key numbers of a drum kit: a name of :data:`DRUM_KITS` or an iterable of MIDI key numbers.

    Examples
    --------
    >>> drum_kit_pitches("gm")[[0, -1]].tolist()
    [35, 81]
    >>> drum_kit_pitches([36, 38, 42]).tolist()
    [36, 38, 42]
    """
    if isinstance(kit, str):
        if kit not in DRUM_KITS:
            raise ValueError(f"unknown drum kit {kit!r}; choose one of {sorted(DRUM_KITS)} or pass key numbers")
        kit = DRUM_KITS[kit]
    out = np.unique(np.asarray(list(kit), dtype=np.int64))
    if out.size and (out[0] < 0 or out[-1] > 127):
        raise ValueError(f"drum key numbers must be MIDI numbers 0-127, got {out.tolist()}")
    return out
