"""harmonia preprocess: per-song outputs, resume after a kill, failures recorded, Dask on loopback."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("librosa")
sf = pytest.importorskip("soundfile")
pytest.importorskip("mutagen")

from harmonia.errors import CheckpointError, MissingFileError  # noqa: E402
from harmonia.workflows.preprocess import load_preprocessed, preprocess, song_dir_name  # noqa: E402
from tests.audio.signals import SR, click_track, tone  # noqa: E402


def _corpus(folder, n=2, seconds=4.0):
    folder.mkdir()
    for i in range(n):
        y = click_track(90, seconds) + tone([57 + i, 60 + i, 64 + i], seconds)
        sf.write(folder / f"song{i}.wav", y, SR)
    return folder


def test_features_resume_and_failures(tmp_path):
    src = _corpus(tmp_path / "in")
    (src / "sub").mkdir()
    (src / "sub" / "broken.wav").write_bytes(b"RIFF....WAVEjunk")
    out = tmp_path / "out"
    summary = preprocess(src, out, separate=False, transcribe=False, workers=1, progress=False)
    assert summary["songs"] == 3 and len(summary["done"]) == 2 and summary["skipped"] == []
    assert len(summary["failed"]) == 1 and "broken.wav" in summary["failed"][0][1]
    json.dumps(summary)
    feats, score = load_preprocessed(out / "song0")
    assert score is None and abs(feats["tempo_bpm"] - 90) < 2 and feats["key"]["mode"] in ("major", "minor")
    assert feats["chords"] and feats["sections"] and feats["metadata"]["format"] == "WAVE"
    assert not (out / "sub__broken" / "done.json").exists()
    # a killed run: song1 lost its marker -> only song1 (and the broken one) run again
    (out / "song1" / "done.json").unlink()
    again = preprocess(src, out, separate=False, transcribe=False, workers=1, progress=False)
    assert [p.endswith("song1.wav") for p in again["done"]] == [True]
    assert [p.endswith("song0.wav") for p in again["skipped"]] == [True]
    # the source changed -> done again
    sf.write(src / "song0.wav", tone([60], 3.0), SR)
    third = preprocess(src, out, separate=False, transcribe=False, workers=1, progress=False)
    assert any(p.endswith("song0.wav") for p in third["done"])
    fresh = preprocess(src / "song1.wav", tmp_path / "one", separate=False, transcribe=False, resume=False,
                       progress=False)
    assert fresh["done"] and (tmp_path / "one" / "song1" / "features.json").is_file()


def test_bad_arguments(tmp_path, monkeypatch):
    with pytest.raises(MissingFileError):
        preprocess(tmp_path / "missing", tmp_path / "out", progress=False)
    src = _corpus(tmp_path / "in", n=1, seconds=1.0)
    monkeypatch.delenv("HARMONIA_DEMUCS_MODEL", raising=False)
    pytest.importorskip("torch")
    pytest.importorskip("demucs.apply")
    with pytest.raises(CheckpointError, match="HARMONIA_DEMUCS_MODEL"):
        preprocess(src, tmp_path / "out", separate=True, transcribe=False, progress=False)
    assert song_dir_name(src / "song0.wav", src) == "song0"


def test_separate_and_transcribe_one_song(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("demucs.apply")
    pytest.importorskip("onnxruntime")
    from harmonia.audio.transcription import basic_pitch_model_path
    from harmonia.errors import MissingDependencyError

    try:
        basic_pitch_model_path()
    except MissingDependencyError:
        pytest.skip("basic-pitch's ONNX model is not installed")
    src = _corpus(tmp_path / "in", n=1, seconds=2.0)
    monkeypatch.setenv("HARMONIA_DEMUCS_MODEL", "demucs_unittest")
    summary = preprocess(src, tmp_path / "out", workers=1, progress=False)
    assert summary["failed"] == [] and len(summary["done"]) == 1
    song = tmp_path / "out" / "song0"
    assert sorted(p.name for p in (song / "stems").iterdir()) == ["bass.wav", "drums.wav", "other.wav", "vocals.wav"]
    feats = json.loads((song / "features.json").read_text())
    assert set(feats["transcription"]) == {"drums", "bass", "vocals", "other"}


def test_process_pool_and_dask(tmp_path):
    distributed = pytest.importorskip("distributed")
    src = _corpus(tmp_path / "in", n=2, seconds=1.0)
    pool = preprocess(src, tmp_path / "pool", separate=False, transcribe=False, workers=2, progress=False)
    assert len(pool["done"]) == 2 and pool["workers"] == 2
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, host="127.0.0.1",
                                  protocol="tcp", dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        summary = preprocess(src, tmp_path / "dask", separate=False, transcribe=False,
                             scheduler=address.replace("tcp://", "dask://"), progress=False)
    assert len(summary["done"]) == 2 and summary["failed"] == []
    a = json.loads((tmp_path / "pool" / "song1" / "features.json").read_text())
    b = json.loads((tmp_path / "dask" / "song1" / "features.json").read_text())
    assert a["beats_sec"] == b["beats_sec"] and a["chords"] == b["chords"]
