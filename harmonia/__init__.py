"""harmonia: music theory analysis and generation on note arrays.

The top level is lazy: ``import harmonia`` loads almost nothing, and each name below is imported on
first use (see ``__init__.pyi`` for the public list).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {"theory", "symbolic", "neural", "audio", "display", "errors", "workflows"}
_SHORTCUTS = {
    "load": "harmonia.symbolic.io",
    "analyze": "harmonia.symbolic.analysis",
    "Analysis": "harmonia.symbolic.analysis",
    "Score": "harmonia.symbolic.score",
    "Track": "harmonia.symbolic.score",
    "from_music21": "harmonia.symbolic.music21io",
    "as_note_array": "harmonia.theory.notearray",
    "NOTE_DTYPE": "harmonia.theory.notearray",
}

__all__ = sorted(_SUBMODULES | set(_SHORTCUTS) | {"__version__"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"harmonia.{name}")
        globals()[name] = module
        return module
    if name in _SHORTCUTS:
        value = getattr(importlib.import_module(_SHORTCUTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'harmonia' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
