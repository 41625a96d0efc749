"""Loading scores: harmonia.load beside music21.converter.parse (and miditoolkit) on the same files.

MIDI: the POP909 development songs (../shared/data/pop909-dev). MusicXML: 50 Bach chorales from music21's
corpus, parsed from their files (forceSource=True for both, so no cached pickle is read).
Usage: python benchmarks/bench_load.py [--quick]   (--quick: 5 songs, 10 chorales)
"""

from __future__ import annotations

import sys
import time

from _common import shared_data, table, timeit


def main() -> int:
    import miditoolkit
    from music21 import converter, corpus

    import harmonia

    quick = "--quick" in sys.argv
    rows = []
    pop = shared_data("pop909-dev")
    if pop is None:
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

    paths = sorted(str(p) for p in corpus.getComposer("bach") if "bwv" in p.name and p.suffix in (".mxl", ".xml"))
    paths = paths[: 10 if quick else 50]
    harmonia.load(paths[0])  # warm both parsers' imports
    h = m = 0.0
    for p in paths:  # interleaved, so both see the same machine state
        t = time.perf_counter()
        harmonia.load(p)
        h += time.perf_counter() - t
        t = time.perf_counter()
        converter.parse(p, forceSource=True)
        m += time.perf_counter() - t
    per = 1000 / len(paths)
    rows.append([f"Bach chorales MusicXML ({len(paths)} files)", f"{h * per:.1f}", "-", f"{m * per:.0f}",
                 f"{m / h:.2f}x", "-"])
    print(table(["input", "harmonia.load (ms/file)", "miditoolkit (ms/file)", "music21 parse (ms/file)",
                 "speed-up vs music21", "speed-up vs miditoolkit"], rows))
    print("\nMusicXML goes through music21's parser inside harmonia.load, so its ratio is about 1 by design;"
          " MIDI is parsed by symusic (C++).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
