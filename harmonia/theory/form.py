"""Song form: bar-level self-similarity, phrase segmentation, letters, section functions, transitions.

The method, bar by bar:

1. **Bar grid.**  Without a trustworthy time signature (POP909's MIDI files say 2/4 or 1/4 and place
   the beats a fraction of a quarter note after the grid), :func:`estimate_bar_grid` finds the beat
   phase from the onsets, the bar length (3 or 4 beats) from bass onsets and chord changes, and the
   downbeat by a conditional logit over per-beat evidence (:data:`BEAT_EVIDENCE`: bass, chord change,
   melody phrase starts, long notes ...).  A pickup of less than half a bar before the first downbeat
   is left out of bar 0, as annotators do.
2. **Bar features** (:func:`bar_features`): the melody's pitch classes per beat, the accompaniment's
   chroma per half bar, the onset pattern on a sixteenth grid, melody presence and an energy (note
   density, loudness, polyphony).
3. **Self-similarity** (:func:`self_similarity`): cosine similarities of those features, mixed.
4. **Boundary features** at each bar line (:data:`BOUNDARY_FEATURES`): the melody coming in or
   dropping out, the edges and starts of repetition stripes (a diagonal of the similarity matrix, on the
   mixed, melody-only and chroma-only similarities), Foote's checkerboard novelty [1]_ at three widths,
   melodic phrase starts (the Local Boundary Detection Model of :mod:`harmonia.theory.phrase` and
   breathing gaps, pickups counted for the bar they lead into), rests and long notes at the line,
   energy changes, fills and breaks, and the 4- and 8-bar grid from the melody's entry.
5. **Segmentation** by a semi-Markov dynamic programme over phrases of 1-16 bars: a weighted sum of
   the boundary features at each phrase start, a score for each phrase length *given the previous
   one* (so an eight-bar phrase may be followed by a short link and then four or eight bars again), and
   phrase-level scores (:data:`SPAN_FEATURES`: the phrase recurs elsewhere; melody present in only part
   of it).  The form ends on the bar line of the final chord: like POP909's annotators, a closing
   chord's bar is not counted.
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

The numbers of steps 1 and 4-6 are fitted on 674 POP909 training songs with both human labelings
(``benchmarks/train_form.py``; :func:`form_model` reads them from ``theory/data/form_model.json``): the
downbeat weights by maximum likelihood; the segmentation weights by an averaged, loss-augmented
structured perceptron [3]_ started from a logistic regression of the boundary features and the logarithm
of the human phrase-length bigram; four scalars on top (:data:`WEIGHT_NAMES`) and the letter threshold
by search for the best boundary and pairwise F on a third of those songs.  ``benchmarks/bench_form.py``
measures the result on songs not used for fitting and ``docs/form.rst`` discusses it.

References
----------
.. [1] J. Foote, "Automatic audio segmentation using a measure of audio novelty," *Proc. IEEE
   International Conference on Multimedia and Expo*, 2000, pp. 452-455. doi:10.1109/ICME.2000.869637
.. [2] S. Dai, H. Zhang and R. B. Dannenberg, "Automatic analysis and influence of hierarchical
   structure on melody, rhythm and harmony in popular music," *Proc. Joint Conference on AI Music
   Creativity*, 2020. doi:10.48550/arXiv.2010.07518
.. [3] M. Collins, "Discriminative training methods for hidden Markov models: theory and experiments
   with perceptron algorithms," *Proc. EMNLP*, 2002, pp. 1-8. doi:10.3115/1118693.1118694

Examples
--------
A piece made of two alternating four-bar phrases, each a bar repeated (the fitted model, made for whole
pop songs, would hear eight-bar periods in so short a piece; ``prior`` imposes four-bar phrases):

>>> from harmonia.theory.notearray import make_note_array
>>> def phrase(pitches, start):
...     on = start + np.arange(16.0)
...     return on, np.tile(pitches, 4)
>>> parts = [phrase([60, 64, 67, 64], 0), phrase([65, 69, 72, 69], 16),
...          phrase([60, 64, 67, 64], 32), phrase([65, 69, 72, 69], 48)]
>>> on = np.concatenate([p[0] for p in parts]); pitch = np.concatenate([p[1] for p in parts])
>>> form = analyze_form(make_note_array(on, 1.0, pitch), origin_qn=0.0, bar_qn=4.0, prior={4: 1.0})
>>> form.to_pop909()
'A4B4A4B4'
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
from numba import njit

from harmonia.errors import EmptyScoreError
from harmonia.theory.notearray import as_note_array
from harmonia.theory.phrase import lbdm, melody_line

__all__ = [
    "BEAT_EVIDENCE",
    "BOUNDARY_FEATURES",
    "FORM_DTYPE",
    "TRANSITION_DTYPE",
    "WEIGHT_NAMES",
    "Form",
    "analyze_form",
    "bar_features",
    "checkerboard_novelty",
    "estimate_bar_grid",
    "form_model",
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

#: Scalars that ``weights=`` of :func:`analyze_form` may set, each applied on top of the fitted model:
#: a scale of the boundary scores (``cue``, default 1), of the phrase-length transition scores
#: (``prior``, 1), a cost per phrase (``phrase_cost``, 0: larger gives fewer, longer phrases) and a scale
#: of the phrase-level scores (``support``, 1: recurrence elsewhere in the song, melody mixed in a phrase).
WEIGHT_NAMES = ("cue", "prior", "phrase_cost", "support")
_NEUTRAL_WEIGHTS = {"cue": 1.0, "prior": 1.0, "phrase_cost": 0.0, "support": 1.0}

#: Phrase-level features of the segmentation (:func:`_span_features`): the best mean similarity of the
#: phrase's bars to another run of as many bars, above each floor, times the square root of the length;
#: and the share of the phrase on the minority side of melody presence, times its length.
SPAN_FEATURES = ("recur50", "recur70", "recur85", "melody_mixed")
_RECUR_FLOORS = (0.5, 0.7, 0.85)


@functools.lru_cache(maxsize=1)
def _model() -> dict[str, Any]:
    """The parsed model file, shared: read it, never change it (:func:`form_model` gives a copy)."""
    return json.loads(resources.files("harmonia.theory").joinpath("data/form_model.json").read_text("utf-8"))


def form_model() -> dict[str, Any]:
    """The fitted parameters of the form model (a fresh copy of ``theory/data/form_model.json``).

    They were fitted on POP909 training songs by ``benchmarks/train_form.py`` (its docstring gives the
    procedure; the file's ``training`` record the songs and figures): ``grid`` (downbeat weights over
    :data:`BEAT_EVIDENCE`), ``boundary`` (logistic-regression coefficients over
    :data:`BOUNDARY_FEATURES`), ``lengths`` (phrase-length prior and bigram), ``dp`` (the
    :data:`WEIGHT_NAMES` scalars) and ``letters`` (similarity thresholds).

    Returns
    -------
    dict

    Examples
    --------
    >>> m = form_model()
    >>> sorted(m["dp"]) == sorted(WEIGHT_NAMES), len(m["segmentation"]["coef"]) == len(BOUNDARY_FEATURES)
    (True, True)
    """
    return json.loads(json.dumps(_model()))


def _phrase_length_prior() -> dict[int, float]:
    return {int(k): float(v) for k, v in _model()["lengths"]["prior"].items()}


def __getattr__(name: str) -> Any:
    # PEP 562: the fitted constants are read from the package data on first use, never at import
    if name == "PHRASE_LENGTH_PRIOR":
        return _phrase_length_prior()
    if name == "DEFAULT_WEIGHTS":
        return dict(_model()["dp"])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------------------------- grid


def _circular_peak(x: np.ndarray, period: float, bins: int, weights: np.ndarray) -> float:
    """Phase in [0, period) where the weighted positions mod period pile up (smoothed histogram)."""
    h = np.bincount(((x % period) / period * bins).astype(int) % bins, weights=weights, minlength=bins)
    k = np.array([0.25, 0.5, 1.0, 0.5, 0.25])
    hs = sum(k[i] * np.roll(h, i - 2) for i in range(5))
    return float((np.argmax(hs) + 0.5) / bins * period)


def estimate_bar_grid(
    notes: Any, *, beat_qn: float = 1.0, beats_per_bar: int | None = None, melody_track: int | str | None = None
) -> tuple[float, float]:
    """Estimate the first downbeat and the bar length from the notes alone.

    The beat phase is where the onsets pile up modulo the beat.  The number of beats per bar (3 or 4
    unless given) maximises the contrast of bass onsets and chord changes on every third or fourth beat
    over the others; the downbeat is the beat of the bar whose beats score best under a conditional
    logit over per-beat evidence (bass, chord change, onsets, melody onsets and phrase starts, note
    lengths, loudness), fitted on POP909 training songs to the annotators' bar lines
    (``benchmarks/train_form.py``, :func:`form_model`).

    Parameters
    ----------
    notes : note array or Score
        The music.
    beat_qn : float, default 1.0
        Beat length in quarter notes.
    beats_per_bar : int, optional
        Force the bar length (in beats).
    melody_track : int or str, optional
        The melody's track (index or name); by default as in :func:`analyze_form`.

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
    mt = _melody_track(notes, arr, melody_track)
    return _grid(arr, mt, beat_qn, beats_per_bar, np.asarray(_model()["grid"]["weights"], float))


