"""Roman numerals: harmonia beside music21 on every chord of the RomanText analyses in music21's corpus.

Realizing: ``music21.roman.RomanNumeral(figure, key).pitches`` against ``harmonia.theory.roman.realize``
(one call per chord) and ``realize_many`` (one call for all).  Analyzing: ``music21.roman.romanNumeralFromChord``
against ``harmonia.theory.roman.analyze`` (spelled, one call per chord) and ``analyze_pcs_many`` (pitch-class
masks, one call for all), on the same chords (music21's realizations of the analysts' figures), counting
identical answers and answers equal to the analyst's figure.

Every ``.rntxt`` file of music21's corpus is used (the 20 Bach chorale analyses and the others); harmonia's
timings are medians of 3 runs after a warm-up (its per-figure and per-key tables are cached, as in real use);
music21 runs once.  The figures harmonia refuses as malformed RomanText (``V/``, ``var`` ...) are left out.
"""

from __future__ import annotations

import sys
import time

from _common import table, timeit


def main() -> int:
    from music21 import chord, converter, corpus
    from music21 import roman as m21roman

    from harmonia.errors import RomanNumeralError
    from harmonia.theory import roman
    from harmonia.theory.pitch import name_to_fifths

    items = []  # (figure, key name, music21 key, is chorale)
    paths = corpus.getPaths(fileExtensions=("rntxt",))
    for path in paths:
        for rn in converter.parse(path, format="romantext").flatten().getElementsByClass("RomanNumeral"):
            k = rn.key
            name = k.tonic.name.replace("-", "b")
            items.append((rn.figure, name if k.mode == "major" else name[0].lower() + name[1:], k,
                          "choraleAnalyses" in str(path)))
    ok = []
    for item in items:
        try:
            roman.realize(item[0], item[1])
            ok.append(item)
        except RomanNumeralError:
            pass
    n = len(ok)
    print(f"{len(paths)} RomanText files, {len(items)} chords, {n} with well-formed figures "
          f"({sum(c for *_, c in ok)} from the 20 chorale analyses)\n")
    figures, names = [f for f, *_ in ok], [k for _, k, *_ in ok]

    # realize
    t = time.perf_counter()
    m21_pitches = [m21roman.RomanNumeral(fig, k).pitches for fig, _, k, _ in ok]
    t_m21 = time.perf_counter() - t
    t_one, _ = timeit(lambda: [roman.realize(f, k) for f, k in zip(figures, names)])
    t_many, _ = timeit(lambda: roman.realize_many(figures, names))
    ours = [roman.realize(f, k) for f, k in zip(figures, names)]
    same = sum([name_to_fifths(p.name) for p in ps] == o for ps, o in zip(m21_pitches, ours))
    fifths, sizes = roman.realize_many(figures, names)
    same_many = sum(row[:s] == o for row, s, o in zip(fifths.tolist(), sizes.tolist(), ours))

    # analyze: music21 from a Chord, harmonia from spelled fifths (bass first) or pitch-class masks
    chords = [chord.Chord(ps) for ps in m21_pitches]
    t = time.perf_counter()
    m21_figs = [m21roman.romanNumeralFromChord(c, k).figure for c, (_, _, k, _) in zip(chords, ok)]
    t_m21a = time.perf_counter() - t

    def one_at_a_time():
        out = []
        for o, k in zip(ours, names):
            try:
                out.append(roman.analyze(o, k))
            except RomanNumeralError:
                out.append(None)
        return out

    t_onea, _ = timeit(one_at_a_time)
    h_figs = one_at_a_time()
    masks = [sum(1 << (7 * f % 12) for f in set(o)) for o in ours]
    basses = [7 * o[0] % 12 for o in ours]
    tonics = [7 * name_to_fifths(k[0].upper() + k[1:]) % 12 for k in names]
    minor = [k[0].islower() for k in names]
    t_manya, _ = timeit(lambda: roman.analyze_pcs_many(masks, basses, tonics, minor))
    pc_figs = roman.analyze_pcs_many(masks, basses, tonics, minor)

    def canonical(figure):  # one notation for both tools and the analyst: 'V2' -> 'V42', 'i6/4' -> 'i64'
        try:
            return roman.format_roman(roman.parse_roman(figure))
        except RomanNumeralError:
            return figure

    truth = [canonical(f) for f, *_ in ok]
    m21_figs = [canonical(f) for f in m21_figs]

    def counts(sel):
        idx = [i for i, it in enumerate(ok) if sel(it)]
        return (len(idx), sum(m21_figs[i] == h_figs[i] for i in idx), sum(h_figs[i] == truth[i] for i in idx),
                sum(pc_figs[i] == truth[i] for i in idx), sum(m21_figs[i] == truth[i] for i in idx))

    us = 1e6 / n
    print(table(["task", "music21 (us/chord)", "harmonia (us/chord)", "ratio", "answers"], [
        ["realize, one call per chord", f"{t_m21 * us:.1f}", f"{t_one * us:.2f}", f"{t_m21 / t_one:.0f}x",
         f"identical spellings {same}/{n}"],
        ["realize, batch (`realize_many`)", f"{t_m21 * us:.1f}", f"{t_many * us:.2f}", f"{t_m21 / t_many:.0f}x",
         f"identical spellings {same_many}/{n}"],
        ["analyze spelled, one call per chord", f"{t_m21a * us:.1f}", f"{t_onea * us:.2f}",
         f"{t_m21a / t_onea:.0f}x", "see below"],
        ["analyze pitch classes, batch (`analyze_pcs_many`)", f"{t_m21a * us:.1f}", f"{t_manya * us:.2f}",
         f"{t_m21a / t_manya:.0f}x", "see below"],
    ]))
    print()
    rows = []
    for label, sel in (("20 Bach chorale analyses", lambda it: it[3]), ("other .rntxt", lambda it: not it[3]),
                       ("all", lambda it: True)):
        m, agree, h_truth, pc_truth, m21_truth = counts(sel)
        rows.append([label, m, f"{agree} ({100 * agree / m:.1f} %)", f"{h_truth} ({100 * h_truth / m:.1f} %)",
                     f"{pc_truth} ({100 * pc_truth / m:.1f} %)", f"{m21_truth} ({100 * m21_truth / m:.1f} %)"])
    print(table(["chords", "n", "harmonia = music21", "analyst's figure: harmonia (spelled)",
                 "harmonia (pitch classes)", "music21"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
