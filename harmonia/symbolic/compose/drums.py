"""Drums: the genre's groove, fills, crashes and a humanised feel.

Each bar plays the section's drum pattern (lanes of General MIDI drum keys on a step grid) with
velocities scaled by the bar's dynamics level.  The last beat of every fourth bar (every eighth in calm
genres), and the last two beats before a new section, hold a fill: a run of snare and tom hits whose
drums are sampled one step at a time from scores favouring a descent around the kit, masked by a
:class:`~harmonia.theory.constraints.ConstraintSet` with a :class:`~harmonia.theory.constraints.DrumKit`
rule (the kit of the genre's patterns plus snare and toms).  A crash cymbal marks each section start.
The feel comes from a groove template (:func:`harmonia.theory.groove.groove_template` of a small
synthetic performance: laid-back backbeats in relaxed genres, pushed sixteenths in driving ones) applied
with :func:`harmonia.theory.groove.apply_groove` by an amount that is small for electronic genres and
larger for played ones.
"""

from __future__ import annotations

import numpy as np

from harmonia.symbolic.compose._common import NOTE_ROW, Context, sample_index
from harmonia.symbolic.genres import DRUM_NOTES, DrumPattern, Genre
from harmonia.theory.constraints import ConstraintSet, DrumKit
from harmonia.theory.groove import apply_groove, groove_template

__all__ = ["PERCUSSION_LANES", "drum_parts", "groove_for"]

#: Lanes a separate percussion track takes when the band has both a kit and percussion.
PERCUSSION_LANES = frozenset({
    "tambourine", "cowbell", "high-bongo", "low-bongo", "mute-conga", "high-conga", "low-conga", "high-timbale",
    "low-timbale", "high-agogo", "low-agogo", "cabasa", "maracas", "short-guiro", "long-guiro", "claves",
    "high-wood-block", "low-wood-block", "shaker", "triangle", "vibraslap",
})
_FILL_KIT = (38, 50, 48, 47, 45, 43, 41)
_ELECTRONIC = ("electronic", "edm", "hip-hop")
_LAID_BACK = ("hip-hop", "lo-fi", "soul", "rnb", "reggae", "funk", "jazz", "blues", "gospel")


