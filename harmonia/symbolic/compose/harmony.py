"""Harmony: the chord plan of a song, and voicings for piano, guitar and pads.

**The chord plan.**  Each section's chords come from a Markov chain over the genre's numerals (those of
its progressions in the song's mode): the score of a numeral after another is the log of a functional
transition weight (tonic -> predominant -> dominant -> tonic, :data:`FUNCTION_WEIGHTS`) plus the log of
its frequency in the genre, plus a bonus for the numeral the blueprint's progression puts in that slot,
so the plan keeps the blueprint's progression most of the time and departs from it the way the genre's
harmony moves.  Sections end on cadences: an authentic cadence (dominant, tonic) at the end of a chorus,
an outro and the song; a half cadence (ending on the dominant) at the end of a verse or pre-chorus that
leads into a chorus.  Genres whose progressions have no dominant (modal loops: techno, dubstep ...) get
no cadential dominant; the song still ends on its tonic.  An applied dominant (``V7/x``) may take the
second half of the chord before a non-tonic diatonic target.  Repeated sections repeat their chords.

**Voicings.**  Every chord of a harmony part is voiced by choosing among candidate voicings: for keyboards
and pads, every set of chord tones in the part's register with the voicing style's size, tones and spacing;
for guitars, the fingerings a fretboard model allows (standard tuning E2 A2 D3 G3 B3 E4, a hand span of
four frets, open strings, only low strings muted, the chord's bass lowest).  Candidates are ranked by the
size of the voice leading from the previous voicing (:func:`harmonia.theory.voiceleading.voice_leading_costs`)
and passed through a :class:`~harmonia.theory.constraints.ConstraintSet` (range, chord tones, largest
motion per voice and :class:`~harmonia.theory.constraints.NoParallels` over every pair of voices) as hard
rules.  The choice over the whole part is a complete depth-first search (``_search``): each chord takes
its best allowed candidate, and a chord with none sends the search back to re-voice the chords before it.
Only when no sequence of the style's voicings exists, a second search adds relaxed voicings (an omitted
fifth, other doublings) and two-voice root-and-third shells, which may follow and be followed by any
voicing (a third or sixth is never a perfect interval), so it always succeeds: no part has parallel fifths
or octaves.  The finished part is still checked with :func:`harmonia.theory.vl_rules.check_voice_leading`
and a chord where one is found would be re-voiced.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from typing import Any

import numpy as np

from harmonia.symbolic.compose._common import NOTE_ROW, ChordSpan, Context, rhythm_onsets
from harmonia.symbolic.genres import CompPattern, Genre, Instrument
from harmonia.theory.constraints import ChordTones, ConstraintSet, InRange, MaxLeap, NoParallels, pc_mask
from harmonia.theory.instruments import program_range
from harmonia.theory.roman import harmonic_function, parse_roman
from harmonia.theory.voiceleading import voice_leading_costs

__all__ = ["FUNCTION_WEIGHTS", "GUITAR_TUNING", "guitar_fingerings", "plan_chords", "voice_part"]

#: Transition weights between harmonic functions (rows: from, columns: to; order T, S, D).
FUNCTION_WEIGHTS = np.array([[0.25, 0.45, 0.30], [0.15, 0.25, 0.60], [0.70, 0.10, 0.20]])
_F = {"T": 0, "S": 1, "D": 2}
#: Open strings of a guitar in standard tuning, low to high (MIDI).
GUITAR_TUNING = (40, 45, 50, 55, 59, 64)
_KEEP_BONUS = math.log(200.0)


# ----------------------------------------------------------------------------------------------------
# the chord plan


def _func(fig: str, minor: bool) -> str:
    try:
        return harmonic_function(fig, minor=minor)
    except Exception:
        return "T"


def _is_plain(fig: str, degree: int, upper: bool | None = None) -> bool:
    rn = parse_roman(fig)
    return (rn.degree == degree and rn.alteration == 0 and not rn.applied and not rn.special and rn.inversion == 0
            and (upper is None or rn.upper == upper))


def plan_chords(ctx: Context, genre: Genre, rng: np.random.Generator) -> list[ChordSpan]:
    """The song's chords, with cadences and optional applied dominants (see the module notes)."""
    from harmonia.symbolic.compose._common import chord_tones

    bp, key = ctx.bp, ctx.key
    minor = key.mode == "minor"
    progs = [p for p in genre.progressions if p.mode == key.mode] or list(genre.progressions)
    prior: dict[str, float] = {}
    for p in progs:
        for fig in p.numerals:
            prior[fig] = prior.get(fig, 0.0) + p.weight / len(p.numerals)
    for fig in {f for s in bp.sections for f in s.progression}:
        prior.setdefault(fig, 0.5)
    cands = sorted(prior)
    funcs = np.array([_F[_func(f, minor)] for f in cands])
    log_prior = np.log(np.array([prior[f] for f in cands]) / sum(prior.values()))
    tonic = max((f for f in cands if _is_plain(f, 1, not minor)), key=lambda f: prior[f],
                default="i" if minor else "I")
    dominants = [f for f in cands if _is_plain(f, 5, True)]
    # the cadential dominant is a dominant seventh: its seventh (the key's fourth degree) names the key
    dominant = "V7" if dominants else None
    sevenths = sum(prior[f] for f in cands if parse_roman(f).seventh) / sum(prior.values())
    applied_rate = 0.3 if any("/" in f for f in cands) else 0.0
    parsed = {f: parse_roman(f) for f in cands}
    targets = {f for f, rn in parsed.items() if not rn.applied and not rn.special and rn.alteration == 0
               and rn.degree in ((3, 4, 5, 6) if not minor else (3, 4, 6, 7)) and rn.quality in ("major", "minor")}

    cache: dict[tuple, list[tuple[float, float, str, str]]] = {}
    out: list[ChordSpan] = []
    n_sec = len(bp.sections)
    for si, (start_bar, sec) in enumerate(zip(bp.section_starts(), bp.sections)):
        nxt = bp.sections[si + 1].label if si + 1 < n_sec else None
        ck = (sec.label, sec.bars, sec.progression, sec.bars_per_chord, nxt is None, nxt in ("chorus", "pre-chorus"))
        if ck not in cache:
            spans = _section_chords(sec, rng, cands, funcs, log_prior, minor)
            spans = _cadence(sec.label, spans, nxt, tonic, dominant, sevenths)
            spans = _applied(spans, rng, targets, applied_rate, ctx.qn_per_bar)
            cache[ck] = spans
        for t, length, fig, cad in cache[ck]:
            root, bass, pcs = chord_tones(fig, key)
            on = (start_bar + t) * ctx.qn_per_bar
            out.append(ChordSpan(on, on + length * ctx.qn_per_bar, fig, si, root, bass, pcs, pc_mask(pcs),
                                 _func(fig, minor), cad))
    return out


