"""``harmonia compose``: a text prompt to a multi-track MIDI song and its blueprint."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["compose_song"]


def compose_song(
    prompt: str,
    *,
    genre: str | None = None,
    mood: str | None = None,
    duration: float = 180.0,
    seed: int = 0,
    lyrics: str | Sequence[str] | None = None,
    out_dir: str | os.PathLike[str],
) -> dict[str, Any]:
    """Plan a song from a prompt, compose its stems and write ``song.mid`` and ``blueprint.json``.

    Parameters
    ----------
    prompt : str
        What to write ("upbeat indie rock song about summer").
    genre, mood : str, optional
        A genre name or alias and a mood word (see :func:`~harmonia.symbolic.blueprint.blueprint_from_prompt`).
    duration : float, default 180
        Length in seconds.
    seed : int, default 0
        Seed of the blueprint and of every note choice: the same arguments give byte-identical files.
    lyrics : str or sequence of str, optional
        Lines of lyrics for the melody (one syllable per note, melismas at phrase ends).
    out_dir : str or path-like
        Folder to write into (created if needed); files are written atomically.

    Returns
    -------
    dict
        ``genre``, ``key``, ``mode``, ``tempo_bpm``, ``meter``, ``bars``, ``duration_sec``, ``sections``
        (label, first bar, bars), ``tracks``, ``n_notes``, ``files`` (paths written) and ``timings``
        (seconds per stage: ``blueprint``, ``compose``, ``write``).

    Examples
    --------
    >>> import tempfile
    >>> out = compose_song("calm folk song", genre="folk", duration=15, seed=3, out_dir=tempfile.mkdtemp())
    >>> out["genre"], sorted(Path(f).name for f in out["files"].values())
    ('folk', ['blueprint.json', 'song.mid'])
    """
    from harmonia.symbolic.blueprint import blueprint_from_prompt
    from harmonia.symbolic.compose import compose
    from harmonia.symbolic.midi import save_midi

    timings: dict[str, float] = {}
    t = time.perf_counter()
    bp = blueprint_from_prompt(prompt, genre=genre, mood=mood, duration=duration, seed=seed)
    timings["blueprint"] = time.perf_counter() - t
    t = time.perf_counter()
    score = compose(bp, seed=seed, lyrics=lyrics)
    timings["compose"] = time.perf_counter() - t
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    midi_path = out / "song.mid"
    bp_path = out / "blueprint.json"
    save_midi(score, midi_path)
    bp.to_json(bp_path)
    timings["write"] = time.perf_counter() - t
    return _summary(bp, score, {"midi": str(midi_path), "blueprint": str(bp_path)}, timings)


def _summary(bp: Any, score: Any, files: dict[str, str], timings: dict[str, float]) -> dict[str, Any]:
    return {
        "genre": bp.genre,
        "key": bp.key,
        "mode": bp.mode,
        "tempo_bpm": bp.tempo_bpm,
        "meter": bp.meter,
        "bars": bp.total_bars,
        "duration_sec": round(bp.duration_sec, 3),
        "sections": [{"label": s["label"], "bar": s["bar"], "bars": s["bars"]} for s in score.metadata["sections"]],
        "tracks": [{"name": t.name, "program": t.program, "is_drum": t.is_drum, "role": r}
                   for t, r in zip(score.tracks, score.metadata["roles"])],
        "n_notes": score.n_notes,
        "files": files,
        "timings": {k: round(v, 4) for k, v in timings.items()},
    }
