"""Exceptions raised by harmonia.

Every error harmonia raises on purpose derives from :class:`HarmoniaError` and also from the
built-in exception a caller would expect (``ValueError`` for bad values, ``OSError`` for files that
cannot be read, ``ImportError`` for missing optional packages), so ``except ValueError`` keeps
working.  Messages name the file or value at fault and say how to fix it.
"""

from __future__ import annotations

import os

__all__ = [
    "CheckpointError",
    "ChordSymbolError",
    "ConstraintError",
    "CorruptFileError",
    "EmptyFileError",
    "EmptyScoreError",
    "GenreSchemaError",
    "HarmoniaError",
    "InvalidBlueprintError",
    "InvalidScoreError",
    "InvalidTempoError",
    "MissingDependencyError",
    "MissingFileError",
    "RomanNumeralError",
    "UnknownGenreError",
    "UnreadableFileError",
    "UnsupportedFormatError",
]


class HarmoniaError(Exception):
    """Base class of every error raised by harmonia."""


class InvalidScoreError(HarmoniaError, ValueError):
    """A score or note array breaks the data model (bad durations, pitches, maps ...)."""


class EmptyScoreError(InvalidScoreError):
    """A score holds no notes where notes are needed."""


class InvalidTempoError(InvalidScoreError):
    """A tempo outside the accepted range (see :data:`harmonia.symbolic.score.TEMPO_RANGE_BPM`)."""


class UnreadableFileError(HarmoniaError, OSError):
    """A file could not be turned into a score.

    Parameters
    ----------
    path : str or os.PathLike
        The file at fault.
    reason : str
        What is wrong with it, written for a person.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def __reduce__(self):  # keep the error picklable for process pools
        return (type(self), (self.path, self.reason))


class MissingFileError(UnreadableFileError, FileNotFoundError):
    """The path does not exist (and is not a music21 corpus name)."""


class CorruptFileError(UnreadableFileError):
    """The file exists but its content is truncated or malformed."""


class EmptyFileError(CorruptFileError):
    """The file has zero bytes."""


class UnsupportedFormatError(UnreadableFileError):
    """The file's extension names no format harmonia reads."""


class RomanNumeralError(HarmoniaError, ValueError):
    """A Roman numeral figure could not be parsed, realized or analyzed."""


class ChordSymbolError(HarmoniaError, ValueError):
    """A chord symbol (pop or Harte form) could not be parsed."""


class MissingDependencyError(HarmoniaError, ImportError):
    """An optional package needed by the called feature is not installed."""


class CheckpointError(HarmoniaError, ValueError):
    """A model checkpoint is missing, malformed, or not in a safe format."""


class ConstraintError(HarmoniaError, ValueError):
    """A hard constraint layer would leave a row of logits with no allowed token.

    The message names the row, the token kinds left empty and the row's musical state; loosen that
    state, make a rule soft, or pass ``on_empty="relax"`` (see :mod:`harmonia.theory.constraints`).
    """


class GenreSchemaError(HarmoniaError, ValueError):
    """An entry of the genre convention database breaks its schema.

    Parameters
    ----------
    genre : str
        The genre's name (or the file it came from).
    field : str
        The path of the bad field, e.g. ``"drum_patterns[0].lanes[2].hits"``.
    problem : str
        What is wrong, written for a person.
    """

    def __init__(self, genre: str, field: str, problem: str) -> None:
        self.genre = genre
        self.field = field
        self.problem = problem
        super().__init__(f"genre {genre!r}, field {field!r}: {problem}")

    def __reduce__(self):
        return (type(self), (self.genre, self.field, self.problem))


class UnknownGenreError(HarmoniaError, ValueError):
    """A genre name that is neither a genre of the database nor one of its aliases.

    Parameters
    ----------
    name : str
        The name asked for.
    suggestions : sequence of str
        The closest known names, best first.
    """

    def __init__(self, name: str, suggestions: tuple[str, ...] | list[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown genre {name!r}{hint} (harmonia.symbolic.genres.list_genres() lists them)")

    def __reduce__(self):
        return (type(self), (self.name, self.suggestions))


class InvalidBlueprintError(HarmoniaError, ValueError):
    """A song blueprint (or its JSON) is malformed: the message names the field and the problem."""
