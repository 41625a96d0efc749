"""Local keys over time: a hidden Markov model over the 24 major and minor keys.

Each chord span (see :mod:`harmonia.theory.segment`) is an observation.  Its evidence for a key combines

* the pitch classes that sound in it, scored with a key profile used as a probability of each scale
  degree being present (Temperley's Bayesian key model [1]_, after Krumhansl's key profiles [2]_), and
* the chord itself: diatonic chords of the key are expected, applied dominants and leading-tone chords of
  the key's diatonic triads less so, anything else least (this keeps a lone ``V/V`` a tonicization
  instead of a modulation).

Both are weighted by the span's duration, so a key must be confirmed by time and not by one chord.
Viterbi decoding then finds the most likely sequence of keys, where a modulation costs more when it goes
to a key that is not closely related (one whose signature differs by more than one accidental), and
where a new key may be required to hold a least number of harmonies (a semi-Markov model with a minimum
segment length, :func:`segment_viterbi`): one chord alone is a tonicization, not a modulation.  Keys are
indexed 0-23: ``tonic_pc`` for major keys and ``12 + tonic_pc`` for minor keys.

References
----------
.. [1] D. Temperley, *Music and Probability*. MIT Press, 2007, ch. 4 (the key model this follows).
.. [2] C. L. Krumhansl, *Cognitive Foundations of Musical Pitch*. Oxford University Press, 1990.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit

__all__ = [
    "chord_key_fit",
    "closely_related",
    "decode_keys",
    "key_index",
    "key_transition_cost",
    "presence_loglik",
    "segment_viterbi",
    "viterbi",
]

# Chords expected in each mode, as (root interval above the tonic, quality names). Minor mode admits the
# chords of the natural, harmonic and melodic forms.
_DIATONIC = {
    "major": {0: ("maj", "maj7"), 2: ("min", "min7"), 4: ("min", "min7"), 5: ("maj", "maj7"),
              7: ("maj", "dom7"), 9: ("min", "min7"), 11: ("dim", "hdim7")},
    "minor": {0: ("min", "min7"), 2: ("dim", "hdim7", "min", "min7"), 3: ("maj", "maj7", "aug"),
              5: ("min", "min7", "maj", "dom7"), 7: ("maj", "dom7", "min", "min7"), 8: ("maj", "maj7"),
              9: ("dim", "hdim7"), 10: ("maj", "dom7"), 11: ("dim", "dim7", "hdim7")},
}
_APPLIED = ("maj", "dom7", "dim", "dim7", "hdim7")  # dominant-function chords that tonicize a degree
# Modal chords of each mode (root interval above the tonic: qualities): the mixolydian bVII of a major key,
# and the phrygian bII of a minor key (the Neapolitan's root).  The dorian IV of a minor key and the
# lydian II of a major key are already counted (melodic minor's IV, V/V).
_MODAL = {"major": {10: ("maj", "dom7")}, "minor": {1: ("maj", "maj7")}}


#: _DEGREE_OF[tonic, pc] = scale degree (semitones above the tonic) of pitch class pc
_DEGREE_OF = (np.arange(12)[None, :] - np.arange(12)[:, None]) % 12


def key_index(tonic_pc: int, mode: str) -> int:
    """Index (0-23) of a key: major keys 0-11 by tonic, minor keys 12-23.

    Examples
    --------
    >>> key_index(9, "minor"), key_index(7, "major")
    (21, 7)
    """
    return int(tonic_pc) % 12 + (12 if mode == "minor" else 0)


def chord_key_fit(
    names: tuple[str, ...], *, applied: float = -1.0, other: float = -2.5, modal: float | None = None
) -> np.ndarray:
    """Log-weight of each chord (quality index x root pc) in each of the 24 keys.

    Diatonic chords get 0, chords that act as dominant (major, dominant seventh) or leading-tone chord
    (diminished, half- and fully-diminished seventh) of a diatonic major or minor triad get ``applied``,
    everything else ``other``.  With ``modal``, the modal chords of each mode get at least ``modal``:
    ``bVII`` in major (mixolydian, among the commonest chords of rock: de Clercq and Temperley,
    *Popular Music* 30(1), 2011, https://doi.org/10.1017/S026114301000067X) and ``bII`` in minor
    (phrygian, and the Neapolitan's root).

    Parameters
    ----------
    names : tuple of str
        Quality names, as in :class:`harmonia.theory.segment.ChordVocabulary`.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(names), 12, 24)``.
    """
    out = np.full((len(names), 12, 24), float(other))
    for k in range(24):
        tonic, mode = k % 12, ("major" if k < 12 else "minor")
        table = _DIATONIC[mode]
        targets = [d for d, quals in table.items() if any(q in ("maj", "min") for q in quals)]
        for q, name in enumerate(names):
            for r in range(12):
                degree = (r - tonic) % 12
                if name in table.get(degree, ()):
                    out[q, r, k] = 0.0
                    continue
                if modal is not None and name in _MODAL[mode].get(degree, ()):
                    out[q, r, k] = max(out[q, r, k], modal)
                if name in _APPLIED and degree != 0:
                    # root a fifth above (V of) or a semitone below (viio of) a diatonic triad's root
                    for d in targets:
                        if d == 0:
                            continue
                        if name in ("maj", "dom7") and (d + 7) % 12 == degree:
                            out[q, r, k] = max(out[q, r, k], applied)
                        if name in ("dim", "dim7", "hdim7") and (d - 1) % 12 == degree:
                            out[q, r, k] = max(out[q, r, k], applied)
    return out


def presence_loglik(presence: np.ndarray, profile: np.ndarray, *, weights: np.ndarray | None = None) -> np.ndarray:
    """Log-likelihood of pitch-class presence vectors under each of the 24 keys.

    Parameters
    ----------
    presence : numpy.ndarray
        Shape ``(n, 12)``, in [0, 1]: how present each pitch class is in each observation.
    profile : numpy.ndarray
        Shape ``(2, 12)``: probability that each scale degree (from the tonic) is present, major then minor.
    weights : numpy.ndarray, optional
        Shape ``(n, 12)``: how much each pitch class of each observation counts (default 1; 0 leaves a
        pitch class out of that observation's evidence, e.g. a chord's colour seventh).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 24)``.
    """
    p = np.clip(np.asarray(profile, dtype=float), 1e-3, 1 - 1e-3)
    # rolled[k, pc] = probability that pitch class pc is present in key k (degree pc - tonic)
    rolled = np.concatenate([p[0][_DEGREE_OF], p[1][_DEGREE_OF]])
    x = np.asarray(presence, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    return (x * w) @ np.log(rolled).T + ((1 - x) * w) @ np.log(1 - rolled).T


@njit(cache=True)
def _viterbi_kernel(emission, cost):  # pragma: no cover - compiled
    n, k = emission.shape
    score = emission[0].copy()
    back = np.zeros((n, k), dtype=np.int64)
    new = np.empty(k)
    for t in range(1, n):
        for j in range(k):
            best = -np.inf
            arg = 0
            for i in range(k):
                v = score[i] - cost[i, j]
                if v > best:
                    best = v
                    arg = i
            new[j] = best + emission[t, j]
            back[t, j] = arg
        score[:] = new
    path = np.zeros(n, dtype=np.int64)
    path[n - 1] = np.argmax(score)
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


@njit(cache=True)
def _segment_viterbi_kernel(emission, cost, units, min_units):  # pragma: no cover - compiled
    n, k = emission.shape
    cum = np.zeros((n + 1, k))
    for t in range(n):
        cum[t + 1] = cum[t] + emission[t]
    ucum = np.zeros(n + 1)
    for t in range(n):
        ucum[t + 1] = ucum[t] + units[t]
    # start[i, j]: best score of spans [0, i) followed by a new segment in key j starting at i
    start = np.full((n + 1, k), -np.inf)
    start_from = np.zeros((n + 1, k), dtype=np.int64)
    best = np.full((n + 1, k), -np.inf)
    best_from = np.zeros((n + 1, k), dtype=np.int64)
    run = np.full(k, -np.inf)  # prefix max over admissible starts of start[i, j] - cum[i, j]
    run_at = np.zeros(k, dtype=np.int64)
    start[0, :] = 0.0
    nxt = 0  # next start index not yet folded into run
    for t in range(1, n + 1):
        # fold in starts i whose segment [i, t) holds enough units (the first segment may be short)
        while nxt < t and (nxt == 0 or ucum[t] - ucum[nxt] >= min_units):
            for j in range(k):
                v = start[nxt, j] - cum[nxt, j]
                if v > run[j]:
                    run[j] = v
                    run_at[j] = nxt
            nxt += 1
        for j in range(k):
            if t == n:  # the last segment may be short: any start counts
                bv = run[j]
                bi = run_at[j]
                for i in range(nxt, t):
                    v = start[i, j] - cum[i, j]
                    if v > bv:
                        bv = v
                        bi = i
            else:
                bv = run[j]
                bi = run_at[j]
            best[t, j] = cum[t, j] + bv
            best_from[t, j] = bi
        if t < n:
            for j in range(k):
                b = -np.inf
                a = 0
                for i in range(k):
                    if i == j:
                        continue
                    v = best[t, i] - cost[i, j]
                    if v > b:
                        b = v
                        a = i
                start[t, j] = b
                start_from[t, j] = a
    path = np.zeros(n, dtype=np.int64)
    j = 0
    for q in range(k):
        if best[n, q] > best[n, j]:
            j = q
    t = n
    while t > 0:
        i = best_from[t, j]
        for u in range(i, t):
            path[u] = j
        if i > 0:
            j = start_from[i, j]
        t = i
    return path


def viterbi(emission: np.ndarray, *, switch_cost: float | np.ndarray) -> np.ndarray:
    """Most likely state sequence when moving from state i to state j costs ``switch_cost[i, j]``.

    Parameters
    ----------
    emission : numpy.ndarray
        ``(n, k)`` log-evidence of each state at each step.
    switch_cost : float or numpy.ndarray
        The cost of any change of state, or a ``(k, k)`` matrix of costs (log units; the diagonal should
        be 0).

    Examples
    --------
    >>> e = np.array([[0.0, -5], [0.0, -5], [-1, 0.0], [0.0, -5]])
    >>> viterbi(e, switch_cost=3.0).tolist()
    [0, 0, 0, 0]
    >>> viterbi(e, switch_cost=0.25).tolist()
    [0, 0, 1, 0]
    """
    if np.shape(emission)[0] == 0:
        return np.zeros(0, dtype=np.int64)
    e, cost = _viterbi_inputs(emission, switch_cost)
    return _viterbi_kernel(e, cost)


def _viterbi_inputs(emission: np.ndarray, switch_cost: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous float emissions and a (k, k) switch-cost matrix (a scalar: that cost off the diagonal)."""
    e = np.ascontiguousarray(emission, dtype=float)
    cost = np.asarray(switch_cost, dtype=float)
    if cost.ndim == 0:
        cost = np.full((e.shape[1], e.shape[1]), float(cost))
        np.fill_diagonal(cost, 0.0)
    if cost.shape != (e.shape[1], e.shape[1]):
        raise ValueError(f"switch_cost must be a scalar or a {e.shape[1]}x{e.shape[1]} matrix, got {cost.shape}")
    return e, np.ascontiguousarray(cost)


