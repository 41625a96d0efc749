"""Slow twin of the phrase-segmentation dynamic programme in ``harmonia.theory.form``."""

from __future__ import annotations

import itertools

import numpy as np


def segment_brute_force(cue: np.ndarray, length_score: np.ndarray, span_score: np.ndarray) -> float:
    """Best total over every way of cutting bar lines 0..n into phrases (exponential: tiny n only)."""
    n = cue.size - 1
    best = -np.inf
    for cuts in itertools.product([False, True], repeat=n - 1):
        lines = [0] + [i + 1 for i, c in enumerate(cuts) if c] + [n]
        total = 0.0
        for s, e in itertools.pairwise(lines):
            L = e - s
            if L >= length_score.size:
                total = -np.inf
                break
            total += cue[s] + length_score[L] + span_score[s, L]
        best = max(best, total)
    return best


def segment_bigram_brute_force(cue: np.ndarray, trans: np.ndarray, span_score: np.ndarray) -> float:
    """Best total with a score per (previous length, length) pair, over every way of cutting 0..n."""
    n = cue.size - 1
    m = trans.shape[0] - 1
    best = -np.inf
    for cuts in itertools.product([False, True], repeat=n - 1):
        lines = [0] + [i + 1 for i, c in enumerate(cuts) if c] + [n]
        total, prev = 0.0, 0
        for s, e in itertools.pairwise(lines):
            L = e - s
            if L > m:
                total = -np.inf
                break
            total += cue[s] + trans[prev, L] + span_score[s, L]
            prev = L
        best = max(best, total)
    return best
