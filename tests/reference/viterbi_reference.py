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
