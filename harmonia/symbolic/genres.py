"""The genre convention database: what a style's songs usually do, as validated data.

Each genre is one JSON file in ``harmonia/symbolic/data/genres/`` (loaded on first use, never at import).
One file per genre keeps entries small and reviewable, lets an entry learned from a corpus
(:func:`harmonia.workflows.conventions.learn_conventions`) be dropped beside the shipped ones, and needs
nothing beyond the standard library to read (TOML has no writer in the standard library, and learned
entries must be written).  The schema is the dataclasses below; :func:`genre_from_dict` checks every field
and raises :class:`~harmonia.errors.GenreSchemaError` naming the genre, the field and the problem.

What an entry holds
-------------------
* ``tempo_bpm`` (quarter notes per minute, low and high), ``meters`` (weighted), ``swing`` (0 straight
  to 1 triplet swing: the off-beat of each ``swing_unit`` pair sits at ``0.5 + swing / 6`` of the pair,
  so 1 is a 2:1 long-short ratio), ``energy`` (0 calm to 1 intense), ``modes`` (weighted: major, minor and
  the church-mode flavours).
* ``progressions``: Roman numerals in harmonia's RomanText syntax (:mod:`harmonia.theory.roman`), each
  with the mode of the key it is read in (``major`` or ``minor``), a weight, the sections it suits and
  its harmonic rhythm in bars per chord.  Every figure is parsed and realized when an entry is loaded.
* ``structures``: section sequences (``intro``, ``verse``, ``pre-chorus``, ``chorus``, ``bridge``,
  ``instrumental``, ``outro``) with bar counts.
* ``instrumentation``: General MIDI programs with a role (``drums``, ``percussion``, ``bass``,
  ``harmony``, ``pad``, ``melody``, ``counter-melody``, ``fx``).
* ``drum_patterns``: lanes of General MIDI drum notes on a step grid, one character per step: ``X``
  accent, ``x`` hit, ``o`` ghost note, ``.`` rest.  ``steps_per_bar`` is 16 for sixteenths in 4/4,
  12 for triplet eighths in 4/4 or sixteenths in 6/8 ...
* ``bass_patterns`` and ``comping_patterns``: a rhythm on the same kind of grid (``x`` onset, ``-``
  held, ``.`` rest) and, for the bass, the note of each onset (``root``, ``fifth``, ``third``, ``octave``,
  ``seventh``, ``sixth``, ``approach`` (a step into the next chord's root), ``scale``, ``chord``); for the
  comping, the voicing and register.
* ``melody``: range (MIDI), share of stepwise motion, syncopation level (0-1), notes per bar, phrase
  length, scale.
* ``production``: mix character, loudness target (LUFS, integrated), reverb, compression, stereo width.

The facts of the shipped entries are written from general knowledge of the styles by harmonia's
authors; ``references`` cite publications where a figure comes from one.  They describe common practice,
not rules: a generator samples from them.

Examples
--------
>>> g = get_genre("indie rock")
>>> g.name, g.tempo_bpm
('indie-rock', (110.0, 150.0))
>>> g.progressions[0].numerals
('I', 'V', 'vi', 'IV')
>>> [name for name, _ in nearest_genres("punk", k=2)]
['indie-rock', 'rock']
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from harmonia.errors import GenreSchemaError, HarmoniaError, UnknownGenreError

__all__ = [
    "BASS_NOTES",
    "DRUM_NOTES",
    "GROUP_WEIGHTS",
    "MODES",
    "ROLES",
    "SCALES",
    "SECTION_LABELS",
    "VOICINGS",
    "BassPattern",
    "CompPattern",
    "DrumLane",
    "DrumPattern",
    "Genre",
    "Instrument",
    "MelodyStyle",
    "Production",
    "Progression",
    "Structure",
    "filter_genres",
    "genre_features",
    "genre_from_dict",
    "genre_linkage",
    "genre_similarity",
    "genre_to_dict",
    "get_genre",
    "list_genres",
    "load_genre_file",
    "nearest_genres",
    "suggest_genres",
]

#: Section labels a structure may use.
SECTION_LABELS = ("intro", "verse", "pre-chorus", "chorus", "bridge", "instrumental", "outro")
#: Instrument roles.
ROLES = ("drums", "percussion", "bass", "harmony", "pad", "melody", "counter-melody", "fx")
#: Mode flavours; each is read through the parent mode of its progressions.
MODES = {
    "major": "major",
    "minor": "minor",
    "dorian": "minor",
    "phrygian": "minor",
    "aeolian": "minor",
    "mixolydian": "major",
    "lydian": "major",
}
#: Note choices of a bass pattern's onsets.
BASS_NOTES = ("root", "fifth", "third", "octave", "seventh", "sixth", "approach", "scale", "chord")
#: Comping voicings.
VOICINGS = ("triad", "seventh", "power", "shell", "open", "sus", "ninth", "cluster", "octave")
#: Melody scales.
SCALES = (
    "major", "minor", "harmonic-minor", "dorian", "mixolydian", "phrygian", "lydian",
    "pentatonic-major", "pentatonic-minor", "blues", "chromatic",
)
#: General MIDI percussion key map (notes 35-81) by the lane names the database uses.
DRUM_NOTES = {
    "kick": 36, "kick2": 35, "side-stick": 37, "snare": 38, "clap": 39, "snare2": 40,
    "floor-tom": 41, "closed-hat": 42, "low-tom": 45, "pedal-hat": 44, "open-hat": 46, "mid-tom": 47,
    "high-tom": 50, "crash": 49, "ride": 51, "china": 52, "ride-bell": 53, "tambourine": 54,
    "splash": 55, "cowbell": 56, "vibraslap": 58, "high-bongo": 60, "low-bongo": 61, "mute-conga": 62,
    "high-conga": 63, "low-conga": 64, "high-timbale": 65, "low-timbale": 66, "high-agogo": 67,
    "low-agogo": 68, "cabasa": 69, "maracas": 70, "short-guiro": 73, "long-guiro": 74, "claves": 75,
    "high-wood-block": 76, "low-wood-block": 77, "shaker": 82, "triangle": 81,
}
_STEP_VELOCITY = {"X": 115, "x": 95, "o": 45}
_DRUM_STEPS = frozenset(".xXo")
_RHYTHM_STEPS = frozenset(".x-")


# ----------------------------------------------------------------------------------------------------
# dataclasses


@dataclass(frozen=True)
class Progression:
    """A chord progression in Roman numerals.

    Attributes
    ----------
    numerals : tuple of str
        RomanText figures, one per chord.
    mode : {"major", "minor"}
        The mode of the key the figures are read in.
    weight : float
        Relative frequency in the genre (> 0).
    sections : tuple of str
        Section labels it suits; empty means any.
    bars_per_chord : float
        Harmonic rhythm: 0.5, 1, 2 ...
    name : str
        A common name, if it has one (``"12-bar blues"``).
    """

    numerals: tuple[str, ...]
    mode: str = "major"
    weight: float = 1.0
    sections: tuple[str, ...] = ()
    bars_per_chord: float = 1.0
    name: str = ""

    @property
    def bars(self) -> float:
        """Length of one pass, in bars."""
        return len(self.numerals) * self.bars_per_chord


@dataclass(frozen=True)
class Structure:
    """A song form: ``sections`` is a tuple of ``(label, bars)``."""

    sections: tuple[tuple[str, int], ...]
    name: str = ""
    weight: float = 1.0

    @property
    def bars(self) -> int:
        """Total length in bars."""
        return sum(b for _, b in self.sections)


@dataclass(frozen=True)
class Instrument:
    """A part of the band: role, General MIDI program (0-127; a kit number for drums) and name."""

    role: str
    program: int
    name: str = ""
    is_drum: bool = False


@dataclass(frozen=True)
class DrumLane:
    """One drum of a pattern: its lane name, General MIDI note and step string (``X x o .``)."""

    instrument: str
    note: int
    hits: str

    def velocities(self) -> np.ndarray:
        """Velocity per step (0 for a rest): ``X`` 115, ``x`` 95, ``o`` 45."""
        return np.array([_STEP_VELOCITY.get(c, 0) for c in self.hits], dtype=np.int16)


@dataclass(frozen=True)
class DrumPattern:
    """A drum groove on a step grid (``steps_per_bar`` steps per bar, ``bars`` bars)."""

    name: str
    lanes: tuple[DrumLane, ...]
    meter: str = "4/4"
    steps_per_bar: int = 16
    bars: int = 1
    sections: tuple[str, ...] = ()

    def grid(self) -> np.ndarray:
        """Velocities, shape ``(lanes, bars * steps_per_bar)``."""
        return np.stack([lane.velocities() for lane in self.lanes])

    def onsets(self) -> np.ndarray:
        """0/1 per step where any lane plays, shape ``(bars, steps_per_bar)``."""
        return (self.grid() > 0).any(axis=0).astype(np.int8).reshape(self.bars, self.steps_per_bar)


@dataclass(frozen=True)
class BassPattern:
    """A bass line template: ``rhythm`` (``x`` onset, ``-`` held, ``.`` rest) and one note choice per onset."""

    name: str
    rhythm: str
    notes: tuple[str, ...]
    meter: str = "4/4"
    steps_per_bar: int = 16
    bars: int = 1
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompPattern:
    """A comping (accompaniment) rhythm with its voicing and register (MIDI, low and high)."""

    name: str
    rhythm: str
    voicing: str = "triad"
    register: tuple[int, int] = (48, 72)
    role: str = "harmony"
    meter: str = "4/4"
    steps_per_bar: int = 16
    bars: int = 1
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class MelodyStyle:
    """How melodies go: range (MIDI), stepwise share, syncopation (0-1), density, phrase length, scale."""

    range_midi: tuple[int, int] = (60, 79)
    stepwise_share: float = 0.7
    syncopation: float = 0.3
    notes_per_bar: float = 6.0
    phrase_bars: int = 4
    scale: str = "major"


@dataclass(frozen=True)
class Production:
    """Mix character and loudness target (integrated LUFS)."""

    mix: str
    loudness_lufs: float
    reverb: str = "room"
    compression: str = "medium"
    stereo_width: float = 0.7


@dataclass(frozen=True)
class Genre:
    """The conventions of one genre (see the module notes for every field)."""

    name: str
    display_name: str
    family: str
    description: str
    tempo_bpm: tuple[float, float]
    meters: tuple[tuple[str, float], ...]
    swing: float
    energy: float
    modes: tuple[tuple[str, float], ...]
    progressions: tuple[Progression, ...]
    structures: tuple[Structure, ...]
    instrumentation: tuple[Instrument, ...]
    melody: MelodyStyle
    drum_patterns: tuple[DrumPattern, ...] = ()
    bass_patterns: tuple[BassPattern, ...] = ()
    comping_patterns: tuple[CompPattern, ...] = ()
    production: Production | None = None
    swing_unit: str = "8th"
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()
    source: str = ""
    references: tuple[str, ...] = ()
    licence: str = "MIT"
    statistics: Mapping[str, Any] = field(default_factory=dict)

    @property
    def typical_tempo_bpm(self) -> float:
        """The middle of the tempo range."""
        return 0.5 * (self.tempo_bpm[0] + self.tempo_bpm[1])

    def roles(self) -> tuple[str, ...]:
        """The roles of the instrumentation, in order, without repeats."""
        return tuple(dict.fromkeys(i.role for i in self.instrumentation))

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict (the inverse of :func:`genre_from_dict`)."""
        return genre_to_dict(self)


