"""Bass lines: the genre's bass pattern on the chords, locked to the kick drum.

Each onset of the section's bass pattern names a note choice (``root``, ``fifth``, ``third``, ``octave``,
``seventh``, ``sixth``, ``approach``, ``scale``, ``chord``).  The choice becomes pitch-class scores over
the 128 MIDI pitches (plus a pull toward the previous note and the middle of the register), which a
:class:`~harmonia.theory.constraints.ConstraintSet` masks (the program's range, leaps of at most an
octave, the key, and the chord's tones on the first note of each chord) before a pitch is sampled.
``approach`` steps into the next chord's bass by a semitone (jazz, blues) or a scale step,
so walking patterns (root, scale, chord, approach) walk.  Where the drum pattern shares the bass pattern's
grid, bass onsets within one step of a kick move onto it, and in loud sections kicks that land while the
bass rests get the chord's root.  The song's last chord gets one root held to the end, as songs end.
"""

from __future__ import annotations

import numpy as np

from harmonia.symbolic.compose._common import NOTE_ROW, Context, PitchSampler, rhythm_onsets
from harmonia.symbolic.genres import BassPattern, DrumPattern, Genre, Instrument
from harmonia.theory.constraints import ChordTones, InKey, InRange, MaxLeap
from harmonia.theory.instruments import program_range

__all__ = ["bass_part"]

_CHROMATIC_FAMILIES = ("jazz", "blues")


def _chord_scale(scale_mask: int, chord_mask: int) -> int:
    """The song's scale with a planned chord's own tones in it: a chromatic chord's tone (the Ab of a bII in
    g minor) replaces the scale tones a semitone from it (A), so the bass over bII walks in g phrygian."""
    out = scale_mask
    for pc in range(12):
        if (chord_mask >> pc) & 1 and not (scale_mask >> pc) & 1:
            for nb in ((pc + 1) % 12, (pc - 1) % 12):
                if not (chord_mask >> nb) & 1:
                    out &= ~(1 << nb)
            out |= 1 << pc
    return out


def _target_pc(choice: str, c, nxt, ctx: Context, prev: int, rng: np.random.Generator, chromatic: bool) -> int:
    root = c.bass_pc
    scale_mask = _chord_scale(ctx.scale_mask, c.mask)
    if choice in ("root", "octave"):
        return root
    if choice == "fifth":
        return c.pcs[2] if len(c.pcs) > 2 else (c.root_pc + 7) % 12
    if choice == "third":
        return c.pcs[1] if len(c.pcs) > 1 else root
    if choice == "seventh":
        return c.pcs[3] if len(c.pcs) > 3 else root
    if choice == "sixth":
        return (c.root_pc + 9) % 12
    if choice == "chord":
        return int(c.pcs[int(rng.integers(len(c.pcs)))])
    target = nxt.bass_pc if nxt is not None else root
    if choice == "approach":
        if chromatic:
            return (target + (1 if rng.random() < 0.5 else -1)) % 12
        for step in (2, 1, -1, -2):
            pc = (target + step) % 12
            if (scale_mask >> pc) & 1:
                return pc
        return target
    # scale: a scale tone a step from the previous note, toward the next chord
    if prev < 0:
        return root
    direction = 1 if ((target - prev % 12) % 12) < 6 else -1
    for step in (1, 2):
        pc = (prev + direction * step) % 12
        if (scale_mask >> pc) & 1:
            return pc
    return root


