"""Fit the song-form model on POP909 training songs; write ``harmonia/theory/data/form_model.json``.

Data: ``../shared/data/pop909-train`` (755 songs, two human labelings each, Dai, Zhang & Dannenberg 2020).
Six songs whose labels cannot be laid on the MIDI (328, 506, 624, 746, 786, 843) are left out.  Every
10th song in sorted order (``songs[::10]``) is held out: never used for fitting, reported by
``bench_form.py``.  The 34 ``pop909-dev`` songs are not touched here at all.

Stages (deterministic; a process pool of 2; per-song caches under ``/tmp/harmonia_form_cache``; about 1.5
minutes from a cold cache):

1. **Cache**: load each song, its annotators' bar grid (``bench_form.load_song``) and both labelings.
2. **Features** on the annotators' grid: per-beat downbeat evidence
   (:func:`harmonia.theory.form._beat_evidence`), per-bar-line boundary features and phrase features
   (``_prepare``), the labelled boundaries.
3. **Grid**: the weights of a conditional logit choosing the annotators' downbeat among the beats of a
   bar (maximum likelihood, scipy L-BFGS).
4. **Lengths and end**: the phrase-length prior and bigram (length after length) of the labels, smoothed;
   the end-bar offset that finds the labelled end most often.
5. **Segmentation**: an L2-regularised logistic regression of "a labeling has a boundary here" as the
   starting boundary weights, the log bigram as the starting transition scores; then an averaged,
   loss-augmented structured perceptron (Collins 2002) over the semi-Markov dynamic programme, ten passes
   over both labelings of every fitting song.
6. **Scalars and letters**: on every third fitting song analysed as at run time (estimated grid), a
   grid search of the boundary-score scale and the phrase cost, then the recurrence scale, for the best
   mean boundary F; the same-letter threshold for the best mean pairwise F.

Usage: python benchmarks/train_form.py [--stage all|cache] [--jobs 2] [--out PATH]
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from _common import shared_data

CACHE = Path("/tmp/harmonia_form_cache")
EXCLUDED = {"328", "506", "624", "746", "786", "843"}
MODEL_PATH = Path(__file__).resolve().parent.parent / "harmonia" / "theory" / "data" / "form_model.json"


def split_songs(root: Path) -> tuple[list[str], list[str]]:
    """(fitting songs, held-out songs): every 10th usable song in sorted order is held out."""
    songs = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in EXCLUDED)
    held = songs[::10]
    return [s for s in songs if s not in set(held)], held


def _cache_one(args: tuple[str, str]) -> str | None:
    folder, sid = args
    path = CACHE / f"{sid}.pkl"
    if path.exists():
        return sid
    from bench_form import load_song

    try:
        score, refs, grid = load_song(Path(folder) / sid)
    except ValueError as err:  # a malformed label string: leave the song out, say so
        print(f"{sid}: {err}", file=sys.stderr)
        return None
    names = [getattr(t, "name", "").strip().lower() for t in score.tracks]
    mt = names.index("melody") if "melody" in names else None
    data = {"notes": score.notes, "melody_track": mt, "refs": refs, "grid": grid}
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(data))
    os.replace(tmp, path)
    return sid


def load_cached(root: Path, songs: list[str], jobs: int) -> dict[str, dict]:
    """Notes, melody track, labelings and label grid per song (built once, then read from /tmp)."""
    CACHE.mkdir(exist_ok=True)
    todo = [(str(root), s) for s in songs if not (CACHE / f"{s}.pkl").exists()]
    if todo:
        with Pool(jobs) as pool:
            list(pool.imap_unordered(_cache_one, todo, chunksize=4))
    out = {}
    for s in songs:
        p = CACHE / f"{s}.pkl"
        if p.exists():
            out[s] = pickle.loads(p.read_bytes())
    return out


# ------------------------------------------------------------------------------------------- stage 2-3


def _true_phase(b0: float, start: float, L: int) -> int | None:
    """The annotators' downbeat as a beat index mod L from ``b0``; None when the beat phase disagrees."""
    k = start - b0
    if abs(k - round(k)) > 0.2:
        return None
    return int(round(k)) % L


def _label_targets(refs, n: int) -> np.ndarray:
    """``(n + 1, 2)``: 1 where labeling 1 / 2 puts a boundary on bar line b of the annotators' grid."""
    y = np.zeros((n + 1, 2))
    for k, (intervals, _) in enumerate(refs):
        edges = np.concatenate([intervals[:, 0], intervals[-1:, 1]]).round().astype(int)
        edges = edges[(edges >= 0) & (edges <= n)]
        y[edges, k] = 1.0
    return y


