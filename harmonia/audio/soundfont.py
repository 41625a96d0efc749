"""SoundFont rendering, one stem per track, through symusic's synthesizer (Prestosynth) or tinysoundfont.

``engine="auto"`` tries symusic first and falls back to tinysoundfont (``pip install tinysoundfont
--no-deps``; its pyaudio dependency is only for live playback) when symusic's renderer is unusable, as
symusic 0.6.0's is beside numpy 2.4 (its result cannot be converted to an array).

A SoundFont is never downloaded: pass one, set ``HARMONIA_SOUNDFONT``, or install one where Linux
distributions put them (Debian/Ubuntu: ``apt install fluid-soundfont-gm``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from harmonia._optional import import_optional
from harmonia.errors import HarmoniaError, MissingDependencyError, MissingFileError
from harmonia.symbolic.midi import to_symusic
from harmonia.symbolic.score import Score

__all__ = ["ENGINES", "SYSTEM_SOUNDFONTS", "find_soundfont", "render_soundfont_tracks"]

#: SoundFont synthesizers :func:`render_soundfont_tracks` can drive.
ENGINES = ("auto", "symusic", "tinysoundfont")

#: Where :func:`find_soundfont` looks, after ``HARMONIA_SOUNDFONT``.
SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf3/default-GM.sf3",
    "/usr/share/sounds/sf3/MuseScore_General.sf3",
)

_HOW = (
    "install one (Debian/Ubuntu: `apt install fluid-soundfont-gm`), pass its path "
    "(render(..., soundfont=PATH) or --soundfont PATH), or set HARMONIA_SOUNDFONT"
)


def find_soundfont(path: str | os.PathLike[str] | None = None, *, required: bool = False) -> Path | None:
    """The SoundFont to use: ``path`` if given, else ``$HARMONIA_SOUNDFONT``, else a system one.

    Parameters
    ----------
    path : str or path-like, optional
        An explicit ``.sf2``/``.sf3`` file; it must exist.
    required : bool, default False
        Raise instead of returning None when none is found.

    Returns
    -------
    pathlib.Path or None

    Raises
    ------
    MissingFileError
        When ``path`` (or ``$HARMONIA_SOUNDFONT``) names a file that does not exist.
    MissingDependencyError
        When ``required`` and no SoundFont is found; the message says how to get one.

    Examples
    --------
    >>> find_soundfont("/no/such/font.sf2")
    Traceback (most recent call last):
    ...
    harmonia.errors.MissingFileError: /no/such/font.sf2: SoundFont not found; install one ...
    """
    for given, what in ((path, "SoundFont"), (os.environ.get("HARMONIA_SOUNDFONT") or None, "$HARMONIA_SOUNDFONT")):
        if given is not None:
            p = Path(given)
            if not p.is_file():
                raise MissingFileError(p, f"{what} not found; {_HOW}")
            return p
    for candidate in SYSTEM_SOUNDFONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    if required:
        raise MissingDependencyError(f"SoundFont rendering needs a General MIDI SoundFont and none was found: {_HOW}")
    return None


def _render_symusic(score: Score, soundfont: Path, sample_rate: int) -> list[np.ndarray]:
    import symusic

    synth = symusic.Synthesizer(str(soundfont), int(sample_rate), 0)
    stems = []
    for i in range(len(score.tracks)):
        if not np.any(score.notes["track"] == i):
            stems.append(np.zeros((2, 0), dtype=np.float32))
            continue
        audio = np.asarray(synth.render(to_symusic(score, [i]), stereo=True), dtype=np.float32)
        if audio.ndim == 1:
            audio = np.stack([audio, audio])
        elif audio.shape[0] != 2 and audio.shape[1] == 2:
            audio = audio.T
        stems.append(audio)
    return stems


def _render_tinysoundfont(score: Score, soundfont: Path, sample_rate: int, n_samples: int) -> list[np.ndarray]:
    tsf = import_optional("tinysoundfont", extra="audio", feature="SoundFont rendering with tinysoundfont")
    notes = score.notes
    on = np.rint(np.asarray(score.qn_to_sec(notes["onset"])) * sample_rate).astype(np.int64)
    off = np.rint(np.asarray(score.qn_to_sec(notes["onset"] + notes["duration"])) * sample_rate).astype(np.int64)
    off = np.maximum(off, on + 1)
    stems = []
    for i, track in enumerate(score.tracks):
        sel = np.flatnonzero(notes["track"] == i)
        out = np.zeros((n_samples, 2), dtype=np.float32)
        if sel.size:
            synth = tsf.Synth(samplerate=int(sample_rate))
            sfid = synth.sfload(str(soundfont))
            chan = 9 if track.is_drum else 0
            try:
                synth.program_select(chan, sfid, 128 if track.is_drum else 0, int(track.program), track.is_drum)
            except RuntimeError:  # the font lacks this bank/program: fall back to its first preset
                synth.program_select(chan, sfid, 0, 0, track.is_drum)
            # events in time order; at one instant, note-offs before note-ons
            times = np.concatenate([off[sel], on[sel]])
            kinds = np.concatenate([np.zeros(sel.size, int), np.ones(sel.size, int)])
            idx = np.concatenate([sel, sel])
            order = np.lexsort((kinds, times))
            pos = 0
            for k in order:
                t = int(min(times[k], n_samples))
                if t > pos:
                    out[pos:t] = np.frombuffer(synth.generate(t - pos), dtype=np.float32).reshape(-1, 2)
                    pos = t
                if pos >= n_samples:
                    break
                key = int(notes["pitch"][idx[k]])
                if kinds[k]:
                    synth.noteon(chan, key, int(np.clip(notes["velocity"][idx[k]], 1, 127)))
                else:
                    synth.noteoff(chan, key)
            if pos < n_samples:
                out[pos:] = np.frombuffer(synth.generate(n_samples - pos), dtype=np.float32).reshape(-1, 2)
        stems.append(np.ascontiguousarray(out.T))
    return stems


def render_soundfont_tracks(
    score: Score,
    soundfont: str | os.PathLike[str],
    *,
    sample_rate: int,
    n_samples: int,
    engine: str = "auto",
) -> list[np.ndarray]:
    """Render each track of ``score`` separately with a SoundFont: a list of ``(2, n)`` float32 arrays.

    Parameters
    ----------
    score : Score
    soundfont : str or path-like
    sample_rate : int
    n_samples : int
        Length wanted (tinysoundfont renders exactly this; symusic's stems may be longer or shorter).
    engine : {"auto", "symusic", "tinysoundfont"}, default "auto"

    Raises
    ------
    HarmoniaError
        symusic's renderer failed and tinysoundfont is not installed (the message says both).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r} is not one of {ENGINES}")
    path = Path(soundfont)
    if engine == "tinysoundfont":
        return _render_tinysoundfont(score, path, sample_rate, n_samples)
    try:
        return _render_symusic(score, path, sample_rate)
    except (TypeError, RuntimeError) as exc:
        if engine == "symusic":
            raise HarmoniaError(f"{path}: symusic's synthesizer failed: {exc}") from exc
        try:
            return _render_tinysoundfont(score, path, sample_rate, n_samples)
        except MissingDependencyError:
            raise HarmoniaError(
                f"{path}: symusic's synthesizer failed ({str(exc).splitlines()[0]}) and tinysoundfont, the "
                "fallback, is not installed: pip install tinysoundfont --no-deps"
            ) from exc