def _section_chords(sec, rng, cands, funcs, log_prior, minor) -> list[list]:
    spans = []
    prev_f = 0
    for t, length, fig in sec.chords():
        scores = np.log(FUNCTION_WEIGHTS[prev_f, funcs]) + log_prior
        scores = scores + np.where(np.array(cands) == fig, _KEEP_BONUS, 0.0)
        g = rng.gumbel(size=len(cands))
        choice = cands[int(np.argmax(scores + g))]
        spans.append([t, length, choice, ""])
        prev_f = _F[_func(choice, minor)]
    return spans


def _cadence(label, spans, nxt, tonic, dominant, sevenths) -> list[list]:
    spans = [list(s) for s in spans]
    authentic = label in ("chorus", "outro") or nxt is None
    half = label in ("verse", "pre-chorus") and nxt in ("chorus", "pre-chorus") and not authentic
    if dominant is None:
        if nxt is None:
            spans[-1][2] = tonic
            spans[-1][3] = "tonic"
        return spans
    dom = dominant
    if authentic:
        if len(spans) < 2 or spans[-1][1] >= 2:  # make room: split the last span
            t, length, fig, _ = spans[-1]
            half_len = length / 2
            spans[-1] = [t, half_len, fig, ""]
            spans.append([t + half_len, length - half_len, tonic, ""])
        spans[-2][2] = dom
        spans[-1][2] = tonic
        spans[-1][3] = "authentic"
    elif half and len(spans) >= 2:
        spans[-1][2] = dom
        spans[-1][3] = "half"
    return spans


