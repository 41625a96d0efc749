"""Bars, beats and metric levels from bar tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import harmonia
from harmonia.theory.notearray import TIME_SIGNATURE_DTYPE
from harmonia.theory.timemap import bar_beat_to_qn, bar_table, metric_level, qn_to_bar_beat
from tests.strategies import time_signatures


def _bars(*rows, pickup_qn=0.0, until_qn=64.0):
    return bar_table(np.array(list(rows), dtype=TIME_SIGNATURE_DTYPE), pickup_qn=pickup_qn, until_qn=until_qn)


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
    assert metric_level(positions, _bars((0.0, *sig))).tolist() == levels


@given(time_signatures, st.integers(0, 20), st.lists(st.integers(0, 95).map(lambda k: k / 8), min_size=1, max_size=10))
def test_levels_repeat_every_bar(sig, shift_bars, positions):
    num, den = sig
    bar = num * 4.0 / den
    pos = np.array(positions) % bar
    bars = _bars((0.0, num, den))
    assert metric_level(pos, bars).tolist() == metric_level(pos + shift_bars * bar, bars).tolist()
    assert np.all(metric_level(pos, bars)[np.isclose(pos, 0)] == 0)


def test_pickup_and_changes():
    bars = _bars((0.0, 4, 4), (9.0, 3, 4), pickup_qn=1.0, until_qn=20.0)
    expected = [(0, 0.0, 1.0, 3.0), (1, 1.0, 4.0, 0.0), (2, 5.0, 4.0, 0.0), (3, 9.0, 3.0, 0.0)]
    assert bars[["bar", "onset", "length", "padding"]].tolist()[:4] == expected
    assert qn_to_bar_beat(10.5, bars) == (3, 2.5)
    assert bar_beat_to_qn(3, 2.5, bars) == 10.5
    assert qn_to_bar_beat(0.0, bars) == (0, 4.0)
    with pytest.raises(ValueError, match="bar number -1 is not in the score"):
        bar_beat_to_qn(-1, 1.0, bars)


def test_split_bars_of_a_chorale_follow_music21():
    """BWV 41.6 splits bars at fermatas (3 beats + 1 beat, one number) and changes metre mid-bar."""
    from music21 import corpus

    stream = corpus.parse("bach/bwv41.6")
    part = stream.parts[5]  # the soprano, doubled by oboe and violin
    expected = [(n.measureNumber, float(n.beat)) for n in part.flatten().notes if not n.tie or n.tie.type == "start"]
    score = harmonia.load("bach/bwv41.6")
    track = [t.name for t in score.tracks].index(part.partName)
    onsets = score.notes["onset"][score.notes["track"] == track]
    bar, beat = score.qn_to_bar_beat(onsets)
    assert list(zip(bar.tolist(), beat.tolist())) == expected
    assert score.bar_beat_to_qn(10, 4.0) == 40.0 and score.bar_beat_to_qn(10, 3.0) == 39.0
