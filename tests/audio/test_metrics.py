"""Audio metrics: identities, known SNR, mel filterbank, optional STOI/PESQ."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from harmonia.audio import metrics
from harmonia.errors import MissingDependencyError

SR = 16000


@pytest.fixture(scope="module")
def tone() -> np.ndarray:
    t = np.arange(SR) / SR
    return np.sin(2 * np.pi * 440 * t) * np.exp(-t)


def test_identity_gives_zero(tone):
    stereo = np.stack([tone, 0.5 * tone])
    assert metrics.log_mel_distance(stereo, stereo, sample_rate=SR) == 0.0
    assert metrics.multi_resolution_stft_distance(stereo, stereo) == 0.0
    assert metrics.snr_db(tone, tone) == float("inf")


def test_distances_grow_with_noise(tone):
    rng = np.random.default_rng(0)
    small = tone + 0.01 * rng.normal(size=tone.size)
    large = tone + 0.3 * rng.normal(size=tone.size)
    for f in (metrics.log_mel_distance, metrics.multi_resolution_stft_distance):
        kw = {"sample_rate": SR} if f is metrics.log_mel_distance else {}
        assert 0 < f(tone, small, **kw) < f(tone, large, **kw)


def test_snr_of_known_noise():
    rng = np.random.default_rng(1)
    x = rng.normal(size=200_000)
    noise = rng.normal(size=x.size)
    noise *= np.sqrt(np.sum(x**2) / np.sum(noise**2)) / 10  # exactly 20 dB below
    assert abs(metrics.snr_db(x, x + noise) - 20.0) < 1e-9
    assert metrics.snr_db(np.zeros(10), np.ones(10)) == float("-inf")


def test_mel_scale_and_filterbank():
    assert metrics.hz_to_mel(1000.0) == 15.0
    f = np.array([0.0, 250.0, 1000.0, 3000.0, 8000.0])
    np.testing.assert_allclose(metrics.mel_to_hz(metrics.hz_to_mel(f)), f, atol=1e-9)
    fb = metrics.mel_filterbank(SR, 1024, 64, fmin=20.0, fmax=7600.0)
    assert fb.shape == (64, 513)
    freqs = np.linspace(0, SR / 2, 513)
    # filter peaks increase; nothing outside [fmin, fmax]
    peaks = freqs[np.argmax(fb, axis=1)]
    assert np.all(np.diff(peaks) >= 0)
    assert np.all(fb[:, (freqs < 20) | (freqs > 7600)] == 0)
    with pytest.raises(ValueError):
        metrics.mel_filterbank(SR, 1024, 64, fmax=SR)


def test_mel_spectrogram_finds_the_tone(tone):
    m = metrics.mel_spectrogram(tone, SR, n_fft=1024, hop=256, n_mels=64)
    assert m.shape[0] == 1 and m.shape[2] == 64
    band = int(np.argmax(m[0].mean(axis=0)))
    edges = metrics.mel_to_hz(np.linspace(metrics.hz_to_mel(0.0), metrics.hz_to_mel(SR / 2), 66))
    assert edges[band] < 440 < edges[band + 2]


def test_bad_inputs(tone):
    with pytest.raises(ValueError, match="channel"):
        metrics.snr_db(np.stack([tone, tone]), tone)
    with pytest.raises(ValueError, match="NaN"):
        metrics.snr_db(tone, np.full_like(tone, np.nan))
    with pytest.raises(ValueError, match="resolution"):
        metrics.multi_resolution_stft_distance(tone, tone, resolutions=[(256, 64, 512)])


@pytest.mark.parametrize(("name", "call"), [("pystoi", metrics.stoi), ("pesq", metrics.pesq)])
def test_optional_metrics_missing(monkeypatch, tone, name, call):
    monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(MissingDependencyError, match=name):
        call(tone, tone, sample_rate=SR)


def test_optional_metrics_when_installed(tone):
    rng = np.random.default_rng(2)
    t = np.arange(3 * SR) / SR
    speechlike = np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t))
    noisy = speechlike + 0.05 * rng.normal(size=t.size)
    ran = 0
    try:
        assert 0.5 < metrics.stoi(speechlike, noisy, sample_rate=SR) <= 1.0
        ran += 1
    except MissingDependencyError:
        pass
    try:
        assert 1.0 <= metrics.pesq(speechlike, noisy, sample_rate=SR) <= 4.7
        ran += 1
    except MissingDependencyError:
        pass
    if not ran:
        pytest.skip("neither pystoi nor pesq is installed")