def _grid(arr: np.ndarray, mt: int | None, beat_qn: float, beats_per_bar: int | None,
          weights: np.ndarray) -> tuple[float, float]:
    """:func:`estimate_bar_grid` with explicit downbeat weights (the training script varies them)."""
    b0, ev = _beat_evidence(arr, beat_qn=beat_qn, melody_track=mt)
    L, r = _choose_downbeat(ev, beats_per_bar, weights)
    first = float(arr["onset"].min())
    bar_qn = L * beat_qn
    down = b0 + r * beat_qn
    if down - first > bar_qn / 2 + 1e-9:
        down -= bar_qn
    elif first - down > 1e-9:
        down += bar_qn
        if down - first > bar_qn / 2 + 1e-9:
            down -= bar_qn
    return float(down), float(bar_qn)


#: Names of the per-beat downbeat evidence columns of :func:`_beat_evidence` (z-scored within a song).
BEAT_EVIDENCE = (
    "bass",  # duration-weighted bass onsets (lowest 30 % of pitches)
    "change",  # pitch-class change from the previous beat
    "onsets",  # duration-weighted onsets
    "melody",  # duration-weighted melody onsets
    "phrase_start",  # a melody note after at least a beat of melodic rest
    "phrase_start_next",  # the same, one beat later (a pickup)
    "phrase_start_next2",  # the same, two beats later
    "long",  # longest note starting on the beat (log)
    "velocity",  # mean velocity of the notes starting on the beat
    "backing",  # accompaniment onsets (unweighted)
    "bass_long",  # longest bass note starting on the beat (log)
)


