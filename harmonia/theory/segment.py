"""Chord segmentation: where harmonies change and which chord sounds in each span.

The score is cut into salami slices (:mod:`harmonia.theory.slices`); a dynamic programme then groups
consecutive slices into spans and gives each span the chord template that explains it best, in the
spirit of Pardo & Birmingham's HarmAn [1]_ and Temperley's preference rules [2]_:

* a chord tone sounding in the span earns its duration, a non-chord tone costs ``nonchord_cost`` times
  its duration (so short passing and neighbour notes cost little, and a note held against the wrong chord
  costs a lot);
* a template whose root or third is silent pays ``missing_cost`` per quarter note (so does one whose
  diminished or augmented fifth is silent: without it a half-diminished seventh reads as a minor
  seventh; a perfect fifth may be omitted, as in much four-part writing);
* the bass is heard as the chord's foundation: bass time on chord tones earns ``bass_weight``, bass time
  off them costs as much;
* every span pays a start cost that depends on the metric strength of its first onset (cheap on a
  downbeat, dear on a weak sixteenth), so harmonies change on strong beats unless the notes insist.

Weights are normalised per slice so that the sounding pitch classes of a slice sum to its duration:
a four-voice chorale and a thin piano texture are scored on one scale.

References
----------
.. [1] B. Pardo and W. P. Birmingham, "Algorithms for chordal analysis," *Computer Music Journal* 26(2),
   2002, pp. 27-49. https://doi.org/10.1162/014892602760137167
.. [2] D. Temperley, *The Cognition of Basic Musical Structures*. MIT Press, 2001.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["SEGMENT_DTYPE", "ChordVocabulary", "default_vocabulary", "runs", "segment_chords"]

#: One row per chord span.
SEGMENT_DTYPE = np.dtype(
    [
        ("onset", "<f8"),
        ("offset", "<f8"),
        ("root_pc", "i1"),
        ("quality", "i1"),  # index into the vocabulary's names
        ("pc_mask", "<u2"),  # the full template, bit k = pitch class k
        ("bass_pc", "i1"),
        ("fit", "<f8"),  # how well the template explains the span, per quarter note (1 = perfectly)
    ]
)


class ChordVocabulary(NamedTuple):
    """Chord qualities as pitch-class intervals above the root, with a prior per quarter note."""

    names: tuple[str, ...]
    intervals: tuple[tuple[int, ...], ...]
    prior: tuple[float, ...]


@functools.lru_cache(maxsize=1)
def default_vocabulary() -> ChordVocabulary:
    """The qualities of tonal harmony: four triads, five sevenths, and the French sixth's sonority.

    The German sixth and the Italian sixth share the pitch classes of a dominant seventh (complete, or
    without fifth); which reading applies is decided in the key by the Roman-numeral analysis. Priors
    lean toward triads and dominant sevenths, as in common-practice usage.

    Examples
    --------
    >>> v = default_vocabulary()
    >>> v.names[:5]
    ('maj', 'min', 'dim', 'aug', 'dom7')
    """
    table = [
        ("maj", (0, 4, 7), 0.0),
        ("min", (0, 3, 7), 0.0),
        ("dim", (0, 3, 6), -0.15),
        ("aug", (0, 4, 8), -0.4),
        ("dom7", (0, 4, 7, 10), -0.25),
        ("maj7", (0, 4, 7, 11), -0.45),
        ("min7", (0, 3, 7, 10), -0.4),
        ("hdim7", (0, 3, 6, 10), -0.35),
        ("dim7", (0, 3, 6, 9), -0.3),
        ("fr6", (0, 4, 6, 10), -0.6),
    ]
    return ChordVocabulary(tuple(t[0] for t in table), tuple(t[1] for t in table), tuple(t[2] for t in table))


@functools.lru_cache(maxsize=16)
def _templates(vocab: ChordVocabulary) -> tuple[np.ndarray, ...]:
    n_q = len(vocab.names)
    pcs = np.full((12 * n_q, 4), -1, dtype=np.int64)
    mask = np.zeros(12 * n_q, dtype=np.int64)
    root = np.zeros(12 * n_q, dtype=np.int64)
    third = np.full(12 * n_q, -1, dtype=np.int64)
    fifth = np.full(12 * n_q, -1, dtype=np.int64)  # a diminished or augmented fifth, which must sound
    prior = np.zeros(12 * n_q)
    quality = np.zeros(12 * n_q, dtype=np.int64)
    for q, (ivs, pr) in enumerate(zip(vocab.intervals, vocab.prior)):
        for r in range(12):
            t = q * 12 + r
            for k, iv in enumerate(ivs):
                pcs[t, k] = (r + iv) % 12
                mask[t] |= 1 << ((r + iv) % 12)
            root[t] = r
            thirds = [iv for iv in ivs if iv in (3, 4)]
            third[t] = (r + thirds[0]) % 12 if thirds else -1
            altered = [iv for iv in ivs if iv in (6, 8)]
            fifth[t] = (r + altered[0]) % 12 if altered and 7 not in ivs else -1
            prior[t] = pr
            quality[t] = q
    for arr in (pcs, mask, root, third, fifth, prior, quality):
        arr.flags.writeable = False
    return pcs, mask, root, third, fifth, prior, quality


@njit(cache=True)
def _segment_kernel(
    starts, ends, weight, bass_pc, start_cost, t_pcs, t_root, t_third, t_fifth, slice_prior,
    max_span_qn, nonchord_cost, missing_cost, bass_weight, seventh_floor,
):  # pragma: no cover - compiled
    n = starts.size
    n_t = t_root.size
    prefix = np.zeros((n + 1, 12))
    bprefix = np.zeros((n + 1, 12))
    cdur = np.zeros(n + 1)
    pprefix = np.zeros((n + 1, n_t))
    for k in range(n):
        cdur[k + 1] = cdur[k] + ends[k] - starts[k]
        for t in range(n_t):
            pprefix[k + 1, t] = pprefix[k, t] + slice_prior[k, t] * (ends[k] - starts[k])
        for pc in range(12):
            prefix[k + 1, pc] = prefix[k, pc] + weight[k, pc]
            bprefix[k + 1, pc] = bprefix[k, pc]
        if bass_pc[k] >= 0:
            bprefix[k + 1, bass_pc[k]] += ends[k] - starts[k]
    best = np.full(n + 1, -np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=np.int64)
    label = np.zeros(n + 1, dtype=np.int64)
    fit_of = np.zeros(n + 1)
    v = np.zeros(12)
    bv = np.zeros(12)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            dur = ends[j - 1] - starts[i]
            if dur > max_span_qn and i < j - 1:
                break
            total = 0.0
            btotal = 0.0
            for pc in range(12):
                v[pc] = prefix[j, pc] - prefix[i, pc]
                bv[pc] = bprefix[j, pc] - bprefix[i, pc]
                total += v[pc]
                btotal += bv[pc]
            span = cdur[j] - cdur[i]
            floor = 0.05 * span
            top = -np.inf
            top_t = 0
            for t in range(n_t):
                inside = 0.0
                b_in = 0.0
                for m in range(4):
                    pc = t_pcs[t, m]
                    if pc < 0:
                        break
                    inside += v[pc]
                    b_in += bv[pc]
                score = inside - nonchord_cost * (total - inside)
                score += bass_weight * (2.0 * b_in - btotal)
                if v[t_root[t]] < floor:
                    score -= missing_cost * span
                if t_third[t] >= 0 and v[t_third[t]] < floor:
                    score -= missing_cost * span
                if t_fifth[t] >= 0 and v[t_fifth[t]] < floor:
                    score -= missing_cost * span
                if t_pcs[t, 3] >= 0 and v[t_pcs[t, 3]] < seventh_floor * span:
                    score -= missing_cost * span
                score += pprefix[j, t] - pprefix[i, t]
                if score > top:
                    top = score
                    top_t = t
            cand = best[i] + top - start_cost[i]
            if cand > best[j]:
                best[j] = cand
                back[j] = i
                label[j] = top_t
                fit_of[j] = top / max(span, 1e-9)
    # backtrack
    seg_start = np.zeros(n, dtype=np.int64)
    seg_end = np.zeros(n, dtype=np.int64)
    seg_label = np.zeros(n, dtype=np.int64)
    seg_fit = np.zeros(n)
    m = 0
    j = n
    while j > 0:
        seg_start[m] = back[j]
        seg_end[m] = j
        seg_label[m] = label[j]
        seg_fit[m] = fit_of[j]
        m += 1
        j = back[j]
    return seg_start[:m][::-1], seg_end[:m][::-1], seg_label[:m][::-1], seg_fit[:m][::-1]


def runs(values: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` indices of each run of equal consecutive values.

    Examples
    --------
    >>> runs(np.array([3, 3, 1, 1, 1, 3]))
    [(0, 1), (2, 4), (5, 5)]
    """
    v = np.asarray(values)
    if v.size == 0:
        return []
    starts = np.flatnonzero(np.concatenate([[True], v[1:] != v[:-1]]))
    ends = np.append(starts[1:], v.size) - 1
    return list(zip(starts.tolist(), ends.tolist()))


