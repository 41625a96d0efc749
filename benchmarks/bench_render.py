"""Rendering and mastering speed, loudness and true peak.

Songs: a three-minute multi-track score built here (drums, bass, electric piano, pad, lead at 120 BPM)
and, when ../shared/data is present, a POP909 development song (melody as a lead, bridge as an electric
piano, piano as piano).  For each: the built-in synthesizer's render time, mixing (role EQ, bus
compression) and mastering (loudness normalisation and true-peak limiting) times, seconds of audio per
second of compute, and the master's integrated loudness (harmonia's meter and pyloudnorm's) and true
peak.  A SoundFont render (symusic, or tinysoundfont as fallback) is timed only when a SoundFont is
found.  Numba compilation happens in a warm-up on a short excerpt and is reported separately.

Usage: python benchmarks/bench_render.py [--repeat N] [--soundfont PATH]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from _common import shared_data, table

from harmonia.audio.mix import loudness_lufs, master, mix_stems, true_peak_dbtp
from harmonia.audio.render import render
from harmonia.audio.soundfont import find_soundfont
from harmonia.symbolic.score import Score, Track


def three_minute_song(bars: int = 90, bpm: float = 120.0) -> Score:
    """Drums, bass, electric piano, pad and lead over a I-vi-IV-V loop: 90 bars of 4/4 at 120 BPM = 180 s."""
    rng = np.random.default_rng(0)
    chords = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]
    scale = [60, 62, 64, 65, 67, 69, 71, 72, 74, 76]
    notes = []
    for b in range(bars):
        t0 = 4.0 * b
        chord = chords[b % 4]
        for beat in range(4):
            notes.append((t0 + beat, 0.25, 36 if beat % 2 == 0 else 38, 110, 0))
            for e in range(2):
                notes.append((t0 + beat + 0.5 * e, 0.25, 42, 90 if e == 0 else 65, 0))
            for e in (0.0, 0.75, 1.5):  # bass: syncopated root and fifth
                notes.append((t0 + beat + e / 2, 0.4, chord[0] - 24 + (7 if e == 0.75 else 0), 100, 1))
        for p in chord:
            for half in (0.0, 2.0):
                notes.append((t0 + half + 0.5, 1.2, p, 78, 2))
            notes.append((t0, 4.0, p + 12, 60, 3))
        if b % 8 == 0:
            notes.append((t0, 1.0, 49, 100, 0))
        t = t0
        while t < t0 + 4:
            d = float(rng.choice([0.5, 1.0, 1.5]))
            notes.append((t, d * 0.9, int(rng.choice(scale)) + 12 * (b % 16 >= 8), 96, 4))
            t += d
    tracks = [Track("Drums", 0, True), Track("Bass", 33), Track("Keys", 4), Track("Pad", 89), Track("Lead", 81)]
    return Score(notes, tempos=[(0.0, bpm)], tracks=tracks, metadata={"title": "three-minute loop"})


CPU: list[float] = []  # CPU seconds of the last timed() call's runs (less sensitive to a busy machine)


def timed(fn, repeat: int):
    times, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[:] = [statistics.median(cpu)]
    return out, statistics.median(times), (statistics.stdev(times) if len(times) > 1 else 0.0)


def fmt(m: float, s: float) -> str:
    return f"{m:.2f} ± {s:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--soundfont", help="a .sf2/.sf3 to time the SoundFont backend with (default: a system one)")
    args = ap.parse_args()

    songs = [("3-min multi-track (5 tracks)", three_minute_song(), None)]
    pop = shared_data("pop909-dev")
    if pop is None:
        print("../shared/data/pop909-dev is not present: POP909 row skipped")
    else:
        import harmonia

        midi = sorted(pop.glob("*/*.mid"))[0]
        songs.append(
            (f"POP909 {midi.stem} (3 tracks)", harmonia.load(midi), {"melody": "lead", "bridge": "epiano"})
        )

    t = time.perf_counter()
    warm = songs[0][1].slice_bars(1, 2)
    r = render(warm, tail_sec=0.5)
    master(mix_stems(r.stems, r.roles, sample_rate=r.sample_rate), sample_rate=r.sample_rate)
    print(f"first call (numba compilation or cache load, all kernels): {time.perf_counter() - t:.2f} s\n")

    rows = []
    for name, score, instruments in songs:
        r, t_render, s_render = timed(lambda s=score, i=instruments: render(s, instruments=i), args.repeat)
        cpu = CPU[0]
        mixed, t_mix, s_mix = timed(lambda r=r: mix_stems(r.stems, r.roles, sample_rate=r.sample_rate), args.repeat)
        cpu += CPU[0]
        m, t_master, s_master = timed(lambda x=mixed: master(x, sample_rate=48000), args.repeat)
        cpu += CPU[0]
        audio_sec = r.duration_sec
        total = t_render + t_mix + t_master
        try:
            pyln = f"{loudness_lufs(m.audio, 48000, meter='pyloudnorm'):.2f}"
        except ImportError:
            pyln = "n/a"
        rows.append([
            name, f"{audio_sec:.1f}", fmt(t_render, s_render), f"{audio_sec / t_render:.0f}x", fmt(t_mix, s_mix),
            fmt(t_master, s_master), f"{audio_sec / total:.0f}x", f"{cpu:.2f}", f"{m.loudness_lufs:.2f}", pyln,
            f"{true_peak_dbtp(m.audio, 48000):.2f}",
        ])
    print(
        table(
            ["song", "audio s", "render s", "render speed", "mix s", "master s", "render+mix+master speed",
             "CPU s (all three)", "LUFS (harmonia)", "LUFS (pyloudnorm)", "true peak dBTP"],
            rows,
        )
    )
    print("\nspeed = seconds of audio per second of compute (wall clock); times are median ± std of", args.repeat,
          "runs; CPU s is process time, less affected by other jobs on a shared machine")

    font = find_soundfont(args.soundfont)
    if font is None:
        print("\nNo SoundFont found (HARMONIA_SOUNDFONT, /usr/share/sounds/sf2/FluidR3_GM.sf2 ...): "
              "SoundFont comparison skipped.")
        return 0
    sf_rows = []
    for name, score, _ in songs:
        try:
            r_sf, t_sf, s_sf = timed(lambda s=score: render(s, soundfont=font), args.repeat)
        except Exception as exc:  # an engine may be missing or broken: report it, do not fail the benchmark
            sf_rows.append([name, f"failed: {exc}".splitlines()[0][:80], "", ""])
            continue
        sf_rows.append([name, fmt(t_sf, s_sf), f"{r_sf.duration_sec / t_sf:.0f}x", str(font)])
    print("\n" + table(["song", "SoundFont render s", "speed", "SoundFont"], sf_rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
