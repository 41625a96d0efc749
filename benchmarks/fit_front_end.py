"""Fit the audio front end's beat-level weights and chroma key profiles on POP909's training part.

Every ``--every``-th song of ``../shared/data/pop909-train`` (151 songs with the default 5) is rendered
with harmonia's built-in synthesizer (22.05 kHz, the mix of all tracks); its onset envelope and
tuning-corrected chroma are cached in ``--cache`` (``/tmp/harmonia_front_end_cache``). Then:

- **tempo**: :func:`harmonia.audio.features.tempo_candidates` gives each song's candidate beat levels
  and their evidence; the weights maximise the mean log-probability of the candidate within 4 % of
  the annotated tempo (60 / median interval of ``beat_midi.txt``) under a softmax over the song's
  candidates (gradient ascent, L2 penalty 0.01);
- **key**: the mean chroma of each song, normalised to sum 1 and rotated so the annotated tonic
  (the longest span of ``key_audio.txt``) is 0, averaged over the major and over the minor songs.

Writes ``harmonia/audio/data/front_end_model.json``. The development songs are never read.

Usage: ``python benchmarks/fit_front_end.py [--every 5] [--cache DIR]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "pop909-train"
OUT = ROOT / "harmonia" / "audio" / "data" / "front_end_model.json"
SR = 22050
PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _pc(name: str) -> int:
    return (PC[name[0]] + name[1:].count("#") - name[1:].count("b")) % 12


def features(song: Path, cache: Path) -> dict:
    import librosa

    from harmonia.audio import render
    from harmonia.audio.features import HOP, chromagram, estimate_tuning
    from harmonia.symbolic.midi import load_midi

    f = cache / f"train_{song.name}.npz"
    if not f.exists():
        x = render(load_midi(song / f"{song.name}.mid"), sample_rate=SR, tail_sec=1.0).audio.mean(axis=0)
        oenv = librosa.onset.onset_strength(y=x, sr=SR, hop_length=HOP)
        chroma = chromagram(x, SR, tuning_cents=estimate_tuning(x, SR))
        np.savez_compressed(f, oenv=oenv.astype(np.float32), chroma=chroma.astype(np.float32))
    d = np.load(f)
    return {"oenv": d["oenv"].astype(float), "chroma": d["chroma"].astype(float)}


def fit_softmax(evidence: list[np.ndarray], right: list[np.ndarray], *, steps: int = 3000, rate: float = 0.05,
                l2: float = 0.01) -> np.ndarray:
    w = np.zeros(evidence[0].shape[1])
    pairs = [(x, y) for x, y in zip(evidence, right) if y.any()]
    for _ in range(steps):
        g = np.zeros_like(w)
        for x, y in pairs:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            g += x[y].mean(axis=0) - p @ x
        w += rate * (g / len(pairs) - l2 * w)
    return w


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=5, help="use every N-th training song")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/harmonia_front_end_cache"))
    parser.add_argument("--dry-run", action="store_true", help="print the model, do not write it")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is not present; nothing fitted")
        return 0
    from harmonia.audio.features import TEMPO_FEATURES, tempo_candidates

    args.cache.mkdir(parents=True, exist_ok=True)
    songs = sorted(p for p in DATA.iterdir() if p.is_dir() and (p / f"{p.name}.mid").is_file())[:: args.every]
    evidence, right, hits, profiles, counts = [], [], 0, np.zeros((2, 12)), np.zeros(2)
    t0 = time.perf_counter()
    for song in songs:
        feats = features(song, args.cache)
        beats = np.loadtxt(song / "beat_midi.txt", ndmin=2)[:, 0]
        ref_bpm = 60.0 / float(np.median(np.diff(beats)))
        tempi, ev, _ = tempo_candidates(feats["oenv"], feats["chroma"], SR)
        y = np.abs(tempi - ref_bpm) / ref_bpm < 0.04
        evidence.append(ev)
        right.append(y)
        hits += bool(y.any())
        keys = [r.split() for r in (song / "key_audio.txt").read_text().splitlines() if r.strip()]
        tonic, mode = max(keys, key=lambda r: float(r[1]) - float(r[0]))[2].split(":")
        m = 0 if mode.startswith("maj") else 1
        v = feats["chroma"].mean(axis=1)
        profiles[m] += np.roll(v / v.sum(), -_pc(tonic))
        counts[m] += 1
    w = fit_softmax(evidence, right)
    chosen = [bool(y[int(np.argmax(x @ w))]) for x, y in zip(evidence, right)]
    profiles /= counts[:, None]
    print(f"{len(songs)} songs in {time.perf_counter() - t0:.0f} s; the annotated tempo is a candidate in "
          f"{hits}, chosen in {sum(chosen)} ({np.mean(chosen):.0%}); {int(counts[0])} major, {int(counts[1])} minor")
    model = {
        "description": "Fitted parameters of harmonia.audio.features: beat-level weights (estimate_beats) and "
                       "chroma key profiles (estimate_key). Written by benchmarks/fit_front_end.py.",
        "source": f"POP909 training part (Wang et al., ISMIR 2020), "
                  f"every {args.every}th song, rendered by harmonia's built-in synthesizer",
        "licence": "MIT (POP909)",
        "songs": len(songs),
        "tempo": {
            "weights": {name: round(float(v), 4) for name, v in zip(TEMPO_FEATURES, w)},
            "train_accuracy": round(float(np.mean(chosen)), 4),
        },
        "key": {
            "pop909-audio": {
                "major": [round(float(v), 5) for v in profiles[0]],
                "minor": [round(float(v), 5) for v in profiles[1]],
                "songs": {"major": int(counts[0]), "minor": int(counts[1])},
            }
        },
    }
    text = json.dumps(model, indent=2) + "\n"
    if args.dry_run:
        print(text)
    else:
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text(text)
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