def _beat_phase(on: np.ndarray, dur: np.ndarray, beat_qn: float) -> float:
    """Beat phase in [0, beat_qn): the sixteenth phase where onsets pile up, then the best of four."""
    w = np.minimum(dur, 2.0 * beat_qn)
    sub = beat_qn / 4.0
    fine = _circular_peak(on, sub, 48, np.ones(on.size))
    resid = ((on - fine + sub / 2) % sub) - sub / 2
    close = np.abs(resid) < sub / 24
    fine = (fine + float(np.median(resid[close]))) % sub if close.any() else fine
    cands = fine + sub * np.arange(4)
    hits = [np.sum(w * (np.abs(((on - c + beat_qn / 2) % beat_qn) - beat_qn / 2) < sub / 3)) for c in cands]
    return float(cands[int(np.argmax(hits))]) % beat_qn


def _beat_evidence(arr: np.ndarray, *, beat_qn: float, melody_track: int | None) -> tuple[float, np.ndarray]:
    """First beat at or before the first note, and ``(n_beats, len(BEAT_EVIDENCE))`` z-scored evidence."""
    on, dur, pitch = arr["onset"], arr["duration"], arr["pitch"].astype(float)
    w = np.minimum(dur, 2.0 * beat_qn)
    phase = _beat_phase(on, dur, beat_qn)
    first = float(on.min())
    b0 = phase + beat_qn * np.floor((first - phase) / beat_qn + 1e-9)
    n_beats = int(np.ceil((float((on + dur).max()) - b0) / beat_qn)) + 1
    beat_of = np.floor((on - b0) / beat_qn + 0.5).astype(int)  # nearest beat
    near = np.abs(on - (b0 + beat_of * beat_qn)) < beat_qn / 8
    is_bass = pitch <= np.percentile(pitch, 30)
    mel = arr["track"] == melody_track if melody_track is not None else np.zeros(arr.size, bool)

    def per_beat(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        wts = None if weights is None else weights[mask]
        return np.bincount(beat_of[mask], weights=wts, minlength=n_beats)[:n_beats].astype(float)

    def per_beat_max(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.zeros(n_beats)
        np.maximum.at(out, beat_of[mask], values[mask])
        return out

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
    # melodic phrase starts: a melody onset after at least a beat without melody
    starts = np.zeros(n_beats)
    m_on = on[mel]
    if m_on.size:
        order = np.argsort(m_on)
        m_on, m_end = m_on[order], np.maximum.accumulate((on + dur)[mel][order])
        rest = np.concatenate([[np.inf], m_on[1:] - m_end[:-1]])
        sb = np.floor((m_on - b0) / beat_qn + 0.5).astype(int)
        ok = (rest >= beat_qn - 1e-6) & (sb >= 0) & (sb < n_beats)
        np.add.at(starts, sb[ok], 1.0)
    vel = arr["velocity"].astype(float)
    cnt = per_beat(near)
    cols = [
        per_beat(near & is_bass, w),
        change,
        per_beat(near, w),
        per_beat(near & mel, w),
        starts,
        np.roll(starts, -1),
        np.roll(starts, -2),
        per_beat_max(near, np.log1p(dur / beat_qn)),
        np.divide(per_beat(near, vel), cnt, out=np.zeros(n_beats), where=cnt > 0),
        per_beat(near & ~mel),
        per_beat_max(near & is_bass, np.log1p(dur / beat_qn)),
    ]
    return float(b0), np.stack([_z(c) for c in cols], axis=1)


def _downbeat_scores(ev: np.ndarray, L: int, weights: np.ndarray) -> np.ndarray:
    """Score of each downbeat phase ``r < L``: weighted mean evidence on beats ``r, r + L, ...``."""
    return np.array([float((ev[r::L].mean(axis=0) - ev.mean(axis=0)) @ weights) if ev[r::L].size else -np.inf
                     for r in range(L)])


def _choose_downbeat(ev: np.ndarray, beats_per_bar: int | None, weights: np.ndarray) -> tuple[int, int]:
    """Beats per bar (bass, change and onsets on every L-th beat; 4 unless 3 is clearly better) and the
    downbeat phase (the learned weights)."""
    if beats_per_bar:
        L = int(beats_per_bar)
    else:
        simple = ev[:, 0] + ev[:, 1] + 0.5 * ev[:, 2]
        s4 = float(np.max([simple[r::4].mean() - simple.mean() for r in range(4)]))
        s3 = float(np.max([simple[r::3].mean() - simple.mean() for r in range(3)])) - 0.05
        L = 3 if s3 > s4 else 4
    return L, int(np.argmax(_downbeat_scores(ev, L, weights)))


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
        where the melody sounds, ``half_presence`` (n, 2) the same per half bar; ``energy`` (n,) 0-1;
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
    half_presence = np.zeros(2 * n_bars)
    _accumulate(arr["onset"], arr["duration"], arr["pitch"].astype(np.int64), mel_mask, origin_qn, bar_qn,
                beats, melody, chroma, presence, sounding, half_presence)
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
        "half_presence": np.clip(half_presence.reshape(n_bars, 2) / (bar_qn / 2), 0.0, 1.0),
        "energy": _unit(energy),
        "density": density,
        "velocity": velocity,
    }


def _unit(x: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(x, initial=0.0)), float(np.max(x, initial=0.0))
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x, dtype=float)


