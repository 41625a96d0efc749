"""The built-in synthesizer: durations, determinism, pitch, panning, tempo map, every instrument."""

from __future__ import annotations

import numpy as np
import pytest

import harmonia
from harmonia.audio.render import render
from harmonia.audio.synth import INSTRUMENTS, ROLES, instrument_for_program, render_builtin, stem_names
from harmonia.errors import EmptyScoreError
from harmonia.symbolic.score import Score, Track

SR = 48000


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_chorale_duration_and_stems():
    score = harmonia.load("bach/bwv66.6").slice_bars(1, 3)
    r = render(score, tail_sec=1.0)
    assert r.sample_rate == SR
    assert r.audio.dtype == np.float32 and r.audio.shape[0] == 2
    assert abs(r.duration_sec - (score.duration_sec + 1.0)) < 1.0 / SR + 1e-9
    assert list(r.stems) == ["soprano", "alto", "tenor", "bass"]
    assert r.roles["bass"] == "bass"
    for name, stem in r.stems.items():
        assert stem.shape == r.audio.shape, name
        assert rms(stem) > 1e-3, f"{name} is silent"
        assert np.all(np.isfinite(stem))
    np.testing.assert_allclose(sum(r.stems.values()), r.audio, atol=1e-5)
    # the tail fades to silence
    assert np.abs(r.audio[:, -10:]).max() < 1e-3


def test_deterministic(song):
    a = render(song, tail_sec=0.5, seed=3)
    b = render(song, tail_sec=0.5, seed=3)
    np.testing.assert_array_equal(a.audio, b.audio)
    for name in a.stems:
        np.testing.assert_array_equal(a.stems[name], b.stems[name])
    c = render(song, tail_sec=0.5, seed=4)
    assert not np.array_equal(a.stems["drums"], c.stems["drums"])  # the seed moves the noise


