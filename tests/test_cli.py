"""The command line, called in-process through ``main``."""

from __future__ import annotations

import json

import pytest

from harmonia.cli import main
from tests.conftest import DATA


def test_info_text(capsys):
    assert main(["info", "bach/bwv66.6"]) == 0
    out = capsys.readouterr().out
    assert "163, pitches 42-76 (MIDI), spelled" in out
    assert "9 bars (+ pickup of 1 qn)" in out
    assert "key signatures  f# at 0" in out
    assert "Soprano" in out and "Bass" in out


def test_info_json_single_and_many(capsys):
    assert main(["info", "--json", str(DATA / "pop909" / "001.mid")]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["n_notes"] == 1556 and [t["name"] for t in info["tracks"]] == ["MELODY", "BRIDGE", "PIANO"]
    assert info["time_signatures"] == [{"onset": 0.0, "time_signature": "2/4"}]
    assert main(["info", "--json", "bach/bwv66.6", str(DATA / "bad" / "truncated.mid")]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert len(report["scores"]) == 1 and report["failed"][0]["type"] == "CorruptFileError"
    assert "truncated.mid: not a readable MIDI file" in captured.err


def test_unreadable_only_input_is_status_2(capsys):
    assert main(["info", str(DATA / "bad" / "empty.mid")]) == 2
    assert "empty.mid: the file is empty" in capsys.readouterr().err


def test_help_and_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "info" in capsys.readouterr().out
    assert main([]) == 2
    with pytest.raises(SystemExit) as info:
        main(["info"])
    assert info.value.code == 2


def test_demo_runs(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "== Score ==" in out and "Soprano" in out


def test_analyze_single_file_formats(capsys, tmp_path):
    assert main(["analyze", "bach/bwv66.6", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["global_key"] == "f#" and data["chords"][0]["measure"] == 0
    assert main(["analyze", "bach/bwv66.6", "--romantext"]) == 0
    assert capsys.readouterr().out.startswith("Composer:")
    assert main(["analyze", "bach/bwv66.6", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("onset,offset,measure,beat")
    assert main(["analyze", "bach/bwv66.6", "--plot", str(tmp_path / "a.png")]) == 0
    out = capsys.readouterr().out
    assert "global key f#" in out and "cadences:" in out and (tmp_path / "a.png").stat().st_size > 1000


def test_analyze_directory_records_failures(capsys, tmp_path):
    import shutil

    import pandas as pd

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "pop909" / "001.mid", corpus / "song.mid")
    shutil.copy(DATA / "bad" / "truncated.mid", corpus / "broken.mid")
    out = tmp_path / "table.parquet"
    assert main(["analyze", str(corpus), "--out", str(out), "--workers", "1", "--json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["files"] == 2 and report["analyzed"] == 1 and report["errors"][0]["file"].endswith("broken.mid")
    table = pd.read_parquet(out)
    assert set(table["file"]) == {str(corpus / "song.mid")} and len(table) == report["chords"] > 50
    assert main(["analyze", str(DATA / "bad" / "empty.mid")]) == 2


def test_meter_text_and_json(capsys):
    assert main(["meter", "bach/bwv66.6"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("bach/bwv66.6: ") and "notated 4/4" in out and "candidates:" in out
    assert main(["meter", "--json", str(DATA / "pop909" / "001.mid")]) == 0
    est = json.loads(capsys.readouterr().out)
    assert est["notated"] == "2/4" and est["duple"] is True and 0.0 <= est["confidence"] <= 1.0
    assert main(["meter", str(DATA / "bad" / "empty.mid")]) == 2


def test_voice_leading_text_json_and_plot(capsys, tmp_path):
    assert main(["voice-leading", "bach/bwv66.6"]) == 0
    out = capsys.readouterr().out
    assert "4 voices (Soprano, Alto, Tenor, Bass)" in out and "motion: contrary" in out
    png = tmp_path / "vl.png"
    assert main(["voice-leading", "bach/bwv66.6", "--json", "--key", "none", "--plot", str(png)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["key"] is None and report["file"] == "bach/bwv66.6"
    assert sum(report["counts"].values()) == len(report["findings"])
    assert png.stat().st_size > 10_000
    assert main(["voice-leading", str(DATA / "bad" / "truncated.mid")]) == 2
    assert "not a readable MIDI file" in capsys.readouterr().err


def test_form_text_json_and_plot(capsys, tmp_path):
    song = str(DATA / "pop909" / "001.mid")
    assert main(["form", song]) == 0
    out = capsys.readouterr().out
    assert "POP909 labels  i4A4" in out and "bars 1-4" in out and "intro" in out and "chorus" in out
    png = tmp_path / "form.png"
    assert main(["form", song, "--json", "--plot", str(png)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["bar_qn"] == 4.0 and d["pop909"].startswith("i4") and d["sections"][0]["function"] == "intro"
    assert sum(r["end_bar"] - r["start_bar"] for r in d["sections"]) == d["n_bars"]
    assert png.stat().st_size > 10_000
    assert main(["form", song, "--melody-track", "nonexistent"]) == 2
    assert "no track named" in capsys.readouterr().err
    assert main(["form", str(DATA / "bad" / "empty.mid")]) == 2


def test_genres_list_show_and_unknown(capsys):
    assert main(["genres"]) == 0
    out = capsys.readouterr().out
    assert "bossa-nova" in out and "indie-rock" in out
    assert main(["genres", "reggae", "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)
    assert entry["name"] == "reggae"
    assert main(["genres", "polkastep-core"]) == 2
    assert "polkastep-core" in capsys.readouterr().err


def test_conventions_learn(capsys, tmp_path):
    out = tmp_path / "pop.json"
    assert main(["conventions", "learn", str(DATA / "pop909"), "--genre", "pop909", "-o", str(out)]) == 0
    assert "learned 'pop909' from 1 file" in capsys.readouterr().out
    assert main(["conventions", "learn", str(DATA / "pop909"), "--genre", "pop909", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(out.read_text())


def test_compose_and_generate(capsys, tmp_path):
    args = ["upbeat indie rock song about summer", "--duration", "12", "--seed", "1"]
    assert main(["compose", *args, "-o", str(tmp_path / "c"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["genre"] == "indie-rock" and (tmp_path / "c" / "song.mid").stat().st_size > 0
    assert main(["generate", *args, "-o", str(tmp_path / "g"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["genre"] == "indie-rock" and (tmp_path / "g" / "mix.wav").exists()
    assert abs(summary["loudness_lufs"] + 14.0) <= 1.0 and summary["true_peak_dbtp"] <= -1.0 + 1e-6
    assert main(["compose", "a song", "--genre", "polkastep-core", "-o", str(tmp_path / "x")]) == 2
    assert "polkastep-core" in capsys.readouterr().err


def test_preprocess_without_separation(capsys, tmp_path):
    np = pytest.importorskip("numpy")
    sf = pytest.importorskip("soundfile")
    pytest.importorskip("librosa")
    sr = 22050
    t = np.arange(int(6 * sr)) / sr
    clicks = np.zeros_like(t)
    for beat in np.arange(0, 6, 0.5):  # 120 BPM click track over an A minor chord
        i = int(beat * sr)
        clicks[i:i + 200] = np.hanning(200)
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63)) * 0.1
    sf.write(tmp_path / "song.wav", np.stack([clicks + chord] * 2, axis=1), sr)
    out = tmp_path / "out"
    argv = ["preprocess", str(tmp_path / "song.wav"), "--out", str(out), "--no-separate", "--no-transcribe",
            "--workers", "1", "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["songs"] == 1 and len(summary["done"]) == 1
    assert main(argv) == 0  # resumed: nothing to do
    assert len(json.loads(capsys.readouterr().out)["skipped"]) == 1
