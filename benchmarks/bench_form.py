"""Song form on POP909 songs not used for fitting: phrase boundaries and labels against two human labelings.

The human labelings (Dai, Zhang & Dannenberg 2020) count bars of the song's own metre (4 quarter notes, 3
in the triple-metre songs 034, 062, 102) from the first bar line of ``melody.txt``; the MIDI files' time
signatures (2/4, 1/4) and bar lines say nothing about them.  Their grid is recovered here from
``melody.txt``: its leading rest (in sixteenths) before the first melody note of the MIDI gives the first
bar line; for the two songs whose ``melody.txt`` starts on a note, that note's onset.  One malformed token
of song 062 (``C86``, labeling 1) is read as ``C8``.  All times are then expressed in these label bars.

harmonia estimates its own bar grid from the notes (``estimate_bar_grid``); its boundaries are mapped to
label bars through the quarter-note time line.

Measures: boundary F (``mir_eval.segment.detection``, window 0.5 bar, first and last boundaries kept as
mir_eval does by default, so the human figure matches the data README) and pairwise frame F
(``mir_eval.segment.pairwise``, frames of 0.1 bar, labels compared as written, case-sensitive, POP909
strings without primes).  Songs: all 34 of ``pop909-dev`` and the held-out tenth of ``pop909-train``
(``train_form.split_songs``); the model (``harmonia/theory/data/form_model.json``) was fitted on the rest of
``pop909-train`` only.  The baseline is Foote novelty with a 4-bar checkerboard on harmonia's bar
self-similarity, peaks above 0.3 of the maximum, at least 2 bars apart.

Usage: python benchmarks/bench_form.py [--per-song] [--dev-only] [--songs 001,002] [--model PATH]
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from _common import shared_data, table


def load_song(folder):
    """Score, the two labelings as (intervals, labels) in label bars, and the label grid (start, bar qn)."""
    from harmonia.symbolic.io import load
    from harmonia.theory.form import parse_pop909

    sid = folder.name
    score = load(folder / f"{sid}.mid")
    meta = {d["song_id"]: d for d in json.loads((folder.parent / "index.json").read_text())}[sid]
    bar_qn = 3.0 if int(meta["num_beats_per_measure"]) == 3 else 4.0
    mel = np.loadtxt(folder / "melody.txt", dtype=int).reshape(-1, 2)
    notes = score.notes
    first_mel = float(notes["onset"][notes["track"] == 0].min())
    lead = mel[0, 1] if mel[0, 0] == 0 else 0
    start = first_mel - lead / 4.0
    refs = []
    for k in (1, 2):
        text = (folder / f"human_label{k}.txt").read_text().strip().replace("C86", "C8")
        tokens = parse_pop909(text)
        lengths = np.array([n for _, n in tokens], dtype=float)
        edges = np.concatenate([[0.0], np.cumsum(lengths)])
        refs.append((np.stack([edges[:-1], edges[1:]], axis=1), [a for a, _ in tokens]))
    return score, refs, (start, bar_qn)


def to_label_bars(form, grid):
    start, bar_qn = grid
    b = form.boundaries_bar
    t = (form.origin_qn + b * form.bar_qn - start) / bar_qn
    return np.stack([t[:-1], t[1:]], axis=1), list(form.sections["label"])


def scores(ref, est):
    import mir_eval

    ref_int, ref_lab = ref
    est_int, est_lab = est
    shift = 64.0  # mir_eval wants times >= 0; harmonia's grid may start before the labels'
    _, _, f_b = mir_eval.segment.detection(ref_int + shift, est_int + shift, window=0.5)
    t0, t1 = float(ref_int[0, 0]), float(ref_int[-1, 1])
    keep = (est_int[:, 1] > t0) & (est_int[:, 0] < t1)
    e_int, e_lab = mir_eval.util.adjust_intervals(
        np.clip(est_int[keep], t0, t1), [lab for lab, k in zip(est_lab, keep) if k], t_min=t0, t_max=t1
    )
    _, _, f_p = mir_eval.segment.pairwise(ref_int, ref_lab, e_int, e_lab, frame_size=0.1)
    return f_b, f_p


def novelty_baseline(form, *, threshold=0.3):
    from harmonia.theory.form import checkerboard_novelty

    nov = checkerboard_novelty(form.ssm, half_bars=4)
    peaks = [b for b in range(1, nov.size - 1) if nov[b] >= nov[b - 1] and nov[b] >= nov[b + 1] and nov[b] >= threshold]
    chosen: list[int] = []
    for b in sorted(peaks, key=lambda b: -nov[b]):
        if all(abs(b - c) >= 2 for c in chosen):
            chosen.append(b)
    b = np.array([0, *sorted(chosen), nov.size - 1])
    return b


def evaluate(songs, data, weights=None):
    from harmonia.theory.form import analyze_form

    rows = []
    for sid in songs:
        score, refs, grid = data[sid]
        form = analyze_form(score, weights=weights)
        est = to_label_bars(form, grid)
        nb = novelty_baseline(form)
        t = (form.origin_qn + nb * form.bar_qn - grid[0]) / grid[1]
        base = (np.stack([t[:-1], t[1:]], axis=1), ["a"] * (t.size - 1))
        r = {"song": sid, "form": form}
        for k, ref in enumerate(refs, 1):
            r[f"h{k}"] = scores(ref, est)
            r[f"b{k}"] = scores(ref, base)
        r["hh"] = scores(refs[0], refs[1])
        rows.append(r)
    return rows


def summary(rows):
    def m(key, i):
        return float(np.mean([r[key][i] for r in rows]))

    return {k: (m(k, 0), m(k, 1)) for k in ("h1", "h2", "b1", "b2", "hh")}


def use_model(path: str) -> None:
    """Analyse with the model file at ``path`` instead of the packaged one (to compare fits)."""
    from harmonia.theory import form as F

    model = json.loads(open(path, encoding="utf-8").read())
    F._model = lambda: model


def held_out_train() -> list:
    """The pop909-train songs that ``train_form.py`` leaves out of fitting (every 10th in sorted order)."""
    from train_form import split_songs

    root = shared_data("pop909-train")
    return [] if root is None else [root / s for s in split_songs(root)[1]]


def main() -> int:
    root = shared_data("pop909-dev")
    if root is None:
        print("../shared/data/pop909-dev is not here; nothing to measure.")
        return 0
    if "--model" in sys.argv:
        use_model(sys.argv[sys.argv.index("--model") + 1])
    sets = {"pop909-dev, all": [p for p in sorted(root.iterdir()) if p.is_dir()]}
    if "--songs" in sys.argv:
        keep = sys.argv[sys.argv.index("--songs") + 1].split(",")
        sets = {"pop909-dev, chosen": [root / s for s in keep]}
    elif "--dev-only" not in sys.argv:
        held = held_out_train()
        if held:
            sets["pop909-train, held out"] = held
    t = time.perf_counter()
    res, n_songs = {}, 0
    for name, folders in sets.items():
        data = {f.name: load_song(f) for f in folders}
        res[name] = evaluate(list(data), data)
        n_songs += len(data)
    elapsed = time.perf_counter() - t
    out = []
    for name, rows in res.items():
        s = summary(rows)
        out.append([f"harmonia, {name}", len(rows), f"{s['h1'][0]:.3f}", f"{s['h2'][0]:.3f}",
                    f"{s['h1'][1]:.3f}", f"{s['h2'][1]:.3f}"])
        out.append([f"novelty baseline, {name}", len(rows), f"{s['b1'][0]:.3f}", f"{s['b2'][0]:.3f}",
                    f"{s['b1'][1]:.3f}", f"{s['b2'][1]:.3f}"])
        out.append([f"labeling 2 vs labeling 1, {name}", len(rows), f"{s['hh'][0]:.3f}", "-",
                    f"{s['hh'][1]:.3f}", "-"])
    print("Song form: boundary F (window 0.5 bar) and pairwise frame F, mean over songs; none of these songs\n"
          "was used to fit the model (benchmarks/train_form.py)\n")
    print(table(["method, songs", "n", "boundary F vs 1", "boundary F vs 2", "pairwise F vs 1", "pairwise F vs 2"],
                out))
    print(f"\n{n_songs} songs loaded and analysed in {elapsed:.1f} s (with the baseline and scoring)\n")
    if "--per-song" in sys.argv:
        per = []
        for rows in res.values():
            for r in rows:
                per.append([r["song"], f"{r['h1'][0]:.2f}", f"{r['h2'][0]:.2f}", f"{r['hh'][0]:.2f}",
                            r["form"].to_pop909(), f"{r['form'].bar_qn:g}"])
        print(table(["song", "bF vs 1", "bF vs 2", "human bF", "harmonia", "bar qn"], per))
    return 0


if __name__ == "__main__":
    sys.exit(main())
