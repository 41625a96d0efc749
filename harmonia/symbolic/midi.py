"""Standard MIDI files to and from :class:`~harmonia.symbolic.score.Score`, through symusic.

symusic parses MIDI in C++, so reading a pop song of 1,600 notes takes about a millisecond (spelling it
takes 1-2 ms more).  Ticks are converted to quarter notes with the file's resolution; each MIDI track (or
track/channel pair, as symusic splits them) with notes becomes a harmonia track; the drum flag comes from
channel 10.  MIDI carries no spelling, so :func:`load_midi` infers one for every pitched note with
:func:`harmonia.theory.spelling.spell_notes` (``spell=True``, the default: 99.98 % of the notated
spellings of music21's Bach chorales, 98.9 % of its classical pieces); drum notes, and every note with
``spell=False``, get -128 (unknown).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from harmonia.errors import CorruptFileError, EmptyFileError, EmptyScoreError, InvalidScoreError, InvalidTempoError
from harmonia.symbolic.atomic import atomic_path
from harmonia.symbolic.score import TEMPO_RANGE_BPM, Score, Track
from harmonia.theory.notearray import NO_SPELLING, NOTE_DTYPE
from harmonia.theory.spelling import spell_notes

__all__ = ["MIDI_SUFFIXES", "load_midi", "save_midi", "to_symusic"]

MIDI_SUFFIXES = (".mid", ".midi", ".smf", ".kar")
ZeroDuration = Literal["error", "drop", "extend"]


def load_midi(
    path: str | os.PathLike[str],
    *,
    zero_duration: ZeroDuration = "error",
    spell: bool = True,
) -> Score:
    """Read a Standard MIDI File into a Score.

    Parameters
    ----------
    path : str or path-like
        The ``.mid`` file.
    zero_duration : {'error', 'drop', 'extend'}, default 'error'
        What to do with a pitched note whose note-off falls on its note-on: raise
        :class:`~harmonia.errors.InvalidScoreError`, drop it, or give it one tick.  Drum hits (channel 10),
        whose length means nothing, always get one tick.
    spell : bool, default True
        Infer each pitched note's spelling on the line of fifths from its context
        (:func:`~harmonia.theory.spelling.spell_notes`); with False every spelling is -128 (unknown).
        Drum tracks are never spelled.

    Returns
    -------
    Score
        Notes in quarter notes, with the file's time-signature, tempo and key-signature maps.

    Raises
    ------
    EmptyFileError, CorruptFileError
        For a zero-byte, truncated or malformed file.
    EmptyScoreError
        For a file without notes.
    InvalidScoreError, InvalidTempoError
        For zero-length notes (see ``zero_duration``) or a tempo outside 1-1000 BPM.
    """
    import symusic

    path = Path(path)
    if path.stat().st_size == 0:
        raise EmptyFileError(path, "the file is empty (0 bytes)")
    try:
        midi = symusic.Score(str(path))
    except Exception as exc:  # symusic raises RuntimeError with a C++ message
        detail = str(exc).replace("MiniMidi: ", "").replace(": iostream error", "").replace("Invaild", "invalid")
        raise CorruptFileError(path, f"not a readable MIDI file ({detail})") from None
    tpq = float(midi.tpq)
    if tpq <= 0:
        raise CorruptFileError(path, f"invalid resolution of {midi.tpq} ticks per quarter note")

    parts, tracks = [], []
    for track in midi.tracks:
        cols = track.notes.numpy()
        if cols["time"].size == 0:
            continue
        dur = cols["duration"].astype(np.int64)
        zero = dur <= 0
        if zero.any():
            if track.is_drum or zero_duration == "extend":
                dur = np.where(zero, 1, dur)
            elif zero_duration == "drop":
                keep = ~zero
                cols = {k: v[keep] for k, v in cols.items()}
                dur = dur[keep]
                if dur.size == 0:
                    continue
            else:
                i = int(np.flatnonzero(zero)[0])
                raise InvalidScoreError(
                    f"{path}: track {track.name!r} has {int(zero.sum())} zero-length note(s), the first at "
                    f"{cols['time'][i] / tpq:g} qn (pitch {cols['pitch'][i]}); durations must be > 0 "
                    "(load with zero_duration='drop' or 'extend' to accept them)"
                )
        part = np.empty(dur.size, dtype=NOTE_DTYPE)
        part["onset"] = cols["time"] / tpq
        part["duration"] = dur / tpq
        part["pitch"] = cols["pitch"]
        part["velocity"] = cols["velocity"]
        part["track"] = len(tracks)
        part["voice"] = -1
        part["spelling"] = NO_SPELLING
        parts.append(part)
        tracks.append(Track(track.name.strip(), int(track.program), bool(track.is_drum)))
    if not parts:
        raise EmptyScoreError(f"{path}: the MIDI file holds no notes")
    notes = np.concatenate(parts)
    if spell:
        notes = spell_notes(notes, drum_tracks=[i for i, t in enumerate(tracks) if t.is_drum])

    tempo = midi.tempos.numpy()
    bpm = 60_000_000.0 / np.maximum(tempo["mspq"].astype(float), 1e-9)
    lo, hi = TEMPO_RANGE_BPM
    bad = (bpm < lo) | (bpm > hi) | (tempo["mspq"] <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = "infinite (0 microseconds per quarter note)" if tempo["mspq"][i] <= 0 else f"{bpm[i]:.6g} BPM"
        raise InvalidTempoError(
            f"{path}: tempo {shown} at {tempo['time'][i] / tpq:g} qn is outside the accepted range "
            f"{lo:g}-{hi:g} BPM"
        )
    ts = midi.time_signatures.numpy()
    ks = midi.key_signatures.numpy()
    return Score(
        notes,
        time_signatures=list(zip(ts["time"] / tpq, ts["numerator"], ts["denominator"])),
        tempos=list(zip(tempo["time"] / tpq, bpm)),
        key_signatures=list(zip(ks["time"] / tpq, ks["key"], ks["tonality"])),
        tracks=tracks,
        metadata={"source": str(path), "title": path.stem, "format": "midi", "ticks_per_quarter": int(midi.tpq)},
    )


def save_midi(score: Score, path: str | os.PathLike[str], *, ticks_per_quarter: int = 480) -> None:
    """Write a Score as a Standard MIDI File (type 1), atomically.

    Onsets and durations are rounded to ticks (a note keeps at least one tick).  Spellings and voices
    are not representable in MIDI and are lost; drum tracks go to channel 10.

    Parameters
    ----------
    score : Score
        What to write.
    path : str or path-like
        Destination; written to a temporary file first, then renamed.
    ticks_per_quarter : int, default 480
        The file's resolution.
    """
    out = to_symusic(score, ticks_per_quarter=ticks_per_quarter)
    with atomic_path(path) as tmp:
        out.dump_midi(str(tmp))


def to_symusic(score: Score, tracks: Sequence[int] | None = None, *, ticks_per_quarter: int = 480) -> Any:
    """A ``symusic.Score`` (in ticks) holding all or some tracks of a Score, with its tempo, time-signature
    and key-signature maps: what :func:`save_midi` writes and what SoundFont rendering plays.

    Onsets and durations are rounded to ticks (a note keeps at least one tick); drum tracks keep their
    drum flag (channel 10 when written).
    """
    import symusic

    tpq = int(ticks_per_quarter)
    out = symusic.Score(tpq)
    notes = score.notes
    on = np.rint(notes["onset"] * tpq).astype(np.int64)
    off = np.rint((notes["onset"] + notes["duration"]) * tpq).astype(np.int64)
    dur = np.maximum(off - on, 1)
    for i in range(len(score.tracks)) if tracks is None else tracks:
        track = score.tracks[i]
        sel = notes["track"] == i
        mt = symusic.Track(track.name, int(track.program), bool(track.is_drum))
        mt.notes = symusic.Note.from_numpy(
            time=on[sel].astype(np.int32),
            duration=dur[sel].astype(np.int32),
            pitch=notes["pitch"][sel].astype(np.int8),
            velocity=np.clip(notes["velocity"][sel], 1, 127).astype(np.int8),
        )
        out.tracks.append(mt)
    for onset, bpm in score.tempos.tolist():
        out.tempos.append(symusic.Tempo(int(round(onset * tpq)), float(bpm)))
    for onset, num, den in score.time_signatures.tolist():
        out.time_signatures.append(symusic.TimeSignature(int(round(onset * tpq)), int(num), int(den)))
    for onset, fifths, mode in score.key_signatures.tolist():
        if -7 <= fifths <= 7:  # MIDI key signatures stop at seven sharps or flats
            out.key_signatures.append(symusic.KeySignature(int(round(onset * tpq)), int(fifths), max(int(mode), 0)))
    return out
