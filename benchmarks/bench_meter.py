"""Metre detection accuracy (time signatures stripped) beside the majority-class baseline.

Sets: music21's Essen folk songs (``essenFolksong``, up to ``--essen N`` tunes), POP909 development songs
(``index.json`` gives beats per measure) and the Groove MIDI development subset (``info.csv``).
Duple = 2, 4, 6/8, 12/8 (two or four beats); triple = 3/4, 3/8, 9/8.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import shared_data, table

from harmonia.theory.meter_detect import estimate_meter
from harmonia.theory.notearray import make_note_array


def _duple(num: int, den: int) -> bool:
    beats = num // 3 if (den == 8 and num % 3 == 0 and num > 3) else num
    return beats % 2 == 0


def essen(limit: int):
    from music21 import converter, corpus, meter

    out = []
    for path in corpus.getComposer("essenFolksong"):
        opus = converter.parse(path)
        for sc in getattr(opus, "scores", [opus]):
            tss = list(sc.recurse().getElementsByClass(meter.TimeSignature))
            if len({t.ratioString for t in tss}) != 1:
                continue  # mixed metres: no single answer
            fl = sc.flatten().notes
            on = np.array([float(n.offset) for n in fl])
            du = np.array([max(float(n.quarterLength), 1e-3) for n in fl])
            if on.size < 8:
                continue
            notes = make_note_array(onset=on, duration=du, pitch=np.full(on.size, 60))
            out.append((notes, (tss[0].numerator, tss[0].denominator)))
            if len(out) >= limit:
                return out
    return out


def _midi_notes(path: Path, *, drums_only: bool = False):
    import harmonia

    score = harmonia.load(path)
    return score.notes


def pop909():
    root = shared_data("pop909-dev")
    if root is None:
        return []
    out = []
    for item in json.loads((root / "index.json").read_text()):
        sid = item["song_id"]
        num = int(item["num_beats_per_measure"])
        sub = int(item["num_quavers_per_beat"])
        ts = (num * 3, 8) if sub == 3 else (num, 4)
        out.append((_midi_notes(root / sid / f"{sid}.mid"), ts))
    return out


def groove():
    root = shared_data("groove-dev")
    if root is None:
        return []
    out = []
    with open(root / "info.csv") as fh:
        for row in csv.DictReader(fh):
            num, den = (int(x) for x in row["time_signature"].split("-"))
            p = root / row["midi_filename"]
            if p.exists() and float(row["duration"]) > 4:
                out.append((_midi_notes(p), (num, den)))
    return out


def evaluate(name, items):
    if not items:
        return [name, 0, "-", "-", "-", "-", "-"]
    t = time.perf_counter()
    est = [estimate_meter(n) for n, _ in items]
    dt = time.perf_counter() - t
    truth = [f"{a}/{b}" for _, (a, b) in items]
    exact = np.mean([e["time_signature"] == tr for e, tr in zip(est, truth, strict=True)])
    dup_t = [_duple(a, b) for _, (a, b) in items]
    dup = np.mean([e["duple"] == d for e, d in zip(est, dup_t, strict=True)])
    major_ts = Counter(truth).most_common(1)[0][1] / len(truth)
    major_d = max(np.mean(dup_t), 1 - np.mean(dup_t))
    return [
        name,
        len(items),
        f"{100 * dup:.1f} %",
        f"{100 * major_d:.1f} %",
        f"{100 * exact:.1f} %",
        f"{100 * major_ts:.1f} %",
        f"{1000 * dt / len(items):.1f} ms",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--essen", type=int, default=400, help="number of Essen tunes")
    args = ap.parse_args()
    ess = essen(args.essen)
    rows = [evaluate("Essen (music21)", ess)]
    # 6/4 and 6/2 tunes are counted duple above (two dotted beats) though many are written-out pairs of
    # triple bars: the row below leaves them out rather than relabelling them.
    rows.append(evaluate("Essen without 6/4, 6/2", [it for it in ess if not (it[1][0] == 6 and it[1][1] < 8)]))
    for name, fn in (("POP909 dev", pop909), ("Groove dev", groove)):
        try:
            rows.append(evaluate(name, fn()))
        except Exception as exc:
            rows.append([name, f"failed: {exc}", "-", "-", "-", "-", "-"])
    print(table(["set", "pieces", "duple/triple", "majority", "exact TS", "majority TS", "time/piece"], rows))


if __name__ == "__main__":
    main()
