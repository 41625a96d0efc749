"""Mixing and mastering: loudness target, true-peak ceiling, limiter property, settings, WAV writes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonia.audio.mix import (
    MixSettings,
    biquad,
    compress,
    limit,
    loudness_lufs,
    master,
    mix_and_master,
    mix_stems,
    reverb,
    true_peak_dbtp,
)
from harmonia.errors import MissingDependencyError

SR = 48000


def test_master_rendered_song_hits_target(rendered_song):
    pyln = pytest.importorskip("pyloudnorm")
    result = mix_and_master(rendered_song)
    out = result.audio
    assert out.shape == rendered_song.audio.shape and out.dtype == np.float32
    measured = pyln.Meter(SR).integrated_loudness(out.T.astype(float))
    assert abs(measured - (-14.0)) <= 0.5
    assert abs(result.loudness_lufs + 14.0) <= 0.15
    assert true_peak_dbtp(out, SR) <= -1.0
    assert result.true_peak_dbtp <= -1.0


def test_master_other_targets_and_pyloudnorm_report(rendered_song):
    pytest.importorskip("pyloudnorm")
    mixed = mix_stems(rendered_song.stems, rendered_song.roles, sample_rate=SR)
    r = master(mixed, sample_rate=SR, settings={"loudness_lufs": -18, "ceiling_dbtp": -2.0}, measure="pyloudnorm")
    assert abs(r.loudness_lufs + 18) <= 0.5 and r.true_peak_dbtp <= -2.0


def test_loudness_meter_agrees_with_pyloudnorm(rendered_song):
    pytest.importorskip("pyloudnorm")
    rng = np.random.default_rng(0)
    signals = [rendered_song.audio, 0.1 * rng.normal(size=(2, 3 * SR)), rendered_song.stems["bass"]]
    for x in signals:
        ours = loudness_lufs(x, SR)
        theirs = loudness_lufs(x, SR, meter="pyloudnorm")
        assert abs(ours - theirs) < 0.1, (ours, theirs)


def test_loudness_reference_tone():
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS
    t = np.arange(3 * SR) / SR
    tone = np.sin(2 * np.pi * 997 * t)
    assert abs(loudness_lufs(tone, SR) - (-3.01)) < 0.05
    assert loudness_lufs(np.zeros((2, SR)), SR) == float("-inf")
    assert loudness_lufs(np.ones(100), SR) == float("-inf")


@given(
    seed=st.integers(0, 2**32 - 1),
    level_db=st.floats(-30.0, 24.0),
    ceiling=st.floats(-6.0, -0.1),
    kind=st.sampled_from(["noise", "clicks", "sines"]),
)
def test_limiter_never_exceeds_ceiling(seed, level_db, ceiling, kind):
    rng = np.random.default_rng(seed)
    n = 4800
    if kind == "noise":
        x = rng.normal(size=(2, n))
    elif kind == "clicks":
        x = np.zeros((2, n))
        idx = rng.integers(0, n, 20)
        x[:, idx] = rng.choice([-1.0, 1.0], size=(2, 20))
    else:
        t = np.arange(n) / SR
        f = rng.uniform(50, 20000, 3)
        x = np.stack([np.sin(2 * np.pi * f[:, None] * t + rng.uniform(0, 6, (3, 1))).sum(0)] * 2)
    x *= 10 ** (level_db / 20)
    y = limit(x, SR, ceiling_dbtp=ceiling)
    assert y.shape == x.shape
    assert true_peak_dbtp(y, SR) <= ceiling + 1e-9
    # quiet signals pass untouched
    if true_peak_dbtp(x, SR) < ceiling - 0.1:
        np.testing.assert_allclose(y, x)


def test_true_peak_catches_intersample_peaks():
    n = np.arange(SR)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4)  # samples at +-0.707, true peak 1.0
    assert abs(true_peak_dbtp(x, SR)) < 0.2
    assert 20 * np.log10(np.abs(x).max()) < -2.9


def test_compressor_reduces_loud_parts_only():
    t = np.arange(2 * SR) / SR
    x = np.sin(2 * np.pi * 200 * t) * np.where(t < 1, 0.9, 0.01)
    y = compress(np.stack([x, x]), SR, threshold_db=-20, ratio=4, attack_ms=5, release_ms=50)
    loud_gain = np.abs(y[0, SR // 2 : SR]).max() / 0.9
    quiet_gain = np.abs(y[0, int(1.5 * SR) :]).max() / 0.01
    assert loud_gain < 0.5 and abs(quiet_gain - 1) < 0.01


def test_biquads():
    from scipy import signal

    for kind, f, g in (("highpass", 100.0, 0.0), ("lowpass", 5000.0, 0.0), ("peak", 300.0, -3.0),
                       ("lowshelf", 200.0, 4.0), ("highshelf", 8000.0, -6.0)):
        sos = biquad(kind, f, SR, gain_db=g)
        _, h = signal.sosfreqz(sos, worN=[20.0, f, 20000.0], fs=SR)
        db = 20 * np.log10(np.abs(h))
        if kind == "highpass":
            assert db[0] < -25 and abs(db[1] + 3.01) < 0.05 and abs(db[2]) < 0.1
        elif kind == "lowpass":
            assert abs(db[0]) < 0.01 and abs(db[1] + 3.01) < 0.05 and db[2] < -10
        elif kind == "peak":
            assert abs(db[1] - g) < 0.01 and abs(db[0]) < 0.5 and abs(db[2]) < 0.01
        elif kind == "lowshelf":
            assert abs(db[0] - g) < 0.1 and abs(db[2]) < 0.01
        else:
            assert abs(db[2] - g) < 0.2 and abs(db[0]) < 0.01
    with pytest.raises(ValueError):
        biquad("notch", 100.0, SR)
    with pytest.raises(ValueError):
        biquad("peak", 30000.0, SR)


def test_mix_applies_role_balance(rendered_song):
    stems = rendered_song.stems
    roles = rendered_song.roles
    flat = MixSettings(
        role_gains_db={}, highpass_hz={}, mud_cut_db=0.0, presence_db=0.0, comp_ratio=1.0, reverb_sends_db={}
    )
    np.testing.assert_allclose(mix_stems(stems, roles, settings=flat), rendered_song.audio, atol=1e-5)
    quiet_pad = MixSettings.from_production({"balance": {"pad": -40.0}}, comp_ratio=1.0, reverb_sends_db={})
    loud_pad = MixSettings.from_production({"balance": {"pad": 0.0}}, comp_ratio=1.0, reverb_sends_db={})
    diff = mix_stems(stems, roles, settings=loud_pad) - mix_stems(stems, roles, settings=quiet_pad)
    assert np.sqrt(np.mean(diff**2)) > 1e-3
    with pytest.raises(KeyError):
        mix_stems(stems, {}, settings=flat)


def test_settings_from_production():
    s = MixSettings.from_production(None)
    assert s.target_lufs == -14.0 and s.true_peak_dbtp == -1.0 and s.character == "balanced"
    s = MixSettings.from_production({"character": "warm", "lufs": -16, "compression": 0.2, "tempo": 120})
    assert s.target_lufs == -16 and s.comp_ratio == 2.0 and s.role_gains_db["bass"] == 0.0
    assert MixSettings.from_production(s) is s
    assert MixSettings.from_production(s, target_lufs=-10).target_lufs == -10
    with pytest.raises(ValueError, match="character"):
        MixSettings.from_production({"character": "muddy"})
    with pytest.raises(ValueError, match="compression"):
        MixSettings.from_production({"compression": "extreme"})
    with pytest.raises(ValueError, match="target_lufs"):
        MixSettings(target_lufs=5)


def test_master_rejects_silence():
    with pytest.raises(ValueError, match="silence"):
        master(np.zeros((2, SR)))


def test_pyloudnorm_missing(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "pyloudnorm", None)
    with pytest.raises(MissingDependencyError, match=r"harmonia\[audio\]"):
        loudness_lufs(np.ones((2, SR)), SR, meter="pyloudnorm")


def test_reverb_decay_and_sends(rendered_song):
    impulse = np.zeros(SR)
    impulse[0] = 1.0
    for rt60 in (0.4, 1.2):
        wet = reverb(impulse, SR, time_s=rt60)
        assert wet.shape == (2, SR) and not np.allclose(wet[0], wet[1])  # decorrelated channels
        energy = np.convolve(wet.mean(axis=0) ** 2, np.ones(960) / 960, mode="same")
        t0 = int(0.1 * SR)
        t1 = t0 + int(rt60 / 2 * SR)  # half the decay time: about -30 dB
        drop = 10 * np.log10(energy[t1] / energy[t0])
        assert -40 < drop < -20, (rt60, drop)
    np.testing.assert_array_equal(reverb(np.zeros((2, 1000)), SR), 0.0)
    dry = MixSettings.from_production({"reverb": 0.0}, comp_ratio=1.0)
    wet = MixSettings.from_production({"reverb": 0.8}, comp_ratio=1.0)
    assert wet.reverb_time_s > dry.reverb_time_s
    stems, roles = rendered_song.stems, rendered_song.roles
    tail = slice(-int(0.8 * SR), -int(0.3 * SR))  # after the notes, in the faded tail
    e_dry = np.mean(mix_stems(stems, roles, settings=dry)[:, tail] ** 2)
    e_wet = np.mean(mix_stems(stems, roles, settings=wet)[:, tail] ** 2)
    assert e_wet > 2 * e_dry
    with pytest.raises(ValueError, match="reverb"):
        MixSettings.from_production({"reverb": 2})