def segment_viterbi(
    emission: np.ndarray, *, switch_cost: float | np.ndarray, units: np.ndarray, min_units: float
) -> np.ndarray:
    """Like :func:`viterbi`, but every run of one state except the first and the last must hold at least
    ``min_units`` units (a semi-Markov model with a minimum segment length).

    Parameters
    ----------
    emission : numpy.ndarray
        ``(n, k)`` log-evidence of each state at each step.
    switch_cost : float or numpy.ndarray
        As in :func:`viterbi`.
    units : numpy.ndarray
        ``(n,)`` non-negative weight of each step (the key HMM counts 1 for a span that starts a new
        harmony, 0 for one that only re-voices it).
    min_units : float
        Least total weight of an inner run.

    Examples
    --------
    >>> e = np.array([[0.0, -5], [0.0, -5], [-5, 0.0], [0.0, -5], [0.0, -5]])
    >>> viterbi(e, switch_cost=1.0).tolist()
    [0, 0, 1, 0, 0]
    >>> segment_viterbi(e, switch_cost=1.0, units=np.ones(5), min_units=2).tolist()
    [0, 0, 0, 0, 0]
    """
    if np.shape(emission)[0] == 0:
        return np.zeros(0, dtype=np.int64)
    e, cost = _viterbi_inputs(emission, switch_cost)
    u = np.ascontiguousarray(units, dtype=float)
    if u.shape != (e.shape[0],):
        raise ValueError(f"units must have one weight per step ({e.shape[0]}), got shape {u.shape}")
    return _segment_viterbi_kernel(e, cost, u, float(min_units))


