"""Make docs/_static/form_001.png: the self-similarity plot of POP909 song 001 (tests/data) with its phrases.

Usage: python docs/make_form_figure.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from harmonia.display import form_plot
from harmonia.symbolic.io import load
from harmonia.theory.form import analyze_form

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    form = analyze_form(load(ROOT / "tests" / "data" / "pop909" / "001.mid"))
    ax = form_plot(form, title=f"POP909 001: {form.to_pop909()}")
    ax.figure.savefig(ROOT / "docs" / "_static" / "form_001.png", dpi=80, bbox_inches="tight")


if __name__ == "__main__":
    main()
