"""Rule-based composition: a :class:`~harmonia.symbolic.blueprint.Blueprint` to a multi-track Score.

:func:`compose` runs the stem generators, each in its own module: :mod:`.harmony` (the chord plan with
cadences and applied dominants; piano, guitar and pad voicings), :mod:`.bass`, :mod:`.drums` and
:mod:`.melody`.  Every note choice is sampled from scores masked by a
:class:`~harmonia.theory.constraints.ConstraintSet` (key, chord, range, leap, parallels, grid, drum kit),
and one ``seed`` drives every choice.  See the guide page *Composing songs* for the whole pipeline.
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "compose": "arrange",
    "STEM_ROLES": "arrange",
    "plan_chords": "harmony",
    "guitar_fingerings": "harmony",
    "split_syllables": "melody",
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
