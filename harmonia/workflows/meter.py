"""Metre of a score file, for ``harmonia meter FILE [--json]``."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["estimate_meter_file"]


def estimate_meter_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Estimate the time signature of a file from its notes alone (its time-signature events are ignored).

    Parameters
    ----------
    path : str or path-like
        Any file :func:`harmonia.load` reads.

    Returns
    -------
    dict
        :func:`harmonia.theory.meter_detect.estimate_meter`'s answer (``p_triple`` included) plus ``file``
        and ``notated`` (the file's first time signature as ``"N/D"``, or None when it has none).
    """
    from harmonia.symbolic.io import load
    from harmonia.theory.meter_detect import estimate_meter

    score = load(path)
    notes = score.notes
    tracks = getattr(score, "tracks", None)
    if tracks is not None and len(tracks) and "track" in (notes.dtype.names or ()):
        drums = [i for i, t in enumerate(tracks) if getattr(t, "is_drum", False)]
        if drums and len(drums) < len(tracks):  # pitched tracks carry the metre more clearly than a kit
            keep = ~__import__("numpy").isin(notes["track"], drums)
            notes = notes[keep]
    out = estimate_meter(notes)
    ts = getattr(score, "time_signatures", None)
    notated = None
    if ts is not None and len(ts):
        notated = f"{int(ts['numerator'][0])}/{int(ts['denominator'][0])}"
    return {"file": str(path), "notated": notated, **out}
