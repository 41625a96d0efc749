"""Rebuild tests/data/rntxt_figures.json: every distinct (figure, key) of music21's RomanText corpus with
music21's realization (pitch classes and bass pitch class).  Run from the repository root."""

from __future__ import annotations

import collections
import json
from pathlib import Path

from music21 import converter, corpus, roman
from music21 import key as m21key


def main() -> None:
    pairs: collections.Counter = collections.Counter()
    for path in corpus.getPaths(fileExtensions=("rntxt",)):
        stream = converter.parse(path, format="romantext")
        for rn in stream.flatten().getElementsByClass("RomanNumeral"):
            k = rn.key
            pairs[(rn.figure, k.tonic.name, k.mode)] += 1
    rows = []
    for (figure, tonic, mode), count in sorted(pairs.items()):
        m = roman.RomanNumeral(figure, m21key.Key(tonic, mode))
        name = tonic.replace("-", "b")
        name = name if mode == "major" else name[0].lower() + name[1:]
        rows.append({
            "figure": figure,
            "key": name,
            "count": count,
            "pcs": sorted({p.pitchClass for p in m.pitches}),
            "bass": m.bass().pitchClass,
        })
    out = Path(__file__).parent / "rntxt_figures.json"
    out.write_text(json.dumps({"source": "music21 corpus *.rntxt, realized by music21.roman.RomanNumeral",
                               "figures": rows}, indent=0) + "\n")


if __name__ == "__main__":
    main()
