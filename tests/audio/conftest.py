"""Small scores shared by the audio tests."""

from __future__ import annotations

import pytest

from harmonia.symbolic.score import Score, Track


def small_song(bars: int = 4, bpm: float = 120.0) -> Score:
    """A pop-style loop: drums, bass, electric-piano chords, a pad and a melody, in C major 4/4."""
    notes = []
    chords = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]
    melody = [72, 74, 76, 79, 77, 76, 74, 72]
    for b in range(bars):
        t0 = 4.0 * b
        root = chords[b % 4][0] - 24
        for beat in range(4):
            notes.append((t0 + beat, 0.25, 36 if beat % 2 == 0 else 38, 110, 0))
            for half in (0.0, 0.5):
                notes.append((t0 + beat + half, 0.25, 42, 70 + (20 if half == 0 else 0), 0))
            notes.append((t0 + beat, 0.9, root, 100, 1))
        for p in chords[b % 4]:
            notes.append((t0, 1.9, p, 80, 2))
            notes.append((t0 + 2, 1.9, p, 75, 2))
            notes.append((t0, 4.0, p + 12, 60, 3))
        for k in range(2):
            notes.append((t0 + 2 * k, 1.5, melody[(2 * b + k) % len(melody)], 96, 4))
    if bars:
        notes.append((0.0, 0.5, 49, 100, 0))
    tracks = [Track("Drums", 0, True), Track("Bass", 33), Track("Keys", 4), Track("Pad", 89), Track("Lead", 81)]
    return Score(notes, tempos=[(0.0, bpm)], tracks=tracks)


@pytest.fixture(scope="session")
def song() -> Score:
    return small_song()


@pytest.fixture(scope="session")
def rendered_song(song):
    from harmonia.audio.render import render

    return render(song, tail_sec=1.0)