def test_sine_a4_spectral_peak():
    s = Score([(0.0, 2.0, 69, 100, 0)], tempos=[(0.0, 60.0)])
    r = render(s, instruments={0: "sine"}, tail_sec=0.0)
    x = r.audio[0, SR // 2 : SR // 2 + SR].astype(float)  # one second in the steady part
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    freqs = np.fft.rfftfreq(x.size, 1.0 / SR)
    assert abs(freqs[np.argmax(spectrum)] - 440.0) <= 1.0


@pytest.mark.parametrize("instrument", ["piano", "epiano", "pluck", "bass", "lead", "organ"])
def test_pitched_instruments_fundamental(instrument):
    # strongest partial below 1.5 f0 sits at f0 (C3 = 130.8 Hz)
    s = Score([(0.0, 2.0, 48, 100, 0)], tempos=[(0.0, 60.0)])
    x = render(s, instruments={0: instrument}, tail_sec=0.0).audio.mean(axis=0)[2400 : 2400 + SR].astype(float)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    freqs = np.fft.rfftfreq(x.size, 1.0 / SR)
    band = (freqs > 80) & (freqs < 1.5 * 130.81)
    assert abs(freqs[band][np.argmax(spectrum[band])] - 130.81) < 2.0


def test_every_instrument_sounds():
    notes = [(float(i), 0.8, p, 90, 0) for i, p in enumerate((40, 52, 64, 76))]
    for name in INSTRUMENTS:
        if name == "drums":
            continue
        r = render(Score(notes, tempos=[(0.0, 240.0)]), instruments={0: name}, tail_sec=0.2)
        assert np.all(np.isfinite(r.audio)), name
        assert 1e-3 < rms(r.audio) and np.abs(r.audio).max() < 2.0, name


def test_drum_kit_pieces():
    pieces = [36, 37, 38, 39, 42, 44, 46, 41, 45, 50, 49, 51, 54, 56, 60, 76]
    s = Score(
        [(0.5 * i, 0.25, p, 100, 0) for i, p in enumerate(pieces)],
        tempos=[(0.0, 120.0)],
        tracks=[Track("Kit", 0, True)],
    )
    r = render(s, tail_sec=0.5)
    assert r.roles["kit"] == "drums" and r.instruments["kit"] == "drums"
    x = r.audio
    hop = SR // 4  # 0.5 qn at 120 BPM
    for i, p in enumerate(pieces):
        seg = x[:, i * hop : i * hop + 2400]  # the first 50 ms of each hit
        assert rms(seg) > 1e-3, f"drum note {p} is silent"
    # the kick is bass-heavy, the closed hat bright
    kick = x[0, 0:4800].astype(float)
    hat = x[0, 4 * hop : 4 * hop + 4800].astype(float)

    def centroid(seg):
        mag = np.abs(np.fft.rfft(seg)) ** 2
        return float((np.fft.rfftfreq(seg.size, 1 / SR) * mag).sum() / mag.sum())

    assert centroid(kick) < 1500 < 5000 < centroid(hat)


def test_panning():
    s = Score([(0.0, 1.0, 60, 100, 0)], tempos=[(0.0, 120.0)])
    for pan, louder in ((-1.0, 0), (1.0, 1)):
        r = render(s, instruments={0: "sine"}, pans={0: pan}, tail_sec=0.1)
        left, right = rms(r.audio[0]), rms(r.audio[1])
        assert (left, right)[louder] > 100 * (left, right)[1 - louder] + 1e-12
    centre = render(s, instruments={0: "sine"}, pans={0: 0.0}, tail_sec=0.1).audio
    np.testing.assert_allclose(centre[0], centre[1], atol=1e-7)
    hard = render(s, instruments={0: "sine"}, pans={0: -1.0}, tail_sec=0.1).audio
    # constant power: centre is -3 dB per side, the total power stays the same
    np.testing.assert_allclose(rms(centre[0]) ** 2 * 2, rms(hard[0]) ** 2, rtol=1e-4)


def test_default_placement(rendered_song):
    r = rendered_song
    assert r.roles == {"drums": "drums", "bass": "bass", "keys": "harmony", "pad": "pad", "lead": "melody"}
    keys = r.stems["keys"]
    assert rms(keys[0]) > 1.5 * rms(keys[1])  # the first harmony track sits left
    bass = r.stems["bass"]
    np.testing.assert_allclose(rms(bass[0]), rms(bass[1]), rtol=1e-3)


def test_tempo_map_respected():
    # 60 BPM for 4 qn (4 s), then 120 BPM: a note at qn 6 starts at 5 s
    s = Score([(0.0, 0.5, 69, 100, 0), (6.0, 0.5, 69, 100, 0)], tempos=[(0.0, 60.0), (4.0, 120.0)])
    x = render(s, instruments={0: "sine"}, tail_sec=0.0).audio[0]
    assert x.size == int(np.ceil(s.duration_sec * SR))
    env = np.abs(x)
    assert env[int(4.9 * SR) : int(4.99 * SR)].max() < 1e-4
    assert env[int(5.01 * SR) : int(5.1 * SR)].max() > 0.05


def test_velocity_scales_level_and_brightness():
    loud = render(Score([(0.0, 1.0, 60, 120, 0)]), instruments={0: "piano"}, tail_sec=0.0).audio[0]
    soft = render(Score([(0.0, 1.0, 60, 40, 0)]), instruments={0: "piano"}, tail_sec=0.0).audio[0]
    assert rms(loud) > 2 * rms(soft)

    def centroid(seg):
        mag = np.abs(np.fft.rfft(seg.astype(float)))
        return float((np.fft.rfftfreq(seg.size, 1 / SR) * mag).sum() / mag.sum())

    assert centroid(loud) > centroid(soft)


def test_program_mapping_and_names():
    assert instrument_for_program(0) == "piano"
    assert instrument_for_program(33) == "bass" and instrument_for_program(38) == "synth_bass"
    assert instrument_for_program(25) == "pluck" and instrument_for_program(90) == "pad"
    assert {instrument_for_program(p) for p in range(128)} <= set(INSTRUMENTS)
    assert stem_names((Track("Piano"), Track("Piano"), Track(""))) == ["piano", "piano_2", "track_3"]
    assert set(ROLES) == {"drums", "bass", "harmony", "melody", "pad"}


def test_bad_input():
    with pytest.raises(EmptyScoreError):
        render_builtin(Score([]))
    s = Score([(0.0, 1.0, 60)])
    with pytest.raises(ValueError, match="instrument 'kazoo'"):
        render(s, instruments={0: "kazoo"})
    with pytest.raises(ValueError, match="role"):
        render(s, roles={0: "vocals"})
    with pytest.raises(ValueError, match="backend"):
        render(s, backend="diffusion")
    with pytest.raises(ValueError, match="sample_rate"):
        render(s, sample_rate=100)
