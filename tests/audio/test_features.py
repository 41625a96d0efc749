"""Audio analysis front end on short synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("librosa")
pytest.importorskip("soundfile")

from harmonia.audio import features as F
from harmonia.errors import CorruptFileError, EmptyFileError, MissingDependencyError, MissingFileError

from .signals import SR, chord_sequence, click_track, tone


@pytest.mark.parametrize("bpm", [90.0, 128.0])
def test_tempo_and_beats_of_a_click_track(bpm):
    y = click_track(bpm, 10.0)
    tempo, beats = F.estimate_beats(y, SR, start_bpm=bpm)
    assert abs(tempo - bpm) / bpm < 0.02
    truth = np.arange(0.1, 10.0, 60.0 / bpm)
    hits = np.min(np.abs(truth[:, None] - beats[None, :]), axis=0)
    assert np.mean(hits < 0.07) > 0.9


def test_downbeats_follow_the_accents():
    bpm = 120.0
    y = click_track(bpm, 12.0, accent_every=4, offset=0.1)
    _, beats = F.estimate_beats(y, SR, start_bpm=bpm)
    down, m = F.estimate_downbeats(y, SR, beats)
    assert m == 4
    accents = np.arange(0.1, 12.0, 4 * 60.0 / bpm)
    assert np.mean(np.min(np.abs(down[:, None] - accents[None, :]), axis=1) < 0.07) > 0.8


def test_tuning_of_a_detuned_tone():
    y = tone([69], 2.0) * 0 + np.sin(2 * np.pi * 440 * 2 ** (-30 / 1200) * np.arange(2 * SR) / SR).astype(np.float32)
    assert abs(F.estimate_tuning(y, SR) + 30) < 6


def test_key_and_chords_of_a_progression():
    # I vi IV V7 I in D major, one chord per 2 s
    prog = [[62, 66, 69], [59, 62, 66], [55, 59, 62], [57, 61, 64, 67], [62, 66, 69]]
    y = chord_sequence(prog, beat_sec=0.5)
    chroma = F.chromagram(y, SR)
    key = F.estimate_key(chroma)
    assert (key["key"], key["harte"]) == ("D", "D:maj")
    beats = np.arange(0.0, y.size / SR, 0.5)
    sync, bounds = F._beat_sync(chroma, beats, SR)
    bounds[-1] = y.size / SR
    spans = F.estimate_chords(sync, bounds)
    labels = [str(x) for x in spans["label"] if x != "N"]
    assert labels == ["D:maj", "B:min", "G:maj", "A:7", "D:maj"]
    assert np.all(np.diff(spans["start_sec"]) > 0)


def test_chords_validate_their_input():
    with pytest.raises(ValueError, match=r"\(12, n\)"):
        F.estimate_chords(np.zeros((11, 3)), np.arange(4.0))
    with pytest.raises(ValueError, match="boundaries"):
        F.estimate_chords(np.zeros((12, 3)), np.arange(3.0))
    assert F.estimate_chords(np.zeros((12, 0)), np.zeros(1)).size == 0
    silent = F.estimate_chords(np.zeros((12, 2)), np.arange(3.0))
    assert silent["label"].tolist() == ["N"] and silent["root_pc"].tolist() == [-1]


def test_harte_labels_parse():
    from harmonia.theory.chord import parse_harte

    _, labels, _ = F.chord_templates()
    assert all(parse_harte(label) is not None for label in labels)


def test_sections_cover_the_song_and_repeat_labels():
    a = chord_sequence([[60, 64, 67], [65, 69, 72]] * 2, beat_sec=0.5, beats_per_chord=2)
    b = click_track(120, 4.0) + tone([45, 52], 4.0)
    y = np.concatenate([a, b, a])
    beats = np.arange(0.0, y.size / SR, 0.5)
    sec = F.estimate_sections(y, SR, beats, n_sections=3)
    assert sec["start_sec"][0] == 0 and abs(sec["end_sec"][-1] - y.size / SR) < 1e-6
    assert np.all(sec["end_sec"][:-1] == sec["start_sec"][1:])
    assert sec["label"][0] == sec["label"][-1] != sec["label"][1]


def test_analyze_audio_is_json_ready():
    import json

    y = click_track(90, 6.0)
    out = F.analyze_audio(np.stack([y, y]), SR)
    json.dumps(out)
    assert set(out) >= {"tempo_bpm", "beats_sec", "downbeats_sec", "key", "chords", "sections", "tuning_cents"}
    assert abs(out["tempo_bpm"] - 90) < 2


def test_load_audio_wav_mp3_and_metadata(tmp_path):
    import soundfile as sf

    y = tone([60, 64, 67], 1.0)
    wav = tmp_path / "a.wav"
    sf.write(wav, y, SR)
    x, sr = F.load_audio(wav, sample_rate=16000)
    assert sr == 16000 and abs(x.size - 16000) <= 1
    x, sr = F.load_audio(wav, sample_rate=None, mono=False)
    assert x.shape == (1, SR) and sr == SR
    mutagen = pytest.importorskip("mutagen")
    if "MP3" not in sf.available_formats():
        pytest.skip("this libsndfile writes no MP3")
    mp3 = tmp_path / "song.mp3"
    sf.write(mp3, np.stack([y, y], axis=1), SR, format="MP3")
    from mutagen.id3 import APIC, ID3, TIT2, TPE1

    tags = ID3()
    tags.add(TIT2(encoding=3, text="Test Song"))
    tags.add(TPE1(encoding=3, text="Harmonia"))
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=b"\x89PNG fake"))
    tags.save(str(mp3))
    meta = F.read_metadata(mp3)
    assert meta["title"] == "Test Song" and meta["artist"] == "Harmonia" and meta["format"] == "MP3"
    assert meta["artwork"] == [{"mime": "image/png", "type": 3, "bytes": 9}]
    cover = F.extract_artwork(mp3, tmp_path / "out")
    assert cover.name == "cover.png" and cover.read_bytes() == b"\x89PNG fake"
    x, sr = F.load_audio(mp3)
    assert sr == SR and abs(x.size / sr - 1.0) < 0.1
    assert F.extract_artwork(wav, tmp_path) is None
    assert mutagen is not None


def test_bad_audio_files(tmp_path):
    with pytest.raises(MissingFileError):
        F.load_audio(tmp_path / "nope.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        F.load_audio(empty)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF0000WAVEjunkjunkjunk" * 10)
    with pytest.raises(CorruptFileError, match=r"junk\.wav"):
        F.load_audio(junk)
    assert F.read_metadata(junk)["format"] is None


def test_missing_librosa_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "librosa", None)
    with pytest.raises(MissingDependencyError, match=r"harmonia\[audio\]"):
        F.estimate_beats(np.zeros(SR, dtype=np.float32), SR)


def test_front_end_model_file_matches_its_schema():
    import importlib.util
    import json
    from importlib import resources

    files = resources.files("harmonia.audio").joinpath("data")
    data = json.loads(files.joinpath("front_end_model.json").read_text())
    schema = json.loads(files.joinpath("front_end_model.schema.json").read_text())
    assert set(schema["required"]) <= set(data)
    assert set(data["tempo"]["weights"]) == set(F.TEMPO_FEATURES)
    assert set(data["key"]) == set(F.AUDIO_KEY_PROFILES)
    if "octave" in data:
        assert data["octave"]["features"] == list(F.OCTAVE_FEATURES)
        assert len(data["octave"]["coef"]) == len(F.OCTAVE_FEATURES)
    for prof in data["key"].values():
        assert len(prof["major"]) == len(prof["minor"]) == 12 and np.argmax(prof["major"]) == 0
    if importlib.util.find_spec("jsonschema"):
        import jsonschema

        jsonschema.validate(data, schema)


def test_tempo_candidates_are_related_levels_with_evidence():
    import librosa

    harmony = chord_sequence([[48, 60, 64, 67], [45, 60, 64, 69], [41, 60, 65, 69], [43, 59, 62, 67]] * 2, 0.6)
    y = click_track(100.0, harmony.size / SR) + harmony
    oenv = librosa.onset.onset_strength(y=y, sr=SR, hop_length=F.HOP)
    tempi, evidence, frames = F.tempo_candidates(oenv, F.chromagram(y, SR), SR)
    assert evidence.shape == (tempi.size, len(F.TEMPO_FEATURES)) and len(frames) == tempi.size
    assert np.all((tempi >= 40) & (tempi <= 220)) and np.all(np.isfinite(evidence))
    # all candidates are one first estimate times TEMPO_RATIOS
    assert any(np.all(np.min(np.abs(tempi[:, None] / t0 - np.array(F.TEMPO_RATIOS)[None, :]), axis=1) < 1e-9)
               for t0 in tempi)
    bpm, _ = F.estimate_beats(y, SR)
    assert abs(bpm - 100.0) / 100.0 < 0.02


def test_key_profiles_agree_on_a_plain_scale():
    scale = np.zeros(12)
    scale[[2, 4, 6, 7, 9, 11, 1]] = 1.0
    scale[[2, 9]] += 1.0
    assert F.estimate_key(scale)["key"] == F.estimate_key(scale, profile="temperley")["key"] == "D"
