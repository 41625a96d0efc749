"""``harmonia demo``: a tour of what harmonia does, on a Bach chorale from music21's corpus."""

from __future__ import annotations

from typing import TextIO

__all__ = ["run_demo"]


def run_demo(source: str = "bach/bwv66.6", *, out: TextIO) -> int:
    """Load ``source`` and print its summary and a first look at its music.

    Parameters
    ----------
    source : str
        A file or music21 corpus name.
    out : text stream
        Where to print.

    Returns
    -------
    int
        0 (the exit status).
    """
    from harmonia.cli import _format_info
    from harmonia.symbolic.io import load
    from harmonia.theory.pitch import pitch_name

    score = load(source)
    print("== Score ==", file=out)
    print(_format_info(score.summary()), file=out)
    print("\n== First two bars, part by part ==", file=out)
    first = score.slice_bars(0 if score.pickup_qn else 1, 2)
    for t, track in enumerate(first.tracks):
        notes = first.notes[first.notes["track"] == t]
        names = [
            pitch_name(int(n["pitch"]), int(n["spelling"])) if n["spelling"] != -128 else str(int(n["pitch"]))
            for n in notes
        ]
        print(f"  {track.name:<10} {' '.join(names)}", file=out)
    from harmonia.cli import _format_analysis
    from harmonia.symbolic.analysis import analyze

    print("\n== Harmonic analysis ==", file=out)
    print(_format_analysis(analyze(score)), file=out)
    return 0