def _accumulate(on, dur, pitch, mel, origin, bar_qn, beats, melody, chroma, presence, sounding,
                half_presence) -> None:
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
            _spread_presence(max(s, origin), min(e, end_all), origin, bar_qn / 2, half_presence)
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
            o, b = estimate_bar_grid(arr, melody_track=mt)
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


#: Names of the per-bar-line boundary features of :func:`_boundary_features`, in column order.
BOUNDARY_FEATURES = (
    "melody_in",  # the melody comes in at the bar line (presence >= 0.2 of a bar)
    "melody_out",  # the melody drops out
    "first_melody",  # the first bar line with melody
    "repetition2",  # edges of repetition stripes, 2-, 4- and 8-bar spans
    "repetition4",
    "repetition8",
    "novelty2",  # checkerboard novelty, 2-, 4- and 8-bar half widths
    "novelty4",
    "novelty8",
    "phrase_start",  # melodic phrase starts (LBDM, breathing gaps), see _melody_starts
    "rest_before",  # melodic rest over the last half of the bar before the line (share of a half bar)
    "energy_up",  # mean energy of the two bars after minus the two before, rises
    "energy_down",  # and falls
    "fill",  # backing onsets in the last beat before the line over the bar's rate (log)
    "break",  # the last beat before the line silent while the bar before it is not
    "chroma_change",  # one minus the accompaniment-chroma similarity of the bars either side
    "stripe_start",  # a repetition of the bars from here begins exactly here (not one bar earlier)
    "hyper4",  # a multiple of 4 bars after the first melody bar line
    "hyper8",  # a multiple of 8 bars after it
    "melody_repetition4",  # repetition-stripe edges (4-bar span) of the melody-only similarity
    "melody_repetition8",
    "melody_stripe_start",  # stripe starts of the melody-only similarity
    "chroma_repetition4",  # repetition-stripe edges of the accompaniment-chroma similarity
    "chroma_stripe_start",
    "rest_across",  # longest melodic rest within a beat either side of the line (in beats, at most 4)
    "onset_after",  # the melody has a note starting within the first beat after the line
    "long_before",  # the longest melody note ending within a beat of the line (in beats, at most 4)
)


