"""Repeated-pattern discovery: planted motifs, invariance, SIA against brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonia.theory.motif import discover, maximal_translatable_patterns
from harmonia.theory.notearray import make_note_array

MOTIF = [(0.0, 60), (0.5, 64), (1.0, 62), (2.0, 67), (2.5, 65)]


def _piece(shifts, noise=()):
    pts = sorted({(t + dt, p + dp) for dt, dp in shifts for t, p in MOTIF} | set(noise))
    return make_note_array([t for t, _ in pts], 0.5, [p for _, p in pts])


def test_planted_motif_and_all_its_occurrences():
    shifts = [(0.0, 0), (4.0, 5), (8.0, -3), (12.0, 7)]
    found = discover(_piece(shifts, noise=[(3.0, 50), (7.5, 80), (10.0, 45)]), min_size=5)
    occurrences = found[0]
    assert len(occurrences) == 4
    assert occurrences == [[(t + dt, p + dp) for t, p in MOTIF] for dt, dp in shifts]


@settings(max_examples=15, deadline=None)
@given(st.integers(-10, 10), st.integers(0, 16))
def test_discovery_is_translation_invariant(k, shift):
    shifts = [(0.0, 0), (4.0, 5), (9.0, -3)]
    base = discover(_piece(shifts), min_size=5)
    moved = discover(_piece([(dt + shift, dp + k) for dt, dp in shifts]), min_size=5)
    assert [[[(t + shift, p + k) for t, p in occ] for occ in pat] for pat in base] == moved


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(55, 70)), min_size=2, max_size=25, unique=True))
def test_sia_matches_brute_force(raw):
    points = np.array(sorted(raw), dtype=np.int64)
    got = {v: set(idx.tolist()) for v, idx in maximal_translatable_patterns(points, min_size=1)}
    expected: dict = {}
    pts = [tuple(p) for p in points.tolist()]
    for i, a in enumerate(pts):
        for b in pts[i + 1 :]:
            expected.setdefault((b[0] - a[0], b[1] - a[1]), set()).add(i)
    assert got == expected
