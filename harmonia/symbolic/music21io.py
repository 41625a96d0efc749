"""music21 streams to and from :class:`~harmonia.symbolic.score.Score`.

music21 is the bridge to MusicXML, MXL, Humdrum kern, ABC and RomanText files and to its corpus.  It is
imported inside the functions, never at module level.

Conventions of the conversion:

* each part becomes a track (name from the part, GM program from its instrument);
* tied notes become one note; grace notes (no duration) are dropped and counted in
  ``metadata["grace_notes_dropped"]``;
* a note's ``voice`` is the index of its music21 ``Voice`` inside the measure, 0 when the measure has
  no voices;
* spellings come from the notated pitch names (line of fifths), so ``Ab`` and ``G#`` stay apart;
* an incomplete first measure becomes the pickup (``pickup_qn``), and every measure is kept in
  ``measures`` (split bars and mid-bar metre changes included);
* the onsets of notes with a fermata, in any part, are listed in ``metadata["fermatas_qn"]`` (phrase
  ends, which the harmonic analysis reads cadences from).

Going back, :func:`to_music21` rebuilds measures from the score's bar table, splits notes at bar lines
with ties, groups simultaneous notes of equal length in one voice into chords, and writes each voice of a
track as a music21 ``Voice``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import numpy as np

from harmonia.errors import EmptyScoreError
from harmonia.symbolic.atomic import atomic_path
from harmonia.symbolic.score import Score, Track
from harmonia.theory.notearray import NO_SPELLING, NOTE_DTYPE
from harmonia.theory.pitch import name_to_fifths, pitch_name

__all__ = ["from_music21", "save_musicxml", "to_music21"]

_MODE_CODE = {"major": 0, "minor": 1}


def _spelling(p: Any) -> int:
    alter = p.accidental.alter if p.accidental is not None else 0.0
    if alter != int(alter):  # microtones have no line-of-fifths position
        return NO_SPELLING
    return name_to_fifths(p.step) + 7 * int(alter)


def from_music21(stream: Any, *, source: str | None = None) -> Score:
    """Convert a music21 ``Score``, ``Part`` or ``Stream`` into a :class:`Score`.

    Parameters
    ----------
    stream : music21.stream.Stream
        The music; an ``Opus`` is refused (convert its scores one by one).
    source : str, optional
        Where it came from, for error messages and ``metadata["source"]``.

    Returns
    -------
    Score

    Raises
    ------
    TypeError
        If ``stream`` is not a music21 stream, or is an Opus.
    EmptyScoreError
        If it holds no pitched notes.

    Examples
    --------
    >>> from music21 import converter
    >>> s = from_music21(converter.parse("tinyNotation: 4/4 c4 d8 e- f#2"))
    >>> s.notes[["onset", "pitch", "spelling"]].tolist()
    [(0.0, 60, 0), (1.0, 62, 2), (1.5, 63, -3), (2.0, 66, 6)]
    """
    from music21 import chord, harmony, note, tempo
    from music21 import stream as m21stream

    if not isinstance(stream, m21stream.Stream):
        raise TypeError(f"expected a music21 stream, got {type(stream).__name__}")
    if isinstance(stream, m21stream.Opus):
        raise TypeError("an Opus holds several scores: convert each of opus.scores separately")
    label = source or _stream_label(stream)
    parts = list(stream.parts) if stream.hasPartLikeStreams() else [stream]

    rows: list[tuple[float, float, int, int, int, int, int]] = []
    tracks: list[Track] = []
    fermatas: set[float] = set()
    grace = 0
    for t, part in enumerate(parts):
        tracks.append(_track_of(part, t))
        open_ties: dict[tuple[int, int], int] = {}
        for el, offset, voice in _iter_notes(part):
            if isinstance(el, harmony.Harmony):  # chord symbols sound nothing (and have no duration)
                continue
            if el.duration.quarterLength == 0:
                grace += 1
                continue
            if any(type(e).__name__ == "Fermata" for e in el.expressions):
                fermatas.add(round(float(offset), 6))
            members = el.notes if isinstance(el, chord.ChordBase) else [el]  # PercussionChord too
            vel = el.volume.velocity  # None when the score gives no dynamics
            for n in members:
                if isinstance(n, note.Unpitched):
                    continue
                p = n.pitch
                midi = int(round(p.ps))
                tie = n.tie.type if n.tie is not None else (el.tie.type if el.tie is not None else None)
                key = (voice, midi)
                dur = float(el.duration.quarterLength)
                if tie in ("continue", "stop") and key in open_ties:
                    i = open_ties[key]
                    on0, _, *rest = rows[i]
                    rows[i] = (on0, float(offset) + dur - on0, *rest)
                    if tie == "stop":
                        del open_ties[key]
                    continue
                v = int(vel) if vel else 80
                rows.append((float(offset), dur, midi, max(1, min(127, v)), t, voice, _spelling(p)))
                if tie == "start":
                    open_ties[key] = len(rows) - 1
    if not rows:
        raise EmptyScoreError(f"{label}: the stream holds no pitched notes")
    notes = np.array(rows, dtype=NOTE_DTYPE)

    ref = parts[0]
    time_sigs = _map_rows(ref, "TimeSignature", lambda ts: (ts.numerator, ts.denominator))
    keys = _map_rows(
        ref, "KeySignature", lambda k: (k.sharps, _MODE_CODE.get(getattr(k, "mode", None), -1))
    )
    keys = [row for row in keys if row[1] is not None]  # non-traditional signatures have no fifths count
    tempos = [
        (float(off), bpm)
        for mm, off in _with_offsets(stream.flatten().getElementsByClass(tempo.MetronomeMark))
        if (bpm := _quarter_bpm(mm)) is not None
    ]
    md = stream.metadata
    title = (md.title if md is not None and md.title else None) or label
    return assemble_score(
        notes, tracks, time_sigs, tempos, keys,
        pickup_qn=_pickup(ref), measures=_measures(ref),
        metadata={"source": label, "title": title, "composer": md.composer if md is not None else None,
                  "format": "music21"},
        grace=grace, fermatas=fermatas,
    )


def assemble_score(
    notes: np.ndarray,
    tracks: list[Track],
    time_sigs: list[tuple],
    tempos: list[tuple],
    keys: list[tuple],
    *,
    pickup_qn: float,
    measures: np.ndarray | None,
    metadata: dict[str, Any],
    grace: int,
    fermatas: Any,
) -> Score:
    """The Score both notation readers (this music21 route and the native MusicXML reader) build from
    what they collected: map rows de-duplicated, dropped grace notes and fermata onsets in the metadata."""
    if grace:
        metadata["grace_notes_dropped"] = grace
    if fermatas:
        metadata["fermatas_qn"] = sorted(fermatas)
    return Score(
        notes,
        time_signatures=dedupe_map_rows(time_sigs) or None,
        tempos=dedupe_map_rows(tempos) or None,
        key_signatures=dedupe_map_rows(keys),
        tracks=tracks,
        pickup_qn=pickup_qn,
        measures=measures,
        metadata=metadata,
    )


def _quarter_bpm(mm: Any) -> float | None:
    """A metronome mark's quarter notes per minute; 0 for a mark of 0 (the Score then refuses it)."""
    try:
        bpm = mm.getQuarterBPM()
    except ZeroDivisionError:  # music21 divides by the number
        return 0.0
    return None if bpm is None else float(bpm)


