"""Hypothesis strategies shared by the whole test suite (import them; never redefine them)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from harmonia.theory.notearray import make_note_array
from harmonia.theory.pitch import fifths_to_pc

__all__ = ["blueprints", "fifths", "grid_onsets", "logits", "note_arrays", "spelled_note_arrays", "time_signatures"]

#: Line-of-fifths positions from Fbb to B## (double flats to double sharps).
fifths = st.integers(min_value=-15, max_value=19)

time_signatures = st.sampled_from([(2, 4), (3, 4), (4, 4), (5, 4), (6, 8), (9, 8), (12, 8), (2, 2), (3, 8), (7, 8)])


def grid_onsets(resolution: int = 4, max_qn: float = 64.0) -> st.SearchStrategy[float]:
    """Onsets on a grid of ``1/resolution`` quarter notes."""
    return st.integers(0, int(max_qn * resolution)).map(lambda k: k / resolution)


@st.composite
def note_arrays(draw, *, min_size: int = 1, max_size: int = 40, resolution: int = 4, tracks: int = 3):
    """Note arrays on a grid (exactly representable in MIDI ticks), unknown spelling."""
    n = draw(st.integers(min_size, max_size))
    onset = draw(st.lists(grid_onsets(resolution), min_size=n, max_size=n))
    dur = draw(st.lists(st.integers(1, 8 * resolution).map(lambda k: k / resolution), min_size=n, max_size=n))
    pitch = draw(st.lists(st.integers(21, 108), min_size=n, max_size=n))
    vel = draw(st.lists(st.integers(1, 127), min_size=n, max_size=n))
    track = draw(st.lists(st.integers(0, tracks - 1), min_size=n, max_size=n))
    return make_note_array(onset, dur, pitch, velocity=vel, track=track)


@st.composite
def spelled_note_arrays(draw, **kwargs):
    """Note arrays whose every note carries a spelling consistent with its pitch."""
    notes = draw(note_arrays(**kwargs))
    spell = np.array(draw(st.lists(fifths, min_size=notes.size, max_size=notes.size)), dtype=np.int64)
    # move each pitch to the nearest MIDI number with the spelling's pitch class
    pcs = fifths_to_pc(spell)
    delta = (pcs - notes["pitch"] % 12 + 6) % 12 - 6
    pitch = np.clip(notes["pitch"] + delta, 0, 127)
    pitch = np.where(pitch % 12 != pcs, pitch + np.where(pitch > 64, -12, 12), pitch)
    notes["pitch"] = pitch
    notes["spelling"] = spell
    return notes


@st.composite
def midi_safe_note_arrays(draw, **kwargs):
    """Note arrays that MIDI can represent exactly: no two notes of one pitch overlap in one track,
    every track index from 0 up is used, onsets and durations on a 1/4-qn grid."""
    notes = draw(note_arrays(**kwargs))
    keep = np.ones(notes.size, dtype=bool)
    last_end: dict[tuple[int, int], float] = {}
    for i, n in enumerate(notes):
        k = (int(n["track"]), int(n["pitch"]))
        if last_end.get(k, -1.0) > n["onset"]:
            keep[i] = False
        else:
            last_end[k] = float(n["onset"] + n["duration"])
    notes = notes[keep]
    _, notes["track"] = np.unique(notes["track"], return_inverse=True)
    return notes


@st.composite
def voiced_note_arrays(draw, *, max_voices: int = 3, **kwargs):
    """Spelled note arrays in which each (track, voice) is a line of non-overlapping notes or chords."""
    notes = draw(spelled_note_arrays(**kwargs))
    notes = notes[np.lexsort((notes["pitch"], notes["onset"], notes["track"]))]
    ends: dict[tuple[int, int], tuple[float, float]] = {}
    keep = np.ones(notes.size, dtype=bool)
    seen: set[tuple[int, float, int]] = set()
    for i, n in enumerate(notes):
        t, on, dur = int(n["track"]), float(n["onset"]), float(n["duration"])
        if (t, on, int(n["pitch"])) in seen:  # one note per pitch and onset in a track
            keep[i] = False
            continue
        for v in range(max_voices):
            prev = ends.get((t, v))
            if prev is None or prev[1] <= on or prev == (on, on + dur):
                notes["voice"][i] = v
                ends[(t, v)] = (on, on + dur)
                seen.add((t, on, int(n["pitch"])))
                break
        else:
            keep[i] = False
    notes = notes[keep]
    _, notes["track"] = np.unique(notes["track"], return_inverse=True)
    return notes


@st.composite
def blueprints(draw):
    """Song blueprints of any shipped genre, with arbitrary floats for tempo, energies and dynamics."""
    import dataclasses

    from harmonia.symbolic.blueprint import MOOD_WORDS, blueprint_from_prompt
    from harmonia.symbolic.genres import list_genres

    genre = draw(st.sampled_from(list_genres()))
    words = draw(st.lists(st.sampled_from(sorted(MOOD_WORDS)), max_size=3))
    bp = blueprint_from_prompt(
        " ".join(words),
        genre=genre,
        duration=draw(st.floats(10.0, 400.0)),
        seed=draw(st.integers(0, 2**32 - 1)),
    )
    unit = st.floats(0.0, 1.0, allow_nan=False)
    sections = tuple(dataclasses.replace(s, energy=draw(unit)) for s in bp.sections)
    return dataclasses.replace(
        bp,
        tempo_bpm=draw(st.floats(20.0, 400.0)),
        energy=draw(unit),
        sections=sections,
        dynamics=tuple(draw(st.lists(unit, min_size=bp.total_bars, max_size=bp.total_bars))),
        prompt=draw(st.text(max_size=40)),
    )


def logits(batch: int | st.SearchStrategy[int] = 4, vocab: int = 16, *, dtype=np.float32, allow_neg_inf: bool = True):
    """Batches of logits ``(batch, vocab)``: finite values in [-20, 20], sometimes ``-inf`` (masked tokens)."""
    batches = st.just(batch) if isinstance(batch, int) else batch

    @st.composite
    def build(draw):
        b = draw(batches)
        values = draw(st.lists(st.floats(-20, 20, width=32), min_size=b * vocab, max_size=b * vocab))
        x = np.asarray(values, dtype=dtype).reshape(b, vocab)
        if allow_neg_inf:
            masked = draw(st.lists(st.booleans(), min_size=b * vocab, max_size=b * vocab))
            x[np.asarray(masked).reshape(b, vocab) & (np.arange(vocab) % 3 == 0)] = -np.inf
        return x

    return build()
