"""Transcription: the numba decoder against basic-pitch's own loop, ONNX inference, drums, Score assembly."""

from __future__ import annotations

import numpy as np
import pytest

from harmonia.audio import transcription as T
from harmonia.errors import CheckpointError, MissingDependencyError
from tests.reference.basic_pitch_reference import decode_reference

from .signals import SR, tone


@pytest.mark.parametrize("seed", range(6))
def test_decoder_matches_basic_pitch_loop(seed):
    rng = np.random.default_rng(seed)
    n, k = 120, 12
    frames = rng.random((n, k)) ** 3
    for _ in range(6):  # a few sustained notes
        f, s = rng.integers(k), rng.integers(n - 30)
        frames[s : s + rng.integers(12, 30), f] = 0.5 + 0.5 * rng.random()
    onsets = rng.random((n, k)) ** 4
    got = T.decode_notes(frames, onsets, onset_threshold=0.5, frame_threshold=0.3, min_note_frames=5,
                         infer_onsets=False)
    want = decode_reference(frames, onsets, onset_thresh=0.5, frame_thresh=0.3, min_note_len=5)
    assert [(int(a), int(b), int(c)) for a, b, c in zip(*got[:3])] == [w[:3] for w in want]
    assert np.allclose(got[3], [w[3] for w in want])


def test_missing_model_and_bad_model(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONIA_BASIC_PITCH_MODEL", str(tmp_path / "none.onnx"))
    with pytest.raises(CheckpointError, match=r"none\.onnx"):
        T.basic_pitch_model_path()
    monkeypatch.delenv("HARMONIA_BASIC_PITCH_MODEL")
    monkeypatch.setattr(T.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingDependencyError, match="--no-deps basic-pitch"):
        T.basic_pitch_model_path()
    pytest.importorskip("onnxruntime")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not onnx")
    with pytest.raises(CheckpointError, match=r"bad\.onnx"):
        T.transcribe_audio(np.zeros(SR, dtype=np.float32), SR, model=bad)


def test_missing_onnxruntime_names_the_extra(monkeypatch):
    import sys

    try:
        path = T.basic_pitch_model_path()
    except MissingDependencyError:
        pytest.skip("basic-pitch is not installed")
    T._session.cache_clear()
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingDependencyError, match=r"harmonia\[audio\]"):
        T.transcribe_audio(np.zeros(SR, dtype=np.float32), SR, model=path)
    T._session.cache_clear()


def test_transcribes_three_notes():
    pytest.importorskip("onnxruntime")
    try:
        T.basic_pitch_model_path()
    except MissingDependencyError:
        pytest.skip("basic-pitch's ONNX model is not installed")
    y = np.concatenate([tone([p], 0.5, amp=0.5) for p in (60, 64, 67)] + [np.zeros(SR // 4, dtype=np.float32)])
    ev = T.transcribe_audio(y, SR)
    assert ev["pitch"].tolist() == [60, 64, 67]
    assert np.allclose(ev["onset_sec"], [0.0, 0.5, 1.0], atol=0.05)


def test_drum_onsets():
    pytest.importorskip("librosa")
    y = np.zeros(2 * SR, dtype=np.float32)
    n = int(0.08 * SR)
    t = np.arange(n) / SR
    kick = np.sin(2 * np.pi * 55 * t) * np.exp(-30 * t)
    hat = np.random.default_rng(0).standard_normal(n) * np.exp(-60 * t)
    hat = np.diff(np.r_[0.0, np.diff(np.r_[0.0, hat])])  # high-passed noise
    for s, x in ((0.25, kick), (0.75, hat), (1.25, kick), (1.75, hat)):
        i = int(s * SR)
        y[i : i + n] += (0.8 * x / np.abs(x).max()).astype(np.float32)
    ev = T.transcribe_drums(y, SR)
    assert ev["pitch"].tolist() == [36, 42, 36, 42]
    assert np.allclose(ev["onset_sec"], [0.25, 0.75, 1.25, 1.75], atol=0.03)


def test_events_to_score_follows_the_beats():
    beats = np.array([0.5, 1.0, 1.6, 2.2, 2.7, 3.2])
    ev = np.array([(1.0, 1.6, 60, 90), (2.2, 2.45, 64, 80)], dtype=T.EVENT_DTYPE)
    drums = np.array([(0.5, 0.55, 36, 100)], dtype=T.EVENT_DTYPE)
    s = T.events_to_score({"bass": ev, "drums": drums}, beats_sec=beats, downbeats_sec=[1.0], beats_per_bar=4,
                          key="e")
    assert [t.name for t in s.tracks] == ["bass", "drums"] and s.tracks[1].is_drum and s.tracks[0].program == 33
    assert np.allclose(s.qn_to_sec(np.array([1.0, 2.0, 3.0, 4.0])), beats[:4])
    assert np.allclose(s.notes["onset"], [1.0, 2.0, 4.0])
    assert s.pickup_qn == 2.0 and s.key_signatures["fifths"].tolist() == [1]
    assert s.qn_to_bar_beat(2.0) == (1, 1.0)
    flat = T.events_to_score({"mix": ev}, tempo_bpm=60.0)
    assert flat.tempos["bpm"].tolist() == [60.0] and np.allclose(flat.notes["onset"], [1.0, 2.2])