def _stream_label(stream: Any) -> str:
    md = stream.metadata
    if md is not None and md.title:
        return str(md.title)
    return str(getattr(stream, "id", "music21 stream"))


def _track_of(part: Any, index: int) -> Track:
    from music21 import instrument

    inst = part.getInstrument(returnDefault=False)
    name = (part.partName or (inst.partName if inst is not None else None) or str(part.id) or "").strip()
    if not name or name.isdigit():
        name = f"Part {index + 1}"
    program = inst.midiProgram if inst is not None and inst.midiProgram is not None else 0
    is_drum = isinstance(inst, instrument.UnpitchedPercussion) or (inst is not None and inst.midiChannel == 9)
    return Track(name, int(program), bool(is_drum))


def _iter_notes(part: Any):
    """Yield (note or chord, offset in qn from the part's start, voice index)."""
    from music21 import stream as m21stream

    measures = part.getElementsByClass(m21stream.Measure)
    if not measures:
        for el in part.flatten().notes:
            yield el, float(el.offset), 0
        return
    for m in measures:
        m_off = float(m.getOffsetBySite(part))
        for el in m.notes:
            yield el, m_off + float(el.offset), 0
        for v, voice in enumerate(m.voices):
            v_off = m_off + float(voice.offset)
            for el in voice.notes:
                yield el, v_off + float(el.offset), v


def _with_offsets(elements: Any):
    for el in elements:
        yield el, el.offset


def _map_rows(part: Any, cls: str, fields) -> list[tuple]:
    out = []
    for el in part.recurse().getElementsByClass(cls):
        out.append((float(el.getOffsetInHierarchy(part)), *fields(el)))
    return out


