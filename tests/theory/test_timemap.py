"""Bars, beats and metric levels from time-signature maps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.theory.notearray import TIME_SIGNATURE_DTYPE
from harmonia.theory.timemap import bar_beat_to_qn, bar_table, metric_level, qn_to_bar_beat
from tests.strategies import time_signatures


def _ts(*rows):
    return np.array(list(rows), dtype=TIME_SIGNATURE_DTYPE)


@pytest.mark.parametrize(
    ("sig", "positions", "levels"),
    [
        ((4, 4), [0, 1, 2, 0.5, 0.25, 0.125, 4], [0, 1, 1, 2, 3, 4, 0]),
        ((3, 4), [0, 1, 2, 2.5, 3], [0, 1, 1, 2, 0]),
        ((6, 8), [0, 0.5, 1.0, 1.5, 2.0, 0.25, 3.0], [0, 2, 2, 1, 2, 3, 0]),
        ((2, 2), [0, 1, 2, 0.5, 4], [0, 2, 1, 3, 0]),
        ((12, 8), [0, 1.5, 3.0, 4.5, 0.5], [0, 1, 1, 1, 2]),
    ],
)
def test_metric_levels(sig, positions, levels):
    assert metric_level(positions, _ts((0.0, *sig))).tolist() == levels


@given(time_signatures, st.integers(0, 20), st.lists(st.integers(0, 95).map(lambda k: k / 8), min_size=1, max_size=10))
def test_levels_repeat_every_bar(sig, shift_bars, positions):
    num, den = sig
    bar = num * 4.0 / den
    pos = np.array(positions) % bar
    ts = _ts((0.0, num, den))
    assert metric_level(pos, ts).tolist() == metric_level(pos + shift_bars * bar, ts).tolist()
    assert np.all(metric_level(pos, ts)[np.isclose(pos, 0)] == 0)


def test_pickup_and_changes():
    ts = _ts((0.0, 4, 4), (9.0, 3, 4))
    table = bar_table(ts, pickup_qn=1.0, until_qn=20.0)
    expected = [(0, 0.0, 1.0), (1, 1.0, 4.0), (2, 5.0, 4.0), (3, 9.0, 3.0)]
    assert table[["bar", "onset", "length"]].tolist()[:4] == expected
    assert qn_to_bar_beat(10.5, ts, pickup_qn=1.0) == (3, 2.5)
    assert bar_beat_to_qn(3, 2.5, ts, pickup_qn=1.0) == 10.5
    assert qn_to_bar_beat(0.0, ts, pickup_qn=1.0) == (0, 4.0)
    with pytest.raises(ValueError, match="out of range"):
        bar_beat_to_qn(0, 1.0, ts)
