"""Score to audio, behind one interface with interchangeable backends.

``render(score, backend="builtin")`` uses the synthesizer of :mod:`harmonia.audio.synth` (numpy and
numba only, always available); ``backend="soundfont"`` plays the tracks' General MIDI programs from a
SoundFont through symusic (:mod:`harmonia.audio.soundfont`); ``backend="auto"`` takes the SoundFont
when one is given or found and the built-in synthesizer otherwise.  Every backend returns a
:class:`~harmonia.audio.synth.Rendering`: the sum and one stem per track, ``(2, n_samples)`` float32
at 48 kHz by default, lasting ``score.duration_sec + tail_sec``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from harmonia.audio.synth import SAMPLE_RATE, Rendering, render_builtin, track_plan
from harmonia.errors import EmptyScoreError
from harmonia.symbolic.score import Score

__all__ = ["BACKENDS", "render"]

#: Accepted values of ``backend``.
BACKENDS = ("builtin", "soundfont", "auto")


def render(
    score: Score,
    *,
    backend: str | None = None,
    soundfont: str | os.PathLike[str] | None = None,
    sample_rate: int = SAMPLE_RATE,
    instruments: Mapping[Any, str] | None = None,
    roles: Mapping[Any, str] | None = None,
    pans: Mapping[Any, float] | None = None,
    tail_sec: float = 1.5,
    seed: int = 0,
    engine: str = "auto",
) -> Rendering:
    """Render a Score to stereo audio with per-track stems.

    Parameters
    ----------
    score : Score
        What to play (times through its tempo map).
    backend : {"builtin", "soundfont", "auto"}, optional
        The synthesizer; by default ``"soundfont"`` when ``soundfont`` is given, else ``"builtin"``.
        ``"soundfont"`` needs a SoundFont (``soundfont``, ``$HARMONIA_SOUNDFONT`` or a system one, see
        :func:`~harmonia.audio.soundfont.find_soundfont`); ``"auto"`` uses one when
        found, else the built-in synthesizer.
    soundfont : str or path-like, optional
        A ``.sf2``/``.sf3`` file for the ``"soundfont"`` and ``"auto"`` backends.
    sample_rate : int, default 48000
        Output rate, Hz.
    instruments : mapping, optional
        Built-in instrument per track (index, stem name or track name); the built-in backend only.
    roles, pans : mapping, optional
        Role (for mixing and default placement) and pan in [-1, 1] per track.  The SoundFont backend
        reports roles but leaves placement to the SoundFont.
    tail_sec : float, default 1.5
        Audio after the last note ends (faded out).
    seed : int, default 0
        Seed of the built-in synthesizer's noise and phases (the SoundFont backend is deterministic).
    engine : {"auto", "symusic", "tinysoundfont"}, default "auto"
        SoundFont synthesizer (see :mod:`harmonia.audio.soundfont`).

    Returns
    -------
    Rendering

    Raises
    ------
    MissingDependencyError
        ``backend="soundfont"`` and no SoundFont is found (the message says how to get one).
    MissingFileError
        ``soundfont`` names no file.
    ValueError
        An unknown backend, ``soundfont`` with ``backend="builtin"``, or ``instruments`` with a SoundFont.
    EmptyScoreError
        The score has no notes.

    Examples
    --------
    >>> from harmonia.symbolic.score import Score, Track
    >>> s = Score([(0.0, 2.0, 57, 90, 0)], tempos=[(0.0, 120.0)], tracks=[Track("Bass", 33)])
    >>> r = render(s, tail_sec=0.5)
    >>> r.backend, list(r.stems), r.roles["bass"], r.instruments["bass"], r.duration_sec
    ('builtin', ['bass'], 'bass', 'bass', 1.5)
    """
    if backend is None:
        backend = "builtin" if soundfont is None else "soundfont"
    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r} is not one of {BACKENDS}")
    if backend == "builtin":
        if soundfont is not None:
            raise ValueError("soundfont= was given with backend='builtin'; use backend='soundfont' or 'auto'")
        return render_builtin(
            score, sample_rate=sample_rate, instruments=instruments, roles=roles, pans=pans, tail_sec=tail_sec,
            seed=seed,
        )
    from harmonia.audio.soundfont import find_soundfont, render_soundfont_tracks

    path = find_soundfont(soundfont, required=backend == "soundfont")
    if path is None:  # auto, nothing found
        return render_builtin(
            score, sample_rate=sample_rate, instruments=instruments, roles=roles, pans=pans, tail_sec=tail_sec,
            seed=seed,
        )
    if instruments:
        raise ValueError("instruments= applies to the built-in synthesizer; a SoundFont plays each track's GM program")
    if score.n_notes == 0:
        raise EmptyScoreError(f"{score.metadata.get('source') or 'score'}: nothing to render, the score has no notes")
    sr = int(sample_rate)
    n_samples = int(np.ceil((score.duration_sec + tail_sec) * sr))
    n_end = int(round(score.duration_sec * sr))
    fade = np.ones(n_samples, dtype=np.float32)
    if n_samples > n_end:
        fade[n_end:] = 0.5 * (1.0 + np.cos(np.linspace(0.0, np.pi, n_samples - n_end)))
    plan = track_plan(score, roles=roles, pans=pans)
    raw = render_soundfont_tracks(score, path, sample_rate=sr, n_samples=n_samples, engine=engine)
    stems: dict[str, np.ndarray] = {}
    total = np.zeros((2, n_samples), dtype=np.float32)
    for p, audio in zip(plan, raw):
        stem = np.zeros((2, n_samples), dtype=np.float32)
        n = min(n_samples, audio.shape[1])
        stem[:, :n] = audio[:, :n]
        stem *= fade
        stems[p["name"]] = stem
        total += stem
    return Rendering(
        total,
        stems,
        sr,
        {p["name"]: p["role"] for p in plan},
        {p["name"]: "soundfont" for p in plan},
        "soundfont",
    )
