"""Slow, obvious twins of numba kernels, for property tests."""

from __future__ import annotations

import itertools

import numpy as np


def viterbi_brute_force(emission: np.ndarray, cost: np.ndarray) -> float:
    """Best total score over every state sequence (exponential: tiny inputs only)."""
    n, k = emission.shape
    best = -np.inf
    for path in itertools.product(range(k), repeat=n):
        score = sum(emission[t, s] for t, s in enumerate(path))
        score -= sum(cost[a, b] for a, b in itertools.pairwise(path))
        best = max(best, score)
    return best


def segment_viterbi_brute_force(emission: np.ndarray, cost: np.ndarray, units: np.ndarray, min_units: float) -> float:
    """Best total score over state sequences whose inner runs hold at least ``min_units`` units."""
    n, k = emission.shape
    best = -np.inf
    for path in itertools.product(range(k), repeat=n):
        runs, start = [], 0
        for t in range(1, n + 1):
            if t == n or path[t] != path[t - 1]:
                runs.append((start, t))
                start = t
        if any(sum(units[a:b]) < min_units for a, b in runs[1:-1]):
            continue
        score = sum(emission[t, s] for t, s in enumerate(path))
        score -= sum(cost[a, b] for a, b in itertools.pairwise(path))
        best = max(best, score)
    return best
