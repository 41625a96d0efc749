"""Shared pieces of the stem generators: the song context, chord spans and constrained sampling."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harmonia.symbolic.blueprint import Blueprint
from harmonia.theory.constraints import ConstraintSet, ConstraintState, key_pc_mask, pc_mask
from harmonia.theory.key import Key, parse_key
from harmonia.theory.pitch import fifths_to_pc
from harmonia.theory.roman import parse_roman, realize
from harmonia.theory.vocab import TokenVocabulary, pitch_vocabulary

#: Scale (for :func:`~harmonia.theory.constraints.key_pc_mask`) of each mode flavour.
MODE_SCALES = {
    "major": "major", "minor": "natural minor", "dorian": "dorian", "phrygian": "phrygian",
    "aeolian": "natural minor", "mixolydian": "mixolydian", "lydian": "lydian",
}
#: Note dtype the generators fill before building the Score.
NOTE_ROW = np.dtype([("onset", "<f8"), ("duration", "<f8"), ("pitch", "<i2"), ("velocity", "<i2"),
                     ("voice", "<i2")])
_NEG = -1e9


@dataclass(frozen=True)
class ChordSpan:
    """One planned chord: where it sounds (quarter notes), its figure and its pitch classes."""

    onset: float
    offset: float
    figure: str
    section: int
    root_pc: int
    bass_pc: int
    pcs: tuple[int, ...]  # chord tones from the root up (third, fifth, seventh ...)
    mask: int
    function: str
    cadence: str = ""

    @property
    def duration(self) -> float:
        return self.offset - self.onset


def chord_tones(figure: str, key: Key) -> tuple[int, int, tuple[int, ...]]:
    """Root pitch class, bass pitch class and the tones from the root up, of a numeral in a key."""
    spelled = realize(figure, key)
    rn = parse_roman(figure)
    n_stack = 4 if rn.seventh else 3
    stack = spelled[:n_stack] if len(spelled) >= n_stack else spelled
    inv = rn.inversion % len(stack) if stack else 0
    ordered = stack[(len(stack) - inv) % len(stack):] + stack[:(len(stack) - inv) % len(stack)]
    ordered += spelled[n_stack:]
    pcs = tuple(dict.fromkeys(fifths_to_pc(f) for f in ordered))
    return pcs[0], fifths_to_pc(spelled[0]), pcs


@dataclass
class Context:
    """Everything the generators share: the blueprint, its key and metre, the chord plan, the vocabularies."""

    bp: Blueprint
    key: Key
    scale_mask: int
    qn_per_bar: float
    beats: tuple[int, int]
    section_starts_qn: list[float]
    chords: list[ChordSpan] = field(default_factory=list)
    vocab: TokenVocabulary = field(default_factory=pitch_vocabulary)
    _chord_onsets: np.ndarray | None = None

    @classmethod
    def from_blueprint(cls, bp: Blueprint) -> Context:
        key = parse_key(bp.key)
        num_s, den_s = bp.meter.split("/")
        num = sum(int(p) for p in num_s.split("+"))
        den = int(den_s)
        mask = key_pc_mask(key.tonic_pc, MODE_SCALES.get(bp.mode, "major"))
        starts = [s * bp.qn_per_bar for s in bp.section_starts()]
        return cls(bp=bp, key=key, scale_mask=mask, qn_per_bar=bp.qn_per_bar, beats=(num, den),
                   section_starts_qn=starts)

    @property
    def total_qn(self) -> float:
        return self.bp.total_bars * self.qn_per_bar

    @property
    def compound(self) -> bool:
        """6/8, 9/8, 12/8: beats of three eighths."""
        return self.beats[1] == 8 and self.beats[0] % 3 == 0 and self.beats[0] > 3

    @property
    def beat_qn(self) -> float:
        return 1.5 if self.compound else 4.0 / self.beats[1]

    @property
    def triplet_feel(self) -> bool:
        """The genre's grooves sit on a triplet grid (swing written out): melodies use triplets, no swing warp."""
        pats = self.bp.rhythm.drum_patterns or self.bp.rhythm.comping_patterns
        return (not self.compound and any(p.meter == self.bp.meter and p.steps_per_bar % 3 == 0 for p in pats))

    def set_chords(self, chords: list[ChordSpan]) -> None:
        self.chords = chords
        self._chord_onsets = np.array([c.onset for c in chords])

    def chord_at(self, qn: float) -> int:
        """Index of the chord sounding at ``qn``."""
        return max(int(np.searchsorted(self._chord_onsets, qn + 1e-6, side="right")) - 1, 0)

    def section_at(self, qn: float) -> int:
        return max(int(np.searchsorted(np.asarray(self.section_starts_qn), qn + 1e-6, side="right")) - 1, 0)

    def level(self, qn: float) -> float:
        """The dynamics level (0-1) of the bar holding ``qn``."""
        bar = min(int(qn // self.qn_per_bar), len(self.bp.dynamics) - 1)
        return float(self.bp.dynamics[bar])

    def strong(self, qn: float) -> bool:
        """On a beat of the metre (a dotted quarter in compound metres)."""
        pos = qn % self.qn_per_bar
        return abs(pos / self.beat_qn - round(pos / self.beat_qn)) < 1e-6


def sample_index(rng: np.random.Generator, logits: np.ndarray, temperature: float = 1.0) -> int:
    """Sample from a row of logits (``-inf`` never chosen) with the Gumbel trick; argmax at temperature 0."""
    finite = np.isfinite(logits)
    if not finite.any():
        raise ValueError("no allowed token")
    if temperature <= 0:
        return int(np.argmax(np.where(finite, logits, -np.inf)))
    g = rng.gumbel(size=logits.shape[-1])
    return int(np.argmax(np.where(finite, logits / temperature + g, -np.inf)))


class PitchSampler:
    """Constrained choice of one pitch at a time: scores over the 128 MIDI pitches, masked by a ConstraintSet.

    The set is built once per stem; each call writes the row's state (key, chord, range, previous pitch,
    largest leap) and applies the set to the logits before sampling, so that no rule can be broken.
    """

    def __init__(self, rules: list[Any], vocab: TokenVocabulary, *, low: int, high: int, key_mask: int,
                 max_leap: int = -1) -> None:
        self.cs = ConstraintSet(rules, vocab=vocab, mode="hard", on_empty="relax")
        self.state: ConstraintState = self.cs.new_state(1)
        self.state.set_range(low, high)
        self.state.key_mask[:] = key_mask
        self.state.max_leap[:] = max_leap
        self.pitches = np.arange(128, dtype=np.float64)

    def sample(self, rng: np.random.Generator, logits: np.ndarray, *, chord_mask: int = 0xFFF, prev: int = -1,
               temperature: float = 1.0) -> int:
        st = self.state
        st.chord_mask[:] = chord_mask
        st.prev_pitch[:] = prev
        out = self.cs.apply(logits[None, :], st)
        return sample_index(rng, out[0], temperature)


def distance_logits(target: float, width: float) -> np.ndarray:
    """Scores preferring pitches near ``target`` (a Laplace shape of ``width`` semitones)."""
    return -np.abs(np.arange(128, dtype=np.float64) - target) / max(width, 1e-6)


def pcs_mask(pcs: Any) -> int:
    return pc_mask(list(pcs))


def rhythm_onsets(rhythm: str) -> list[tuple[int, int]]:
    """``(step, length_in_steps)`` of each onset of an ``x - .`` rhythm string."""
    out = []
    n = len(rhythm)
    for i, c in enumerate(rhythm):
        if c == "x":
            j = i + 1
            while j < n and rhythm[j] == "-":
                j += 1
            out.append((i, j - i))
    return out


def empty_notes() -> np.ndarray:
    return np.zeros(0, dtype=NOTE_ROW)


def notes_from(rows: list[tuple[float, float, int, int, int]]) -> np.ndarray:
    if not rows:
        return empty_notes()
    return np.array(rows, dtype=NOTE_ROW)


NEG = _NEG


def swing_warp(t: np.ndarray, swing: float, unit: str) -> np.ndarray:
    """Delay the off-beat of each pair of swing units (``unit`` ``'8th'`` or ``'16th'``) to ``0.5 + swing / 6`` of
    the pair: a piecewise-linear, monotone warp of time (quarter notes), so durations follow their ends.

    Examples
    --------
    >>> swing_warp(np.array([0.0, 0.5, 1.0, 1.5]), 1.0, "8th").round(3).tolist()
    [0.0, 0.667, 1.0, 1.667]
    """
    if swing <= 0:
        return t
    pair = 1.0 if unit == "8th" else 0.5
    half = pair / 2
    d = pair * swing / 6.0
    base = np.floor(t / pair + 1e-9) * pair
    pos = t - base
    return base + np.where(pos < half, pos * (half + d) / half, half + d + (pos - half) * (half - d) / half)