def _applied(spans, rng, targets, rate, qn_per_bar) -> list[list]:
    """Maybe one applied dominant: the second half of a chord becomes V7 of the next chord."""
    if rng.random() >= rate or len(spans) < 3:
        return spans
    options = [i for i in range(1, len(spans) - 2) if spans[i + 1][2] in targets and spans[i][1] * qn_per_bar >= 4
               and spans[i][2] != spans[i + 1][2]]
    if not options:
        return spans
    i = options[int(rng.integers(len(options)))]
    t, length, fig, cad = spans[i]
    target = re.match(r"[b#]*(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)", spans[i + 1][2]).group(0)
    spans = [*spans[:i], [t, length / 2, fig, cad], [t + length / 2, length / 2, f"V7/{target}", ""], *spans[i + 1:]]
    return spans


# ----------------------------------------------------------------------------------------------------
# voicing candidates


_STYLE = {  # voices, extra (tension) semitones above the root, min span, max span, close
    "triad": (4, (), 5, 24), "seventh": (4, (), 5, 24), "open": (4, (), 12, 30), "octave": (4, (), 5, 24),
    "shell": (3, (), 7, 24), "power": (2, (), 5, 7), "sus": (4, (2,), 5, 24), "ninth": (4, (2,), 5, 24),
    "cluster": (4, (2,), 3, 14), "pad": (4, (), 7, 24),
}


def _diatonic(pc: int, scale_mask: int) -> bool:
    return bool((scale_mask >> (pc % 12)) & 1)


@functools.lru_cache(maxsize=4096)
def _keyboard_candidates(pcs: tuple[int, ...], style: str, low: int, high: int, tension_pcs: tuple[int, ...]
                         ) -> np.ndarray:
    n, _, min_span, max_span = _STYLE[style]
    root, third = pcs[0], pcs[1] if len(pcs) > 1 else pcs[0]
    seventh = pcs[3] if len(pcs) > 3 else None
    if style == "power":
        tones = (root, pcs[2] if len(pcs) > 2 else root)
        required = set(tones)
    elif style == "shell":
        tones = (root, third, seventh if seventh is not None else (pcs[2] if len(pcs) > 2 else root))
        required = set(tones)
    else:
        tones = tuple(pcs) + tuple(tension_pcs)
        required = {root, third} | ({seventh} if seventh is not None else set()) | set(tension_pcs)
        if len(pcs) == 3 and not tension_pcs:
            required |= {pcs[2]}
        if len(required) > n:  # a ninth chord with a seventh: leave the root out (rootless voicing)
            required.discard(root)
    pool = [p for p in range(low, high + 1) if p % 12 in tones]
    rows = []
    for combo in itertools.combinations(pool, n):
        got = [p % 12 for p in combo]
        if not required <= set(got):
            continue
        span = combo[-1] - combo[0]
        if span < min_span or span > max_span:
            continue
        if n >= 3 and got.count(third) > 1:  # never double the third
            continue
        gaps = np.diff(combo)
        if n >= 3 and (gaps[1:] > 12).any():
            continue
        if style == "shell" and got[0] != root:
            continue
        rows.append(combo)
    return np.array(rows, dtype=np.int64).reshape(-1, n)


