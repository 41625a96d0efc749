"""Plots (matplotlib, extra ``plot``), imported only when called.

Every function draws on an ``ax`` (a new figure when none is given) and returns it; nothing calls
``show()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harmonia._optional import import_optional
from harmonia.theory.notearray import as_note_array

__all__ = ["analysis_plot", "form_plot", "pianoroll"]


def pianoroll(notes: Any, *, ax: Any = None, color_by: str = "track", time: str = "qn", bar_lines: bool = True) -> Any:
    """Draw notes as a piano roll.

    Parameters
    ----------
    notes : Score or note array
        What to draw. With a Score, bar lines and track names are shown.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    color_by : {'track', 'voice', 'velocity'}, default 'track'
        What the colours show.
    time : {'qn', 'sec'}, default 'qn'
        Horizontal axis in quarter notes, or in seconds (needs a Score for its tempo map).
    bar_lines : bool, default True
        Draw bar lines (needs a Score).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from harmonia.symbolic import Score
    >>> ax = pianoroll(Score([(0.0, 1.0, 60), (1.0, 2.0, 64)]))
    >>> len(ax.patches)
    2
    """
    plt = import_optional("matplotlib.pyplot", extra="plot", feature="pianoroll")
    from matplotlib.patches import Rectangle

    score = notes if hasattr(notes, "qn_to_sec") else None
    arr = as_note_array(notes)
    if time not in ("qn", "sec"):
        raise ValueError(f"time must be 'qn' or 'sec', got {time!r}")
    if time == "sec" and score is None:
        raise ValueError("time='sec' needs a Score (for its tempo map), not a bare note array")
    if color_by not in ("track", "voice", "velocity"):
        raise ValueError(f"color_by must be 'track', 'voice' or 'velocity', got {color_by!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 4))
    start, end = arr["onset"], arr["onset"] + arr["duration"]
    if time == "sec":
        start, end = score.qn_to_sec(start), score.qn_to_sec(end)
    cmap = plt.get_cmap("viridis" if color_by == "velocity" else "tab10")
    if color_by == "velocity":
        colors = cmap(arr["velocity"] / 127.0)
    else:
        colors = cmap(np.mod(arr[color_by].astype(int), 10))
    for s, e, p, c in zip(start, end, arr["pitch"], colors):
        ax.add_patch(Rectangle((s, p - 0.4), e - s, 0.8, facecolor=c, edgecolor="black", linewidth=0.3))
    if arr.size:
        ax.set_xlim(float(start.min()), float(end.max()))
        ax.set_ylim(arr["pitch"].min() - 2, arr["pitch"].max() + 2)
    if score is not None and bar_lines:
        bars = score.bar_table()
        xs = bars["onset"] if time == "qn" else score.qn_to_sec(bars["onset"])
        for x, b in zip(xs, bars["bar"]):
            ax.axvline(x, color="0.75", linewidth=0.6, zorder=0)
            ax.text(x, 1.0, f" {b}", transform=ax.get_xaxis_transform(), fontsize=7, va="bottom", color="0.4")
    if score is not None and color_by == "track" and len(score.tracks) > 1:
        handles = [Rectangle((0, 0), 1, 1, color=cmap(i % 10)) for i in range(len(score.tracks))]
        ax.legend(handles, [t.name for t in score.tracks], loc="upper right", fontsize=7)
    ax.set_xlabel("quarter notes" if time == "qn" else "seconds")
    ax.set_ylabel("MIDI pitch")
    return ax


def analysis_plot(analysis: Any, *, ax: Any = None) -> Any:
    """Piano roll of an analysed score with chord spans, numerals, key regions and cadences.

    Chord spans are shaded in alternation with their numeral above; key regions run as a coloured band
    along the bottom with the key's name; cadences are red lines labelled with their type.

    Parameters
    ----------
    analysis : harmonia.symbolic.analysis.Analysis
        The result of :func:`harmonia.analyze`.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    plt = import_optional("matplotlib.pyplot", extra="plot", feature="analysis_plot")
    from harmonia.theory.key import format_key

    if ax is None:
        width = min(max(8.0, analysis.score.duration_qn / 3.0), 40.0)
        _, ax = plt.subplots(figsize=(width, 5))
    pianoroll(analysis.score, ax=ax)
    low, high = ax.get_ylim()
    band = (high - low) * 0.06
    ax.set_ylim(low - 2 * band, high + 2 * band)
    for i, row in enumerate(analysis.chords):
        if i % 2 == 0:
            ax.axvspan(row["onset"], row["offset"], color="0.93", zorder=-1)
        ax.text(row["onset"], high + band * 0.6, str(row["numeral"]), fontsize=7, rotation=60, va="bottom")
    cmap = plt.get_cmap("Pastel1")
    for i, row in enumerate(analysis.keys):
        name = format_key((int(row["tonic_fifths"]), "minor" if row["mode"] else "major"))
        ax.fill_between([row["onset"], row["offset"]], low - 2 * band, low - 0.5 * band, color=cmap(i % 9))
        ax.text(row["onset"], low - 1.25 * band, f" {name}", fontsize=8, va="center")
    for row in analysis.cadences:
        ax.axvline(row["onset"], color="tab:red", linewidth=1.2)
        ax.text(row["onset"], low + band * 0.2, f" {row['type']}", color="tab:red", fontsize=7)
    ax.set_title(f"{analysis.score.metadata.get('title') or ''}  (global key {analysis.global_key})")
    return ax


