"""Contour and interval measures: invariances, and Huron's finding on folk-song phrases."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from harmonia.theory.melody import (
    CONTOUR_CLASSES,
    contour_vector,
    huron_contour,
    interval_class_histogram,
    interval_histogram,
    interval_ngrams,
    parsons_code,
    step_leap_ratio,
)

pitches = st.lists(st.integers(40, 90), min_size=3, max_size=30)


@given(pitches, st.integers(-12, 12))
def test_measures_ignore_transposition(p, k):
    q = [x + k for x in p]
    assert huron_contour(p) == huron_contour(q)
    assert parsons_code(p) == parsons_code(q)
    assert (interval_histogram(p) == interval_histogram(q)).all()
    assert (interval_class_histogram(p) == interval_class_histogram(q)).all()
    assert interval_ngrams(p) == interval_ngrams(q)
    assert step_leap_ratio(p) == step_leap_ratio(q)
    on = np.arange(len(p), dtype=float)
    assert np.allclose(contour_vector(on, p), contour_vector(on + 5, q))


@given(pitches)
def test_contour_classes_mirror_under_inversion(p):
    mirrored = {"ascending": "descending", "convex": "concave", "horizontal": "horizontal",
                "horizontal-ascending": "horizontal-descending", "ascending-horizontal": "descending-horizontal"}
    mirrored |= {v: k for k, v in mirrored.items()}
    assert huron_contour([-x for x in p]) == mirrored[huron_contour(p)]
    assert huron_contour(p) in CONTOUR_CLASSES.values()
