"""Metre detection from unlabelled notes: time signature and downbeat phase.

Two stages.  A classifier first tells duple from triple metre: logistic regression on accent
autocorrelations in the manner of Toiviainen & Eerola (2006, doi:10.1121/1.2146084), with motivic
repetition, the length of the piece and template fits as further features (:func:`meter_features`).
Its coefficients ship in ``data/meter_classifier.json``, fitted by ``benchmarks/fit_meter_classifier.py``
on two thirds of music21's Essen folk-song collection files and tested on the other third (see that
file's ``training`` and ``heldout`` records).  Then, among the candidate metres on the chosen side, the
time signature and the downbeat phase come from template matching: every note adds an accent at its
onset (one, plus its length: the time to the next onset, at most a bar; long notes weigh more, Povel &
Essens 1985, doi:10.2307/40285311), and for every candidate metre and every phase on a sixteenth-note
grid the accent signal is correlated (Pearson) with the metre's three-level template tiled over the
piece; the best pair wins.  Candidates are first narrowed to the denominators whose note value is
nearest the median inter-onset interval (see ``unit``).  ``method="template"`` skips the classifier (the
earlier detector).  The confidence is the classifier's
probability for the chosen side times the winner's softmax share among that side's candidates.

Duple and triple are told apart far more reliably than 2/4 from 4/4 (which differ only in how often a
heavier downbeat recurs); ``benchmarks/bench_meter.py`` reports both, on held-out Essen tunes, POP909 and
Groove MIDI.  Most remaining Essen errors are notational: 3/8 tunes whose bars pair into 6/8, and 6/4
tunes written as pairs of 3/4 bars.

Examples
--------
>>> import numpy as np
>>> from harmonia.theory.notearray import make_note_array
>>> bars = [np.array([0.0, 2.0, 3.0, 4.0, 5.0]) + 6.0 * k for k in range(6)]  # a waltz: half-quarter, 3 quarters
>>> on = np.concatenate(bars)
>>> notes = make_note_array(onset=on, duration=np.tile([2.0, 1, 1, 1, 1], 6), pitch=np.tile([67, 64, 65, 67, 69], 6))
>>> est = estimate_meter(notes)
>>> est["duple"], est["time_signature"]
(False, '3/4')
"""

from __future__ import annotations

import numpy as np

from harmonia.errors import EmptyScoreError, InvalidScoreError
from harmonia.theory.meter import beat_period, parse_meter
from harmonia.theory.notearray import as_note_array

__all__ = [
    "CANDIDATES",
    "FEATURE_BARS_QN",
    "FEATURE_LAGS_IOI",
    "FEATURE_LAGS_QN",
    "FEATURE_METRES",
    "FEATURE_RATIOS",
    "classifier_inputs",
    "estimate_meter",
    "feature_names",
    "meter_features",
    "onset_accents",
    "triple_probability",
]

#: Candidate metres (numerator, denominator).  3/8 is left out: it differs from 6/8 only by how often a
#: heavier bar line recurs, which the accents rarely show, and 6/8 is far more common.
CANDIDATES: tuple[tuple[int, int], ...] = (
    (2, 1), (3, 1), (4, 1), (2, 2), (3, 2), (4, 2), (2, 4), (3, 4), (4, 4), (6, 8), (9, 8), (12, 8),
)  # fmt: skip
_STEP = 0.25  # grid step in quarter notes

