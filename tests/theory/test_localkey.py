"""The key HMM: Viterbi against brute force, and keys of simple music."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from harmonia.theory.localkey import (
    chord_key_fit,
    closely_related,
    key_index,
    key_transition_cost,
    presence_loglik,
    segment_viterbi,
    viterbi,
)
from harmonia.theory.segment import default_vocabulary
from tests.reference.viterbi_reference import segment_viterbi_brute_force, viterbi_brute_force


@given(
    arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 3)), elements=st.floats(-5, 5)),
    st.floats(0, 4) | arrays(np.float64, (3, 3), elements=st.floats(0, 4)),
)
def test_viterbi_finds_the_best_path(emission, cost):
    k = emission.shape[1]
    matrix = np.full((k, k), cost) if np.ndim(cost) == 0 else np.array(cost)[:k, :k]
    np.fill_diagonal(matrix, 0.0)
    path = viterbi(emission, switch_cost=matrix)
    score = emission[np.arange(len(path)), path].sum() - sum(matrix[a, b] for a, b in itertools.pairwise(path))
    assert np.isclose(score, viterbi_brute_force(emission, matrix))


@given(
    arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 3)), elements=st.floats(-5, 5)),
    st.floats(0, 4),
    st.lists(st.sampled_from([0.0, 1.0]), min_size=6, max_size=6),
    st.sampled_from([1.0, 2.0, 3.0]),
)
def test_segment_viterbi_finds_the_best_admissible_path(emission, cost, units, min_units):
    n, k = emission.shape
    matrix = np.full((k, k), cost)
    np.fill_diagonal(matrix, 0.0)
    u = np.array(units[:n])
    path = segment_viterbi(emission, switch_cost=matrix, units=u, min_units=min_units)
    score = emission[np.arange(n), path].sum() - sum(matrix[a, b] for a, b in itertools.pairwise(path))
    assert np.isclose(score, segment_viterbi_brute_force(emission, matrix, u, min_units))


def test_segment_viterbi_with_one_unit_is_viterbi():
    rng = np.random.default_rng(0)
    e = rng.normal(size=(40, 4))
    assert segment_viterbi(e, switch_cost=1.5, units=np.ones(40), min_units=1).tolist() == viterbi(
        e, switch_cost=1.5).tolist()


def test_every_key_has_six_close_keys():
    related = np.array([[closely_related(a, b) for b in range(24)] for a in range(24)])
    assert (related == related.T).all()
    assert (related.sum(axis=1) == 7).all()  # itself, relative, parallel, two neighbours of each mode
    cost = key_transition_cost(close=4.0, far=8.0)
    assert cost[key_index(0, "major"), key_index(7, "major")] == 4.0
    assert cost[key_index(0, "major"), key_index(2, "major")] == 8.0


def test_chord_key_fit_table():
    names = default_vocabulary().names
    fit = chord_key_fit(names, applied=-1.0, other=-2.5)
    q = {n: i for i, n in enumerate(names)}
    c, a_minor = key_index(0, "major"), key_index(9, "minor")
    assert fit[q["maj"], 7, c] == 0 and fit[q["dom7"], 7, c] == 0  # V, V7
    assert fit[q["dom7"], 2, c] == -1.0  # V7/V
    assert fit[q["dim7"], 6, c] == -1.0  # viio7/V
    assert fit[q["maj"], 1, c] == -2.5  # Db major in C is neither
    assert fit[q["maj"], 4, a_minor] == 0 and fit[q["maj"], 7, a_minor] == 0  # V and VII in a minor


@given(st.integers(0, 11))
def test_presence_likelihood_is_transposition_invariant(shift):
    from harmonia.theory.analysis import TEMPERLEY_PRESENCE

    scale = np.zeros((1, 12))
    scale[0, [0, 2, 4, 5, 7, 9, 11]] = 1
    base = presence_loglik(scale, TEMPERLEY_PRESENCE)[0]
    moved = presence_loglik(np.roll(scale, shift, axis=1), TEMPERLEY_PRESENCE)[0]
    assert np.allclose(np.roll(base[:12], shift), moved[:12]) and np.allclose(np.roll(base[12:], shift), moved[12:])
    assert int(np.argmax(base)) == key_index(0, "major")
