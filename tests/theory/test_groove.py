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


@pytest.mark.parametrize("x,y", [(3, 2), (4, 3), (3, 4)])
def test_polyrhythm_between_hands(x, y):
    from harmonia.theory.groove import detect_polyrhythm
    from harmonia.theory.notearray import make_note_array

    span = 12.0
    pa, pb = 3.0 / x, 3.0 / y  # x notes against y in 3 quarter notes
    a, b = np.arange(0, span, pa), np.arange(0, span, pb)
    n = make_note_array(
        onset=np.concatenate([a, b]),
        duration=np.full(a.size + b.size, 0.1),
        pitch=np.full(a.size + b.size, 60),
        track=np.repeat([0, 1], [a.size, b.size]),
    )
    r = detect_polyrhythm(n, window_qn=6.0)
    assert r[["start_qn", "end_qn", "ratio"]].tolist() == [(0.0, span, f"{x}:{y}")]


def test_hemiola_against_the_beat_and_none_for_aligned_streams():
    from harmonia.theory.groove import detect_polyrhythm
    from harmonia.theory.notearray import make_note_array

    on = np.arange(0, 12, 2.0)  # half notes across 3/4 bars
    n = make_note_array(onset=on, duration=np.full(on.size, 2.0), pitch=np.full(on.size, 60))
    r = detect_polyrhythm(n, window_qn=6.0, beat_qn=3.0)  # against the dotted-half bar pulse
    assert r["ratio"].tolist() == ["3:2"] and r["track_b"].tolist() == [-1]
    straight = make_note_array(onset=np.arange(0, 12, 1.0), duration=np.ones(12), pitch=np.full(12, 60))
    assert detect_polyrhythm(straight, beat_qn=1.0).size == 0