@functools.lru_cache(maxsize=1024)
def guitar_fingerings(pcs: tuple[int, ...], bass_pc: int, *, max_fret: int = 12) -> np.ndarray:
    """Playable fingerings of a chord on a guitar in standard tuning.

    Parameters
    ----------
    pcs : tuple of int
        The chord's pitch classes from the root up (root, third, fifth, seventh ...).
    bass_pc : int
        The pitch class that must sound lowest.
    max_fret : int
        Highest fret used.

    Returns
    -------
    numpy.ndarray
        ``(fingerings, 6)`` MIDI pitches per string, low E first, ``-1`` for a muted string.  A fingering
        uses open strings and fretted notes within four frets (lowest to highest fretted note at most
        three frets apart), mutes only the lowest strings, sounds at least four strings, has the bass
        lowest and holds the root, the third and any seventh.

    Examples
    --------
    >>> f = guitar_fingerings((0, 4, 7), 0)  # C major
    >>> [40, 48, 52, 55, 60, 64] in f.tolist() or [-1, 48, 52, 55, 60, 64] in f.tolist()  # the open C shape
    True
    """
    chord = set(pcs)
    required = {pcs[0], pcs[1] if len(pcs) > 1 else pcs[0]} | ({pcs[3]} if len(pcs) > 3 else set())
    found: set[tuple[int, ...]] = set()
    for base in range(0, max_fret - 2):
        options = []
        for s, open_pitch in enumerate(GUITAR_TUNING):
            opts = [f for f in ([0, *list(range(max(base, 1), base + 4))]) if (open_pitch + f) % 12 in chord]
            opts = sorted(set(opts))
            if s < 2:
                opts = [-1, *opts]
            options.append(opts)
        for frets in itertools.product(*options):
            sounding = [GUITAR_TUNING[s] + f for s, f in enumerate(frets) if f >= 0]
            if len(sounding) < 4:
                continue
            if sounding[0] % 12 != bass_pc:
                continue
            if not required <= {p % 12 for p in sounding}:
                continue
            fretted = [f for f in frets if f > 0]
            if fretted and max(fretted) - min(fretted) > 3:
                continue
            if len([f for f in fretted if f > min(fretted)]) > 3:  # one finger may barre the lowest fret
                continue
            found.add(tuple(GUITAR_TUNING[s] + f if f >= 0 else -1 for s, f in enumerate(frets)))
    return np.array(sorted(found), dtype=np.int64).reshape(-1, 6)


# ----------------------------------------------------------------------------------------------------
# choosing voicings


class _Voicer:
    """Voice-leading choice through the constraint layer (see the module notes)."""

    def __init__(self, ctx: Context, low: int, high: int, max_motion: int) -> None:
        self.cs = ConstraintSet([InRange(), ChordTones(), MaxLeap(), NoParallels()], vocab=ctx.vocab, mode="hard")
        self.low, self.high, self.max_motion = low, high, max_motion

    def allowed(self, prev: np.ndarray, cands: np.ndarray, chord_mask: int, max_motion: int | None = None
                ) -> np.ndarray:
        """Which candidate voicings the constraint set lets follow ``prev`` (all voices, every pair)."""
        n_c, n_v = cands.shape
        pairs = [(i, -1) for i in range(n_v)] + [(i, j) for i in range(n_v) for j in range(i)]
        rows = n_c * len(pairs)
        st = self.cs.new_state(rows)
        st.set_range(self.low, self.high)
        st.chord_mask[:] = chord_mask
        st.max_leap[:] = self.max_motion if max_motion is None else max_motion
        ii = np.array([p[0] for p in pairs])
        jj = np.array([p[1] for p in pairs])
        pv = np.tile(prev[ii], n_c)
        other_prev = np.where(jj >= 0, prev[np.maximum(jj, 0)], -1)
        st.prev_pitch[:] = pv
        st.other_prev[:] = np.tile(other_prev, n_c)
        cj = np.where(jj[None, :] >= 0, cands[:, np.maximum(jj, 0)], -1).ravel()
        st.other_pitch[:] = np.where(np.tile(other_prev, n_c) >= 0, cj, -1)
        pitch = cands[:, ii].ravel()
        pen = self.cs.penalty_table(st)
        ok = np.where(pitch >= 0, pen[np.arange(rows), np.maximum(pitch, 0)] < np.inf, True)
        return ok.reshape(n_c, len(pairs)).all(axis=1)

    def order(self, rng: np.random.Generator, prev: np.ndarray | None, cands: np.ndarray, center: float,
              banned: set[int] | None = None) -> np.ndarray:
        """Candidate indices, best first: voice-leading size from ``prev`` (or distance from the register's
        centre for a first chord) plus a little noise, banned ones last."""
        n_c = cands.shape[0]
        sounding = np.where(cands >= 0, cands, np.nan)
        mean = np.nanmean(sounding, axis=1)
        if prev is None:
            cost = np.abs(mean - center) * 0.5
            return np.argsort(cost + rng.random(n_c) * 2.0, kind="stable")
        cost = voice_leading_costs(np.repeat(prev[None, :], n_c, axis=0), cands)
        cost = cost + 0.15 * np.abs(mean - center)
        order = np.argsort(cost + rng.random(n_c) * 0.5, kind="stable")
        if banned:
            order = np.array([o for o in order if int(o) not in banned] + [o for o in order if int(o) in banned])
        return order

    def allowed_in_order(self, rng: np.random.Generator, prev: np.ndarray | None, cands: np.ndarray,
                         groups: np.ndarray | None, chord_mask: int, center: float, banned: set[int] | None):
        """Yield the candidates that may follow ``prev``, best first (lazily, in blocks of 24).

        ``groups`` (optional) ranks candidates before their cost: 0 the style's voicings, 1 the relaxed
        ones (omitted fifth, other doublings), 2 two-voice shells (root and third, any motion allowed)."""
        order = self.order(rng, prev, cands, center, banned)
        if groups is not None:
            order = order[np.argsort(groups[order], kind="stable")]
        if prev is None:
            yield from (int(k) for k in order)
            return
        for k in range(0, order.size, 24):
            block = order[k:k + 24]
            ok = self.allowed(prev, cands[block], chord_mask)
            if groups is not None and (groups[block] == 2).any():
                free = self.allowed(prev, cands[block], chord_mask, max_motion=127)
                ok = np.where(groups[block] == 2, free, ok)
            yield from (int(b) for b in block[ok])


