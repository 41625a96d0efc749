"""``harmonia.load``: one entry point for files and music21 corpus names."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

from harmonia.errors import (
    CorruptFileError,
    EmptyFileError,
    EmptyScoreError,
    HarmoniaError,
    InvalidTempoError,
    MissingFileError,
    UnsupportedFormatError,
)
from harmonia.symbolic.midi import MIDI_SUFFIXES, load_midi
from harmonia.symbolic.score import TEMPO_RANGE_BPM, Score

__all__ = ["MUSIC21_SUFFIXES", "SUPPORTED_SUFFIXES", "load"]

#: Extensions read through music21 (MusicXML and MXL go through harmonia's own reader first).
MUSIC21_SUFFIXES = (".musicxml", ".xml", ".mxl", ".krn", ".abc", ".rntxt", ".mei")
#: Every extension :func:`load` accepts.
SUPPORTED_SUFFIXES = MIDI_SUFFIXES + MUSIC21_SUFFIXES
#: Extensions read by the native MusicXML reader (:mod:`harmonia.symbolic.musicxml`).
_MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")
_READERS = ("native", "music21")
_ZERO_TEMPO = re.compile(r"(-?[\d.]+) qpm tempo tag found")


def load(source: str | os.PathLike[str] | Any, *, musicxml_reader: str = "native", **kwargs: Any) -> Score:
    """Load a score from a file, a music21 corpus name, or a music21 stream.

    Parameters
    ----------
    source : str, path-like or music21 stream
        A MIDI file (``.mid``, ``.midi``; read with symusic), a MusicXML / MXL file (read by harmonia's
        own reader, :func:`harmonia.symbolic.musicxml.load_musicxml`), a kern / ABC / RomanText / MEI
        file (read with music21), a music21 corpus name such as ``"bach/bwv66.6"`` (its file is read as
        a file of that format would be), or a music21 stream already in memory.
    musicxml_reader : {"native", "music21"}, default "native"
        How to read MusicXML and MXL files. ``"native"`` walks the XML directly, 10-15 times faster than
        music21 on Bach chorales, and gives the same Score (track programs aside: it keeps the file's); a
        file using something it does not model (a time-wise score, a non-traditional key signature, an
        additive metre ...) is then read through music21 instead. ``"music21"`` always parses with
        ``music21.converter`` and converts with :func:`~harmonia.symbolic.music21io.from_music21`.
    **kwargs
        Passed to :func:`harmonia.symbolic.midi.load_midi` for MIDI files (``zero_duration``).

    Returns
    -------
    Score

    Raises
    ------
    MissingFileError
        If the path does not exist and is no corpus name.
    UnsupportedFormatError
        If the extension names no format harmonia reads.
    EmptyFileError, CorruptFileError
        If the file is empty or cannot be parsed.
    EmptyScoreError
        If it holds no notes.

    Examples
    --------
    >>> s = load("bach/bwv66.6")
    >>> s.n_notes, [t.name for t in s.tracks]
    (163, ['Soprano', 'Alto', 'Tenor', 'Bass'])
    >>> load("bach/bwv66.6", musicxml_reader="music21").notes.tolist() == s.notes.tolist()
    True
    """
    if musicxml_reader not in _READERS:
        raise ValueError(f"musicxml_reader must be one of {_READERS}, got {musicxml_reader!r}")
    if not isinstance(source, (str, os.PathLike)):
        from harmonia.symbolic.music21io import from_music21

        return from_music21(source)
    path = Path(source)
    if not path.exists():
        if isinstance(source, str) and path.suffix.lower() not in SUPPORTED_SUFFIXES:
            return _load_corpus(source, musicxml_reader=musicxml_reader)
        raise MissingFileError(path, "no such file")
    if path.is_dir():
        raise UnsupportedFormatError(path, "is a directory; load files one at a time")
    suffix = path.suffix.lower()
    if suffix in MIDI_SUFFIXES:
        return load_midi(path, **kwargs)
    if suffix not in MUSIC21_SUFFIXES:
        raise UnsupportedFormatError(
            path, f"unknown format {suffix or '(no extension)'!r}; harmonia reads {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if kwargs:
        raise TypeError(f"options {sorted(kwargs)} apply to MIDI files only")
    if suffix in _MUSICXML_SUFFIXES and musicxml_reader == "native":
        return _load_musicxml_native(path)
    return _load_music21_file(path)


def _load_musicxml_native(path: Path, *, source: str | None = None) -> Score:
    """Read with the native reader; files it does not model go through music21."""
    from harmonia.symbolic.musicxml import _UnsupportedMusicXML, load_musicxml

    try:
        return load_musicxml(path, source=source)
    except _UnsupportedMusicXML:
        return _load_music21_file(path, source=source)


def _load_music21_file(path: Path, *, source: str | None = None) -> Score:
    from music21 import converter

    from harmonia.symbolic.music21io import from_music21

    if path.stat().st_size == 0:
        raise EmptyFileError(path, "the file is empty (0 bytes)")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stream = converter.parse(str(path), forceSource=True)  # no stale pickles from the cache
    except HarmoniaError:
        raise
    except Exception as exc:  # music21 raises many kinds of errors for malformed input
        raise CorruptFileError(path, f"music21 could not parse it ({type(exc).__name__}: {exc})") from None
    for w in caught:
        bad_tempo = _ZERO_TEMPO.search(str(w.message))
        if bad_tempo:  # music21 skips such tempo marks with a warning; harmonia refuses the file
            raise InvalidTempoError(
                f"{path}: tempo {bad_tempo.group(1)} BPM is outside the accepted range "
                f"{TEMPO_RANGE_BPM[0]:g}-{TEMPO_RANGE_BPM[1]:g} BPM"
            )
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if hasattr(stream, "scores") and stream.scores and not stream.hasPartLikeStreams():
        stream = stream.scores[0]
    try:
        score = from_music21(stream, source=source or str(path))
    except EmptyScoreError:
        raise EmptyScoreError(f"{source or path}: the file holds no notes") from None
    score.metadata["format"] = path.suffix.lower().lstrip(".")
    return score


def _load_corpus(name: str, *, musicxml_reader: str = "native") -> Score:
    from music21 import corpus

    from harmonia.symbolic.music21io import from_music21

    if musicxml_reader == "native":
        try:
            found = corpus.getWork(name)
        except Exception:  # not a corpus work: corpus.parse below says so
            found = None
        if isinstance(found, list):
            found = found[0] if found else None  # music21's corpus.parse takes the first match too
        if found is not None and Path(found).suffix.lower() in _MUSICXML_SUFFIXES:
            score = _load_musicxml_native(Path(found), source=name)
            score.metadata["format"] = "music21-corpus"
            return score
    try:
        stream = corpus.parse(name)
    except Exception as exc:
        raise MissingFileError(name, f"no such file, nor a music21 corpus work ({exc})") from None
    score = from_music21(stream, source=name)
    score.metadata["format"] = "music21-corpus"
    return score
