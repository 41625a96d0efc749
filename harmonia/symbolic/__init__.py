"""Symbolic music: the Score model and its file formats.

Names are imported on first use, so ``import harmonia.symbolic`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "Score": "score",
    "Track": "score",
    "load": "io",
    "analyze": "analysis",
    "Analysis": "analysis",
    "load_midi": "midi",
    "save_midi": "midi",
    "load_musicxml": "musicxml",
    "from_music21": "music21io",
    "to_music21": "music21io",
    "save_musicxml": "music21io",
    "Genre": "genres",
    "get_genre": "genres",
    "list_genres": "genres",
    "nearest_genres": "genres",
    "Blueprint": "blueprint",
    "blueprint_from_prompt": "blueprint",
}
__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
