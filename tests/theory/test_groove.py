"""Swing, groove templates, quantization, consistency."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.errors import InvalidScoreError
from harmonia.theory.groove import apply_groove, groove_consistency, groove_template, quantize, swing_ratio


@given(st.floats(0.3, 0.75), st.integers(2, 12))
def test_swing_ratio_recovers_constructed_ratio(frac, beats):
    on = np.concatenate([[b, b + frac] for b in range(beats)])
    assert swing_ratio(on) == pytest.approx(frac / (1 - frac))
    assert swing_ratio(on * 2, beat_qn=2.0) == pytest.approx(frac / (1 - frac))


def test_swing_ratio_needs_upbeats():
    assert np.isnan(swing_ratio(np.arange(8.0)))


@given(st.lists(st.floats(0, 64, allow_nan=False), min_size=1, max_size=30), st.floats(0, 1))
def test_quantize_strength(on, strength):
    on = np.array(on)
    full = quantize(on, grid_qn=0.25)
    assert np.allclose(full / 0.25, np.round(full / 0.25))
    part = quantize(on, grid_qn=0.25, strength=strength)
    assert np.all(np.abs(part - full) <= np.abs(on - full) + 1e-12)
    assert np.allclose(quantize(on, grid_qn=0.25, strength=0.0), on)


@given(st.lists(st.floats(-0.1, 0.1), min_size=16, max_size=16), st.integers(1, 4))
def test_template_roundtrip(offsets, bars):
    offsets = np.array(offsets)
    grid = np.arange(16 * bars) * 0.25
    played = grid + np.tile(offsets, bars)
    vel = np.tile(np.arange(16) * 5 + 20, bars)
    t = groove_template(played, vel, grid_qn=0.25, steps=16)
    assert np.allclose(t["offset_qn"], offsets) and np.all(t["count"] == bars)
    on, v = apply_groove(grid, np.full(grid.size, 64), t, grid_qn=0.25, amount=1.0)
    assert np.allclose(on, played) and np.allclose(v, vel)
    on0, v0 = apply_groove(grid, np.full(grid.size, 64), t, grid_qn=0.25, amount=0.0)
    assert np.allclose(on0, grid) and np.allclose(v0, 64)


@given(st.lists(st.lists(st.integers(0, 1), min_size=8, max_size=8), min_size=2, max_size=6))
def test_consistency_bounds_and_identity(bars):
    c = groove_consistency(bars)
    assert 0.0 <= c <= 1.0
    assert groove_consistency([bars[0]] * 3) == 1.0


def test_bad_input():
    with pytest.raises(InvalidScoreError):
        groove_consistency([[1, 0]])
    with pytest.raises(InvalidScoreError, match="velocities"):
        groove_template([0.0, 1.0], [1])
    with pytest.raises(InvalidScoreError, match="strength"):
        quantize([0.1], strength=2.0)
