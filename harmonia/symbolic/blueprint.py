"""Song blueprints: the plan of a song before any note is written, and how a text prompt picks one.

A :class:`Blueprint` holds what the stem generators need to know: key, mode, tempo, metre, swing, the
sections with their bar counts, chord progression (Roman numerals), energy and the rhythm patterns
they use, the instrumentation, the melody style and a dynamics curve with one level per bar.  It is
immutable, validated when built, and round-trips through JSON (:meth:`Blueprint.to_json`,
:meth:`Blueprint.from_json`).

:func:`blueprint_from_prompt` reads a short text ("upbeat indie rock song about summer"): genre names
and aliases pick the genre's conventions (:mod:`harmonia.symbolic.genres`), mood words move valence and
arousal, which pick the mode, the tempo inside the genre's range and the energy; explicit requests
("in D minor", "at 96 bpm", "waltz", "with piano") override.  The structure is one of the genre's song
forms, lengthened by repeating its verse-chorus block or shortened by dropping middle sections to
approach the requested duration, after which the tempo is nudged (inside the genre's range) to land on
it.  Every random choice comes from one ``numpy.random.Generator`` seeded by ``seed``, so a prompt and a
seed always give the same blueprint.

Examples
--------
>>> bp = blueprint_from_prompt("upbeat indie rock song about summer", seed=1)
>>> bp.genre, bp.mode, bp.meter
('indie-rock', 'major', '4/4')
>>> 120 <= bp.tempo_bpm <= 150, bp.energy > 0.7
(True, True)
>>> [s.label for s in bp.sections][:4]
['intro', 'verse', 'pre-chorus', 'chorus']
>>> abs(bp.duration_sec - 180) < 10
True
>>> Blueprint.from_json(bp.to_json()) == bp
True
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harmonia.errors import GenreSchemaError, HarmoniaError, InvalidBlueprintError
from harmonia.symbolic.genres import (
    MODES,
    ROLES,
    SECTION_LABELS,
    BassPattern,
    CompPattern,
    DrumPattern,
    Genre,
    Instrument,
    MelodyStyle,
    Production,
    genre_from_dict,
    get_genre,
    list_genres,
)

__all__ = [
    "MOOD_WORDS",
    "Blueprint",
    "RhythmTemplate",
    "Section",
    "blueprint_from_prompt",
    "parse_prompt",
]

_VERSION = 1

#: Mood words and their (valence, arousal), each in -1..1: valence picks major or minor, arousal tempo and energy.
MOOD_WORDS: dict[str, tuple[float, float]] = {
    "happy": (0.8, 0.3), "joyful": (0.8, 0.5), "cheerful": (0.8, 0.4), "upbeat": (0.5, 0.6), "uplifting": (0.7, 0.4),
    "bright": (0.6, 0.3), "sunny": (0.6, 0.2), "summer": (0.5, 0.2), "beach": (0.5, 0.1), "party": (0.6, 0.7),
    "euphoric": (0.7, 0.8), "triumphant": (0.6, 0.6), "epic": (0.2, 0.7), "hopeful": (0.5, 0.1), "playful": (0.6, 0.3),
    "energetic": (0.3, 0.8), "driving": (0.1, 0.6), "fast": (0.1, 0.6), "intense": (-0.2, 0.8),
    "aggressive": (-0.5, 0.9), "angry": (-0.6, 0.8), "rebellious": (-0.2, 0.7),
    "dark": (-0.5, 0.1), "menacing": (-0.6, 0.4), "cold": (-0.3, 0.0),
    "sad": (-0.7, -0.4), "melancholic": (-0.5, -0.3), "melancholy": (-0.5, -0.3), "lonely": (-0.6, -0.4),
    "heartbreak": (-0.7, -0.1), "bittersweet": (-0.2, -0.1), "nostalgic": (0.0, -0.2), "wistful": (-0.1, -0.3),
    "rainy": (-0.3, -0.3), "rain": (-0.3, -0.3), "night": (-0.1, -0.1), "mysterious": (-0.3, -0.1),
    "calm": (0.2, -0.7), "chill": (0.3, -0.5), "relaxed": (0.3, -0.6), "peaceful": (0.4, -0.7), "slow": (0.0, -0.6),
    "gentle": (0.3, -0.5), "dreamy": (0.2, -0.4), "tender": (0.3, -0.5), "romantic": (0.4, -0.2), "love": (0.4, -0.1),
    "sensual": (0.3, -0.2), "groovy": (0.5, 0.4), "cool": (0.2, 0.0), "solemn": (-0.1, -0.6), "spiritual": (0.3, -0.3),
    "meditative": (0.2, -0.8), "ethereal": (0.2, -0.6), "cozy": (0.4, -0.5), "confident": (0.4, 0.4),
}

# text -> instrument part: (role, program, name)
_INSTRUMENT_WORDS: dict[str, tuple[str, int, str]] = {
    "piano": ("harmony", 0, "Piano"), "rhodes": ("harmony", 4, "Electric piano"),
    "organ": ("pad", 16, "Drawbar organ"), "strings": ("pad", 48, "String ensemble"),
    "acoustic guitar": ("harmony", 25, "Steel-string acoustic guitar"), "nylon guitar": ("harmony", 24, "Nylon guitar"),
    "saxophone": ("melody", 66, "Tenor sax"), "sax": ("melody", 66, "Tenor sax"), "trumpet": ("melody", 56, "Trumpet"),
    "flute": ("melody", 73, "Flute"), "violin": ("melody", 40, "Violin"), "cello": ("counter-melody", 42, "Cello"),
    "choir": ("pad", 52, "Choir aahs"), "synth": ("pad", 90, "Polysynth"),
    "harmonica": ("counter-melody", 22, "Harmonica"),
    "vibraphone": ("melody", 11, "Vibraphone"), "horns": ("counter-melody", 61, "Brass section"),
}
_MAJOR_KEYS = ("C", "G", "D", "A", "E", "F", "Bb", "Eb", "Ab")
_MINOR_KEYS = ("a", "e", "b", "d", "g", "c", "f#", "c#", "f")
_SECTION_ENERGY = {"intro": -0.2, "verse": -0.1, "pre-chorus": 0.0, "chorus": 0.15, "bridge": -0.05,
                   "instrumental": 0.05, "outro": -0.25}


# ----------------------------------------------------------------------------------------------------
# dataclasses


@dataclass(frozen=True)
class Section:
    """One section of the plan.

    Attributes
    ----------
    label : str
        One of :data:`~harmonia.symbolic.genres.SECTION_LABELS`.
    bars : int
        Length in bars.
    progression : tuple of str
        Roman numerals, cycled over the section.
    bars_per_chord : float
        Harmonic rhythm.
    energy : float
        0 (quiet, sparse) to 1 (loud, dense).
    drum_pattern, bass_pattern, comping_pattern : str
        Names of patterns in the blueprint's :class:`RhythmTemplate` ('' for none).
    """

    label: str
    bars: int
    progression: tuple[str, ...]
    bars_per_chord: float = 1.0
    energy: float = 0.5
    drum_pattern: str = ""
    bass_pattern: str = ""
    comping_pattern: str = ""

    def chords(self) -> list[tuple[float, float, str]]:
        """``(start_bar, length_bars, numeral)`` of each chord, from bar 0 of the section, cut at its end."""
        out, t, i = [], 0.0, 0
        while t < self.bars - 1e-9:
            length = min(self.bars_per_chord, self.bars - t)
            out.append((t, length, self.progression[i % len(self.progression)]))
            t += self.bars_per_chord
            i += 1
        return out


@dataclass(frozen=True)
class RhythmTemplate:
    """The rhythm patterns a blueprint draws on, with the swing (0 straight .. 1 triplet) of its ``swing_unit``."""

    drum_patterns: tuple[DrumPattern, ...] = ()
    bass_patterns: tuple[BassPattern, ...] = ()
    comping_patterns: tuple[CompPattern, ...] = ()
    swing: float = 0.0
    swing_unit: str = "8th"


@dataclass(frozen=True)
class Blueprint:
    """The plan of a song (validated on construction; see the module notes).

    Attributes
    ----------
    genre : str
    key : str
        Tonic and mode in harmonia's key syntax (``'A'`` A major, ``'f#'`` F# minor, ``'Bb'`` B-flat major).
    mode : str
        The flavour (``major``, ``minor``, ``dorian``, ``mixolydian`` ...); its parent matches the key's case.
    tempo_bpm : float
        Quarter notes per minute.
    meter : str
        ``"4/4"``, ``"6/8"`` ...
    energy : float
        0-1, the song's overall energy.
    sections : tuple of Section
    instrumentation : tuple of Instrument
    rhythm : RhythmTemplate
    melody : MelodyStyle
    dynamics : tuple of float
        One level (0-1) per bar, as many as the sections' bars.
    production : Production or None
    prompt, mood : str
    seed : int
    """

    genre: str
    key: str
    mode: str
    tempo_bpm: float
    meter: str
    energy: float
    sections: tuple[Section, ...]
    instrumentation: tuple[Instrument, ...]
    rhythm: RhythmTemplate
    melody: MelodyStyle
    dynamics: tuple[float, ...]
    production: Production | None = None
    prompt: str = ""
    mood: str = ""
    seed: int = 0

    def __post_init__(self) -> None:
        _validate(self)

    # -- derived quantities ------------------------------------------------------------------------
    @property
    def total_bars(self) -> int:
        """Bars in all sections."""
        return sum(s.bars for s in self.sections)

    @property
    def qn_per_bar(self) -> float:
        """Quarter notes per bar of the metre."""
        num, den = (int(x) for x in _simple_meter(self.meter))
        return num * 4.0 / den

    @property
    def duration_sec(self) -> float:
        """Length of the song in seconds at its tempo."""
        return self.total_bars * self.qn_per_bar * 60.0 / self.tempo_bpm

    def section_starts(self) -> list[int]:
        """First bar (from 0) of each section."""
        starts, t = [], 0
        for s in self.sections:
            starts.append(t)
            t += s.bars
        return starts

    def chord_plan(self) -> list[tuple[float, float, str, int]]:
        """Every chord of the song: ``(start_bar, length_bars, numeral, section_index)``."""
        out = []
        for i, (start, s) in enumerate(zip(self.section_starts(), self.sections)):
            out += [(start + t, length, fig, i) for t, length, fig in s.chords()]
        return out

    # -- JSON --------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the inverse of :meth:`from_dict`)."""
        d = dataclasses.asdict(self)
        d = _lists(d)
        d["version"] = _VERSION
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Blueprint:
        """Build and validate a blueprint from :meth:`to_dict`'s layout.

        Raises
        ------
        InvalidBlueprintError
            Naming the field and the problem.
        """
        return _from_dict(data)

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The blueprint as JSON text; also written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=1, ensure_ascii=False)
        if path is not None:
            from harmonia.symbolic.atomic import write_text_atomic

            write_text_atomic(path, text + "\n")
        return text

    @classmethod
    def from_json(cls, source: str | os.PathLike[str]) -> Blueprint:
        """Read a blueprint from JSON text or a ``.json`` file.

        Raises
        ------
        InvalidBlueprintError
            For text that is not JSON or a bad field.
        """
        text = os.fspath(source)
        if not text.lstrip().startswith("{"):
            path = Path(text)
            if not path.is_file():
                raise InvalidBlueprintError(f"{text}: no such blueprint file (and not JSON text)")
            text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidBlueprintError(f"blueprint is not valid JSON: {exc}") from None
        return _from_dict(data)

    def summary(self) -> str:
        """A few lines for people: genre, key, tempo, metre, form and progressions."""
        lines = [
            f"{self.genre}: {self.key} ({self.mode}), {self.tempo_bpm:g} bpm, {self.meter}, energy {self.energy:.2f}, "
            f"{self.total_bars} bars, {self.duration_sec:.1f} s",
        ]
        for start, s in zip(self.section_starts(), self.sections):
            lines.append(f"  bar {start + 1:>3} {s.label:<12} {s.bars:>3} bars  {' '.join(s.progression)}"
                         f"  (energy {s.energy:.2f})")
        return "\n".join(lines)


