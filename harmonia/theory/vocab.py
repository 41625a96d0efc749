"""Token vocabularies: what each token id of a model's vocabulary means musically.

A :class:`TokenVocabulary` maps every token id to a *kind* (pitch, drum pitch, position, program,
duration, velocity, bar, other) and an integer *value* (the MIDI pitch, the position index in the bar,
the program ...), so that constraint rules over pitches or positions
(:mod:`harmonia.theory.constraints`) act on the right ids and leave every other token alone.  Build it
once per tokenizer and reuse it at every decoding step.

Token strings follow miditok's ``Type_Value`` convention (``Pitch_60``, ``PitchDrum_36``,
``Position_4``, ``Program_-1``, ``Duration_1.2.8``, ``Velocity_63``, ``Bar_None``), so
:meth:`TokenVocabulary.from_miditok` reads any single-stream miditok tokenizer (REMI first, with or
without programs; also TSD, MIDILike, Structured) without importing miditok: it reads the tokenizer's
``vocab`` dictionary and its position resolution.

Positions count ``positions_per_beat`` steps per beat, where a beat is the time signature's
denominator (miditok's convention): in 4/4 with 8 positions per beat, ``Position_6`` is 0.75 quarter
notes into the bar; in 6/8, 0.375.

Examples
--------
>>> v = TokenVocabulary.from_tokens(["PAD_None", "Bar_None", "Pitch_60", "Pitch_62", "Position_0", "Position_1"],
...                                 positions_per_beat=4)
>>> v.kinds().tolist(), v.values().tolist()
(['other', 'bar', 'pitch', 'pitch', 'position', 'position'], [-1, -1, 60, 62, 0, 1])
>>> v.ids("pitch").tolist(), v.token_id("pitch", 62)
([2, 3], 3)
>>> pitch_vocabulary().size
128
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = ["KINDS", "TokenVocabulary", "pitch_vocabulary"]

#: Token kinds, in code order (``TokenVocabulary.kind`` holds these codes).
KINDS = ("other", "pitch", "drum_pitch", "position", "program", "duration", "velocity", "bar")
OTHER, PITCH, DRUM_PITCH, POSITION, PROGRAM, DURATION, VELOCITY, BAR = range(len(KINDS))

# miditok token types -> kinds (anything else is "other")
_TYPES = {
    "Pitch": PITCH,
    "NoteOn": PITCH,
    "PitchDrum": DRUM_PITCH,
    "DrumOn": DRUM_PITCH,
    "Position": POSITION,
    "Program": PROGRAM,
    "Duration": DURATION,
    "Velocity": VELOCITY,
    "Bar": BAR,
}

# feature layout used by the constraint kernels: one feature per (kind, value) that rules act on
FEATURE_DRUM = 128
FEATURE_POSITION = 256

_CACHE: dict[int, tuple[Any, TokenVocabulary]] = {}  # id(tokenizer) -> (weak reference, vocabulary)


def _duration_beats(text: str) -> float:
    # miditok writes durations as "beats.ticks.resolution" (1.2.8 = 1 + 2/8 beats)
    parts = text.split(".")
    if len(parts) == 3 and all(p.lstrip("-").isdigit() for p in parts):
        a, b, c = (int(p) for p in parts)
        return a + b / c
    try:
        return float(text)
    except ValueError:
        return float("nan")


class TokenVocabulary:
    """What each token id of a vocabulary means: a kind and an integer value per id.

    Build one with :meth:`from_tokens`, :meth:`from_miditok` or :func:`pitch_vocabulary`; the arrays
    are read-only.

    Parameters
    ----------
    kind : array_like of int, shape (vocab,)
        Kind codes (indices into :data:`KINDS`).
    value : array_like of int, shape (vocab,)
        The value per id: MIDI pitch (pitch, drum_pitch), position index in the bar (position),
        program (-1 = drums), velocity, duration index into :attr:`duration_beats`; -1 for others.
    positions_per_beat : int, optional
        Position steps per beat (a beat being the time signature's denominator).  Needed by the grid rule.
    duration_beats : array_like of float, optional
        Length in beats of each duration index.
    names : sequence of str, optional
        Token strings, for messages and :meth:`describe`.

    Attributes
    ----------
    size : int
        Number of token ids.
    n_positions : int
        One more than the largest position index (0 without position tokens).
    """

    def __init__(
        self,
        kind: Any,
        value: Any,
        *,
        positions_per_beat: int | None = None,
        duration_beats: Any = (),
        names: Iterable[str] | None = None,
    ) -> None:
        kind = np.asarray(kind, dtype=np.int8).ravel()
        value = np.asarray(value, dtype=np.int64).ravel()
        if kind.shape != value.shape or kind.size == 0:
            raise ValueError("kind and value must be non-empty and of one length (one entry per token id)")
        if kind.min() < 0 or kind.max() >= len(KINDS):
            raise ValueError(f"kind codes must be 0..{len(KINDS) - 1} (see KINDS)")
        pitched = (kind == PITCH) | (kind == DRUM_PITCH)
        if pitched.any() and (value[pitched].min() < 0 or value[pitched].max() > 127):
            raise ValueError("pitch and drum_pitch values must be MIDI numbers 0-127")
        if (kind == POSITION).any() and value[kind == POSITION].min() < 0:
            raise ValueError("position values must be >= 0")
        self.kind = kind
        self.value = value
        self.size = int(kind.size)
        self.positions_per_beat = None if positions_per_beat is None else int(positions_per_beat)
        self.duration_beats = np.asarray(duration_beats, dtype=np.float64)
        self.names = None if names is None else tuple(names)
        self.n_positions = int(value[kind == POSITION].max()) + 1 if (kind == POSITION).any() else 0
        for arr in (self.kind, self.value, self.duration_beats):
            arr.setflags(write=False)
        self._build_features()

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def from_tokens(
        cls,
        tokens: Mapping[str, int] | Iterable[str],
        *,
        positions_per_beat: int | None = None,
        size: int | None = None,
    ) -> TokenVocabulary:
        """Read ``Type_Value`` token strings (a list in id order, or a ``{token: id}`` mapping).

        Parameters
        ----------
        tokens : mapping or iterable of str
            miditok-style tokens; unknown types become kind ``"other"``.
        positions_per_beat : int, optional
            Resolution of ``Position`` tokens.
        size : int, optional
            Pad the vocabulary with ``"other"`` ids up to this size (models often round their
            vocabulary up, to 512 say).

        Examples
        --------
        >>> v = TokenVocabulary.from_tokens({"Pitch_60": 1, "Bar_None": 0}, size=4)
        >>> v.kinds().tolist()
        ['bar', 'pitch', 'other', 'other']
        """
        if isinstance(tokens, Mapping):
            items = sorted(((int(i), str(t)) for t, i in tokens.items()))
            n = items[-1][0] + 1 if items else 0
            names = [f"<unused {i}>" for i in range(n)]
            for i, t in items:
                names[i] = t
        else:
            names = [str(t) for t in tokens]
        if size is not None:
            if size < len(names):
                raise ValueError(f"size {size} is smaller than the {len(names)} tokens")
            names += [f"<pad {i}>" for i in range(len(names), size)]
        kind = np.zeros(len(names), dtype=np.int8)
        value = np.full(len(names), -1, dtype=np.int64)
        durations: list[float] = []
        for i, name in enumerate(names):
            typ, _, val = name.partition("_")
            k = _TYPES.get(typ, OTHER)
            if k in (PITCH, DRUM_PITCH, POSITION, PROGRAM, VELOCITY):
                try:
                    value[i] = int(val)
                except ValueError:
                    k = OTHER
            elif k == DURATION:
                value[i] = len(durations)
                durations.append(_duration_beats(val))
            kind[i] = k
        return cls(kind, value, positions_per_beat=positions_per_beat, duration_beats=durations, names=names)

    @classmethod
    def from_miditok(cls, tokenizer: Any, *, size: int | None = None) -> TokenVocabulary:
        """The vocabulary of a miditok tokenizer (REMI, TSD, MIDILike ...; one token stream).

        The result is cached per tokenizer object (weakly), so calling this at every step is cheap.

        Parameters
        ----------
        tokenizer : miditok.MusicTokenizer
            A tokenizer with a single vocabulary (not CPWord / Octuple, whose tokens are tuples).
        size : int, optional
            Pad with ``"other"`` ids up to this size.

        Raises
        ------
        TypeError
            When the tokenizer has several vocabularies or no ``vocab``.

        Examples
        --------
        >>> from miditok import REMI, TokenizerConfig
        >>> v = TokenVocabulary.from_miditok(REMI(TokenizerConfig(use_programs=True)))
        >>> v.size, v.ids("pitch").size, v.ids("drum_pitch").size, v.n_positions, v.positions_per_beat
        (486, 89, 62, 96, 8)
        """
        ref, cached = _CACHE.get(id(tokenizer), (None, None))
        if ref is not None and ref() is tokenizer and (size is None or cached.size == size):
            return cached
        if getattr(tokenizer, "is_multi_voc", False):
            raise TypeError("tokenizers with several vocabularies (CPWord, Octuple, MuMIDI) are not supported")
        vocab = getattr(tokenizer, "vocab", None)
        if not isinstance(vocab, Mapping):
            raise TypeError(f"expected a miditok tokenizer with a vocab dict, got {type(tokenizer).__name__}")
        config = getattr(tokenizer, "config", None)
        ppb = getattr(config, "max_num_pos_per_beat", None)
        if ppb is None and config is not None and getattr(config, "beat_res", None):
            ppb = max(config.beat_res.values())
        out = cls.from_tokens(vocab, positions_per_beat=ppb, size=size)
        key = id(tokenizer)
        try:
            _CACHE[key] = (weakref.ref(tokenizer, lambda _: _CACHE.pop(key, None)), out)
        except TypeError:  # not weak-referenceable: no cache
            pass
        return out

    # -- queries -----------------------------------------------------------------------------------
    def kinds(self) -> np.ndarray:
        """Kind names per id (a string array, for reading)."""
        return np.asarray(KINDS)[self.kind]

    def values(self) -> np.ndarray:
        """Values per id (see the class docstring)."""
        return self.value

    def ids(self, kind: str) -> np.ndarray:
        """Token ids of one kind, in id order."""
        return np.flatnonzero(self.kind == KINDS.index(kind))

    def token_id(self, kind: str, value: int) -> int:
        """The id of the token of this kind and value (-1 when the vocabulary lacks it)."""
        hit = np.flatnonzero((self.kind == KINDS.index(kind)) & (self.value == value))
        return int(hit[0]) if hit.size else -1

    def position_qn(self, meter: tuple[int, int] = (4, 4)) -> np.ndarray:
        """Position of each position index in quarter notes from the bar line, in a meter.

        Examples
        --------
        >>> v = TokenVocabulary.from_tokens([f"Position_{i}" for i in range(8)], positions_per_beat=4)
        >>> v.position_qn((4, 4))[:3].tolist(), v.position_qn((6, 8))[:3].tolist()
        ([0.0, 0.25, 0.5], [0.0, 0.125, 0.25])
        """
        if self.positions_per_beat is None:
            raise ValueError("this vocabulary has no positions_per_beat; pass it when building the vocabulary")
        return np.arange(self.n_positions) / self.positions_per_beat * (4.0 / meter[1])

    def describe(self, token_id: int) -> str:
        """Readable description of one id: its token string, kind and value."""
        name = self.names[token_id] if self.names is not None else f"id {token_id}"
        return f"{name} ({KINDS[self.kind[token_id]]} {self.value[token_id]})"

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={int((self.kind == i).sum())}" for i, k in enumerate(KINDS) if (self.kind == i).any())
        return f"TokenVocabulary(size={self.size}, {counts})"

    # -- kernel tables -----------------------------------------------------------------------------
    def _build_features(self) -> None:
        """Feature index per id (pitch p -> p, drum p -> 128 + p, position k -> 256 + k, else the zero
        feature), runs of ids with consecutive features (segments) and the spans the kernels fill."""
        n_features = FEATURE_POSITION + self.n_positions + 1
        feature = np.full(self.size, n_features - 1, dtype=np.int64)
        for code, base in ((PITCH, 0), (DRUM_PITCH, FEATURE_DRUM), (POSITION, FEATURE_POSITION)):
            sel = self.kind == code
            feature[sel] = base + self.value[sel]
        constrained = feature < n_features - 1
        segments = []
        start = 0
        for i in range(1, self.size + 1):
            if (
                i == self.size
                or constrained[i] != constrained[start]
                or (
                    constrained[i]
                    and (feature[i] != feature[i - 1] + 1 or _block(feature[i]) != _block(feature[i - 1]))
                )
            ):
                segments.append((start, i - start, feature[start] if constrained[start] else -1))
                start = i
        spans = []
        for code, base in ((PITCH, 0), (DRUM_PITCH, FEATURE_DRUM), (POSITION, FEATURE_POSITION)):
            sel = self.kind == code
            if sel.any():
                spans.append((base + int(self.value[sel].min()), base + int(self.value[sel].max()) + 1))
            else:
                spans.append((base, base))
        self.n_features = n_features
        self.feature = feature
        self.feature.setflags(write=False)
        self._segments = np.array(segments, dtype=np.int64).reshape(-1, 3)
        self._spans = np.array(spans, dtype=np.int64)
        # one-hot pitch-class matrix of pitch tokens (vocab, 12) and pitch per id, for the penalties
        self.is_pitch = self.kind == PITCH
        self.is_pitch.setflags(write=False)


def _block(f: int) -> int:
    return 0 if f < FEATURE_DRUM else 1 if f < FEATURE_POSITION else 2


def pitch_vocabulary(low: int = 0, high: int = 127) -> TokenVocabulary:
    """A vocabulary whose ids are MIDI pitches ``low..high`` (id ``i`` is pitch ``low + i``).

    Examples
    --------
    >>> v = pitch_vocabulary(21, 108)
    >>> v.size, v.token_id("pitch", 60)
    (88, 39)
    """
    if not 0 <= low <= high <= 127:
        raise ValueError(f"need 0 <= low <= high <= 127, got {low}, {high}")
    n = high - low + 1
    names = [f"Pitch_{p}" for p in range(low, high + 1)]
    return TokenVocabulary(np.full(n, PITCH), np.arange(low, high + 1), names=names)
