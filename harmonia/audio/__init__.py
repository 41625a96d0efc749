"""Audio: rendering scores to sound, mixing and mastering, audio metrics (optional extra ``audio``).

The names below load on first use, so ``import harmonia.audio`` stays light (no numba compilation,
no soundfile or pyloudnorm import).

- :func:`render` (:mod:`harmonia.audio.render`): Score -> :class:`~harmonia.audio.synth.Rendering`
  (stereo sum and stems) with the built-in synthesizer or a SoundFont.
- :func:`mix_stems`, :func:`master`, :func:`mix_and_master`, :class:`MixSettings`
  (:mod:`harmonia.audio.mix`).
- :func:`write_wav`, :func:`read_wav` (:mod:`harmonia.audio.wav`).
- :mod:`harmonia.audio.metrics`.
"""

from __future__ import annotations

from harmonia._lazy import lazy_attributes

_LAZY = {
    "render": "harmonia.audio.render",
    "Rendering": "harmonia.audio.synth",
    "MixSettings": "harmonia.audio.mix",
    "MasterResult": "harmonia.audio.mix",
    "mix_stems": "harmonia.audio.mix",
    "master": "harmonia.audio.mix",
    "mix_and_master": "harmonia.audio.mix",
    "loudness_lufs": "harmonia.audio.mix",
    "true_peak_dbtp": "harmonia.audio.mix",
    "write_wav": "harmonia.audio.wav",
    "read_wav": "harmonia.audio.wav",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)
