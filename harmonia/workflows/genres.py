"""Reports behind ``harmonia genres [NAME] [--json]`` and ``harmonia conventions learn DIR --genre NAME [-o FILE]``."""

from __future__ import annotations

import json
import os
from typing import Any

__all__ = ["format_drum_pattern", "genres_report", "learn_report"]


def format_drum_pattern(pattern: Any) -> str:
    """A drum pattern as text, one lane per line with bar lines every ``steps_per_bar`` steps.

    Examples
    --------
    >>> from harmonia.symbolic.genres import get_genre
    >>> print(format_drum_pattern(get_genre("reggae").drum_patterns[0]))
    one drop (4/4, 16 steps per bar)
      kick        |........x.......|
      side-stick  |........x.......|
      closed-hat  |x.x.x.x.x.x.x.x.|
    """
    lines = [f"{pattern.name} ({pattern.meter}, {pattern.steps_per_bar} steps per bar)"]
    for lane in pattern.lanes:
        bars = [lane.hits[i:i + pattern.steps_per_bar] for i in range(0, len(lane.hits), pattern.steps_per_bar)]
        lines.append(f"  {lane.instrument:<11} |{'|'.join(bars)}|")
    return "\n".join(lines)


def _summary_row(g: Any) -> dict[str, Any]:
    return {
        "name": g.name,
        "display_name": g.display_name,
        "family": g.family,
        "tempo_bpm": list(g.tempo_bpm),
        "meters": [m for m, _ in g.meters],
        "swing": g.swing,
        "energy": g.energy,
        "modes": [m for m, _ in g.modes],
        "roles": list(g.roles()),
        "progressions": len(g.progressions),
        "loudness_lufs": g.production.loudness_lufs if g.production else None,
    }


def genres_report(name: str | None = None, as_json: bool = False) -> str:
    """The genre table, or one genre's conventions, as text or JSON.

    Parameters
    ----------
    name : str, optional
        A genre name or alias; None for the table of every genre.
    as_json : bool
        JSON instead of text: the table as ``{"genres": [...]}`` with one summary row per genre, one genre
        as its full entry plus ``nearest`` (the five most similar genres with their cosine similarity).

    Returns
    -------
    str

    Raises
    ------
    UnknownGenreError
        For an unknown name (the message suggests the closest ones).

    Examples
    --------
    >>> print(genres_report().splitlines()[0])
    genre            family        tempo (bpm)  metres          swing  energy  roles
    >>> "drum_patterns" in json.loads(genres_report("funk", as_json=True))
    True
    """
    from harmonia.symbolic.genres import get_genre, list_genres, nearest_genres

    if name is None:
        genres = [get_genre(n) for n in list_genres()]
        if as_json:
            return json.dumps({"genres": [_summary_row(g) for g in genres]}, indent=1, ensure_ascii=False)
        lines = [f"{'genre':<16} {'family':<13} {'tempo (bpm)':<12} {'metres':<15} {'swing':>5}  {'energy':>6}  roles"]
        for g in genres:
            tempo = f"{g.tempo_bpm[0]:g}-{g.tempo_bpm[1]:g}"
            meters = ", ".join(m for m, _ in g.meters)
            lines.append(f"{g.name:<16} {g.family:<13} {tempo:<12} {meters:<15} {g.swing:>5.2f}  {g.energy:>6.2f}  "
                         f"{', '.join(g.roles())}")
        lines.append(f"{len(genres)} genres; `harmonia genres NAME` shows one.")
        return "\n".join(lines)

    g = get_genre(name)
    near = nearest_genres(g.name, k=5)
    if as_json:
        d = g.to_dict()
        d["nearest"] = [{"name": n, "similarity": s} for n, s in near]
        return json.dumps(d, indent=1, ensure_ascii=False)
    out = [f"{g.display_name} ({g.name}, {g.family})"]
    if g.description:
        out.append(g.description)
    if g.aliases:
        out.append(f"aliases: {', '.join(g.aliases)}")
    out.append(f"tempo {g.tempo_bpm[0]:g}-{g.tempo_bpm[1]:g} bpm; metres "
               + ", ".join(f"{m} ({w:.0%})" for m, w in g.meters)
               + f"; swing {g.swing:.2f} ({g.swing_unit}); energy {g.energy:.2f}")
    out.append("modes: " + ", ".join(f"{m} ({w:.0%})" for m, w in g.modes))
    out.append("progressions:")
    for p in sorted(g.progressions, key=lambda p: -p.weight)[:8]:
        where = f" [{', '.join(p.sections)}]" if p.sections else ""
        label = f"  ({p.name})" if p.name else ""
        out.append(f"  {p.mode:<5} {' '.join(p.numerals):<40} {p.bars_per_chord:g} bar/chord{where}{label}")
    out.append("structures:")
    for s in g.structures:
        out.append(f"  {s.name or 'form'} ({s.bars} bars): " + " ".join(f"{lab}:{b}" for lab, b in s.sections))
    out.append("instrumentation:")
    for i in g.instrumentation:
        out.append(f"  {i.role:<15} {'kit' if i.is_drum else 'program'} {i.program:>3}  {i.name}")
    for p in g.drum_patterns[:3]:
        out.append(format_drum_pattern(p))
    for p in g.bass_patterns[:2]:
        out.append(f"bass {p.name} ({p.meter}): |{p.rhythm}|  {' '.join(p.notes)}")
    for p in g.comping_patterns[:2]:
        out.append(f"{p.role} {p.name} ({p.meter}): |{p.rhythm}|  {p.voicing}, MIDI {p.register[0]}-{p.register[1]}")
    m = g.melody
    out.append(f"melody: MIDI {m.range_midi[0]}-{m.range_midi[1]}, {m.stepwise_share:.0%} steps, syncopation "
               f"{m.syncopation:.2f}, {m.notes_per_bar:g} notes/bar, {m.phrase_bars}-bar phrases, {m.scale}")
    if g.production:
        pr = g.production
        out.append(f"production: {pr.mix}; {pr.loudness_lufs:g} LUFS, {pr.reverb} reverb, {pr.compression} "
                   f"compression, width {pr.stereo_width:.2f}")
    out.append("nearest: " + ", ".join(f"{n} ({s:.2f})" for n, s in near))
    if g.references:
        out.append("references: " + "; ".join(g.references))
    return "\n".join(out)