_FUNCTION_COLOURS = {
    "intro": "0.6", "verse": "tab:blue", "pre-chorus": "tab:cyan", "chorus": "tab:red", "bridge": "tab:purple",
    "instrumental": "tab:olive", "outro": "0.35",
}  # fmt: skip


def form_plot(form: Any, *, ax: Any = None, title: str | None = None) -> Any:
    """The bar self-similarity matrix of a :class:`~harmonia.theory.form.Form` with its phrases drawn on it.

    Phrase boundaries are white lines; each phrase is a square on the diagonal outlined in the colour of
    its function, with its letter; a strip above the matrix names the functions.

    Parameters
    ----------
    form : harmonia.theory.form.Form
        The result of :func:`~harmonia.theory.form.analyze_form`.
    ax : matplotlib Axes, optional
        Where to draw.
    title : str, optional
        Title (default: the POP909 label string).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from harmonia.theory.form import analyze_form
    >>> from harmonia.theory.notearray import make_note_array
    >>> on = np.arange(32.0)
    >>> notes = make_note_array(on, 1.0, np.where(on < 16, 60 + on % 4, 67 - on % 4).astype(int))
    >>> ax = form_plot(analyze_form(notes, origin_qn=0.0, bar_qn=4.0, prior={4: 1.0}))
    >>> [t.get_text() for t in ax.texts][:2]
    ['A', 'B']
    """
    plt = import_optional("matplotlib.pyplot", extra="plot", feature="form_plot")
    from matplotlib.patches import Rectangle

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 7))
    n = form.ssm.shape[0]  # every analysed bar, a closing chord's included
    ax.imshow(form.ssm, cmap="magma", origin="upper", extent=(0, n, n, 0), vmin=0.0, vmax=1.0,
              interpolation="nearest")
    for row in form.sections:
        a, b = int(row["start_bar"]), int(row["end_bar"])
        colour = _FUNCTION_COLOURS.get(str(row["function"]), "white")
        ax.add_patch(Rectangle((a, a), b - a, b - a, fill=False, edgecolor=colour, linewidth=2.0))
        ax.text(a + 0.3, a + 0.3, str(row["letter"]), color="white", fontsize=8, va="top", ha="left",
                fontweight="bold")
        if a > 0:
            ax.axhline(a, color="white", linewidth=0.4, alpha=0.6)
            ax.axvline(a, color="white", linewidth=0.4, alpha=0.6)
    seen: dict[str, Any] = {}
    for row in form.sections:
        f = str(row["function"])
        if f not in seen:
            seen[f] = Rectangle((0, 0), 1, 1, facecolor="none", edgecolor=_FUNCTION_COLOURS.get(f, "white"),
                                linewidth=2.0)
    ax.legend(list(seen.values()), list(seen), loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4,
              fontsize=8, frameon=False)
    ax.set_xlabel("bar")
    ax.set_ylabel("bar")
    ax.set_title(title if title is not None else form.to_pop909(), fontsize=9)
    return ax
