"""Constraint layers over a batch of logits: music-theory rules applied at every decoding step.

A :class:`ConstraintSet` holds rules and a :class:`~harmonia.theory.vocab.TokenVocabulary`; given logits
of shape ``(batch, vocab)`` and a :class:`ConstraintState` (the musical situation of each row, as
arrays) it masks or penalises the tokens that break a rule, in one fused numba pass.

Rules (each a small frozen dataclass; the state holds the per-row values they read):

=====================  =====================================  ================================================
rule                   acts on                                forbids / penalises
=====================  =====================================  ================================================
:class:`InKey`         pitch tokens                           pitch classes outside the row's key or scale
:class:`ChordTones`    pitch tokens                           pitch classes outside the chord (+ tensions)
:class:`InRange`       pitch tokens                           pitches outside the row's instrument range
:class:`MaxLeap`       pitch tokens                           leaps from the voice's previous pitch beyond
                                                              the row's largest allowed leap
:class:`NoParallels`   pitch tokens                           consecutive fifths or octaves (and unisons)
                                                              against another voice, given both previous
                                                              pitches and the other voice's current pitch
:class:`OnGrid`        position tokens                        positions off the row's rhythmic grid
                                                              (straight or triplet) or beyond the bar
:class:`DrumKit`       drum pitch tokens (and pitch tokens    keys outside the row's drum kit
                       of drum rows)
=====================  =====================================  ================================================

Every other token (bars, programs, durations, velocities, special tokens) is left alone.  Drum rows
(``state.drum``) skip the tonal rules.

**Hard and soft.**  A hard rule sets a forbidden logit to ``-inf``; a soft rule subtracts its
``weight`` (in logits, that is natural-log units of probability) from each token that breaks it.
Penalties of several soft rules add up.  A set's ``mode`` is the default of its rules; a rule can
override it (``InRange(hard=True)`` inside a soft set).  Soft rules with weight 0 change nothing.

**Empty rows.**  A hard set must not leave a row without an allowed token of a kind it constrains
(pitch, drum pitch, position) when the row had one before.  With ``on_empty="raise"`` (default) it
raises :class:`~harmonia.errors.ConstraintError` before writing anything; with ``on_empty="relax"``
it drops the hard rules of that row one at a time, the last rule of the set first (list your rules
from most to least important), until a token is allowed again.  A kind that arrives with no allowed
token (the sampler's own grammar masks it) is not counted.

**Speed.**  The state is one int64 array (one row per batch row), the rules one weight vector.  With
soft rules the kernel fills a small penalty table per row (one entry per pitch, drum key and position)
and applies it to the row's logits.  A set of hard rules only (weights 0 or inf) needs no table: each
row's allowed pitches, drum keys and positions are a few 64-bit words (pitch-class sets tiled over the
keyboard, ranges and leaps as intervals, parallels as a few cleared bits), shifted onto words over the
token ids, checked for an allowed finite logit with a trailing-zero count, and applied in one
vectorised select.  On (64, 512) float32 logits the full hard set takes about 4.7 microseconds per call
(3.6 in place), 45 times faster than vectorised numpy and 1,750 times faster than Python loops, where
copying the array takes 1.2 (``benchmarks/bench_constraints.py``).  The first call in a process takes
about 0.3 s: numba's own start-up (its typing and lowering registries), then 5 ms to load the cached
kernel.
The torch adapter (:mod:`harmonia.neural.constraints`) uses the same tables, so both paths give
bit-identical results.

Examples
--------
>>> import numpy as np
>>> from harmonia.theory.vocab import pitch_vocabulary
>>> cs = ConstraintSet([InKey(), InRange(), MaxLeap(5)], vocab=pitch_vocabulary())
>>> state = cs.new_state(2)
>>> state.set_key("C", "major")
>>> state.set_range(60, 72)
>>> state.prev_pitch[:] = [64, -1]  # row 1 has no previous pitch yet
>>> out = cs.apply(np.zeros((2, 128), dtype=np.float32), state)
>>> np.flatnonzero(np.isfinite(out[0])).tolist()  # in C major, 60..72, within 5 semitones of E4
[60, 62, 64, 65, 67, 69]
>>> np.flatnonzero(np.isfinite(out[1])).tolist()
[60, 62, 64, 65, 67, 69, 71, 72]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from harmonia.errors import ConstraintError
from harmonia.theory.vocab import FEATURE_DRUM, FEATURE_POSITION, TokenVocabulary

__all__ = [
    "ChordTones",
    "ConstraintSet",
    "ConstraintState",
    "DrumKit",
    "InKey",
    "InRange",
    "MaxLeap",
    "NoParallels",
    "OnGrid",
    "Rule",
    "chord_pc_mask",
    "key_pc_mask",
    "pc_mask",
]

# rule ids (slots of the weight vector)
_KEY, _CHORD, _RANGE, _LEAP, _PARALLEL, _GRID, _DRUM = range(7)
_N_RULES = 7
# state columns
KEY, CHORD, LOW, HIGH, PREV, LEAP, OTHER_PREV, OTHER_PITCH, DRUM, KIT0, KIT1, GRID0 = range(12)
# static header
_H_RELAX, _H_CONTRARY, _H_NSEG, _H_SPANS, _H_NORDER, _H_ORDER, _H_HARD, _H_NFEAT = 0, 1, 2, 3, 9, 10, 17, 18
# hard-only sets: hard rule bits, feature words, token words, pieces, offsets of the pieces, free ids, kinds
_H_ACT, _H_NW, _H_NTW, _H_NPIECE, _H_PIECES, _H_FREE, _H_KINDS, _H_SEG = 19, 20, 21, 22, 23, 24, 25, 26
_ALL_PCS = 0xFFF


# --------------------------------------------------------------------------------------------------
# pitch-class masks
# --------------------------------------------------------------------------------------------------
def pc_mask(pcs: Any) -> int:
    """A 12-bit pitch-class mask (bit ``pc`` set for each pitch class given).

    Examples
    --------
    >>> pc_mask([0, 4, 7]), bin(pc_mask([0, 4, 7]))
    (145, '0b10010001')
    """
    m = 0
    for pc in np.asarray(pcs, dtype=np.int64).ravel():
        m |= 1 << int(pc % 12)
    return m


def key_pc_mask(tonic: str | int, scale: str = "major") -> int:
    """Pitch-class mask of a scale on a tonic (a name such as ``'Eb'`` or a pitch class 0-11).

    ``scale`` is any name of :data:`harmonia.theory.scale.SCALES`; ``"minor"`` means natural minor.

    Examples
    --------
    >>> key_pc_mask("A", "minor") == key_pc_mask("C", "major") == pc_mask([0, 2, 4, 5, 7, 9, 11])
    True
    >>> key_pc_mask(2, "harmonic minor") == pc_mask([2, 4, 5, 7, 9, 10, 1])
    True
    """
    from harmonia.theory.pitch import name_to_fifths
    from harmonia.theory.scale import scale_pcs

    scale = "natural minor" if scale == "minor" else scale
    if isinstance(tonic, str):
        tonic = name_to_fifths(tonic)
    else:  # a pitch class: its line-of-fifths position
        tonic = (int(tonic) * 7) % 12
        tonic = tonic - 12 if tonic > 6 else tonic
    return pc_mask(scale_pcs(tonic, scale))


#: Tensions (semitones above the root) considered for each chord family by ``tensions="available"``.
_TENSIONS = {"dominant": (1, 2, 3, 6, 8, 9), "other": (2, 5, 9)}


def chord_pc_mask(chord: str | tuple[int, str], *, tensions: str = "none") -> int:
    """Pitch-class mask of a chord's tones, optionally with its allowed tensions.

    Parameters
    ----------
    chord : str or (int, str)
        A chord symbol (``'G7'``, ``'F#m7b5'``, ``'Bb/D'``) or a (root pitch class, quality) pair with a
        quality of :data:`harmonia.theory.chord.QUALITIES` (``'maj'``, ``'min7'``, ``'dom7'`` ...).
    tensions : {"none", "available", "all"}
        ``"none"``: chord tones only.  ``"available"``: add the 9th, 11th and 13th that are not a
        semitone above a chord tone (the "avoid note" rule of jazz theory: no 11th over a major third,
        no b13 over a fifth), and on dominant chords also the altered tensions b9, #9, #11 and b13.
        ``"all"``: every pitch class (the rule is then inactive).

    Examples
    --------
    >>> chord_pc_mask("C") == pc_mask([0, 4, 7])
    True
    >>> chord_pc_mask("Cmaj7", tensions="available") == pc_mask([0, 4, 7, 11, 2, 9])  # no F (avoid note)
    True
    >>> chord_pc_mask((7, "dom7"), tensions="available") == pc_mask([7, 11, 2, 5, 8, 9, 10, 1, 3, 4])
    True
    """
    from harmonia.theory.chord import QUALITIES, parse_chord_symbol
    from harmonia.theory.pitch import fifths_to_pc

    if isinstance(chord, str):
        sym = parse_chord_symbol(chord)
        root, quality = fifths_to_pc(sym.root_fifths), sym.quality
        bass = None if sym.bass_fifths is None else fifths_to_pc(sym.bass_fifths)
    else:
        root, quality = int(chord[0]) % 12, chord[1]
        bass = None
    if quality not in QUALITIES:
        raise ValueError(f"unknown chord quality {quality!r}; choose one of {sorted(QUALITIES)}")
    if tensions not in ("none", "available", "all"):
        raise ValueError(f"tensions must be 'none', 'available' or 'all', got {tensions!r}")
    if tensions == "all":
        return _ALL_PCS
    rel = {(7 * f) % 12 for f in QUALITIES[quality].fifths}
    if bass is not None:
        rel.add((bass - root) % 12)
    if tensions == "available":
        dominant = 4 in rel and 10 in rel
        for t in _TENSIONS["dominant" if dominant else "other"]:
            if dominant or (t - 1) % 12 not in rel:
                rel.add(t)
    return pc_mask([root + r for r in rel])


# --------------------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Rule:
    """Base of the rules: ``weight`` (soft penalty, in logits) and ``hard`` (None: the set's mode).

    Both are keyword-only; a rule's own options come first (``InRange(60, 72, hard=True)``).
    """

    weight: float = 1.0
    hard: bool | None = None
    _slot = -1

    def _init_state(self, state: ConstraintState) -> None:  # fill the state defaults this rule owns
        pass


@dataclass(frozen=True)
class InKey(Rule):
    """Pitch classes in the row's key or scale (``state.set_key``); ``tonic`` and ``scale`` set the default.

    Until a key is set every pitch class is allowed.
    """

    tonic: str | int | None = None
    scale: str = "major"
    _slot = _KEY

    def _init_state(self, state: ConstraintState) -> None:
        if self.tonic is not None:
            state.set_key(self.tonic, self.scale)


@dataclass(frozen=True)
class ChordTones(Rule):
    """Pitch classes of the row's chord and its allowed tensions (``state.set_chord``).

    ``chord`` and ``tensions`` set the default; until a chord is set every pitch class is allowed.
    """

    chord: str | tuple[int, str] | None = None
    tensions: str = "none"
    _slot = _CHORD

    def _init_state(self, state: ConstraintState) -> None:
        if self.chord is not None:
            state.set_chord(self.chord, tensions=self.tensions)


@dataclass(frozen=True)
class InRange(Rule):
    """Pitches inside the row's range (``state.set_range`` / ``set_program`` / ``set_instrument``).

    Defaults: ``low``/``high`` if given, else ``program`` or ``instrument`` with ``kind``
    (``"comfortable"`` or ``"absolute"``, see :mod:`harmonia.theory.instruments`), else 0-127.
    """

    low: int | None = None
    high: int | None = None
    program: int | None = None
    instrument: str | None = None
    kind: str = "comfortable"
    _slot = _RANGE

    def _init_state(self, state: ConstraintState) -> None:
        if self.program is not None:
            state.set_program(self.program, kind=self.kind)
        if self.instrument is not None:
            state.set_instrument(self.instrument, kind=self.kind)
        if self.low is not None or self.high is not None:
            state.set_range(0 if self.low is None else self.low, 127 if self.high is None else self.high)


@dataclass(frozen=True)
class MaxLeap(Rule):
    """Melodic intervals from the voice's previous pitch (``state.prev_pitch``; -1 = none) of at most
    ``semitones`` (the default of ``state.max_leap``; -1 there means no limit for the row)."""

    semitones: int = 12
    _slot = _LEAP

    def _init_state(self, state: ConstraintState) -> None:
        state.max_leap[:] = self.semitones


@dataclass(frozen=True)
class NoParallels(Rule):
    """No consecutive perfect fifths or octaves (unisons, compound intervals) against another voice.

    Reads ``state.prev_pitch``, ``state.other_prev`` and ``state.other_pitch`` (-1 = unknown: the rule
    is off for the row).  A candidate pitch breaks the rule when the previous interval between the
    voices was a fifth or an octave (modulo octaves), the new one is the same, and both voices move.
    With ``contrary=False`` (default) only motion in the same direction counts (parallel fifths and
    octaves); ``contrary=True`` also forbids fifths and octaves by contrary motion, as strict
    counterpoint does.  Like :func:`harmonia.theory.vl_rules.check_voice_leading`, a unison moving to an
    octave counts as parallel octaves.
    """

    contrary: bool = False
    _slot = _PARALLEL


@dataclass(frozen=True)
class OnGrid(Rule):
    """Position tokens on the row's rhythmic grid (``state.set_grid``), inside the bar.

    ``subdivisions`` are steps per quarter note: 4 = sixteenths, 2 = eighths, 3 = eighth-note
    triplets, 6 = sixteenth triplets; several may be combined, ``(4, 3)``.  ``meter`` sets the bar
    length.  Triplet grids need a vocabulary whose positions_per_beat is divisible by 3 (miditok
    ``beat_res={(0, 4): 12}``, say).  Until set, the default grid is this rule's.
    """

    subdivisions: tuple[int, ...] = (4,)
    meter: tuple[int, int] = (4, 4)
    _slot = _GRID

    def _init_state(self, state: ConstraintState) -> None:
        if state.n_positions:
            state.set_grid(meter=self.meter, subdivisions=self.subdivisions)


@dataclass(frozen=True)
class DrumKit(Rule):
    """Drum keys in the row's kit (``state.set_drum_kit``; default ``kit``: a name of
    :data:`harmonia.theory.instruments.DRUM_KITS` or key numbers).  Applies to drum-pitch tokens, and to
    the pitch tokens of drum rows (``state.drum``)."""

    kit: str | tuple[int, ...] = "gm"
    _slot = _DRUM

    def _init_state(self, state: ConstraintState) -> None:
        state.set_drum_kit(self.kit)


# --------------------------------------------------------------------------------------------------
# state
# --------------------------------------------------------------------------------------------------
def _rows(rows: Any, batch: int) -> Any:
    return slice(None) if rows is None else np.asarray(rows, dtype=np.int64)


def _per_row(values: Any, n: int) -> list:
    if isinstance(values, (str, tuple)) or np.ndim(values) == 0:
        return [values] * n
    values = list(values)
    if len(values) != n:
        raise ValueError(f"expected one value per row ({n}), got {len(values)}")
    return values


def _bits(allowed: np.ndarray, n_words: int) -> np.ndarray:
    """Pack a boolean (..., n) array into (..., n_words) int64 bit words."""
    allowed = np.asarray(allowed, dtype=bool)
    pad = np.zeros((*allowed.shape[:-1], n_words * 64), dtype=bool)
    pad[..., : allowed.shape[-1]] = allowed
    weights = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
    words = (pad.reshape(*allowed.shape[:-1], n_words, 64) * weights).sum(-1, dtype=np.uint64)
    return words.view(np.int64)


class ConstraintState:
    """The musical state of each batch row, as one int64 array that the kernels read.

    Make one with :meth:`ConstraintSet.new_state`; update it between decoding steps through the setters
    or the column views (``state.prev_pitch[:] = sampled``).  Every setter takes ``rows`` (indices) to
    update some rows only; per-row arguments are scalars (all rows) or one value per row.

    Attributes
    ----------
    data : numpy.ndarray
        ``(batch, n_fields)`` int64: key mask, chord mask, low, high, previous pitch, largest leap,
        other voice's previous and current pitch, drum flag, drum kit bits, grid bits.
    key_mask, chord_mask, low, high, prev_pitch, max_leap, other_prev, other_pitch, drum : numpy.ndarray
        Writable views of the columns (``-1`` in a pitch column means "none").
    """

    def __init__(self, batch: int, *, n_positions: int = 0, positions_per_beat: int | None = None, vocab=None):
        self.batch = int(batch)
        self.n_positions = int(n_positions)
        self.positions_per_beat = positions_per_beat
        self._vocab = vocab
        self.n_grid_words = max(1, -(-self.n_positions // 64))
        self.data = np.zeros((self.batch, GRID0 + self.n_grid_words), dtype=np.int64)
        self.data[:, KEY] = _ALL_PCS
        self.data[:, CHORD] = _ALL_PCS
        self.data[:, LOW] = 0
        self.data[:, HIGH] = 127
        self.data[:, [PREV, LEAP, OTHER_PREV, OTHER_PITCH]] = -1
        self.data[:, KIT0:KIT1 + 1] = -1  # every key
        self.data[:, GRID0:] = -1  # every position

    # column views
    key_mask = property(lambda self: self.data[:, KEY], lambda self, v: self.data.__setitem__((slice(None), KEY), v))
    chord_mask = property(lambda self: self.data[:, CHORD],
                          lambda self, v: self.data.__setitem__((slice(None), CHORD), v))
    low = property(lambda self: self.data[:, LOW], lambda self, v: self.data.__setitem__((slice(None), LOW), v))
    high = property(lambda self: self.data[:, HIGH], lambda self, v: self.data.__setitem__((slice(None), HIGH), v))
    prev_pitch = property(lambda self: self.data[:, PREV],
                          lambda self, v: self.data.__setitem__((slice(None), PREV), v))
    max_leap = property(lambda self: self.data[:, LEAP], lambda self, v: self.data.__setitem__((slice(None), LEAP), v))
    other_prev = property(lambda self: self.data[:, OTHER_PREV],
                          lambda self, v: self.data.__setitem__((slice(None), OTHER_PREV), v))
    other_pitch = property(lambda self: self.data[:, OTHER_PITCH],
                           lambda self, v: self.data.__setitem__((slice(None), OTHER_PITCH), v))
    drum = property(lambda self: self.data[:, DRUM], lambda self, v: self.data.__setitem__((slice(None), DRUM), v))

    def set_key(self, tonic: Any, scale: Any = "major", *, rows: Any = None) -> None:
        """Key or scale per row: tonic names (``'Eb'``) or pitch classes, scale names (see :func:`key_pc_mask`)."""
        r = _rows(rows, self.batch)
        n = len(self.data[r])
        masks = [key_pc_mask(t, s) for t, s in zip(_per_row(tonic, n), _per_row(scale, n))]
        self.data[r, KEY] = masks

    def set_chord(self, chord: Any, *, tensions: Any = "none", rows: Any = None) -> None:
        """Chord per row: symbols (``'G7'``) or (root pc, quality) pairs; see :func:`chord_pc_mask`.

        ``None`` for a row allows every pitch class (no chord known).
        """
        r = _rows(rows, self.batch)
        n = len(self.data[r])
        chords = [chord] * n if isinstance(chord, tuple) and len(chord) == 2 and isinstance(chord[1], str) else (
            _per_row(chord, n))
        self.data[r, CHORD] = [
            _ALL_PCS if c is None else chord_pc_mask(c, tensions=t) for c, t in zip(chords, _per_row(tensions, n))
        ]

    def set_range(self, low: Any, high: Any, *, rows: Any = None) -> None:
        """Lowest and highest allowed MIDI pitch per row (inclusive)."""
        r = _rows(rows, self.batch)
        low, high = np.asarray(low, dtype=np.int64), np.asarray(high, dtype=np.int64)
        if np.any(low > high) or np.any(low < 0) or np.any(high > 127):
            raise ValueError(f"ranges need 0 <= low <= high <= 127, got low={low.tolist()}, high={high.tolist()}")
        self.data[r, LOW] = low
        self.data[r, HIGH] = high

    def set_program(self, program: Any, *, kind: str = "comfortable", rows: Any = None) -> None:
        """General MIDI program per row: sets the range from the table and the drum flag (program -1 or 128).

        Drum rows keep their previous range (the tonal rules are off for them).
        """
        from harmonia.theory.instruments import DRUM_PROGRAMS, program_range_table

        r = _rows(rows, self.batch)
        prog = np.broadcast_to(np.asarray(program, dtype=np.int64), self.data[r, LOW].shape)
        is_drum = np.isin(prog, DRUM_PROGRAMS)
        if np.any(~is_drum & ((prog < 0) | (prog > 127))):
            raise ValueError(f"programs must be 0-127, or -1/128 for drums, got {np.unique(prog).tolist()}")
        table = program_range_table(kind=kind)
        sub = self.data[r]
        sub[:, DRUM] = is_drum
        sub[~is_drum, LOW] = table[prog[~is_drum], 0]
        sub[~is_drum, HIGH] = table[prog[~is_drum], 1]
        self.data[r] = sub

    def set_instrument(self, name: Any, *, kind: str = "comfortable", rows: Any = None) -> None:
        """Range per row from instrument names (see :func:`harmonia.theory.instruments.instrument_range`)."""
        from harmonia.theory.instruments import instrument_range

        r = _rows(rows, self.batch)
        n = len(self.data[r])
        lo_hi = np.array([instrument_range(x, kind=kind) for x in _per_row(name, n)], dtype=np.int64)
        self.data[r, LOW] = lo_hi[:, 0]
        self.data[r, HIGH] = lo_hi[:, 1]
        self.data[r, DRUM] = 0

    def set_drum_kit(self, kit: Any = "gm", *, rows: Any = None) -> None:
        """Drum kit of the rows: a kit name or key numbers (the same kit for all rows given)."""
        from harmonia.theory.instruments import drum_kit_pitches

        allowed = np.zeros(128, dtype=bool)
        allowed[drum_kit_pitches(kit)] = True
        self.data[_rows(rows, self.batch), KIT0:KIT1 + 1] = _bits(allowed, 2)

    def set_grid(
        self, meter: tuple[int, int] = (4, 4), subdivisions: Sequence[int] = (4,), *, rows: Any = None
    ) -> None:
        """Allowed positions: those inside a bar of ``meter`` on any of the ``subdivisions`` (steps per quarter).

        Examples
        --------
        >>> from harmonia.theory.vocab import TokenVocabulary
        >>> v = TokenVocabulary.from_tokens([f"Position_{i}" for i in range(48)], positions_per_beat=12)
        >>> cs = ConstraintSet([OnGrid()], vocab=v)
        >>> s = cs.new_state(1)
        >>> s.set_grid((3, 4), (2, 3))  # eighths and eighth triplets in 3/4
        >>> np.flatnonzero(s.grid_allowed()[0]).tolist()
        [0, 4, 6, 8, 12, 16, 18, 20, 24, 28, 30, 32]
        """
        if self.positions_per_beat is None or self._vocab is None:
            raise ValueError("the vocabulary has no position tokens with a known positions_per_beat")
        pos_qn = self._vocab.position_qn(meter)
        bar_qn = meter[0] * 4.0 / meter[1]
        allowed = pos_qn < bar_qn - 1e-9
        on = np.zeros_like(allowed)
        for s in subdivisions:
            x = pos_qn * float(s)
            on |= np.abs(x - np.round(x)) < 1e-6
        self.set_grid_mask(allowed & on, rows=rows)

    def set_grid_mask(self, allowed: Any, *, rows: Any = None) -> None:
        """Allowed positions as booleans, ``(n_positions,)`` for all rows given or ``(rows, n_positions)``."""
        allowed = np.asarray(allowed, dtype=bool)
        if allowed.shape[-1] != self.n_positions:
            raise ValueError(f"expected {self.n_positions} positions, got {allowed.shape[-1]}")
        self.data[_rows(rows, self.batch), GRID0:] = _bits(allowed, self.n_grid_words)

    def grid_allowed(self) -> np.ndarray:
        """The allowed positions per row, ``(batch, n_positions)`` bool (for reading)."""
        words = self.data[:, GRID0:].view(np.uint64)
        bits = (words[:, :, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)
        return bits.reshape(self.batch, -1)[:, : self.n_positions].astype(bool)

    def observe(self, token_ids: Any) -> None:
        """Advance after sampling: rows whose token is a pitch get it as ``prev_pitch``; a program token
        sets the row's program (range and drum flag).

        Examples
        --------
        >>> from harmonia.theory.vocab import pitch_vocabulary
        >>> s = ConstraintSet([MaxLeap()], vocab=pitch_vocabulary()).new_state(2)
        >>> s.observe([60, 67]); s.prev_pitch.tolist()
        [60, 67]
        """
        from harmonia.theory.vocab import PITCH, PROGRAM

        ids = np.asarray(token_ids, dtype=np.int64).ravel()
        kind, value = self._vocab.kind[ids], self._vocab.value[ids]
        pitch = kind == PITCH
        self.data[pitch, PREV] = value[pitch]
        prog = np.flatnonzero(kind == PROGRAM)
        if prog.size:
            self.set_program(value[prog], rows=prog)

    def take(self, rows: Any) -> ConstraintState:
        """A new state holding some rows (a copy)."""
        out = object.__new__(ConstraintState)
        out.__dict__.update(self.__dict__)
        out.data = np.ascontiguousarray(self.data[np.asarray(rows, dtype=np.int64)])
        out.batch = out.data.shape[0]
        return out

    def copy(self) -> ConstraintState:
        """A deep copy."""
        return self.take(np.arange(self.batch))

    def describe(self, row: int) -> str:
        """The state of one row, for messages."""
        d = self.data[row]
        pcs = lambda m: [pc for pc in range(12) if (int(m) >> pc) & 1]  # noqa: E731
        text = (f"key pcs {pcs(d[KEY])}, chord pcs {pcs(d[CHORD])}, range {d[LOW]}..{d[HIGH]}, "
                f"previous pitch {d[PREV]}, max leap {d[LEAP]}, other voice {d[OTHER_PREV]} -> {d[OTHER_PITCH]}, "
                f"drum {bool(d[DRUM])}")
        if self.n_positions:
            text += f", grid positions {np.flatnonzero(self.grid_allowed()[row]).tolist()}"
        return text


# --------------------------------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _copy_prev(pen, b, f0, f1):  # pragma: no cover - compiled
    # indices are clamped to >= 0 so that LLVM drops numba's negative-index wraparound and vectorizes
    for f in range(max(f0, 0), f1):
        pen[b, f] = pen[b - 1, f]


@njit(cache=True, inline="always")
def _bit_span(pen, b, f0, f1, base, words, w0, weight):  # pragma: no cover - compiled
    """pen[b, f] = 0 where bit (f - base) of the words (starting at column w0) is set, else weight."""
    for wi in range(max((f0 - base) // 64, 0), (f1 - base + 63) // 64):
        word = words[b, w0 + wi]
        off = base + 64 * wi
        j0 = max(f0 - off, 0)
        j1 = min(f1 - off, 64)
        for j in range(j0, j1):
            pen[b, off + j] = 0.0 if (word >> j) & 1 else weight


@njit(cache=True, inline="always")
def _row_penalties(st, b, w, contrary, spans, pen, pat, reuse):  # pragma: no cover - compiled
    """Fill pen[b, f] for the features the vocabulary has: penalty of each pitch, drum key, position.

    ``pat`` is scratch of length 128 (the pitch-class pattern tiled over the keyboard).  With ``reuse``
    (row b - 1 was filled with the same weights), parts whose state equals row b - 1's are copied.
    """
    wk, wc, wr, wl, wp, wg, wd = w[0], w[1], w[2], w[3], w[4], w[5], w[6]
    p0, p1 = spans[0], spans[1]
    same_kit = reuse and st[b, KIT0] == st[b - 1, KIT0] and st[b, KIT1] == st[b - 1, KIT1]
    same_pitch = same_kit
    if same_pitch:
        for c in range(KIT0):
            if st[b, c] != st[b - 1, c]:
                same_pitch = False
                break
    same_grid = reuse
    if same_grid:
        for c in range(GRID0, st.shape[1]):
            if st[b, c] != st[b - 1, c]:
                same_grid = False
                break
    if same_pitch:
        _copy_prev(pen, b, p0, p1)
    elif p1 > p0:
        if st[b, DRUM] != 0:
            _bit_span(pen, b, p0, p1, 0, st, KIT0, wd)
        else:
            key, chord = st[b, KEY], st[b, CHORD]
            for pc in range(12):
                v = 0.0
                if not (key >> pc) & 1:
                    v += wk
                if not (chord >> pc) & 1:
                    v += wc
                pat[pc] = v
            for j in range(12, 128):
                pat[j] = pat[j - 12]
            lo, hi = st[b, LOW], st[b, HIGH]
            prev, leap = st[b, PREV], st[b, LEAP]
            zero = 0.0
            lw = wl if (prev >= 0 and leap >= 0) else zero
            if prev < 0 or leap < 0:
                prev, leap = 0, 1000
            for p in range(max(p0, 0), p1):
                v = pat[p]
                v += wr if (p < lo) | (p > hi) else zero
                v += lw if (p - prev > leap) | (prev - p > leap) else zero
                pen[b, p] = v
            # consecutive fifths / octaves: a few pitches, one or two pitch classes
            op, oc, prev = st[b, OTHER_PREV], st[b, OTHER_PITCH], st[b, PREV]
            if wp != 0.0 and prev >= 0 and op >= 0 and oc >= 0 and oc != op:
                icp = abs(prev - op) % 12
                if icp == 0 or icp == 7:
                    other_up = oc > op
                    for side in range(2):  # candidates above (side 0) and below (side 1) the other voice
                        if icp == 0:
                            first = oc if side == 0 else oc - 12
                        else:
                            first = oc + 7 if side == 0 else oc - 7
                        step = 12 if side == 0 else -12
                        p = first
                        while (side == 0 and p < p1) or (side == 1 and p >= p0):
                            if p0 <= p < p1 and p != prev and (contrary or (p > prev) == other_up):
                                pen[b, p] += wp
                            p += step
    if same_kit:
        _copy_prev(pen, b, spans[2], spans[3])
    else:
        _bit_span(pen, b, spans[2], spans[3], FEATURE_DRUM, st, KIT0, wd)
    if same_grid:
        _copy_prev(pen, b, spans[4], spans[5])
    else:
        _bit_span(pen, b, spans[4], spans[5], FEATURE_POSITION, st, GRID0, wg)


@njit(cache=True, inline="always")
def _row_ok(x, b, pen, segs, nseg):  # pragma: no cover - compiled
    """False when a constrained kind had an allowed token before the rules and has none after."""
    a0 = a1 = a2 = False  # some allowed token with a finite logit, per kind (pitch, drum, position)
    for s in range(nseg):
        f0 = segs[s, 2]
        if f0 < 0:
            continue
        k = 0 if f0 < FEATURE_DRUM else (1 if f0 < FEATURE_POSITION else 2)
        if (k == 0 and a0) or (k == 1 and a1) or (k == 2 and a2):
            continue
        start, n = max(segs[s, 0], 0), segs[s, 1]
        for i in range(n):
            if pen[b, f0 + i] != np.inf and x[b, start + i] > -np.inf:
                if k == 0:
                    a0 = True
                elif k == 1:
                    a1 = True
                else:
                    a2 = True
                break
    if a0 and a1 and a2:
        return True
    for s in range(nseg):  # a kind with nothing allowed: was anything allowed before?
        f0 = segs[s, 2]
        if f0 < 0:
            continue
        k = 0 if f0 < FEATURE_DRUM else (1 if f0 < FEATURE_POSITION else 2)
        if (k == 0 and a0) or (k == 1 and a1) or (k == 2 and a2):
            continue
        start, n = max(segs[s, 0], 0), segs[s, 1]
        for i in range(n):
            if x[b, start + i] > -np.inf:
                return False
    return True


@njit(cache=True)
def _phase1(x, st, w, static, pen, check):  # pragma: no cover - compiled
    """Penalty tables of all rows (relaxing failing rows if asked); returns the first failing row or -1."""
    nseg = static[_H_NSEG]
    segs = static[_H_SEG:_H_SEG + 3 * nseg].reshape((nseg, 3))
    spans = static[_H_SPANS:_H_SPANS + 6]
    contrary = static[_H_CONTRARY] != 0
    relax = static[_H_RELAX] != 0
    norder = static[_H_NORDER]
    pat = np.empty(128)
    wrow = np.empty(_N_RULES)
    reuse = False
    for b in range(st.shape[0]):
        _row_penalties(st, b, w, contrary, spans, pen, pat, reuse)
        reuse = True
        if check and not _row_ok(x, b, pen, segs, nseg):
            if not relax:
                return b
            reuse = False  # this row's table is not the one of the set's weights
            wrow[:] = w
            for j in range(norder - 1, -1, -1):
                r = static[_H_ORDER + j]
                if wrow[r] == np.inf:
                    wrow[r] = 0.0
                    _row_penalties(st, b, wrow, contrary, spans, pen, pat, False)
                    if _row_ok(x, b, pen, segs, nseg):
                        break
    return -1


@njit(cache=True)
def _apply_kernel(x, out, st, w, static, inplace):  # pragma: no cover - compiled
    nseg = static[_H_NSEG]
    segs = static[_H_SEG:_H_SEG + 3 * nseg].reshape((nseg, 3))
    pen = np.empty((x.shape[0], static[_H_NFEAT]), dtype=x.dtype)
    bad = _phase1(x, st, w, static, pen, static[_H_HARD] != 0)
    if bad >= 0:
        return bad
    ninf = -np.inf
    for b in range(x.shape[0]):
        for s in range(nseg):
            start, n, f0 = max(segs[s, 0], 0), segs[s, 1], segs[s, 2]
            if f0 < 0:
                if not inplace:
                    for i in range(n):
                        out[b, start + i] = x[b, start + i]
                continue
            for i in range(n):
                pv = pen[b, f0 + i]
                y = x[b, start + i] - pv
                out[b, start + i] = ninf if pv == np.inf else y
    return -1


@njit(cache=True)
def _table_kernel(x, st, w, static, pen, check):  # pragma: no cover - compiled
    pen[:, static[_H_NFEAT] - 1] = 0.0
    return _phase1(x, st, w, static, pen, check)


# Hard-only sets (every weight 0 or inf) need no penalty table: each row's allowed features become bit
# words (0-1: pitches 0-127, 2-3: drum keys, 4...: positions, the state's grid words), those become
# bit words over the token ids (64 ids a word; one shifted piece per segment and word, from the static
# table), and one pass over the logits keeps or masks each id.
@njit(cache=True, inline="always")
def _interval_bits(a, b, base):  # pragma: no cover - compiled
    """Bits j of a word (features base + j) with a <= base + j <= b."""
    lo = max(a - base, 0)
    hi = b - base
    if hi < 0 or lo > 63 or lo > hi:
        return np.int64(0)
    m = np.int64(-1) << lo
    if hi < 63:
        m &= ~(np.int64(-1) << (hi + 1))
    return m


@njit(cache=True, inline="always")
def _tile(pcs, word):  # pragma: no cover - compiled
    """A 12-bit pitch-class set over the pitches of word 0 (0-63) or word 1 (64-127: pitch 64 is E)."""
    if word == 1:
        pcs = ((pcs >> 4) | (pcs << 8)) & _ALL_PCS
    t = pcs | (pcs << 12)
    t |= t << 24
    return t | (t << 48)


@njit(cache=True, inline="always")
def _pitch_word(pcs, lo, hi, prev, leap, op, oc, act, contrary, word):  # pragma: no cover - compiled
    """Allowed pitches 64 * word ... 64 * word + 63 of a tonal row under the hard rules in ``act``
    (bit = rule slot); ``pcs`` is the key mask and the chord mask already combined."""
    base = 64 * word
    m = _tile(pcs, word)
    if (act >> _RANGE) & 1:
        m &= _interval_bits(lo, hi, base)
    if (act >> _LEAP) & 1 and prev >= 0 and leap >= 0:
        m &= _interval_bits(prev - leap, prev + leap, base)
    if (act >> _PARALLEL) & 1 and prev >= 0 and op >= 0 and oc >= 0 and oc != op:
        icp = abs(prev - op) % 12
        if icp == 0 or icp == 7:
            if icp == 0:  # every octave of the other voice's pitch
                bad = _tile(np.int64(1) << (oc % 12), word)
            else:  # fifths above it, fourths below it (a fifth under, compound)
                bad = _tile(np.int64(1) << ((oc + 7) % 12), word) & _interval_bits(oc + 7, 127, base)
                bad |= _tile(np.int64(1) << ((oc + 5) % 12), word) & _interval_bits(0, oc - 7, base)
            if not contrary:  # the voice moves the way the other one does
                bad &= _interval_bits(prev + 1, 127, base) if oc > op else _interval_bits(0, prev - 1, base)
            m &= ~(bad & ~_interval_bits(prev, prev, base))
    return m


@njit(cache=True, inline="always")
def _feature_bits(f_lo, f_hi, sh):  # pragma: no cover - compiled
    """64 feature bits starting at bit ``sh`` (0-63) of word f_lo, continuing into word f_hi."""
    if sh == 0:
        return f_lo
    return ((f_lo >> sh) & ~(np.int64(-1) << (64 - sh))) | (f_hi << (64 - sh))


@njit(cache=True, boundscheck=False)
def _hard_kernel(x, out, st, static, inplace):  # pragma: no cover - compiled
    """Hard-only sets: allowed token words of every row (checked, relaxed if asked), then one select pass.

    Returns the first row left without an allowed token (``on_empty="raise"``, nothing written), or -1.
    """
    nb, nv = x.shape
    contrary = static[_H_CONTRARY] != 0
    act0 = static[_H_ACT]
    nfw, ntw, npc = static[_H_NW], static[_H_NTW], static[_H_NPIECE]
    pieces = static[static[_H_PIECES]:static[_H_PIECES] + 3 * npc]
    free = static[static[_H_FREE]:static[_H_FREE] + ntw]
    kinds = static[static[_H_KINDS]:static[_H_KINDS] + 3 * ntw]
    fw = np.zeros(nfw + 2, dtype=np.int64)  # the row's feature words, one zero word either side
    krange = np.zeros((3, 2), dtype=np.int64)  # the token words holding ids of each kind
    for k in range(3):
        krange[k, 0] = ntw
        for t in range(ntw):
            if kinds[k * ntw + t] != 0:
                krange[k, 0] = min(krange[k, 0], t)
                krange[k, 1] = t + 1
    tw = np.empty((nb, ntw), dtype=np.int64)
    ninf = np.full(1, -np.inf, dtype=x.dtype)[0]  # -inf in the logits' type
    nfull = nv // 64
    for b in range(nb):
        act = act0
        j = static[_H_NORDER]
        while True:
            # feature words
            drum = (act >> _DRUM) & 1
            kit0 = st[b, KIT0] if drum else np.int64(-1)
            kit1 = st[b, KIT1] if drum else np.int64(-1)
            if st[b, DRUM] != 0:
                fw[1], fw[2] = kit0, kit1
            else:
                pcs = np.int64(_ALL_PCS)
                if (act >> _KEY) & 1:
                    pcs &= st[b, KEY]
                if (act >> _CHORD) & 1:
                    pcs &= st[b, CHORD]
                pcs &= _ALL_PCS
                lo, hi, prev, leap = st[b, LOW], st[b, HIGH], st[b, PREV], st[b, LEAP]
                op, oc = st[b, OTHER_PREV], st[b, OTHER_PITCH]
                fw[1] = _pitch_word(pcs, lo, hi, prev, leap, op, oc, act, contrary, 0)
                fw[2] = _pitch_word(pcs, lo, hi, prev, leap, op, oc, act, contrary, 1)
            fw[3], fw[4] = kit0, kit1
            grid = (act >> _GRID) & 1
            for i in range(nfw - 4):
                fw[5 + i] = st[b, GRID0 + i] if grid else np.int64(-1)
            # token words: the free ids, then each piece (feature bits shifted onto ids, masked to the segment)
            for t in range(ntw):
                tw[b, t] = free[t]
            for q in range(npc):
                t, pos, rmask = pieces[3 * q], pieces[3 * q + 1], pieces[3 * q + 2]
                wi = (pos >> 6) + 1  # pos >= -64 (checked when the table is built)
                tw[b, t] |= _feature_bits(fw[wi], fw[wi + 1], pos & 63) & rmask
            if act == 0:
                break
            # every kind with a finite logit before keeps one: an allowed id of the kind with a finite logit
            ok = True
            for k in range(3):
                found = had = False
                for t in range(krange[k, 0], krange[k, 1]):
                    m = tw[b, t] & kinds[k * ntw + t]
                    while m != 0:
                        z = trailing_zeros(m)
                        if x[b, 64 * t + z] > -np.inf:
                            found = True
                            break
                        m &= ~(np.int64(1) << z)
                    if found:
                        break
                if found:
                    continue
                for t in range(krange[k, 0], krange[k, 1]):  # none: did the kind have a finite logit before?
                    m = kinds[k * ntw + t]
                    while m != 0:
                        z = trailing_zeros(m)
                        if x[b, 64 * t + z] > -np.inf:
                            had = True
                            break
                        m &= ~(np.int64(1) << z)
                    if had:
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                break
            if static[_H_RELAX] == 0:
                return b
            j -= 1  # drop the last hard rule still on, and try again
            while j >= 0 and not (act >> static[_H_ORDER + j]) & 1:
                j -= 1
            if j < 0:
                break
            act &= ~(np.int64(1) << static[_H_ORDER + j])
        if not inplace:  # copying: write the row now (on an error the copy is dropped)
            for t in range(nfull):
                w = tw[b, t]
                for z in range(64):
                    v = x[b, 64 * t + z]
                    out[b, 64 * t + z] = v if (w >> z) & 1 else ninf
            if nfull < ntw:
                w = tw[b, nfull]
                for z in range(nv - 64 * nfull):
                    v = x[b, 64 * nfull + z]
                    out[b, 64 * nfull + z] = v if (w >> z) & 1 else ninf
    if inplace:  # every row checked: now write, reading and writing one array so that the loop vectorizes
        for b in range(nb):
            for t in range(ntw):
                w = tw[b, t]
                if w != -1:
                    for z in range(min(64, nv - 64 * t)):
                        v = out[b, 64 * t + z]
                        out[b, 64 * t + z] = v if (w >> z) & 1 else ninf
    return -1


def _token_word_tables(vocab: TokenVocabulary) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Static tables of :func:`_hard_kernel` for a vocabulary, as int64 bit words over the token ids.

    ``pieces`` (n, 3): token word, feature of the word's bit 0 (features of a segment follow its ids), and
    the bits of the segment's ids in that word; ``free`` (n_words,): ids no rule constrains; ``kinds``
    (3, n_words): pitch, drum pitch and position ids.
    """
    n_words = -(-vocab.size // 64)
    ids = np.arange(vocab.size)

    def words(sel: np.ndarray) -> np.ndarray:
        bits = np.zeros(64 * n_words, dtype=np.uint64)
        bits[: vocab.size] = sel
        return (bits.reshape(n_words, 64) << np.arange(64, dtype=np.uint64)).sum(axis=1, dtype=np.uint64).view(
            np.int64)

    pieces = []
    for start, n, f0 in vocab._segments.tolist():
        if f0 < 0:
            continue
        for t in range(start // 64, (start + n - 1) // 64 + 1):
            # the feature of id 64 t; -64 <= pos < 64 * (feature words) as 64 t > start - 64 and 64 t < start + n
            pieces.append((t, 64 * t + f0 - start, int(words((ids >= start) & (ids < start + n))[t])))
    free = words(vocab.feature == vocab.n_features - 1)
    block = np.minimum(vocab.feature // FEATURE_DRUM, 2)  # pitch, drum key, position
    kinds = np.stack([words((block == k) & (vocab.feature < vocab.n_features - 1)) for k in range(3)])
    return np.array(pieces, dtype=np.int64).reshape(-1, 3), free, kinds


# --------------------------------------------------------------------------------------------------
# the set
# --------------------------------------------------------------------------------------------------
class ConstraintSet:
    """Rules over one vocabulary, applied together in one pass.

    Parameters
    ----------
    rules : sequence of Rule
        At most one rule of each type, most important first (``on_empty="relax"`` drops the last first).
    vocab : TokenVocabulary
        What the logits' columns mean (:func:`~harmonia.theory.vocab.pitch_vocabulary`,
        :meth:`~harmonia.theory.vocab.TokenVocabulary.from_miditok`).
    mode : {"hard", "soft"}
        Default of the rules whose ``hard`` is None.
    on_empty : {"raise", "relax"}
        What to do when the hard rules would leave a row without an allowed token (see the module
        docstring).

    Examples
    --------
    >>> from harmonia.theory.vocab import pitch_vocabulary
    >>> cs = ConstraintSet([InKey("D", "major", weight=2.0), ChordTones("D", weight=1.0)],
    ...                    vocab=pitch_vocabulary(), mode="soft")
    >>> out = cs.apply(np.zeros((1, 128)), cs.new_state(1))
    >>> out[0, [62, 64, 65]].tolist()  # D (chord tone), E (in key), F (neither)
    [0.0, -1.0, -3.0]
    """

    def __init__(
        self, rules: Sequence[Rule], *, vocab: TokenVocabulary, mode: str = "hard", on_empty: str = "raise"
    ) -> None:
        if mode not in ("hard", "soft"):
            raise ValueError(f"mode must be 'hard' or 'soft', got {mode!r}")
        if on_empty not in ("raise", "relax"):
            raise ValueError(f"on_empty must be 'raise' or 'relax', got {on_empty!r}")
        if not isinstance(vocab, TokenVocabulary):
            raise TypeError(f"vocab must be a TokenVocabulary, got {type(vocab).__name__}")
        rules = list(rules)
        slots = [r._slot for r in rules]
        for r in rules:
            if not isinstance(r, Rule) or r._slot < 0:
                raise TypeError(f"not a constraint rule: {r!r}")
            if not (np.isfinite(r.weight) and r.weight >= 0):
                raise ValueError(f"{type(r).__name__}: weight must be finite and >= 0, got {r.weight}")
        if len(set(slots)) != len(slots):
            raise ValueError("at most one rule of each type per set")
        self.rules = tuple(rules)
        self.vocab = vocab
        self.mode = mode
        self.on_empty = on_empty
        w = np.zeros(_N_RULES)
        for r in rules:
            hard = (mode == "hard") if r.hard is None else r.hard
            w[r._slot] = np.inf if hard else r.weight
        self.weights = w
        self.weights.setflags(write=False)
        contrary = any(isinstance(r, NoParallels) and r.contrary for r in rules)
        order = np.full(_N_RULES, -1, dtype=np.int64)
        order[: len(slots)] = slots
        segs = vocab._segments
        header = np.zeros(_H_SEG, dtype=np.int64)
        header[_H_RELAX] = on_empty == "relax"
        header[_H_CONTRARY] = contrary
        header[_H_NSEG] = len(segs)
        header[_H_SPANS:_H_SPANS + 6] = vocab._spans.ravel()
        header[_H_NORDER] = len(slots)
        header[_H_ORDER:_H_ORDER + _N_RULES] = order
        header[_H_HARD] = bool(np.isinf(w).any())
        header[_H_NFEAT] = vocab.n_features
        # hard-only sets take the bit-word kernel (_hard_kernel)
        self._fast = bool(np.all((w == 0) | np.isinf(w)))
        header[_H_ACT] = sum(1 << r for r in range(_N_RULES) if np.isinf(w[r]))
        header[_H_NW] = 4 + max(1, -(-vocab.n_positions // 64))
        pieces, free, kinds = _token_word_tables(vocab)
        header[_H_NTW] = len(free)
        header[_H_NPIECE] = len(pieces)
        header[_H_PIECES] = _H_SEG + segs.size
        header[_H_FREE] = header[_H_PIECES] + pieces.size
        header[_H_KINDS] = header[_H_FREE] + free.size
        self._static = np.concatenate([header, segs.ravel(), pieces.ravel(), free, kinds.ravel()])
        self._static.setflags(write=False)
        self.hard = bool(header[_H_HARD])
        self._size = vocab.size
        self._n_fields = GRID0 + max(1, -(-vocab.n_positions // 64))

    def __repr__(self) -> str:
        rules = list(self.rules)
        return f"ConstraintSet({rules}, mode={self.mode!r}, on_empty={self.on_empty!r}, vocab={self.vocab!r})"

    def new_state(self, batch: int) -> ConstraintState:
        """A state for ``batch`` rows: everything allowed, then each rule's defaults."""
        v = self.vocab
        state = ConstraintState(batch, n_positions=v.n_positions, positions_per_beat=v.positions_per_beat, vocab=v)
        for r in self.rules:
            r._init_state(state)
        return state

    def _check(self, logits: Any, state: ConstraintState) -> np.ndarray:
        if not isinstance(state, ConstraintState):
            raise TypeError(f"state must be a ConstraintState (ConstraintSet.new_state), got {type(state).__name__}")
        x = logits if type(logits) is np.ndarray else np.asarray(logits)
        if x.dtype != np.float32 and x.dtype != np.float64:
            x = x.astype(np.float64)
        if x.ndim != 2 or x.shape[1] != self.vocab.size or x.shape[0] != state.batch:
            raise ValueError(
                f"logits must have shape (batch, vocab) = ({state.batch}, {self.vocab.size}), got {x.shape}"
            )
        if state.data.shape[1] != self._n_fields:
            raise ValueError("the state was made for another vocabulary; use this set's new_state()")
        return x

    def _raise(self, row: int, x: np.ndarray, state: ConstraintState) -> None:
        pen = self.penalties(state.take([row]), dtype=x.dtype)[0]
        names = {1: "pitch", 2: "drum_pitch", 3: "position"}
        empty = [
            name
            for code, name in names.items()
            if (sel := self.vocab.kind == code).any()
            and np.any(x[row, sel] > -np.inf)
            and not np.any((x[row, sel] > -np.inf) & (pen[sel] != np.inf))
        ]
        rules = ", ".join(type(r).__name__ for r in self.rules if np.isinf(self.weights[r._slot]))
        raise ConstraintError(
            f"row {row}: the hard rules ({rules}) leave no {' or '.join(empty)} token allowed; state: "
            f"{state.describe(row)}. Loosen the state, make a rule soft, or pass on_empty='relax'"
        )

    def apply(self, logits: Any, state: ConstraintState, *, inplace: bool = False) -> np.ndarray:
        """Mask (hard rules) or penalise (soft rules) a batch of logits.

        Parameters
        ----------
        logits : numpy.ndarray
            ``(batch, vocab)`` float32 or float64.  Other dtypes are converted to float64 (a copy).
        state : ConstraintState
            One row per batch row.
        inplace : bool
            Write into ``logits`` (which must then be a writable float32/float64 array) instead of
            returning a new array.

        Returns
        -------
        numpy.ndarray
            The constrained logits (``logits`` itself when ``inplace``).

        Raises
        ------
        ConstraintError
            With ``on_empty="raise"``, when a row would be left without an allowed token; nothing is
            written then.
        """
        x = logits
        # the common case in one test (a float32/float64 array of the right shape), else _check
        if (type(state) is not ConstraintState or type(x) is not np.ndarray or x.dtype.char not in "fd"
                or x.shape != (state.batch, self._size) or state.data.shape[1] != self._n_fields):
            x = self._check(logits, state)
        data = state.data
        if inplace:
            if x is not logits or not x.flags.writeable:
                raise ValueError("inplace=True needs a writable float32 or float64 numpy array")
            out = x
        else:
            out = np.empty_like(x)
        if self._fast:
            bad = _hard_kernel(x, out, data, self._static, inplace)
        else:
            bad = _apply_kernel(x, out, data, self.weights, self._static, inplace)
        if bad >= 0:
            self._raise(bad, x, state)
        return out

    def __call__(self, logits: Any, state: ConstraintState, *, inplace: bool = False) -> np.ndarray:
        return self.apply(logits, state, inplace=inplace)

    def penalty_table(self, state: ConstraintState, *, dtype: Any = np.float64, logits: Any = None) -> np.ndarray:
        """Per-row penalty of each feature (pitch, drum key, position, the last column 0): ``(batch, n_features)``.

        ``logits - table[:, vocab.feature]`` (with ``-inf`` where the table is ``inf``) is what
        :meth:`apply` returns.  Without ``logits`` no empty-row check is made; with them, failing rows
        are relaxed or reported as in :meth:`apply`.  Entries of features the vocabulary lacks are
        undefined.
        """
        dtype = np.dtype(dtype)
        pen = np.empty((state.batch, self.vocab.n_features), dtype=dtype)
        if logits is None:
            x = np.zeros((0, 0), dtype=dtype)
            check = False
        else:
            x = self._check(logits, state)
            check = self.hard
        bad = _table_kernel(x, state.data, self.weights, self._static, pen, check)
        if bad >= 0:
            self._raise(bad, x, state)
        return pen

    def penalties(self, state: ConstraintState, *, dtype: Any = np.float64) -> np.ndarray:
        """Penalty of every token per row, ``(batch, vocab)``: 0 for allowed, ``inf`` for hard-forbidden.

        Examples
        --------
        >>> from harmonia.theory.vocab import pitch_vocabulary
        >>> cs = ConstraintSet([InRange(60, 62)], vocab=pitch_vocabulary())
        >>> cs.penalties(cs.new_state(1))[0, 59:64].tolist()
        [inf, 0.0, 0.0, 0.0, inf]
        """
        table = self.penalty_table(state, dtype=dtype)
        return table[:, self.vocab.feature]

    def allowed(self, state: ConstraintState) -> np.ndarray:
        """Tokens no hard rule forbids, ``(batch, vocab)`` bool (no empty-row check)."""
        return self.penalties(state) != np.inf
