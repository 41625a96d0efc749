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
    "CorruptFileError",
    "EmptyFileError",
    "EmptyScoreError",
    "HarmoniaError",
    "InvalidScoreError",
    "InvalidTempoError",
    "MissingDependencyError",
    "MissingFileError",
    "RomanNumeralError",
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