def _search(voicer: _Voicer, rng: np.random.Generator, chords: list[tuple[np.ndarray, np.ndarray | None, int]],
            center: float, banned: list[set[int] | None]) -> list[int] | None:
    """One candidate per chord such that every chord may follow the one before, or None if none exists.

    Depth-first over the chords in order, each chord's allowed candidates best first (so, without a dead
    end, the same choices as a greedy pass); a chord with no allowed candidate sends the search back to
    re-voice the chords before it.  A (chord, previous voicing) pair from which no continuation exists is
    remembered, so each is explored once: the search is complete (it finds a sequence whenever one
    exists) and takes at most one expansion per (chord, candidate of the chord before).
    """
    n = len(chords)
    if n == 0:
        return []
    failed: set[tuple[int, bytes]] = set()

    def expand(pos: int, prev: np.ndarray | None):
        cands, groups, mask = chords[pos]
        return voicer.allowed_in_order(rng, prev, cands, groups, mask, center, banned[pos])

    stack = [expand(0, None)]
    prevs: list[np.ndarray | None] = [None]
    chosen: list[int] = []
    while stack:
        pos = len(stack) - 1
        k = next(stack[-1], None)
        if k is None:
            if prevs[pos] is not None:
                failed.add((pos, prevs[pos].tobytes()))
            stack.pop()
            prevs.pop()
            continue
        del chosen[pos:]
        chosen.append(k)
        if pos + 1 == n:
            return chosen
        v = chords[pos][0][k]
        if (pos + 1, v.tobytes()) in failed:
            continue
        stack.append(expand(pos + 1, v))
        prevs.append(v)
    return None


def _style_for(inst: Instrument, pattern: CompPattern | None, role: str) -> str:
    if role == "pad":
        return "pad"
    style = pattern.voicing if pattern is not None else "triad"
    return style if style in _STYLE else "triad"


def _is_guitar(program: int, style: str) -> bool:
    return 24 <= program <= 28 and style not in ("power", "octave")


