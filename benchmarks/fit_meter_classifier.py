"""Fit the duple/triple metre classifier shipped as ``harmonia/theory/data/meter_classifier.json``.

Data: music21's Essen folk songs (``benchmarks/_essen.py``; tunes with one time signature and at least 8
notes), labelled duple (2, 4, 6/8, 12/8, 6/4 ...: an even number of beats) or triple (3/x, 9/8).  The
split is by collection file, so that no tune or variant of a training collection is tested: every third
file in name order (``HELDOUT``) is held out and never seen while fitting.  Model: L2-regularised logistic
regression (Newton's method) on standardised :func:`harmonia.theory.meter_detect.classifier_inputs`
(autocorrelation, repetition, length and template features; see ``meter_features``).

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
    coef, icpt = fit_logistic((xtr - mean) / scale, ytr)

    def acc(x, y):
        p = 1.0 / (1.0 + np.exp(-(((x - mean) / scale) @ coef + icpt)))
        return float(np.mean((p >= 0.5) == (y == 1)))

    names = [*feature_names(), "template_margin"]
    model = {
        "description": "Duple/triple metre classifier: logistic regression on accent autocorrelations "
        "(after Toiviainen & Eerola 2006) and the template margin; P(triple) = sigmoid(((x - mean) / scale) "
        "@ coef + intercept).",
        "source": "Fitted by benchmarks/fit_meter_classifier.py on music21's Essen folk songs (essenFolksong), "
        "split by collection file; method after P. Toiviainen and T. Eerola, Autocorrelation in meter "
        "induction: the role of accent structure, JASA 119(2), 2006, 1164-1170. "
        "https://doi.org/10.1121/1.2146084",
        "licence": "Coefficients fitted by the harmonia authors from public-domain folk melodies (music21 corpus)",
        "features": names,
        "l2": L2,
        "mean": np.round(mean, 8).tolist(),
        "scale": np.round(scale, 8).tolist(),
        "coef": np.round(coef, 8).tolist(),
        "intercept": round(icpt, 8),
        "training": {
            "files": sorted({t["file"] for t in train}),
            "tunes": len(train),
            "triple_share": round(float(ytr.mean()), 4),
            "accuracy": round(acc(xtr, ytr), 4),
        },
        "heldout": {
            "files": sorted(held),
            "tunes": len(test),
            "triple_share": round(float(yte.mean()), 4),
            "accuracy": round(acc(xte, yte), 4),
        },
    }
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(model, indent=1) + "\n")
    tmp.replace(OUT)
    print(json.dumps({k: model[k] for k in ("training", "heldout")}, indent=1))


if __name__ == "__main__":
    main()
