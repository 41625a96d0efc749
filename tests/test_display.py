"""Plots draw what they are given (Agg backend)."""

from __future__ import annotations

import sys

import pytest

import harmonia
from harmonia.errors import MissingDependencyError


@pytest.fixture(autouse=True)
def _agg():
    import matplotlib

    matplotlib.use("Agg")


def test_pianoroll_draws_every_note_with_bars():
    from harmonia.display import pianoroll

    score = harmonia.load("bach/bwv66.6")
    ax = pianoroll(score)
    assert len(ax.patches) == score.n_notes
    assert len(ax.lines) == score.bar_table().size
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Soprano", "Alto", "Tenor", "Bass"]
    ax_sec = pianoroll(score, time="sec", color_by="velocity")
    assert ax_sec.get_xlim()[1] == pytest.approx(score.duration_sec)


def test_pianoroll_errors(monkeypatch):
    from harmonia.display import pianoroll

    with pytest.raises(ValueError, match="needs a Score"):
        pianoroll([(0.0, 1.0, 60)], time="sec")
    with pytest.raises(ValueError, match="color_by"):
        pianoroll([(0.0, 1.0, 60)], color_by="loudness")
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError, match=r"harmonia\[plot\]"):
        pianoroll([(0.0, 1.0, 60)])
