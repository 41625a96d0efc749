"""Mixing and mastering: balance, EQ, bus compression, a true-peak limiter and loudness normalisation.

Audio arrays are channels first, ``(2, n_samples)`` (a 1-D array is mono), float, at ``sample_rate``.
The chain, driven by :class:`MixSettings`:

1. :func:`mix_stems`: per stem, a gain from its role (``drums``, ``bass``, ``harmony``, ``melody``,
   ``pad``), a high-pass (low everywhere, higher on everything but bass and kick), a mud cut around
   300 Hz on harmony, pads and melody, a presence lift around 4 kHz on the melody, and a send to a
   shared stereo reverb (:func:`reverb`; none from the bass); the sum goes through a feed-forward RMS
   bus compressor (:func:`compress`).
2. :func:`master`: loudness normalisation to ``target_lufs`` (ITU-R BS.1770-4 integrated loudness;
   harmonia's vectorised meter, checked against pyloudnorm, which can also report the result) and a
   look-ahead true-peak limiter (:func:`limit`, 4x oversampled peak detection) that keeps
   the true peak at or below ``true_peak_dbtp``; gain and limiting are iterated until the
   loudness lands within 0.1 LU of the target (or limiting would have to exceed ``max_limiting_db``).

Settings come from a genre's production style through :meth:`MixSettings.from_production`.

References
----------
ITU-R BS.1770-4 (2015), "Algorithms to measure audio programme loudness and true-peak audio level".
R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients" (W3C Audio EQ Cookbook).
D. Giannoulis, M. Massberg, J. D. Reiss (2012), "Digital dynamic range compressor design - a tutorial
and analysis", J. Audio Eng. Soc. 60(6).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
from numba import njit
from scipy import signal

from harmonia._optional import import_optional

__all__ = [
    "CHARACTERS",
    "MasterResult",
    "MixSettings",
    "biquad",
    "compress",
    "limit",
    "loudness_lufs",
    "master",
    "mix_and_master",
    "mix_stems",
    "reverb",
    "true_peak_dbtp",
]

_ROLE_GAINS_DB = {"drums": -2.0, "bass": -1.0, "harmony": -4.0, "melody": 0.0, "pad": -5.0}
_HIGHPASS_HZ = {"drums": 30.0, "bass": 30.0, "harmony": 110.0, "melody": 140.0, "pad": 130.0}
_REVERB_SENDS_DB = {"drums": -20.0, "harmony": -13.0, "melody": -15.0, "pad": -11.0}


@dataclass(frozen=True)
class MixSettings:
    """How to mix and master.  Every field has a default; build from a genre's production style with
    :meth:`from_production`.

    Attributes
    ----------
    target_lufs : float
        Integrated loudness to reach, LUFS (-14 suits streaming services).
    true_peak_dbtp : float
        Ceiling of the true peak, dBTP.
    role_gains_db : dict
        Gain per role, dB (roles not listed get 0 dB).
    highpass_hz : dict
        High-pass corner per role, Hz (0 disables it).
    mud_cut_db, mud_hz : float
        Peaking cut on harmony, pads and melody (dB, Hz; Q 1.0).
    presence_db, presence_hz : float
        Peaking lift on the melody (dB, Hz; Q 0.8).
    comp_threshold_db, comp_ratio, comp_knee_db, comp_attack_ms, comp_release_ms : float
        Bus compressor (RMS detector, 10 ms window); ``comp_ratio=1`` disables it.
    limiter_lookahead_ms, limiter_release_ms : float
        True-peak limiter timing.
    max_limiting_db : float
        Most gain reduction the limiter may apply to reach the target; quieter masters result beyond it.
    reverb_sends_db : dict
        Level sent from each role to a shared stereo reverb, dB (roles not listed send nothing).
    reverb_time_s : float
        The reverb's decay time to -60 dB (RT60), s; 0 disables it.
    character : str
        The preset the settings came from (one of :data:`CHARACTERS`), for reports.
    """

    target_lufs: float = -14.0
    true_peak_dbtp: float = -1.0
    role_gains_db: dict[str, float] = field(default_factory=lambda: dict(_ROLE_GAINS_DB))
    highpass_hz: dict[str, float] = field(default_factory=lambda: dict(_HIGHPASS_HZ))
    mud_cut_db: float = -3.0
    mud_hz: float = 320.0
    presence_db: float = 2.5
    presence_hz: float = 4000.0
    comp_threshold_db: float = -20.0
    comp_ratio: float = 2.5
    comp_knee_db: float = 6.0
    comp_attack_ms: float = 15.0
    comp_release_ms: float = 150.0
    limiter_lookahead_ms: float = 2.0
    limiter_release_ms: float = 80.0
    max_limiting_db: float = 12.0
    reverb_sends_db: dict[str, float] = field(default_factory=lambda: dict(_REVERB_SENDS_DB))
    reverb_time_s: float = 1.6
    character: str = "balanced"

    def __post_init__(self) -> None:
        if not -60.0 <= self.target_lufs <= 0.0:
            raise ValueError(f"target_lufs {self.target_lufs} is outside -60..0 LUFS")
        if not -20.0 <= self.true_peak_dbtp <= 0.0:
            raise ValueError(f"true_peak_dbtp {self.true_peak_dbtp} is outside -20..0 dBTP")
        if self.comp_ratio < 1.0:
            raise ValueError(f"comp_ratio must be >= 1, got {self.comp_ratio}")
        if self.limiter_lookahead_ms <= 0 or self.limiter_release_ms <= 0:
            raise ValueError("limiter look-ahead and release must be > 0 ms")

    @classmethod
    def from_production(
        cls, production: Mapping[str, Any] | MixSettings | None = None, **overrides: Any
    ) -> MixSettings:
        """Settings from a production-style mapping (a genre's ``production`` entry).

        Keys read (others are ignored, so a genre record can carry more): ``character`` or
        ``mix_character`` (a preset of :data:`CHARACTERS`, applied first); ``target_lufs``,
        ``loudness_lufs`` or ``lufs``; ``true_peak_dbtp`` or ``ceiling_dbtp``; ``compression``
        (``"none"``, ``"light"``, ``"medium"``, ``"heavy"`` or an amount 0..1); ``role_gains_db`` or
        ``balance`` (a role -> dB mapping, merged into the preset's); and any field name of this class.

        Examples
        --------
        >>> s = MixSettings.from_production({"mix_character": "punchy", "loudness_lufs": -9, "compression": "heavy"})
        >>> s.character, s.target_lufs, s.comp_ratio, s.role_gains_db["drums"]
        ('punchy', -9.0, 4.0, -0.5)
        """
        if isinstance(production, MixSettings):
            return replace(production, **overrides) if overrides else production
        prod = dict(production or {})
        prod.update(overrides)
        character = str(prod.pop("character", prod.pop("mix_character", "balanced")) or "balanced").lower()
        if character not in CHARACTERS:
            raise ValueError(f"mix character {character!r} is not one of {sorted(CHARACTERS)}")
        kw: dict[str, Any] = {"character": character}
        preset = dict(CHARACTERS[character])
        gains = dict(_ROLE_GAINS_DB)
        gains.update(preset.pop("role_gains_db", {}))
        kw.update(preset)
        for key in ("target_lufs", "loudness_lufs", "lufs"):
            if key in prod:
                kw["target_lufs"] = float(prod.pop(key))
                break
        for key in ("true_peak_dbtp", "ceiling_dbtp"):
            if key in prod:
                kw["true_peak_dbtp"] = float(prod.pop(key))
                break
        if "compression" in prod:
            kw.update(_compression(prod.pop("compression")))
        if "reverb" in prod:  # 0 dry .. 1 very wet: shifts every send and lengthens the tail
            amount = float(prod.pop("reverb"))
            if not 0.0 <= amount <= 1.0:
                raise ValueError(f"reverb amount {amount} is outside 0..1")
            shift = -30.0 if amount == 0 else 20.0 * math.log10(amount / 0.35)
            kw["reverb_sends_db"] = {r: v + shift for r, v in _REVERB_SENDS_DB.items()}
            kw["reverb_time_s"] = 0.8 + 2.4 * amount
        for key in ("role_gains_db", "balance"):
            if key in prod:
                gains.update({str(r): float(v) for r, v in dict(prod.pop(key)).items()})
        kw["role_gains_db"] = gains
        names = {f.name for f in fields(cls)}
        for key, value in prod.items():
            if key in names:
                kw[key] = value
        if "highpass_hz" in kw:
            kw["highpass_hz"] = {**_HIGHPASS_HZ, **kw["highpass_hz"]}
        return cls(**kw)


#: Mix characters: named departures from the defaults of :class:`MixSettings`.
CHARACTERS: dict[str, dict[str, Any]] = {
    "balanced": {},
    "warm": {"presence_db": 1.0, "mud_cut_db": -1.5, "role_gains_db": {"bass": 0.0, "pad": -3.0}},
    "bright": {"presence_db": 4.0, "presence_hz": 5000.0, "mud_cut_db": -4.5},
    "punchy": {"comp_ratio": 4.0, "comp_attack_ms": 25.0, "comp_threshold_db": -22.0,
               "role_gains_db": {"drums": -0.5, "bass": -0.5}},
    "soft": {"comp_ratio": 1.5, "comp_threshold_db": -24.0, "presence_db": 1.5, "role_gains_db": {"drums": -5.0}},
}

_COMPRESSION = {"none": 1.0, "light": 1.8, "medium": 2.5, "heavy": 4.0}


def _compression(value: Any) -> dict[str, float]:
    if isinstance(value, str):
        if value.lower() not in _COMPRESSION:
            raise ValueError(f"compression {value!r} is not one of {sorted(_COMPRESSION)} or a number 0..1")
        ratio = _COMPRESSION[value.lower()]
    else:
        amount = float(value)
        if not 0.0 <= amount <= 1.0:
            raise ValueError(f"compression amount {amount} is outside 0..1")
        ratio = 1.0 + 5.0 * amount
    return {"comp_ratio": ratio}


# -- filters ------------------------------------------------------------------------------------------
def biquad(kind: str, freq_hz: float, sample_rate: float, *, q: float = 0.7071, gain_db: float = 0.0) -> np.ndarray:
    """One biquad section (RBJ cookbook) as a ``(1, 6)`` second-order-sections array for scipy.

    Parameters
    ----------
    kind : {"lowpass", "highpass", "peak", "lowshelf", "highshelf"}
    freq_hz : float
        Corner or centre frequency.
    sample_rate : float
    q : float, default 0.7071
        Quality factor (shelves: slope-like, 0.7071 is the usual).
    gain_db : float, default 0
        Gain of peak and shelf filters.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> sos = biquad("peak", 1000.0, 48000, q=1.0, gain_db=6.0)
    >>> w, h = signal.sosfreqz(sos, worN=[1000.0], fs=48000)
    >>> round(float(20 * np.log10(abs(h[0]))), 3)
    6.0
    """
    if not 0.0 < freq_hz < 0.5 * sample_rate:
        raise ValueError(f"filter frequency {freq_hz} Hz must be between 0 and {0.5 * sample_rate:g} Hz")
    a_gain = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * math.pi * freq_hz / sample_rate
    cw, sw = math.cos(w0), math.sin(w0)
    alpha = sw / (2.0 * q)
    if kind == "lowpass":
        b = [(1 - cw) / 2, 1 - cw, (1 - cw) / 2]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "highpass":
        b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "peak":
        b = [1 + alpha * a_gain, -2 * cw, 1 - alpha * a_gain]
        a = [1 + alpha / a_gain, -2 * cw, 1 - alpha / a_gain]
    elif kind in ("lowshelf", "highshelf"):
        s = 1 if kind == "lowshelf" else -1
        sq = 2 * math.sqrt(a_gain) * alpha
        b = [
            a_gain * ((a_gain + 1) - s * (a_gain - 1) * cw + sq),
            s * 2 * a_gain * ((a_gain - 1) - s * (a_gain + 1) * cw),
            a_gain * ((a_gain + 1) - s * (a_gain - 1) * cw - sq),
        ]
        a = [(a_gain + 1) + s * (a_gain - 1) * cw + sq, -s * 2 * ((a_gain - 1) + s * (a_gain + 1) * cw),
             (a_gain + 1) + s * (a_gain - 1) * cw - sq]
    else:
        raise ValueError(f"filter kind {kind!r} is not one of lowpass, highpass, peak, lowshelf, highshelf")
    b_arr = np.asarray(b) / a[0]
    a_arr = np.asarray(a) / a[0]
    return np.concatenate([b_arr, a_arr])[None, :]


def _role_eq(role: str, settings: MixSettings, sample_rate: float) -> np.ndarray | None:
    sections = []
    hp = settings.highpass_hz.get(role, 0.0)
    if hp and hp > 0:
        sections.append(biquad("highpass", hp, sample_rate))
    if role in ("harmony", "pad", "melody") and settings.mud_cut_db:
        sections.append(biquad("peak", settings.mud_hz, sample_rate, q=1.0, gain_db=settings.mud_cut_db))
    if role == "melody" and settings.presence_db:
        sections.append(biquad("peak", settings.presence_hz, sample_rate, q=0.8, gain_db=settings.presence_db))
    return np.concatenate(sections) if sections else None


# -- dynamics -------------------------------------------------------------------------------------------
@njit(cache=True, fastmath=True)
def _compress_kernel(x, sr, thr, ratio, knee, attack_s, release_s, makeup_db):  # pragma: no cover - compiled
    n_ch, n = x.shape
    y = np.empty_like(x)
    a_rms = math.exp(-1.0 / (0.010 * sr))
    a_att = math.exp(-1.0 / (max(attack_s, 1e-5) * sr))
    a_rel = math.exp(-1.0 / (max(release_s, 1e-5) * sr))
    slope = 1.0 / ratio - 1.0
    low = 10.0 ** ((thr - 0.5 * knee) / 10.0)  # mean square under which nothing happens
    ms = 0.0
    gr_s = 0.0
    makeup = 10.0 ** (makeup_db / 20.0)
    for t in range(n):
        p = 0.0
        for c in range(n_ch):
            p += x[c, t] * x[c, t]
        ms = a_rms * ms + (1.0 - a_rms) * p / n_ch
        gr = 0.0
        if ms > low:
            over = 10.0 * math.log10(ms) - thr
            if over < 0.5 * knee:
                d = over + 0.5 * knee
                gr = slope * d * d / (2.0 * knee) if knee > 0 else 0.0
            else:
                gr = slope * over
        if gr < gr_s:
            gr_s = a_att * gr_s + (1.0 - a_att) * gr
        else:
            gr_s = a_rel * gr_s + (1.0 - a_rel) * gr
        g = makeup * 10.0 ** (gr_s / 20.0) if gr_s < -1e-6 else makeup
        for c in range(n_ch):
            y[c, t] = x[c, t] * g
    return y


def _as_audio(audio: Any) -> tuple[np.ndarray, bool]:
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 1:
        return x[None, :], True
    if x.ndim != 2 or x.shape[0] > 16:
        raise ValueError(f"audio must be (n_samples,) or (channels, n_samples) with channels first; got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("audio holds NaN or infinite samples")
    return np.ascontiguousarray(x), False


def compress(
    audio: Any,
    sample_rate: float,
    *,
    threshold_db: float = -20.0,
    ratio: float = 2.5,
    knee_db: float = 6.0,
    attack_ms: float = 15.0,
    release_ms: float = 150.0,
    makeup_db: float = 0.0,
) -> np.ndarray:
    """Feed-forward RMS compressor with a soft knee, linked across channels.

    The detector is a 10 ms running mean square of the channels' average; the gain computer follows
    Giannoulis et al. (2012); the gain reduction is smoothed in dB with separate attack and release.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(48000) / 48000
    >>> loud = 0.9 * np.sin(2 * np.pi * 220 * t)
    >>> out = compress(loud, 48000, threshold_db=-20, ratio=4)
    >>> bool(np.abs(out[-4800:]).max() < 0.5 * np.abs(loud).max())
    True
    """
    x, mono = _as_audio(audio)
    if ratio < 1:
        raise ValueError(f"ratio must be >= 1, got {ratio}")
    y = _compress_kernel(
        x, float(sample_rate), float(threshold_db), float(ratio), float(knee_db), attack_ms / 1e3, release_ms / 1e3,
        float(makeup_db),
    )
    return y[0] if mono else y


def _oversampling_filter(oversample: int = 4, taps_per_phase: int = 12) -> np.ndarray:
    """Low-pass interpolation filter for true-peak detection (49 taps at 4x, passband to 0.9 Nyquist)."""
    n = oversample * taps_per_phase + 1  # odd length: an integer delay, so phase 0 falls on the samples
    h = oversample * signal.firwin(n, 0.9 / oversample, window=("kaiser", 6.0))
    return np.concatenate([h, np.zeros(oversample - 1)])  # whole taps per phase


_TP_FILTER = _oversampling_filter()


@njit(cache=True, fastmath=True)
def _tp_envelope_kernel(xp, h, ov, n):  # pragma: no cover - compiled
    # xp: (channels, n + 2 * tpp) zero-padded signal; the oversampled value at phase p after padded
    # sample m is sum_i h[p + i * ov] * xp[m - i]
    n_ch = xp.shape[0]
    tpp = h.size // ov
    delay = (h.size - ov) / 2.0  # in oversampled samples (the filter has ov - 1 trailing zeros)
    hp = np.empty((ov, tpp))
    for p in range(ov):
        for i in range(tpp):
            hp[p, i] = h[p + i * ov]
    n_out = n + tpp  # padded positions m = tpp .. n + 2 * tpp - 1
    env = np.zeros(n)
    blk = 2048
    acc = np.empty(blk)
    for c in range(n_ch):
        xc = xp[c]
        for t in range(n):
            a = abs(xc[tpp + t])
            if a > env[t]:
                env[t] = a
        for b0 in range(0, n_out, blk):
            nb = min(blk, n_out - b0)
            m0 = tpp + b0
            for p in range(ov):
                for j in range(nb):
                    acc[j] = 0.0
                for i in range(tpp):
                    w = hp[p, i]
                    base = m0 - i
                    for j in range(nb):  # vectorised over samples
                        acc[j] += w * xc[base + j]
                # oversampled value j of this block belongs to input sample b0 + j + kp
                kp = int(math.floor((p - delay) / ov + 0.5))
                lo = max(0, -(b0 + kp))
                hi = min(nb, n - (b0 + kp))
                for j in range(lo, hi):
                    a = abs(acc[j])
                    k = b0 + j + kp
                    env[k] = max(env[k], a)
    return env


def _peak_envelope(x: np.ndarray) -> np.ndarray:
    """Per-sample true-peak estimate: the largest magnitude of the 4x oversampled signal (all channels)
    within half a sample of each sample, and of the sample itself."""
    tpp = _TP_FILTER.size // 4
    xp = np.zeros((x.shape[0], x.shape[1] + 2 * tpp))
    xp[:, tpp : tpp + x.shape[1]] = x
    env = _tp_envelope_kernel(xp, _TP_FILTER, 4, x.shape[1])
    # an inter-sample peak just before a sample matters for that sample too
    env[1:] = np.maximum(env[1:], env[:-1])
    return env


def true_peak_dbtp(audio: Any, sample_rate: float = 48000) -> float:
    """True peak in dBTP: the largest magnitude of the 4x oversampled signal (ITU-R BS.1770-4 Annex 2).

    Returns ``-inf`` for silence.

    Examples
    --------
    >>> import numpy as np
    >>> n = np.arange(4800)
    >>> x = np.sin(2 * np.pi * n / 4 + np.pi / 4)  # fs/4 sampled between its peaks
    >>> round(float(20 * np.log10(np.abs(x).max())), 2), round(true_peak_dbtp(x, 48000), 2)
    (-3.01, 0.0)
    """
    x, _ = _as_audio(audio)
    if x.shape[1] == 0:
        return float("-inf")
    peak = float(_peak_envelope(x).max())
    return 20.0 * math.log10(peak) if peak > 0 else float("-inf")


@njit(cache=True)
def _limiter_gain(env, ceiling, la, rel_coef):  # pragma: no cover - compiled
    n = env.size
    req = np.empty(n)
    for t in range(n):
        req[t] = ceiling / env[t] if env[t] > ceiling else 1.0
    # forward sliding minimum over [t, t + la] (monotonic deque)
    g1 = np.empty(n)
    dq = np.empty(n, dtype=np.int64)
    head = 0
    tail = 0
    j = 0
    for t in range(n):
        hi = min(n - 1, t + la)
        while j <= hi:
            while tail > head and req[dq[tail - 1]] >= req[j]:
                tail -= 1
            dq[tail] = j
            tail += 1
            j += 1
        while dq[head] < t:
            head += 1
        g1[t] = req[dq[head]]
    # moving average over [t - la, t]: ramps down ahead of each peak, never above the requirement
    g2 = np.empty(n)
    acc = 0.0
    w = la + 1
    for t in range(n):
        acc += g1[t]
        if t >= w:
            acc -= g1[t - w]
            g2[t] = acc / w
        else:
            g2[t] = (acc + (w - t - 1) * 1.0) / w
        if g2[t] > g1[t] and t < w:  # the start has no history: stay safe
            g2[t] = min(g2[t], g1[t])
    # release: recover towards 1 exponentially, never above the ramped requirement
    g = np.empty(n)
    prev = 1.0
    for t in range(n):
        cand = 1.0 - (1.0 - prev) * rel_coef
        prev = min(cand, g2[t])
        g[t] = prev
    return g


def limit(
    audio: Any,
    sample_rate: float = 48000,
    *,
    ceiling_dbtp: float = -1.0,
    lookahead_ms: float = 2.0,
    release_ms: float = 80.0,
) -> np.ndarray:
    """Look-ahead true-peak limiter: the output's true peak never exceeds ``ceiling_dbtp``.

    Peaks are detected on the 4x oversampled signal; the gain needed at each sample is the minimum over
    the look-ahead window, ramped in with a moving average of the same length (so gain reduction starts
    before the peak), and released exponentially.  A last trim guarantees the ceiling as measured by
    :func:`true_peak_dbtp`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(0.0, 0.5, (2, 48000))
    >>> y = limit(x, 48000, ceiling_dbtp=-1.0)
    >>> bool(true_peak_dbtp(y, 48000) <= -1.0)
    True
    """
    x, mono = _as_audio(audio)
    if x.shape[1] == 0:
        return x[0] if mono else x
    ceiling = 10.0 ** (ceiling_dbtp / 20.0)
    env = _peak_envelope(x)
    y = _apply_limiter(x, env, ceiling, sample_rate, lookahead_ms, release_ms)
    return y[0] if mono else y


def _apply_limiter(x, env, ceiling, sample_rate, lookahead_ms, release_ms, *, guard=True):
    la = max(1, int(round(lookahead_ms * 1e-3 * sample_rate)))
    rel = math.exp(-1.0 / (release_ms * 1e-3 * sample_rate))
    target = ceiling * 10.0 ** (-0.05 / 20.0)  # aim a little under the ceiling
    gain = _limiter_gain(env, target, la, rel)
    y = x * gain
    if guard:
        peak = float(_peak_envelope(y).max())
        if peak > ceiling:  # smoothing let an inter-sample peak through: trim the whole signal
            y *= ceiling / peak * (1.0 - 1e-9)
    return y


@njit(cache=True, fastmath=True)
def _reverb_kernel(x, combs, allpasses, feedback, damp, spread):  # pragma: no cover - compiled
    """Schroeder-Moorer reverb in Freeverb's layout: per channel, eight parallel low-pass-feedback combs
    then four series all-passes; the right channel's delays are ``spread`` samples longer."""
    n = x.size
    out = np.zeros((2, n))
    for ch in range(2):
        acc = np.zeros(n)
        extra = spread * ch
        for c in range(combs.size):
            d = combs[c] + extra
            buf = np.zeros(d)
            idx = 0
            store = 0.0
            fb = feedback[c]
            for t in range(n):
                y = buf[idx]
                store = y * (1.0 - damp) + store * damp
                buf[idx] = x[t] + store * fb
                idx += 1
                if idx >= d:
                    idx = 0
                acc[t] += y
        for a in range(allpasses.size):
            d = allpasses[a] + extra
            buf = np.zeros(d)
            idx = 0
            for t in range(n):
                b = buf[idx]
                y = b - acc[t]
                buf[idx] = acc[t] + 0.5 * b
                idx += 1
                if idx >= d:
                    idx = 0
                acc[t] = y
        for t in range(n):
            out[ch, t] = acc[t]
    return out


_COMBS_441 = np.array([1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617])
_ALLPASSES_441 = np.array([556, 441, 341, 225])


def reverb(audio: Any, sample_rate: float = 48000, *, time_s: float = 1.6, damping: float = 0.35) -> np.ndarray:
    """Wet signal of a stereo reverb (Schroeder-Moorer, in Freeverb's comb and all-pass layout).

    Channels are summed into the reverb; the output is ``(2, n_samples)``, wet only.  Each comb's
    feedback gives a decay of 60 dB in ``time_s`` seconds.

    References
    ----------
    J. A. Moorer (1979), "About this reverberation business", Computer Music Journal 3(2),
    doi:10.2307/3680280.

    Examples
    --------
    >>> import numpy as np
    >>> impulse = np.zeros(48000)
    >>> impulse[0] = 1.0
    >>> wet = reverb(impulse, 48000, time_s=0.5)
    >>> early, late = np.abs(wet[:, 2400:7200]).max(), np.abs(wet[:, 33600:38400]).max()
    >>> bool(20 * np.log10(late / early) < -30)
    True
    """
    x, _ = _as_audio(audio)
    if time_s <= 0:
        return np.zeros((2, x.shape[1]))
    scale = sample_rate / 44100.0
    combs = np.maximum(1, np.rint(_COMBS_441 * scale)).astype(np.int64)
    allp = np.maximum(1, np.rint(_ALLPASSES_441 * scale)).astype(np.int64)
    feedback = 10.0 ** (-3.0 * combs / (time_s * sample_rate))
    mono = np.ascontiguousarray(x.mean(axis=0)) * 0.05  # Freeverb's input gain: 8 combs add up
    return _reverb_kernel(mono, combs, allp, feedback, float(damping), int(round(23 * scale)))


# -- loudness -------------------------------------------------------------------------------------------
def _k_weighting(sample_rate: float) -> np.ndarray:
    """BS.1770 K-weighting (shelf + high-pass) for any rate, as second-order sections; at 48 kHz it
    equals the standard's coefficients (the parametrisation of libebur128)."""
    k = math.tan(math.pi * 1681.974450955533 / sample_rate)
    q = 0.7071752369554196
    vh = 10.0 ** (3.999843853973347 / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
             1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    k = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1.0 + k / q + k * k
    high = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, high])


def loudness_lufs(audio: Any, sample_rate: float = 48000, *, meter: str = "harmonia") -> float:
    """Integrated loudness (ITU-R BS.1770-4: K-weighting, 400 ms blocks, absolute and relative gates), LUFS.

    Parameters
    ----------
    audio : array_like
        ``(channels, n_samples)`` or mono; channels are weighted 1 (left, right, centre).
    sample_rate : float, default 48000
    meter : {"harmonia", "pyloudnorm"}, default "harmonia"
        harmonia's vectorised meter, or pyloudnorm's (they agree within a few hundredths of a LU;
        ``tests/audio`` checks it).

    Returns
    -------
    float
        ``-inf`` for silence or audio shorter than one 400 ms block.

    Raises
    ------
    MissingDependencyError
        ``meter="pyloudnorm"`` and pyloudnorm is not installed (``pip install "harmonia[audio]"``).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(48000 * 2) / 48000
    >>> tone = 10 ** (-20 / 20) * np.sin(2 * np.pi * 997 * t)  # -20 dBFS sine at 997 Hz, mono
    >>> round(loudness_lufs(tone, 48000), 1)
    -23.0
    """
    x, _ = _as_audio(audio)
    if meter == "pyloudnorm":
        pyln = import_optional("pyloudnorm", extra="audio", feature="loudness measurement with pyloudnorm")
        if x.shape[1] < int(0.4 * sample_rate) or not np.any(x):
            return float("-inf")
        with np.errstate(divide="ignore"):
            value = float(pyln.Meter(int(sample_rate)).integrated_loudness(x.T))
        return value if np.isfinite(value) else float("-inf")
    if meter != "harmonia":
        raise ValueError(f"meter {meter!r} is not 'harmonia' or 'pyloudnorm'")
    hop = int(round(0.1 * sample_rate))
    n = x.shape[1]
    if n < 4 * hop or not np.any(x):
        return float("-inf")
    y = signal.sosfilt(_k_weighting(sample_rate), x, axis=-1)
    n_seg = n // hop
    seg = np.einsum("cij,cij->i", y[:, : n_seg * hop].reshape(x.shape[0], n_seg, hop),
                    y[:, : n_seg * hop].reshape(x.shape[0], n_seg, hop))
    power = (seg[:-3] + seg[1:-2] + seg[2:-1] + seg[3:]) / (4 * hop)  # 400 ms blocks, 75 % overlap
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10.0 * np.log10(power)
    gated = power[lk > -70.0]
    if gated.size == 0:
        return float("-inf")
    rel = -0.691 + 10.0 * np.log10(gated.mean()) - 10.0
    final = power[(lk > -70.0) & (lk > rel)]
    return float(-0.691 + 10.0 * np.log10(final.mean()))


@dataclass(frozen=True)
class MasterResult:
    """A mastered signal and what was measured on it.

    Attributes
    ----------
    audio : numpy.ndarray
        ``(2, n_samples)`` float32 (or 1-D for mono input).
    loudness_lufs : float
        Integrated loudness after mastering.
    true_peak_dbtp : float
        True peak after mastering.
    gain_db : float
        Gain applied before the limiter.
    input_lufs : float
        Loudness of the input.
    """

    audio: np.ndarray
    loudness_lufs: float
    true_peak_dbtp: float
    gain_db: float
    input_lufs: float


def master(
    audio: Any,
    *,
    sample_rate: int = 48000,
    settings: MixSettings | Mapping[str, Any] | None = None,
    measure: str = "harmonia",
) -> MasterResult:
    """Normalise loudness to the target and limit the true peak to the ceiling.

    Parameters
    ----------
    audio : array_like
        ``(channels, n_samples)`` or mono ``(n_samples,)``.
    sample_rate : int, default 48000
    settings : MixSettings or mapping, optional
        :class:`MixSettings` or a production-style mapping (see :meth:`MixSettings.from_production`).
    measure : {"harmonia", "pyloudnorm"}, default "harmonia"
        Meter of the reported output loudness (the gain search always uses harmonia's, which is faster).

    Returns
    -------
    MasterResult

    Raises
    ------
    ValueError
        For silent or too-short audio (nothing to normalise), or non-finite samples.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = 0.05 * rng.normal(size=(2, 96000))
    >>> m = master(x, sample_rate=48000)
    >>> abs(m.loudness_lufs + 14) < 0.5, m.true_peak_dbtp <= -1.0
    (True, True)
    """
    s = MixSettings.from_production(settings)
    x, mono = _as_audio(audio)
    l_in = loudness_lufs(x, sample_rate)
    if not np.isfinite(l_in):
        raise ValueError("cannot master silence or audio shorter than 0.4 s: its loudness is undefined")
    ceiling = 10.0 ** (s.true_peak_dbtp / 20.0)
    env = _peak_envelope(x)
    gain_db = s.target_lufs - l_in
    y = x
    l_out = l_in
    for _ in range(6):
        g = 10.0 ** (gain_db / 20.0)
        peak_db = 20.0 * math.log10(float(env.max()) * g)
        if peak_db - s.true_peak_dbtp > s.max_limiting_db:  # would squash too hard: back off
            gain_db -= peak_db - s.true_peak_dbtp - s.max_limiting_db
            g = 10.0 ** (gain_db / 20.0)
        y = _apply_limiter(
            x * g, env * g, ceiling, sample_rate, s.limiter_lookahead_ms, s.limiter_release_ms, guard=False
        )
        l_out = loudness_lufs(y, sample_rate)
        miss = s.target_lufs - l_out
        if abs(miss) <= 0.1 or (miss > 0 and peak_db - s.true_peak_dbtp >= s.max_limiting_db - 1e-6):
            break
        gain_db += miss
    peak = float(_peak_envelope(y).max())
    if peak > ceiling:  # smoothing let an inter-sample peak through: trim the whole signal
        y *= ceiling / peak * (1.0 - 1e-9)
        peak = float(_peak_envelope(y).max())
    tp = 20.0 * math.log10(peak)
    out = y.astype(np.float32)
    if measure == "pyloudnorm":
        l_out = loudness_lufs(out, sample_rate, meter="pyloudnorm")
    return MasterResult(out[0] if mono else out, float(l_out), float(tp), float(gain_db), float(l_in))


def mix_stems(
    stems: Mapping[str, np.ndarray],
    roles: Mapping[str, str],
    *,
    sample_rate: int = 48000,
    settings: MixSettings | Mapping[str, Any] | None = None,
) -> np.ndarray:
    """Balance, EQ and sum stems, add a shared reverb fed by per-role sends, then bus-compress the sum.

    Parameters
    ----------
    stems : mapping of str to array
        Equal-length ``(2, n_samples)`` stems (such as :attr:`Rendering.stems
        <harmonia.audio.synth.Rendering.stems>`).
    roles : mapping of str to str
        Each stem's role (``drums``, ``bass``, ``harmony``, ``melody``, ``pad``).
    sample_rate : int, default 48000
    settings : MixSettings or mapping, optional

    Returns
    -------
    numpy.ndarray
        The ``(2, n_samples)`` float64 mix (not loudness-normalised; see :func:`master`).
    """
    s = MixSettings.from_production(settings)
    if not stems:
        raise ValueError("no stems to mix")
    lengths = {np.shape(a)[-1] for a in stems.values()}
    if len(lengths) != 1:
        raise ValueError(f"stems differ in length: {sorted(lengths)} samples")
    total = None
    bus = None
    for name, stem in stems.items():
        role = roles.get(name)
        if role is None:
            raise KeyError(f"stem {name!r} has no role; roles given for {sorted(roles)}")
        x, _ = _as_audio(stem)
        if x.shape[0] == 1:
            x = np.repeat(x, 2, axis=0)
        sos = _role_eq(role, s, sample_rate)
        if sos is not None:
            x = signal.sosfilt(sos, x, axis=-1)
        x = x * 10.0 ** (s.role_gains_db.get(role, 0.0) / 20.0)
        total = x if total is None else total + x
        send = s.reverb_sends_db.get(role)
        if send is not None and s.reverb_time_s > 0:
            x = x * 10.0 ** (send / 20.0)
            bus = x if bus is None else bus + x
    if bus is not None:
        wet = reverb(bus, sample_rate, time_s=s.reverb_time_s)
        k = min(wet.shape[1], int(0.05 * sample_rate))  # the tail is cut at the end: fade it out
        wet[:, wet.shape[1] - k :] *= 0.5 * (1.0 + np.cos(np.linspace(0.0, np.pi, k)))
        total = total + wet
    if s.comp_ratio > 1.0:
        total = _compress_kernel(
            np.ascontiguousarray(total), float(sample_rate), s.comp_threshold_db, s.comp_ratio, s.comp_knee_db,
            s.comp_attack_ms / 1e3, s.comp_release_ms / 1e3, 0.0,
        )
    return total


def mix_and_master(rendering: Any, settings: MixSettings | Mapping[str, Any] | None = None) -> MasterResult:
    """:func:`mix_stems` then :func:`master` on a :class:`~harmonia.audio.synth.Rendering`."""
    s = MixSettings.from_production(settings)
    mixed = mix_stems(rendering.stems, rendering.roles, sample_rate=rendering.sample_rate, settings=s)
    return master(mixed, sample_rate=rendering.sample_rate, settings=s)