def groove_for(genre: Genre, steps: int, step_qn: float) -> tuple[np.ndarray, float]:
    """A groove template for the genre on a bar of ``steps`` positions, and how much of it to apply."""
    rng = np.random.default_rng(7)  # the template is fixed per genre: a property of the style, not the song
    pos = np.arange(steps * 8) % steps
    per_beat = max(int(round(1.0 / step_qn)), 1)
    beat = pos % per_beat == 0
    backbeat = beat & ((pos // per_beat) % 2 == 1)
    late = 0.03 if genre.name in _LAID_BACK or genre.family in _LAID_BACK else 0.0
    push = -0.012 if genre.energy > 0.7 else 0.0
    offs = np.where(backbeat, late, np.where(beat, 0.0, push + late * 0.4)) + rng.normal(0, 0.006, pos.size)
    vel = np.where(beat, np.where(backbeat, 108, 100), 78) + rng.normal(0, 4, pos.size)
    onsets = np.arange(pos.size) * step_qn + offs
    template = groove_template(onsets, vel, grid_qn=step_qn, steps=steps)
    electronic = genre.family in _ELECTRONIC or genre.name in ("techno", "house", "trap", "dubstep", "drum-and-bass")
    return template, (0.25 if electronic else 0.8)


def drum_parts(ctx: Context, genre: Genre, rng: np.random.Generator, patterns: dict[int, DrumPattern | None],
               split_percussion: bool) -> tuple[np.ndarray, np.ndarray]:
    """Notes (``NOTE_ROW``) of the kit and of the percussion (empty unless ``split_percussion``)."""
    qpb = ctx.qn_per_bar
    bp = ctx.bp
    starts = bp.section_starts()
    kit_keys = sorted({lane.note for p in patterns.values() if p is not None for lane in p.lanes} | set(_FILL_KIT)
                      | {49, 57})
    cs = ConstraintSet([DrumKit(kit=tuple(kit_keys))], vocab=ctx.vocab)
    state = cs.new_state(1)
    state.drum[:] = 1
    calm = genre.energy < 0.45
    fill_every = 8 if calm else 4
    kit_rows: list[tuple] = []
    perc_rows: list[tuple] = []
    for bar in range(bp.total_bars):
        t0 = bar * qpb
        si = ctx.section_at(t0)
        pat = patterns.get(si)
        if pat is None:
            continue
        spb = pat.steps_per_bar
        step_qn = qpb / spb
        in_sec = bar - starts[si]
        sec_bars = bp.sections[si].bars
        b = in_sec % pat.bars
        level = ctx.level(t0)
        scale = 0.55 + 0.5 * level
        last_of_section = in_sec == sec_bars - 1 and si + 1 < len(bp.sections)
        fill_steps = 0
        if last_of_section and bp.sections[si].energy >= 0.3:
            fill_steps = int(round(2 * ctx.beat_qn / step_qn))
        elif (in_sec + 1) % fill_every == 0 and in_sec != sec_bars - 1:
            fill_steps = int(round(ctx.beat_qn / step_qn))
        fill_from = spb - fill_steps
        for lane in pat.lanes:
            hits = lane.hits[b * spb:(b + 1) * spb]
            perc = split_percussion and lane.instrument in PERCUSSION_LANES
            for i, ch in enumerate(hits):
                if ch == ".":
                    continue
                if i >= fill_from and lane.instrument not in ("kick", "kick2") and not perc:
                    continue
                v = {"X": 115, "x": 95, "o": 45}[ch] * scale
                (perc_rows if perc else kit_rows).append((t0 + i * step_qn, step_qn, lane.note, v, 0))
        if fill_steps:
            prev = -1
            for k, i in enumerate(range(fill_from, spb)):
                logits = np.full(ctx.vocab.size, -30.0)
                for rank, key in enumerate(_FILL_KIT):  # descend around the kit
                    want = min(int(k * len(_FILL_KIT) / max(fill_steps, 1)), len(_FILL_KIT) - 1)
                    logits[key] = -abs(rank - want) * 1.5 - (2.0 if key == prev else 0.0)
                out = cs.apply(logits[None, :], state)
                key = sample_index(rng, out[0], 0.7)
                v = (80 + 30 * k / max(fill_steps, 1)) * scale
                kit_rows.append((t0 + i * step_qn, step_qn, key, v, 0))
                prev = key
        if in_sec == 0 and (si > 0 or bp.sections[si].energy >= 0.5):
            kit_rows.append((t0, 1.0, DRUM_NOTES["crash"], 112 * scale, 0))
            if not any(r[0] == t0 and r[2] in (35, 36) for r in kit_rows[-40:]):
                kit_rows.append((t0, step_qn, DRUM_NOTES["kick"], 100 * scale, 0))
    template_cache: dict[int, tuple[np.ndarray, float]] = {}
    return (_humanise(ctx, genre, rng, kit_rows, patterns, template_cache),
            _humanise(ctx, genre, rng, perc_rows, patterns, template_cache))


def _humanise(ctx: Context, genre: Genre, rng: np.random.Generator, rows: list[tuple],
              patterns: dict[int, DrumPattern | None], cache: dict) -> np.ndarray:
    if not rows:
        return np.zeros(0, dtype=NOTE_ROW)
    notes = np.array(rows, dtype=[("onset", "<f8"), ("duration", "<f8"), ("pitch", "<i2"), ("velocity", "<f8"),
                                  ("voice", "<i2")])
    pat = next((p for p in patterns.values() if p is not None), None)
    spb = pat.steps_per_bar if pat is not None else 16
    step_qn = ctx.qn_per_bar / spb
    if spb not in cache:
        cache[spb] = groove_for(genre, spb, step_qn)
    template, amount = cache[spb]
    on, vel = apply_groove(notes["onset"], notes["velocity"], template, grid_qn=step_qn, amount=amount)
    # keep the groove's accents but the pattern's dynamics: average the two velocities
    vel = 0.5 * (vel + notes["velocity"]) + rng.normal(0.0, 3.0, on.size)
    on = np.maximum(on, 0.0)
    out = np.zeros(notes.size, dtype=NOTE_ROW)
    out["onset"] = on
    out["duration"] = notes["duration"]
    out["pitch"] = notes["pitch"]
    out["velocity"] = np.clip(np.round(vel), 1, 127)
    out["voice"] = 0
    return out
