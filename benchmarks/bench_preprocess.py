"""Evidence for the audio analysis front end: render POP909 dev songs, analyse the audio, score it.

Each song's MIDI is rendered with harmonia's built-in synthesizer (:func:`harmonia.audio.render`,
22.05 kHz), the mix goes through :func:`harmonia.audio.features.analyze_audio`, and the results are
compared with the song's own annotations:

- tempo error (%) against 60 / the median interval of ``beat_midi.txt``;
- key against ``key_audio.txt`` (the longest key span), tonic and mode both right, and
  ``mir_eval.key.weighted_score`` (1 right, 0.5 a fifth away, 0.3 relative, 0.2 parallel); also against
  ``analyzed_key.txt`` (the key the Dai et al. analysis gives the MIDI; the two disagree on 4 of the 34
  dev songs: two relative keys, and two where the audio key sits a semitone or tritone from the score's);
- beat and downbeat F-measure (``mir_eval.beat.f_measure``, 70 ms window) against ``beat_midi.txt``
  (its third column marks downbeats);
- chord accuracy against ``chord_midi.txt`` (``mir_eval.chord.evaluate``: root, majmin, sevenths);
- note F-measure of the transcription (``mir_eval.transcription.precision_recall_f1_overlap``: onset
  only, 50 ms; and with offsets, 20 % of the note or 50 ms) of the piano and melody stems, each rendered
  alone (separation is not in this loop), on the first ``--transcribe-sec`` seconds (60) of the first
  ``--transcribe-songs`` songs (10), when onnxruntime and basic-pitch's model are installed
  (``--no-transcribe`` skips it).

The front end's fitted parameters (beat-level weights, key profile) come from the training part only
(``benchmarks/fit_front_end.py``); these songs are held out from that fit.

The time per song of the symbolic part (everything :func:`analyze_audio` does) is measured after a
warm-up song, so numba and librosa's compilation is not in it; the warm-up time is reported apart.

Usage: ``python benchmarks/bench_preprocess.py [--songs N] [--no-transcribe]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "pop909-dev"
SR = 22050
PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _pc(name: str) -> int:
    return (PC[name[0]] + name[1:].count("#") - name[1:].count("b")) % 12


def reference(song: Path) -> dict:
    beats = np.loadtxt(song / "beat_midi.txt", ndmin=2)
    keys = [line.split() for line in (song / "key_audio.txt").read_text().splitlines() if line.strip()]
    longest = max(keys, key=lambda r: float(r[1]) - float(r[0]))[2]
    tonic, mode = longest.split(":")
    rows = [line.split("\t") for line in (song / "chord_midi.txt").read_text().splitlines() if line.strip()]
    return {
        "beats": beats[:, 0],
        "downbeats": beats[beats[:, 2] == 1, 0],
        "tempo": 60.0 / float(np.median(np.diff(beats[:, 0]))),
        "key": (_pc(tonic), "major" if mode.startswith("maj") else "minor"),
        "chord_intervals": np.array([[float(a), float(b)] for a, b, _ in rows]),
        "chord_labels": [lab.strip() for _, _, lab in rows],
    }


def analyzed_key(song: Path) -> tuple[int, str]:
    tonic, mode = (song / "analyzed_key.txt").read_text().split()[0].split(":")
    return _pc(tonic), "major" if mode.startswith("maj") else "minor"


def mirex_key(pc_mode: tuple[int, str]) -> str:
    return f"{['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'][pc_mode[0]]} {pc_mode[1]}"


def note_f(transcribed, score, track: int, seconds: float | None = None) -> tuple[float, float]:
    """Note F-measure (onsets only, and with offsets) of a transcription against one track."""
    import mir_eval

    ref = score.notes[score.notes["track"] == track]
    on = score.qn_to_sec(ref["onset"])
    off = score.qn_to_sec(ref["onset"] + ref["duration"])
    if seconds is not None:
        keep = on < seconds
        ref, on, off = ref[keep], on[keep], np.minimum(off[keep], seconds)
    ref_iv = np.stack([on, np.maximum(off, on + 0.01)], axis=1)
    ref_hz = 440.0 * 2 ** ((ref["pitch"] - 69) / 12)
    est = transcribed
    if est.size == 0 or ref.size == 0:
        return 0.0, 0.0
    est_iv = np.stack([est["onset_sec"], np.maximum(est["offset_sec"], est["onset_sec"] + 0.01)], axis=1)
    est_hz = 440.0 * 2 ** ((est["pitch"] - 69) / 12)
    pr = mir_eval.transcription.precision_recall_f1_overlap
    _, _, f_on, _ = pr(ref_iv, ref_hz, est_iv, est_hz, offset_ratio=None)
    _, _, f_off, _ = pr(ref_iv, ref_hz, est_iv, est_hz)
    return float(f_on), float(f_off)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=None, help="only the first N songs")
    parser.add_argument("--no-transcribe", action="store_true", help="skip the transcription note F")
    parser.add_argument("--transcribe-songs", type=int, default=10, help="note F on the first N songs")
    parser.add_argument("--transcribe-sec", type=float, default=60.0, help="note F on the first S seconds")
    parser.add_argument("--start-bpm", type=float, default=78.7, help="centre of the tempo prior")
    parser.add_argument("--tempo-spread", type=float, default=0.35, help="spread of the tempo prior, octaves")
    parser.add_argument("--key-profile", default="pop909-audio")
    args = parser.parse_args()
    opts = {"start_bpm": args.start_bpm, "tempo_spread_octaves": args.tempo_spread, "key_profile": args.key_profile}
    if not DATA.is_dir():
        print(f"{DATA} is not present; nothing to measure")
        return 0
    try:
        import mir_eval

        from harmonia.audio import render
        from harmonia.audio.features import analyze_audio
        from harmonia.symbolic.midi import load_midi
    except ImportError as exc:
        print(f"needs the audio extra and mir_eval ({exc}); nothing measured")
        return 0
    transcribe = None
    if not args.no_transcribe:
        try:
            from harmonia.audio.transcription import transcribe_audio

            transcribe = transcribe_audio
            transcribe(np.zeros(SR, dtype=np.float32), SR)
        except ImportError as exc:
            print(f"transcription skipped: {exc}")
            transcribe = None
    songs = sorted(p for p in DATA.iterdir() if p.is_dir() and (p / f"{p.name}.mid").is_file())[: args.songs]
    rows = []
    warm = None
    for song in songs:
        score = load_midi(song / f"{song.name}.mid")
        ref = reference(song)
        rendering = render(score, sample_rate=SR, tail_sec=1.0)
        mix = rendering.audio.mean(axis=0)
        t0 = time.perf_counter()
        out = analyze_audio(mix, SR, **opts)
        elapsed = time.perf_counter() - t0
        if warm is None:
            warm = elapsed
            out = analyze_audio(mix, SR, **opts)
            t0 = time.perf_counter()
            out = analyze_audio(mix, SR, **opts)
            elapsed = time.perf_counter() - t0
        est_beats = np.asarray(out["beats_sec"])
        beat_f = mir_eval.beat.f_measure(mir_eval.beat.trim_beats(ref["beats"]), mir_eval.beat.trim_beats(est_beats))
        down_f = mir_eval.beat.f_measure(ref["downbeats"], np.asarray(out["downbeats_sec"]))
        est_key = (out["key"]["tonic_pc"], out["key"]["mode"])
        key_ok = est_key == ref["key"]
        key_w = mir_eval.key.weighted_score(mirex_key(ref["key"]), mirex_key(est_key))
        key_an = est_key == analyzed_key(song)
        est_iv = np.array([[c["start_sec"], c["end_sec"]] for c in out["chords"]])
        est_lab = [c["label"] for c in out["chords"]]
        est_iv, est_lab = mir_eval.util.adjust_intervals(
            est_iv, est_lab, ref["chord_intervals"].min(), ref["chord_intervals"].max(), "N", "N"
        )
        chord = mir_eval.chord.evaluate(ref["chord_intervals"], ref["chord_labels"], est_iv, est_lab)
        row = {
            "song": song.name,
            "tempo_ref": ref["tempo"],
            "tempo_est": out["tempo_bpm"],
            "tempo_err": 100.0 * abs(out["tempo_bpm"] - ref["tempo"]) / ref["tempo"],
            "beat_f": beat_f,
            "down_f": down_f,
            "key_ok": key_ok,
            "key_w": key_w,
            "key_an": key_an,
            "key": out["key"]["harte"],
            "root": chord["root"],
            "majmin": chord["majmin"],
            "sevenths": chord["sevenths"],
            "sec": elapsed,
        }
        do_notes = transcribe is not None and len(rows) < args.transcribe_songs
        for name, want in (("piano", "PIANO"), ("melody", "MELODY")):
            idx = next((i for i, t in enumerate(score.tracks) if t.name.upper() == want), None)
            if not do_notes or idx is None:
                row[f"f_{name}"] = row[f"fo_{name}"] = np.nan
                continue
            stem = rendering.stems[list(rendering.stems)[idx]].mean(axis=0)[: int(args.transcribe_sec * SR)]
            row[f"f_{name}"], row[f"fo_{name}"] = note_f(transcribe(stem, SR), score, idx, args.transcribe_sec)
        rows.append(row)
        print(
            f"{song.name}: tempo {row['tempo_est']:.2f}/{row['tempo_ref']:.2f} beatF {beat_f:.3f} "
            f"downF {down_f:.3f} key {row['key']} {'ok' if key_ok else 'WRONG'} majmin {row['majmin']:.3f} "
            f"{elapsed:.2f}s" + (f" noteF piano {row['f_piano']:.3f} melody {row['f_melody']:.3f}"
                                 if do_notes else ""),
            flush=True,
        )
    if not rows:
        print("no songs found")
        return 0

    def col(name: str) -> np.ndarray:
        return np.array([r[name] for r in rows], dtype=float)

    n = len(rows)
    print(f"\n## Audio front end on {n} POP909-dev songs rendered by harmonia's synthesizer\n")
    print("| measure | harmonia | target |")
    print("| --- | --- | --- |")
    te = col("tempo_err")
    print(f"| tempo error, median / max (%) | {np.median(te):.2f} / {te.max():.2f} | within 2 % |")
    print(f"| songs with tempo within 2 % | {np.mean(te <= 2):.0%} | |")
    print(f"| beat F-measure, mean (min) | {col('beat_f').mean():.3f} ({col('beat_f').min():.3f}) | >= 0.9 |")
    print(f"| downbeat F-measure, mean | {col('down_f').mean():.3f} | |")
    print(f"| key right (tonic and mode), against key_audio.txt | {col('key_ok').mean():.0%} | >= 80 % |")
    print(f"| key, mir_eval weighted score | {col('key_w').mean():.3f} | |")
    print(f"| key right, against analyzed_key.txt | {col('key_an').mean():.0%} | |")
    print(f"| chords: root / majmin / sevenths (mean, time-weighted per song) | {col('root').mean():.3f} / "
          f"{col('majmin').mean():.3f} / {col('sevenths').mean():.3f} | |")
    nt = int(np.sum(~np.isnan(col("f_piano"))))
    if nt:
        print(f"| note F, onsets (50 ms): piano / melody stem ({nt} songs, first {args.transcribe_sec:.0f} s) | "
              f"{np.nanmean(col('f_piano')):.3f} / {np.nanmean(col('f_melody')):.3f} | |")
        print(f"| note F, onsets and offsets: piano / melody stem | {np.nanmean(col('fo_piano')):.3f} / "
              f"{np.nanmean(col('fo_melody')):.3f} | |")
    sec = col("sec")
    print(f"| symbolic part, seconds per song, mean ± std (warm) | {sec.mean():.2f} ± {sec.std():.2f} | < 10 s |")
    print(f"| first song, with compilation | {warm:.2f} s | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