def _lists(x: Any) -> Any:
    if isinstance(x, (tuple, list)):
        return [_lists(v) for v in x]
    if isinstance(x, dict):
        return {k: _lists(v) for k, v in x.items()}
    return x


def _simple_meter(meter: str) -> tuple[int, int]:
    num, den = meter.split("/")
    return sum(int(p) for p in num.split("+")), int(den)


# ----------------------------------------------------------------------------------------------------
# validation


def _fail(field: str, problem: str) -> None:
    raise InvalidBlueprintError(f"blueprint field {field!r}: {problem}")


def _validate(bp: Blueprint) -> None:
    from harmonia.theory.key import parse_key
    from harmonia.theory.meter import parse_meter
    from harmonia.theory.roman import realize

    if not isinstance(bp.genre, str) or not bp.genre:
        _fail("genre", f"expected a genre name, got {bp.genre!r}")
    if not isinstance(bp.key, str):
        _fail("key", f"expected a key name such as 'A' or 'f#', got {bp.key!r}")
    try:
        key = parse_key(bp.key)
    except (HarmoniaError, ValueError) as exc:
        _fail("key", str(exc))
    if bp.mode not in MODES:
        _fail("mode", f"{bp.mode!r} is not one of {', '.join(MODES)}")
    if MODES[bp.mode] != key.mode:
        _fail("mode", f"{bp.mode!r} is a {MODES[bp.mode]} mode but the key {bp.key!r} is {key.mode}")
    _number("tempo_bpm", bp.tempo_bpm, 20.0, 400.0)
    try:
        parse_meter(bp.meter)
    except HarmoniaError as exc:
        _fail("meter", str(exc))
    _number("energy", bp.energy, 0.0, 1.0)
    if not bp.sections:
        _fail("sections", "a blueprint needs at least one section")
    names = {
        "drum_pattern": {p.name for p in bp.rhythm.drum_patterns},
        "bass_pattern": {p.name for p in bp.rhythm.bass_patterns},
        "comping_pattern": {p.name for p in bp.rhythm.comping_patterns},
    }
    for i, s in enumerate(bp.sections):
        p = f"sections[{i}]"
        if s.label not in SECTION_LABELS:
            _fail(f"{p}.label", f"{s.label!r} is not one of {', '.join(SECTION_LABELS)}")
        if isinstance(s.bars, bool) or not isinstance(s.bars, int) or s.bars < 1:
            _fail(f"{p}.bars", f"expected a positive whole number of bars, got {s.bars!r}")
        if not s.progression:
            _fail(f"{p}.progression", "empty progression")
        for j, fig in enumerate(s.progression):
            try:
                realize(fig, key)
            except HarmoniaError as exc:
                _fail(f"{p}.progression[{j}]", str(exc))
        _number(f"{p}.bars_per_chord", s.bars_per_chord, 0.125, 16.0)
        _number(f"{p}.energy", s.energy, 0.0, 1.0)
        for attr, known in names.items():
            value = getattr(s, attr)
            if value and value not in known:
                _fail(f"{p}.{attr}", f"{value!r} is not a pattern of the rhythm template ({', '.join(sorted(known))})")
    for i, inst in enumerate(bp.instrumentation):
        if inst.role not in ROLES:
            _fail(f"instrumentation[{i}].role", f"{inst.role!r} is not one of {', '.join(ROLES)}")
        if isinstance(inst.program, bool) or not isinstance(inst.program, int) or not 0 <= inst.program <= 127:
            _fail(f"instrumentation[{i}].program", f"{inst.program!r} is not a General MIDI program 0-127")
    if len(bp.dynamics) != bp.total_bars:
        _fail("dynamics", f"{len(bp.dynamics)} levels for {bp.total_bars} bars (one per bar expected)")
    for i, v in enumerate(bp.dynamics):
        _number(f"dynamics[{i}]", v, 0.0, 1.0)
    _number("rhythm.swing", bp.rhythm.swing, 0.0, 1.0)
    if isinstance(bp.seed, bool) or not isinstance(bp.seed, int):
        _fail("seed", f"expected an integer, got {bp.seed!r}")


