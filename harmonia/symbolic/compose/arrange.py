"""Arrangement: every stem generated from one blueprint and assembled into a :class:`~harmonia.symbolic.score.Score`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harmonia.symbolic.blueprint import Blueprint
from harmonia.symbolic.compose._common import NOTE_ROW, Context, swing_warp
from harmonia.symbolic.compose.bass import bass_part
from harmonia.symbolic.compose.drums import drum_parts
from harmonia.symbolic.compose.harmony import plan_chords, voice_part
from harmonia.symbolic.compose.melody import melody_part, split_syllables
from harmonia.symbolic.genres import Genre, get_genre
from harmonia.symbolic.score import Score, Track
from harmonia.theory.notearray import NOTE_DTYPE

__all__ = ["STEM_ROLES", "compose"]

#: Roles that get a stem (``fx`` parts are left out: the built-in generators write no effects).
STEM_ROLES = ("drums", "percussion", "bass", "harmony", "pad", "melody", "counter-melody")


def _by_section(bp: Blueprint, attr: str, patterns: Sequence[Any]) -> dict[int, Any]:
    by_name = {p.name: p for p in patterns}
    return {i: by_name.get(getattr(s, attr)) for i, s in enumerate(bp.sections)}


def _rng(seed: int, stem: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 0x68617276, stem]))


def compose(blueprint: Blueprint, *, seed: int = 0, lyrics: str | Sequence[str] | None = None,
            genre: Genre | None = None) -> Score:
    """Write the song a blueprint plans: one track per stem.

    Parameters
    ----------
    blueprint : Blueprint
        The plan (:func:`~harmonia.symbolic.blueprint.blueprint_from_prompt`).
    seed : int, default 0
        Seed of every random choice; the same blueprint and seed give the same score (and byte-identical
        MIDI).
    lyrics : str or sequence of str, optional
        Text of the melody, one phrase per line (cycled); one syllable per note, a melisma at each
        phrase end.  The syllables land in ``score.metadata["lyrics"]`` as ``(onset_qn, syllable)``,
        ``"_"`` continuing a melisma.
    genre : Genre, optional
        The conventions to read (default: the blueprint's genre from the database).

    Returns
    -------
    Score
        Tracks in the blueprint's instrumentation order (``fx`` parts left out), with the blueprint's GM
        programs; tempo, time-signature and key-signature maps; ``metadata`` holding ``sections`` (label,
        first bar from 1, bars, onset in quarter notes), ``chords`` (the chord plan: onset, offset,
        numeral, section, cadence), ``roles`` (one per track), ``markers`` (section names at their
        onsets), ``lyrics``, ``genre``, ``key``, ``seed``.

    Examples
    --------
    >>> from harmonia.symbolic.blueprint import blueprint_from_prompt
    >>> bp = blueprint_from_prompt("upbeat indie rock song about summer", genre="indie-rock", duration=20, seed=1)
    >>> score = compose(bp, seed=1)
    >>> [t.name for t in score.tracks][:3]
    ['Drum kit', 'Electric bass (pick)', 'Clean electric guitar']
    >>> score.metadata["sections"][0]["label"], score.n_bars == bp.total_bars
    ('intro', True)
    """
    if not isinstance(blueprint, Blueprint):
        raise TypeError(f"blueprint must be a Blueprint, got {type(blueprint).__name__}")
    bp = blueprint
    g = genre if genre is not None else get_genre(bp.genre)
    ctx = Context.from_blueprint(bp)
    ctx.set_chords(plan_chords(ctx, g, _rng(seed, 0)))
    drums_by = _by_section(bp, "drum_pattern", bp.rhythm.drum_patterns)
    bass_by = _by_section(bp, "bass_pattern", bp.rhythm.bass_patterns)
    comp_by = _by_section(bp, "comping_pattern", bp.rhythm.comping_patterns)
    syllables = None
    if lyrics is not None:
        text = lyrics if isinstance(lyrics, str) else "\n".join(lyrics)
        syllables = split_syllables(text) or None

    parts = [inst for inst in bp.instrumentation if inst.role in STEM_ROLES]
    roles = [p.role for p in parts]
    has_kit = "drums" in roles
    kit_notes = perc_notes = None
    stems: list[np.ndarray] = []
    words: list[tuple[float, str]] = []
    n_harmony = 0
    for i, inst in enumerate(parts):
        rng = _rng(seed, i + 1)
        role = inst.role
        if role in ("drums", "percussion"):
            if kit_notes is None:
                kit_notes, perc_notes = drum_parts(ctx, g, rng, drums_by, split_percussion=has_kit and
                                                   "percussion" in roles)
            if role == "drums" or not has_kit:
                notes, kit_notes = kit_notes, np.zeros(0, dtype=NOTE_ROW)
            else:
                notes, perc_notes = perc_notes, np.zeros(0, dtype=NOTE_ROW)
        elif role == "bass":
            notes = bass_part(ctx, g, inst, rng, bass_by, drums_by)
        elif role in ("harmony", "pad"):
            notes = voice_part(ctx, inst, role, rng, comp_by, part_index=n_harmony if role == "harmony" else 0)
            n_harmony += role == "harmony"
        elif role == "melody":
            notes, w = melody_part(ctx, inst, rng, lyrics=syllables if not words else None)
            words = words or w
        else:  # counter-melody
            notes, _ = melody_part(ctx, inst, rng, counter=True)
        stems.append(notes)

    total = sum(s.size for s in stems)
    arr = np.zeros(total, dtype=NOTE_DTYPE)
    k = 0
    warp = not ctx.triplet_feel and bp.rhythm.swing > 0 and not ctx.compound
    for ti, s in enumerate(stems):
        on, off = s["onset"], s["onset"] + s["duration"]
        if warp:
            on, off = swing_warp(on, bp.rhythm.swing, bp.rhythm.swing_unit), swing_warp(off, bp.rhythm.swing,
                                                                                         bp.rhythm.swing_unit)
        end = ctx.total_qn
        on = np.minimum(on, end - 1.0 / 32)  # the groove may push a last hit past the end: keep the bars
        off = np.minimum(off, end)
        sl = slice(k, k + s.size)
        arr["onset"][sl] = np.round(on, 6)
        arr["duration"][sl] = np.maximum(np.round(off, 6) - np.round(on, 6), 1.0 / 64)
        arr["pitch"][sl] = s["pitch"]
        arr["velocity"][sl] = np.clip(s["velocity"], 1, 127)
        arr["track"][sl] = ti
        arr["voice"][sl] = s["voice"]
        arr["spelling"][sl] = -128
        k += s.size
    if warp and words:
        on = swing_warp(np.array([w[0] for w in words]), bp.rhythm.swing, bp.rhythm.swing_unit)
        words = [(round(float(t), 6), s) for t, (_, s) in zip(on, words)]

    tracks = [Track(inst.name or inst.role, int(inst.program),
                    bool(inst.is_drum or inst.role in ("drums", "percussion"))) for inst in parts]
    num, den = ctx.beats
    fifths = ctx.key.tonic_fifths - (3 if ctx.key.mode == "minor" else 0)
    starts = bp.section_starts()
    sections = [{"label": s.label, "bar": b + 1, "bars": s.bars, "onset_qn": b * ctx.qn_per_bar}
                for b, s in zip(starts, bp.sections)]
    chords = [{"onset_qn": c.onset, "offset_qn": c.offset, "numeral": c.figure, "section": c.section,
               "cadence": c.cadence} for c in ctx.chords]
    metadata = {
        "title": bp.prompt or f"{bp.genre} song",
        "source": "harmonia.compose",
        "genre": bp.genre,
        "key": bp.key,
        "mode": bp.mode,
        "seed": int(seed),
        "sections": sections,
        "markers": [(s["onset_qn"], s["label"]) for s in sections],
        "chords": chords,
        "roles": roles,
        "lyrics": words,
    }
    return Score(arr, time_signatures=[(0.0, num, den)], tempos=[(0.0, float(bp.tempo_bpm))],
                 key_signatures=[(0.0, int(np.clip(fifths, -7, 7)), 1 if ctx.key.mode == "minor" else 0)],
                 tracks=tracks, metadata=metadata)
