"""compose_song and generate_song: files written, summaries, determinism (short songs)."""

from __future__ import annotations

import hashlib
import json

import pytest

from harmonia.workflows.compose import compose_song


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_compose_song_writes_midi_and_blueprint(tmp_path):
    out = compose_song("upbeat indie rock song about summer", genre="indie-rock", mood="happy", duration=20, seed=1,
                       out_dir=tmp_path / "a")
    assert out["genre"] == "indie-rock"
    assert (tmp_path / "a" / "song.mid").is_file() and (tmp_path / "a" / "blueprint.json").is_file()
    assert set(out["timings"]) == {"blueprint", "compose", "write"}
    assert out["sections"][0]["bar"] == 1
    again = compose_song("upbeat indie rock song about summer", genre="indie-rock", mood="happy", duration=20, seed=1,
                         out_dir=tmp_path / "b")
    assert again["key"] == out["key"]
    assert _digest(tmp_path / "a" / "song.mid") == _digest(tmp_path / "b" / "song.mid")
    assert _digest(tmp_path / "a" / "blueprint.json") == _digest(tmp_path / "b" / "blueprint.json")


def test_compose_song_with_lyrics(tmp_path):
    out = compose_song("a gentle folk song", genre="folk", duration=15, seed=2, lyrics=["la la land", "over there"],
                       out_dir=tmp_path)
    assert out["n_notes"] > 0


def test_generate_song_files_report_and_same_audio(tmp_path):
    pytest.importorskip("scipy")
    from harmonia.workflows.generate import generate_song

    kw = dict(genre="pop", duration=10, seed=3, progress=False)
    a = generate_song("a bright pop song", out_dir=tmp_path / "a", **kw)
    b = generate_song("a bright pop song", out_dir=tmp_path / "b", **kw)
    for name in ("mix.wav", "song.mid", "blueprint.json", "report.json", "report.txt"):
        assert (tmp_path / "a" / name).is_file(), name
    stems = sorted(p.name for p in (tmp_path / "a" / "stems").iterdir())
    assert stems and all(s.endswith(".wav") for s in stems)
    assert _digest(tmp_path / "a" / "mix.wav") == _digest(tmp_path / "b" / "mix.wav")
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    assert report["analysis"]["key"] and report["audio"]["true_peak_dbtp"] <= -1.0 + 1e-6
    assert abs(a["loudness_lufs"] - report["audio"]["target_lufs"]) <= 1.0
    assert a["true_peak_dbtp"] == b["true_peak_dbtp"]
    from harmonia.audio.wav import read_wav

    audio, sr = read_wav(tmp_path / "a" / "mix.wav")
    assert sr == 48000 and audio.shape[0] == 2