def _number(field: str, value: Any, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(field, f"expected a number, got {value!r}")
    if not lo <= value <= hi:
        _fail(field, f"{value!r} is outside {lo:g}..{hi:g}")


def _from_dict(data: Any) -> Blueprint:
    if not isinstance(data, Mapping):
        raise InvalidBlueprintError(f"a blueprint must be a JSON object, got {type(data).__name__}")
    version = data.get("version", _VERSION)
    if version != _VERSION:
        _fail("version", f"version {version!r} is not supported (this harmonia reads version {_VERSION})")
    fields = {f.name for f in dataclasses.fields(Blueprint)}
    unknown = sorted(set(data) - fields - {"version"})
    if unknown:
        _fail(unknown[0], f"unknown field; fields are {', '.join(sorted(fields))}")
    missing = [f.name for f in dataclasses.fields(Blueprint)
               if f.default is dataclasses.MISSING and f.name not in data]
    if missing:
        _fail(missing[0], "missing (required)")
    # the pattern, instrumentation, melody and production parts share the genre schema: check them with it
    probe = {
        "name": "blueprint", "display_name": "blueprint", "family": "blueprint",
        "tempo_bpm": [20, 400], "meters": [{"meter": "4/4"}], "swing": 0.0, "energy": 0.5,
        "modes": [{"mode": "major"}], "progressions": [{"numerals": ["I"]}],
        "structures": [{"sections": [["verse", 1]]}],
        "instrumentation": data["instrumentation"],
        "melody": data["melody"],
        "production": data.get("production"),
        "drum_patterns": _get(data, "rhythm", "drum_patterns", []),
        "bass_patterns": _get(data, "rhythm", "bass_patterns", []),
        "comping_patterns": _get(data, "rhythm", "comping_patterns", []),
    }
    try:
        parts = genre_from_dict(probe)
    except GenreSchemaError as exc:
        field = exc.field
        if field.split("[")[0] in ("drum_patterns", "bass_patterns", "comping_patterns"):
            field = "rhythm." + field
        _fail(field, exc.problem)
    rhythm = data["rhythm"]
    if not isinstance(rhythm, Mapping):
        _fail("rhythm", f"expected an object, got {type(rhythm).__name__}")
    sections = []
    for i, s in enumerate(_seq(data["sections"], "sections")):
        if not isinstance(s, Mapping):
            _fail(f"sections[{i}]", f"expected an object, got {type(s).__name__}")
        known = {f.name for f in dataclasses.fields(Section)}
        extra = sorted(set(s) - known)
        if extra:
            _fail(f"sections[{i}].{extra[0]}", f"unknown field; fields are {', '.join(sorted(known))}")
        try:
            kw = {k: (tuple(_seq(v, f"sections[{i}].{k}")) if k == "progression" else v) for k, v in s.items()}
            sec = Section(**kw)
        except TypeError as exc:
            _fail(f"sections[{i}]", str(exc))
        sections.append(sec)
    return Blueprint(
        genre=data["genre"], key=data["key"], mode=data["mode"], tempo_bpm=data["tempo_bpm"], meter=data["meter"],
        energy=data["energy"], sections=tuple(sections), instrumentation=parts.instrumentation,
        rhythm=RhythmTemplate(parts.drum_patterns, parts.bass_patterns, parts.comping_patterns,
                              swing=rhythm.get("swing", 0.0), swing_unit=rhythm.get("swing_unit", "8th")),
        melody=parts.melody, dynamics=tuple(_seq(data["dynamics"], "dynamics")), production=parts.production,
        prompt=data.get("prompt", ""), mood=data.get("mood", ""), seed=data.get("seed", 0),
    )


def _get(d: Mapping[str, Any], outer: str, inner: str, default: Any) -> Any:
    o = d.get(outer)
    return o.get(inner, default) if isinstance(o, Mapping) else default


def _seq(value: Any, field: str) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        _fail(field, f"expected a list, got {type(value).__name__}")
    return list(value)


# ----------------------------------------------------------------------------------------------------
# prompt -> blueprint


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9#&/+'-]+", " ", text.lower()) + " "


def _genre_from_text(text: str) -> str | None:
    """The genre a text names (longest alias wins; keywords count less), or None."""
    padded = _words(text)
    best: tuple[float, str] | None = None
    for name in list_genres():
        g = get_genre(name)
        score = 0.0
        for alias in (g.name, g.name.replace("-", " "), g.display_name.lower(), *g.aliases):
            a = _words(alias).strip()
            if a and f" {a} " in padded:
                score = max(score, 10.0 + len(a))
        if score == 0.0:
            score = sum(1.0 for k in g.keywords if f" {k} " in padded)
        if score > 0 and (best is None or score > best[0]):
            best = (score, name)
    return best[1] if best else None


def parse_prompt(text: str, *, mood: str | None = None) -> dict[str, Any]:
    """What a prompt asks for, before any random choice.

    Returns
    -------
    dict
        ``genre`` (name or None), ``moods`` (the mood words found), ``valence`` and ``arousal`` (-1..1, the
        mean over the mood words; an explicit ``mood`` counts twice), and the explicit requests found:
        ``mode``, ``key``, ``tempo_bpm``, ``meter``, ``instruments``.

    Examples
    --------
    >>> p = parse_prompt("A sad slow waltz in D minor with piano")
    >>> p["key"], p["mode"], p["meter"], p["instruments"], p["valence"] < 0
    ('d', 'minor', '3/4', ['piano'], True)
    """
    padded = _words(text)
    found = [w for w in MOOD_WORDS if f" {w} " in padded]
    vals = [MOOD_WORDS[w] for w in found]
    if mood:
        m = mood.strip().lower()
        if m not in MOOD_WORDS:
            import difflib

            close = difflib.get_close_matches(m, list(MOOD_WORDS), n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise InvalidBlueprintError(f"unknown mood {mood!r}{hint} (moods: {', '.join(sorted(MOOD_WORDS))})")
        vals += [MOOD_WORDS[m]] * 2
        found = [m, *[w for w in found if w != m]]
    valence = float(np.mean([v for v, _ in vals])) if vals else 0.0
    arousal = float(np.mean([a for _, a in vals])) if vals else 0.0
    out: dict[str, Any] = {"genre": _genre_from_text(text), "moods": found, "valence": valence, "arousal": arousal,
                           "mode": None, "key": None, "tempo_bpm": None, "meter": None, "instruments": []}
    for mode in MODES:
        if f" {mode} " in padded:
            out["mode"] = mode
    k = re.search(r"\bin ([a-g])(#|b|-|sharp|flat)?\s*(major|minor|maj|min)?\b", text.lower())
    if k and (k.group(2) or k.group(3) or re.search(r"\bin [a-g]\s*$|\bin [a-g][ ,.]", text.lower())):
        acc = {"#": "#", "sharp": "#", "b": "b", "flat": "b", "-": "b"}.get(k.group(2) or "", "")
        minor = (k.group(3) or "").startswith("min")
        out["key"] = (k.group(1) + acc) if minor else (k.group(1).upper() + acc)
        if k.group(3):
            out["mode"] = "minor" if minor else "major"
    t = re.search(r"(\d{2,3}(?:\.\d+)?)\s*bpm", text.lower())
    if t:
        out["tempo_bpm"] = float(t.group(1))
    if " waltz " in padded or " 3/4 " in padded:
        out["meter"] = "3/4"
    for m in ("6/8", "12/8", "7/8", "5/4"):
        if f" {m} " in padded:
            out["meter"] = m
    out["instruments"] = [w for w in _INSTRUMENT_WORDS if f" {w} " in padded]
    return out


def _choice(rng: np.random.Generator, items: Sequence[Any], weights: Sequence[float]) -> Any:
    w = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=w / w.sum()))]


