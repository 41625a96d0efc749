"""Rule-based composition: a :class:`~harmonia.symbolic.blueprint.Blueprint` to a multi-track Score.

:func:`compose` runs the stem generators, each in its own module: :mod:`.harmony` (the chord plan with
cadences and applied dominants; piano, guitar and pad voicings), :mod:`.bass`, :mod:`.drums` and
:mod:`.melody`.  Every note choice is sampled from scores masked by a
:class:`~harmonia.theory.constraints.ConstraintSet` (key, chord, range, leap, parallels, grid, drum kit),
and one ``seed`` drives every choice.  See the guide page *Composing songs* for the whole pipeline.
"""

from __future__ import annotations

from harmonia._lazy import lazy_attributes

_NAMES = {
    "compose": ".arrange",
    "STEM_ROLES": ".arrange",
    "plan_chords": ".harmony",
    "guitar_fingerings": ".harmony",
    "split_syllables": ".melody",
}
__all__ = sorted(_NAMES)

__getattr__, __dir__ = lazy_attributes(__name__, _NAMES)
