"""Every kind of bad input gets its own error type and a message naming the file and the problem.

The files in tests/data/bad/ are rebuilt by tests/data/make_bad_files.py.
"""

from __future__ import annotations

import pickle

import pytest

import harmonia
from harmonia import errors
from tests.conftest import DATA

BAD = DATA / "bad"

CASES = [
    ("truncated.mid", errors.CorruptFileError, r"truncated\.mid: not a readable MIDI file \(Invalid chunk length"),
    ("garbage.mid", errors.CorruptFileError, r"garbage\.mid: not a readable MIDI file .*not MThd"),
    ("empty.mid", errors.EmptyFileError, r"empty\.mid: the file is empty \(0 bytes\)"),
    ("no_notes.mid", errors.EmptyScoreError, r"no_notes\.mid: the MIDI file holds no notes"),
    ("zero_length.mid", errors.InvalidScoreError, r"zero_length\.mid: .*1 zero-length note.*at 1 qn \(pitch 64\)"),
    ("tempo_zero.mid", errors.InvalidTempoError, r"tempo_zero\.mid: tempo infinite .* outside .* 1-1000 BPM"),
    ("tempo_10000.mid", errors.InvalidTempoError, r"tempo_10000\.mid: tempo 10000 BPM at 0 qn is outside"),
    ("song.xyz", errors.UnsupportedFormatError, r"song\.xyz: unknown format '\.xyz'; harmonia reads \.mid"),
    ("empty.musicxml", errors.EmptyFileError, r"empty\.musicxml: the file is empty"),
    ("corrupt.musicxml", errors.CorruptFileError, r"corrupt\.musicxml: not well-formed XML"),
    ("tempo_zero.musicxml", errors.InvalidTempoError, r"tempo_zero\.musicxml: tempo 0 BPM is outside"),
]


@pytest.mark.parametrize(("name", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_raises_clear_error(name, error, message):
    with pytest.raises(error, match=message) as info:
        harmonia.load(BAD / name)
    assert isinstance(info.value, errors.HarmoniaError)


def test_every_bad_file_has_a_case():
    assert {p.name for p in BAD.iterdir()} == {c[0] for c in CASES}


def test_file_errors_are_oserrors_and_value_errors_are_valueerrors():
    assert issubclass(errors.CorruptFileError, OSError)
    assert issubclass(errors.MissingFileError, FileNotFoundError)
    assert issubclass(errors.InvalidTempoError, ValueError)
    assert issubclass(errors.RomanNumeralError, ValueError)
    assert issubclass(errors.MissingDependencyError, ImportError)


def test_file_errors_survive_pickling():  # process pools send them between processes
    exc = errors.CorruptFileError("a.mid", "broken")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is errors.CorruptFileError and str(back) == "a.mid: broken" and back.path == "a.mid"


def test_missing_path_and_unknown_corpus_name():
    with pytest.raises(errors.MissingFileError, match=r"nowhere\.mid: no such file"):
        harmonia.load("nowhere.mid")
    with pytest.raises(errors.MissingFileError, match=r"bach/no_such_piece: no such file, nor a music21 corpus"):
        harmonia.load("bach/no_such_piece")


def test_directory_is_refused(tmp_path):
    with pytest.raises(errors.UnsupportedFormatError, match="is a directory"):
        harmonia.load(tmp_path)


def test_zero_length_options():
    dropped = harmonia.load(BAD / "zero_length.mid", zero_duration="drop")
    assert dropped.notes["pitch"].tolist() == [60, 67]
    extended = harmonia.load(BAD / "zero_length.mid", zero_duration="extend")
    assert extended.notes["pitch"].tolist() == [60, 64, 67]
    assert extended.notes["duration"][1] == pytest.approx(1 / 480)


def test_options_for_midi_only():
    with pytest.raises(TypeError, match="MIDI files only"):
        harmonia.load(BAD / "corrupt.musicxml", zero_duration="drop")
