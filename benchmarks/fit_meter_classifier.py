"""Fit the duple/triple metre classifier shipped as ``harmonia/theory/data/meter_classifier.json``.

Data: music21's Essen folk songs (``benchmarks/_essen.py``; tunes with one time signature and at least 8
notes), labelled duple (2, 4, 6/8, 12/8, 6/4 ...: an even number of beats) or triple (3/x, 9/8).  The
split is by collection file, so that no tune or variant of a training collection is tested: every third
file in name order (``heldout_files``) is held out and never seen while fitting or choosing the model.
Inputs: standardised :func:`harmonia.theory.meter_detect.classifier_inputs` (autocorrelation, repetition,
length and template features; see ``meter_features``).  Models compared by 3-fold cross-validation over
the training files (grouped by file): L2-regularised logistic regression (Newton's method) and small
one-hidden-layer tanh networks (Adam, fixed seed); the best mean fold accuracy is refitted on every
training file and scored once on the held-out files.

Run ``python benchmarks/fit_meter_classifier.py`` to rebuild the JSON (a few minutes the first time, while
music21 parses the corpus; then cached).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _essen import load_essen

OUT = Path(__file__).resolve().parent.parent / "harmonia" / "theory" / "data" / "meter_classifier.json"
L2 = 1.0


def heldout_files(files: list[str]) -> set[str]:
    """Every third collection file in name order (starting from the third) is held out."""
    names = sorted(set(files))
    return {f for i, f in enumerate(names) if i % 3 == 2}


def tune_inputs(tune: dict) -> tuple[np.ndarray, np.ndarray]:
    """The classifier inputs of one tune, and its note array."""
    from harmonia.theory.meter_detect import CANDIDATES, _template_scores, _unit_candidates, classifier_inputs
    from harmonia.theory.notearray import as_note_array, make_note_array

    on = np.asarray(tune["onset"])
    notes = as_note_array(
        make_note_array(onset=on, duration=np.asarray(tune["duration"]), pitch=np.asarray(tune["pitch"]))
    )
    scored = _template_scores(notes, _unit_candidates(notes["onset"], CANDIDATES))
    return classifier_inputs(notes, scored), notes


def label(ts: str) -> int:
    """1 for triple, 0 for duple."""
    from harmonia.theory.meter_detect import _is_duple

    num, den = (int(x) for x in ts.split("/"))
    return 0 if _is_duple(num, den) else 1


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (intercept not penalised)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    pen = np.full(d + 1, l2)
    pen[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + pen * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(pen)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w[:-1], float(w[-1])


def fit_mlp(x: np.ndarray, y: np.ndarray, hidden: int, l2: float, epochs: int = 60, seed: int = 0) -> dict:
    """One hidden tanh layer, sigmoid output, cross-entropy + L2, Adam with minibatches of 256."""
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    params = [rng.normal(0, 1 / np.sqrt(d), (d, hidden)), np.zeros(hidden), rng.normal(0, 1 / np.sqrt(hidden), hidden),
              np.zeros(1)]  # fmt: skip
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    n = len(y)
    for _ in range(epochs):
        order = rng.permutation(n)
        for s in range(0, n, 256):
            bi = order[s : s + 256]
            xb, yb = x[bi], y[bi]
            h = np.tanh(xb @ params[0] + params[1])
            p = 1.0 / (1.0 + np.exp(-(h @ params[2] + params[3][0])))
            g = (p - yb) / len(bi)
            gh = np.outer(g, params[2]) * (1 - h**2)
            grads = [xb.T @ gh + l2 * params[0], gh.sum(0), h.T @ g + l2 * params[2], np.array([g.sum()])]
            for i, gr in enumerate(grads):
                m1[i] = 0.9 * m1[i] + 0.1 * gr
                m2[i] = 0.999 * m2[i] + 0.001 * gr**2
                params[i] -= 0.01 * m1[i] / (np.sqrt(m2[i]) + 1e-8)
    return {"kind": "mlp", "w1": params[0], "b1": params[1], "w2": params[2], "b2": float(params[3][0])}


def fit(config: dict, x: np.ndarray, y: np.ndarray) -> dict:
    if config["kind"] == "logistic":
        coef, icpt = fit_logistic(x, y, config["l2"])
        return {"kind": "logistic", "coef": coef, "intercept": icpt}
    return fit_mlp(x, y, config["hidden"], config["l2"])


def predict(model: dict, z: np.ndarray) -> np.ndarray:
    """P(triple) for standardised inputs ``z`` (the same arithmetic as harmonia's triple_probability)."""
    if model["kind"] == "logistic":
        logit = z @ np.asarray(model["coef"]) + model["intercept"]
    else:
        logit = np.tanh(z @ np.asarray(model["w1"]) + np.asarray(model["b1"])) @ np.asarray(model["w2"]) + model["b2"]
    return 1.0 / (1.0 + np.exp(-logit))


CONFIGS = (
    {"kind": "logistic", "l2": L2},
    {"kind": "mlp", "hidden": 16, "l2": 1e-2},
    {"kind": "mlp", "hidden": 32, "l2": 1e-2},
)


def dataset(tunes: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([tune_inputs(t)[0] for t in tunes])
    y = np.array([label(t["ts"]) for t in tunes], dtype=np.float64)
    return x, y


def main() -> None:
    from harmonia.theory.meter_detect import feature_names

    tunes = load_essen()
    held = heldout_files([t["file"] for t in tunes])
    train = [t for t in tunes if t["file"] not in held]
    test = [t for t in tunes if t["file"] in held]
    xtr, ytr = dataset(train)
    xte, yte = dataset(test)
    mean, scale = xtr.mean(axis=0), xtr.std(axis=0) + 1e-9
    ztr, zte = (xtr - mean) / scale, (xte - mean) / scale

    # model selection: 3 folds of the training files (grouped by file), never the held-out files
    train_files = sorted({t["file"] for t in train})
    fold_of = {f: i % 3 for i, f in enumerate(train_files)}
    fold = np.array([fold_of[t["file"]] for t in train])
    cv = []
    for config in CONFIGS:
        accs = []
        for k in range(3):
            m = fit(config, ztr[fold != k], ytr[fold != k])
            accs.append(float(np.mean((predict(m, ztr[fold == k]) >= 0.5) == (ytr[fold == k] == 1))))
        cv.append({**config, "fold_accuracy": [round(a, 4) for a in accs], "mean": round(float(np.mean(accs)), 4)})
        print(cv[-1], flush=True)
    best = max(range(len(CONFIGS)), key=lambda i: cv[i]["mean"])
    chosen = fit(CONFIGS[best], ztr, ytr)

    def acc(z, y):
        return float(np.mean((predict(chosen, z) >= 0.5) == (y == 1)))

    names = [*feature_names(), "template_margin"]
    weights = {}
    for k, v in chosen.items():
        weights[k] = (
            np.round(v, 7).tolist() if isinstance(v, np.ndarray) else (round(v, 7) if isinstance(v, float) else v)
        )
    model = {
        "description": "Duple/triple metre classifier on accent autocorrelations (after Toiviainen & Eerola 2006), "
        "repetition, length and template features; z = (x - mean) / scale; logistic: P(triple) = sigmoid(z @ coef + "
        "intercept); mlp: P(triple) = sigmoid(tanh(z @ w1 + b1) @ w2 + b2).",
        "source": "Fitted by benchmarks/fit_meter_classifier.py on music21's Essen folk songs (essenFolksong), "
        "split by collection file; method after P. Toiviainen and T. Eerola, Autocorrelation in meter "
        "induction: the role of accent structure, JASA 119(2), 2006, 1164-1170. "
        "https://doi.org/10.1121/1.2146084",
        "licence": "Coefficients fitted by the harmonia authors from public-domain folk melodies (music21 corpus)",
        "features": names,
        "mean": np.round(mean, 8).tolist(),
        "scale": np.round(scale, 8).tolist(),
        **weights,
        "model_selection": cv,
        "training": {
            "files": train_files,
            "tunes": len(train),
            "triple_share": round(float(ytr.mean()), 4),
            "accuracy": round(acc(ztr, ytr), 4),
        },
        "heldout": {
            "files": sorted(held),
            "tunes": len(test),
            "triple_share": round(float(yte.mean()), 4),
            "accuracy": round(acc(zte, yte), 4),
        },
    }
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(model, indent=1) + "\n")
    tmp.replace(OUT)
    print(json.dumps({k: model[k] for k in ("training", "heldout")}, indent=1))


if __name__ == "__main__":
    main()
