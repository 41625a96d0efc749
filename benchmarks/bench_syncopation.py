"""Syncopation: harmonia against Gómez et al. (2005) and SynPy on their 16 timelines, then bars per second.

SynPy is not installed here; its values come from ``tests/data/syncopation_reference.json`` (computed with
SynPy by the data's author).  Speed: every model over every bar of the Groove MIDI development subset
(drums quantised to a 16-step 4/4 grid) and of 100 Essen tunes (each bar on its metre's sixteenth grid),
tiled to one million bars, beside the plain-Python twins in ``tests/reference/rhythm_reference.py`` on
the untiled bars (same run, so the ratio holds on a busy machine) and SynPy's published per-bar times
(TARGETS.md: 8-37 us per bar, SG 1.7 ms).  First-call compile time is reported apart.
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

from harmonia.theory.meter import beat_period, metric_levels, metric_weights, parse_meter
from harmonia.theory.rhythm import MODELS, WITEK_WEIGHTS, polyphonic_syncopation, syncopation

REF = Path(__file__).resolve().parent.parent / "tests" / "data" / "syncopation_reference.json"


def reference_table() -> str:
    rows = []
    for r in json.loads(REF.read_text())["rhythms"]:
        on, m = r["onsets"], r["meter"]
        h = {k: float(syncopation(on, m, model=k)[0]) for k in MODELS}
        h_tob_s = float(syncopation(on, m, model="tob", reduce_grid=True)[0])
        h_wnbd_s = float(syncopation(on, m, model="wnbd", wnbd_inclusive=True)[0])
        h_prs_s = float(syncopation(on, m, model="prs", prs_open_end=True)[0])
        h_kth_g = float(syncopation(on, m, model="kth", kth_offbeat_count=True)[0])
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
                f"{s['prs']:g} / {h_prs_s:g} ({h['prs']:g})",
                f"{p.get('keith', '-')} / {h_kth_g:g}",
                f"{s['kth'] if s['kth'] is not None else '-'} / {h['kth']:g}",
                f"{s['sg']:.4f} / {h['sg']:.4f}",
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
            "PRS SynPy/h open end (cyclic)",
            "Keith paper/h (offbeat count)",
            "KTH SynPy/h",
            "SG SynPy/h",
        ],
        rows,
    )


def groove_bars() -> tuple[np.ndarray, np.ndarray] | None:
    """Every bar of the 4/4 Groove dev performances: merged onsets (bars, 16) and kit streams (3, bars, 16)."""
    root = shared_data("groove-dev")
    if root is None:
        return None
    import harmonia
    from harmonia.theory.rhythm import drum_streams

    bars, kits = [], []
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
            kits.append(drum_streams(notes)[:, :n_bars])
    return (np.concatenate(bars), np.concatenate(kits, axis=1)) if bars else None


def essen_bars(n_tunes: int = 100) -> dict[str, np.ndarray]:
    """Bars of the first ``n_tunes`` cached Essen tunes, grouped by metre, on sixteenth grids."""
    from _essen import load_essen

    groups: dict[str, list[np.ndarray]] = {}
    for tune in load_essen()[:n_tunes]:
        num, den = (int(x) for x in tune["ts"].split("/"))
        units = sum(parse_meter((num, den))[0])
        bar_qn = num * 4.0 / den
        g = units * max(1, 16 // den)
        on = np.asarray(tune["onset"]) - min(tune["onset"])
        step = np.round(on / bar_qn * g).astype(np.int64)
        n_bars = int(step.max() // g) + 1
        grid = np.zeros(n_bars * g, dtype=np.int8)
        grid[step] = 1
        groups.setdefault(f"{num}/{den}", []).append(grid.reshape(n_bars, g))
    return {m: np.concatenate(v) for m, v in groups.items()}


def python_baseline(model: str, bars: np.ndarray, meter: str) -> float:
    """Seconds per bar of the plain-Python twin of ``model``."""
    from tests.reference import rhythm_reference as ref

    g = bars.shape[1]
    lev = metric_levels(meter, grid=g).tolist()
    lists = bars.tolist()
    fn = {
        "lhl": lambda: ref.lhl(lists, lev),
        "prs": lambda: ref.prs(lists, lev),
        "tmc": lambda: ref.tmc(lists, metric_weights(meter, grid=g).tolist()),
        "tob": lambda: ref.tob(lists),
        "wnbd": lambda: ref.wnbd(lists, beat_period(meter, grid=g), False),
        "kth": lambda: ref.kth(lists, lev),
        "sg": lambda: ref.sg(lists, lev),
    }[model]
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) / len(lists)


def synpy(model: str, rate: float) -> str:
    """Speed-up over SynPy's per-bar times quoted in TARGETS.md (not measured here: SynPy is not installed)."""
    if model == "sg":
        return f"{rate * 1.7e-3:,.0f}x"
    return f"{rate * 8e-6:,.0f}-{rate * 37e-6:,.0f}x"


