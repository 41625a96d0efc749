"""Harmonic analysis of Bach chorales against the expert analyses shipped with music21.

For each of music21's 20 Riemenschneider analyses (see chorale_truth.py), per quarter-note frame:

* local key: tonic and mode equal to the analysis' key;
* chord: realized pitch-class set and bass pitch class equal;
* full numeral: key and chord both right;
* cadences: recall at the soprano's fermatas, precision of reported cadences against the fermatas.

The music21 baseline is the one a user would write: ``chordify``, ``analyze("key")`` and
``roman.romanNumeralFromChord``. Both run on the same frames in the same run.

Usage: python benchmarks/bench_analysis.py [--speed]   (--speed: also time every chorale in music21's corpus)
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import table
from chorale_truth import FRAME_DTYPE, MIN_BASS_AGREEMENT, analysis_paths, load_truth, mask_of


def music21_baseline(work: str, frames_qn: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The music21 analysis sampled at ``frames_qn``, with its parse and analysis times (s)."""
    from music21 import corpus, roman

    t0 = time.perf_counter()
    stream = corpus.parse(work, forceSource=True)
    t1 = time.perf_counter()
    key = stream.analyze("key")
    chords = stream.chordify().flatten().notes
    starts = np.array([float(c.offset) for c in chords])
    out = np.zeros(frames_qn.size, dtype=FRAME_DTYPE)
    out["onset"] = frames_qn
    cache = {}
    for i, t in enumerate(frames_qn):
        k = int(np.searchsorted(starts, t + 1e-9, side="right") - 1)
        if k < 0:
            out["bass_pc"][i] = -1
            continue
        if k not in cache:
            rn = roman.romanNumeralFromChord(chords[k], key)
            cache[k] = (mask_of(p.pitchClass for p in rn.pitches), rn.bass().pitchClass)
        out["chord_mask"][i], out["bass_pc"][i] = cache[k]
    out["tonic_pc"] = key.tonic.pitchClass
    out["minor"] = key.mode == "minor"
    return out, t1 - t0, time.perf_counter() - t1


def harmonia_frames(analysis, frames_qn: np.ndarray) -> np.ndarray:
    """harmonia's analysis sampled at ``frames_qn`` (chords table: onset, key tonic/mode, pc mask, bass)."""
    chords = analysis.chords
    starts = chords["onset"]
    out = np.zeros(frames_qn.size, dtype=FRAME_DTYPE)
    out["onset"] = frames_qn
    k = np.clip(np.searchsorted(starts, frames_qn + 1e-9, side="right") - 1, 0, None)
    out["tonic_pc"] = (chords["key_tonic_fifths"][k].astype(int) * 7) % 12
    out["minor"] = chords["key_mode"][k] == 1
    out["chord_mask"] = chords["pc_mask"][k]
    out["bass_pc"] = chords["bass_pc"][k]
    return out


def scores(truth: np.ndarray, pred: np.ndarray) -> tuple[int, int, int]:
    key = (truth["tonic_pc"] == pred["tonic_pc"]) & (truth["minor"] == pred["minor"])
    chord = (truth["chord_mask"] == pred["chord_mask"]) & (truth["bass_pc"] == pred["bass_pc"])
    return int(key.sum()), int(chord.sum()), int((key & chord).sum())


def cadence_scores(fermatas: np.ndarray, cadence_onsets: np.ndarray, tolerance_qn: float = 1.0):
    """(fermatas found, cadences reported, cadences at a fermata)."""
    if cadence_onsets.size == 0:
        return 0, 0, 0
    found = sum(bool(np.any(np.abs(cadence_onsets - f) <= tolerance_qn)) for f in fermatas)
    hits = sum(bool(np.any(np.abs(fermatas - c) <= tolerance_qn)) for c in cadence_onsets)
    return found, int(cadence_onsets.size), hits