def _pick_pattern(rng, patterns, meter: str, label: str):
    fits = [p for p in patterns if p.meter == meter]
    if not fits:
        return None
    tagged = [p for p in fits if label in p.sections]
    untagged = [p for p in fits if not p.sections]
    pool = tagged or untagged or fits
    return pool[int(rng.integers(len(pool)))]


def _fit_structure(sections: list[tuple[str, int]], target_bars: float) -> list[tuple[str, int]]:
    """Repeat the verse-chorus block or drop middle sections to approach ``target_bars``."""
    secs = list(sections)
    labels = [s for s, _ in secs]
    # the repeatable block: the first verse up to and including the chorus after it (else the longest section)
    block: list[tuple[str, int]] = []
    if "verse" in labels:
        i = labels.index("verse")
        j = labels.index("chorus", i) if "chorus" in labels[i:] else i
        block = secs[i:j + 1]
    else:
        middle = [s for s in secs if s[0] not in ("intro", "outro")] or secs
        block = [max(middle, key=lambda s: s[1])]
    block_bars = sum(b for _, b in block)

    def total(x):
        return sum(b for _, b in x)

    def insert_at(x):
        # after the chorus that answers the last verse (so before a bridge or the final choruses)
        lab = [s for s, _ in x]
        if "verse" in lab and block[-1][0] == "chorus":
            last_verse = len(lab) - 1 - lab[::-1].index("verse")
            if "chorus" in lab[last_verse:]:
                return lab.index("chorus", last_verse) + 1
        if x and x[-1][0] == "outro":
            return len(x) - 1
        return len(x)

    for _ in range(64):
        if total(secs) + block_bars / 2 > target_bars:
            break
        k = insert_at(secs)
        secs[k:k] = block
    for _ in range(64):
        if total(secs) <= target_bars * 1.08 or len(secs) <= 1:
            break
        # drop a middle section (a repeat, or a pre-chorus, bridge or solo; never the first verse or chorus)
        # whose removal lands nearest the target; on ties the later one
        lab = [s for s, _ in secs]
        middle = [i for i, s in enumerate(lab) if s not in ("intro", "outro")
                  and (s in ("pre-chorus", "bridge", "instrumental") or lab.index(s) != i)]
        best = None
        for i in reversed(middle):
            rest = secs[:i] + secs[i + 1:]
            rl = [s for s, _ in rest]
            if ("verse" in labels and "verse" not in rl) or ("chorus" in labels and "chorus" not in rl):
                continue
            score = abs(total(rest) - target_bars)
            if best is None or score < best[0]:
                best = (score, i)
        if best is None or best[0] >= abs(total(secs) - target_bars):
            break
        del secs[best[1]]
    for _ in range(16):  # still too long (a very short request): halve the longest sections, then drop intro/outro
        if total(secs) <= target_bars * 1.15:
            break
        k = max(range(len(secs)), key=lambda i: secs[i][1])
        if secs[k][1] <= 2:
            if len(secs) > 1:
                del secs[k if secs[k][0] in ("intro", "outro") else -1]
                continue
            break
        secs[k] = (secs[k][0], secs[k][1] // 2)
    return secs


def _dynamics(sections: Sequence[Section]) -> tuple[float, ...]:
    levels: list[float] = []
    for i, s in enumerate(sections):
        nxt = sections[i + 1].energy if i + 1 < len(sections) else 0.1
        for b in range(s.bars):
            frac = b / max(s.bars - 1, 1)
            if s.label == "pre-chorus" or (s.label == "intro" and i + 1 < len(sections)):
                v = s.energy + (nxt - s.energy) * frac * 0.8  # build toward what follows
            elif s.label == "outro":
                v = s.energy * (1 - 0.7 * frac)  # fade
            else:
                v = s.energy
            levels.append(round(float(min(max(v, 0.0), 1.0)), 3))
    return tuple(levels)


def blueprint_from_prompt(
    text: str,
    genre: str | Genre | None = None,
    mood: str | None = None,
    duration: float = 180.0,
    seed: int = 0,
) -> Blueprint:
    """Plan a song from a short text prompt.

    Parameters
    ----------
    text : str
        The prompt: genre names or aliases, mood words, and optional requests ("in E minor", "at 90 bpm",
        "waltz", "with strings").
    genre : str or Genre, optional
        The genre (a name, alias or learned :class:`~harmonia.symbolic.genres.Genre`); default the one the
        text names, else pop.
    mood : str, optional
        A mood word of :data:`MOOD_WORDS` (counts twice as much as one in the text).
    duration : float
        Requested length in seconds (the plan lands within a few seconds of it where the genre's tempo
        range allows).
    seed : int
        Seed of the ``numpy.random.Generator`` behind every choice.

    Returns
    -------
    Blueprint

    Raises
    ------
    UnknownGenreError
        For a genre that is not in the database (with suggestions).
    InvalidBlueprintError
        For an unknown mood or a duration that is not positive.

    Examples
    --------
    >>> bp = blueprint_from_prompt("dark brooding track", genre="techno", seed=3)
    >>> bp.genre, bp.key.islower(), bp.meter
    ('techno', True, '4/4')
    >>> blueprint_from_prompt("a song", genre="technoo")
    Traceback (most recent call last):
    ...
    harmonia.errors.UnknownGenreError: unknown genre 'technoo'; did you mean 'techno'...
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not (0 < duration <= 3600):
        raise InvalidBlueprintError(f"duration {duration!r} s: expected a number of seconds in (0, 3600]")
    rng = np.random.default_rng(seed)
    req = parse_prompt(text, mood=mood)
    g = get_genre(genre if genre is not None else (req["genre"] or "pop"))
    valence, arousal = req["valence"], req["arousal"]

    # mode: explicit, else the genre's modes reweighted by valence
    if req["mode"] is not None:
        mode = req["mode"]
    else:
        names = [m for m, _ in g.modes]
        weights = [w * math.exp((1.5 if MODES[m] == "major" else -1.5) * valence) for m, w in g.modes]
        mode = _choice(rng, names, weights)
    parent = MODES[mode]
    if parent not in {p.mode for p in g.progressions}:  # the genre has no progressions in that parent mode
        parent = g.progressions[0].mode
        mode = parent

    # key
    if req["key"] is not None:
        key = req["key"].lower() if parent == "minor" else req["key"][0].upper() + req["key"][1:]
    else:
        pool = _MINOR_KEYS if parent == "minor" else _MAJOR_KEYS
        key = pool[int(rng.integers(len(pool)))]

    # metre: explicit or weighted, among those the genre has patterns for
    def supported(m: str) -> bool:
        need = [(r, pats) for r, pats in (("drums", g.drum_patterns), ("bass", g.bass_patterns),
                                           ("harmony", g.comping_patterns)) if r in g.roles()]
        return all(any(p.meter == m for p in pats) for _, pats in need)

    meters = [(m, w) for m, w in g.meters if supported(m)] or [("4/4", 1.0)]
    if req["meter"] is not None and supported(req["meter"]):
        meter = req["meter"]
    else:
        meter = _choice(rng, [m for m, _ in meters], [w for _, w in meters])

    # tempo and energy from arousal
    lo, hi = g.tempo_bpm
    if req["tempo_bpm"] is not None:
        tempo = float(min(max(req["tempo_bpm"], 20.0), 400.0))
    else:
        pos = float(np.clip(0.5 + 0.35 * arousal + rng.normal(0.0, 0.06), 0.05, 0.95))
        tempo = float(round(lo + pos * (hi - lo)))
    energy = round(float(np.clip(g.energy + 0.3 * arousal, 0.0, 1.0)), 3)

    # structure fitted to the duration
    structures = list(g.structures)
    structure = _choice(rng, structures, [s.weight for s in structures])
    num, den = _simple_meter(meter)
    qn_per_bar = num * 4.0 / den
    target_bars = duration * tempo / 60.0 / qn_per_bar
    plan = _fit_structure(list(structure.sections), target_bars)
    total_bars = sum(b for _, b in plan)
    if req["tempo_bpm"] is None:  # land on the duration by nudging the tempo inside the genre's range
        exact = total_bars * qn_per_bar * 60.0 / duration
        tempo = float(round(min(max(exact, lo, tempo * 0.85), hi, tempo * 1.15), 1))

    # progressions and patterns, one choice per section label so that repeats sound like repeats
    progs = [p for p in g.progressions if p.mode == parent]
    chosen: dict[str, Any] = {}
    sections = []
    n_chorus = sum(1 for s, _ in plan if s == "chorus")
    seen_chorus = 0
    for label, bars in plan:
        if label not in chosen:
            fits = [p for p in progs if label in p.sections] or [p for p in progs if not p.sections] or progs
            prog = _choice(rng, fits, [p.weight for p in fits])
            chosen[label] = (
                prog,
                _pick_pattern(rng, g.drum_patterns, meter, label),
                _pick_pattern(rng, g.bass_patterns, meter, label),
                _pick_pattern(rng, g.comping_patterns, meter, label),
            )
        prog, dp, bp_, cp = chosen[label]
        e = energy + _SECTION_ENERGY[label]
        if label == "chorus":
            seen_chorus += 1
            if seen_chorus == n_chorus and n_chorus > 1:
                e += 0.05  # the last chorus lifts
        sections.append(Section(
            label=label, bars=int(bars), progression=prog.numerals, bars_per_chord=prog.bars_per_chord,
            energy=round(float(np.clip(e, 0.05, 1.0)), 3),
            drum_pattern=dp.name if dp else "",
            bass_pattern=bp_.name if bp_ else "",
            comping_pattern=cp.name if cp else "",
        ))

    # instrumentation, with instruments the text asks for
    parts = list(g.instrumentation)
    for word in req["instruments"]:
        role, program, name = _INSTRUMENT_WORDS[word]
        if any(p.program == program and not p.is_drum for p in parts):
            continue
        same = [i for i, p in enumerate(parts) if p.role == role]
        if role == "melody" and same:
            parts[same[0]] = Instrument(role, program, name)
        else:
            parts.append(Instrument(role, program, name))

    used = {name for s in sections for name in (s.drum_pattern, s.bass_pattern, s.comping_pattern)}
    rhythm = RhythmTemplate(
        drum_patterns=tuple(p for p in g.drum_patterns if p.name in used),
        bass_patterns=tuple(p for p in g.bass_patterns if p.name in used),
        comping_patterns=tuple(p for p in g.comping_patterns if p.name in used),
        swing=g.swing, swing_unit=g.swing_unit,
    )
    return Blueprint(
        genre=g.name, key=key, mode=mode, tempo_bpm=tempo, meter=meter, energy=energy, sections=tuple(sections),
        instrumentation=tuple(parts), rhythm=rhythm, melody=g.melody, dynamics=_dynamics(sections),
        production=g.production, prompt=text, mood=req["moods"][0] if req["moods"] else "", seed=int(seed),
    )

