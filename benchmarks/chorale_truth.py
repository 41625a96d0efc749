"""Ground truth for the chorale evaluation: the expert Roman-numeral analyses shipped with music21.

music21's corpus holds 20 analyses (``bach/choraleAnalyses/riemenschneider001-020.rntxt``) whose headers
name the BWV number of the chorale in ``bach/``.  This module aligns each analysis with its score by
(measure, beat) and samples it once per quarter note, giving per frame the local key, the realized chord
(pitch-class set and bass) and the numeral.  It also lists the fermatas of the soprano, where the chorales'
phrases (and so most cadences) end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

FRAME_DTYPE = np.dtype(
    [
        ("onset", "<f8"),
        ("tonic_pc", "i1"),
        ("minor", "?"),
        ("chord_mask", "<u2"),  # bit k set = pitch class k sounds
        ("bass_pc", "i1"),
    ]
)


@dataclass
class ChoraleTruth:
    """One analysed chorale: names, frames, fermatas, and the analysis' chord spans."""

    analysis: str
    work: str
    frames: np.ndarray  # FRAME_DTYPE
    figures: list[str]  # numeral per frame
    keys: list[str]  # key per frame, harmonia notation ('G', 'f#')
    fermatas_qn: np.ndarray
    spans: list[tuple[float, str, str]]  # (onset qn, key, figure) of each analysed chord
    transposition: int = 0  # semitones from the analysis' key to the score's (0 but for transposed editions)
    bass_agreement: float = 1.0  # share of frames whose analysed bass is the lowest sounding pitch class


#: Analyses whose analysed bass matches the sounding bass on fewer frames than this describe another
#: edition than music21's (BWV 41.6: its phrase ends fall a beat apart from the score's); they are
#: reported but left out of the totals.
MIN_BASS_AGREEMENT = 0.5


def mask_of(pcs) -> int:
    m = 0
    for pc in pcs:
        m |= 1 << (int(pc) % 12)
    return m


def analysis_paths() -> list[Path]:
    from music21 import corpus

    return sorted(Path(p) for p in corpus.getPaths(fileExtensions=("rntxt",)) if "riemenschneider" in str(p))


def _work_for(rntxt: Path) -> str:
    text = rntxt.read_text(encoding="utf-8", errors="replace")
    bwv = re.search(r"^BWV:\s*(\S+)", text, re.M).group(1)
    m = re.fullmatch(r"(\d+)\((\d+)\)\.(\d+)", bwv)  # 248(2).12 -> bwv248.12-2
    if m:
        return f"bach/bwv{m.group(1)}.{m.group(3)}-{m.group(2)}"
    return "bach/bwv" + re.sub(r"[a-z]+$", "", bwv)


def _key_name(k) -> str:
    name = k.tonic.name.replace("-", "b")
    return name if k.mode == "major" else name[0].lower() + name[1:]


@cache
def load_truth(rntxt: Path) -> ChoraleTruth:
    """Align one analysis with its score and sample it per quarter note."""
    from music21 import converter, corpus, expressions

    import harmonia

    work = _work_for(rntxt)
    score = harmonia.load(work)
    analysis = converter.parse(str(rntxt), format="romantext")
    spans = []
    for rn in analysis.flatten().getElementsByClass("RomanNumeral"):
        try:
            on = float(score.bar_beat_to_qn(int(rn.measureNumber), float(rn.beat)))
        except ValueError:
            continue
        pcs = sorted({p.pitchClass for p in rn.pitches})
        spans.append((on, rn, mask_of(pcs), rn.bass().pitchClass))
    spans.sort(key=lambda s: s[0])
    starts = np.array([s[0] for s in spans])
    frames_qn = np.arange(0.0, score.duration_qn, 1.0)
    rows, figures, keys = [], [], []
    for t in frames_qn:
        i = np.searchsorted(starts, t + 1e-9, side="right") - 1
        if i < 0:
            continue
        _, rn, mask, bass = spans[i]
        rows.append((t, rn.key.tonic.pitchClass, rn.key.mode == "minor", mask, bass))
        figures.append(rn.figure)
        keys.append(_key_name(rn.key))
    frames = np.array(rows, dtype=FRAME_DTYPE)
    shift, agreement = _edition_transposition(frames, score.notes)
    if shift:
        frames["tonic_pc"] = (frames["tonic_pc"] + shift) % 12
        frames["bass_pc"] = (frames["bass_pc"] + shift) % 12
        m = frames["chord_mask"].astype(np.int64)
        frames["chord_mask"] = ((m << shift) | (m >> (12 - shift))) & 0xFFF
    stream = corpus.parse(work)
    soprano = stream.parts[0]
    fermatas = sorted(
        {
            float(n.getOffsetInHierarchy(stream))
            for n in soprano.recurse().notes
            if any(isinstance(e, expressions.Fermata) for e in n.expressions)
        }
    )
    return ChoraleTruth(
        analysis=rntxt.name,
        work=work,
        frames=frames,
        figures=figures,
        keys=keys,
        fermatas_qn=np.array(fermatas),
        spans=[(s[0], _key_name(s[1].key), s[1].figure) for s in spans],
        transposition=shift,
        bass_agreement=agreement,
    )


def _edition_transposition(frames: np.ndarray, notes: np.ndarray) -> tuple[int, float]:
    """Semitones between the analysis and the score when music21's edition is transposed, else 0.

    Two of the twenty analyses (BWV 184.5 and 145.5) describe the chorale a fourth or fifth away from the
    edition in music21's corpus; the analysed bass then matches the sounding bass only after transposition.
    The shift is the one under which most frames' analysed bass equals the lowest sounding pitch class, and
    is applied only when it beats no shift by a wide margin.
    """
    counts = np.zeros(12, dtype=int)
    for f in frames:
        t = f["onset"]
        sounding = notes[(notes["onset"] <= t) & (notes["onset"] + notes["duration"] > t)]
        if sounding.size:
            counts[(int(sounding["pitch"].min()) - int(f["bass_pc"])) % 12] += 1
    best = int(np.argmax(counts))
    shift = best if counts[best] > counts[0] + 0.5 * len(frames) else 0
    return shift, float(counts[shift] / max(len(frames), 1))
