"""Metric hierarchy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.errors import InvalidScoreError
from harmonia.theory.meter import beat_period, metric_levels, metric_weights, parse_meter


def test_known_hierarchies():
    assert metric_levels("4/4", grid=16).tolist() == [0, 4, 3, 4, 2, 4, 3, 4, 1, 4, 3, 4, 2, 4, 3, 4]
    assert metric_levels("3/4", grid=3).tolist() == [0, 1, 1]
    assert metric_levels("6/8", grid=12).tolist() == [0, 3, 2, 3, 2, 3, 1, 3, 2, 3, 2, 3]
    assert metric_levels("9/8", grid=9).tolist() == [0, 2, 2, 1, 2, 2, 1, 2, 2]
    assert metric_levels("3+2/8", grid=5).tolist() == [0, 2, 2, 1, 2]
    assert parse_meter("5/8") == ((3, 2), 8)
    assert beat_period("6/8", grid=12) == 6


@given(st.sampled_from(["2/4", "3/4", "4/4", "6/8", "9/8", "12/8", "7/8", "2+3/8", "5/4"]), st.integers(0, 3))
def test_downbeat_is_unique_strongest(meter, depth):
    n = sum(parse_meter(meter)[0])
    lev = metric_levels(meter, grid=n * 2**depth)
    assert lev[0] == 0 and np.all(lev[1:] > 0)
    w = metric_weights(meter, grid=n * 2**depth)
    assert w.min() == 1 and w[0] == w.max()
    # refining the grid keeps the coarse positions' order of strength
    fine = metric_levels(meter, grid=n * 2 ** (depth + 1))
    assert np.array_equal(np.argsort(fine[::2], kind="stable"), np.argsort(lev, kind="stable"))


def test_bad_grid():
    with pytest.raises(InvalidScoreError, match="multiple"):
        metric_levels("3/4", grid=4)
    with pytest.raises(InvalidScoreError, match="power of two"):
        metric_levels("4/4", grid=20)


@pytest.mark.parametrize("meter", ["4/4", "3/4", "6/8", "2+2+3/8"])
def test_metric_profiles_agree_on_order(meter):
    from harmonia.theory.meter import PROFILES, metric_profile

    n = sum(parse_meter(meter)[0])
    lev = metric_levels(meter, grid=n * 4)
    for kind in PROFILES:
        prof = metric_profile(meter, grid=n * 4, kind=kind)
        assert np.array_equal(np.argsort(-prof, kind="stable"), np.argsort(lev, kind="stable"))
    pk = metric_profile(meter, grid=n * 4, kind="palmer_krumhansl")
    assert pk.max() == pk[0] == 7 and pk.min() == 1
    with pytest.raises(InvalidScoreError, match="profile"):
        metric_profile(meter, grid=n, kind="nope")