def segment_chords(
    slices: np.ndarray,
    *,
    strength: np.ndarray,
    vocabulary: ChordVocabulary | None = None,
    max_span_qn: float = 8.0,
    nonchord_cost: float = 1.0,
    missing_cost: float = 0.6,
    bass_weight: float = 0.5,
    seventh_floor: float = 0.2,
    weak_slice_weight: float = 1.0,
    start_costs: tuple[float, ...] = (0.05, 0.2, 0.6, 1.0, 1.5),
    template_bias: np.ndarray | None = None,
) -> np.ndarray:
    """Group slices into chord spans and label each with a chord template.

    Parameters
    ----------
    slices : numpy.ndarray
        Rows of :data:`~harmonia.theory.slices.SLICE_DTYPE` (rests removed).
    strength : numpy.ndarray of int
        Metric level of each slice's start: 0 downbeat, 1 beat, 2 half beat, 3 quarter beat, 4 weaker.
    vocabulary : ChordVocabulary, optional
        Chord qualities; :func:`default_vocabulary` by default.
    max_span_qn : float, default 8
        Longest span considered (a longer stretch of one harmony becomes several spans of one label,
        merged afterwards).
    nonchord_cost, missing_cost, bass_weight : float
        See the module docstring.
    start_costs : tuple of float
        Cost of starting a span on each metric level (index = ``strength``).
    template_bias : numpy.ndarray, optional
        ``(n_slices, n_qualities, 12)`` extra log-weight per quarter note of each chord (quality, root) in
        each slice, added to the vocabulary's prior: how harmonic analysis makes a key's diatonic chords
        likelier once the local key is known.

    Returns
    -------
    numpy.ndarray
        Rows of :data:`SEGMENT_DTYPE`; consecutive spans with the same label are merged.
    """
    vocab = vocabulary or default_vocabulary()
    if slices.size == 0:
        return np.zeros(0, dtype=SEGMENT_DTYPE)
    pcs, mask, root, third, fifth, prior, quality = _templates(vocab)
    dur = slices["end"] - slices["start"]
    raw = slices["pc_weight"]
    totals = raw.sum(axis=1)
    level = np.clip(np.asarray(strength, dtype=np.int64), 0, None)
    accent = np.where(level >= 2, weak_slice_weight, 1.0)
    weight = raw * (accent * dur / np.where(totals > 0, totals, 1.0))[:, None]
    bass_pc = np.where(slices["bass"] >= 0, slices["bass"] % 12, -1).astype(np.int64)
    slice_prior = np.broadcast_to(prior, (slices.size, prior.size)).copy()
    if template_bias is not None:
        slice_prior += np.asarray(template_bias, dtype=float).reshape(slices.size, -1)
    costs = np.asarray(start_costs, dtype=float)
    start_cost = costs[np.clip(np.asarray(strength, dtype=np.int64), 0, costs.size - 1)]
    s0, s1, lab, fit = _segment_kernel(
        np.ascontiguousarray(slices["start"]), np.ascontiguousarray(slices["end"]), np.ascontiguousarray(weight),
        bass_pc, start_cost, pcs, root, third, fifth, slice_prior, float(max_span_qn), float(nonchord_cost),
        float(missing_cost), float(bass_weight), float(seventh_floor),
    )
    # merge neighbours with one label, then split where the bass moves to another chord tone from one
    # beat to the next (I -> I6 is one harmony but two numerals). A beat's bass is its lowest chord tone,
    # so an Alberti or broken-chord bass within the beat does not split the span.
    beat_id = np.cumsum(level <= 1)
    rows = []
    for k, m in runs(lab):
        t = lab[k]
        first_slice, end_slice = s0[k], s1[m]
        chord = int(mask[t])
        beats: list[tuple[int, int]] = []  # (first slice of the beat, its bass pitch class)
        q = first_slice
        while q < end_slice:
            r = q
            lowest = -1
            while r < end_slice and (r == q or beat_id[r] == beat_id[q]):
                b = slices["bass"][r]
                if b >= 0 and chord >> int(b % 12) & 1 and (lowest < 0 or b < lowest):
                    lowest = int(b)
                r += 1
            if lowest >= 0:
                beats.append((q, lowest % 12))
            q = r
        current = beats[0][1] if beats else int(root[t])
        sub_start = first_slice
        for n, (q, pc) in enumerate(beats):
            # a new bass starts a new span unless the old one comes back within the harmony (a broken-chord
            # or Alberti bass moves between chord tones without changing the inversion)
            if pc != current and level[q] <= 1 and all(p != current for _, p in beats[n + 1 :]):
                rows.append((sub_start, q, t, current))
                sub_start, current = q, pc
        rows.append((sub_start, end_slice, t, current))
    out = np.zeros(len(rows), dtype=SEGMENT_DTYPE)
    a, b, t, bass = (np.array(col) for col in zip(*rows))
    out["onset"] = slices["start"][a]
    out["offset"] = slices["end"][b - 1]
    out["root_pc"] = root[t]
    out["quality"] = quality[t]
    out["pc_mask"] = mask[t]
    out["bass_pc"] = bass
    span_fit = dict(zip(s1.tolist(), fit.tolist()))
    out["fit"] = [span_fit.get(int(e), np.nan) for e in b]
    return out