def _features_one(sid: str) -> dict:
    """Grid evidence, boundary and phrase features on the annotators' grid for one cached song."""
    from harmonia.theory import form as F

    d = pickle.loads((CACHE / f"{sid}.pkl").read_bytes())
    arr, mt = F.as_note_array(d["notes"]), d["melody_track"]
    start, bar_qn = d["grid"]
    b0, ev = F._beat_evidence(arr, beat_qn=1.0, melody_track=mt)
    L = int(round(bar_qn))
    prep = F._prepare(arr, arr, mt, start, bar_qn, None)
    golds = []
    for intervals, _ in d["refs"]:
        edges = np.concatenate([intervals[:, 0], intervals[-1:, 1]]).round().astype(int)
        golds.append(edges[edges <= prep["n"]])
    return {"sid": sid, "ev": ev, "L": L, "phase": _true_phase(b0, start, L), "X": prep["X"], "span": prep["span"],
            "golds": golds, "n": prep["n"], "last": (float(arr["onset"].max()) - start) / bar_qn,
            "y": _label_targets(d["refs"], prep["n"])}


def _cached_features(songs: list[str], jobs: int) -> list[dict]:
    """:func:`_features_one` for each song, kept in /tmp under a hash of form.py (recomputed when it changes)."""
    import hashlib

    from harmonia.theory import form as F

    key = hashlib.sha1(Path(F.__file__).read_bytes()).hexdigest()[:12]
    path = CACHE / f"features-{key}-{len(songs)}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    with Pool(jobs) as pool:
        rows = pool.map(_features_one, songs, chunksize=8)
    path.write_bytes(pickle.dumps(rows))
    return rows


def fit_grid(rows: list[dict], l2: float = 1.0) -> np.ndarray:
    """Conditional-logit weights choosing the annotators' downbeat among the L beats of a bar."""
    from scipy.optimize import minimize

    from harmonia.theory import form as F

    Zs, ts = [], []
    for r in rows:
        if r["phase"] is None:
            continue
        ev, L = r["ev"], r["L"]
        Zs.append(np.stack([ev[k::L].mean(axis=0) - ev.mean(axis=0) for k in range(L)]))
        ts.append(r["phase"])

    def loss(w):
        f, g = l2 * w @ w, 2 * l2 * w
        for Z, t in zip(Zs, ts):
            s = Z @ w
            s = s - s.max()
            p = np.exp(s) / np.exp(s).sum()
            f -= s[t] - np.log(np.exp(s).sum())
            g -= Z[t] - p @ Z
        return f / len(Zs), g / len(Zs)

    w0 = np.zeros(len(F.BEAT_EVIDENCE))
    w0[:3] = [1.0, 1.0, 0.5]
    res = minimize(loss, w0, jac=True, method="L-BFGS-B")
    acc = np.mean([np.argmax(Z @ res.x) == t for Z, t in zip(Zs, ts)])
    acc0 = np.mean([np.argmax(Z @ w0) == t for Z, t in zip(Zs, ts)])
    print(f"grid: downbeat right on {acc:.3f} of {len(Zs)} fitting songs (hand-set weights {acc0:.3f})")
    return res.x


