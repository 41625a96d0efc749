"""Fill in the spellings of a Score that came without them (MIDI)."""

from __future__ import annotations

import numpy as np

from harmonia.symbolic.score import Score
from harmonia.theory.notearray import NO_SPELLING

__all__ = ["spell_score"]


def spell_score(score: Score, *, overwrite: bool = False) -> Score:
    """Return ``score`` with inferred spellings (drum tracks stay unspelled).

    Parameters
    ----------
    score : Score
        A score, typically loaded from MIDI.
    overwrite : bool, default False
        Re-spell notes that already carry a spelling.

    See Also
    --------
    harmonia.theory.spelling.estimate_spelling : the algorithm.
    """
    from harmonia.theory.spelling import estimate_spelling

    notes = score.notes.copy()
    drums = np.array([t.is_drum for t in score.tracks] or [False])
    pitched = ~drums[notes["track"]]
    if not pitched.any():
        return score
    todo = pitched if overwrite else pitched & (notes["spelling"] == NO_SPELLING)
    if not todo.any():
        return score
    estimate = estimate_spelling(notes[pitched])
    spelled = np.full(notes.size, NO_SPELLING, dtype=np.int16)
    spelled[pitched] = estimate
    notes["spelling"] = np.where(todo, spelled, notes["spelling"])
    return score.replace(notes=notes)
