"""Motif discovery on constructed pieces with planted themes, scored with mir_eval.pattern.

Each piece holds three themes (4-8 notes) repeated 3-5 times, transposed and shifted, in a texture of
random notes (about as many as the themes' notes).  The planted occurrences are the ground truth.
Also times discovery on a piano rag of music21's corpus (Joplin, Maple Leaf Rag, 1,489 notes).
Usage: python benchmarks/bench_motif.py [--pieces N]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import table


def planted_piece(rng: np.random.Generator):
    themes, points = [], []
    t0 = 0.0
    for _ in range(3):
        size = int(rng.integers(4, 9))
        steps = np.cumsum(rng.choice([0.5, 1.0], size=size)) - 0.5
        pitches = 60 + np.cumsum(rng.integers(-4, 5, size=size))
        occurrences = []
        for _ in range(int(rng.integers(3, 6))):
            shift = t0 + float(rng.integers(0, 4)) * 0.5
            k = int(rng.integers(-5, 6))
            occ = [(float(shift + s), int(p + k)) for s, p in zip(steps, pitches)]
            occurrences.append(occ)
            points += occ
            t0 = shift + steps[-1] + 2.0
        themes.append(occurrences)
    n_noise = len(points)
    noise = [(float(rng.integers(0, int(t0 * 2)) / 2), int(rng.integers(40, 90))) for _ in range(n_noise)]
    return themes, points + noise


def main() -> int:
    import mir_eval

    from harmonia.theory.motif import discover
    from harmonia.theory.notearray import make_note_array

    n = int(sys.argv[sys.argv.index("--pieces") + 1]) if "--pieces" in sys.argv else 20
    rng = np.random.default_rng(0)
    scores = []
    for _ in range(n):
        themes, points = planted_piece(rng)
        uniq = sorted(set(points))
        notes = make_note_array([t for t, _ in uniq], 0.5, [p for _, p in uniq])
        found = discover(notes, min_size=4, max_patterns=10)
        est = [[[(t, p) for t, p in occ] for occ in pat] for pat in found] or [[[(0.0, 0)]]]
        ref = [[list(occ) for occ in pat] for pat in themes]
        est_f, est_p, est_r = mir_eval.pattern.establishment_FPR(ref, est)  # mir_eval returns F, P, R
        occ_f, occ_p, occ_r = mir_eval.pattern.occurrence_FPR(ref, est, thres=0.75)
        tl_f, tl_p, tl_r = mir_eval.pattern.three_layer_FPR(ref, est)
        scores.append((est_p, est_r, est_f, occ_p, occ_r, occ_f, tl_p, tl_r, tl_f))
    s = np.mean(scores, axis=0)
    print(f"{n} constructed pieces, 3 planted themes each, with as many random notes as theme notes\n")
    print(table(["measure", "precision", "recall", "F"], [
        ["establishment", f"{s[0]:.3f}", f"{s[1]:.3f}", f"{s[2]:.3f}"],
        ["occurrence (c = 0.75)", f"{s[3]:.3f}", f"{s[4]:.3f}", f"{s[5]:.3f}"],
        ["three-layer", f"{s[6]:.3f}", f"{s[7]:.3f}", f"{s[8]:.3f}"],
    ]))
    import harmonia

    rag = harmonia.load("joplin/maple_leaf_rag")
    discover(rag.notes[:50])  # compile
    t = time.perf_counter()
    found = discover(rag)
    print(f"\nJoplin, Maple Leaf Rag ({rag.n_notes} notes): {time.perf_counter() - t:.2f} s, {len(found)} patterns; "
          f"largest: {len(found[0][0])} notes x {len(found[0])} occurrences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
