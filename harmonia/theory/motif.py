"""Repeated-pattern (motif) discovery over (onset, pitch) points: SIA, SIATEC and COSIATEC.

A piece is a set of points ``(onset_qn, pitch)``.  Meredith, Lemström & Wiggins' SIA [1]_ finds, for every
translation vector ``v`` (a shift in time and pitch), the *maximal translatable pattern*: all the points that
``v`` maps onto other points of the piece.  SIATEC then finds each pattern's *translational equivalence
class*: every vector that maps the whole pattern into the piece, i.e. all its occurrences.  COSIATEC [2]_
keeps the best class, removes the points it covers, and repeats, so the result explains the piece with few
patterns.  A class is rated by its compression ratio (points covered over the points plus vectors needed to
describe them), then by how compact the pattern is in time.

Pitches are MIDI numbers (chromatic), so occurrences may be transposed; time shifts are exact on a grid of
1/``resolution`` quarter notes.  The vector table is computed with numpy sorts and the translator search in
numba, so a 2,000-note movement takes seconds.

Results use the format of ``mir_eval.pattern``: a list of patterns, each a list of occurrences, each a list
of ``(onset, pitch)`` pairs.

References
----------
.. [1] D. Meredith, K. Lemström and G. A. Wiggins, "Algorithms for discovering repeated patterns in
   multidimensional representations of polyphonic music," *Journal of New Music Research* 31(4), 2002,
   pp. 321-345. https://doi.org/10.1076/jnmr.31.4.321.14162
.. [2] D. Meredith, "COSIATEC and SIATECCompress: Pattern discovery by geometric compression,"
   *MIREX*, 2013.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from harmonia.theory.notearray import as_note_array

__all__ = ["discover", "maximal_translatable_patterns"]

_PITCH_SPAN = 512  # pitch differences are offset by 256 in the vector key


def _points(notes: Any, resolution: int) -> np.ndarray:
    arr = as_note_array(notes)
    t = np.rint(arr["onset"] * resolution).astype(np.int64)
    p = arr["pitch"].astype(np.int64)
    key = np.unique(t * 256 + p)  # sorted, duplicates merged
    return np.stack([key // 256, key % 256], axis=1)


def maximal_translatable_patterns(
    points: np.ndarray, *, min_size: int = 3
) -> list[tuple[tuple[int, int], np.ndarray]]:
    """SIA: every vector with the indices of the points it maps into the set (at least ``min_size``).

    Parameters
    ----------
    points : numpy.ndarray
        ``(n, 2)`` integer points (time in grid steps, pitch), sorted lexicographically and unique.
    min_size : int, default 3
        Smallest pattern kept.

    Returns
    -------
    list of (vector, indices)
        Vectors are ``(dt, dp)`` with ``dt > 0`` or ``dt == 0 and dp > 0``.
    """
    n = points.shape[0]
    i, j = np.triu_indices(n, k=1)
    dt = points[j, 0] - points[i, 0]
    dp = points[j, 1] - points[i, 1]
    key = dt * _PITCH_SPAN + (dp + _PITCH_SPAN // 2)
    order = np.argsort(key, kind="stable")
    key, origin = key[order], i[order]
    cuts = np.flatnonzero(np.diff(key)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [key.size]])
    big = (ends - starts) >= min_size
    out = []
    for s, e in zip(starts[big], ends[big]):
        k = int(key[s])
        out.append(((k // _PITCH_SPAN, k % _PITCH_SPAN - _PITCH_SPAN // 2), np.sort(origin[s:e])))
    return out


@njit(cache=True)
def _translators(points_key, pattern_t, pattern_p, all_t, all_p):  # pragma: no cover - compiled
    """Every vector mapping the whole pattern into the point set (the pattern's own vector 0 included)."""
    n = all_t.size
    out_t = np.empty(n, dtype=np.int64)
    out_p = np.empty(n, dtype=np.int64)
    m = 0
    for d in range(n):
        vt = all_t[d] - pattern_t[0]
        vp = all_p[d] - pattern_p[0]
        ok = True
        for q in range(1, pattern_t.size):
            k = (pattern_t[q] + vt) * 256 + pattern_p[q] + vp
            pos = np.searchsorted(points_key, k)
            if pos >= points_key.size or points_key[pos] != k:
                ok = False
                break
        if ok:
            out_t[m] = vt
            out_p[m] = vp
            m += 1
    return out_t[:m], out_p[:m]


def _tecs(points: np.ndarray, min_size: int, max_patterns: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """SIATEC: (pattern point indices, translators) for the distinct maximal translatable patterns."""
    key = points[:, 0] * 256 + points[:, 1]
    seen: set[tuple[int, ...]] = set()
    mtps = maximal_translatable_patterns(points, min_size=min_size)
    mtps.sort(key=lambda item: -item[1].size)
    out = []
    for _, idx in mtps[:max_patterns]:
        pat = points[idx]
        shape = tuple((pat - pat[0]).ravel().tolist())
        if shape in seen:
            continue
        seen.add(shape)
        vt, vp = _translators(key, pat[:, 0].copy(), pat[:, 1].copy(), points[:, 0].copy(), points[:, 1].copy())
        out.append((idx, np.stack([vt, vp], axis=1)))
    return out


def discover(
    notes: Any,
    *,
    min_size: int = 4,
    max_patterns: int = 20,
    resolution: int = 12,
    candidates: int = 2000,
) -> list[list[list[tuple[float, int]]]]:
    """Find repeated patterns with COSIATEC, ranked by how much of the piece they explain.

    Parameters
    ----------
    notes : note array or Score
        The music (all tracks together; pass one track for its motifs alone).
    min_size : int, default 4
        Fewest notes in a pattern.
    max_patterns : int, default 20
        Most patterns returned.
    resolution : int, default 12
        Time grid in steps per quarter note (12 keeps sixteenths and triplets exact).
    candidates : int, default 2000
        How many of the largest maximal translatable patterns SIATEC examines in each round.

    Returns
    -------
    list of patterns
        Each pattern is a list of occurrences (the first is the pattern itself), each a list of
        ``(onset_qn, pitch)`` pairs in time order: the format of ``mir_eval.pattern``.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> motif = [(0, 60), (1, 62), (2, 64), (3, 60)]
    >>> pts = [(t + shift, p + k) for shift, k in ((0, 0), (8, 7), (16, 5)) for t, p in motif]
    >>> notes = make_note_array([t for t, _ in pts], 1.0, [p for _, p in pts])
    >>> found = discover(notes, min_size=4)
    >>> len(found[0]), found[0][1]
    (3, [(8.0, 67), (9.0, 69), (10.0, 71), (11.0, 67)])
    """
    points = _points(notes, resolution)
    remaining = np.ones(points.shape[0], dtype=bool)
    result = []
    while remaining.sum() >= min_size and len(result) < max_patterns:
        sub = points[remaining]
        tecs = _tecs(sub, min_size, candidates)
        best, best_score = None, None
        for idx, trans in tecs:
            if trans.shape[0] < 2:
                continue
            covered = _covered(sub, idx, trans)
            ratio = covered.size / (idx.size + trans.shape[0] - 1)
            span = sub[idx[-1], 0] - sub[idx[0], 0] + 1
            inside = (sub[:, 0] >= sub[idx[0], 0]) & (sub[:, 0] < sub[idx[0], 0] + span)
            compactness = idx.size / max(int(np.count_nonzero(inside)), 1)
            score = (ratio, compactness, idx.size)
            if best_score is None or score > best_score:
                best, best_score = (idx, trans, covered), score
        if best is None or best_score[0] <= 1.0:
            break
        idx, trans, covered = best
        pattern = sub[idx]
        occurrences = []
        for vt, vp in trans[np.lexsort((trans[:, 1], trans[:, 0]))]:
            occurrences.append([(float((t + vt) / resolution), int(p + vp)) for t, p in pattern])
        result.append(occurrences)
        remaining[np.flatnonzero(remaining)[covered]] = False
    return result


def _covered(points: np.ndarray, idx: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Indices of the points covered by all occurrences of a pattern."""
    pat = points[idx]
    key = points[:, 0] * 256 + points[:, 1]
    moved = (pat[None, :, 0] + trans[:, None, 0]) * 256 + pat[None, :, 1] + trans[:, None, 1]
    return np.flatnonzero(np.isin(key, moved.ravel()))