def fit_boundaries(rows: list[dict], l2: float = 1e-3) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression of the share of labelings with a boundary at each bar line."""
    from scipy.optimize import minimize

    X = np.concatenate([r["X"][1 : r["n"]] for r in rows])  # bar lines inside the song
    y = np.concatenate([r["y"][1 : r["n"]].mean(axis=1) for r in rows])
    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    Z = np.hstack([(X - mu) / sd, np.ones((X.shape[0], 1))])

    def loss(w):
        z = Z @ w
        p = 1.0 / (1.0 + np.exp(-z))
        f = np.mean(np.logaddexp(0.0, z) - y * z) + l2 * w[:-1] @ w[:-1]
        g = Z.T @ (p - y) / y.size
        g[:-1] += 2 * l2 * w[:-1]
        return f, g

    res = minimize(loss, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B")
    coef = res.x[:-1] / sd
    intercept = float(res.x[-1] - coef @ mu)
    print(f"boundaries: {y.size} bar lines, {y.mean():.3f} boundary share, log loss {res.fun:.4f}")
    return coef, intercept


def fit_lengths(data: dict[str, dict], songs: list[str], max_len: int = 16, beta: float = 4.0):
    """Phrase-length prior and bigram (row: previous length, 0 for the first phrase), add-one smoothed."""
    uni = np.ones(max_len + 1)
    uni[0] = 0.0
    pair = np.zeros((max_len + 1, max_len + 1))
    for s in songs:
        for intervals, _ in data[s]["refs"]:
            lengths = np.round(intervals[:, 1] - intervals[:, 0]).astype(int)
            prev = 0
            for L in lengths:
                if 1 <= L <= max_len:
                    uni[L] += 1
                    if prev <= max_len:
                        pair[prev, L] += 1
                prev = L
    uni /= uni.sum()
    big = (pair + beta * uni[None, :]) / (pair.sum(axis=1, keepdims=True) + beta)
    big[:, 0] = 0.0
    return uni, big


def fit_end_offset(rows: list[dict]) -> float:
    """The offset t such that floor(last onset in bars + t) is the labelled end most often."""
    cands = np.round(np.arange(0.0, 0.51, 0.05), 2)
    hits = [np.mean([np.floor(r["last"] + t) == g[-1] for r in rows for g in r["golds"]]) for t in cands]
    k = int(np.argmax(hits))
    print(f"end: offset {cands[k]}, labelled end found in {hits[k]:.3f} of the labelings")
    return float(cands[k])


def _phi(bounds: np.ndarray, Xs: np.ndarray, G: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features of a segmentation: boundary features summed over inner boundaries, length-pair counts,
    phrase features summed over phrases."""
    fb = Xs[bounds[1:-1]].sum(axis=0)
    T = np.zeros((m + 1, m + 1))
    fs = np.zeros(G.shape[0])
    prev = 0
    for s, e in itertools.pairwise(bounds):
        L = min(int(e - s), m)
        T[prev, L] += 1
        if e - s <= m:
            fs += G[:, s, L]
        prev = L
    return fb, T, fs


def perceptron(rows: list[dict], coef0: np.ndarray, trans0: np.ndarray, *, epochs: int = 10, lr: float = 0.1,
               margin: float = 0.5, seed: int = 0):
    """Averaged structured perceptron over the semi-Markov segmentation (Collins 2002), loss-augmented.

    Each step decodes a song with the current weights plus ``margin`` on every bar line that is not a
    human boundary (minus on those that are), against one labeling (alternating by epoch), and moves the
    weights towards the human segmentation's features and away from the decoded one's.  Returns the
    averaged boundary weights (on standardised features), transition scores and phrase-feature weights.
    """
    from harmonia.theory import form as F

    m = trans0.shape[0] - 1
    X = np.concatenate([r["X"][1 : r["n"]] for r in rows])
    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    cases = []
    for r in rows:
        Xs = (r["X"] - mu) / sd
        for g in r["golds"]:
            end = int(g[-1])
            if end < 2 or end > r["n"]:
                continue
            cases.append((Xs[: end + 1], r["span"][:, : end + 1, : m + 1], g))
    wb = coef0 * sd
    T = trans0.copy()
    T[:, 0] = 0.0
    ws = np.zeros(rows[0]["span"].shape[0])
    ws[0] = 0.5
    acc = [np.zeros_like(wb), np.zeros_like(T), np.zeros_like(ws)]
    rng = np.random.default_rng(seed)
    steps = 0
    for ep in range(epochs):
        wrong = 0
        order = rng.permutation(len(cases))
        for i in order:
            Xs, G, g = cases[i]
            aug = np.full(Xs.shape[0], margin)
            aug[g] = -margin
            cue = Xs @ wb + aug
            trans = T.copy()
            trans[:, 0] = -np.inf
            span = np.tensordot(ws, G, axes=1)
            pred = F._segment_dp_bigram(cue, np.ascontiguousarray(trans), np.ascontiguousarray(span))
            if not (pred.size == g.size and np.array_equal(pred, g)):
                wrong += 1
                gb, gT, gs = _phi(g, Xs, G, m)
                pb, pT, ps = _phi(pred, Xs, G, m)
                wb += lr * (gb - pb)
                T += lr * (gT - pT)
                ws += lr * (gs - ps)
            steps += 1
            acc[0] += wb
            acc[1] += T
            acc[2] += ws
        print(f"perceptron: epoch {ep + 1}, {wrong} of {len(cases)} segmentations wrong")
    wb, T, ws = (a / steps for a in acc)
    return wb / sd, -(wb / sd) @ mu, T, ws


