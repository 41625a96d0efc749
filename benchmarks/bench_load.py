"""Loading scores: harmonia.load beside music21.converter.parse (and miditoolkit) on the same files.

MIDI: the POP909 development songs (../shared/data/pop909-dev), read by symusic inside harmonia.load.
MusicXML: every Bach chorale in music21's corpus, read by harmonia's native reader
(harmonia.symbolic.musicxml) and by music21 (converter.parse with forceSource=True, so no cached pickle is
read, then from_music21); then a whole chorale, parse + harmonia.analyze, through both routes.
Usage: python benchmarks/bench_load.py [--quick] [--musicxml-only]   (--quick: 5 songs, 10 chorales)
"""

from __future__ import annotations

import gc
import statistics
import sys
import time

from _common import shared_data, table, timeit


def main() -> int:
    import miditoolkit
    from music21 import converter

    import harmonia

    quick = "--quick" in sys.argv
    rows = []
    pop = shared_data("pop909-dev")
    if "--musicxml-only" in sys.argv:
        pass
    elif pop is None:
        print("../shared/data/pop909-dev is not present: skipping the MIDI part")
    else:
        files = sorted(pop.glob("*/*.mid"))[: 5 if quick else None]
        n_notes = sum(harmonia.load(f).n_notes for f in files)
        h, hs = timeit(lambda: [harmonia.load(f) for f in files], repeat=5)
        k, _ = timeit(lambda: [miditoolkit.MidiFile(str(f)) for f in files], repeat=3)
        t = time.perf_counter()
        for f in files:
            converter.parse(str(f), forceSource=True)
        m = time.perf_counter() - t
        per = 1000 / len(files)
        rows.append([f"POP909 dev MIDI ({len(files)} songs, {n_notes} notes)", f"{h * per:.2f} ± {hs * per:.2f}",
                     f"{k * per:.1f}", f"{m * per:.0f}", f"{m / h:,.0f}x", f"{k / h:.1f}x"])

    if rows:
        print(table(["input", "harmonia.load (ms/file)", "miditoolkit (ms/file)", "music21 parse (ms/file)",
                     "speed-up vs music21", "speed-up vs miditoolkit"], rows))
        print("\nMIDI is parsed by symusic (C++).\n")
    musicxml_tables(quick)
    return 0


def musicxml_tables(quick: bool) -> None:
    """The native MusicXML reader against music21 on every Bach chorale of music21's corpus, then analysis."""
    from music21 import converter, corpus

    import harmonia
    from harmonia.symbolic.music21io import from_music21
    from harmonia.symbolic.musicxml import load_musicxml

    paths = sorted(str(p) for p in corpus.getComposer("bach") if "bwv" in p.name and p.suffix in (".mxl", ".xml"))
    paths = paths[: 10 if quick else None]
    n_notes = sum(load_musicxml(p).n_notes for p in paths)  # warms the reader and the file cache
    harmonia.analyze(harmonia.load(paths[0]))  # compiles (or loads) the numba kernels: not timed
    converter.parse(paths[0], forceSource=True)
    native, parse, convert = [], [], []
    for p in paths:  # interleaved, so both see the same machine state; each starts after a collection
        gc.collect()
        t = time.perf_counter()
        load_musicxml(p)
        native.append(time.perf_counter() - t)
        gc.collect()
        t = time.perf_counter()
        stream = converter.parse(p, forceSource=True)
        parse.append(time.perf_counter() - t)
        t = time.perf_counter()
        from_music21(stream)
        convert.append(time.perf_counter() - t)
    passes = [sum(native)]  # two more native passes: the native figure is the median of three
    for _ in range(2):
        t = time.perf_counter()
        for p in paths:
            load_musicxml(p)
        passes.append(time.perf_counter() - t)
    per = 1000 / len(paths)
    h = statistics.median(passes)
    m_parse, m_route = sum(parse), sum(parse) + sum(convert)
    rows = [[f"Bach chorales MusicXML ({len(paths)} files, {n_notes} notes)", f"{h * per:.2f}",
             f"{m_parse * per:.1f}", f"{m_route * per:.1f}", f"{m_parse / h:.1f}x", f"{m_route / h:.1f}x"]]
    print(table(["input", "native reader (ms/file)", "music21 parse (ms/file)",
                 "music21 parse + from_music21 (ms/file)", "speed-up vs parse", "speed-up vs route"], rows))
    print("\nnative reader: harmonia.symbolic.musicxml.load_musicxml, which harmonia.load uses for MusicXML/MXL;"
          " music21 route: converter.parse(forceSource=True) then from_music21, as"
          ' harmonia.load(..., musicxml_reader="music21").\n')

    # a whole chorale: file -> Score -> chords, keys, numerals, cadences
    whole_native, whole_m21, analysis_only = [], [], []
    for p in paths:
        gc.collect()
        t = time.perf_counter()
        score = harmonia.load(p)
        t1 = time.perf_counter()
        harmonia.analyze(score)
        t2 = time.perf_counter()
        whole_native.append(t2 - t)
        analysis_only.append(t2 - t1)
        gc.collect()
        t = time.perf_counter()
        harmonia.analyze(harmonia.load(p, musicxml_reader="music21"))
        whole_m21.append(time.perf_counter() - t)
    rows = []
    for label, times in (("harmonia.load (native reader) + harmonia.analyze", whole_native),
                         ("harmonia.analyze alone", analysis_only),
                         ('harmonia.load (musicxml_reader="music21") + harmonia.analyze', whole_m21)):
        rows.append([label, f"{1000 * statistics.median(times):.2f}", f"{1000 * statistics.mean(times):.2f}",
                     f"{1000 * max(times):.1f}", f"{sum(times):.2f}"])
    print(table([f"whole chorale ({len(paths)} chorales)", "median (ms)", "mean (ms)", "max (ms)", "total (s)"],
                rows))
    print("\nGoal (TARGETS.md): a whole chorale parsed and analyzed in <= 10 ms warm (numba compilation excluded).")


if __name__ == "__main__":
    sys.exit(main())