def main() -> int:
    import harmonia

    analyze = getattr(harmonia, "analyze", None)
    if analyze is not None:  # numba compiles (or loads its cache) on the first call: keep that out of the timing
        t0 = time.perf_counter()
        analyze("bach/bwv66.6")
        print(f"first call (imports, numba cache): {time.perf_counter() - t0:.2f} s\n")
    rows = []
    total = {"frames": 0, "m21": np.zeros(3), "h": np.zeros(3), "cad": np.zeros(4),
             "m21_parse": 0.0, "m21_t": 0.0, "h_parse": 0.0, "h_t": 0.0}
    excluded = []
    for path in analysis_paths():
        truth = load_truth(path)
        if truth.bass_agreement < MIN_BASS_AGREEMENT:
            share = 100 * truth.bass_agreement
            excluded.append(f"{truth.analysis} ({truth.work}: analysed bass sounds on {share:.0f} % of frames)")
            continue
        fq = truth.frames["onset"]
        base, parse_s, analysis_s = music21_baseline(truth.work, fq)
        total["m21_parse"] += parse_s
        total["m21_t"] += analysis_s
        b = scores(truth.frames, base)
        total["m21"] += b
        n = fq.size
        total["frames"] += n
        row = [truth.analysis.replace(".rntxt", ""), truth.work, n, *(f"{100 * x / n:.0f}" for x in b)]
        if analyze is not None:
            t0 = time.perf_counter()
            score = harmonia.load(truth.work)
            t1 = time.perf_counter()
            result = analyze(score)
            total["h_parse"] += t1 - t0
            total["h_t"] += time.perf_counter() - t1
            h = scores(truth.frames, harmonia_frames(result, fq))
            total["h"] += h
            cad = cadence_scores(truth.fermatas_qn, result.cadences["onset"])
            total["cad"] += (*cad, truth.fermatas_qn.size)
            row += [f"{100 * x / n:.0f}" for x in h] + [f"{cad[0]}/{truth.fermatas_qn.size}"]
        rows.append(row)
    headers = ["analysis", "score", "frames", "m21 key %", "m21 chord %", "m21 numeral %"]
    if analyze is not None:
        headers += ["harmonia key %", "harmonia chord %", "harmonia numeral %", "fermatas found"]
    n = total["frames"]
    summary = ["**all**", "", n, *(f"**{100 * x / n:.1f}**" for x in total["m21"])]
    if analyze is not None:
        found, reported, hits, fermatas = total["cad"]
        summary += [*(f"**{100 * x / n:.1f}**" for x in total["h"]), f"**{int(found)}/{int(fermatas)}**"]
    rows.append(summary)
    print(table(headers, rows))
    if excluded:
        print("\nLeft out (the analysis describes another edition than music21's):", "; ".join(excluded))
    if analyze is None:
        print("\nharmonia.analyze is not available yet: only the music21 baseline was measured.")
        return 0
    found, reported, hits, fermatas = total["cad"]
    print(f"\nCadences: recall at fermatas {100 * found / fermatas:.1f} % ({int(found)}/{int(fermatas)}), "
          f"precision against fermatas {100 * hits / max(reported, 1):.1f} % ({int(hits)}/{int(reported)}).")
    n_pieces = len(rows) - 1
    print("\n" + table(
        ["per chorale (ms)", "harmonia", "music21 baseline", "ratio"],
        [
            ["parse the file", f"{1000 * total['h_parse'] / n_pieces:.1f}",
             f"{1000 * total['m21_parse'] / n_pieces:.1f}", f"{total['m21_parse'] / total['h_parse']:.1f}x"],
            ["analysis (chords, keys, numerals; harmonia also cadences)", f"{1000 * total['h_t'] / n_pieces:.2f}",
             f"{1000 * total['m21_t'] / n_pieces:.1f}", f"{total['m21_t'] / total['h_t']:.0f}x"],
            ["both", f"{1000 * (total['h_parse'] + total['h_t']) / n_pieces:.1f}",
             f"{1000 * (total['m21_parse'] + total['m21_t']) / n_pieces:.1f}",
             f"{(total['m21_parse'] + total['m21_t']) / (total['h_parse'] + total['h_t']):.1f}x"],
        ],
    ))
    pop909_keys(analyze)
    if "--speed" in sys.argv:
        speed_all(analyze)
    return 0


def pop909_keys(analyze) -> None:
    """Keys of the POP909 development songs against the set's key annotations (made by an algorithm from
    the audio, not by hand: a plausibility check, not an expert benchmark)."""
    from _common import shared_data

    import harmonia
    from harmonia.theory.key import parse_key

    root = shared_data("pop909-dev")
    if root is None:
        print("\n../shared/data/pop909-dev is not present: skipping the POP909 key check")
        return
    frames = agree = songs = global_agree = 0
    for song in sorted(p for p in root.iterdir() if p.name.isdigit()):
        score = harmonia.load(song / f"{song.name}.mid")
        result = analyze(score)
        rows = [line.split("\t") for line in (song / "key_audio.txt").read_text().split("\n") if line.strip()]
        keys = [(float(a), float(b), parse_key(k)) for a, b, k in rows]
        for t in np.arange(keys[0][0], keys[-1][1], 1.0):
            truth = next((k for a, b, k in keys if a <= t < b), None)
            if truth is None:
                continue
            i = max(int(np.searchsorted(result.keys["onset"], score.sec_to_qn(t) + 1e-9, side="right")) - 1, 0)
            pc = (int(result.keys["tonic_fifths"][i]) * 7) % 12
            frames += 1
            agree += pc == truth.tonic_pc and (result.keys["mode"][i] == 1) == (truth.mode == "minor")
        main_key = max(keys, key=lambda k: k[1] - k[0])[2]
        home = parse_key(result.global_key)
        songs += 1
        global_agree += (home.tonic_pc, home.mode) == (main_key.tonic_pc, main_key.mode)
    print(f"\nPOP909 dev ({songs} songs) against its algorithmic key annotations: local key agrees on "
          f"{100 * agree / frames:.1f} % of seconds, global key on {global_agree} of {songs} songs.")


def speed_all(analyze) -> None:
    """Analyze every Bach file in music21's corpus (parsing included), serially and on a process pool
    (``harmonia analyze DIR`` uses the pool), as the issue's speed target asks."""
    import os

    from music21 import corpus

    from harmonia.errors import HarmoniaError
    from harmonia.workflows.analyze import analyze_corpus

    works = sorted({str(p) for p in corpus.getComposer("bach") if p.suffix in (".mxl", ".krn", ".xml")})
    t0 = time.perf_counter()
    failed = 0
    for w in works:
        try:
            analyze(w)
        except HarmoniaError:
            failed += 1
    serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    table, errors = analyze_corpus(works, workers=os.cpu_count(), progress=False)
    pooled = time.perf_counter() - t0
    print(f"All {len(works)} Bach files in music21's corpus, parsing included: {serial:.1f} s in one process "
          f"({1000 * serial / len(works):.0f} ms each, {failed} failed); {pooled:.1f} s on a pool of "
          f"{os.cpu_count()} processes ({len(table)} chord spans, {len(errors)} failed).")


if __name__ == "__main__":
    sys.exit(main())
