"""The :class:`Score`: a note array with its time-signature, tempo and key-signature maps.

A Score is an immutable container.  Its :attr:`~Score.notes` is a note array (see
:mod:`harmonia.theory.notearray`): onsets and durations in quarter notes, MIDI pitches, track and voice
indices, and line-of-fifths spellings.  Beside the notes it keeps

* ``time_signatures``: rows ``(onset, numerator, denominator)``, the first at onset 0;
* ``tempos``: rows ``(onset, bpm)`` in quarter notes per minute, the first at onset 0;
* ``key_signatures``: rows ``(onset, fifths, mode)``, possibly empty;
* ``tracks``: one :class:`Track` (name, General MIDI program, drum flag) per track index;
* ``pickup_qn``: the length of an anacrusis (bar 0), 0 when the music starts on a downbeat;
* ``measures``: the notated measures (:data:`~harmonia.theory.timemap.BAR_DTYPE`) when the score came
  from notation, so that irregular and split bars keep their numbers; None for MIDI, where bars follow
  from the time signatures;
* ``metadata``: a dict (title, composer, source ...).

Methods that change something return a new Score.  Positions convert between quarter notes, seconds
and ``(bar, beat)``; bars are numbered from 1 (the pickup, if any, is bar 0, as in music21) and beats
from 1 in units of the time signature's beat (a dotted quarter in 6/8, a half note in 2/2).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from harmonia.errors import InvalidScoreError, InvalidTempoError
from harmonia.theory import timemap
from harmonia.theory.key import format_key
from harmonia.theory.notearray import (
    KEY_SIGNATURE_DTYPE,
    NO_SPELLING,
    TEMPO_DTYPE,
    TIME_SIGNATURE_DTYPE,
    as_note_array,
)

__all__ = ["TEMPO_RANGE_BPM", "Score", "Track"]

#: Accepted tempo range in quarter notes per minute (inclusive).
TEMPO_RANGE_BPM = (1.0, 1000.0)
_DENOMINATORS = (1, 2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class Track:
    """A part or instrument: its name, General MIDI program (0-127) and whether it is a drum kit.

    Examples
    --------
    >>> Track("Bass", program=33)
    Track(name='Bass', program=33, is_drum=False)
    """

    name: str = ""
    program: int = 0
    is_drum: bool = False

    def __post_init__(self) -> None:
        if not 0 <= int(self.program) <= 127:
            raise InvalidScoreError(f"track {self.name!r}: GM program {self.program} is outside 0-127")


def _label(source: str | None) -> str:
    return f"{source}: " if source else ""


class Score:
    """A note array with its maps, tracks and metadata.

    Parameters
    ----------
    notes : note array or sequence of records
        The notes (validated by :func:`~harmonia.theory.notearray.as_note_array`).
    time_signatures : array_like, optional
        Rows ``(onset_qn, numerator, denominator)``; default 4/4 from onset 0.
    tempos : array_like, optional
        Rows ``(onset_qn, bpm)``; default 120 quarter notes per minute.
    key_signatures : array_like, optional
        Rows ``(onset_qn, fifths, mode)`` with mode 0 major, 1 minor, -1 unknown.
    tracks : sequence of Track, optional
        One per track index used by the notes; default unnamed piano tracks.
    pickup_qn : float, default 0
        Length of an anacrusis before the first full bar.
    measures : numpy.ndarray, optional
        The notated measures (rows of :data:`~harmonia.theory.timemap.BAR_DTYPE`, sorted by onset).
    metadata : dict, optional
        Free-form information (``title``, ``composer``, ``source`` ...).

    Raises
    ------
    InvalidScoreError
        For a bad note, an unsorted map, a time signature with a denominator that is not a power of two,
        a track index without a track.
    InvalidTempoError
        For a tempo outside :data:`TEMPO_RANGE_BPM`.

    Examples
    --------
    >>> s = Score([(0.0, 1.0, 60), (1.0, 1.0, 64), (2.0, 2.0, 67)], tempos=[(0.0, 60.0)])
    >>> s.n_notes, s.duration_qn, s.duration_sec
    (3, 4.0, 4.0)
    >>> s.qn_to_bar_beat(2.5)
    (1, 3.5)
    """

    __slots__ = (
        "_notes",
        "key_signatures",
        "measures",
        "metadata",
        "pickup_qn",
        "tempos",
        "time_signatures",
        "tracks",
    )

    def __init__(
        self,
        notes: Any,
        *,
        time_signatures: Any = None,
        tempos: Any = None,
        key_signatures: Any = None,
        tracks: Sequence[Track] | None = None,
        pickup_qn: float = 0.0,
        measures: np.ndarray | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.metadata: dict[str, Any] = dict(metadata or {})
        where = _label(self.metadata.get("source"))
        try:
            arr = as_note_array(notes)
        except InvalidScoreError as exc:
            raise InvalidScoreError(f"{where}{exc}") from None
        arr.flags.writeable = False
        self._notes = arr
        self.time_signatures = _map(time_signatures, TIME_SIGNATURE_DTYPE, [(0.0, 4, 4)], "time signature", where)
        self.tempos = _map(tempos, TEMPO_DTYPE, [(0.0, 120.0)], "tempo", where)
        self.key_signatures = _map(key_signatures, KEY_SIGNATURE_DTYPE, [], "key signature", where)
        bad = [(n, d) for _, n, d in self.time_signatures.tolist() if n < 1 or d not in _DENOMINATORS]
        if bad:
            raise InvalidScoreError(f"{where}time signature {bad[0][0]}/{bad[0][1]} is not valid")
        lo, hi = TEMPO_RANGE_BPM
        bad_tempo = (self.tempos["bpm"] < lo) | (self.tempos["bpm"] > hi) | ~np.isfinite(self.tempos["bpm"])
        if bad_tempo.any():
            i = int(np.flatnonzero(bad_tempo)[0])
            raise InvalidTempoError(
                f"{where}tempo {self.tempos['bpm'][i]:g} BPM at {self.tempos['onset'][i]:g} qn is outside "
                f"the accepted range {lo:g}-{hi:g} BPM"
            )
        n_tracks = int(arr["track"].max()) + 1 if arr.size else 0
        if arr.size and arr["track"].min() < 0:
            raise InvalidScoreError(f"{where}note track indices must be >= 0")
        self.tracks: tuple[Track, ...] = tuple(tracks) if tracks is not None else tuple(
            Track(f"Track {i + 1}") for i in range(n_tracks)
        )
        if len(self.tracks) < n_tracks:
            raise InvalidScoreError(f"{where}notes use track {n_tracks - 1} but only {len(self.tracks)} tracks given")
        self.pickup_qn = float(pickup_qn)
        if not 0 <= self.pickup_qn:
            raise InvalidScoreError(f"{where}pickup_qn must be >= 0, got {pickup_qn}")
        self.measures = None
        if measures is not None and len(measures):
            m = np.array(measures, dtype=timemap.BAR_DTYPE)
            if np.any(np.diff(m["onset"]) < -1e-9) or np.any(m["length"] <= 0):
                raise InvalidScoreError(f"{where}measures must be sorted by onset and have positive lengths")
            m.flags.writeable = False
            self.measures = m

    # -- basic properties ---------------------------------------------------------------------
    @property
    def notes(self) -> np.ndarray:
        """The note array (read-only; sorted by onset, track and pitch)."""
        return self._notes

    @property
    def n_notes(self) -> int:
        """Number of notes."""
        return int(self._notes.size)

    def __len__(self) -> int:
        return self.n_notes

    @property
    def duration_qn(self) -> float:
        """End of the last sounding note, in quarter notes."""
        n = self._notes
        return float((n["onset"] + n["duration"]).max()) if n.size else 0.0

    @property
    def duration_sec(self) -> float:
        """End of the last sounding note, in seconds."""
        return float(self.qn_to_sec(self.duration_qn))

    @property
    def n_bars(self) -> int:
        """Number of bars that hold music (the pickup bar not counted)."""
        if not self.n_notes:
            return 0
        bar, _ = self.qn_to_bar_beat(self.duration_qn - 1e-6)
        return int(bar)

    @property
    def has_spelling(self) -> bool:
        """Whether every note carries a spelling."""
        return bool(self.n_notes) and bool(np.all(self._notes["spelling"] != NO_SPELLING))

    def __repr__(self) -> str:
        title = self.metadata.get("title") or self.metadata.get("source") or ""
        ts = ", ".join(f"{n}/{d}" for _, n, d in self.time_signatures.tolist())
        return (
            f"<Score {title!r}: {self.n_notes} notes, {len(self.tracks)} tracks, "
            f"{self.duration_qn:g} qn, time signatures {ts}>"
        )

    def replace(self, **changes: Any) -> Score:
        """Return a copy with some of the constructor's arguments replaced."""
        kwargs = {
            "notes": self._notes,
            "time_signatures": self.time_signatures,
            "tempos": self.tempos,
            "key_signatures": self.key_signatures,
            "tracks": self.tracks,
            "pickup_qn": self.pickup_qn,
            "measures": self.measures,
            "metadata": self.metadata,
        }
        kwargs.update(changes)
        return Score(**kwargs)

    # -- time conversion ------------------------------------------------------------------------
    def _tempo_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        on = self.tempos["onset"]
        spq = 60.0 / self.tempos["bpm"]
        sec = np.concatenate([[0.0], np.cumsum(np.diff(on) * spq[:-1])])
        return on, sec, spq

    def qn_to_sec(self, qn: Any) -> Any:
        """Convert quarter-note positions to seconds through the tempo map.

        Examples
        --------
        >>> s = Score([(0.0, 8.0, 60)], tempos=[(0.0, 60.0), (4.0, 120.0)])
        >>> s.qn_to_sec([2.0, 4.0, 6.0]).tolist()
        [2.0, 4.0, 5.0]
        """
        on, sec, spq = self._tempo_table()
        q = np.asarray(qn, dtype=float)
        i = np.clip(np.searchsorted(on, q, side="right") - 1, 0, None)
        out = sec[i] + (q - on[i]) * spq[i]
        return out if out.ndim else float(out)

    def sec_to_qn(self, sec: Any) -> Any:
        """Convert seconds to quarter-note positions (inverse of :meth:`qn_to_sec`).

        Examples
        --------
        >>> s = Score([(0.0, 8.0, 60)], tempos=[(0.0, 60.0), (4.0, 120.0)])
        >>> s.sec_to_qn(5.0)
        6.0
        """
        on, sec0, spq = self._tempo_table()
        t = np.asarray(sec, dtype=float)
        i = np.clip(np.searchsorted(sec0, t, side="right") - 1, 0, None)
        out = on[i] + (t - sec0[i]) / spq[i]
        return out if out.ndim else float(out)

    def bar_table(self, until_qn: float | None = None) -> np.ndarray:
        """Every bar up to ``until_qn`` (default: the end of the music).

        The notated measures when the score has them (extended with regular bars past their end), else
        the bars implied by the time signatures and the pickup.

        Returns
        -------
        numpy.ndarray
            Rows of :data:`~harmonia.theory.timemap.BAR_DTYPE`; bar 0 is the pickup.
        """
        end = self.duration_qn if until_qn is None else float(until_qn)
        if self.measures is not None:
            return timemap.extend_bars(self.measures, end)
        return timemap.bar_table(self.time_signatures, pickup_qn=self.pickup_qn, until_qn=end)

    def qn_to_bar_beat(self, qn: Any) -> tuple[Any, Any]:
        """Convert quarter-note positions to ``(bar, beat)``.

        Bars count from 1 (0 is the pickup); beats count from 1 in the time signature's beat unit, and
        the beats of an incomplete measure are numbered from where it sits in a full bar (as music21 does).

        Examples
        --------
        >>> s = Score([(0.0, 10.0, 60)], time_signatures=[(0.0, 6, 8)], pickup_qn=1.5)
        >>> s.qn_to_bar_beat([0.0, 1.5, 2.0, 3.0, 4.5])
        (array([0, 1, 1, 1, 2]), array([2.        , 1.        , 1.33333333, 2.        , 1.        ]))
        """
        return timemap.qn_to_bar_beat(qn, self.bar_table())

    def bar_beat_to_qn(self, bar: Any, beat: Any = 1.0) -> Any:
        """Convert ``(bar, beat)`` to quarter notes (inverse of :meth:`qn_to_bar_beat`).

        Examples
        --------
        >>> s = Score([(0.0, 16.0, 60)], time_signatures=[(0.0, 3, 4)])
        >>> s.bar_beat_to_qn(2, 1.5)
        3.5
        """
        return timemap.bar_beat_to_qn(bar, beat, self.bar_table())

    def metric_level(self, qn: Any) -> np.ndarray:
        """Metric strength of positions (0 downbeat ... 4 weaker than a quarter beat); see
        :func:`harmonia.theory.timemap.metric_level`."""
        return timemap.metric_level(qn, self.bar_table())

    # -- slicing ----------------------------------------------------------------------------------
    def slice_time(self, start_qn: float, end_qn: float, *, clip: bool = True, shift: bool = True) -> Score:
        """The notes sounding in ``[start_qn, end_qn)``.

        Parameters
        ----------
        start_qn, end_qn : float
            The span, in quarter notes.
        clip : bool, default True
            Cut notes that stick out of the span to fit it; otherwise keep only notes starting inside it
            with their full length.
        shift : bool, default True
            Move the span's start to onset 0 (maps are shifted too).

        Examples
        --------
        >>> s = Score([(0.0, 2.0, 60), (1.0, 2.0, 64), (3.0, 1.0, 67)])
        >>> s.slice_time(1.0, 3.0).notes[["onset", "duration", "pitch"]].tolist()
        [(0.0, 1.0, 60), (0.0, 2.0, 64)]
        """
        if not end_qn > start_qn:
            raise ValueError(f"empty span: start {start_qn} qn must be before end {end_qn} qn")
        n = self._notes
        off = n["onset"] + n["duration"]
        if clip:
            keep = (n["onset"] < end_qn) & (off > start_qn)
            sel = n[keep].copy()
            new_on = np.maximum(sel["onset"], start_qn)
            sel["duration"] = np.minimum(sel["onset"] + sel["duration"], end_qn) - new_on
            sel["onset"] = new_on
        else:
            sel = n[(n["onset"] >= start_qn) & (n["onset"] < end_qn)].copy()
        delta = start_qn if shift else 0.0
        sel["onset"] -= delta
        if not shift:
            return self.replace(notes=sel)
        # the measures of the span, keeping their numbers; a measure cut by the start becomes a pickup
        bars = self.bar_table(until_qn=end_qn)
        bars = bars[(bars["onset"] + bars["length"] > start_qn + 1e-9) & (bars["onset"] < end_qn - 1e-9)].copy()
        cut = start_qn - bars["onset"][0]
        bars["length"][0] -= cut
        bars["padding"][0] += cut
        bars["onset"] -= start_qn
        bars["onset"][0] = 0.0
        return self.replace(
            notes=sel,
            time_signatures=_shift_map(self.time_signatures, delta),
            tempos=_shift_map(self.tempos, delta),
            key_signatures=_shift_map(self.key_signatures, delta),
            pickup_qn=float(bars["length"][0]) if bars["padding"][0] > 1e-9 else 0.0,
            measures=bars,
        )

    def slice_bars(self, first: int, last: int) -> Score:
        """Bars ``first`` to ``last`` inclusive (bar numbers as in :meth:`qn_to_bar_beat`).

        Examples
        --------
        >>> s = Score([(float(i), 1.0, 60 + i) for i in range(12)], time_signatures=[(0.0, 3, 4)])
        >>> s.slice_bars(2, 3).notes["pitch"].tolist()
        [63, 64, 65, 66, 67, 68]
        """
        if last < first:
            raise ValueError(f"bar range {first}-{last} is empty")
        table = self.bar_table()
        if int(table["bar"][-1]) < last:
            full = table["numerator"][-1] * 4.0 / table["denominator"][-1]
            table = self.bar_table(until_qn=float(table["onset"][-1] + full * (last - int(table["bar"][-1]) + 1)))
        rows = table[(table["bar"] >= first) & (table["bar"] <= last)]
        if rows.size == 0:
            raise ValueError(f"no bars {first}-{last}; the score has bars {table['bar'][0]}-{table['bar'][-1]}")
        return self.slice_time(float(rows["onset"][0]), float(rows["onset"][-1] + rows["length"][-1]))

    def select_tracks(self, tracks: int | str | Sequence[int | str]) -> Score:
        """Keep some tracks (by index or name), renumbered in the order given.

        Examples
        --------
        >>> s = Score([(0.0, 1.0, 60, 80, 0), (0.0, 1.0, 40, 80, 1)], tracks=[Track("Piano"), Track("Bass", 33)])
        >>> s.select_tracks("Bass").notes["pitch"].tolist(), s.select_tracks("Bass").tracks[0].name
        ([40], 'Bass')
        """
        wanted = [tracks] if isinstance(tracks, (int, str, np.integer)) else list(tracks)
        idx = []
        for t in wanted:
            if isinstance(t, str):
                names = [tr.name for tr in self.tracks]
                if t not in names:
                    raise KeyError(f"no track named {t!r}; tracks are {names}")
                idx.append(names.index(t))
            else:
                if not 0 <= int(t) < len(self.tracks):
                    raise IndexError(f"track {t} out of range; the score has {len(self.tracks)} tracks")
                idx.append(int(t))
        mapping = np.full(max(len(self.tracks), 1), -1, dtype=np.int16)
        mapping[idx] = np.arange(len(idx))
        n = self._notes[np.isin(self._notes["track"], idx)].copy()
        n["track"] = mapping[n["track"]]
        return self.replace(notes=n, tracks=[self.tracks[i] for i in idx])

    # -- transformation ---------------------------------------------------------------------------
    def transpose(self, interval: int | str) -> Score:
        """Transpose every pitched track, keeping spellings right.

        Parameters
        ----------
        interval : int or str
            Semitones (the spelling moves by the simplest interval: +3 is a minor third, +6 an augmented
            fourth), or a spelled interval name such as ``'M3'``, ``'-P4'``, ``'d5'``.  Drum tracks are
            left alone.

        Examples
        --------
        >>> s = Score([(0.0, 1.0, 60, 80, 0, 0, 0), (1.0, 1.0, 64, 80, 0, 0, 4)], key_signatures=[(0.0, 0, 0)])
        >>> t = s.transpose("m3")
        >>> t.notes["pitch"].tolist(), t.notes["spelling"].tolist(), t.key_signatures["fifths"].tolist()
        ([63, 67], [-3, 1], [-3])
        """
        from harmonia.theory.interval import Interval, parse_interval

        if isinstance(interval, (int, np.integer)):
            # the spelled interval with |fifths| <= 6 (m2 ... A4), +6 semitones read as an augmented fourth
            iv = Interval((7 * int(interval) % 12 + 5) % 12 - 5, int(interval))
        else:
            iv = parse_interval(interval)
        drums = np.array([t.is_drum for t in self.tracks] or [False])
        n = self._notes.copy()
        move = ~drums[n["track"]]
        new_pitch = n["pitch"].astype(int) + np.where(move, iv.semitones, 0)
        if new_pitch.size and (new_pitch.min() < 0 or new_pitch.max() > 127):
            raise ValueError(f"transposing by {interval!r} moves pitches outside MIDI 0-127")
        n["pitch"] = new_pitch
        spelled = move & (n["spelling"] != NO_SPELLING)
        n["spelling"] = np.where(spelled, n["spelling"].astype(int) + iv.fifths, n["spelling"])
        ks = self.key_signatures.copy()
        ks["fifths"] = ks["fifths"].astype(int) + iv.fifths
        return self.replace(notes=n, key_signatures=ks)

    def respell(self, *, window_qn: float = 8.0) -> Score:
        """A copy with every pitched note's spelling inferred (see :func:`harmonia.theory.spelling.spell_notes`)."""
        from harmonia.theory.spelling import spell_notes

        drums = [i for i, t in enumerate(self.tracks) if t.is_drum]
        return self.replace(notes=spell_notes(self._notes, drum_tracks=drums, window_qn=window_qn))

    # -- export -----------------------------------------------------------------------------------
    def to_midi(self, path: str | os.PathLike[str], *, ticks_per_quarter: int = 480) -> None:
        """Write a Standard MIDI File (atomically). See :func:`harmonia.symbolic.midi.save_midi`."""
        from harmonia.symbolic.midi import save_midi

        save_midi(self, path, ticks_per_quarter=ticks_per_quarter)

    def to_music21(self):
        """Convert to a ``music21.stream.Score`` (one part per track, spellings and voices kept)."""
        from harmonia.symbolic.music21io import to_music21

        return to_music21(self)

    def to_musicxml(self, path: str | os.PathLike[str]) -> None:
        """Write MusicXML through music21 (atomically); ``.mxl`` gives the compressed form."""
        from harmonia.symbolic.music21io import save_musicxml

        save_musicxml(self, path)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: duration, tracks, note counts, time signatures, tempi, key signatures.

        Examples
        --------
        >>> s = Score([(0.0, 4.0, 60)], key_signatures=[(0.0, -3, 1)])
        >>> s.summary()["key_signatures"]
        [{'onset': 0.0, 'fifths': -3, 'mode': 'minor', 'key': 'c'}]
        """
        n = self._notes
        per_track = np.bincount(n["track"], minlength=len(self.tracks)) if n.size else np.zeros(len(self.tracks), int)
        modes = {0: "major", 1: "minor", -1: None}
        keys = []
        for on, fifths, mode in self.key_signatures.tolist():
            name = modes.get(mode)
            tonic = fifths + 3 if name == "minor" else fifths
            key = format_key((tonic, name)) if name else None
            keys.append({"onset": on, "fifths": fifths, "mode": name, "key": key})
        return {
            "title": self.metadata.get("title"),
            "source": self.metadata.get("source"),
            "duration_qn": self.duration_qn,
            "duration_sec": round(self.duration_sec, 6),
            "n_bars": self.n_bars,
            "pickup_qn": self.pickup_qn,
            "n_notes": self.n_notes,
            "pitch_range": [int(n["pitch"].min()), int(n["pitch"].max())] if n.size else None,
            "spelled": self.has_spelling,
            "tracks": [
                {"index": i, "name": t.name, "program": t.program, "is_drum": t.is_drum, "n_notes": int(per_track[i])}
                for i, t in enumerate(self.tracks)
            ],
            "time_signatures": [
                {"onset": on, "time_signature": f"{num}/{den}"} for on, num, den in self.time_signatures.tolist()
            ],
            "tempos": [{"onset": on, "bpm": round(bpm, 3)} for on, bpm in self.tempos.tolist()],
            "key_signatures": keys,
        }


def _map(rows: Any, dtype: np.dtype, default: list[tuple], what: str, where: str) -> np.ndarray:
    if rows is None:
        rows = default
    if isinstance(rows, np.ndarray) and rows.dtype.names:
        out = np.empty(rows.size, dtype=dtype)
        for name in dtype.names:
            out[name] = rows[name]
    else:
        try:
            out = np.array([tuple(r) for r in rows], dtype=dtype)
        except (TypeError, ValueError) as exc:
            raise InvalidScoreError(f"{where}bad {what} map: {exc}") from None
    if out.size and not np.all(np.isfinite(out["onset"])):
        raise InvalidScoreError(f"{where}{what} map has a non-finite onset")
    if out.size > 1 and np.any(np.diff(out["onset"]) < 0):
        raise InvalidScoreError(f"{where}{what} map is not sorted by onset")
    if out.size and default:
        if out["onset"][0] > 0:  # MIDI's defaults hold until the first event
            out = np.concatenate([np.array(default, dtype=dtype), out])
        elif out["onset"][0] < 0:
            raise InvalidScoreError(f"{where}{what} map starts before 0 qn")
        # keep the last of several events at one onset
        keep = np.append(np.diff(out["onset"]) > 1e-9, True)
        out = out[keep]
    out.flags.writeable = False
    return out


def _shift_map(rows: np.ndarray, delta: float) -> np.ndarray:
    if rows.size == 0 or delta == 0:
        return rows
    out = rows.copy()
    out["onset"] -= delta
    before = out["onset"] <= 1e-9
    if before.any():
        last = np.flatnonzero(before)[-1]
        out = out[last:]
        out["onset"][0] = 0.0
    return out
