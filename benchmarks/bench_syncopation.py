"""Syncopation: harmonia against Gómez et al. (2005) and SynPy on their 16 timelines, then bars per second.

SynPy is not installed here; its values come from ``tests/data/syncopation_reference.json`` (computed with
SynPy by the data's author).  Speed: every model over every bar of the Groove MIDI development subset
(drums quantised to a 16-step 4/4 grid), tiled to one million bars.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import shared_data, table

from harmonia.theory.rhythm import MODELS, syncopation

REF = Path(__file__).resolve().parent.parent / "tests" / "data" / "syncopation_reference.json"


def reference_table() -> str:
    rows = []
    for r in json.loads(REF.read_text())["rhythms"]:
        on, m = r["onsets"], r["meter"]
        h = {k: float(syncopation(on, m, model=k)[0]) for k in MODELS}
        h_tob_s = float(syncopation(on, m, model="tob", reduce_grid=True)[0])
        h_wnbd_s = float(syncopation(on, m, model="wnbd", wnbd_inclusive=True)[0])
        p, s = r["published"], r["synpy"]
        rows.append(
            [
                r["name"],
                f"{s['lhl']} / {h['lhl']:g}",
                f"{s['tmc']} / {h['tmc']:g}",
                f"{p['offbeatness']} / {h['tob']:g}",
                f"{s['tob']} / {h_tob_s:g}",
                f"{p['wnbd']:.3g} / {h['wnbd']:.3g}",
                f"{s['wnbd']:.3g} / {h_wnbd_s:.3g}",
            ]
        )
    return table(
        [
            "rhythm",
            "LHL SynPy/harmonia",
            "TMC SynPy/h",
            "TOB paper/h",
            "TOB SynPy/h (reduce_grid)",
            "WNBD paper/h",
            "WNBD SynPy/h (inclusive)",
        ],
        rows,
    )


def groove_bars() -> np.ndarray | None:
    root = shared_data("groove-dev")
    if root is None:
        return None
    import harmonia

    bars = []
    with open(root / "info.csv") as fh:
        for row in csv.DictReader(fh):
            if row["time_signature"] != "4-4" or not (root / row["midi_filename"]).exists():
                continue
            notes = harmonia.load(root / row["midi_filename"]).notes
            step = np.round(notes["onset"] / 0.25).astype(np.int64)
            n_bars = int(step.max() // 16) + 1
            grid = np.zeros(n_bars * 16, dtype=np.int8)
            grid[step] = 1
            bars.append(grid.reshape(n_bars, 16))
    return np.concatenate(bars) if bars else None


def main() -> None:
    print(reference_table())
    print()
    bars = groove_bars()
    if bars is None:
        print("../shared/data/groove-dev not present: speed measured on random bars")
        bars = (np.random.default_rng(0).random((10_000, 16)) < 0.4).astype(np.int8)
        bars[:, 0] = 1
    n_real = bars.shape[0]
    big = np.tile(bars, (1_000_000 // n_real + 1, 1))[:1_000_000]
    rows = []
    for model in MODELS:
        syncopation(big[:10], "4/4", model=model)  # compile
        t = time.perf_counter()
        syncopation(big, "4/4", model=model)
        dt = time.perf_counter() - t
        rows.append([model, f"{big.shape[0]:,}", f"{dt:.3f} s", f"{big.shape[0] / dt / 1e6:.2f} M"])
    print(f"Groove dev: {n_real} bars of 4/4, tiled to {big.shape[0]:,}")
    print(table(["model", "bars", "time", "bars/s"], rows))


if __name__ == "__main__":
    main()
