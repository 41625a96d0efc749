"""Symbolic music: the Score model and its file formats.

Names are imported on first use, so ``import harmonia.symbolic`` stays light.
"""

from __future__ import annotations

from harmonia._lazy import lazy_attributes

_NAMES = {
    "Score": ".score",
    "Track": ".score",
    "load": ".io",
    "analyze": ".analysis",
    "Analysis": ".analysis",
    "load_midi": ".midi",
    "save_midi": ".midi",
    "load_musicxml": ".musicxml",
    "from_music21": ".music21io",
    "to_music21": ".music21io",
    "save_musicxml": ".music21io",
    "Genre": ".genres",
    "get_genre": ".genres",
    "list_genres": ".genres",
    "nearest_genres": ".genres",
    "Blueprint": ".blueprint",
    "blueprint_from_prompt": ".blueprint",
}
__all__ = sorted(_NAMES)

__getattr__, __dir__ = lazy_attributes(__name__, _NAMES)