def closely_related(a: int, b: int) -> bool:
    """Whether keys ``a`` and ``b`` (indices 0-23) are closely related.

    The close keys of a key are its relative, its dominant and subdominant, the relative's dominant and
    subdominant (the keys whose signatures differ by at most one accidental), and its parallel key.

    Examples
    --------
    >>> C = key_index(0, "major")
    >>> G, a, e, c, F_sharp = (key_index(7, "major"), key_index(9, "minor"), key_index(4, "minor"),
    ...                        key_index(0, "minor"), key_index(6, "major"))
    >>> [closely_related(C, k) for k in (G, a, e, c, F_sharp)]
    [True, True, True, True, False]
    """
    ta, tb = a % 12, b % 12
    minor_a, minor_b = a >= 12, b >= 12
    if ta == tb:
        return True  # the same key or its parallel
    # key signatures, as the line-of-fifths position (mod 12) of the relative major's tonic
    sig_a = ((ta + 3 * minor_a) * 7) % 12
    sig_b = ((tb + 3 * minor_b) * 7) % 12
    return (sig_a - sig_b) % 12 in (0, 1, 11)


@functools.lru_cache(maxsize=8)
def key_transition_cost(*, close: float = 4.0, far: float = 8.0) -> np.ndarray:
    """``(24, 24)`` modulation costs: ``close`` between closely related keys, ``far`` otherwise."""
    out = np.array(
        [[0.0 if a == b else (close if closely_related(a, b) else far) for b in range(24)] for a in range(24)]
    )
    out.flags.writeable = False
    return out