def bass_part(ctx: Context, genre: Genre, inst: Instrument, rng: np.random.Generator,
              patterns: dict[int, BassPattern | None], drums: dict[int, DrumPattern | None]) -> np.ndarray:
    """Notes (``NOTE_ROW``) of the bass over the whole song."""
    lo, hi = program_range(inst.program)
    lo, hi = max(lo, 28), min(hi, 60)
    chromatic = genre.family in _CHROMATIC_FAMILIES or genre.name in _CHROMATIC_FAMILIES
    key_rule = InKey(hard=not chromatic, weight=3.0)
    sampler = PitchSampler([InRange(), MaxLeap(), ChordTones(), key_rule], ctx.vocab, low=lo, high=hi,
                           key_mask=ctx.scale_mask, max_leap=12)
    center = lo + 0.35 * (hi - lo)
    pitches = np.arange(128)
    rows = []
    prev = -1
    qpb = ctx.qn_per_bar
    starts = ctx.bp.section_starts()
    last_chord = -1
    for bar in range(ctx.bp.total_bars):
        t0 = bar * qpb
        si = ctx.section_at(t0)
        pat = patterns.get(si)
        if pat is None:
            continue
        spb = pat.steps_per_bar
        step_qn = qpb / spb
        bar_in = (bar - starts[si]) % pat.bars
        rhythm = pat.rhythm[bar_in * spb:(bar_in + 1) * spb]
        onsets = rhythm_onsets(rhythm)
        notes = [pat.notes[(k + bar_in * len(onsets)) % len(pat.notes)] for k in range(len(onsets))]
        dp = drums.get(si)
        if dp is not None and dp.steps_per_bar == spb:
            kick = _kick_steps(dp, bar - starts[si])
            onsets = [(_snap(s, kick), n) for s, n in onsets]
            if ctx.bp.sections[si].energy >= 0.6 and not chromatic:
                held = np.zeros(spb, dtype=bool)
                for s, n in onsets:
                    held[s:s + n] = True
                for k in kick:
                    if not held[k]:
                        onsets.append((k, 1))
                        notes.append("root")
                order = np.argsort([s for s, _ in onsets], kind="stable")
                onsets = [onsets[i] for i in order]
                notes = [notes[i] for i in order]
        for (step, length), choice in zip(onsets, notes):
            on = t0 + step * step_qn
            ci = ctx.chord_at(on)
            c = ctx.chords[ci]
            nxt = ctx.chords[ci + 1] if ci + 1 < len(ctx.chords) else None
            first = ci != last_chord
            last_chord = ci
            final = ci == len(ctx.chords) - 1
            if final and not first:
                continue  # the song's last chord: one held root, no walk or riff over it
            if first:
                choice = "root"
            pc = _target_pc(choice, c, nxt, ctx, prev, rng, chromatic)
            logits = np.where(pitches % 12 == pc, 0.0, -8.0) - np.abs(pitches - center) / 9.0
            if prev >= 0:
                logits = logits - np.abs(pitches - prev) / 5.0
                if choice == "octave":
                    logits = logits + np.where(pitches == prev + 12, 2.0, 0.0)
            # the planned chord's tones are in the local scale (a bII's root in minor, a bVII's in major)
            sampler.state.key_mask[:] = _chord_scale(ctx.scale_mask, c.mask)
            p = sampler.sample(rng, logits, chord_mask=c.mask if first else 0xFFF, prev=prev, temperature=0.3)
            end = c.offset if final else min(on + length * step_qn, c.offset)
            vel = int(np.clip(round(60 + 45 * ctx.level(on) + (8 if ctx.strong(on) else 0)), 1, 127))
            rows.append((on, max(end - on, step_qn * 0.5) * 0.92, p, vel, 0))
            prev = p
    return np.array(rows, dtype=NOTE_ROW) if rows else np.zeros(0, dtype=NOTE_ROW)


def _kick_steps(dp: DrumPattern, bar_in_section: int) -> list[int]:
    spb = dp.steps_per_bar
    b = bar_in_section % dp.bars
    out = []
    for lane in dp.lanes:
        if lane.instrument in ("kick", "kick2"):
            hits = lane.hits[b * spb:(b + 1) * spb]
            out += [i for i, ch in enumerate(hits) if ch in "xX"]
    return sorted(set(out))


def _snap(step: int, kick: list[int]) -> int:
    for k in kick:
        if abs(k - step) == 1 and step not in kick:
            return k
    return step