def dedupe_map_rows(rows: list[tuple]) -> list[tuple]:
    """Map rows (onset first) sorted by onset, without repeats that change nothing; of two rows at one
    onset the later wins.  Shared by the music21 route and the native MusicXML reader."""
    out: list[tuple] = []
    for row in sorted(rows, key=lambda r: r[0]):
        if out and out[-1][1:] == row[1:]:
            continue
        if out and abs(out[-1][0] - row[0]) < 1e-9:
            out[-1] = row
        else:
            out.append(row)
    return out


def _measures(part: Any) -> np.ndarray | None:
    """The part's measures as a bar table (number, onset, length, padding, time signature)."""
    from music21 import stream as m21stream

    from harmonia.theory.timemap import BAR_DTYPE

    measures = part.getElementsByClass(m21stream.Measure)
    if not measures:
        return None
    rows = []
    num, den = 4, 4
    for m in measures:
        if m.timeSignature is not None:
            num, den = m.timeSignature.numerator, m.timeSignature.denominator
        length = float(m.duration.quarterLength)
        if length <= 0:
            continue
        rows.append((int(m.number), float(m.getOffsetBySite(part)), length, float(m.paddingLeft), num, den))
    return np.array(rows, dtype=BAR_DTYPE)


def _pickup(part: Any) -> float:
    from music21 import stream as m21stream

    measures = part.getElementsByClass(m21stream.Measure)
    if not measures:
        return 0.0
    first = measures[0]
    ts = first.timeSignature or first.getContextByClass("TimeSignature")
    if ts is None:
        return 0.0
    bar = float(ts.barDuration.quarterLength)
    if first.paddingLeft:
        return max(0.0, bar - float(first.paddingLeft))
    length = float(first.duration.quarterLength)
    if first.number == 0 and 0 < length < bar:
        return length
    return 0.0


# -- Score -> music21 -------------------------------------------------------------------------------


def to_music21(score: Score):
    """Convert a :class:`Score` to a ``music21.stream.Score``.

    Each track becomes a part with measures from the score's bar table (pickup included), each voice a
    music21 ``Voice``; notes crossing bar lines are split and tied; simultaneous notes of equal length in
    one voice become a chord.  Notes of unknown voice (MIDI) are packed into as few voices as keep every
    voice free of overlaps.

    Examples
    --------
    >>> s = Score([(0.0, 2.0, 61, 80, 0, 0, -5), (2.0, 2.0, 61, 80, 0, 0, 7)])
    >>> [p.nameWithOctave for p in to_music21(s).flatten().pitches]
    ['D-4', 'C#4']
    """
    from music21 import (
        chord,
        clef,
        instrument,
        key,
        meter,
        note,
        tempo,
    )
    from music21 import (
        metadata as m21metadata,
    )
    from music21 import (
        stream as m21stream,
    )

    out = m21stream.Score()
    out.metadata = m21metadata.Metadata()
    out.metadata.title = score.metadata.get("title") or ""
    if score.metadata.get("composer"):
        out.metadata.composer = score.metadata["composer"]
    bars = score.bar_table()
    if bars.size == 0:
        bars = score.bar_table(until_qn=1.0)
    bar_end = bars["onset"] + bars["length"]
    notes = score.notes
    for t, track in enumerate(score.tracks):
        part = m21stream.Part()
        part.id = f"P{t + 1}"
        part.partName = track.name
        try:
            inst = instrument.instrumentFromMidiProgram(track.program)
        except Exception:  # music21 knows no instrument for some programs
            inst = instrument.Instrument()
            inst.midiProgram = track.program
        if track.is_drum:
            inst = instrument.UnpitchedPercussion()
        inst.partName = track.name
        part.insert(0, inst)
        tn = notes[notes["track"] == t]
        layers = _voice_layers(tn)
        measures = []
        for b in range(bars.size):
            m = m21stream.Measure(number=int(bars["bar"][b]))
            full = bars["numerator"][b] * 4.0 / bars["denominator"][b]
            if bars["padding"][b] > 0:
                m.paddingLeft = float(bars["padding"][b])
            if bars["length"][b] + bars["padding"][b] < full - 1e-9:
                m.paddingRight = float(full - bars["length"][b] - bars["padding"][b])
            measures.append(m)
        for off, num, den in score.time_signatures.tolist():
            b = _bar_at(bars, off)
            measures[b].insert(off - bars["onset"][b], meter.TimeSignature(f"{num}/{den}"))
        for off, fifths, mode in score.key_signatures.tolist():
            b = _bar_at(bars, off)
            mode_name = {0: "major", 1: "minor"}.get(int(mode))
            ks = key.KeySignature(int(fifths)).asKey(mode_name) if mode_name else key.KeySignature(int(fifths))
            measures[b].insert(off - bars["onset"][b], ks)
        if t == 0:
            for off, bpm in score.tempos.tolist():
                b = _bar_at(bars, off)
                measures[b].insert(off - bars["onset"][b], tempo.MetronomeMark(number=round(bpm, 3)))
        if tn.size:
            measures[0].insert(0, clef.bestClef(m21stream.Stream([note.Note(int(p)) for p in tn["pitch"]])))
        for layer in layers:
            voices = [m21stream.Voice() for _ in measures] if len(layers) > 1 else None
            for onset, dur, group in layer:
                _place(group, onset, dur, bars, bar_end, measures, voices, chord, note)
            if voices is not None:
                for m, v in zip(measures, voices):
                    v.id = str(len(m.voices) + 1)
                    m.insert(0, v)
        for b, m in enumerate(measures):
            for container in (list(m.voices) or [m]):
                container.makeRests(refStreamOrTimeRange=[0.0, float(bars["length"][b])], fillGaps=True, inPlace=True)
            part.insert(float(bars["onset"][b]), m)
        out.insert(0, part)
    return out


