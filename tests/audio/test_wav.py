"""Atomic WAV writes and reads."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from harmonia.audio.wav import read_wav, write_wav
from harmonia.errors import CorruptFileError, MissingDependencyError, MissingFileError


@pytest.mark.parametrize(("subtype", "tol"), [("PCM_24", 2.0**-22), ("PCM_16", 2.0**-14), ("FLOAT", 1e-7)])
def test_round_trip(tmp_path, subtype, tol):
    pytest.importorskip("soundfile")
    x = np.random.default_rng(0).uniform(-0.9, 0.9, (2, 4800))
    path = write_wav(tmp_path / "out" / "a.wav", x, 48000, subtype=subtype)
    y, sr = read_wav(path)
    assert sr == 48000 and y.shape == x.shape
    np.testing.assert_allclose(y, x, atol=tol)
    assert [p.name for p in path.parent.iterdir()] == ["a.wav"]  # no temporary left behind


def test_stdlib_fallback_without_soundfile(tmp_path, monkeypatch):
    x = np.linspace(-1, 1, 960)
    monkeypatch.setitem(sys.modules, "soundfile", None)
    write_wav(tmp_path / "m.wav", x, 48000)
    with pytest.raises(MissingDependencyError, match="soundfile"):
        write_wav(tmp_path / "f.wav", x, 48000, subtype="FLOAT")
    monkeypatch.delitem(sys.modules, "soundfile")
    pytest.importorskip("soundfile")
    y, _ = read_wav(tmp_path / "m.wav")
    np.testing.assert_allclose(y[0], np.clip(x, -1, 1 - 2**-23), atol=2.0**-22)


def test_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(ValueError, match="NaN"):
        write_wav(tmp_path / "bad.wav", np.array([0.0, np.nan]), 48000)
    assert list(tmp_path.iterdir()) == []


def test_bad_reads(tmp_path):
    pytest.importorskip("soundfile")
    with pytest.raises(MissingFileError):
        read_wav(tmp_path / "none.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF0000WAVEjunk")
    with pytest.raises(CorruptFileError):
        read_wav(bad)


def test_write_stems(tmp_path, rendered_song):
    from harmonia.audio.wav import write_stems

    short = {name: stem[:, :4800] for name, stem in rendered_song.stems.items()}
    paths = write_stems(short, tmp_path / "stems", 48000)
    assert [p.name for p in paths] == [f"{n}.wav" for n in short]
    assert all(p.stat().st_size > 4800 * 2 * 3 for p in paths)
    with pytest.raises(ValueError, match="file name"):
        write_stems({"../x": np.zeros(10)}, tmp_path, 48000)
