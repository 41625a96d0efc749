"""Voice leading: cost speed, rule checks on the Bach chorales beside music21, voice separation accuracy.

1. Minimal voice-leading cost of four-voice chord pairs (taxicab, pitch sets): harmonia's batch kernel
   against the pure-Python search over the 24 pairings a user would otherwise write.
2. Every four-part Bach chorale in music21's corpus (parsing excluded for both): harmonia's rule checks
   (all 15 rules) against ``music21.voiceLeading.VoiceLeadingQuartet`` run on the same voice pairs and the
   same onset-to-onset moves (parallelFifth, parallelOctave, parallelUnison, hiddenFifth, hiddenOctave,
   voiceCrossing, voiceOverlap), with the counts side by side and the time ratio; then the count of each
   harmonia rule per chorale (key from the key signature and its mode).
3. Voice separation: the four parts of each chorale merged into one unlabelled track, then separated
   again; share of notes given back to their own part, beside a rank-in-the-chord baseline.

Needs music21's corpus, not ../shared/data.  ``--limit N`` uses the first N chorales; ``--per-chorale``
prints the per-chorale table.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from itertools import permutations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table, timeit


def brute_force_python(a, b):
    return min(sum(abs(x - b[i]) for x, i in zip(a, p)) for p in permutations(range(4)))


def bench_costs() -> list[str]:
    from harmonia.theory.voiceleading import voice_leading_costs

    rng = np.random.default_rng(0)
    n = 2_000_000
    a = rng.integers(36, 84, size=(n, 4)).astype(np.int16)
    b = rng.integers(36, 84, size=(n, 4)).astype(np.int16)
    t0 = time.perf_counter()
    voice_leading_costs(a[:10], b[:10])
    voice_leading_costs(a[:10], b[:10], pitch_classes=True)
    voice_leading_costs(a[:10, :3].astype(np.int64), b[:10])
    compile_s = time.perf_counter() - t0
    fast, fast_sd = timeit(lambda: voice_leading_costs(a, b), repeat=5)
    small = 200_000
    pc, _ = timeit(lambda: voice_leading_costs(a[:small], b[:small], pitch_classes=True), repeat=3)
    a3 = a[:small, :3].astype(np.int64)
    dbl, _ = timeit(lambda: voice_leading_costs(a3, b[:small]), repeat=3)
    n_py = 20_000
    al, bl = a[:n_py].tolist(), b[:n_py].tolist()
    py, _ = timeit(lambda: [brute_force_python(x, y) for x, y in zip(al, bl)], repeat=3, warmup=0)
    check = np.array([brute_force_python(x, y) for x, y in zip(al[:2000], bl[:2000])])
    assert np.array_equal(voice_leading_costs(a[:2000], b[:2000]), check)
    py_rate = n_py / py
    ns = f"{1e9 * fast / n:.1f} ± {1e9 * fast_sd / n:.1f}"
    rows = [
        ["pure Python, 24 pairings", f"{py_rate / 1e6:.3f}", f"{1e9 / py_rate:.0f}", "1"],
        ["harmonia, 4 voices sorted (batch)", f"{n / fast / 1e6:.1f}", ns,
         f"{(n / fast) / py_rate:.0f}"],
        ["harmonia, pitch classes (4 rotations)", f"{small / pc / 1e6:.1f}", f"{1e9 * pc / small:.1f}",
         f"{(small / pc) / py_rate:.0f}"],
        ["harmonia, 3 -> 4 notes with doubling", f"{small / dbl / 1e6:.1f}", f"{1e9 * dbl / small:.1f}",
         f"{(small / dbl) / py_rate:.0f}"],
    ]  # fmt: skip
    return [
        "## Minimal voice-leading cost, four-voice pairs, taxicab (one core)",
        "",
        table(["method", "M pairs/s", "ns/pair", "speed-up"], rows),
        "",
        f"Same answers as the Python search on 2,000 pairs. Kernels compile once in {compile_s:.2f} s (not counted).",
        "",
    ]


def chorale_paths(limit: int | None) -> list[str]:
    from music21 import corpus

    paths = sorted(str(p) for p in corpus.getComposer("bach") if Path(str(p)).name.startswith("bwv"))
    return paths[:limit] if limit else paths


def music21_quartets(grid, spelled_notes):
    """(counts, seconds): music21 quartet checks over every pair and move of the grid."""
    from music21.voiceLeading import VoiceLeadingQuartet

    p = grid.pitch
    k_n, v_n = p.shape
    counts = dict.fromkeys(["P5", "P8", "P1", "P8_or_P1", "hidden_outer", "crossing", "overlap_adjacent"], 0)
    jobs = []
    for k in range(1, k_n):
        for i in range(v_n):
            for j in range(i + 1, v_n):
                if min(p[k - 1, i], p[k, i], p[k - 1, j], p[k, j]) < 0:
                    continue
                if p[k - 1, i] == p[k, i] and p[k - 1, j] == p[k, j]:
                    continue
                n = spelled_notes
                jobs.append((i, j, n[k - 1, i], n[k, i], n[k - 1, j], n[k, j]))
    t = time.perf_counter()
    for i, j, a0, a1, b0, b1 in jobs:
        q = VoiceLeadingQuartet(a0, a1, b0, b1)
        counts["P5"] += q.parallelFifth()
        octave, unison = q.parallelOctave(), q.parallelUnison()
        counts["P8"] += octave
        counts["P1"] += unison
        counts["P8_or_P1"] += octave or unison
        outer = i == 0 and j == v_n - 1
        hidden = q.hiddenFifth() or q.hiddenOctave()
        counts["hidden_outer"] += outer and hidden
        counts["crossing"] += q.voiceCrossing()
        overlap = q.voiceOverlap()
        counts["overlap_adjacent"] += j == i + 1 and overlap
    return counts, time.perf_counter() - t, len(jobs)


def ours_as_music21(grid, findings_strict):
    """harmonia's findings counted the way music21's quartet methods count."""
    p = grid.pitch
    c = dict.fromkeys(["P5", "P8", "P1", "P1<->P8", "P8_or_P1", "hidden_outer", "crossing", "overlap_adjacent"], 0)
    for r in findings_strict:
        rule = r["rule"]
        if rule in ("parallel_fifths", "contrary_fifths"):
            c["P5"] += 1
        elif rule in ("parallel_octaves", "contrary_octaves"):
            u0 = r["pitch_a_from"] == r["pitch_b_from"]
            u1 = r["pitch_a"] == r["pitch_b"]
            c["P1" if (u0 and u1) else ("P8" if not (u0 or u1) else "P1<->P8")] += 1
            c["P8_or_P1"] += 1
        elif rule in ("direct_fifths", "direct_octaves"):
            c["hidden_outer"] += 1
        elif rule == "voice_overlap":
            c["overlap_adjacent"] += 1
    # crossing as music21 counts it: moves (pair, k-1 -> k) with the pair crossed at either onset
    k_n, v_n = p.shape
    for k in range(1, k_n):
        for i in range(v_n):
            for j in range(i + 1, v_n):
                a0, a1, b0, b1 = p[k - 1, i], p[k, i], p[k - 1, j], p[k, j]
                if min(a0, a1, b0, b1) < 0 or (a0 == a1 and b0 == b1):
                    continue
                c["crossing"] += bool(a0 < b0 or a1 < b1)
    return c


def rank_baseline(notes, n_voices):
    """Voice = rank (from the top) of the note among the notes sounding at its onset."""
    out = np.empty(notes.size, dtype=np.int64)
    on, off, pitch = notes["onset"], notes["onset"] + notes["duration"], notes["pitch"]
    for i in range(notes.size):
        sounding = (on <= on[i] + 1e-9) & (off > on[i] + 1e-9)
        higher = np.sum(sounding & (pitch > pitch[i])) + np.sum(
            sounding & (pitch == pitch[i]) & (np.arange(notes.size) < i)
        )
        out[i] = min(higher, n_voices - 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="use only the first N chorales")
    ap.add_argument("--per-chorale", action="store_true", help="print the count of each rule per chorale")
    args = ap.parse_args()
    try:
        import music21  # noqa: F401
    except ImportError:
        print("music21 is not installed: the chorale sections need its corpus.")
        return 0
    import harmonia
    from harmonia.theory.pitch import pitch_name
    from harmonia.theory.vl_rules import RULES, check_voice_leading
    from harmonia.theory.voiceleading import voice_grid
    from harmonia.theory.voices import separate_voices, voice_accuracy
    from harmonia.workflows.voice_leading import score_key_regions

    out = bench_costs()
    print("\n".join(out), flush=True)

    from music21 import note

    m21_total = dict.fromkeys(["P5", "P8", "P1", "P8_or_P1", "hidden_outer", "crossing", "overlap_adjacent"], 0)
    our_total = dict.fromkeys(
        ["P5", "P8", "P1", "P1<->P8", "P8_or_P1", "hidden_outer", "crossing", "overlap_adjacent"], 0
    )
    per_chorale = []
    t_m21 = t_ours = 0.0
    n_checks = 0
    n_chorales = 0
    acc_ours, acc_base, n_notes = 0.0, 0.0, 0
    t_sep = 0.0
    skipped = 0
    rule_totals = dict.fromkeys(RULES, 0)
    for path in chorale_paths(args.limit):
        try:
            score = harmonia.load(path)
        except Exception:  # a corpus file harmonia cannot read is skipped and counted
            skipped += 1
            continue
        if len(score.tracks) != 4 or score.n_notes == 0:
            skipped += 1
            continue
        n_chorales += 1
        key = score_key_regions(score)
        grid = voice_grid(score)
        # harmonia: the full check (grid included) and the strict variant used for the comparison
        bars = score.bar_table()
        t_full, _ = timeit(lambda s=score, k=key, b=bars: check_voice_leading(s.notes, key=k, bars=b), repeat=3)
        t_ours += t_full
        findings = check_voice_leading(score.notes, key=key, bars=bars)
        strict = check_voice_leading(grid, key=None, ranges=None, direct_exempt_step=False)
        counts = {r: int(np.sum(findings["rule"] == r)) for r in RULES}
        for r, c in counts.items():
            rule_totals[r] += c
        per_chorale.append((Path(path).stem, counts))
        ours = ours_as_music21(grid, strict)
        spelled = {}
        for k in range(grid.pitch.shape[0]):
            for v in range(grid.pitch.shape[1]):
                if grid.pitch[k, v] >= 0:
                    name = pitch_name(int(grid.pitch[k, v]), int(grid.spelling[k, v]))
                    spelled[k, v] = note.Note(name.replace("b", "-") if len(name) > 1 else name)
        theirs, secs, jobs = music21_quartets(grid, spelled)
        t_m21 += secs
        n_checks += jobs * 7
        for kk in m21_total:
            m21_total[kk] += theirs[kk]
        for kk in our_total:
            our_total[kk] += ours[kk]
        # voice separation
        notes = score.notes.copy()
        truth = notes["track"].copy()
        notes["track"] = 0
        order = np.lexsort((notes["pitch"], notes["track"], notes["onset"]))
        notes, truth = notes[order], truth[order]
        t = time.perf_counter()
        sep = separate_voices(notes, n_voices=4)
        t_sep += time.perf_counter() - t
        acc_ours += voice_accuracy(sep["voice"], truth) * notes.size
        acc_base += float(np.mean(rank_baseline(notes, 4) == truth)) * notes.size
        n_notes += notes.size

    print(f"## Rule checks on {n_chorales} four-part Bach chorales (music21 corpus; {skipped} other files skipped)\n")
    labels = {
        "P5": "parallel fifths (similar or contrary)",
        "P8_or_P1": "parallel octaves or unisons (similar or contrary)",
        "hidden_outer": "hidden fifths/octaves, outer voices",
        "crossing": "moves with the pair crossed",
        "overlap_adjacent": "voice overlap, adjacent voices",
    }
    rows = []
    for kk, label in labels.items():
        rows.append([label, m21_total[kk], our_total[kk], "yes" if m21_total[kk] == our_total[kk] else "no"])
    print(table(["rule", "music21 VoiceLeadingQuartet", "harmonia", "equal"], rows))
    print(
        f"\nOctaves and unisons split differently: music21's parallelOctave is true on {m21_total['P8']} moves and "
        f"parallelUnison on {m21_total['P1']}; both are true on octaves or unisons reached by contrary motion (the "
        f"simple name of an octave is a unison), so the two add up to more than the {m21_total['P8_or_P1']} moves "
        f"either flags.  harmonia reports each such move once: {our_total['P8']} octave to octave, {our_total['P1']} "
        f"unison to unison, {our_total['P1<->P8']} unison to octave or back."
    )
    speed = t_m21 / t_ours if t_ours else float("nan")
    print(
        f"\nTime for all chorales: music21 {t_m21:.2f} s ({1e6 * t_m21 / max(n_checks, 1):.1f} us per quartet check, "
        f"{n_checks} checks, quartets built from ready Note objects); harmonia {1e3 * t_ours:.1f} ms for all 15 "
        f"rules from the note arrays (grid included, median of 3): **{speed:.0f}x faster**.\n"
    )
    print("### harmonia findings over all chorales (key from the key signature and its mode)\n")
    print(
        table(
            ["rule", "findings", "per chorale"],
            [[r, c, f"{c / max(n_chorales, 1):.2f}"] for r, c in rule_totals.items()],
        )
    )
    if args.per_chorale:
        print("\n### Findings per chorale\n")
        short = [
            r.replace("augmented_or_diminished_leap", "aug/dim_leap").replace("unresolved_", "unres_") for r in RULES
        ]
        print(table(["chorale", *short], [[name, *[c[r] for r in RULES]] for name, c in per_chorale]))
    print(f"\n## Voice separation: {n_chorales} chorales merged into one track, {n_notes} notes\n")
    print(
        table(
            ["method", "notes back in their part"],
            [
                ["rank among the notes sounding at the onset (baseline)", f"{100 * acc_base / max(n_notes, 1):.1f} %"],
                ["harmonia separate_voices (n_voices=4)", f"{100 * acc_ours / max(n_notes, 1):.1f} %"],
            ],
        )
    )
    print(f"\nSeparation time: {1e3 * t_sep / max(n_chorales, 1):.2f} ms per chorale.")
    random.seed(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
