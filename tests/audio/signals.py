"""Short synthetic test signals for the audio analysis tests (numpy only)."""

from __future__ import annotations

import numpy as np

SR = 22050


def click_track(bpm: float, seconds: float, *, accent_every: int = 4, sr: int = SR, offset: float = 0.1) -> np.ndarray:
    """Clicks at ``bpm`` starting at ``offset`` s; every ``accent_every``-th click also has a low thump."""
    y = np.zeros(int(seconds * sr), dtype=np.float32)
    n = int(0.03 * sr)
    t = np.arange(n) / sr
    click = (np.sin(2 * np.pi * 1500 * t) * np.exp(-150 * t)).astype(np.float32)
    thump = (np.sin(2 * np.pi * 60 * t) * np.exp(-40 * t)).astype(np.float32)
    for i, s in enumerate(np.arange(offset, seconds - 0.05, 60.0 / bpm)):
        a = int(s * sr)
        seg = y[a : a + n]
        seg += 0.5 * click[: seg.size]
        if i % accent_every == 0:
            seg += 0.9 * thump[: seg.size]
    return y


def tone(pitches, seconds: float, *, sr: int = SR, amp: float = 0.2) -> np.ndarray:
    """A sum of harmonic tones (3 partials) at MIDI ``pitches``."""
    t = np.arange(int(seconds * sr)) / sr
    y = np.zeros(t.size)
    for p in pitches:
        f = 440.0 * 2 ** ((p - 69) / 12)
        for h, a in ((1, 1.0), (2, 0.4), (3, 0.2)):
            y += a * np.sin(2 * np.pi * f * h * t)
    return (amp * y / max(len(pitches), 1)).astype(np.float32)


def chord_sequence(chords, beat_sec: float = 0.5, beats_per_chord: int = 4, *, sr: int = SR) -> np.ndarray:
    """Chords (lists of MIDI pitches) one after another, each ``beats_per_chord`` beats long."""
    return np.concatenate([tone(c, beat_sec * beats_per_chord, sr=sr) for c in chords])
