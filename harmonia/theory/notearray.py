"""The note array: harmonia's central data structure.

A note array is a numpy structured array with one row per note and the fields of
:data:`NOTE_DTYPE`.  Onsets and durations are in quarter notes, pitches are MIDI numbers and
spellings are positions on the line of fifths (C=0, G=1, F=-1, F#=6, Bb=-2; -128 when unknown).
Every public theory function accepts a note array, anything with a ``.notes`` note array (such as
:class:`harmonia.symbolic.Score`) or a sequence of records, through :func:`as_note_array`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from harmonia.errors import InvalidScoreError

__all__ = [
    "KEY_SIGNATURE_DTYPE",
    "NOTE_DTYPE",
    "NOTE_FIELDS",
    "NO_SPELLING",
    "TEMPO_DTYPE",
    "TIME_SIGNATURE_DTYPE",
    "as_note_array",
    "empty_note_array",
    "make_note_array",
]

#: dtype of a note array (field order is part of the contract).
NOTE_DTYPE = np.dtype(
    [
        ("onset", "<f8"),
        ("duration", "<f8"),
        ("pitch", "<i2"),
        ("velocity", "<i2"),
        ("track", "<i2"),
        ("voice", "<i2"),
        ("spelling", "i1"),
    ]
)
#: The field names, in order.
NOTE_FIELDS: tuple[str, ...] = tuple(NOTE_DTYPE.names)  # type: ignore[arg-type]
#: Value of ``spelling`` when the spelling is unknown.
NO_SPELLING = -128

#: Time-signature map: one row per change, sorted by ``onset`` (quarter notes).
TIME_SIGNATURE_DTYPE = np.dtype([("onset", "<f8"), ("numerator", "<i2"), ("denominator", "<i2")])
#: Tempo map: one row per change; ``bpm`` counts quarter notes per minute.
TEMPO_DTYPE = np.dtype([("onset", "<f8"), ("bpm", "<f8")])
#: Key-signature map: ``fifths`` sharps (>0) or flats (<0); ``mode`` 0 major, 1 minor, -1 unknown.
KEY_SIGNATURE_DTYPE = np.dtype([("onset", "<f8"), ("fifths", "i1"), ("mode", "i1")])

_DEFAULTS = {"velocity": 80, "track": 0, "voice": -1, "spelling": NO_SPELLING}


def empty_note_array(n: int = 0) -> np.ndarray:
    """Return a note array of ``n`` rows filled with defaults (velocity 80, unknown voice/spelling).

    Examples
    --------
    >>> empty_note_array(2)["spelling"].tolist()
    [-128, -128]
    """
    out = np.zeros(n, dtype=NOTE_DTYPE)
    for name, value in _DEFAULTS.items():
        out[name] = value
    return out


def make_note_array(
    onset: Any,
    duration: Any,
    pitch: Any,
    *,
    velocity: Any = 80,
    track: Any = 0,
    voice: Any = -1,
    spelling: Any = NO_SPELLING,
) -> np.ndarray:
    """Build a validated, sorted note array from columns (scalars broadcast).

    Parameters
    ----------
    onset, duration : array_like of float
        Start and length in quarter notes.
    pitch : array_like of int
        MIDI note numbers (0-127).
    velocity, track, voice, spelling : array_like of int, optional
        The other fields; see :data:`NOTE_DTYPE`.

    Returns
    -------
    numpy.ndarray
        A note array sorted by onset, track and pitch.

    Examples
    --------
    >>> notes = make_note_array([1.0, 0.0], 1.0, [64, 60])
    >>> notes["pitch"].tolist(), notes["onset"].tolist()
    ([60, 64], [0.0, 1.0])
    """
    cols = np.broadcast_arrays(
        np.asarray(onset, dtype=float),
        np.asarray(duration, dtype=float),
        np.asarray(pitch),
        np.asarray(velocity),
        np.asarray(track),
        np.asarray(voice),
        np.asarray(spelling),
    )
    out = np.empty(cols[0].size, dtype=NOTE_DTYPE)
    for name, col in zip(NOTE_FIELDS, cols):
        if name not in ("onset", "duration"):
            _check_int_range(name, col)
        out[name] = col.ravel()
    return _validated(out)


def _check_int_range(name: str, col: np.ndarray) -> None:
    if col.size == 0:
        return
    if not np.issubdtype(col.dtype, np.integer):
        if not np.all(np.isfinite(col)) or not np.all(col == np.round(col)):
            raise InvalidScoreError(f"note field {name!r} must hold integers, got {col.dtype} values")
    info = np.iinfo(NOTE_DTYPE[name])
    lo, hi = np.min(col), np.max(col)
    if lo < info.min or hi > info.max:
        raise InvalidScoreError(f"note field {name!r} has values outside [{info.min}, {info.max}]")


def as_note_array(notes: Any, *, sort: bool = True) -> np.ndarray:
    """Validate anything note-like and return a note array (a new array; the input is untouched).

    Accepted inputs: a structured array with at least ``onset``, ``duration`` and ``pitch`` (other
    :data:`NOTE_DTYPE` fields are filled with defaults and extra fields dropped); an object with a
    ``.notes`` attribute holding one (a :class:`~harmonia.symbolic.Score`); a sequence of mappings
    or of tuples in :data:`NOTE_FIELDS` order.

    Parameters
    ----------
    notes : note array, Score, or sequence of records
        The notes.
    sort : bool, default True
        Sort by onset, then track, then pitch (stable).

    Returns
    -------
    numpy.ndarray
        A note array with dtype :data:`NOTE_DTYPE`.

    Raises
    ------
    TypeError
        If ``notes`` is not note-like at all.
    InvalidScoreError
        If a field is missing or a value breaks the model: non-finite onset or duration, a duration
        of zero or less, a pitch outside 0-127, a velocity outside 0-127. The message gives the index
        of the first offending note.

    Examples
    --------
    >>> as_note_array([{"onset": 0, "duration": 1, "pitch": 60}])["pitch"].tolist()
    [60]
    >>> as_note_array([{"onset": 0, "duration": 0, "pitch": 60}])
    Traceback (most recent call last):
    ...
    harmonia.errors.InvalidScoreError: note 0 (onset 0 qn, pitch 60) has duration 0 qn; durations must be > 0
    """
    if hasattr(notes, "notes") and not isinstance(notes, np.ndarray):
        notes = notes.notes
    if isinstance(notes, np.ndarray) and notes.dtype.names is not None:
        if notes.dtype == NOTE_DTYPE:
            out = np.array(notes, copy=True).reshape(-1)
        else:
            missing = {"onset", "duration", "pitch"} - set(notes.dtype.names)
            if missing:
                raise InvalidScoreError(f"note array lacks field(s) {sorted(missing)}; needs {list(NOTE_FIELDS)}")
            out = empty_note_array(notes.size)
            for name in NOTE_FIELDS:
                if name in notes.dtype.names:
                    col = np.asarray(notes[name]).reshape(-1)
                    if name not in ("onset", "duration"):
                        _check_int_range(name, col)
                    out[name] = col
    elif isinstance(notes, np.ndarray):
        raise TypeError(f"expected a structured note array, got an ndarray of dtype {notes.dtype}")
    elif isinstance(notes, Sequence) and not isinstance(notes, (str, bytes)):
        out = empty_note_array(len(notes))
        for i, rec in enumerate(notes):
            if isinstance(rec, Mapping):
                unknown = set(rec) - set(NOTE_FIELDS)
                if unknown:
                    raise InvalidScoreError(f"note {i} has unknown field(s) {sorted(unknown)}")
                for name, value in rec.items():
                    out[i][name] = value
            else:
                rec = tuple(rec)
                if not 3 <= len(rec) <= len(NOTE_FIELDS):
                    raise InvalidScoreError(f"note {i}: expected 3 to 7 values {NOTE_FIELDS}, got {len(rec)}")
                for name, value in zip(NOTE_FIELDS, rec):
                    out[i][name] = value
    else:
        raise TypeError(f"expected a note array, a Score or a sequence of notes, got {type(notes).__name__}")
    return _validated(out, sort=sort)


def _validated(out: np.ndarray, *, sort: bool = True) -> np.ndarray:
    if out.size:
        bad = ~np.isfinite(out["onset"]) | ~np.isfinite(out["duration"])
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidScoreError(f"note {i} has a non-finite onset or duration")
        bad = out["duration"] <= 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidScoreError(
                f"note {i} (onset {out['onset'][i]:g} qn, pitch {out['pitch'][i]}) has duration "
                f"{out['duration'][i]:g} qn; durations must be > 0"
            )
        for name, plural in (("pitch", "pitches"), ("velocity", "velocities")):
            bad = (out[name] < 0) | (out[name] > 127)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InvalidScoreError(f"note {i} has {name} {out[name][i]}; {plural} must lie in [0, 127]")
    if sort and out.size > 1:
        out = out[np.lexsort((out["pitch"], out["track"], out["onset"]))]
    return out
