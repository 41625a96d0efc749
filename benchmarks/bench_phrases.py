"""Phrase boundaries of Essen folk songs (music21's corpus): harmonia's LBDM peaks against the phrase marks.

The phrase marks are the line breaks of the EsAC-to-ABC conversions (see essen_phrases.py).  Tunes whose
note count in the text differs from music21's parse (ties, grace notes) are left out and counted.
Boundaries are note indices; the first note of a tune is not counted (every tune starts a phrase).
A baseline places a boundary after every rest and every note at least twice as long as the median.
Usage: python benchmarks/bench_phrases.py [--tunes N]   (default 1500)
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import table
from essen_phrases import essen_files, phrase_starts


def prf(found: int, predicted: int, actual: int) -> tuple[float, float, float]:
    p = found / predicted if predicted else 0.0
    r = found / actual if actual else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def rest_and_long_baseline(line: np.ndarray) -> np.ndarray:
    ioi = np.diff(line["onset"])
    rest = line["onset"][1:] - (line["onset"][:-1] + line["duration"][:-1])
    long = line["duration"][:-1] >= 2 * np.median(line["duration"])
    return np.flatnonzero((rest > 1e-9) | long | (ioi >= 2 * np.median(ioi))) + 1


def main() -> int:
    from music21 import converter

    from harmonia.symbolic import from_music21
    from harmonia.theory import phrase

    limit = int(sys.argv[sys.argv.index("--tunes") + 1]) if "--tunes" in sys.argv else 1500
    from collections import Counter

    from harmonia.theory.melody import huron_contour

    counts = {"harmonia": np.zeros(3), "baseline": np.zeros(3)}
    contours: Counter = Counter()
    n_tunes = skipped = 0
    t_total = 0.0
    for path in essen_files():
        if n_tunes >= limit:
            break
        truth_list = phrase_starts(path)
        opus = converter.parse(path)
        for (_, starts, count), stream in zip(truth_list, opus.scores):
            if n_tunes >= limit:
                break
            score = from_music21(stream)
            if score.n_notes != count or count < 8:
                skipped += 1
                continue
            n_tunes += 1
            truth = set(starts[1:])
            pitches = score.notes["pitch"]
            for a, b in zip(starts, [*starts[1:], count]):
                if b - a >= 3:
                    contours[huron_contour(pitches[a:b])] += 1
            line = phrase.melody_line(score)
            bars = score.bar_table()
            row = np.searchsorted(bars["onset"], line["onset"] + 1e-9, side="right") - 1
            position = line["onset"] - bars["onset"][row] + bars["padding"][row]
            t0 = time.perf_counter()
            pred = set(phrase.phrase_starts(score, bar_position_qn=position).tolist()[1:])
            t_total += time.perf_counter() - t0
            base = set(rest_and_long_baseline(phrase.melody_line(score)).tolist())
            counts["harmonia"] += (len(pred & truth), len(pred), len(truth))
            counts["baseline"] += (len(base & truth), len(base), len(truth))
    rows = []
    for name, (found, predicted, actual) in counts.items():
        p, r, f = prf(found, predicted, actual)
        rows.append([name, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"])
    print(f"{n_tunes} Essen tunes ({skipped} left out: note counts differ from the phrase-marked text)\n")
    print(table(["model", "precision", "recall", "F"], rows))
    print(f"\nharmonia: {1000 * t_total / max(n_tunes, 1):.2f} ms per tune (music21 parsing not counted)")
    total = sum(contours.values())
    print(f"\nHuron contour classes of the {total} marked phrases (Huron 1996 found convex first, then descending):")
    print(table(["class", "share"], [[k, f"{100 * v / total:.1f} %"] for k, v in contours.most_common()]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
