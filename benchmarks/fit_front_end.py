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

- **octave**: around the level the tempo weights choose (``T``) and around the annotated tempo ``R``,
  the pairs (``T/2``, ``T``), (``T``, ``2T``), (``R/2``, ``R``) and (``R``, ``2R``) give
  :func:`harmonia.audio.features.octave_evidence` rows labelled by whether the faster level is the
  annotated beat; a logistic regression (L2 0.1 on standardised features) is fitted on every cached
  training song whose cache also holds a 64-band log-mel spectrogram (``--octave-cache``).

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
        mel = librosa.power_to_db(librosa.feature.melspectrogram(y=x, sr=SR, hop_length=HOP, n_mels=64, fmax=8000))
        np.savez_compressed(f, oenv=oenv.astype(np.float32), chroma=chroma.astype(np.float32),
                            mel=mel.astype(np.float32))
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


def octave_rows(cache_file: Path, weights: np.ndarray) -> tuple[list[np.ndarray], list[int]]:
    """The octave examples of one cached training song (see the module docstring)."""
    from harmonia.audio.features import HOP, octave_context, octave_evidence, octave_levels, tempo_candidates

    d = np.load(cache_file)
    beats = np.loadtxt(DATA / cache_file.stem.split("_")[1] / "beat_midi.txt", ndmin=2)[:, 0]
    ref = 60.0 / float(np.median(np.diff(beats)))
    oenv, chroma = d["oenv"].astype(float), d["chroma"].astype(float)
    tempi, ev, frames = tempo_candidates(oenv, chroma, SR)
    if tempi.size == 0:
        return [], []
    k = int(np.argmax(ev @ weights))
    ctx = octave_context(oenv, chroma, d["mel"].astype(float), SR)
    around_t = octave_levels(ctx, SR, float(tempi[k]), frames[k])
    rows, labels = [], []

    def ok(lv: dict | None) -> bool:
        return lv is not None and abs(lv[0]["bpm"] - ref) / ref < 0.04

    for slow, fast in (("T/2", "T"), ("T", "2T")):
        a, b = around_t[slow], around_t[fast]
        if a is not None and b is not None and (ok(a) or ok(b)):
            rows.append(octave_evidence(ctx, a[0], b[0]))
            labels.append(int(ok(b)))
    import librosa

    _, fr = librosa.beat.beat_track(onset_envelope=oenv, sr=SR, hop_length=HOP, bpm=ref, tightness=400)
    around_r = octave_levels(ctx, SR, ref, np.asarray(fr, dtype=int))
    for (slow, fast), label in ((("T/2", "T"), 1), (("T", "2T"), 0)):
        if around_r[slow] is not None and around_r[fast] is not None:
            rows.append(octave_evidence(ctx, around_r[slow][0], around_r[fast][0]))
            labels.append(label)
    return rows, labels


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 0.1, steps: int = 3000,
                 rate: float = 0.3) -> tuple[np.ndarray, float]:
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.c_[(x - mu) / sd, np.ones(len(x))]
    th = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-z @ th))
        th += rate * (z.T @ (y - p) / len(y) - l2 * np.r_[th[:-1], 0.0])
    coef = th[:-1] / sd
    return coef, float(th[-1] - coef @ mu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=5, help="use every N-th training song")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/harmonia_front_end_cache"))
    parser.add_argument("--octave-cache", type=Path, default=None,
                        help="folder of cached train_*.npz (oenv, chroma, mel) for the octave model; default --cache")
    parser.add_argument("--octave-only", action="store_true",
                        help="keep the model file's tempo weights and key profiles; refit only its octave model")
    parser.add_argument("--dry-run", action="store_true", help="print the model, do not write it")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is not present; nothing fitted")
        return 0
    from harmonia.audio.features import TEMPO_FEATURES, tempo_candidates

    if args.octave_only:
        model = json.loads(OUT.read_text())
        w = np.array([model["tempo"]["weights"][name] for name in TEMPO_FEATURES])
        model["octave"] = fit_octave(args.octave_cache or args.cache, w)
        return write(model, args.dry_run)
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
        "octave": fit_octave(args.octave_cache or args.cache, w),
        "key": {
            "pop909-audio": {
                "major": [round(float(v), 5) for v in profiles[0]],
                "minor": [round(float(v), 5) for v in profiles[1]],
                "songs": {"major": int(counts[0]), "minor": int(counts[1])},
            }
        },
    }
    return write(model, args.dry_run)


def fit_octave(cache: Path, weights: np.ndarray) -> dict:
    from harmonia.audio.features import OCTAVE_FEATURES

    x, y, songs = [], [], 0
    for f in sorted(cache.glob("train_*.npz")):
        if "mel" not in np.load(f).files:
            continue
        r, lab = octave_rows(f, weights)
        x += r
        y += lab
        songs += 1
    coef, bias = fit_logistic(np.array(x), np.array(y, dtype=float))
    print(f"octave model: {len(y)} examples from {songs} songs")
    return {"features": list(OCTAVE_FEATURES), "coef": [round(float(v), 4) for v in coef], "bias": round(bias, 4),
            "threshold": 0.6, "min_sub_beat_share": 0.5, "max_accent": 0.85, "songs": songs, "examples": len(y)}


def write(model: dict, dry_run: bool) -> int:
    text = json.dumps(model, indent=2) + "\n"
    if dry_run:
        print(text)
    else:
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text(text)
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