def speed(name: str, sets: dict[str, np.ndarray]) -> str:
    """Bars/s of each model over ``sets`` ({metre: bars}) tiled to a million bars, beside plain Python."""
    total = sum(b.shape[0] for b in sets.values())
    reps = 1_000_000 // total + 1
    rows = []
    for model in MODELS:
        compile_s = 0.0
        dt = 0.0
        n = 0
        py = []
        for meter, bars in sets.items():
            big = np.ascontiguousarray(np.tile(bars, (reps, 1)))
            t = time.perf_counter()
            syncopation(big[:2], meter, model=model)  # first call: compile or load the cache
            compile_s += time.perf_counter() - t
            runs = []
            for _ in range(3):
                t = time.perf_counter()
                syncopation(big, meter, model=model)
                runs.append(time.perf_counter() - t)
            dt += float(np.median(runs))
            n += big.shape[0]
            sub = np.tile(bars, (2000 // bars.shape[0] + 1, 1))[:2000]
            py.append(python_baseline(model, sub, meter) * sub.shape[0])
        py_rate = 2000 * len(sets) / sum(py)
        rate = n / dt
        rows.append(
            [model, f"{n:,}", f"{rate / 1e6:.1f} M", f"{1e9 / rate:.0f} ns", f"{py_rate / 1e3:.1f} k",
             f"{rate / py_rate:,.0f}x", synpy(model, rate), f"{compile_s:.2f} s"]
        )  # fmt: skip
    return f"{name}: {total:,} bars, tiled to about a million\n" + table(
        ["model", "bars", "harmonia bars/s", "per bar", "Python bars/s", "vs Python",
         "vs SynPy (8-37 us/bar, SG 1.7 ms)", "first call"],
        rows,
    )  # fmt: skip


def witek_speed(kits: np.ndarray) -> str:
    from tests.reference import rhythm_reference as ref

    reps = 1_000_000 // kits.shape[1] + 1
    big = np.ascontiguousarray(np.tile(kits, (1, reps, 1)))
    polyphonic_syncopation(big[:, :2], "4/4")
    t = time.perf_counter()
    polyphonic_syncopation(big, "4/4")
    dt = time.perf_counter() - t
    names = ("kick", "snare", "hihat")
    pair = [[WITEK_WEIGHTS.get((a, b)) for b in names] for a in names]
    rest = [WITEK_WEIGHTS.get((a, None)) for a in names]
    sub = kits[:, :200].tolist()
    t = time.perf_counter()
    ref.witek(sub, metric_levels("4/4", grid=16).tolist(), pair, rest)
    py = 200 / (time.perf_counter() - t)
    rate = big.shape[1] / dt
    return table(
        ["model", "bars", "harmonia bars/s", "Python bars/s", "vs Python"],
        [["witek (kick/snare/hi-hat)", f"{big.shape[1]:,}", f"{rate / 1e6:.1f} M", f"{py / 1e3:.1f} k",
          f"{rate / py:,.0f}x"]],
    )  # fmt: skip


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(reference_table())
    print()
    gb = groove_bars()
    if gb is None:
        print("../shared/data/groove-dev not present: speed measured on random bars")
        bars = (np.random.default_rng(0).random((10_000, 16)) < 0.4).astype(np.int8)
        bars[:, 0] = 1
        kits = None
    else:
        bars, kits = gb
    print(speed("Groove dev (4/4)", {"4/4": bars}))
    print()
    if kits is not None:
        print(witek_speed(kits))
        print()
    try:
        ess = essen_bars(100)
    except Exception as exc:  # music21 corpus missing
        print(f"Essen tunes unavailable ({exc})")
    else:
        print(speed("100 Essen tunes (" + ", ".join(f"{m}: {b.shape[0]}" for m, b in ess.items()) + ")", ess))


if __name__ == "__main__":
    main()