# ------------------------------------------------------------------------------------------- stage 5-6


def _prepare_est(args: tuple[str, list[float]]) -> dict:
    """The song analysed as at run time (estimated grid with the fitted downbeat weights)."""
    from harmonia.theory import form as F

    sid, wgrid = args
    d = pickle.loads((CACHE / f"{sid}.pkl").read_bytes())
    arr, mt = F.as_note_array(d["notes"]), d["melody_track"]
    o, b = F._grid(arr, mt, 1.0, None, np.asarray(wgrid))
    prep = F._prepare(arr, arr, mt, o, b, None)
    prep["feats"] = {}
    return {"sid": sid, "prep": prep, "refs": d["refs"], "grid": d["grid"]}


def _label_bars(prep: dict, bounds: np.ndarray, grid) -> np.ndarray:
    start, bar_qn = grid
    t = (prep["origin_qn"] + np.asarray(bounds) * prep["bar_qn"] - start) / bar_qn
    return np.stack([t[:-1], t[1:]], axis=1)


def boundary_f(songs: list[dict], model: dict, w: dict | None = None) -> float:
    """Mean boundary F (window 0.5 bar) against both labelings, songs analysed as at run time."""
    import mir_eval

    from harmonia.theory import form as F

    fs = []
    for s in songs:
        bounds, _ = F._segment(s["prep"], w or model["dp"], model)
        est = _label_bars(s["prep"], bounds, s["grid"]) + 64.0
        for ref, _ in s["refs"]:
            fs.append(mir_eval.segment.detection(ref + 64.0, est, window=0.5)[2])
    return float(np.mean(fs))


def search_dp(songs: list[dict], model: dict) -> dict:
    """Coordinate search of the segmentation scalars (:data:`harmonia.theory.form.WEIGHT_NAMES`) on top of
    the perceptron's weights, maximising mean boundary F (the perceptron fits whole segmentations, not F:
    left alone it cuts about 40 % more phrases than the annotators)."""
    from harmonia.theory import form as F

    w = dict(F._NEUTRAL_WEIGHTS)
    best = boundary_f(songs, model, w)
    print(f"dp: perceptron alone F {best:.4f}")
    # the score is scale-free, so "prior" stays 1: a joint grid of cue scale and phrase cost, then support
    for cue, cost in itertools.product([0.25, 0.5, 0.75, 1.0, 1.5], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0]):
        trial = {**w, "cue": cue, "phrase_cost": cost}
        f = boundary_f(songs, model, trial)
        if f > best + 1e-4:
            best, w = f, trial
    print(f"dp: cue {w['cue']}, phrase cost {w['phrase_cost']}  F {best:.4f}")
    for v in (0.0, 0.5, 1.5, 2.0, 3.0):
        trial = {**w, "support": v}
        f = boundary_f(songs, model, trial)
        if f > best + 1e-4:
            best, w = f, trial
    print(f"dp: support {w['support']}  F {best:.4f}")
    return w


def search_letters(songs: list[dict], model: dict) -> dict:
    """Letter thresholds maximising mean pairwise F (frames of 0.1 bar) given the fitted segmentation."""
    import mir_eval

    from harmonia.theory import form as F

    cases = []
    for s in songs:
        prep = s["prep"]
        bounds, _ = F._segment(prep, model["dp"], model)
        spans = [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
        melodic = np.array([prep["pres"][a:b].mean() >= 0.5 for a, b in spans])
        cases.append((s, spans, melodic, _label_bars(prep, bounds, s["grid"])))

    def pairwise(same: float) -> float:
        fs = []
        for s, spans, melodic, est in cases:
            _, labels, _ = F._letters(spans, s["prep"]["ssm"], melodic, same, 1.0)
            for ref, ref_lab in s["refs"]:
                t0, t1 = float(ref[0, 0]), float(ref[-1, 1])
                keep = (est[:, 1] > t0) & (est[:, 0] < t1)
                e_int, e_lab = mir_eval.util.adjust_intervals(
                    np.clip(est[keep], t0, t1), [lab for lab, k in zip(labels, keep) if k], t_min=t0, t_max=t1)
                fs.append(mir_eval.segment.pairwise(ref, ref_lab, e_int, e_lab, frame_size=0.1)[2])
        return float(np.mean(fs))

    scored = {v: pairwise(v) for v in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.78)}
    same = max(scored, key=scored.get)
    print("letters: pairwise F by threshold " + ", ".join(f"{k}: {v:.4f}" for k, v in scored.items()))
    # the prime (variation) marks matches between `same` and this; it does not change the POP909 labels
    return {"same": same, "variation": round(min(1.0, same + 0.12), 2)}