def _bar_at(bars: np.ndarray, qn: float) -> int:
    return int(np.clip(np.searchsorted(bars["onset"], qn + 1e-9, side="right") - 1, 0, bars.size - 1))


def _voice_layers(tn: np.ndarray) -> list[list[tuple[float, float, np.ndarray]]]:
    """Group a track's notes into chords per voice, and chords into non-overlapping layers."""
    by_voice: dict[int, list[np.ndarray]] = defaultdict(list)
    for row in tn:
        by_voice[int(row["voice"])].append(row)
    layers: list[list[tuple[float, float, np.ndarray]]] = []
    for v in sorted(by_voice):
        rows = np.array(by_voice[v], dtype=NOTE_DTYPE)
        keyed = defaultdict(list)
        for r in rows:
            keyed[(float(r["onset"]), float(r["duration"]))].append(r)
        groups = sorted(keyed.items())
        voice_layers: list[list[tuple[float, float, np.ndarray]]] = []
        ends: list[float] = []
        for (onset, dur), members in groups:
            for k, end in enumerate(ends):
                if end <= onset + 1e-9:
                    voice_layers[k].append((onset, dur, np.array(members, dtype=NOTE_DTYPE)))
                    ends[k] = onset + dur
                    break
            else:
                voice_layers.append([(onset, dur, np.array(members, dtype=NOTE_DTYPE))])
                ends.append(onset + dur)
        layers.extend(voice_layers)
    return layers or [[]]


def _place(group, onset, dur, bars, bar_end, measures, voices, chord_mod, note_mod) -> None:
    """Insert a note or chord, split at bar lines with ties."""
    from music21 import tie

    start = onset
    end = onset + dur
    pieces = []
    while start < end - 1e-9:
        b = _bar_at(bars, start)
        piece_end = min(end, float(bar_end[b]))
        if piece_end <= start + 1e-9:  # beyond the last bar: extend it
            piece_end = end
        pieces.append((b, start, piece_end))
        start = piece_end
    for k, (b, s, e) in enumerate(pieces):
        members = []
        for r in group:
            sp = int(r["spelling"])
            if sp != NO_SPELLING:
                n = note_mod.Note(pitch_name(int(r["pitch"]), sp, flat="-"))
            else:
                n = note_mod.Note(int(r["pitch"]))
            n.volume.velocity = int(r["velocity"])
            members.append(n)
        el = members[0] if len(members) == 1 else chord_mod.Chord(members)
        el.quarterLength = e - s
        if len(pieces) > 1:
            el.tie = tie.Tie("start" if k == 0 else "stop" if k == len(pieces) - 1 else "continue")
        target = voices[b] if voices is not None else measures[b]
        target.insert(s - float(bars["onset"][b]), el)


def save_musicxml(score: Score, path: str | os.PathLike[str]) -> None:
    """Write ``score`` as MusicXML (``.musicxml``/``.xml``) or compressed MusicXML (``.mxl``), atomically."""
    fmt = "mxl" if str(path).lower().endswith(".mxl") else "musicxml"
    stream = to_music21(score)
    with atomic_path(path) as tmp:
        stream.write(fmt, fp=str(tmp))
