"""Melodies: phrase arcs, chord tones on strong beats, motifs repeated with variation, lyrics.

A section's melody is cut into phrases of the genre's phrase length.  A phrase's rhythm is sampled one
onset at a time from position scores (strong beats first, off-beats as the genre's syncopation allows)
masked by an :class:`~harmonia.theory.constraints.OnGrid` rule (sixteenths, eighths, or eighth triplets
for swung genres on a triplet feel); its last bar holds fewer notes and ends on a long one.  Pitches are
sampled note by note from scores that follow an arch (rising to about 60 % of the phrase, then falling),
prefer steps in the genre's stepwise share, and, in every second phrase, the pitches of the phrase
before it (a motif answered with variation); a :class:`~harmonia.theory.constraints.ConstraintSet`
keeps them inside the singable range (the genre's melodic range, within the instrument's), within a
ninth of the previous note, on chord tones on strong beats and in the scale elsewhere (the scale rule
gives way to a chord tone outside it, such as an applied dominant's leading tone).  A repeated section
repeats its melody, with a fifth of its weak-beat notes re-sampled.  With lyrics, each line goes to one
phrase, one syllable per note, and the line's last syllable is sung as a melisma over the phrase's last
notes.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from harmonia.symbolic.compose._common import MODE_SCALES, NOTE_ROW, Context, PitchSampler, sample_index
from harmonia.symbolic.genres import Instrument, MelodyStyle
from harmonia.theory.constraints import ChordTones, ConstraintSet, InKey, InRange, MaxLeap, OnGrid, key_pc_mask
from harmonia.theory.instruments import program_range
from harmonia.theory.vocab import TokenVocabulary

__all__ = ["melody_part", "split_syllables"]

_POSITIONS_PER_BEAT = 12
_VOWELS = "aeiouyäöüéèàáíóú"


def split_syllables(text: str) -> list[list[str]]:
    """Lines of lyrics as syllables: a simple splitter (vowel groups; a consonant between vowels starts
    the next syllable; a silent final ``e`` stays with its syllable).

    Examples
    --------
    >>> split_syllables("Summer days are golden\\nwe run")
    [['Sum', 'mer', 'days', 'are', 'gol', 'den'], ['we', 'run']]
    """
    lines = []
    for line in re.split(r"[\n.;!?]+", text):
        words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", line)
        if words:
            lines.append([s for w in words for s in _word_syllables(w)])
    return lines


def _word_syllables(word: str) -> list[str]:
    low = word.lower()
    groups = [(m.start(), m.end()) for m in re.finditer(f"[{_VOWELS}]+", low)]
    if len(groups) > 1 and low.endswith("e") and groups[-1] == (len(low) - 1, len(low)) and not low.endswith("le"):
        groups = groups[:-1]
    if len(groups) <= 1:
        return [word]
    cuts = []
    for (_, e1), (s2, _) in itertools.pairwise(groups):
        cons = s2 - e1
        cuts.append(e1 + (cons - 1 if cons >= 2 else 0) if cons else e1)
    out, start = [], 0
    for c in cuts:
        out.append(word[start:c])
        start = c
    out.append(word[start:])
    return [s for s in out if s]


def _scale_mask(ctx: Context, style: MelodyStyle) -> int:
    """The melody's notes: the mode's full scale.  (Genre pentatonic and blues scales leave out the fourth
    and seventh degrees, the ones that tell a key from its neighbours, so the melody keeps them.)"""
    if style.scale == "chromatic":
        return 0xFFF
    return key_pc_mask(ctx.key.tonic_pc, MODE_SCALES.get(ctx.bp.mode, "major"))


class _Rhythm:
    """Onset positions sampled through an OnGrid rule over a position vocabulary."""

    def __init__(self, ctx: Context, triplet: bool) -> None:
        bar_pos = int(round(ctx.qn_per_bar * _POSITIONS_PER_BEAT))
        self.vocab = TokenVocabulary.from_tokens([f"Position_{i}" for i in range(bar_pos)],
                                                 positions_per_beat=_POSITIONS_PER_BEAT)
        if triplet:
            subs: tuple[int, ...] = (3,)
        elif ctx.compound or ctx.bp.melody.notes_per_bar <= 6:
            subs = (2,)
        else:
            subs = (4,)
        self.cs = ConstraintSet([OnGrid(subdivisions=subs, meter=ctx.beats)], vocab=self.vocab)
        self.state = self.cs.new_state(1)
        self.pos_qn = np.arange(bar_pos) / _POSITIONS_PER_BEAT
        beat = ctx.beat_qn
        on_beat = np.abs(self.pos_qn / beat - np.round(self.pos_qn / beat)) < 1e-9
        downbeat = self.pos_qn == 0
        half = np.abs((self.pos_qn / (beat / 2)) - np.round(self.pos_qn / (beat / 2))) < 1e-9
        synco = ctx.bp.melody.syncopation
        self.base = np.where(downbeat, 2.5, np.where(on_beat, 1.6, np.where(half, 0.4 + synco, -0.3 + synco)))

    def bar(self, rng: np.random.Generator, n: int, limit_qn: float) -> list[float]:
        logits = self.base + np.where(self.pos_qn < limit_qn, 0.0, -np.inf)
        chosen: list[int] = []
        allowed = self.cs.allowed(self.state)[0]
        for _ in range(n):
            if not (allowed & np.isfinite(logits)).any():
                break
            row = self.cs.apply(logits[None, :], self.state)[0]
            k = sample_index(rng, row, 0.8)
            chosen.append(k)
            logits[k] = -np.inf
            near = np.abs(self.pos_qn - self.pos_qn[k]) < 0.26  # keep notes apart (at least an eighth)
            logits = np.where(near, -np.inf, logits)
        return sorted(float(self.pos_qn[k]) for k in chosen)


def melody_part(ctx: Context, inst: Instrument, rng: np.random.Generator, *, counter: bool = False,
                lyrics: list[list[str]] | None = None) -> tuple[np.ndarray, list[tuple[float, str]]]:
    """Notes (``NOTE_ROW``) of a melody (or a counter-melody) and its lyrics ``(onset_qn, syllable)``."""
    bp = ctx.bp
    style = bp.melody
    p_lo, p_hi = program_range(inst.program)
    m_lo, m_hi = style.range_midi
    if counter:
        lo, hi = max(p_lo, m_lo - 12), min(p_hi, m_lo + 7)
        if hi - lo < 10:
            lo, hi = p_lo, min(p_hi, p_lo + 14)
    else:
        lo, hi = max(m_lo, p_lo), min(m_hi, p_hi)
        if hi - lo < 7:  # the instrument cannot sing the genre's range: its own comfortable range
            lo, hi = p_lo, p_hi
    scale_mask = _scale_mask(ctx, style)
    sampler = PitchSampler([InRange(), ChordTones(), MaxLeap(), InKey()], ctx.vocab, low=lo, high=hi,
                           key_mask=scale_mask, max_leap=9 if not counter else 7)
    triplet = ctx.triplet_feel
    rhythm = _Rhythm(ctx, triplet)
    qpb = ctx.qn_per_bar
    phrase_bars = max(1, min(style.phrase_bars, 8))
    step_bonus = np.log(style.stepwise_share / (1.0 - min(style.stepwise_share, 0.95)))
    pitches = np.arange(128)
    rows: list[tuple] = []
    words: list[tuple[float, str]] = []
    cache: dict[tuple, list[tuple[float, float, int]]] = {}
    prev = -1
    line_i = 0
    for _si, (start_bar, sec) in enumerate(zip(bp.section_starts(), bp.sections)):
        if counter and not (sec.label in ("chorus", "instrumental", "bridge", "outro") or sec.energy >= 0.65):
            continue
        if not counter and sec.label in ("intro", "outro") and len(bp.sections) > 2 and sec.energy < 0.5:
            continue
        s0 = start_bar * qpb
        key = (sec.label, sec.bars)
        lift = 2.0 if sec.label == "chorus" else (-2.0 if sec.label in ("verse", "intro") else 0.0)
        center = lo + 0.45 * (hi - lo) + lift
        amp = 0.3 * (hi - lo)
        if key in cache and lyrics is None:
            seq = _vary(ctx, cache[key], s0, rng, sampler, prev)
        else:
            seq = []
            n_phr = max(1, -(-sec.bars // phrase_bars))
            motif: list[tuple[float, float, int]] = []
            for ph in range(n_phr):
                b0 = ph * phrase_bars
                nb = min(phrase_bars, sec.bars - b0)
                syll = None
                if lyrics:
                    syll = lyrics[line_i % len(lyrics)]
                    line_i += 1
                answer = ph % 2 == 1 and motif and len(motif) > 0 and syll is None
                if answer:
                    times = [(t, d) for t, d, _ in motif if t < nb * qpb]
                else:
                    times = _phrase_rhythm(ctx, rhythm, rng, nb, counter, len(syll) + _melisma(rng) if syll else None)
                phrase = []
                for k, (t, d) in enumerate(times):
                    on = s0 + b0 * qpb + t
                    ci = ctx.chord_at(on)
                    c = ctx.chords[ci]
                    x = t / (nb * qpb)
                    target = center + amp * (np.sin(np.pi * min(x / 0.6, 1.0) * 0.5) if x < 0.6 else
                                             np.cos(np.pi * 0.5 * (x - 0.6) / 0.4)) - amp * 0.4
                    logits = -np.abs(pitches - target) / 4.0
                    if prev >= 0:
                        motion = np.abs(pitches - prev)
                        logits = logits + np.where((motion >= 1) & (motion <= 2), step_bonus, 0.0)
                        logits = logits - np.where(motion == 0, 0.7, 0.0) - motion / 8.0
                    if answer and k < len(motif):
                        logits = logits - np.abs(pitches - motif[k][2]) / 1.5
                    strong = ctx.strong(on) or counter or k == len(times) - 1
                    mask = c.mask if strong else (c.mask | scale_mask)
                    p = sampler.sample(rng, logits, chord_mask=mask, prev=prev, temperature=0.6)
                    phrase.append((on - s0, d, p))
                    prev = p
                if not answer:
                    motif = [(t - b0 * qpb, d, p) for t, d, p in phrase]
                if syll:
                    for k, (t, _, _) in enumerate(phrase):
                        words.append((s0 + t, syll[k] if k < len(syll) else "_"))
                seq += phrase
            cache.setdefault(key, seq)
        for t, d, p in seq:
            on = s0 + t
            vel = int(np.clip(round(64 + 40 * ctx.level(on) + (6 if ctx.strong(on) else 0)), 1, 127))
            rows.append((on, d, int(p), vel, 0))
        if seq:
            prev = int(seq[-1][2])
    notes = np.array(rows, dtype=NOTE_ROW) if rows else np.zeros(0, dtype=NOTE_ROW)
    return notes, words


def _melisma(rng: np.random.Generator) -> int:
    return 1 + int(rng.integers(2))


def _phrase_rhythm(ctx: Context, rhythm: _Rhythm, rng: np.random.Generator, n_bars: int, counter: bool,
                   n_notes: int | None) -> list[tuple[float, float]]:
    """Onsets and durations (qn from the phrase start) of one phrase."""
    style = ctx.bp.melody
    qpb = ctx.qn_per_bar
    density = style.notes_per_bar * (0.35 if counter else 1.0)
    per_bar = []
    for b in range(n_bars):
        last = b == n_bars - 1
        n = max(1, int(rng.poisson(density * (0.5 if last else 1.0))))
        per_bar.append(min(n, int(qpb * 2)))
    if n_notes is not None:  # lyrics: spread the syllables (and melisma) over the bars
        w = np.array(per_bar, dtype=float)
        per_bar = list(np.maximum(1, np.round(w / w.sum() * n_notes)).astype(int))
        per_bar[-1] = max(1, per_bar[-1] + n_notes - sum(per_bar))
    onsets = []
    for b, n in enumerate(per_bar):
        last = b == n_bars - 1
        limit = qpb * (0.55 if last else 1.0)
        onsets += [b * qpb + t for t in rhythm.bar(rng, n, limit)]
    out = []
    for k, t in enumerate(onsets):
        nxt = onsets[k + 1] if k + 1 < len(onsets) else n_bars * qpb - 0.5 * ctx.beat_qn
        d = max(min(nxt - t, 2.0 * ctx.beat_qn if k + 1 < len(onsets) else nxt - t), 0.25) * 0.92
        out.append((t, d))
    return out


def _vary(ctx: Context, seq: list[tuple[float, float, int]], s0: float, rng: np.random.Generator,
          sampler: PitchSampler, prev: int) -> list[tuple[float, float, int]]:
    """A repeat of a section's melody: weak-beat notes re-sampled one time in five; strong-beat notes kept
    unless the chord under them changed."""
    out = []
    pitches = np.arange(128)
    for t, d, p in seq:
        on = s0 + t
        c = ctx.chords[ctx.chord_at(on)]
        strong = ctx.strong(on)
        fits = bool((c.mask >> (p % 12)) & 1)
        if (strong and not fits) or (not strong and rng.random() < 0.2):
            logits = -np.abs(pitches - p) / 1.5
            mask = c.mask if strong else (c.mask | sampler.state.key_mask[0])
            p = sampler.sample(rng, logits, chord_mask=int(mask), prev=prev, temperature=0.6)
        out.append((t, d, p))
        prev = p
    return out
