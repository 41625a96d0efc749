"""Audio similarity metrics: log-mel distance, multi-resolution STFT distance, SNR, STOI and PESQ.

Signals are ``(n_samples,)`` or ``(channels, n_samples)`` (channels first), compared over their common
length; multichannel inputs are averaged over channels where a metric needs one signal (STOI, PESQ).
Everything but STOI and PESQ is numpy/scipy only (the mel filterbank is harmonia's own, on the Slaney
mel scale with area normalisation, as librosa's default).

References
----------
R. Yamamoto, E. Song, J.-M. Kim (2020), "Parallel WaveGAN", ICASSP, doi:10.1109/ICASSP40776.2020.9053795
(multi-resolution STFT loss).
C. H. Taal, R. C. Hendriks, R. Heusdens, J. Jensen (2011), "An algorithm for intelligibility prediction
of time-frequency weighted noisy speech", IEEE TASLP 19(7), doi:10.1109/TASL.2011.2114881 (STOI).
ITU-T P.862 (2001) / P.862.2 (2005): PESQ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import signal

from harmonia._optional import import_optional

__all__ = [
    "hz_to_mel",
    "log_mel_distance",
    "mel_filterbank",
    "mel_spectrogram",
    "mel_to_hz",
    "multi_resolution_stft_distance",
    "pesq",
    "snr_db",
    "stoi",
]


def _pair(reference: Any, estimate: Any) -> tuple[np.ndarray, np.ndarray]:
    ref = np.asarray(reference, dtype=np.float64)
    est = np.asarray(estimate, dtype=np.float64)
    if ref.ndim == 1:
        ref = ref[None, :]
    if est.ndim == 1:
        est = est[None, :]
    if ref.ndim != 2 or est.ndim != 2:
        raise ValueError(f"signals must be 1-D or (channels, n_samples); got {ref.shape} and {est.shape}")
    if ref.shape[0] != est.shape[0]:
        raise ValueError(f"channel counts differ: {ref.shape[0]} and {est.shape[0]}")
    n = min(ref.shape[1], est.shape[1])
    if n == 0:
        raise ValueError("empty signal")
    ref, est = ref[:, :n], est[:, :n]
    if not (np.all(np.isfinite(ref)) and np.all(np.isfinite(est))):
        raise ValueError("signals hold NaN or infinite samples")
    return ref, est


def hz_to_mel(hz: Any) -> Any:
    """Slaney mel scale: linear below 1 kHz (200/3 Hz per mel, 15 mels at 1 kHz), logarithmic above.

    Examples
    --------
    >>> float(hz_to_mel(1000.0)), round(float(hz_to_mel(4000.0)), 3)
    (15.0, 35.164)
    """
    f = np.asarray(hz, dtype=float)
    lin = f / (200.0 / 3)
    log_step = np.log(6.4) / 27.0
    out = np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-9) / 1000.0) / log_step, lin)
    return out if out.ndim else float(out)


def mel_to_hz(mel: Any) -> Any:
    """Inverse of :func:`hz_to_mel`.

    Examples
    --------
    >>> round(float(mel_to_hz(hz_to_mel(440.0))), 6)
    440.0
    """
    m = np.asarray(mel, dtype=float)
    log_step = np.log(6.4) / 27.0
    out = np.where(m >= 15.0, 1000.0 * np.exp(log_step * (m - 15.0)), m * (200.0 / 3))
    return out if out.ndim else float(out)


def mel_filterbank(
    sample_rate: float, n_fft: int, n_mels: int = 80, *, fmin: float = 0.0, fmax: float | None = None
) -> np.ndarray:
    """Triangular mel filters, ``(n_mels, n_fft // 2 + 1)``, each with unit area (Slaney normalisation).

    Examples
    --------
    >>> fb = mel_filterbank(16000, 512, 40)
    >>> fb.shape, bool((fb >= 0).all()), bool((fb.sum(axis=1) > 0).all())
    ((40, 257), True, True)
    """
    fmax = sample_rate / 2.0 if fmax is None else float(fmax)
    if not 0 <= fmin < fmax <= sample_rate / 2.0:
        raise ValueError(f"need 0 <= fmin < fmax <= {sample_rate / 2:g} Hz; got fmin={fmin}, fmax={fmax}")
    freqs = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    lower = (freqs[None, :] - edges[:-2, None]) / np.diff(edges)[:-1, None]
    upper = (edges[2:, None] - freqs[None, :]) / np.diff(edges)[1:, None]
    fb = np.maximum(0.0, np.minimum(lower, upper))
    fb *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return fb


def _stft_mag(x: np.ndarray, n_fft: int, hop: int, win: int) -> np.ndarray:
    """|STFT| of each channel, ``(channels, n_frames, n_fft // 2 + 1)``; frames centred, zero-padded ends."""
    pad = n_fft // 2
    xp = np.pad(x, ((0, 0), (pad, pad)))
    if xp.shape[1] < n_fft:
        xp = np.pad(xp, ((0, 0), (0, n_fft - xp.shape[1])))
    frames = np.lib.stride_tricks.sliding_window_view(xp, n_fft, axis=-1)[:, ::hop]
    window = np.zeros(n_fft)
    off = (n_fft - win) // 2
    window[off : off + win] = signal.get_window("hann", win)
    return np.abs(np.fft.rfft(frames * window, axis=-1))


def mel_spectrogram(
    audio: Any, sample_rate: float, *, n_fft: int = 2048, hop: int = 512, n_mels: int = 80, fmin: float = 0.0,
    fmax: float | None = None,
) -> np.ndarray:
    """Magnitude mel spectrogram, ``(channels, n_frames, n_mels)``."""
    x = np.asarray(audio, dtype=np.float64)
    x = x[None, :] if x.ndim == 1 else x
    return _stft_mag(x, n_fft, hop, n_fft) @ mel_filterbank(sample_rate, n_fft, n_mels, fmin=fmin, fmax=fmax).T


def log_mel_distance(
    reference: Any,
    estimate: Any,
    *,
    sample_rate: float = 48000,
    n_fft: int = 2048,
    hop: int = 512,
    n_mels: int = 80,
    eps: float = 1e-5,
) -> float:
    """Mean absolute difference of log10 mel magnitudes (0 for identical signals).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=16000)
    >>> log_mel_distance(x, x, sample_rate=16000)
    0.0
    >>> log_mel_distance(x, 0.5 * x, sample_rate=16000) > 0.2
    True
    """
    ref, est = _pair(reference, estimate)
    a = mel_spectrogram(ref, sample_rate, n_fft=n_fft, hop=hop, n_mels=n_mels)
    b = mel_spectrogram(est, sample_rate, n_fft=n_fft, hop=hop, n_mels=n_mels)
    return float(np.mean(np.abs(np.log10(a + eps) - np.log10(b + eps))))


def multi_resolution_stft_distance(
    reference: Any,
    estimate: Any,
    *,
    resolutions: Sequence[tuple[int, int, int]] = ((512, 128, 512), (1024, 256, 1024), (2048, 512, 2048)),
    eps: float = 1e-7,
) -> float:
    """Multi-resolution STFT distance (Yamamoto et al. 2020): over ``(n_fft, hop, window)`` resolutions,
    the mean of spectral convergence ``||S_r - S_e||_F / ||S_r||_F`` plus the mean absolute log-magnitude
    difference.  0 for identical signals.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=8000)
    >>> multi_resolution_stft_distance(x, x)
    0.0
    """
    ref, est = _pair(reference, estimate)
    total = 0.0
    for n_fft, hop, win in resolutions:
        if not 0 < win <= n_fft or hop <= 0:
            raise ValueError(f"bad resolution (n_fft={n_fft}, hop={hop}, window={win})")
        a = _stft_mag(ref, n_fft, hop, win)
        b = _stft_mag(est, n_fft, hop, win)
        sc = np.linalg.norm(a - b) / max(np.linalg.norm(a), eps)
        mag = np.mean(np.abs(np.log(a + eps) - np.log(b + eps)))
        total += sc + mag
    return float(total / len(resolutions))


def snr_db(reference: Any, estimate: Any) -> float:
    """Signal-to-noise ratio of ``estimate`` against ``reference``, dB: ``10 log10(|r|^2 / |r - e|^2)``.

    ``inf`` when they are identical.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.ones(1000)
    >>> round(snr_db(r, r + 0.1), 3)
    20.0
    """
    ref, est = _pair(reference, estimate)
    noise = float(np.sum((ref - est) ** 2))
    power = float(np.sum(ref**2))
    if noise == 0.0:
        return float("inf")
    if power == 0.0:
        return float("-inf")
    return 10.0 * float(np.log10(power / noise))


def _mono(x: np.ndarray) -> np.ndarray:
    return x.mean(axis=0)


def stoi(reference: Any, estimate: Any, *, sample_rate: int, extended: bool = False) -> float:
    """Short-time objective intelligibility (Taal et al. 2011) through pystoi; channels are averaged.

    Raises
    ------
    MissingDependencyError
        When pystoi is not installed (``pip install pystoi``).
    """
    pystoi = import_optional("pystoi", extra="audio", feature="STOI")
    ref, est = _pair(reference, estimate)
    return float(pystoi.stoi(_mono(ref), _mono(est), int(sample_rate), extended=extended))


def pesq(reference: Any, estimate: Any, *, sample_rate: int, mode: str = "wb") -> float:
    """Perceptual evaluation of speech quality (ITU-T P.862) through the ``pesq`` package.

    Signals are averaged over channels and resampled to 16 kHz (``mode="wb"``) or 8 kHz (``"nb"``).

    Raises
    ------
    MissingDependencyError
        When ``pesq`` is not installed (``pip install pesq``).
    """
    pesq_mod = import_optional("pesq", extra="audio", feature="PESQ")
    if mode not in ("wb", "nb"):
        raise ValueError(f"mode must be 'wb' or 'nb', got {mode!r}")
    ref, est = _pair(reference, estimate)
    rate = 16000 if mode == "wb" else 8000
    g = np.gcd(int(sample_rate), rate)
    r = signal.resample_poly(_mono(ref), rate // g, int(sample_rate) // g)
    e = signal.resample_poly(_mono(est), rate // g, int(sample_rate) // g)
    return float(pesq_mod.pesq(rate, r, e, mode))