#: Lags (quarter notes) of the autocorrelation features of :func:`meter_features`.
FEATURE_LAGS_QN: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 9.0, 12.0, 16.0)
#: Lags in multiples of the median inter-onset interval.
FEATURE_LAGS_IOI: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24)
#: Pairs of lags (multiples of the median inter-onset interval) whose autocorrelations are compared.
FEATURE_RATIOS: tuple[tuple[int, int], ...] = ((3, 2), (3, 4), (6, 4), (6, 8), (9, 8), (12, 8), (12, 16), (6, 2))
#: Bar lengths (quarter notes) that the length of a piece is tested against.
FEATURE_BARS_QN: tuple[float, ...] = (1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
#: Metres whose templates are fitted to every accent signal.
FEATURE_METRES: tuple[tuple[int, int], ...] = (
    (2, 4), (3, 4), (4, 4), (6, 8), (3, 8), (9, 8), (12, 8), (2, 2), (3, 2), (4, 2), (6, 4),
)  # fmt: skip
_SIGNALS = ("onset", "duration", "melodic")


def feature_names() -> list[str]:
    """Names of the values of :func:`meter_features`, in order."""
    names = [f"ac_{s}_{lag:g}qn" for s in _SIGNALS for lag in FEATURE_LAGS_QN]
    names += [f"ac_{s}_{m}ioi" for s in _SIGNALS for m in FEATURE_LAGS_IOI]
    names += [f"log_ac_{s}_{a}ioi_over_{b}ioi" for s in _SIGNALS for a, b in FEATURE_RATIOS]
    names += [f"pitch_repeat_{lag:g}qn" for lag in FEATURE_LAGS_QN]
    names += [f"length_fits_{bar:g}qn" for bar in FEATURE_BARS_QN]
    names += [f"template_{n}_{d}_{s}" for n, d in FEATURE_METRES for s in _SIGNALS]
    return names


def _accent_signals(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Three accent signals on the sixteenth grid, shape (3, steps) (onset, duration, melodic), and the top
    pitch at each step (-1 where nothing starts)."""
    t = np.round((arr["onset"] - arr["onset"].min()) / _STEP).astype(np.int64)
    uniq, inv = np.unique(t, return_inverse=True)
    top = np.full(uniq.size, -1.0)
    np.maximum.at(top, inv, arr["pitch"].astype(np.float64))
    ioi = np.minimum(np.diff(np.append(uniq, uniq[-1] + 16)) * _STEP, 4.0)
    d_prev = np.diff(top, prepend=top[0])
    d_next = np.diff(top, append=top[-1])
    turn = ((d_prev > 0) & (d_next < 0)) | ((d_prev < 0) & (d_next > 0))  # contour peaks and valleys
    melodic = 1.0 + turn + (np.abs(d_prev) >= 3)  # after Thomassen (1982): turns and leaps are heard as accents
    sig = np.zeros((3, int(uniq[-1]) + 1))
    sig[0, uniq] = 1.0
    sig[1, uniq] = ioi
    sig[2, uniq] = melodic
    pitch = np.full(sig.shape[1], -1.0)
    pitch[uniq] = top
    return sig, pitch


def _autocorr(sig: np.ndarray, k: int) -> np.ndarray:
    """Autocorrelation of each row at lag ``k`` steps over its lag-0 value (0 past the end)."""
    if k >= sig.shape[1] or k <= 0:
        return np.zeros(sig.shape[0])
    return (sig[:, :-k] * sig[:, k:]).sum(axis=1) / np.maximum((sig * sig).sum(axis=1), 1e-12)


def _template_fits(sig: np.ndarray) -> np.ndarray:
    """Best-phase correlation of every signal with every :data:`FEATURE_METRES` template (metre-major)."""
    n_sig, n = sig.shape
    sd = sig.std(axis=1) + 1e-12
    out = np.zeros((len(FEATURE_METRES), n_sig))
    for i, (num, den) in enumerate(FEATURE_METRES):
        tpl = _template(num, den)
        g = tpl.size
        if g > n:
            continue
        m = n - n % g
        fold = sig[:, :m].reshape(n_sig, m // g, g).sum(axis=1)  # each signal folded onto one bar
        tz = (tpl - tpl.mean()) / tpl.std()
        phases = np.stack([np.roll(fold, -ph, axis=1) @ tz for ph in range(g)], axis=1)
        out[i] = phases.max(axis=1) / m / sd
    return out.ravel()


def meter_features(notes) -> np.ndarray:
    """Features for metre classification, after Toiviainen & Eerola (2006).

    Three accent signals on a sixteenth-note grid: an onset; its duration (time to the next onset, capped
    at 4 quarter notes); a melodic accent for contour turns and leaps of three semitones or more in the
    top voice (after Thomassen 1982).  Loudness is left out: the training melodies carry none (an earlier
    logistic fit that also read MIDI velocities scored 59 % duple/triple on POP909; the shipped model, 97 %).
    From them, in the order of :func:`feature_names`:

    - autocorrelations at the lags :data:`FEATURE_LAGS_QN` (quarter notes) and :data:`FEATURE_LAGS_IOI`
      (multiples of the median inter-onset interval), each over its lag-0 value;
    - log ratios of autocorrelations at the lag pairs :data:`FEATURE_RATIOS` (3 against 2 beats ...);
    - how often the top pitch repeats at each :data:`FEATURE_LAGS_QN` lag (motivic repetition);
    - whether the length of the piece is a whole number of bars of :data:`FEATURE_BARS_QN` quarter notes;
    - the best-phase correlation of each signal with the template of each :data:`FEATURE_METRES` metre.

    Parameters
    ----------
    notes : note array or anything :func:`~harmonia.theory.notearray.as_note_array` accepts

    Returns
    -------
    numpy.ndarray
        ``float64`` vector, ``len(feature_names())`` values.

    References
    ----------
    Toiviainen, P. & Eerola, T. (2006). Autocorrelation in meter induction: the role of accent structure.
    *Journal of the Acoustical Society of America* 119(2), 1164-1170. doi:10.1121/1.2146084

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> waltz = make_note_array(onset=np.arange(0, 24, 1.0), duration=np.ones(24), pitch=np.tile([72, 60, 60], 8))
    >>> f = dict(zip(feature_names(), meter_features(waltz)))
    >>> bool(f["ac_melodic_3qn"] > f["ac_melodic_2qn"])  # a melodic accent every three beats
    True
    """
    arr = as_note_array(notes)
    if arr.size == 0:
        raise EmptyScoreError("meter_features needs at least one note")
    sig, pitch = _accent_signals(arr)
    lag = [int(round(q / _STEP)) for q in FEATURE_LAGS_QN]
    uniq = np.unique(arr["onset"])
    med = float(np.median(np.diff(uniq))) if uniq.size > 1 else 1.0
    u = max(1, int(round(med / _STEP)))
    parts = [np.stack([_autocorr(sig, k) for k in lag], axis=1).ravel()]
    parts.append(np.stack([_autocorr(sig, u * m) for m in FEATURE_LAGS_IOI], axis=1).ravel())
    parts.append(
        np.stack(
            [np.log((_autocorr(sig, u * a) + 0.01) / (_autocorr(sig, u * b) + 0.01)) for a, b in FEATURE_RATIOS],
            axis=1,
        ).ravel()
    )
    n_on = max(int((pitch >= 0).sum()), 1)
    rep = []
    for k in lag:
        a, b = (pitch[:-k], pitch[k:]) if k < pitch.size else (pitch[:0], pitch[:0])
        rep.append(float(np.sum((a >= 0) & (a == b))) / n_on)
    parts.append(np.array(rep))
    length = float((arr["onset"] + arr["duration"]).max() - arr["onset"].min())
    fits = [(length / bar) % 1.0 for bar in FEATURE_BARS_QN]
    parts.append(np.array([float(min(r, 1.0 - r) < 1e-6) for r in fits]))
    parts.append(_template_fits(sig))
    return np.concatenate(parts)


def onset_accents(onset_qn: np.ndarray, *, velocity: np.ndarray | None = None, cap_qn: float = 4.0) -> np.ndarray:
    """Accent signal on a sixteenth-note grid: one per onset plus the time to the next onset (capped).

    Parameters
    ----------
    onset_qn : numpy.ndarray
        Onsets in quarter notes (any order; simultaneous onsets merge).
    velocity : numpy.ndarray, optional
        Velocities (0-127); when given, each accent is scaled by ``0.5 + velocity / 127``.
    cap_qn : float
        Longest inter-onset interval counted.

    Returns
    -------
    numpy.ndarray
        ``float64`` accent per grid step from the first onset's grid step.

    Examples
    --------
    >>> onset_accents(np.array([0.0, 1.0, 1.5])).tolist()
    [2.0, 0.0, 0.0, 0.0, 1.5, 0.0, 1.25]
    """
    idx = np.round(np.asarray(onset_qn, dtype=np.float64) / _STEP).astype(np.int64)
    base = idx.min()
    idx = idx - base
    sig = np.zeros(int(idx.max()) + 1)
    scale = np.ones(idx.size) if velocity is None else 0.5 + np.asarray(velocity, dtype=np.float64) / 127.0
    np.maximum.at(sig, idx, scale)  # onset presence (loudest note at the step)
    u = np.unique(idx)
    ioi = np.diff(np.append(u, u[-1] + 1)) * _STEP
    sig[u] += np.minimum(ioi, cap_qn)
    return sig


def _template(num: int, den: int) -> np.ndarray:
    """Three-level template (bar 3, beat 2, beat division 1, else 0), comparable across bar lengths."""
    bar_qn = num * 4.0 / den
    g = int(round(bar_qn / _STEP))
    meter = f"{num}/{den}"
    beat = beat_period(meter, grid=g)
    groups, _ = parse_meter(meter)
    compound = groups[0] == 3
    div = beat // 3 if compound else beat // 2
    pos = np.arange(g)
    tpl = np.zeros(g)
    if div > 0:
        tpl[pos % div == 0] = 1.0
    tpl[pos % beat == 0] = 2.0
    tpl[0] = 3.0
    return tpl


def _unit_candidates(onset_qn: np.ndarray, candidates) -> list[tuple[int, int]]:
    """Keep the metres whose denominator's note value is nearest the median inter-onset interval
    (quarters and eighths stay together: 6/8 competes with 2/4 and 3/4)."""
    on = np.unique(onset_qn)
    if on.size < 2:
        return list(candidates)
    med = float(np.median(np.diff(on)))
    dens = np.array(sorted({d for _, d in candidates}))
    best = int(dens[np.argmin(np.abs(np.log((4.0 / dens) / med)))])
    family = {4, 8} if best in (4, 8) else {best}
    kept = [c for c in candidates if c[1] in family]
    return kept or list(candidates)


def _template_scores(arr: np.ndarray, candidates) -> dict[tuple[int, int], tuple[float, int]]:
    """Best Pearson correlation of the accent signal with each candidate's template, and its phase."""
    sig = onset_accents(arr["onset"], velocity=arr["velocity"])
    n = sig.size
    out = {}
    for num, den in candidates:
        tpl = _template(num, den)
        g = tpl.size
        tiled = np.tile(tpl, n // g + 2)
        best, best_ph = -np.inf, 0
        for ph in range(g):
            t = tiled[ph : ph + n]
            r = 0.0 if sig.std() == 0 or t.std() == 0 else float(np.corrcoef(sig, t)[0, 1])
            if r > best:
                best, best_ph = r, ph
        out[(num, den)] = (best, best_ph)
    return out


def _is_duple(num: int, den: int) -> bool:
    beats = num // 3 if (den == 8 and num % 3 == 0 and num > 3) else num
    return beats % 2 == 0


def _template_margin(scored: dict) -> float:
    """Best triple template score minus best duple one (0 when a side has no candidate)."""
    tri = [v[0] for k, v in scored.items() if not _is_duple(*k)]
    du = [v[0] for k, v in scored.items() if _is_duple(*k)]
    return float(max(tri) - max(du)) if tri and du else 0.0


_CLASSIFIER: dict | None = None


def _classifier() -> dict:
    """The shipped duple/triple logistic regression (``data/meter_classifier.json``), loaded once."""
    global _CLASSIFIER
    if _CLASSIFIER is None:
        import json
        from importlib.resources import files

        _CLASSIFIER = json.loads(files("harmonia.theory").joinpath("data/meter_classifier.json").read_text())
    return _CLASSIFIER


def classifier_inputs(arr: np.ndarray, scored: dict) -> np.ndarray:
    """Feature vector of the classifier: :func:`meter_features` and the template margin."""
    return np.append(meter_features(arr), _template_margin(scored))


def triple_probability(x: np.ndarray, model: dict | None = None) -> float:
    """Probability that a piece is in triple metre from its :func:`classifier_inputs`."""
    m = _classifier() if model is None else model
    z = (x - np.asarray(m["mean"])) / np.asarray(m["scale"])
    if m.get("kind", "logistic") == "logistic":
        logit = float(z @ np.asarray(m["coef"]) + m["intercept"])
    else:  # one hidden tanh layer
        logit = float(np.tanh(z @ np.asarray(m["w1"]) + np.asarray(m["b1"])) @ np.asarray(m["w2"]) + m["b2"])
    return float(1.0 / (1.0 + np.exp(-logit)))


def estimate_meter(notes, *, candidates=CANDIDATES, unit: str = "auto", method: str = "classifier") -> dict:
    """Estimate the time signature and the downbeat phase of unlabelled notes.

    Parameters
    ----------
    notes : note array or anything :func:`~harmonia.theory.notearray.as_note_array` accepts
        Onsets in quarter notes (the notated beat unit is taken as given).
    candidates : sequence of (int, int)
        Metres to choose from.
    unit : {"auto", "all"}
        ``"auto"`` first keeps the candidates whose denominator's note value is nearest the median
        inter-onset interval (the typical note is taken to be the notated beat unit: 4/2 rather than 4/4
        for a tune in half and quarter notes; quarter and eighth denominators compete together);
        ``"all"`` compares every candidate.
    method : {"classifier", "template"}
        ``"classifier"``: the duple/triple classifier picks the side, templates the metre within it;
        ``"template"``: templates alone (the earlier detector).

    Returns
    -------
    dict
        ``time_signature`` ("3/4"), ``numerator``, ``denominator``, ``phase_qn`` (first downbeat at or
        after the first onset, in quarter notes), ``confidence`` (the classifier's probability for the
        chosen side, when used, times the softmax share of the winner), ``duple`` (True for 2, 4, 6, 12
        beats), ``compound``, ``p_triple`` (the classifier's probability of triple metre, None when it
        was not used), and ``scores`` per candidate.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> on = np.array([0, 1, 1.5, 2, 3, 4, 5, 5.5, 6, 7.0])
    >>> est = estimate_meter(make_note_array(onset=on, duration=np.ones(10), pitch=np.full(10, 60)))
    >>> est["duple"]
    True
    """
    arr = as_note_array(notes)
    if arr.size == 0:
        raise EmptyScoreError("estimate_meter needs at least one note")
    if unit == "auto":
        candidates = _unit_candidates(arr["onset"], candidates)
    elif unit != "all":
        raise InvalidScoreError(f"unit={unit!r}: expected 'auto' or 'all'")
    if method not in ("classifier", "template"):
        raise InvalidScoreError(f"method={method!r}: expected 'classifier' or 'template'")
    scored = _template_scores(arr, candidates)
    p_triple = None
    pool = scored
    if method == "classifier":
        p_triple = triple_probability(classifier_inputs(arr, scored))
        side = {k: v for k, v in scored.items() if _is_duple(*k) == (p_triple < 0.5)}
        pool = side or scored
    (num, den), (_, ph) = max(pool.items(), key=lambda kv: kv[1][0])
    first = float(np.round(arr["onset"].min() / _STEP) * _STEP)
    g = _template(num, den).size
    phase_qn = first + ((g - ph) % g) * _STEP
    vals = np.array([v[0] for v in pool.values()])
    share = float(1.0 / np.exp(20.0 * (vals - vals.max())).sum())
    duple = _is_duple(num, den)
    conf = share if p_triple is None else share * (1.0 - p_triple if duple else p_triple)
    return {
        "time_signature": f"{num}/{den}",
        "numerator": num,
        "denominator": den,
        "phase_qn": phase_qn,
        "confidence": conf,
        "duple": duple,
        "compound": den == 8 and num % 3 == 0 and num > 3,
        "p_triple": p_triple,
        "scores": {f"{k[0]}/{k[1]}": v[0] for k, v in scored.items()},
    }
