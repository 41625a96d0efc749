"""Roman numerals: harmonia beside music21 on every chord of the RomanText analyses in music21's corpus.

Realizing: ``music21.roman.RomanNumeral(figure, key).pitches`` against ``harmonia.theory.roman.realize``.
Analyzing: ``music21.roman.romanNumeralFromChord(chord, key)`` against ``harmonia.theory.roman.analyze``
(spelled) on the same chords (music21's realizations), counting identical answers.
"""

from __future__ import annotations

import sys
import time

from _common import table


def main() -> int:
    from music21 import chord, converter, corpus
    from music21 import roman as m21roman

    from harmonia.errors import RomanNumeralError
    from harmonia.theory import roman
    from harmonia.theory.pitch import name_to_fifths

    items = []
    for path in corpus.getPaths(fileExtensions=("rntxt",)):
        if "choraleAnalyses" not in str(path):
            continue
        for rn in converter.parse(path, format="romantext").flatten().getElementsByClass("RomanNumeral"):
            k = rn.key
            name = k.tonic.name.replace("-", "b")
            items.append((rn.figure, name if k.mode == "major" else name[0].lower() + name[1:], k))
    print(f"{len(items)} chords of the 20 chorale analyses\n")
    ok_items = []
    for fig, name, k in items:
        try:
            roman.realize(fig, name)
            ok_items.append((fig, name, k))
        except RomanNumeralError:
            pass
    # realize
    t = time.perf_counter()
    m21_pitches = [m21roman.RomanNumeral(fig, k).pitches for fig, _, k in ok_items]
    t_m21 = time.perf_counter() - t
    t = time.perf_counter()
    ours = [roman.realize(fig, name) for fig, name, _ in ok_items]
    t_h = time.perf_counter() - t
    same = sum(
        [name_to_fifths(p.name) for p in ps] == o for ps, o in zip(m21_pitches, ours)
    )
    # analyze: music21 from a Chord, harmonia from spelled fifths with the bass first
    chords = [chord.Chord(ps) for ps in m21_pitches]
    t = time.perf_counter()
    m21_figs = [m21roman.romanNumeralFromChord(c, k).figure for c, (_, _, k) in zip(chords, ok_items)]
    t_m21a = time.perf_counter() - t
    t = time.perf_counter()
    h_figs = []
    for o, (_, name, _) in zip(ours, ok_items):
        try:
            h_figs.append(roman.analyze(o, name))
        except RomanNumeralError:
            h_figs.append(None)
    t_ha = time.perf_counter() - t
    agree = sum(a == b for a, b in zip(m21_figs, h_figs))
    truth_agree = sum(h == fig for h, (fig, _, _) in zip(h_figs, ok_items))
    m21_truth = sum(m == fig for m, (fig, _, _) in zip(m21_figs, ok_items))
    n = len(ok_items)
    print(table(["task", "music21 (us/chord)", "harmonia (us/chord)", "ratio", "answers"], [
        ["realize a numeral", f"{1e6 * t_m21 / n:.1f}", f"{1e6 * t_h / n:.2f}", f"{t_m21 / t_h:.0f}x",
         f"identical spellings {same}/{n}"],
        ["analyze a chord", f"{1e6 * t_m21a / n:.1f}", f"{1e6 * t_ha / n:.2f}", f"{t_m21a / t_ha:.0f}x",
         f"same figure as music21 {agree}/{n}; the analyst's figure: harmonia {truth_agree}, music21 {m21_truth}"],
    ]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
