"""Rule-based composition: seconds per three-minute song, self-analysis figures, and generate_song by stage.

Prints Markdown tables:

1. per genre: seconds to compose a three-minute song (median of 3 after a warm-up; target < 1 s);
2. self-analysis averaged over genres x 5 seeds (see harmonia.symbolic.compose.evaluate for each figure);
3. generate_song of a three-minute song, seconds per stage (target < 20 s; must be < 60 s), with the
   mix's loudness and true peak.

Usage: python benchmarks/bench_compose.py [--seeds 5] [--no-generate] [--no-form]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

from harmonia.symbolic.blueprint import blueprint_from_prompt
from harmonia.symbolic.compose import compose
from harmonia.symbolic.compose.evaluate import self_analysis
from harmonia.symbolic.genres import list_genres


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--no-generate", action="store_true")
    ap.add_argument("--no-form", action="store_true")
    args = ap.parse_args()

    t = time.perf_counter()
    compose(blueprint_from_prompt("warm-up", genre="pop", duration=20, seed=0), seed=0)
    print(f"first call (numba kernels load or compile): {time.perf_counter() - t:.2f} s\n")

    rows = []
    figures = []
    for g in list_genres():
        bp = blueprint_from_prompt("a song", genre=g, duration=180, seed=0)
        compose(bp, seed=0)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            compose(bp, seed=0)
            times.append(time.perf_counter() - t)
        per = []
        for s in range(args.seeds):
            bpx = blueprint_from_prompt("a song", genre=g, duration=180, seed=s)
            r = self_analysis(compose(bpx, seed=s), bpx, form=not args.no_form)
            per.append(r)
            figures.append(r)
        rows.append((g, bp.total_bars, statistics.median(times), per))

    print("| genre | bars | compose s (median of 3) | key share | key share (modal) | progression recovered | "
          "blueprint kept | parallels | out of range | section boundaries found |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for g, bars, sec, per in rows:
        def m(k, per=per):
            vals = [r[k] for r in per if r[k] is not None]
            return float(np.mean(vals)) if vals else float("nan")
        print(f"| {g} | {bars} | {sec:.3f} | {m('key_share'):.2f} | {m('key_share_modal'):.2f} | "
              f"{m('progression_recovery'):.2f} | {m('blueprint_kept'):.2f} | {sum(r['parallels'] for r in per)} | "
              f"{sum(r['out_of_range'] for r in per)} | {m('boundary_agreement'):.2f} |")
    secs = [r[2] for r in rows]
    print(f"\ncompose, three-minute song: median {statistics.median(secs):.3f} s, max {max(secs):.3f} s "
          f"over {len(rows)} genres (target < 1 s)\n")

    def mean(k):
        vals = [r[k] for r in figures if r[k] is not None]
        return float(np.mean(vals)) if vals else float("nan")
    print(f"self-analysis over {len(rows)} genres x {args.seeds} seeds (three-minute songs):\n")
    print("| figure | value |")
    print("|---|---|")
    print(f"| key share (planned key, share of analysed chord-span duration) | {mean('key_share'):.3f} |")
    print(f"| key share, modal songs also counting their parent major key | {mean('key_share_modal'):.3f} |")
    print(f"| songs with key share >= 0.95 | {np.mean([r['key_share_modal'] >= 0.95 for r in figures]):.2f} |")
    print(f"| planned chord spans recovered (root and third) | {mean('progression_recovery'):.3f} |")
    print(f"| blueprint chord spans kept by the plan | {mean('blueprint_kept'):.3f} |")
    print(f"| parallel fifths/octaves between harmony voices (total) | {sum(r['parallels'] for r in figures)} |")
    print(f"| notes outside their program's range (total) | {sum(r['out_of_range'] for r in figures)} |")
    print(f"| sections at the planned bars | {np.mean([r['sections_at_bars'] for r in figures]):.2f} |")
    if not args.no_form:
        print(f"| planned section boundaries within 1 bar of a form-analysis boundary | "
              f"{mean('boundary_agreement'):.3f} |")

    if not args.no_generate:
        from harmonia.workflows.generate import generate_song

        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            r = generate_song("upbeat indie rock song about summer", genre="indie-rock", mood="happy", duration=180,
                              seed=1, out_dir=d, progress=False)
            wall = time.perf_counter() - t
        print("\ngenerate_song, three-minute indie-rock song (built-in synthesizer):\n")
        print("| stage | seconds |")
        print("|---|---|")
        for k, v in r["timings"].items():
            print(f"| {k} | {v:.2f} |")
        print(f"| wall (incl. imports and first calls) | {wall:.2f} |")
        print(f"\nmix.wav: {r['loudness_lufs']:.2f} LUFS integrated, true peak {r['true_peak_dbtp']:.2f} dBTP "
              f"(target {r.get('target', 'genre')}); {r['duration_sec']:.1f} s of music")


if __name__ == "__main__":
    main()