def decode_keys(
    presence: np.ndarray,
    duration_qn: np.ndarray,
    chord_fit: np.ndarray,
    *,
    profile: np.ndarray,
    switch_cost: float | np.ndarray | None = None,
    chord_weight: float = 0.5,
    units: np.ndarray | None = None,
    min_units: float = 0.0,
    pc_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Local key of every observation (chord span).

    Parameters
    ----------
    presence : numpy.ndarray
        ``(n, 12)`` pitch-class presence of each span.
    duration_qn : numpy.ndarray
        ``(n,)`` span lengths in quarter notes (evidence is scaled by them).
    chord_fit : numpy.ndarray
        ``(n, 24)`` log-weight of each span's chord in each key (rows of :func:`chord_key_fit`).
    profile : numpy.ndarray
        ``(2, 12)`` presence profile (see :func:`presence_loglik`).
    switch_cost : float or numpy.ndarray, optional
        Cost of a modulation, in the units of one quarter note of evidence: a scalar, or a ``(24, 24)``
        matrix; by default :func:`key_transition_cost` (4 to a closely related key, 8 to others).
    chord_weight : float, default 0.5
        Weight of the chord term against the pitch-class term.
    units, min_units : numpy.ndarray, float
        With ``min_units > 0``, every key region but the first and the last must hold at least
        ``min_units`` of the spans' ``units`` (default one per span; see :func:`segment_viterbi`).
    pc_weights : numpy.ndarray, optional
        ``(n, 12)`` weight of each pitch class in each span's evidence (see :func:`presence_loglik`).

    Returns
    -------
    numpy.ndarray of int
        Key index (0-23) per span.
    """
    loglik = presence_loglik(presence, profile, weights=pc_weights)
    emission = (loglik + chord_weight * chord_fit) * np.asarray(duration_qn)[:, None]
    cost = key_transition_cost() if switch_cost is None else switch_cost
    if min_units > 0:
        u = np.ones(emission.shape[0]) if units is None else units
        return segment_viterbi(emission, switch_cost=cost, units=u, min_units=min_units)
    return viterbi(emission, switch_cost=cost)
