"""Rebuild the malformed inputs in tests/data/bad/ (run from the repository root).

Each file is made here from scratch with mido, so no third-party music is involved.
"""

from __future__ import annotations

from pathlib import Path

import mido

BAD = Path(__file__).parent / "bad"


def _midi(path: Path, *, tempo: int | None = 500000, notes: list[tuple[int, int, int]] = ((0, 480, 60),)) -> bytes:
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    if tempo is not None:
        track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    now = 0
    events = []
    for onset, dur, pitch in notes:
        events.append((onset, 0, mido.Message("note_on", note=pitch, velocity=90)))
        events.append((onset + dur, 1, mido.Message("note_off", note=pitch, velocity=0)))
    for t, _, msg in sorted(events, key=lambda e: (e[0], e[1])):  # note-ons before note-offs at one tick
        track.append(msg.copy(time=t - now))
        now = t
    mid.save(path)
    return path.read_bytes()


def main() -> None:
    BAD.mkdir(exist_ok=True)
    good = _midi(BAD / "zero_length.mid", notes=[(0, 480, 60), (480, 0, 64), (960, 480, 67)])
    good = _midi(BAD / "_good.mid", notes=[(i * 240, 240, 60 + i) for i in range(40)])
    (BAD / "_good.mid").unlink()
    (BAD / "truncated.mid").write_bytes(good[: len(good) // 2])
    (BAD / "garbage.mid").write_bytes(bytes((i * 97 + 13) % 256 for i in range(600)))
    (BAD / "empty.mid").write_bytes(b"")
    _midi(BAD / "no_notes.mid", notes=[])
    _midi(BAD / "tempo_zero.mid", tempo=0)
    _midi(BAD / "tempo_10000.mid", tempo=6000)  # 6,000 microseconds per quarter note = 10,000 BPM
    (BAD / "song.xyz").write_text("not music\n")
    (BAD / "empty.musicxml").write_bytes(b"")
    (BAD / "corrupt.musicxml").write_text('<?xml version="1.0"?>\n<score-partwise><part id="P1"><measure')
    (BAD / "tempo_zero.musicxml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="3.1"><part-list><score-part id="P1">'
        "<part-name>Voice</part-name></score-part></part-list><part id=\"P1\"><measure number=\"1\"><attributes>"
        "<divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>"
        '<sound tempo="0"/><note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration>'
        "<type>whole</type></note></measure></part></score-partwise>\n"
    )


if __name__ == "__main__":
    main()