def learn_report(
    dir: str | os.PathLike[str],
    genre: str,
    out: str | os.PathLike[str] | None = None,
    as_json: bool = False,
) -> tuple[str, int]:
    """Learn a genre entry from the score files under ``dir`` and describe it.

    Parameters
    ----------
    dir : path
        A folder searched recursively for MIDI/MusicXML/kern files (or one file).
    genre : str
        The learned entry's name.
    out : path, optional
        Where to write the entry as JSON (atomically); it loads with
        :func:`harmonia.symbolic.genres.load_genre_file`.
    as_json : bool, default False
        Return the learned entry itself as JSON (the schema of the shipped genre files) instead of a summary.

    Returns
    -------
    text : str
        A summary: songs analysed, tempo, metres, modes, the top progressions and form, failures; or the
        entry as JSON.
    status : int
        0 when every file was analysed, 1 when some failed (the CLI's exit status).

    Raises
    ------
    InvalidScoreError
        When no file could be analysed.
    """
    from harmonia.workflows.conventions import learn_conventions

    g = learn_conventions(dir, genre, out=out)
    st = g.statistics
    if as_json:
        return json.dumps(g.to_dict(), indent=2, ensure_ascii=False), (1 if st["failed"] else 0)
    lines = [f"learned {g.name!r} from {st['songs']} file(s)" + (f"; written to {out}" if out else "")]
    lines.append(f"tempo {g.tempo_bpm[0]:g}-{g.tempo_bpm[1]:g} bpm (median {st['tempo_bpm_median']:g}); metres "
                 + ", ".join(f"{m} ({w:.0%})" for m, w in g.meters)
                 + "; modes " + ", ".join(f"{m} ({w:.0%})" for m, w in g.modes))
    lines.append("function shares: " + ", ".join(f"{k} {v:.0%}" for k, v in st["function_shares"].items()))
    lines.append("top progressions (4-grams):")
    for p in g.progressions[:6]:
        lines.append(f"  {p.mode:<5} {' '.join(p.numerals):<30} x{p.weight:g}")
    lines.append(f"forms: {len(g.structures)} kept; the first: "
                 + " ".join(f"{lab}:{b}" for lab, b in g.structures[0].sections))
    lines.append("instrumentation: "
                 + ", ".join(f"{i.role} ({i.name}, program {i.program})" for i in g.instrumentation))
    m = g.melody
    lines.append(f"melody: MIDI {m.range_midi[0]}-{m.range_midi[1]}, {m.stepwise_share:.0%} steps, "
                 f"{m.notes_per_bar:g} notes/bar, syncopation {m.syncopation:.2f}; swing {g.swing:.2f}")
    for f in st["failed"]:
        lines.append(f"failed: {f['file']}: {f['error']}")
    return "\n".join(lines), (1 if st["failed"] else 0)
