"""Voice-leading report of a score, for ``harmonia voice-leading FILE [--json]``."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

__all__ = ["format_voice_leading_report", "plot_voice_leading", "score_key_regions", "voice_leading_report"]


def score_key_regions(score: Any) -> list[tuple[float, Any]] | None:
    """Key regions ``(onset_qn, Key)`` read from a score's key signatures (None when it has none).

    A signature whose mode is unknown is read as major.

    Examples
    --------
    >>> import harmonia
    >>> [(t, str(k)) for t, k in score_key_regions(harmonia.load("bach/bwv66.6"))]
    [(0.0, 'f#')]
    """
    from harmonia.theory.key import Key

    ks = getattr(score, "key_signatures", None)
    if ks is None or len(ks) == 0:
        return None
    out = []
    for onset, fifths, mode in ks.tolist():
        minor = int(mode) == 1
        out.append((float(onset), Key(int(fifths) + 3 if minor else int(fifths), "minor" if minor else "major")))
    return out


def _load(path_or_score: Any) -> tuple[Any, str]:
    if isinstance(path_or_score, (str, os.PathLike)):
        from harmonia.symbolic.io import load

        return load(path_or_score), str(path_or_score)
    meta = getattr(path_or_score, "metadata", None) or {}
    return path_or_score, str(meta.get("source") or meta.get("title") or "")


def _pitched(score: Any) -> np.ndarray:
    notes = score.notes
    tracks = getattr(score, "tracks", None) or ()
    drums = [i for i, t in enumerate(tracks) if getattr(t, "is_drum", False)]
    return notes[~np.isin(notes["track"], drums)] if drums else notes


def _needs_separation(notes: np.ndarray) -> bool:
    """True when some (track, voice) line sounds two notes at once."""
    for key in np.unique(notes[["track", "voice"]]):
        line = notes[(notes["track"] == key["track"]) & (notes["voice"] == key["voice"])]
        line = line[np.argsort(line["onset"], kind="stable")]
        if np.any(line["onset"][1:] < (line["onset"] + line["duration"])[:-1] - 1e-9):
            return True
    return False


def _clean(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if math.isnan(float(x)) else float(x)
    return x


def voice_leading_report(
    path_or_score: Any,
    *,
    key: Any = "auto",
    separate: bool | None = None,
    direct_exempt_step: bool = True,
    rules: Any = None,
) -> dict[str, Any]:
    """Check a score's voice leading and profile it.

    Parameters
    ----------
    path_or_score : str, path-like or Score
        Anything :func:`harmonia.load` reads, or a Score.
    key : "auto", Key, str, sequence of (onset_qn, key), or None
        ``"auto"`` reads the key signatures (with their mode; unknown modes as major); None skips the
        leading-tone and seventh rules.
    separate : bool or None, default None
        Separate voices first (:func:`harmonia.theory.voices.separate_voices`).  None: when some track
        sounds two notes at once in one voice (piano MIDI, chordified music).
    direct_exempt_step, rules
        Passed to :func:`harmonia.theory.vl_rules.check_voice_leading`.

    Returns
    -------
    dict
        ``file``; ``key`` (names of the key regions, or None); ``separated`` (bool); ``voices`` (one entry
        per voice from the top: ``track``, ``voice``, ``name``); ``counts`` (findings per rule);
        ``findings`` (one dict per finding: rule, severity, onset, measure, beat, voices, tracks, pitches);
        ``profile`` (:func:`harmonia.theory.voiceleading.voice_leading_profile`).  NaN values are None,
        so the dict is valid JSON.

    Examples
    --------
    >>> rep = voice_leading_report("bach/bwv66.6")
    >>> rep["key"], [v["name"] for v in rep["voices"]], rep["separated"]
    (['0:f#'], ['Soprano', 'Alto', 'Tenor', 'Bass'], False)
    >>> sorted(rep["counts"])[:2]
    ['augmented_or_diminished_leap', 'range']
    """
    from harmonia.theory.vl_rules import check_voice_leading
    from harmonia.theory.voiceleading import voice_grid, voice_leading_profile
    from harmonia.theory.voices import separate_voices

    score, label = _load(path_or_score)
    notes = _pitched(score)
    if separate is None:
        separate = _needs_separation(notes)
    if separate:
        notes = separate_voices(notes)
    if isinstance(key, str) and key == "auto":
        key = score_key_regions(score)
    bars = score.bar_table() if hasattr(score, "bar_table") else None
    grid = voice_grid(notes)
    findings = check_voice_leading(grid, key=key, bars=bars, direct_exempt_step=direct_exempt_step, rules=rules)
    profile = voice_leading_profile(grid, findings=findings)
    tracks = getattr(score, "tracks", None) or ()
    voices = []
    for track, voice in grid.labels.tolist():
        name = tracks[track].name if 0 <= track < len(tracks) else ""
        voices.append({"track": int(track), "voice": int(voice), "name": name})
    if key is None:
        key_names = None
    elif isinstance(key, str) or not isinstance(key, (list, tuple)) or (key and isinstance(key[0], int)):
        key_names = [f"0:{key}"]
    else:
        key_names = [f"{t:g}:{k}" for t, k in key]
    rows = []
    for r in findings:
        rows.append(
            {
                "rule": str(r["rule"]),
                "severity": str(r["severity"]),
                "onset": float(r["onset"]),
                "measure": int(r["measure"]),
                "beat": float(r["beat"]),
                "voices": [int(v) for v in (r["voice_a"], r["voice_b"]) if v >= 0],
                "tracks": [int(v) for v in (r["track_a"], r["track_b"]) if v >= 0],
                "pitches": [int(r[f]) for f in ("pitch_a_from", "pitch_a", "pitch_b_from", "pitch_b")],
            }
        )
    return _clean(
        {
            "file": label,
            "key": key_names,
            "separated": bool(separate),
            "voices": voices,
            "counts": profile["findings"],
            "findings": rows,
            "profile": profile,
        }
    )


def format_voice_leading_report(report: dict[str, Any]) -> str:
    """The report as text: one line per finding, then the profile.

    Examples
    --------
    >>> rep = voice_leading_report("bach/bwv66.6")
    >>> print(format_voice_leading_report(rep).splitlines()[0])
    bach/bwv66.6: 4 voices (Soprano, Alto, Tenor, Bass), key 0:f#
    """
    names = ", ".join(v["name"] or f"track {v['track']}" for v in report["voices"])
    key = ", ".join(report["key"]) if report["key"] else "none"
    lines = [f"{report['file']}: {len(report['voices'])} voices ({names}), key {key}"]
    if report["separated"]:
        lines.append("  voices were separated automatically (no voice labels)")
    lines.append(f"  {len(report['findings'])} findings")
    for f in report["findings"]:
        p = [x for x in f["pitches"] if x >= 0]
        lines.append(
            f"  m{f['measure']:<4} beat {f['beat']:<5g} {f['severity']:<8} {f['rule']:<30} "
            f"voices {'/'.join(map(str, f['voices'])):<5} pitches {' '.join(map(str, p))}"
        )
    prof = report["profile"]

    def pct(x: Any) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    m, mel, cost = prof["motion"], prof["melodic"], prof["cost"]
    lines.append(
        "  motion: "
        + ", ".join(f"{k} {pct(m[k])}" for k in ("contrary", "oblique", "similar", "parallel"))
        + f"; melodic: steps {pct(mel['step'])}, leaps {pct(mel['leap'])}, repeats {pct(mel['repeat'])}"
    )
    ratio = "-" if cost["ratio"] is None else f"{cost['ratio']:.2f}"
    ctr = prof["common_tone_retention"]
    lines.append(
        f"  smoothness (minimal / written taxicab cost): {ratio}; common tones kept: {pct(ctr)}; "
        f"suspensions: {prof['suspensions']} ({prof['suspension_chains']} chains)"
    )
    return "\n".join(lines)


def plot_voice_leading(path_or_score: Any, *, report: dict[str, Any] | None = None, ax: Any = None, **kwargs: Any):
    """Piano roll of the voices with the findings marked (errors red, warnings orange).

    Parameters
    ----------
    path_or_score : str, path-like or Score
    report : dict, optional
        A :func:`voice_leading_report` of the same score (computed when missing; ``kwargs`` go there).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from harmonia._optional import import_optional

    plt = import_optional("matplotlib.pyplot", extra="plot", feature="plot_voice_leading")
    score, _ = _load(path_or_score)
    if report is None:
        report = voice_leading_report(score, **kwargs)
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 4))
    notes = _pitched(score)
    if report["separated"]:
        from harmonia.theory.voices import separate_voices

        notes = separate_voices(notes)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, v in enumerate(report["voices"]):
        line = notes[(notes["track"] == v["track"]) & (notes["voice"] == v["voice"])]
        ax.hlines(
            line["pitch"], line["onset"], line["onset"] + line["duration"], colors=colours[i % len(colours)],
            linewidth=4, label=v["name"] or f"voice {i}",
        )  # fmt: skip
    for f in report["findings"]:
        p = [x for x in (f["pitches"][1], f["pitches"][3]) if x >= 0]
        colour = "red" if f["severity"] == "error" else "orange"
        ax.plot([f["onset"]] * len(p), p, "o", mfc="none", mec=colour, ms=10)
        ax.annotate(f["rule"].replace("_", " "), (f["onset"], max(p)), xytext=(2, 6), textcoords="offset points",
                    fontsize=7, color=colour, rotation=45)  # fmt: skip
    ax.set_xlabel("quarter notes")
    ax.set_ylabel("MIDI pitch")
    ax.set_title(f"voice leading: {report['file']}")
    ax.legend(loc="upper right", fontsize=7)
    return ax