def _boundary_features(feats: dict[str, np.ndarray], ssm: np.ndarray, line: np.ndarray, origin_qn: float,
                       bar_qn: float) -> np.ndarray:
    """``(n_bars + 1, len(BOUNDARY_FEATURES))``: evidence of a phrase boundary at each bar line."""
    n = ssm.shape[0]
    X = np.zeros((n + 1, len(BOUNDARY_FEATURES)))
    col = {name: k for k, name in enumerate(BOUNDARY_FEATURES)}
    pres = (feats["presence"] >= 0.2).astype(float)
    d = np.diff(pres)
    X[1:n, col["melody_in"]] = d > 0
    X[1:n, col["melody_out"]] = d < 0
    first = int(np.argmax(pres)) if pres.any() else 0
    if pres.any():
        X[first, col["first_melody"]] = 1.0
    for span in (2, 4, 8):
        X[:, col[f"repetition{span}"]] = _repetition_edges(ssm, span=span)
        X[:, col[f"novelty{span}"]] = checkerboard_novelty(ssm, half_bars=span)
    X[:, col["phrase_start"]] = _melody_starts(line, origin_qn, bar_qn, n)
    X[1:n, col["rest_before"]] = 1.0 - np.clip(feats["half_presence"][:-1, 1], 0.0, 1.0)
    X[1:n, col["rest_before"]] *= pres[:-1]  # a rest inside a melodic stretch, not an intro
    e = feats["energy"]
    c = np.concatenate([[0.0], np.cumsum(e)])
    for b in range(1, n):
        lo, hi = max(b - 2, 0), min(b + 2, n)
        delta = (c[hi] - c[b]) / (hi - b) - (c[b] - c[lo]) / (b - lo)
        X[b, col["energy_up"]] = max(delta, 0.0)
        X[b, col["energy_down"]] = max(-delta, 0.0)
    rhythm = feats["backing_rhythm"]
    slots = rhythm.shape[1]
    q = max(slots // max(round(bar_qn), 1), 1)
    last = rhythm[:, -q:].sum(axis=1) / q
    body = rhythm[:, :-q].sum(axis=1) / max(slots - q, 1)
    X[1:n, col["fill"]] = np.log1p(np.maximum(last[:-1] - body[:-1], 0.0))
    X[1:n, col["break"]] = (body[:-1] > 0) & (last[:-1] < 0.25 * body[:-1])
    ch = _cosine(feats["chroma"])
    X[1:n, col["chroma_change"]] = 1.0 - ch[np.arange(1, n), np.arange(n - 1)]
    X[:, col["stripe_start"]] = _stripe_starts(ssm)
    k = np.arange(n + 1) - first
    X[:, col["hyper4"]] = (k >= 0) & (k % 4 == 0)
    X[:, col["hyper8"]] = (k >= 0) & (k % 8 == 0)
    mel_ssm = _cosine(feats["melody"])
    X[:, col["melody_repetition4"]] = _repetition_edges(mel_ssm, span=4)
    X[:, col["melody_repetition8"]] = _repetition_edges(mel_ssm, span=8)
    X[:, col["melody_stripe_start"]] = _stripe_starts(mel_ssm)
    X[:, col["chroma_repetition4"]] = _repetition_edges(ch, span=4)
    X[:, col["chroma_stripe_start"]] = _stripe_starts(ch)
    X[:, [col["rest_across"], col["onset_after"], col["long_before"]]] = _melody_gaps(line, origin_qn, bar_qn, n)
    return X


def _melody_gaps(line: np.ndarray, origin_qn: float, bar_qn: float, n: int) -> np.ndarray:
    """Per bar line: longest melodic rest touching a beat either side, a melody onset in the beat after,
    the longest melody note ending within a beat of it (beats, at most 4)."""
    out = np.zeros((n + 1, 3))
    if line.size == 0:
        return out
    beat = bar_qn / max(round(bar_qn), 1)
    lines = origin_qn + bar_qn * np.arange(n + 1)
    on, end = line["onset"], line["onset"] + line["duration"]
    gap_s = np.concatenate([[-np.inf], end[:-1]])
    gap_e = on
    for b, t in enumerate(lines):
        touch = (gap_e >= t - beat) & (gap_s <= t + beat)
        if touch.any():
            out[b, 0] = min(float(np.max(np.minimum(gap_e[touch] - gap_s[touch], 4 * beat))) / beat, 4.0)
        out[b, 1] = float(np.any((on >= t - 1e-6) & (on < t + beat)))
        ending = np.abs(end - t) <= beat
        if ending.any():
            out[b, 2] = min(float(np.max(line["duration"][ending])) / beat, 4.0)
    return out


def _stripe_starts(ssm: np.ndarray, *, span: int = 4, threshold: float = 0.75) -> np.ndarray:
    """Per bar line ``b``: the largest share of other bar lines ``j`` where bars ``b..b+span`` repeat
    from ``j`` (mean similarity above ``threshold``) but bar ``b - 1`` does not match bar ``j - 1``."""
    n = ssm.shape[0]
    out = np.zeros(n + 1)
    if n < span + 1:
        return out
    m = n - span + 1  # windows starting at 0..m-1
    win = np.zeros((m, m))
    for k in range(span):
        win += ssm[k : k + m, k : k + m]
    win /= span
    good = win >= threshold
    np.fill_diagonal(good, False)
    prev = np.ones((m, m))
    prev[1:, 1:] = ssm[: m - 1, : m - 1]
    prev[0, :] = 0.0
    prev[:, 0] = 0.0
    start = good & (prev < threshold)
    out[:m] = start.sum(axis=1) / np.maximum(good.sum(axis=1), 1)
    out[:m] *= good.any(axis=1)
    out[0] = 0.0
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


@njit(cache=True)
def _segment_dp_bigram(cue: np.ndarray, trans: np.ndarray, span_score: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Best segmentation of bar lines 0..n with a score for each phrase length given the previous one:
    maximise the sum over phrases ``[s, s + L)`` after a phrase of ``P`` bars of
    ``cue[s] + trans[P, L] + span_score[s, L]`` (``P = 0`` for the first phrase).

    ``trans`` is ``(max + 1, max + 1)``; -inf forbids a pair.  Returns the chosen bar lines, 0 and n
    included.
    """
    n = cue.size - 1
    m = trans.shape[0] - 1
    best = np.full((n + 1, m + 1), -np.inf)
    back = np.zeros((n + 1, m + 1), dtype=np.int64)
    for e in range(1, n + 1):
        for L in range(1, min(m, e) + 1):
            s = e - L
            base = cue[s] + span_score[s, L]
            if s == 0:
                v = base + trans[0, L]
                if v > best[e, L]:
                    best[e, L] = v
                    back[e, L] = 0
                continue
            for P in range(1, min(m, s) + 1):
                if best[s, P] == -np.inf:
                    continue
                v = best[s, P] + trans[P, L] + base
                if v > best[e, L]:
                    best[e, L] = v
                    back[e, L] = P
    L = 1
    for k in range(1, m + 1):
        if best[n, k] > best[n, L]:
            L = k
    out = [n]
    e = n
    while e > 0:
        P = back[e, L]
        e -= L
        out.append(e)
        L = P
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


def _span_features(support: np.ndarray, pres: np.ndarray) -> np.ndarray:
    """``(len(SPAN_FEATURES), n + 1, max_len + 1)`` phrase-level features for phrases ``[s, s + L)``."""
    n1, m1 = support.shape
    root = np.sqrt(np.arange(m1))
    out = np.zeros((len(SPAN_FEATURES), n1, m1))
    for k, floor in enumerate(_RECUR_FLOORS):
        out[k] = np.maximum(support - floor, 0.0) * root
    c = np.concatenate([[0.0], np.cumsum(pres)])
    for L in range(1, m1):
        s = np.arange(max(n1 - L, 0))
        share = (c[s + L] - c[s]) / L
        out[3, s, L] = np.minimum(share, 1.0 - share) * L
    return out


def _segment(prep: dict[str, Any], w: dict[str, float], m: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Phrase boundaries (bar lines 0..end) and the boundary scores, for a prepared song."""
    seg = m["segmentation"]
    end = prep["end_bar"]
    cue = w["cue"] * (prep["X"][: end + 1] @ np.asarray(seg["coef"], float))
    cue[0] = 0.0
    if prep["learned_prior"]:
        trans = w["prior"] * np.asarray(seg["transition"], float) - w["phrase_cost"]
    else:
        p = prep["prior"]
        trans = np.full((max(p) + 1, max(p) + 1), -np.inf)
        for L, prob in p.items():
            if prob > 0:
                trans[:, L] = w["prior"] * np.log(prob) - w["phrase_cost"]
    trans[:, 0] = -np.inf
    trans[:, 1] = np.maximum(trans[:, 1], -1e6)  # any length fits
    G = prep["span"][:, : end + 1, : trans.shape[0]]
    span = w["support"] * np.tensordot(np.asarray(seg["span_weights"], float), G, axes=1)
    return _segment_dp_bigram(cue, np.ascontiguousarray(trans), np.ascontiguousarray(span)), cue


def segment_bars(
    cue: Any,
    *,
    prior: dict[int, float] | None = None,
    prior_weight: float = 0.6,
    phrase_cost: float = 0.8,
    span_score: np.ndarray | None = None,
    transition: np.ndarray | None = None,
) -> np.ndarray:
    """Phrase boundaries (bar lines) maximising cue strength at boundaries plus a phrase-length prior.

    Parameters
    ----------
    cue : array_like
        ``n + 1`` boundary strengths, one per bar line (0 = start of the first bar, n = the end).
    prior : dict, optional
        Probability of each phrase length in bars (default: the fitted prior of :func:`form_model`); lengths not
        listed are forbidden (except one bar, always allowed at a large cost, so that any length fits).
    prior_weight : float, default 0.6
        Weight of the log prior.
    phrase_cost : float, default 0.8
        A constant cost per phrase (larger: fewer, longer phrases).
    span_score : numpy.ndarray, optional
        ``(n + 1, max_len + 1)`` extra score of a phrase starting at bar ``s`` lasting ``L`` bars.
    transition : numpy.ndarray, optional
        ``(max_len + 1, max_len + 1)`` probabilities of a phrase length (column) after a phrase length
        (row; row 0 for the first phrase).  When given it replaces ``prior`` (whose lengths then only
        set ``max_len``): the dynamic programme then tracks the previous phrase's length, so that an
        eight-bar phrase can favour a short link after it, and a link a return to four or eight bars.

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
    p = _phrase_length_prior() if prior is None else prior
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
    if transition is None:
        return _segment_dp(c, score, span)
    t = np.asarray(transition, dtype=float)
    if t.shape != (max_len + 1, max_len + 1):
        raise ValueError(f"transition must have shape {(max_len + 1, max_len + 1)}, got {t.shape}")
    with np.errstate(divide="ignore"):
        trans = prior_weight * np.log(t) - phrase_cost
    trans[:, 0] = -np.inf
    trans[:, 1] = np.maximum(trans[:, 1], -1e6)  # always feasible
    return _segment_dp_bigram(c, np.ascontiguousarray(trans), span)


# ----------------------------------------------------------------------------------------- labels


def _phrase_similarity(ssm: np.ndarray, a: tuple[int, int], b: tuple[int, int]) -> float:
    la, lb = a[1] - a[0], b[1] - b[0]
    n = min(la, lb)
    vals = [ssm[a[0] + k, b[0] + k] for k in range(n)]
    return float(np.mean(vals)) * (n / max(la, lb)) ** 0.5


_UPPER = list("ABCDEFGHJKLMNPQRSTUVWYZ")  # I, O and X are POP909's intro, outro and other


def _letters(
    spans: list[tuple[int, int]], ssm: np.ndarray, melodic: np.ndarray, same: float, variation: float
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
        if best is not None and best_sim >= same:
            labels[i] = best
            letters[i] = best + ("'" if best_sim < variation else "")
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
        Boundary score per bar line of the form (``n_bars + 1``): the fitted weights times the boundary
        features, as the segmentation used them.
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
        """Number of bars in the form (a closing chord's bar, which ``ssm`` still covers, is not one)."""
        return int(self.sections["end_bar"][-1]) if self.sections.size else 0

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
        Overrides of the fitted segmentation scalars (names in :data:`WEIGHT_NAMES`, values in
        ``form_model()["dp"]``).
    prior : dict, optional
        Phrase-length prior; by default the fitted prior and length bigram of :func:`form_model`.

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
    >>> form = analyze_form(make_note_array(on, 1.0, pitch), origin_qn=0.0, bar_qn=4.0, prior={4: 1.0})
    >>> form.sections[["start_bar", "end_bar", "letter"]].tolist()
    [(0, 4, 'A'), (4, 8, 'B')]
    """
    arr = as_note_array(notes)
    if arr.size == 0:
        raise EmptyScoreError("analyze_form: the score has no notes")
    if bar_qn is not None and not bar_qn > 0:
        raise ValueError(f"bar_qn must be > 0, got {bar_qn}")
    prep = _prepare(notes, arr, melody_track, origin_qn, bar_qn, prior)
    unknown = set(weights or {}) - set(WEIGHT_NAMES)
    if unknown:
        raise ValueError(f"unknown weights {sorted(unknown)}; the weights are {list(WEIGHT_NAMES)}")
    return _finish(prep, {**_model()["dp"], **(weights or {})})


def _prepare(notes: Any, arr: np.ndarray, melody_track: Any, origin_qn: float | None, bar_qn: float | None,
             prior: dict[int, float] | None) -> dict[str, Any]:
    """Everything that does not depend on the weights: grid, features, similarity, boundary features."""
    mt = _melody_track(notes, arr, melody_track)
    if origin_qn is None or bar_qn is None:
        o, b = estimate_bar_grid(arr, melody_track=mt)
        origin_qn = o if origin_qn is None else float(origin_qn)
        bar_qn = b if bar_qn is None else float(bar_qn)
    feats = bar_features(arr, origin_qn=origin_qn, bar_qn=bar_qn, melody_track=mt)
    n = feats["energy"].size
    ssm = self_similarity(feats)
    line = melody_line(arr[arr["track"] == mt]) if mt is not None else arr[:0]
    p = _phrase_length_prior() if prior is None else prior
    prep = {
        "mt": mt, "origin_qn": float(origin_qn), "bar_qn": float(bar_qn), "feats": feats, "ssm": ssm, "n": n,
        "pres": (feats["presence"] >= 0.2).astype(float), "prior": p, "learned_prior": prior is None,
        "X": _boundary_features(feats, ssm, line, float(origin_qn), float(bar_qn)),
        "end_bar": _end_bar(arr, float(origin_qn), float(bar_qn), n),
    }
    prep["span"] = _span_features(_repeat_support(ssm, max(p)), prep["pres"])
    return prep


def _end_bar(arr: np.ndarray, origin_qn: float, bar_qn: float, n: int) -> int:
    """The last bar line of the form.

    POP909's annotators end the form on the bar line of the final chord: the bar holding the last onset
    is not counted (``end_offset`` of the model lets an onset a little early count as on the line).  A
    final bar with at least as many onsets as the median bar is a bar of music, not a closing chord, and
    is counted.
    """
    pos = (arr["onset"] - origin_qn) / bar_qn
    last = int(np.floor(float(pos.max()) + _model()["end_offset"]))
    bars = np.floor(pos[pos >= 0] + _model()["end_offset"]).astype(int)
    counts = np.bincount(bars, minlength=last + 1) if bars.size else np.zeros(last + 1, int)
    if last >= 0 and counts[last] >= np.median(counts[counts > 0]):
        last += 1
    return int(np.clip(last, 1, n))


def _finish(prep: dict[str, Any], w: dict[str, float], model: dict[str, Any] | None = None) -> Form:
    """Segment, label and describe, given the prepared song, the weights and the model parameters."""
    m = _model() if model is None else model
    n, ssm, feats, pres, mt = prep["end_bar"], prep["ssm"], prep["feats"], prep["pres"], prep["mt"]
    origin_qn, bar_qn = prep["origin_qn"], prep["bar_qn"]
    bounds, cue = _segment(prep, w, m)
    spans = [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
    melodic = np.array([pres[a:b].mean() >= 0.5 for a, b in spans]) if mt is not None else np.ones(len(spans), bool)
    energy = np.array([feats["energy"][a:b].mean() for a, b in spans])
    letters, labels, sims = _letters(spans, ssm, melodic, m["letters"]["same"], m["letters"]["variation"])
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
    trans_rows = _transitions(feats, feats["backing_rhythm"], section_bounds, origin_qn, bar_qn)
    return Form(rows, ssm, float(origin_qn), float(bar_qn), cue, trans_rows, feats)


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