def main() -> int:
    root = shared_data("pop909-train")
    if root is None:
        print("../shared/data/pop909-train is not here; nothing to fit.")
        return 0
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 2
    stage = sys.argv[sys.argv.index("--stage") + 1] if "--stage" in sys.argv else "all"
    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else MODEL_PATH
    fit, held = split_songs(root)
    t_all = t0 = time.perf_counter()
    data = load_cached(root, fit + held, jobs)
    fit = [s for s in fit if s in data]
    print(f"cache: {len(data)} songs in {time.perf_counter() - t0:.0f} s ({len(fit)} fitting, {len(held)} held out)")
    if stage == "cache":
        return 0
    t0 = time.perf_counter()
    rows = _cached_features(fit, jobs)
    print(f"features: {time.perf_counter() - t0:.0f} s")
    wgrid = fit_grid(rows)
    coef, _ = fit_boundaries(rows)
    uni, big = fit_lengths(data, fit)
    end_offset = fit_end_offset(rows)
    model = {
        "grid": {"features": [], "weights": wgrid.tolist()},
        "end_offset": end_offset,
        "segmentation": {},
        "lengths": {"prior": {str(L): float(uni[L]) for L in range(1, uni.size)}, "bigram": big.tolist()},
        "letters": {"same": 0.78, "variation": 0.9},
    }
    tune = fit[::3][:240]  # every third fitting song: the set for choosing the perceptron's step and margin
    t0 = time.perf_counter()
    with Pool(jobs) as pool:
        songs = pool.map(_prepare_est, [(s, wgrid.tolist()) for s in tune], chunksize=8)
    print(f"estimated-grid analyses: {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    with np.errstate(divide="ignore"):
        trans0 = np.log(big)
    wb, _, T, ws = perceptron(rows, coef, trans0, lr=STEP, margin=MARGIN)
    model["segmentation"] = {"coef": wb.tolist(), "transition": T.tolist(), "span_weights": ws.tolist(),
                             "step_margin": [STEP, MARGIN]}
    model["dp"] = search_dp(songs, model)
    model["letters"] = search_letters(songs, model)
    print(f"perceptron and search: {time.perf_counter() - t0:.0f} s")
    write_model(model, out, fit, held, tune, time.perf_counter() - t_all)
    return 0


STEP, MARGIN = 0.05, 1.0


def write_model(model: dict, path: Path, fit: list[str], held: list[str], tune: list[str], seconds: float) -> None:
    """The model file with its provenance (schema: ``form_model.schema.json``)."""
    from harmonia.theory import form as F

    doc = {
        "schema": "form_model.schema.json",
        "description": "Fitted parameters of harmonia.theory.form: downbeat weights; boundary, phrase-length "
                       "transition and phrase weights of the segmentation (structured perceptron); its scalars; "
                       "the phrase-length prior and bigram; the end-bar offset; the letter threshold.",
        "source": "POP909 (Wang et al., ISMIR 2020, doi:10.5281/zenodo.4245496) with the structure labels of "
                  "Dai, Zhang & Dannenberg (2020, doi:10.48550/arXiv.2010.07518)",
        "licence": "MIT (both data sets); the fitted numbers are harmonia's",
        "made_by": "benchmarks/train_form.py",
        "training": {
            "fitting_songs": len(fit),
            "held_out": "every 10th usable pop909-train song in sorted order, " + f"{len(held)} songs, first "
                        + ", ".join(held[:3]) + "; pop909-dev not used",
            "search_songs": len(tune),
            "excluded": sorted(EXCLUDED),
            "seconds": round(seconds),
        },
        **model,
    }
    doc["grid"]["features"] = list(F.BEAT_EVIDENCE)
    seg = model["segmentation"]
    doc["segmentation"] = {"boundary_features": list(F.BOUNDARY_FEATURES), "coef": seg["coef"],
                           "transition": [[max(v, -1e6) for v in row] for row in seg["transition"]],
                           "span_features": list(F.SPAN_FEATURES), "span_weights": seg["span_weights"],
                           "step_margin": seg["step_margin"]}
    rounded = json.loads(json.dumps(doc), parse_float=lambda x: round(float(x), 6))
    path.write_text(json.dumps(rounded, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
