"""The SoundFont backend: finding a font, the error without one, rendering with a generated font."""

from __future__ import annotations

import numpy as np
import pytest

from harmonia.audio import soundfont as sfmod
from harmonia.audio.render import render
from harmonia.errors import HarmoniaError, MissingDependencyError, MissingFileError
from harmonia.symbolic.score import Score, Track

from .sf2 import write_sine_sf2

SR = 48000


@pytest.fixture
def no_system_fonts(monkeypatch, tmp_path):
    monkeypatch.delenv("HARMONIA_SOUNDFONT", raising=False)
    monkeypatch.setattr(sfmod, "SYSTEM_SOUNDFONTS", (str(tmp_path / "none.sf2"),))


@pytest.fixture
def score() -> Score:
    return Score(
        [(0.0, 2.0, 69, 100, 0), (0.0, 0.5, 36, 100, 1)],
        tempos=[(0.0, 60.0)],
        tracks=[Track("Lead", 80), Track("Drums", 0, True)],
    )


def test_missing_soundfont_error_says_how_to_get_one(no_system_fonts, score):
    assert sfmod.find_soundfont() is None
    with pytest.raises(MissingDependencyError, match="apt install fluid-soundfont-gm") as info:
        render(score, backend="soundfont")
    assert "--soundfont" in str(info.value) and "HARMONIA_SOUNDFONT" in str(info.value)
    # auto falls back to the built-in synthesizer
    assert render(score, backend="auto", tail_sec=0.1).backend == "builtin"


def test_given_path_must_exist(no_system_fonts, score, tmp_path, monkeypatch):
    with pytest.raises(MissingFileError, match="SoundFont not found"):
        render(score, soundfont=tmp_path / "nope.sf2")
    monkeypatch.setenv("HARMONIA_SOUNDFONT", str(tmp_path / "env.sf2"))
    with pytest.raises(MissingFileError, match="HARMONIA_SOUNDFONT"):
        sfmod.find_soundfont()


def test_search_order(no_system_fonts, tmp_path, monkeypatch):
    system = write_sine_sf2(tmp_path / "system.sf2")
    env = write_sine_sf2(tmp_path / "env.sf2")
    given = write_sine_sf2(tmp_path / "given.sf2")
    monkeypatch.setattr(sfmod, "SYSTEM_SOUNDFONTS", (str(tmp_path / "none.sf2"), str(system)))
    assert sfmod.find_soundfont() == system
    monkeypatch.setenv("HARMONIA_SOUNDFONT", str(env))
    assert sfmod.find_soundfont() == env
    assert sfmod.find_soundfont(given) == given


def test_argument_conflicts(score, tmp_path):
    font = write_sine_sf2(tmp_path / "s.sf2")
    with pytest.raises(ValueError, match="backend='builtin'"):
        render(score, backend="builtin", soundfont=font)
    with pytest.raises(ValueError, match="instruments"):
        render(score, soundfont=font, instruments={0: "sine"})


def _engine_available(font) -> bool:
    small = Score([(0.0, 0.25, 69, 100, 0)])
    try:
        sfmod.render_soundfont_tracks(small, font, sample_rate=SR, n_samples=SR // 4)
    except HarmoniaError:
        return False
    return True


def test_render_with_generated_soundfont(score, tmp_path):
    font = write_sine_sf2(tmp_path / "sine.sf2")
    if not _engine_available(font):
        pytest.skip("no working SoundFont engine (symusic's renderer fails here and tinysoundfont is absent)")
    r = render(score, soundfont=font, tail_sec=0.5)
    assert r.backend == "soundfont" and r.sample_rate == SR
    assert r.audio.shape == (2, int(np.ceil(2.5 * SR)))
    assert list(r.stems) == ["lead", "drums"] and r.roles == {"lead": "melody", "drums": "drums"}
    for stem in r.stems.values():
        assert np.sqrt(np.mean(stem**2)) > 1e-3
    x = r.stems["lead"][0, SR // 2 : SR + SR // 2].astype(float)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    assert abs(np.fft.rfftfreq(x.size, 1 / SR)[np.argmax(spectrum)] - 440.0) <= 1.0
    again = render(score, soundfont=font, tail_sec=0.5)
    np.testing.assert_array_equal(r.audio, again.audio)


def test_engine_names(score, tmp_path):
    with pytest.raises(ValueError, match="engine"):
        sfmod.render_soundfont_tracks(score, tmp_path / "x.sf2", sample_rate=SR, n_samples=10, engine="fluid")
