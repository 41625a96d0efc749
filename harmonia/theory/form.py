"""Song form: bar-level self-similarity, phrase segmentation, letters, section functions, transitions.

The method, bar by bar:

1. **Bar grid.**  Without a trustworthy time signature (POP909's MIDI files say 2/4 or 1/4 and place
   the beats a fraction of a quarter note after the grid), :func:`estimate_bar_grid` finds the beat
   phase from the onsets, then the bar length (3 or 4 beats) and the downbeat from bass onsets and
   chord changes, which in pop fall on downbeats.  A pickup of less than half a bar before the first
   downbeat is left out of bar 0, as annotators do.
2. **Bar features** (:func:`bar_features`): the melody's pitch classes per beat, the accompaniment's
   chroma per half bar, the onset pattern on a sixteenth grid, melody presence and an energy (note
   density, loudness, polyphony).
3. **Self-similarity** (:func:`self_similarity`): cosine similarities of those features, mixed.
4. **Boundary cues** at each bar line: the start of a melodic phrase (the Local Boundary Detection
   Model of :mod:`harmonia.theory.phrase` on the melody, placed at the nearest bar line, so that
   pickups count for the bar they lead into), the melody coming in or dropping out, Foote's checkerboard
   novelty [1]_, and the ends of repetition stripes: a bar line where a diagonal of the similarity
   matrix (bars ``i..i+3`` equal to bars ``j..j+3``) begins or ends.
5. **Segmentation** by a dynamic programme over phrase lengths (1-16 bars) that maximises the summed cue
   strength at the chosen bar lines plus a log prior over phrase lengths (mostly 4 and 8 bars in pop).
6. **Letters**: phrases are compared by the mean similarity along their aligned bars; a phrase takes
   the letter of the best earlier phrase above a threshold (with a prime when the match is loose), else
   a new one.  Upper case = with melody, lower case = without; phrases without melody before the first
   and after the last melodic phrase are the intro ``i`` and outro ``o``, as in the POP909 structure
   labels [2]_ (:meth:`Form.to_pop909`).
7. **Functions** from repetition, position, melody and energy: the most repeated, most energetic
   melodic letter is the chorus, the first melodic letter before it the verse, a letter that leads into
   the chorus more than once the pre-chorus, a melodic letter heard once after the first chorus the
   bridge; non-melodic phrases are intro, instrumental or outro.
8. **Transitions** at section boundaries: *break* (the last beats before the boundary nearly silent),
   *fill* (a burst of onsets in the last beats), *build-up* (energy rising over the bars before a
   louder section).

The parameters of steps 4-6 were set on half of the POP909 development songs (the odd-numbered ones)
and measured on the other half; there the melodic-phrase and novelty cues got weight 0 (with melody
presence and repetition in, they only added false boundaries), so they are computed but unused by
default; ``benchmarks/bench_form.py`` prints the figures and ``docs/form.rst``
discusses them.

References
----------
.. [1] J. Foote, "Automatic audio segmentation using a measure of audio novelty," *Proc. IEEE
   International Conference on Multimedia and Expo*, 2000, pp. 452-455. doi:10.1109/ICME.2000.869637
.. [2] S. Dai, H. Zhang and R. B. Dannenberg, "Automatic analysis and influence of hierarchical
   structure on melody, rhythm and harmony in popular music," *Proc. Joint Conference on AI Music
   Creativity*, 2020. doi:10.48550/arXiv.2010.07518

Examples
--------
A piece made of two alternating four-bar phrases, each a bar repeated:

>>> from harmonia.theory.notearray import make_note_array
>>> def phrase(pitches, start):
...     on = start + np.arange(16.0)
...     return on, np.tile(pitches, 4)
>>> parts = [phrase([60, 64, 67, 64], 0), phrase([65, 69, 72, 69], 16),
...          phrase([60, 64, 67, 64], 32), phrase([65, 69, 72, 69], 48)]
>>> on = np.concatenate([p[0] for p in parts]); pitch = np.concatenate([p[1] for p in parts])
>>> form = analyze_form(make_note_array(on, 1.0, pitch), origin_qn=0.0, bar_qn=4.0)
>>> form.to_pop909()
'A4B4A4B4'
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from harmonia.errors import EmptyScoreError
from harmonia.theory.notearray import as_note_array
from harmonia.theory.phrase import lbdm, melody_line

__all__ = [
    "FORM_DTYPE",
    "PHRASE_LENGTH_PRIOR",
    "TRANSITION_DTYPE",
    "Form",
    "analyze_form",
    "bar_features",
    "checkerboard_novelty",
    "estimate_bar_grid",
    "parse_pop909",
    "segment_bars",
    "self_similarity",
]

#: One row per phrase: bar span (``end_bar`` exclusive, bars from 0 at ``Form.origin_qn``), the same in
#: quarter notes, letter (with a prime for a variation), POP909 label (letter without prime), function,
#: melody presence, mean energy (0-1 within the song) and similarity to the letter's first phrase.
FORM_DTYPE = np.dtype(
    [
        ("start_bar", "<i4"),
        ("end_bar", "<i4"),
        ("start_qn", "<f8"),
        ("end_qn", "<f8"),
        ("letter", "<U4"),
        ("label", "<U2"),
        ("function", "<U12"),
        ("has_melody", "?"),
        ("energy", "<f8"),
        ("similarity", "<f8"),
    ]
)

#: One row per detected transition: the bar line it leads into, its kind and strength (0-1).
TRANSITION_DTYPE = np.dtype([("bar", "<i4"), ("qn", "<f8"), ("kind", "<U8"), ("strength", "<f8")])

#: Phrase-length prior (bars -> probability), the lengths of the human phrase labels of the odd-numbered
#: POP909 development songs (the tuning half), smoothed with one count per length 1-16.
PHRASE_LENGTH_PRIOR: dict[int, float] = {}

_TUNING_COUNTS = {1: 8, 2: 5, 3: 17, 4: 148, 5: 17, 6: 11, 7: 3, 8: 130, 9: 15, 10: 10, 11: 8, 12: 5, 13: 1, 14: 2}
_total = sum(_TUNING_COUNTS.get(n, 0) + 1 for n in range(1, 17))
PHRASE_LENGTH_PRIOR.update({n: (_TUNING_COUNTS.get(n, 0) + 1) / _total for n in range(1, 17)})

#: Cue weights (melodic phrase start, melody in/out, novelty, repetition edge), prior weight, and a
#: constant cost per phrase; set on the tuning half.
DEFAULT_WEIGHTS: dict[str, float] = {
    "melody": 0.0,
    "presence": 2.0,
    "novelty": 0.0,
    "repetition": 2.0,
    "prior": 0.2,
    "phrase_cost": 1.2,
    "support": 1.0,
    "support_floor": 0.6,
    "hypermeter": 0.0,
}

_SAME_LETTER = 0.78
_VARIATION = 0.9


# --------------------------------------------------------------------------------------------- grid


def _circular_peak(x: np.ndarray, period: float, bins: int, weights: np.ndarray) -> float:
    """Phase in [0, period) where the weighted positions mod period pile up (smoothed histogram)."""
    h = np.bincount(((x % period) / period * bins).astype(int) % bins, weights=weights, minlength=bins)
    k = np.array([0.25, 0.5, 1.0, 0.5, 0.25])
    hs = sum(k[i] * np.roll(h, i - 2) for i in range(5))
    return float((np.argmax(hs) + 0.5) / bins * period)


def estimate_bar_grid(
    notes: Any, *, beat_qn: float = 1.0, beats_per_bar: int | None = None
) -> tuple[float, float]:
    """Estimate the first downbeat and the bar length from the notes alone.

    The beat phase is where the onsets pile up modulo the beat; the downbeat and the number of beats
    per bar (3 or 4 unless given) maximise the contrast of bass onsets and chord changes on the chosen
    beats over the others.

    Parameters
    ----------
    notes : note array or Score
        The music.
    beat_qn : float, default 1.0
        Beat length in quarter notes.
    beats_per_bar : int, optional
        Force the bar length (in beats).

    Returns
    -------
    origin_qn, bar_qn : float
        The first downbeat at or after the first note (a pickup shorter than half a bar is skipped; a
        longer lead-in gets a bar of its own) and the bar length, both in quarter notes.

    Raises
    ------
    EmptyScoreError
        When there are no notes.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> on = 0.1 + np.arange(32.0)  # a bass note on every downbeat of 3/4, chords between
    >>> pitch = np.where(np.arange(32) % 3 == 0, 40, 64) + 2 * ((np.arange(32) // 3) % 2)
    >>> origin, bar = estimate_bar_grid(make_note_array(on, 1.0, pitch))
    >>> round(origin, 2), bar
    (0.1, 3.0)
    """
    arr = as_note_array(notes)
    if arr.size == 0:
        raise EmptyScoreError("estimate_bar_grid: no notes")
    on, dur, pitch = arr["onset"], arr["duration"], arr["pitch"].astype(float)
    w = np.minimum(dur, 2.0 * beat_qn)
    sub = beat_qn / 4.0
    fine = _circular_peak(on, sub, 48, np.ones(on.size))
    resid = ((on - fine + sub / 2) % sub) - sub / 2
    close = np.abs(resid) < sub / 24
    fine = (fine + float(np.median(resid[close]))) % sub if close.any() else fine
    cands = fine + sub * np.arange(4)
    hits = [np.sum(w * (np.abs(((on - c + beat_qn / 2) % beat_qn) - beat_qn / 2) < sub / 3)) for c in cands]
    phase = float(cands[int(np.argmax(hits))]) % beat_qn
    first = float(on.min())
    b0 = phase + beat_qn * np.floor((first - phase) / beat_qn + 1e-9)
    n_beats = int(np.ceil((float((on + dur).max()) - b0) / beat_qn)) + 1
    beat_of = np.floor((on - b0) / beat_qn + 0.5).astype(int)  # nearest beat
    near = np.abs(on - (b0 + beat_of * beat_qn)) < beat_qn / 8
    bass_line = np.percentile(pitch, 30)
    bass = np.bincount(beat_of[near & (pitch <= bass_line)], weights=w[near & (pitch <= bass_line)],
                       minlength=n_beats)[:n_beats]
    # pitch-class content per beat (all notes sounding in it) and its change from the previous beat
    chroma = np.zeros((n_beats, 12))
    start = np.clip(np.floor((on - b0) / beat_qn + 1e-6).astype(int), 0, n_beats - 1)
    stop = np.clip(np.ceil((on + dur - b0) / beat_qn - 1e-6).astype(int), 1, n_beats)
    for s, e, p in zip(start, np.maximum(stop, start + 1), arr["pitch"] % 12):
        chroma[s:e, p] += 1.0
    norm = np.linalg.norm(chroma, axis=1, keepdims=True)
    chroma = np.divide(chroma, norm, out=np.zeros_like(chroma), where=norm > 0)
    change = np.zeros(n_beats)
    change[1:] = 1.0 - np.sum(chroma[1:] * chroma[:-1], axis=1)
    onset_w = np.bincount(beat_of[near], weights=w[near], minlength=n_beats)[:n_beats]
    ev = _z(bass) + _z(change) + 0.5 * _z(onset_w)
    best = (-np.inf, 4, 0)
    for L in ([beats_per_bar] if beats_per_bar else [4, 3]):
        for r in range(L):
            sel = ev[r::L]
            score = float(sel.mean() - ev.mean()) if sel.size else -np.inf
            if L == 3:
                score -= 0.05  # four beats to the bar unless three is clearly better
            if score > best[0]:
                best = (score, L, r)
    _, L, r = best
    bar_qn = L * beat_qn
    down = b0 + r * beat_qn
    if down - first > bar_qn / 2 + 1e-9:
        down -= bar_qn
    elif first - down > 1e-9:
        down += bar_qn
        if down - first > bar_qn / 2 + 1e-9:
            down -= bar_qn
    return float(down), float(bar_qn)


def _z(x: np.ndarray) -> np.ndarray:
    s = x.std()
    return (x - x.mean()) / s if s > 0 else np.zeros_like(x)


# ----------------------------------------------------------------------------------------- features


def _melody_track(notes: Any, arr: np.ndarray, melody_track: int | str | None) -> int | None:
    tracks = getattr(notes, "tracks", None)
    if isinstance(melody_track, str):
        names = [getattr(t, "name", "") for t in (tracks or [])]
        for i, n in enumerate(names):
            if n.lower() == melody_track.lower():
                return i
        raise ValueError(f"no track named {melody_track!r} (tracks: {names})")
    if melody_track is not None:
        return int(melody_track)
    if tracks:
        for i, t in enumerate(tracks):
            if getattr(t, "name", "").strip().lower() in ("melody", "vocal", "vocals", "voice", "lead"):
                return i
    ids = np.unique(arr["track"])
    if ids.size < 2:
        return None
    share = np.array([np.mean(arr["track"] == t) for t in ids])
    mean_pitch = np.array([arr["pitch"][arr["track"] == t].mean() for t in ids])
    mean_pitch[share < 0.05] = -np.inf
    return int(ids[int(np.argmax(mean_pitch))])


def bar_features(
    notes: Any, *, origin_qn: float, bar_qn: float, n_bars: int | None = None, melody_track: int | None = None
) -> dict[str, np.ndarray]:
    """Per-bar features on a bar grid.

    Parameters
    ----------
    notes : note array or Score
        The music.
    origin_qn, bar_qn : float
        First downbeat and bar length (quarter notes); bar ``b`` spans
        ``[origin_qn + b * bar_qn, origin_qn + (b + 1) * bar_qn)``.
    n_bars : int, optional
        Number of bars (default: up to the end of the last note).
    melody_track : int, optional
        Track of the melody; None when there is none (melody features are then zero).

    Returns
    -------
    dict of numpy.ndarray
        ``melody`` (n, beats, 12) duration of each melody pitch class per beat; ``chroma`` (n, 2, 12)
        accompaniment pitch-class durations per half bar; ``rhythm`` (n, 16 per 4 beats) onsets per
        sixteenth, ``backing_rhythm`` the same without the melody; ``presence`` (n,) share of the bar
        where the melody sounds; ``energy`` (n,) 0-1;
        ``density`` (n,) onsets per beat; ``velocity`` (n,) mean velocity.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> f = bar_features(make_note_array([0, 1, 4], 1.0, [60, 64, 67]), origin_qn=0.0, bar_qn=4.0)
    >>> f["rhythm"].shape, f["density"].tolist()
    ((2, 16), [0.5, 0.25])
    """
    arr = as_note_array(notes)
    end = float((arr["onset"] + arr["duration"]).max()) if arr.size else origin_qn
    if n_bars is None:
        n_bars = max(int(np.ceil((end - origin_qn) / bar_qn - 1e-6)), 1)
    beats = max(int(round(bar_qn)), 1)
    slots = 4 * beats
    mel_mask = arr["track"] == melody_track if melody_track is not None else np.zeros(arr.size, bool)
    t = (arr["onset"] - origin_qn) / bar_qn  # position in bars
    bar_of = np.floor(t + 1e-6).astype(int)
    slot_of = np.clip(np.floor((t - bar_of) * slots + 0.5).astype(int), 0, slots - 1)
    inside = (bar_of >= 0) & (bar_of < n_bars)

    rhythm = np.zeros((n_bars, slots))
    np.add.at(rhythm, (bar_of[inside], slot_of[inside]), 1.0)
    backing = np.zeros((n_bars, slots))
    acc = inside & ~mel_mask
    np.add.at(backing, (bar_of[acc], slot_of[acc]), 1.0)
    melody = np.zeros((n_bars, beats, 12))
    chroma = np.zeros((n_bars, 2, 12))
    presence = np.zeros(n_bars)
    sounding = np.zeros(n_bars)
    _accumulate(arr["onset"], arr["duration"], arr["pitch"].astype(np.int64), mel_mask, origin_qn, bar_qn,
                beats, melody, chroma, presence, sounding)
    counts = np.bincount(bar_of[inside], minlength=n_bars)[:n_bars].astype(float)
    vel_sum = np.bincount(bar_of[inside], weights=arr["velocity"][inside].astype(float), minlength=n_bars)[:n_bars]
    velocity = np.divide(vel_sum, counts, out=np.zeros(n_bars), where=counts > 0)
    density = counts / beats
    poly = sounding / bar_qn
    energy = _unit(np.log1p(density)) + _unit(velocity) + _unit(np.log1p(poly))
    return {
        "melody": melody,
        "chroma": chroma,
        "rhythm": rhythm,
        "backing_rhythm": backing,
        "presence": np.clip(presence / bar_qn, 0.0, 1.0),
        "energy": _unit(energy),
        "density": density,
        "velocity": velocity,
    }


def _unit(x: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(x, initial=0.0)), float(np.max(x, initial=0.0))
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x, dtype=float)


def _accumulate(on, dur, pitch, mel, origin, bar_qn, beats, melody, chroma, presence, sounding) -> None:
    """Spread each note's duration over the beats / half bars it covers."""
    n_bars = melody.shape[0]
    beat_qn = bar_qn / beats
    end_all = origin + n_bars * bar_qn
    mel_on, mel_end = on[mel], on[mel] + dur[mel]
    # melody presence: the union of the melody's note spans, per bar
    if mel_on.size:
        order = np.argsort(mel_on)
        s_, e_ = mel_on[order], np.maximum.accumulate(mel_end[order])
        merged_s, merged_e = [s_[0]], [e_[0]]
        for s, e in zip(s_[1:], e_[1:]):
            if s <= merged_e[-1]:
                merged_e[-1] = max(merged_e[-1], e)
            else:
                merged_s.append(s)
                merged_e.append(e)
        for s, e in zip(merged_s, merged_e):
            _spread_presence(max(s, origin), min(e, end_all), origin, bar_qn, presence)
    for k in range(on.size):
        s, e = max(on[k], origin), min(on[k] + dur[k], end_all)
        if e <= s:
            continue
        _spread_presence(s, e, origin, bar_qn, sounding)
        unit = beat_qn if mel[k] else bar_qn / 2
        target = melody if mel[k] else chroma
        per = beats if mel[k] else 2
        i0 = int(np.floor((s - origin) / unit + 1e-9))
        i1 = int(np.ceil((e - origin) / unit - 1e-9))
        for i in range(i0, i1):
            a, b = origin + i * unit, origin + (i + 1) * unit
            ov = min(b, e) - max(a, s)
            if ov > 0:
                target[i // per, i % per, pitch[k] % 12] += ov


def _spread_presence(s: float, e: float, origin: float, bar_qn: float, out: np.ndarray) -> None:
    if e <= s:
        return
    i0 = int(np.floor((s - origin) / bar_qn + 1e-9))
    i1 = int(np.ceil((e - origin) / bar_qn - 1e-9))
    for i in range(max(i0, 0), min(i1, out.size)):
        a, b = origin + i * bar_qn, origin + (i + 1) * bar_qn
        out[i] += max(0.0, min(b, e) - max(a, s))


def _cosine(x: np.ndarray) -> np.ndarray:
    flat = x.reshape(x.shape[0], -1).astype(float)
    norm = np.linalg.norm(flat, axis=1)
    unit = np.divide(flat, norm[:, None], out=np.zeros_like(flat), where=norm[:, None] > 0)
    sim = unit @ unit.T
    empty = norm == 0
    sim[np.ix_(empty, empty)] = 1.0  # two silent bars are alike
    return np.clip(sim, 0.0, 1.0)


def self_similarity(
    features: Any,
    *,
    weights: tuple[float, float, float] = (0.5, 0.35, 0.15),
    origin_qn: float | None = None,
    bar_qn: float | None = None,
    melody_track: int | str | None = None,
) -> np.ndarray:
    """Bar-by-bar self-similarity (0-1): melody pitch classes per beat, chroma per half bar, rhythm.

    Parameters
    ----------
    features : dict or note array or Score
        The output of :func:`bar_features`, or music (the grid is then estimated unless given).
    weights : (float, float, float), default (0.5, 0.35, 0.15)
        Weights of the melody, accompaniment-chroma and rhythm similarities (cosine).
    origin_qn, bar_qn : float, optional
        The bar grid, for music input.
    melody_track : int or str, optional
        The melody's track (index or name), for music input.

    Returns
    -------
    numpy.ndarray
        ``(n_bars, n_bars)`` symmetric, ones on the diagonal for bars with notes.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> notes = make_note_array([0, 4, 8], 4.0, [60, 62, 60])
    >>> np.round(self_similarity(notes, origin_qn=0.0, bar_qn=4.0), 2).tolist()  # same rhythm, other chroma
    [[1.0, 0.3, 1.0], [0.3, 1.0, 0.3], [1.0, 0.3, 1.0]]
    """
    if not isinstance(features, dict):
        arr = as_note_array(features)
        if arr.size == 0:
            raise EmptyScoreError("self_similarity: no notes")
        mt = _melody_track(features, arr, melody_track)
        if origin_qn is None or bar_qn is None:
            o, b = estimate_bar_grid(arr)
            origin_qn = o if origin_qn is None else origin_qn
            bar_qn = b if bar_qn is None else bar_qn
        features = bar_features(arr, origin_qn=origin_qn, bar_qn=bar_qn, melody_track=mt)
    wm, wc, wr = weights
    has_mel = features["presence"] > 0
    mel = _cosine(features["melody"])
    if not has_mel.any():  # no melody track: the melody term carries no information
        wm = 0.0
    sim = wm * mel + wc * _cosine(features["chroma"]) + wr * _cosine(features["rhythm"])
    return sim / (wm + wc + wr)


def checkerboard_novelty(ssm: np.ndarray, *, half_bars: int = 4) -> np.ndarray:
    """Foote's novelty: a Gaussian-tapered checkerboard kernel slid along the diagonal.

    Parameters
    ----------
    ssm : numpy.ndarray
        ``(n, n)`` self-similarity.
    half_bars : int, default 4
        Half width of the kernel, in bars.

    Returns
    -------
    numpy.ndarray
        ``n + 1`` values, one per bar line (0 at the first and last), scaled to a maximum of 1.

    Examples
    --------
    >>> s = np.kron(np.eye(2), np.ones((4, 4)))  # two blocks of four bars
    >>> int(np.argmax(checkerboard_novelty(s, half_bars=2)))
    4
    """
    n = ssm.shape[0]
    k = half_bars
    idx = np.arange(-k, k) + 0.5
    taper = np.exp(-0.5 * (idx / (0.5 * k)) ** 2)
    kern = np.outer(taper, taper) * np.sign(idx)[:, None] * np.sign(idx)[None, :]
    pad = np.pad(ssm, k, mode="constant")
    out = np.zeros(n + 1)
    for b in range(1, n):
        win = pad[b : b + 2 * k, b : b + 2 * k]
        out[b] = max(float(np.sum(win * kern)), 0.0)
    top = out.max()
    return out / top if top > 0 else out


# ----------------------------------------------------------------------------------------- cues


def _repetition_edges(ssm: np.ndarray, *, span: int = 4, min_lag: int = 2) -> np.ndarray:
    """Strength of each bar line as the start or end of a diagonal repetition stripe."""
    n = ssm.shape[0]
    out = np.zeros(n + 1)
    for lag in range(min_lag, n):
        d = np.diagonal(ssm, lag)  # d[i] = S[i, i + lag]
        m = d.size
        c = np.concatenate([[0.0], np.cumsum(d)])
        idx = np.arange(m + 1)
        hi = np.minimum(idx + span, m)
        lo = np.maximum(idx - span, 0)
        fwd = np.where(hi > idx, (c[hi] - c[idx]) / np.maximum(hi - idx, 1), 0.0)
        bwd = np.where(idx > lo, (c[idx] - c[lo]) / np.maximum(idx - lo, 1), 0.0)
        strength = np.maximum(fwd, bwd) ** 4 * np.abs(fwd - bwd)
        strength[(hi - idx < 2) | (idx - lo < 2)] = 0.0  # a stripe edge needs two bars on each side
        out[idx] += strength  # the bar line i (first member of the pair)
        out[idx + lag] += strength  # and its partner i + lag
    out[0] = out[n] = 0.0
    top = out.max()
    return out / top if top > 0 else out


def _melody_starts(line: np.ndarray, origin_qn: float, bar_qn: float, n_bars: int) -> np.ndarray:
    """Per bar line: evidence that a melodic phrase starts there.

    Two cues, the larger wins: the LBDM boundary strength before a note within half a bar before the
    line (a pickup) or a quarter bar after it; and a breathing gap, the silence between two melody
    notes (plus half the excess of a long last note over a beat), as a share of a bar, credited to each
    bar line from a quarter bar before the silence to half a bar after it ends (a phrase that opens with
    a rest starts at the bar line inside the rest).
    """
    out = np.zeros(n_bars + 1)
    if line.size == 0:
        return out
    beat = bar_qn / max(round(bar_qn), 1)
    s = lbdm(line["onset"], line["duration"], line["pitch"])
    strength = np.concatenate([[1.0], s])  # the first note begins a phrase
    pos = (line["onset"] - origin_qn) / bar_qn
    near = np.floor(pos + 0.5 + 1e-9).astype(int)
    ok = (pos - near > -0.5 - 1e-9) & (pos - near < 0.25) & (near >= 0) & (near <= n_bars)
    np.maximum.at(out, near[ok], strength[ok])
    ends = line["onset"][:-1] + line["duration"][:-1]
    gap = line["onset"][1:] - ends + 0.5 * np.maximum(line["duration"][:-1] - beat, 0.0)
    value = np.minimum(gap / bar_qn, 1.0)
    lo = np.ceil((ends - 0.25 * bar_qn - origin_qn) / bar_qn - 1e-9).astype(int)
    hi = np.floor((line["onset"][1:] + 0.5 * bar_qn - origin_qn) / bar_qn + 1e-9).astype(int)
    for a, b, v in zip(lo, hi, value):
        if v > 0.1:
            a, b = max(a, 0), min(b, n_bars)
            if b >= a:
                out[a : b + 1] = np.maximum(out[a : b + 1], v)
    return out


def _hypermeter(evidence: np.ndarray, period: int = 4) -> np.ndarray:
    """1 on the bar lines of the four-bar grid whose phase collects the most boundary evidence, else 0."""
    phase = int(np.argmax([evidence[k::period].sum() for k in range(period)]))
    out = np.zeros(evidence.size)
    out[phase::period] = 1.0
    return out


@njit(cache=True)
def _segment_dp(cue: np.ndarray, length_score: np.ndarray, span_score: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Best segmentation of bar lines 0..n: maximise the sum over phrases ``[s, s + L)`` of
    ``cue[s] + length_score[L] + span_score[s, L]``.

    ``length_score[L]`` for L = 1..max (index 0 unused; -inf forbids a length); ``span_score`` is
    ``(n + 1, max + 1)``.  Returns the chosen bar lines, 0 and n included.
    """
    n = cue.size - 1
    max_len = length_score.size - 1
    best = np.full(n + 1, -np.inf)
    back = np.zeros(n + 1, dtype=np.int64)
    best[0] = 0.0
    for e in range(1, n + 1):
        for L in range(1, min(max_len, e) + 1):
            s = e - L
            v = best[s] + cue[s] + length_score[L] + span_score[s, L]
            if v > best[e]:
                best[e] = v
                back[e] = s
    out = [n]
    e = n
    while e > 0:
        e = back[e]
        out.append(e)
    res = np.empty(len(out), dtype=np.int64)
    for i in range(len(out)):
        res[i] = out[len(out) - 1 - i]
    return res


def _repeat_support(ssm: np.ndarray, max_len: int) -> np.ndarray:
    """``R[s, L]``: the best mean similarity of bars ``s..s+L-1`` to another non-overlapping run of L bars."""
    n = ssm.shape[0]
    out = np.zeros((n + 1, max_len + 1))
    for lag in range(1, n):
        d = np.diagonal(ssm, lag)
        c = np.concatenate([[0.0], np.cumsum(d)])
        m = d.size
        for L in range(1, min(max_len, lag) + 1):
            if L > m:
                break
            mean = (c[L:] - c[:-L]) / L  # window starting at i, length L, i = 0..m-L
            i = np.arange(m - L + 1)
            np.maximum.at(out[:, L], i, mean)  # the run at i, partner i + lag
            np.maximum.at(out[:, L], i + lag, mean)  # the run at i + lag, partner i
    return out


def segment_bars(
    cue: Any,
    *,
    prior: dict[int, float] | None = None,
    prior_weight: float = 0.6,
    phrase_cost: float = 0.8,
    span_score: np.ndarray | None = None,
) -> np.ndarray:
    """Phrase boundaries (bar lines) maximising cue strength at boundaries plus a phrase-length prior.

    Parameters
    ----------
    cue : array_like
        ``n + 1`` boundary strengths, one per bar line (0 = start of the first bar, n = the end).
    prior : dict, optional
        Probability of each phrase length in bars (default :data:`PHRASE_LENGTH_PRIOR`); lengths not
        listed are forbidden (except one bar, always allowed at a large cost, so that any length fits).
    prior_weight : float, default 0.6
        Weight of the log prior.
    phrase_cost : float, default 0.8
        A constant cost per phrase (larger: fewer, longer phrases).
    span_score : numpy.ndarray, optional
        ``(n + 1, max_len + 1)`` extra score of a phrase starting at bar ``s`` lasting ``L`` bars.

    Returns
    -------
    numpy.ndarray
        Increasing bar lines, ``0`` and ``n`` included.

    Examples
    --------
    >>> cue = np.zeros(17); cue[[4, 8, 12]] = 1.0
    >>> segment_bars(cue).tolist(), segment_bars(cue, phrase_cost=0.2).tolist()
    ([0, 8, 16], [0, 4, 8, 12, 16])
    """
    c = np.ascontiguousarray(cue, dtype=np.float64)
    if c.ndim != 1 or c.size < 2:
        raise ValueError("segment_bars needs one cue per bar line: at least one bar (two bar lines)")
    p = PHRASE_LENGTH_PRIOR if prior is None else prior
    max_len = max(p)
    score = np.full(max_len + 1, -np.inf)
    for L, prob in p.items():
        if prob > 0:
            score[L] = prior_weight * np.log(prob) - phrase_cost
    if not np.isfinite(score[1]):
        score[1] = -1e6  # always feasible
    span = np.zeros((c.size, max_len + 1)) if span_score is None else np.ascontiguousarray(span_score, float)
    if span.shape != (c.size, max_len + 1):
        raise ValueError(f"span_score must have shape {(c.size, max_len + 1)}, got {span.shape}")
    return _segment_dp(c, score, span)


# ----------------------------------------------------------------------------------------- labels


def _phrase_similarity(ssm: np.ndarray, a: tuple[int, int], b: tuple[int, int]) -> float:
    la, lb = a[1] - a[0], b[1] - b[0]
    n = min(la, lb)
    vals = [ssm[a[0] + k, b[0] + k] for k in range(n)]
    return float(np.mean(vals)) * (n / max(la, lb)) ** 0.5


_UPPER = list("ABCDEFGHJKLMNPQRSTUVWYZ")  # I, O and X are POP909's intro, outro and other


def _letters(
    spans: list[tuple[int, int]], ssm: np.ndarray, melodic: np.ndarray
) -> tuple[list[str], list[str], np.ndarray]:
    n = len(spans)
    first_mel = int(np.argmax(melodic)) if melodic.any() else n
    last_mel = n - 1 - int(np.argmax(melodic[::-1])) if melodic.any() else -1
    letters, labels = [""] * n, [""] * n
    sims = np.ones(n)
    reps: dict[str, int] = {}
    counters = {True: 0, False: 0}
    for i, sp in enumerate(spans):
        if not melodic[i] and (i < first_mel or i > last_mel):
            letters[i] = labels[i] = "i" if i < first_mel else "o"
            continue
        best, best_sim = None, -1.0
        for name, j in reps.items():
            if (name.isupper()) != bool(melodic[i]):
                continue
            s = _phrase_similarity(ssm, spans[j], sp)
            if s > best_sim:
                best, best_sim = name, s
        if best is not None and best_sim >= _SAME_LETTER:
            labels[i] = best
            letters[i] = best + ("'" if best_sim < _VARIATION else "")
            sims[i] = best_sim
        else:
            k = counters[bool(melodic[i])]
            counters[bool(melodic[i])] += 1
            name = _UPPER[k % len(_UPPER)] + ("" if k < len(_UPPER) else str(k // len(_UPPER)))
            name = name if melodic[i] else name.lower()
            reps[name] = i
            letters[i] = labels[i] = name
    return letters, labels, sims


def _functions(labels: list[str], melodic: np.ndarray, energy: np.ndarray) -> list[str]:
    n = len(labels)
    out = [""] * n
    mel_idx = [i for i in range(n) if melodic[i] and labels[i] not in ("i", "o")]
    counts: dict[str, int] = {}
    for i in mel_idx:
        counts[labels[i]] = counts.get(labels[i], 0) + 1
    chorus = None
    if mel_idx:
        first_label = labels[mel_idx[0]]
        best = -np.inf
        for lab, c in counts.items():
            e = float(np.mean([energy[i] for i in mel_idx if labels[i] == lab]))
            score = c + 2.0 * e + (0.5 if lab != first_label else 0.0)
            if c >= 2 and score > best:
                best, chorus = score, lab
    first_chorus = min((i for i in mel_idx if labels[i] == chorus), default=n)
    verse = next((labels[i] for i in mel_idx if labels[i] != chorus), None)
    leads: dict[str, int] = {}
    for i in range(1, n):
        if labels[i] == chorus and labels[i - 1] not in (chorus, verse) and melodic[i - 1]:
            leads[labels[i - 1]] = leads.get(labels[i - 1], 0) + 1
    pre = {lab for lab, c in leads.items() if c >= 2 or (c >= 1 and counts.get(lab, 0) == c)}
    for i in range(n):
        lab = labels[i]
        if lab == "i":
            out[i] = "intro"
        elif lab == "o":
            out[i] = "outro"
        elif not melodic[i]:
            out[i] = "instrumental"
        elif lab == chorus:
            out[i] = "chorus"
        elif lab in pre:
            out[i] = "pre-chorus"
        elif lab == verse or i < first_chorus:
            out[i] = "verse"
        elif counts.get(lab, 0) == 1:
            out[i] = "bridge"
        else:
            out[i] = "verse"
    return out


def _transitions(feats: dict[str, np.ndarray], rhythm: np.ndarray, bounds: np.ndarray, origin: float,
                 bar_qn: float) -> np.ndarray:
    """Break, fill and build-up at each section boundary, from the backing's onsets and the energy.

    Compared are the last beat before the boundary and the rest of that bar: a break when the last beat
    has under a quarter of the bar's onset rate, a fill when it has over twice the rate of the bar and of
    the previous bar's last beat; a build-up when the energy rises through the three bars before a louder
    section.
    """
    rows = []
    energy = feats["energy"]
    slots = rhythm.shape[1]
    q = max(slots // max(round(bar_qn), 1), 1)  # slots in a beat
    for b in bounds[1:-1]:
        prev = rhythm[b - 1]
        last = prev[-q:].sum() / q
        body = prev[:-q].sum() / max(slots - q, 1)
        before = rhythm[b - 2][-q:].sum() / q if b >= 2 else body
        if body > 0 and last < 0.25 * body:
            rows.append((b, origin + b * bar_qn, "break", float(1.0 - last / body)))
        elif last > 2.0 * max(body, before, 1e-9) and last >= 0.5:
            rows.append((b, origin + b * bar_qn, "fill", float(min(1.0, last / max(body, before, 1e-9) / 4.0))))
        if 3 <= b < energy.size:
            rise = energy[b - 3 : b]
            if np.all(np.diff(rise) > 0.02) and energy[b] > rise[-1]:
                rows.append((b, origin + b * bar_qn, "build-up", float(min(1.0, energy[b] - rise[0]))))
    return np.array(rows, dtype=TRANSITION_DTYPE)


# ----------------------------------------------------------------------------------------- public


@dataclass(frozen=True)
class Form:
    """The form of a piece: phrases with letters and functions, on a bar grid.

    Attributes
    ----------
    sections : numpy.ndarray
        One row per phrase (:data:`FORM_DTYPE`).
    ssm : numpy.ndarray
        The bar self-similarity matrix.
    origin_qn, bar_qn : float
        The bar grid (first downbeat, bar length) in quarter notes.
    cues : numpy.ndarray
        Boundary strength per bar line (``n_bars + 1``).
    transitions : numpy.ndarray
        Transitions at section boundaries (:data:`TRANSITION_DTYPE`).
    features : dict
        The bar features (:func:`bar_features`).
    """

    sections: np.ndarray
    ssm: np.ndarray
    origin_qn: float
    bar_qn: float
    cues: np.ndarray
    transitions: np.ndarray
    features: dict[str, np.ndarray] = field(repr=False)

    @property
    def n_bars(self) -> int:
        """Number of bars analysed."""
        return int(self.ssm.shape[0])

    @property
    def boundaries_bar(self) -> np.ndarray:
        """Phrase boundaries as bar lines, the first and last included."""
        return np.append(self.sections["start_bar"], self.sections["end_bar"][-1:])

    def to_pop909(self) -> str:
        """The phrase labels in POP909's notation: letter and length in bars per phrase (``i4A8B8o2``)."""
        return "".join(f"{r['label']}{r['end_bar'] - r['start_bar']}" for r in self.sections)

    def contrast(self) -> np.ndarray:
        """Contrast between phrases (0 alike - 1 unlike): one minus their aligned similarity, with half
        the difference of their energies added."""
        spans = list(zip(self.sections["start_bar"], self.sections["end_bar"]))
        n = len(spans)
        out = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                s = _phrase_similarity(self.ssm, spans[i], spans[j])
                de = abs(self.sections["energy"][i] - self.sections["energy"][j])
                out[i, j] = out[j, i] = min(1.0, 1.0 - s + 0.5 * de)
        return out

    def merged(self) -> np.ndarray:
        """Consecutive phrases of the same function merged into sections (rows of :data:`FORM_DTYPE`)."""
        rows = []
        for r in self.sections:
            if rows and rows[-1]["function"] == r["function"]:
                last = rows[-1]
                w0, w1 = last["end_bar"] - last["start_bar"], r["end_bar"] - r["start_bar"]
                last["energy"] = (last["energy"] * w0 + r["energy"] * w1) / (w0 + w1)
                last["end_bar"], last["end_qn"] = r["end_bar"], r["end_qn"]
                last["letter"] = (last["letter"] + r["letter"])[:4]
                last["label"] = last["label"]
                last["has_melody"] = last["has_melody"] or r["has_melody"]
                last["similarity"] = min(last["similarity"], r["similarity"])
            else:
                rows.append(r.copy())
        return np.array(rows, dtype=FORM_DTYPE)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: grid, POP909 string, phrases, transitions."""
        return {
            "origin_qn": self.origin_qn,
            "bar_qn": self.bar_qn,
            "n_bars": self.n_bars,
            "pop909": self.to_pop909(),
            "sections": [
                {name: (r[name].item() if hasattr(r[name], "item") else r[name]) for name in FORM_DTYPE.names}
                for r in self.sections
            ],
            "transitions": [
                {name: t[name].item() for name in TRANSITION_DTYPE.names} for t in self.transitions
            ],
        }


def analyze_form(
    notes: Any,
    *,
    melody_track: int | str | None = None,
    origin_qn: float | None = None,
    bar_qn: float | None = None,
    weights: dict[str, float] | None = None,
    prior: dict[int, float] | None = None,
) -> Form:
    """Segment a song into phrases and label them (letters, functions), with transitions.

    Parameters
    ----------
    notes : note array or Score
        The song.  With a Score, a track named "melody" (or "vocal", "lead") is the melody; otherwise
        the highest track with at least 5 % of the notes.
    melody_track : int or str, optional
        The melody's track index or name.
    origin_qn, bar_qn : float, optional
        First downbeat and bar length (quarter notes); estimated from the notes when omitted
        (:func:`estimate_bar_grid`).
    weights : dict, optional
        Overrides of :data:`DEFAULT_WEIGHTS`.
    prior : dict, optional
        Phrase-length prior (default :data:`PHRASE_LENGTH_PRIOR`).

    Returns
    -------
    Form

    Raises
    ------
    EmptyScoreError
        When there are no notes.
    ValueError
        For a non-positive ``bar_qn`` or an unknown melody track name.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> on = np.arange(32.0)
    >>> pitch = np.where(on < 16, 60 + on % 4, 67 - on % 4).astype(int)
    >>> form = analyze_form(make_note_array(on, 1.0, pitch), origin_qn=0.0, bar_qn=4.0)
    >>> form.sections[["start_bar", "end_bar", "letter"]].tolist()
    [(0, 4, 'A'), (4, 8, 'B')]
    """
    arr = as_note_array(notes)
    if arr.size == 0:
        raise EmptyScoreError("analyze_form: the score has no notes")
    if bar_qn is not None and not bar_qn > 0:
        raise ValueError(f"bar_qn must be > 0, got {bar_qn}")
    prep = _prepare(notes, arr, melody_track, origin_qn, bar_qn, prior)
    return _finish(prep, {**DEFAULT_WEIGHTS, **(weights or {})})


def _prepare(notes: Any, arr: np.ndarray, melody_track: Any, origin_qn: float | None, bar_qn: float | None,
             prior: dict[int, float] | None) -> dict[str, Any]:
    """Everything that does not depend on the weights: grid, features, similarity, cue components."""
    mt = _melody_track(notes, arr, melody_track)
    if origin_qn is None or bar_qn is None:
        o, b = estimate_bar_grid(arr)
        origin_qn = o if origin_qn is None else float(origin_qn)
        bar_qn = b if bar_qn is None else float(bar_qn)
    feats = bar_features(arr, origin_qn=origin_qn, bar_qn=bar_qn, melody_track=mt)
    n = feats["energy"].size
    ssm = self_similarity(feats)
    line = melody_line(arr[arr["track"] == mt]) if mt is not None else arr[:0]
    pres = (feats["presence"] >= 0.2).astype(float)
    pres_cue = np.zeros(n + 1)
    pres_cue[1:n] = np.abs(np.diff(pres))
    p = PHRASE_LENGTH_PRIOR if prior is None else prior
    cues = {
        "melody": _melody_starts(line, origin_qn, bar_qn, n),
        "presence": pres_cue,
        "novelty": checkerboard_novelty(ssm),
        "repetition": _repetition_edges(ssm),
    }
    cues["hypermeter"] = _hypermeter(cues["melody"] + cues["presence"] + cues["repetition"])
    return {
        "mt": mt, "origin_qn": float(origin_qn), "bar_qn": float(bar_qn), "feats": feats, "ssm": ssm, "n": n,
        "pres": pres, "prior": p, "support": _repeat_support(ssm, max(p)),
        "cues": cues,
    }


def _finish(prep: dict[str, Any], w: dict[str, float]) -> Form:
    """Segment, label and describe, given the prepared song and the weights."""
    n, p, ssm, feats, pres, mt = prep["n"], prep["prior"], prep["ssm"], prep["feats"], prep["pres"], prep["mt"]
    origin_qn, bar_qn = prep["origin_qn"], prep["bar_qn"]
    cue = sum(w[k] * v for k, v in prep["cues"].items())
    cue[0] = cue[n] = 0.0
    span = w["support"] * np.maximum(prep["support"] - w["support_floor"], 0.0) * np.sqrt(np.arange(max(p) + 1))
    bounds = segment_bars(cue, prior=p, prior_weight=w["prior"], phrase_cost=w["phrase_cost"], span_score=span)
    spans = [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
    melodic = np.array([pres[a:b].mean() >= 0.5 for a, b in spans]) if mt is not None else np.ones(len(spans), bool)
    energy = np.array([feats["energy"][a:b].mean() for a, b in spans])
    letters, labels, sims = _letters(spans, ssm, melodic)
    functions = _functions(labels, melodic, energy)
    rows = np.zeros(len(spans), dtype=FORM_DTYPE)
    rows["start_bar"] = [a for a, _ in spans]
    rows["end_bar"] = [b for _, b in spans]
    rows["start_qn"] = origin_qn + rows["start_bar"] * bar_qn
    rows["end_qn"] = origin_qn + rows["end_bar"] * bar_qn
    rows["letter"], rows["label"], rows["function"] = letters, labels, functions
    rows["has_melody"], rows["energy"], rows["similarity"] = melodic, energy, sims
    section_bounds = np.array([0] + [b for b, f0, f1 in zip(bounds[1:-1], functions[:-1], functions[1:]) if f0 != f1]
                              + [n])
    trans = _transitions(feats, feats["backing_rhythm"], section_bounds, origin_qn, bar_qn)
    return Form(rows, ssm, float(origin_qn), float(bar_qn), cue, trans, feats)


_TOKEN = re.compile(r"([A-Za-z])(\d+)")


def parse_pop909(label: str) -> list[tuple[str, int]]:
    """Parse a POP909 structure string into ``(letter, bars)`` pairs.

    Raises
    ------
    ValueError
        When the string is not a sequence of letter-and-number tokens.

    Examples
    --------
    >>> parse_pop909("i4A8b4o2")
    [('i', 4), ('A', 8), ('b', 4), ('o', 2)]
    """
    text = label.strip()
    tokens = _TOKEN.findall(text)
    if not tokens or "".join(f"{a}{n}" for a, n in tokens) != text:
        raise ValueError(f"not a POP909 structure string (letter + bars, e.g. 'i4A8B8o2'): {label!r}")
    return [(a, int(n)) for a, n in tokens]
