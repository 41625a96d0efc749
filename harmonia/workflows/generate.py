"""``harmonia generate``: a text prompt to a mixed, mastered song with stems, MIDI, blueprint and a report."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

__all__ = ["generate_song"]

_RENDER_ROLES = {"drums": "drums", "percussion": "drums", "bass": "bass", "harmony": "harmony", "pad": "pad",
                 "melody": "melody", "counter-melody": "melody"}


def generate_song(
    prompt: str,
    *,
    genre: str | None = None,
    mood: str | None = None,
    duration: float = 180.0,
    seed: int = 0,
    soundfont: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str],
    loudness_lufs: float | None = -14.0,
    progress: bool = True,
) -> dict[str, Any]:
    """Prompt to blueprint to stems to audio to a mastered mix, with the files and a short analysis report.

    Writes into ``out_dir``: ``mix.wav`` (48 kHz stereo, 24-bit, mastered to ``loudness_lufs`` with a
    true-peak ceiling of -1 dBTP, mixed in the genre's production style), ``stems/<track>.wav`` (each
    stem as rendered, before the mix bus), ``song.mid``, ``blueprint.json``, ``report.json`` and
    ``report.txt`` (harmonia's analysis of the MIDI: key, tempo, sections, cadences; the mix's loudness
    and true peak; the stage timings).
    Every write is atomic.

    Parameters
    ----------
    prompt : str
        What to write.
    genre, mood : str, optional
        A genre name or alias and a mood word.
    duration : float, default 180
        Length in seconds.
    seed : int, default 0
        Seed of the blueprint, the notes and the synthesizer: the same arguments give the same audio.
    soundfont : str or path-like, optional
        A ``.sf2``/``.sf3`` file: render with it instead of the built-in synthesizer.
    out_dir : str or path-like
        Folder to write into.
    loudness_lufs : float or None, default -14
        Integrated loudness of the master (ITU-R BS.1770).  -14 LUFS is where the streaming services
        normalise playback; None masters to the genre's own release loudness (its production style, e.g.
        -9 LUFS for indie rock), louder and more compressed.
    progress : bool, default True
        Show a progress bar over the stages on stderr (tqdm).

    Returns
    -------
    dict
        The :func:`~harmonia.workflows.compose.compose_song` summary plus ``loudness_lufs``,
        ``true_peak_dbtp``, ``backend``, ``files`` (every path written) and ``timings`` (seconds per stage:
        ``blueprint``, ``compose``, ``render``, ``mix``, ``write``, ``analysis``, ``total``).
    """
    from tqdm import tqdm

    from harmonia.audio.mix import MixSettings, master, mix_stems
    from harmonia.audio.render import render
    from harmonia.audio.wav import write_wav
    from harmonia.symbolic.atomic import write_text_atomic
    from harmonia.symbolic.blueprint import blueprint_from_prompt
    from harmonia.symbolic.compose import compose
    from harmonia.symbolic.midi import save_midi
    from harmonia.workflows.compose import _summary

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    stages = ["blueprint", "compose", "render", "mix", "write", "analysis"]
    bar = tqdm(total=len(stages), desc="generate", unit="stage", file=sys.stderr, disable=not progress)
    t_all = time.perf_counter()

    def stage(name: str):
        bar.set_postfix_str(name)
        return time.perf_counter()

    try:
        t = stage("blueprint")
        bp = blueprint_from_prompt(prompt, genre=genre, mood=mood, duration=duration, seed=seed)
        timings["blueprint"] = time.perf_counter() - t
        bar.update()

        t = stage("compose")
        score = compose(bp, seed=seed)
        timings["compose"] = time.perf_counter() - t
        bar.update()

        t = stage("render")
        roles = {i: _RENDER_ROLES.get(r, "harmony") for i, r in enumerate(score.metadata["roles"])}
        rendering = render(score, soundfont=soundfont, roles=roles, seed=seed)
        timings["render"] = time.perf_counter() - t
        bar.update()

        t = stage("mix")
        prod = bp.production
        settings = MixSettings.from_production(
            {"character": _character(prod.mix), "loudness_lufs": prod.loudness_lufs, "compression": prod.compression}
            if prod else None
        )
        if loudness_lufs is not None:
            settings = replace(settings, target_lufs=float(loudness_lufs))
        mixed = mix_stems(rendering.stems, rendering.roles, sample_rate=rendering.sample_rate, settings=settings)
        mastered = master(mixed, sample_rate=rendering.sample_rate, settings=settings)
        timings["mix"] = time.perf_counter() - t
        bar.update()

        t = stage("write")
        files: dict[str, str] = {}
        files["mix"] = str(write_wav(out / "mix.wav", mastered.audio, rendering.sample_rate))
        for name, audio in rendering.stems.items():
            files[f"stem:{name}"] = str(write_wav(out / "stems" / f"{name}.wav", audio, rendering.sample_rate))
        save_midi(score, out / "song.mid")
        files["midi"] = str(out / "song.mid")
        bp.to_json(out / "blueprint.json")
        files["blueprint"] = str(out / "blueprint.json")
        timings["write"] = time.perf_counter() - t
        bar.update()

        t = stage("analysis")
        report = _report(score, bp, mastered, settings)
        timings["analysis"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - t_all
        report["timings"] = {k: round(v, 3) for k, v in timings.items()}
        write_text_atomic(out / "report.json", json.dumps(report, indent=1) + "\n")
        write_text_atomic(out / "report.txt", _report_text(report))
        files["report"] = str(out / "report.json")
        files["report_text"] = str(out / "report.txt")
        bar.update()
    finally:
        bar.close()
    summary = _summary(bp, score, files, timings)
    summary.update({"loudness_lufs": round(mastered.loudness_lufs, 2),
                    "true_peak_dbtp": round(mastered.true_peak_dbtp, 2), "backend": rendering.backend})
    return summary


def _character(mix: str) -> str:
    from harmonia.audio.mix import CHARACTERS

    text = mix.lower()
    for name in CHARACTERS:
        if name in text:
            return name
    return "balanced"


def _report(score: Any, bp: Any, mastered: Any, settings: Any) -> dict[str, Any]:
    from harmonia.symbolic.analysis import analyze
    from harmonia.symbolic.compose.evaluate import self_analysis

    a = analyze(score)
    cad = [{"bar": int(c["measure"]), "beat": float(c["beat"]), "type": str(c["type"])} for c in a.cadences]
    checks = self_analysis(score, bp)
    return {
        "prompt": bp.prompt,
        "genre": bp.genre,
        "planned": {"key": bp.key, "mode": bp.mode, "tempo_bpm": bp.tempo_bpm, "meter": bp.meter,
                    "sections": [{"label": s["label"], "bar": s["bar"], "bars": s["bars"]}
                                 for s in score.metadata["sections"]]},
        "analysis": {"key": a.global_key, "tempo_bpm": float(score.tempos["bpm"][0]), "cadences": cad,
                     "key_share": round(checks["key_share"], 3),
                     "progression_recovery": round(checks["progression_recovery"], 3),
                     "parallels": checks["parallels"], "out_of_range": checks["out_of_range"]},
        "audio": {"sample_rate": 48000, "loudness_lufs": round(mastered.loudness_lufs, 2),
                  "target_lufs": settings.target_lufs, "true_peak_dbtp": round(mastered.true_peak_dbtp, 2),
                  "duration_sec": round(mastered.audio.shape[-1] / 48000, 3)},
    }


def _report_text(r: dict[str, Any]) -> str:
    p, a, au = r["planned"], r["analysis"], r["audio"]
    lines = [
        f"harmonia generate: {r['prompt']!r} ({r['genre']})",
        f"planned: {p['key']} ({p['mode']}), {p['tempo_bpm']:g} bpm, {p['meter']}",
        f"analysis of song.mid: key {a['key']} (planned key over {a['key_share']:.0%} of the chord spans), "
        f"tempo {a['tempo_bpm']:g} bpm, planned chords recovered {a['progression_recovery']:.0%}, "
        f"parallel fifths/octaves {a['parallels']}, notes out of range {a['out_of_range']}",
        "sections: " + ", ".join(f"{s['label']} (bar {s['bar']}, {s['bars']} bars)" for s in p["sections"]),
        "cadences: " + (", ".join(f"{c['type']} at bar {c['bar']}" for c in a["cadences"]) or "none"),
        f"mix.wav: {au['loudness_lufs']:.1f} LUFS (target {au['target_lufs']:g}), "
        f"true peak {au['true_peak_dbtp']:.1f} dBTP, {au['duration_sec']:.1f} s",
        "timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in r.get("timings", {}).items()),
    ]
    return "\n".join(lines) + "\n"