# ----------------------------------------------------------------------------------------------------
# validation


class _Checker:
    """Field-path bookkeeping for one entry; every failure is a GenreSchemaError."""

    def __init__(self, genre: str) -> None:
        self.genre = genre

    def fail(self, path: str, problem: str) -> None:
        raise GenreSchemaError(self.genre, path, problem)

    def get(self, d: Mapping[str, Any], key: str, path: str, *, default: Any = dataclasses.MISSING) -> Any:
        if not isinstance(d, Mapping):
            self.fail(path, f"expected an object, got {type(d).__name__}")
        if key not in d or d[key] is None:
            if default is dataclasses.MISSING:
                self.fail(_join(path, key), "missing (required)")
            return default
        return d[key]

    def text(self, value: Any, path: str, *, empty: bool = False) -> str:
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.fail(path, f"expected {'a' if empty else 'a non-empty'} string, got {value!r}")
        return value

    def number(self, value: Any, path: str, lo: float = -math.inf, hi: float = math.inf) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(path, f"expected a number, got {value!r}")
        if not lo <= value <= hi:
            self.fail(path, f"{value!r} is outside {lo:g}..{hi:g}")
        return float(value)

    def integer(self, value: Any, path: str, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected an integer, got {value!r}")
        if not lo <= value <= hi:
            self.fail(path, f"{value!r} is outside {lo}..{hi}")
        return int(value)

    def seq(self, value: Any, path: str, *, min_len: int = 0) -> list[Any]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            self.fail(path, f"expected a list, got {type(value).__name__}")
        if len(value) < min_len:
            self.fail(path, f"needs at least {min_len} item{'s' if min_len != 1 else ''}, got {len(value)}")
        return list(value)

    def choice(self, value: Any, path: str, options: Iterable[str]) -> str:
        options = tuple(options)
        if value not in options:
            close = difflib.get_close_matches(str(value), options, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.fail(path, f"{value!r} is not one of {', '.join(options)}{hint}")
        return value

    def texts(self, value: Any, path: str) -> tuple[str, ...]:
        return tuple(self.text(v, f"{path}[{i}]") for i, v in enumerate(self.seq(value, path)))

    def sections(self, value: Any, path: str) -> tuple[str, ...]:
        return tuple(self.choice(v, f"{path}[{i}]", SECTION_LABELS) for i, v in enumerate(self.seq(value, path)))

    def meter(self, value: Any, path: str) -> str:
        from harmonia.theory.meter import parse_meter

        self.text(value, path)
        try:
            parse_meter(value)
        except HarmoniaError as exc:
            self.fail(path, str(exc))
        return value

    def range2(self, value: Any, path: str, lo: float, hi: float, *, integer: bool = False) -> tuple:
        items = self.seq(value, path)
        if len(items) != 2:
            self.fail(path, f"expected [low, high], got {value!r}")
        conv = self.integer if integer else self.number
        a, b = conv(items[0], f"{path}[0]", lo, hi), conv(items[1], f"{path}[1]", lo, hi)
        if a > b:
            self.fail(path, f"low {a:g} is above high {b:g}")
        return (a, b)

    def weighted(self, value: Any, path: str, keyname: str, check) -> tuple[tuple[str, float], ...]:
        out = []
        for i, item in enumerate(self.seq(value, path, min_len=1)):
            p = f"{path}[{i}]"
            out.append((check(self.get(item, keyname, p), _join(p, keyname)),
                        self.number(self.get(item, "weight", p, default=1.0), _join(p, "weight"), 0.0, 1e6)))
        if sum(w for _, w in out) <= 0:
            self.fail(path, "weights sum to 0")
        return tuple(out)

    def grid(self, text: str, path: str, steps: int, bars: int, alphabet: frozenset[str]) -> str:
        self.text(text, path)
        text = text.replace(" ", "").replace("|", "")
        if len(text) != steps * bars:
            self.fail(path, f"{len(text)} steps, expected {steps * bars} (steps_per_bar {steps} x bars {bars})")
        bad = sorted(set(text) - alphabet)
        if bad:
            self.fail(path, f"unknown step character(s) {''.join(bad)!r}; use {' '.join(sorted(alphabet))}")
        return text


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@functools.lru_cache(maxsize=4096)
def _check_numeral(figure: str, mode: str) -> str | None:
    """None if ``figure`` parses and realizes in C major / A minor, else the parser's message."""
    from harmonia.theory.roman import realize

    try:
        realize(figure, "C" if mode == "major" else "a")
    except HarmoniaError as exc:
        return str(exc)
    return None


def _grid_common(c: _Checker, d: Mapping[str, Any], p: str) -> tuple[str, int, int, tuple[str, ...]]:
    meter = c.meter(c.get(d, "meter", p, default="4/4"), _join(p, "meter"))
    steps = c.integer(c.get(d, "steps_per_bar", p, default=16), _join(p, "steps_per_bar"), 1, 192)
    bars = c.integer(c.get(d, "bars", p, default=1), _join(p, "bars"), 1, 16)
    secs = c.sections(c.get(d, "sections", p, default=[]), _join(p, "sections"))
    return meter, steps, bars, secs


def genre_from_dict(data: Mapping[str, Any], *, name: str | None = None) -> Genre:
    """Validate a dict (a parsed JSON entry) and build a :class:`Genre`.

    Parameters
    ----------
    data : mapping
        The entry.
    name : str, optional
        What to call the entry in errors before its ``name`` field is read (a file name, say).

    Returns
    -------
    Genre

    Raises
    ------
    GenreSchemaError
        Naming the genre, the field (as a path such as ``progressions[2].numerals[1]``) and the problem.

    Examples
    --------
    >>> entry = get_genre("punk").to_dict()
    >>> entry["tempo_bpm"] = [200, 150]
    >>> genre_from_dict(entry)
    Traceback (most recent call last):
    ...
    harmonia.errors.GenreSchemaError: genre 'punk', field 'tempo_bpm': low 200 is above high 150
    """
    label = name or (data.get("name") if isinstance(data, Mapping) else None) or "<unnamed>"
    c = _Checker(str(label))
    if not isinstance(data, Mapping):
        c.fail("", f"expected an object, got {type(data).__name__}")
    gname = c.text(c.get(data, "name", ""), "name")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", gname):
        c.fail("name", f"{gname!r} is not a lower-case slug such as 'drum-and-bass'")
    c.genre = gname
    known = {f.name for f in dataclasses.fields(Genre)}
    extra = sorted(set(data) - known - {"$schema"})
    if extra:
        c.fail(extra[0], f"unknown field; fields are {', '.join(sorted(known))}")

    tempo = c.range2(c.get(data, "tempo_bpm", ""), "tempo_bpm", 20.0, 400.0)
    meters = c.weighted(c.get(data, "meters", ""), "meters", "meter", c.meter)
    modes = c.weighted(c.get(data, "modes", ""), "modes", "mode", lambda v, p: c.choice(v, p, MODES))

    progs = []
    for i, item in enumerate(c.seq(c.get(data, "progressions", ""), "progressions", min_len=1)):
        p = f"progressions[{i}]"
        mode = c.choice(c.get(item, "mode", p, default="major"), _join(p, "mode"), ("major", "minor"))
        nums = c.seq(c.get(item, "numerals", p), _join(p, "numerals"), min_len=1)
        for j, fig in enumerate(nums):
            c.text(fig, f"{p}.numerals[{j}]")
            problem = _check_numeral(fig, mode)
            if problem is not None:
                c.fail(f"{p}.numerals[{j}]", problem)
        progs.append(Progression(
            numerals=tuple(nums),
            mode=mode,
            weight=c.number(c.get(item, "weight", p, default=1.0), _join(p, "weight"), 1e-9, 1e6),
            sections=c.sections(c.get(item, "sections", p, default=[]), _join(p, "sections")),
            bars_per_chord=c.number(c.get(item, "bars_per_chord", p, default=1.0), _join(p, "bars_per_chord"),
                                    0.125, 16.0),
            name=c.text(c.get(item, "name", p, default=""), _join(p, "name"), empty=True),
        ))
    parents = {pr.mode for pr in progs}
    for i, (mode, w) in enumerate(modes):
        if w > 0 and MODES[mode] not in parents:
            c.fail(f"modes[{i}].mode", f"{mode!r} needs a progression in {MODES[mode]}, and there is none")

    structs = []
    for i, item in enumerate(c.seq(c.get(data, "structures", ""), "structures", min_len=1)):
        p = f"structures[{i}]"
        secs = []
        for j, sec in enumerate(c.seq(c.get(item, "sections", p), _join(p, "sections"), min_len=1)):
            q = f"{p}.sections[{j}]"
            pair = c.seq(sec, q)
            if len(pair) != 2:
                c.fail(q, f"expected [label, bars], got {sec!r}")
            secs.append((c.choice(pair[0], f"{q}[0]", SECTION_LABELS), c.integer(pair[1], f"{q}[1]", 1, 256)))
        structs.append(Structure(
            sections=tuple(secs),
            name=c.text(c.get(item, "name", p, default=""), _join(p, "name"), empty=True),
            weight=c.number(c.get(item, "weight", p, default=1.0), _join(p, "weight"), 1e-9, 1e6),
        ))

    insts = []
    for i, item in enumerate(c.seq(c.get(data, "instrumentation", ""), "instrumentation", min_len=1)):
        p = f"instrumentation[{i}]"
        role = c.choice(c.get(item, "role", p), _join(p, "role"), ROLES)
        is_drum = c.get(item, "is_drum", p, default=role == "drums")
        if not isinstance(is_drum, bool):
            c.fail(_join(p, "is_drum"), f"expected true or false, got {is_drum!r}")
        if role == "drums" and not is_drum:
            c.fail(_join(p, "is_drum"), "a 'drums' part must be a drum kit (is_drum true)")
        insts.append(Instrument(
            role=role,
            program=c.integer(c.get(item, "program", p), _join(p, "program"), 0, 127),
            name=c.text(c.get(item, "name", p, default=""), _join(p, "name"), empty=True),
            is_drum=is_drum,
        ))
    roles = {i.role for i in insts}

    drums = []
    for i, item in enumerate(c.seq(c.get(data, "drum_patterns", "", default=[]), "drum_patterns")):
        p = f"drum_patterns[{i}]"
        meter, steps, bars, secs = _grid_common(c, item, p)
        lanes = []
        for j, lane in enumerate(c.seq(c.get(item, "lanes", p), _join(p, "lanes"), min_len=1)):
            q = f"{p}.lanes[{j}]"
            inst = c.choice(c.get(lane, "instrument", q), _join(q, "instrument"), DRUM_NOTES)
            note = c.integer(c.get(lane, "note", q, default=DRUM_NOTES[inst]), _join(q, "note"), 27, 87)
            hits = c.grid(c.get(lane, "hits", q), _join(q, "hits"), steps, bars, _DRUM_STEPS)
            lanes.append(DrumLane(inst, note, hits))
        if not any(set(lane.hits) - {"."} for lane in lanes):
            c.fail(_join(p, "lanes"), "the pattern has no hits")
        drums.append(DrumPattern(
            name=c.text(c.get(item, "name", p), _join(p, "name")),
            lanes=tuple(lanes), meter=meter, steps_per_bar=steps, bars=bars, sections=secs,
        ))
    if "drums" in roles and not drums:
        c.fail("drum_patterns", "the instrumentation has drums but there is no drum pattern")

    basses = []
    for i, item in enumerate(c.seq(c.get(data, "bass_patterns", "", default=[]), "bass_patterns")):
        p = f"bass_patterns[{i}]"
        meter, steps, bars, secs = _grid_common(c, item, p)
        rhythm = c.grid(c.get(item, "rhythm", p), _join(p, "rhythm"), steps, bars, _RHYTHM_STEPS)
        _check_holds(c, rhythm, _join(p, "rhythm"))
        notes = c.seq(c.get(item, "notes", p), _join(p, "notes"), min_len=1)
        n_on = rhythm.count("x")
        if len(notes) != n_on:
            c.fail(_join(p, "notes"), f"{len(notes)} note choices for {n_on} onsets in the rhythm")
        notes = tuple(c.choice(v, f"{p}.notes[{j}]", BASS_NOTES) for j, v in enumerate(notes))
        basses.append(BassPattern(
            name=c.text(c.get(item, "name", p), _join(p, "name")),
            rhythm=rhythm, notes=notes, meter=meter, steps_per_bar=steps, bars=bars, sections=secs,
        ))
    if "bass" in roles and not basses:
        c.fail("bass_patterns", "the instrumentation has a bass but there is no bass pattern")

    comps = []
    for i, item in enumerate(c.seq(c.get(data, "comping_patterns", "", default=[]), "comping_patterns")):
        p = f"comping_patterns[{i}]"
        meter, steps, bars, secs = _grid_common(c, item, p)
        rhythm = c.grid(c.get(item, "rhythm", p), _join(p, "rhythm"), steps, bars, _RHYTHM_STEPS)
        _check_holds(c, rhythm, _join(p, "rhythm"))
        comps.append(CompPattern(
            name=c.text(c.get(item, "name", p), _join(p, "name")),
            rhythm=rhythm,
            voicing=c.choice(c.get(item, "voicing", p, default="triad"), _join(p, "voicing"), VOICINGS),
            register=c.range2(c.get(item, "register", p, default=[48, 72]), _join(p, "register"), 0, 127,
                              integer=True),
            role=c.choice(c.get(item, "role", p, default="harmony"), _join(p, "role"), ROLES),
            meter=meter, steps_per_bar=steps, bars=bars, sections=secs,
        ))
    if "harmony" in roles and not comps:
        c.fail("comping_patterns", "the instrumentation has a harmony part but there is no comping pattern")

    m = c.get(data, "melody", "")
    melody = MelodyStyle(
        range_midi=c.range2(c.get(m, "range_midi", "melody"), "melody.range_midi", 0, 127, integer=True),
        stepwise_share=c.number(c.get(m, "stepwise_share", "melody"), "melody.stepwise_share", 0.0, 1.0),
        syncopation=c.number(c.get(m, "syncopation", "melody"), "melody.syncopation", 0.0, 1.0),
        notes_per_bar=c.number(c.get(m, "notes_per_bar", "melody"), "melody.notes_per_bar", 0.0, 64.0),
        phrase_bars=c.integer(c.get(m, "phrase_bars", "melody", default=4), "melody.phrase_bars", 1, 64),
        scale=c.choice(c.get(m, "scale", "melody", default="major"), "melody.scale", SCALES),
    )
    if melody.range_midi[1] - melody.range_midi[0] < 5:
        c.fail("melody.range_midi", f"{list(melody.range_midi)} spans less than a fourth")

    prod = None
    pd_ = c.get(data, "production", "", default=None)
    if pd_ is not None:
        prod = Production(
            mix=c.text(c.get(pd_, "mix", "production"), "production.mix"),
            loudness_lufs=c.number(c.get(pd_, "loudness_lufs", "production"), "production.loudness_lufs", -40.0, -3.0),
            reverb=c.choice(c.get(pd_, "reverb", "production", default="room"), "production.reverb",
                            ("dry", "room", "plate", "hall", "huge")),
            compression=c.choice(c.get(pd_, "compression", "production", default="medium"), "production.compression",
                                 ("none", "light", "medium", "heavy")),
            stereo_width=c.number(c.get(pd_, "stereo_width", "production", default=0.7), "production.stereo_width",
                                  0.0, 1.0),
        )

    stats = c.get(data, "statistics", "", default={})
    if not isinstance(stats, Mapping):
        c.fail("statistics", f"expected an object, got {type(stats).__name__}")
    return Genre(
        name=gname,
        display_name=c.text(c.get(data, "display_name", ""), "display_name"),
        family=c.text(c.get(data, "family", ""), "family"),
        description=c.text(c.get(data, "description", "", default=""), "description", empty=True),
        tempo_bpm=tempo,
        meters=meters,
        swing=c.number(c.get(data, "swing", ""), "swing", 0.0, 1.0),
        energy=c.number(c.get(data, "energy", ""), "energy", 0.0, 1.0),
        modes=modes,
        progressions=tuple(progs),
        structures=tuple(structs),
        instrumentation=tuple(insts),
        melody=melody,
        drum_patterns=tuple(drums),
        bass_patterns=tuple(basses),
        comping_patterns=tuple(comps),
        production=prod,
        swing_unit=c.choice(c.get(data, "swing_unit", "", default="8th"), "swing_unit", ("8th", "16th")),
        aliases=tuple(a.lower() for a in c.texts(c.get(data, "aliases", "", default=[]), "aliases")),
        keywords=tuple(k.lower() for k in c.texts(c.get(data, "keywords", "", default=[]), "keywords")),
        moods=tuple(k.lower() for k in c.texts(c.get(data, "moods", "", default=[]), "moods")),
        source=c.text(c.get(data, "source", "", default=""), "source", empty=True),
        references=c.texts(c.get(data, "references", "", default=[]), "references"),
        licence=c.text(c.get(data, "licence", "", default="MIT"), "licence"),
        statistics=dict(stats),
    )


def _check_holds(c: _Checker, rhythm: str, path: str) -> None:
    if "x" not in rhythm:
        c.fail(path, "the rhythm has no onset")
    if rhythm[0] == "-":
        c.fail(path, "a hold '-' at the first step has no onset to hold (the rhythm must start with 'x' or '.')")
    if ".-" in rhythm:
        c.fail(path, f"a hold '-' after a rest at step {rhythm.index('.-') + 1}")


def _tuple_to_list(x: Any) -> Any:
    if isinstance(x, (tuple, list)):
        return [_tuple_to_list(v) for v in x]
    if isinstance(x, dict):
        return {k: _tuple_to_list(v) for k, v in x.items()}
    return x


def genre_to_dict(genre: Genre) -> dict[str, Any]:
    """A :class:`Genre` as a JSON-ready dict, in the layout of the data files.

    Examples
    --------
    >>> g = get_genre("reggae")
    >>> genre_from_dict(genre_to_dict(g)) == g
    True
    """
    d: dict[str, Any] = {}
    for f in dataclasses.fields(Genre):
        v = getattr(genre, f.name)
        if f.name == "meters":
            v = [{"meter": m, "weight": w} for m, w in v]
        elif f.name == "modes":
            v = [{"mode": m, "weight": w} for m, w in v]
        elif f.name == "structures":
            v = [{"name": s.name, "weight": s.weight, "sections": [list(x) for x in s.sections]} for s in v]
        elif f.name == "statistics":
            v = dict(v)
        elif dataclasses.is_dataclass(v):
            v = dataclasses.asdict(v)
        elif isinstance(v, tuple) and v and dataclasses.is_dataclass(v[0]):
            v = [dataclasses.asdict(x) for x in v]
        d[f.name] = _tuple_to_list(v)
    return d


# ----------------------------------------------------------------------------------------------------
# loading and queries


def load_genre_file(path: str | os.PathLike[str]) -> Genre:
    """Read and validate one genre JSON file (a shipped one or one written by ``learn_conventions``).

    Raises
    ------
    GenreSchemaError
        For invalid JSON (field ``''``) or a bad entry.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GenreSchemaError(path.name, "", f"not valid JSON: {exc}") from None
    return genre_from_dict(data, name=path.stem)


@functools.lru_cache(maxsize=1)
def _database() -> dict[str, Genre]:
    folder = resources.files("harmonia.symbolic") / "data" / "genres"
    out: dict[str, Genre] = {}
    for item in sorted(folder.iterdir(), key=lambda x: x.name):
        if not item.name.endswith(".json"):
            continue
        data = json.loads(item.read_text(encoding="utf-8"))
        g = genre_from_dict(data, name=item.name[:-5])
        if g.name != item.name[:-5]:
            raise GenreSchemaError(g.name, "name", f"file {item.name} must be named after the genre ({g.name}.json)")
        out[g.name] = g
    return out


def _norm(name: str) -> str:
    text = name.strip().lower().replace("&", " and ").replace("'n'", " and ").replace(" n ", " and ")
    return re.sub(r"[\s_/'+.-]+", " ", text).strip()


@functools.lru_cache(maxsize=1)
def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for g in _database().values():
        for a in (g.name, g.display_name, *g.aliases):
            table.setdefault(_norm(a), g.name)
    return table


def list_genres() -> list[str]:
    """The names of the genres in the database, sorted.

    Examples
    --------
    >>> len(list_genres()) >= 25
    True
    >>> "bossa-nova" in list_genres()
    True
    """
    return sorted(_database())


def get_genre(name: str | Genre) -> Genre:
    """A genre by name or alias (case, spaces, hyphens and ``&`` do not matter).

    Raises
    ------
    UnknownGenreError
        With the closest names ("did you mean ...").

    Examples
    --------
    >>> get_genre("Drum & Bass").name
    'drum-and-bass'
    >>> get_genre("hiphop").name
    'hip-hop'
    >>> get_genre("bosa nova")
    Traceback (most recent call last):
    ...
    harmonia.errors.UnknownGenreError: unknown genre 'bosa nova'; did you mean 'bossa-nova'...
    """
    if isinstance(name, Genre):
        return name
    if not isinstance(name, str):
        raise TypeError(f"a genre name must be a str, got {type(name).__name__}")
    table = _alias_table()
    key = _norm(name)
    if key in table:
        return _database()[table[key]]
    if key.replace(" ", "") in {k.replace(" ", ""): v for k, v in table.items()}:
        return _database()[{k.replace(" ", ""): v for k, v in table.items()}[key.replace(" ", "")]]
    raise UnknownGenreError(name, suggest_genres(name))


def suggest_genres(name: str, n: int = 3) -> tuple[str, ...]:
    """The genre names closest in spelling to ``name`` (aliases included), best first."""
    table = _alias_table()
    close = difflib.get_close_matches(_norm(name), list(table), n=8, cutoff=0.5)
    return tuple(dict.fromkeys(table[c] for c in close))[:n]


def filter_genres(
    *,
    tempo_bpm: float | None = None,
    meter: str | None = None,
    role: str | None = None,
    program: int | None = None,
    swing: bool | None = None,
    mode: str | None = None,
    family: str | None = None,
    mood: str | None = None,
) -> list[str]:
    """Genres matching every given condition.

    Parameters
    ----------
    tempo_bpm : float, optional
        Inside the genre's tempo range.
    meter : str, optional
        Among the genre's metres (``"6/8"``).
    role, program : optional
        An instrument with this role / General MIDI program.
    swing : bool, optional
        True for swung genres (swing >= 0.3), False for straight ones (swing < 0.3).
    mode : str, optional
        One of the genre's modes (``"minor"``, ``"dorian"``).
    family, mood : str, optional
        The genre's family / one of its moods.

    Examples
    --------
    >>> filter_genres(tempo_bpm=170, family="electronic")
    ['drum-and-bass']
    >>> "jazz" in filter_genres(swing=True, meter="4/4")
    True
    """
    out = []
    for g in _database().values():
        if tempo_bpm is not None and not g.tempo_bpm[0] <= tempo_bpm <= g.tempo_bpm[1]:
            continue
        if meter is not None and meter not in {m for m, _ in g.meters}:
            continue
        if role is not None and role not in g.roles():
            continue
        if program is not None and program not in {i.program for i in g.instrumentation if not i.is_drum}:
            continue
        if swing is not None and (g.swing >= 0.3) != swing:
            continue
        if mode is not None and mode not in {m for m, w in g.modes if w > 0}:
            continue
        if family is not None and g.family != family:
            continue
        if mood is not None and mood.lower() not in g.moods:
            continue
        out.append(g.name)
    return sorted(out)


# ----------------------------------------------------------------------------------------------------
# similarity

_FEATURE_GROUPS = ("tempo", "feel", "metre", "harmony", "instrumentation", "drums", "melody", "production")
#: Weight of each feature group in the similarity (a group's vectors are first scaled to unit mean norm).
GROUP_WEIGHTS = {"tempo": 0.6, "feel": 1.0, "metre": 0.6, "harmony": 1.0, "instrumentation": 1.2, "drums": 1.0,
                 "melody": 0.7, "production": 0.7}


def _metre_class(meter: str) -> str:
    from harmonia.theory.meter import parse_meter

    groups, _ = parse_meter(meter)
    if len(set(groups)) > 1:
        return "additive"
    if groups[0] == 3:
        return "compound"
    return "triple" if len(groups) == 3 else "duple"


def _drum_stats(g: Genre) -> tuple[float, float, float, float, float]:
    """(onsets per beat, kick share, backbeat share, hat density, syncopation per bar) over the patterns."""
    from harmonia.theory.meter import beat_period
    from harmonia.theory.rhythm import syncopation

    if not g.drum_patterns:
        return (0.0, 0.0, 0.0, 0.0, 0.0)
    dens, kick, back, hats, sync = [], [], [], [], []
    for p in g.drum_patterns:
        grid = p.grid() > 0
        beats = p.bars * p.steps_per_bar / beat_period(p.meter, grid=p.steps_per_bar)
        names = [lane.instrument for lane in p.lanes]
        dens.append(grid.sum() / beats)
        kick.append(sum(grid[i].sum() for i, n in enumerate(names) if n.startswith("kick")) / beats)
        back.append(sum(grid[i].sum() for i, n in enumerate(names) if n in ("snare", "clap", "side-stick")) / beats)
        hats.append(sum(grid[i].sum() for i, n in enumerate(names) if "hat" in n or "ride" in n or n == "shaker")
                    / beats)
        low = np.zeros(grid.shape[1], dtype=bool)
        for i, n in enumerate(names):
            if n.startswith("kick") or n in ("snare", "clap", "side-stick") or "conga" in n or "tom" in n:
                low |= grid[i]
        bars = low.reshape(p.bars, p.steps_per_bar).astype(np.int8)
        sync.append(float(np.mean(syncopation(bars, p.meter, model="wnbd"))) if bars.any() else 0.0)
    return tuple(float(np.mean(x)) for x in (dens, kick, back, hats, sync))


def _harmony_stats(g: Genre) -> list[float]:
    from harmonia.theory.roman import harmonic_function, parse_roman

    w_total = 0.0
    t = s = d = minor = chromatic = seventh = applied = 0.0
    length = rhythm = 0.0
    for p in g.progressions:
        w = p.weight
        w_total += w
        minor += w * (p.mode == "minor")
        length += w * len(p.numerals)
        rhythm += w * math.log2(p.bars_per_chord)
        n = len(p.numerals)
        for fig in p.numerals:
            rn = parse_roman(fig)
            f = harmonic_function(fig, minor=p.mode == "minor")
            t += w * (f == "T") / n
            s += w * (f == "S") / n
            d += w * (f == "D") / n
            chromatic += w * (rn.alteration != 0) / n
            seventh += w * (rn.seventh or bool(rn.added)) / n
            applied += w * bool(rn.applied) / n
    return [x / w_total for x in (t, s, d, minor, chromatic, seventh, applied, length, rhythm)]


_FAMILIES_GM = 16  # General MIDI program families of 8 programs


def genre_features(genre: str | Genre) -> dict[str, np.ndarray]:
    """The raw feature vector of a genre, by group (before the scaling :func:`genre_similarity` applies).

    Groups: ``tempo`` (log2 of the range's middle and width), ``feel`` (swing, energy), ``metre`` (shares
    of duple, triple, compound and additive metres), ``harmony`` (shares of tonic, predominant and dominant
    functions; of minor-mode, chromatic, seventh and applied chords; mean progression length and log2
    bars per chord), ``instrumentation`` (the 16 General MIDI families plus drums), ``drums`` (onsets,
    kick, backbeat and hat/ride hits per beat, mean weighted note-to-beat distance syncopation of the
    kick, snare and hand drums, from :func:`harmonia.theory.rhythm.syncopation`), ``melody`` (stepwise
    share, syncopation, notes per bar, range), ``production`` (loudness, stereo width).
    """
    g = get_genre(genre)
    mid = g.typical_tempo_bpm
    metre = dict.fromkeys(("duple", "triple", "compound", "additive"), 0.0)
    total = sum(w for _, w in g.meters)
    for m, w in g.meters:
        metre[_metre_class(m)] += w / total
    inst = np.zeros(_FAMILIES_GM + 1)
    for i in g.instrumentation:
        if i.is_drum:
            inst[-1] = 1.0
        else:
            inst[i.program // 8] = 1.0
    prod = g.production
    return {
        "tempo": np.array([math.log2(mid), math.log2(g.tempo_bpm[1] / g.tempo_bpm[0] + 1e-9)]),
        "feel": np.array([g.swing, g.energy]),
        "metre": np.array(list(metre.values())),
        "harmony": np.array(_harmony_stats(g)),
        "instrumentation": inst,
        "drums": np.array(_drum_stats(g)),
        "melody": np.array([g.melody.stepwise_share, g.melody.syncopation, g.melody.notes_per_bar,
                            g.melody.range_midi[1] - g.melody.range_midi[0]], dtype=float),
        "production": np.array([prod.loudness_lufs if prod else -14.0, prod.stereo_width if prod else 0.7]),
    }


@functools.lru_cache(maxsize=1)
def _feature_matrix() -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple(list_genres())
    feats = [genre_features(n) for n in names]
    blocks = []
    for group in _FEATURE_GROUPS:
        x = np.stack([f[group] for f in feats]).astype(float)
        if group != "instrumentation":  # z-score each feature over the genres
            sd = x.std(axis=0)
            x = (x - x.mean(axis=0)) / np.where(sd > 1e-12, sd, 1.0)
        else:  # centre the multi-hot families so that shared absence does not count as likeness
            x = x - x.mean(axis=0)
        norm = np.sqrt((x**2).sum(axis=1)).mean()
        blocks.append(GROUP_WEIGHTS[group] * x / (norm if norm > 0 else 1.0))
    mat = np.concatenate(blocks, axis=1)
    mat.flags.writeable = False
    return names, mat


def genre_similarity(genres: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
    """Cosine similarity between genres' convention vectors.

    Each group of :func:`genre_features` is standardised over the database (z-scores per feature, centred
    multi-hot for the instrumentation) and scaled so that the groups weigh alike; the similarity of two
    genres is the cosine of their concatenated vectors (1 identical conventions, 0 unrelated, -1 opposite).
    Groups are weighted by :data:`GROUP_WEIGHTS`: instrumentation a little above the rest, tempo, metre,
    melody and production below, so that two rock genres at different tempi stay closer than a rock and a
    salsa entry at the same tempo.

    Parameters
    ----------
    genres : sequence of str, optional
        Names or aliases; default every genre.

    Returns
    -------
    names : list of str
    similarity : numpy.ndarray
        Shape ``(n, n)``, symmetric, ones on the diagonal.

    Examples
    --------
    >>> names, sim = genre_similarity(["rock", "punk", "ambient"])
    >>> bool(sim[0, 1] > sim[0, 2])
    True
    """
    all_names, mat = _feature_matrix()
    names = list(all_names) if genres is None else [get_genre(n).name for n in genres]
    idx = [all_names.index(n) for n in names]
    x = mat[idx]
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    sim = np.clip(x @ x.T, -1.0, 1.0)
    np.fill_diagonal(sim, 1.0)
    return names, sim


def nearest_genres(name: str | Genre, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` genres most similar to ``name`` (itself excluded), with their cosine similarity.

    Examples
    --------
    >>> [n for n, _ in nearest_genres("blues", k=2)]
    ['jazz', 'gospel']
    """
    g = get_genre(name)
    names, sim = genre_similarity()
    i = names.index(g.name)
    order = [j for j in np.argsort(-sim[i], kind="stable") if j != i][: max(int(k), 0)]
    return [(names[j], round(float(sim[i, j]), 4)) for j in order]


def genre_linkage(method: str = "average") -> tuple[list[str], np.ndarray]:
    """Hierarchical clustering of the genres (scipy linkage on cosine distance, 1 - similarity).

    Returns
    -------
    names : list of str
    linkage : numpy.ndarray
        scipy's ``(n - 1, 4)`` linkage matrix, for ``scipy.cluster.hierarchy.dendrogram`` or ``fcluster``.

    Examples
    --------
    >>> from scipy.cluster.hierarchy import fcluster
    >>> names, z = genre_linkage()
    >>> labels = dict(zip(names, fcluster(z, 8, criterion="maxclust")))
    >>> bool(labels["house"] == labels["disco"]), bool(labels["jazz"] == labels["blues"])
    (True, True)
    """
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    names, sim = genre_similarity()
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    return names, linkage(squareform(dist, checks=False), method=method)