def voice_part(ctx: Context, inst: Instrument, role: str, rng: np.random.Generator,
               patterns: dict[int, CompPattern | None], *, part_index: int = 0) -> np.ndarray:
    """Notes (``NOTE_ROW``) of one harmony or pad part over the whole song."""
    from harmonia.theory.vl_rules import check_voice_leading

    bp = ctx.bp
    prog_lo, prog_hi = program_range(inst.program)
    first_pattern = next((p for p in patterns.values() if p is not None), None)
    style = _style_for(inst, first_pattern, role)
    guitar = _is_guitar(inst.program, style)
    if guitar:
        low, high = prog_lo, prog_hi
    else:
        reg = first_pattern.register if (first_pattern is not None and role != "pad") else (52, 76)
        low, high = max(reg[0], prog_lo), min(reg[1], prog_hi)
        if high - low < 14:
            low, high = prog_lo, min(prog_hi, prog_lo + 24)
    center = 0.5 * (low + high)
    voicer = _Voicer(ctx, low, high, 12 if guitar else 7)
    # attacks of every chord: (onset, duration) per chord index
    attacks: list[list[tuple[float, float]]] = [[] for _ in ctx.chords]
    qpb = ctx.qn_per_bar
    for bar in range(bp.total_bars):
        t0 = bar * qpb
        si = ctx.section_at(t0)
        pat = patterns.get(si)
        if role == "pad" or pat is None:
            continue
        step_qn = qpb / pat.steps_per_bar
        bar_in = (bar - bp.section_starts()[si]) % pat.bars
        rhythm = pat.rhythm[bar_in * pat.steps_per_bar:(bar_in + 1) * pat.steps_per_bar]
        if part_index > 0:  # a second harmony part plays on the first beat of each chord instead
            continue
        for step, length in rhythm_onsets(rhythm):
            on = t0 + step * step_qn
            ci = ctx.chord_at(on)
            end = min(on + length * step_qn, ctx.chords[ci].offset)
            attacks[ci].append((on, max(end - on, step_qn * 0.5)))
    if role == "pad" or part_index > 0:
        for ci, c in enumerate(ctx.chords):
            if role == "pad" or _plays(ctx, c):
                if part_index > 0 and role != "pad":
                    attacks[ci].append((c.onset, min(c.duration, 2 * ctx.beat_qn)))
                    if c.duration > 2 * ctx.beat_qn + 1e-9:
                        attacks[ci].append((c.onset + 2 * ctx.beat_qn, c.duration - 2 * ctx.beat_qn))
                else:
                    attacks[ci].append((c.onset, c.duration))
    tension = {ci: _tensions(c, style, ctx) for ci, c in enumerate(ctx.chords)}

    def candidates(ci: int) -> np.ndarray:
        c = ctx.chords[ci]
        if guitar:
            f = guitar_fingerings(c.pcs[:4], c.bass_pc)
            return f[((f < 0) | ((f >= low) & (f <= high))).all(axis=1)]
        return _keyboard_candidates(c.pcs[:4], style, low, high, tension[ci])

    width = 6 if guitar else _STYLE[style][0]
    voiced: list[tuple[int, np.ndarray, int]] = []  # (chord index, candidates, chord-tone mask)
    for ci, c in enumerate(ctx.chords):
        if not attacks[ci]:
            continue
        cands = candidates(ci)
        if cands.shape[0] == 0:
            cands = _keyboard_candidates(c.pcs[:3], "triad", low, high, ())
        if cands.shape[0] == 0:
            continue
        mask = c.mask | pc_mask(tension[ci]) if tension[ci] else c.mask
        voiced.append((ci, _pad(cands, width), mask))

    def relaxed(ci: int, cands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = ctx.chords[ci]
        extra = _relaxed_candidates(c.pcs[:4], width, low, high, GUITAR_TUNING if guitar else None)
        seen = {r.tobytes() for r in cands}
        extra = extra[[r.tobytes() not in seen for r in extra]] if extra.shape[0] else extra
        groups = np.concatenate([np.zeros(cands.shape[0], np.int64),
                                 np.where((extra >= 0).sum(axis=1) == 2, 2, 1)]) if extra.shape[0] else None
        return (np.concatenate([cands, extra]) if extra.shape[0] else cands), groups

    banned: dict[int, set[int]] = {}
    for _attempt in range(4):
        sub = np.random.default_rng(rng.integers(2**63))
        bans = [banned.get(ci) for ci, _, _ in voiced]
        # the style's voicings first; only if no sequence of them avoids parallels (and over-large motion)
        # anywhere, the relaxed ones, among which a two-voice root-and-third shell always may follow and
        # be followed (a third or sixth is never a perfect interval), so this second search never fails
        plan = [(cands, None, mask) for _, cands, mask in voiced]
        picks = _search(voicer, sub, plan, center, bans)
        if picks is None:
            plan = [(*relaxed(ci, cands), mask) for ci, cands, mask in voiced]
            picks = _search(voicer, sub, plan, center, bans)
        voicings: dict[int, np.ndarray] = {}
        for (ci, _, _), (cands, _, _), k in zip(voiced, plan, picks or [], strict=False):
            voicings[ci] = cands[k]
        rows = []
        for ci, v in voicings.items():
            for on, dur in attacks[ci]:
                vel = _velocity(ctx, on, role)
                for voice, p in enumerate(v):
                    if p >= 0:
                        rows.append((on, dur * 0.97, int(p), vel, voice))
        notes = np.array(rows, dtype=NOTE_ROW) if rows else np.zeros(0, dtype=NOTE_ROW)
        if notes.size == 0:
            return notes
        bad = _parallels(notes, check_voice_leading)
        if not bad:
            return notes
        cand_of = {ci: cands for ci, cands, _ in voiced}
        for on in bad:
            ci = ctx.chord_at(on)
            if ci in voicings:
                cands = cand_of[ci]
                hit = [k for k in range(cands.shape[0]) if np.array_equal(cands[k], voicings[ci])]
                banned.setdefault(ci, set()).update(hit)
    return notes


def _pad(cands: np.ndarray, width: int) -> np.ndarray:
    """Candidates as ``width`` columns (absent voices -1)."""
    if cands.shape[1] >= width:
        return cands
    return np.concatenate([cands, np.full((cands.shape[0], width - cands.shape[1]), -1, cands.dtype)], axis=1)


@functools.lru_cache(maxsize=1024)
def _relaxed_candidates(pcs: tuple[int, ...], width: int, low: int, high: int,
                        tuning: tuple[int, ...] | None) -> np.ndarray:
    """Fallback voicings of a chord: for keyboards every spacing of ``width`` voices holding the root and
    the third (an omitted fifth, a doubled root or fifth), the third never doubled; then, for keyboards
    and guitars, two-voice shells (root and a third or sixth above or below it, the other voices
    silent).  On a guitar each sounding voice is a string that can play it (open to the 12th fret)."""
    root, third = pcs[0], pcs[1] if len(pcs) > 1 else pcs[0]
    rows: list[tuple[int, ...]] = []
    if tuning is None:
        pool = [p for p in range(low, high + 1) if p % 12 in pcs]
        for combo in itertools.combinations(pool, width):
            got = [p % 12 for p in combo]
            if root in got and third in got and got.count(third) == 1 and combo[-1] - combo[0] <= 24:
                rows.append(combo)
    roots = [p for p in range(low, high + 1) if p % 12 == root]
    thirds = [p for p in range(low, high + 1) if p % 12 == third]
    for r in roots:
        for t in thirds:
            if t == r or abs(t - r) > 12:
                continue
            lo_p, hi_p = min(r, t), max(r, t)
            if tuning is None:
                rows.append((lo_p, hi_p) + (-1,) * (width - 2))
                continue
            for s1, s2 in itertools.combinations(range(len(tuning)), 2):
                if tuning[s1] <= lo_p <= tuning[s1] + 12 and tuning[s2] <= hi_p <= tuning[s2] + 12:
                    row = [-1] * len(tuning)
                    row[s1], row[s2] = lo_p, hi_p
                    rows.append(tuple(row))
                    break
    return np.array(rows, dtype=np.int64).reshape(-1, width)


def _plays(ctx: Context, c: ChordSpan) -> bool:
    return True


def _tensions(c: ChordSpan, style: str, ctx: Context) -> tuple[int, ...]:
    extra = _STYLE[style][1]
    out = []
    for semis in extra:
        pc = (c.root_pc + semis) % 12
        if pc not in c.pcs and _diatonic(pc, ctx.scale_mask) and (pc - 1) % 12 not in c.pcs:
            out.append(pc)
    return tuple(out)


def _velocity(ctx: Context, on: float, role: str) -> int:
    level = ctx.level(on)
    base = 48 + 50 * level if role != "pad" else 40 + 40 * level
    return int(np.clip(round(base), 1, 127))


def _parallels(notes: np.ndarray, check: Any) -> list[float]:
    from harmonia.theory.notearray import make_note_array

    arr = make_note_array(notes["onset"], notes["duration"], notes["pitch"], voice=notes["voice"],
                          velocity=notes["velocity"])
    f = check(arr, rules=("parallel_fifths", "parallel_octaves"), voice_order="label")
    return sorted(set(f["onset"].tolist()))
