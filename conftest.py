"""Collection rules for the whole repository (doctests of harmonia/ and docs/ included)."""

from __future__ import annotations

import importlib.util

# modules and pages whose examples need torch (the `neural` extra): skipped cleanly without it
collect_ignore: list[str] = []
if importlib.util.find_spec("torch") is None:
    collect_ignore += ["harmonia/neural/constraints.py", "docs/constraints.rst"]
