"""Pitch spelling: notated spellings stripped from music21's corpus and inferred again.

Sets (MusicXML / kern through :func:`harmonia.load`):

* ``bach``: every MusicXML or kern file of ``music21.corpus.getComposer("bach")`` (the chorales, plus a
  few other pieces music21 files under Bach);
* ``others``: the MusicXML / kern movements of Mozart, Haydn, Beethoven (string quartets), Clara Schumann,
  Chopin, Schubert, Handel, Corelli, Joplin, Verdi, Weber and C. P. E. Bach in the corpus (one edition per
  work where music21 has both kern and MusicXML); a second test set, reported separately.

Methods: harmonia's :func:`~harmonia.theory.spelling.spell_notes`; the same after a round trip through a
MIDI file (``Score.to_midi`` then ``load_midi(spell=True)``, Bach only); a ps13-style vote (step 1 of
Meredith's ps13, "ps13s1", K_pre = 33, K_post = 23; our reading of the paper, for comparison); the key
signature's spelling (each pitch class spelled within ``ks-3 … ks+8`` fifths, the notated key signature
given: information MIDI files rarely carry); and music21's default spelling of a MIDI number
(``music21.pitch.Pitch(midi).name``: C# Eb F# G# Bb).  Accuracy counts notes whose spelling equals the
notated one.  Speed is notes per second, harmonia against music21's default spelling, in the same run.

Parsed pieces are cached in ``~/.cache/harmonia/bench_spelling`` (``HARMONIA_BENCH_CACHE``).
Run: ``python benchmarks/bench_spelling.py`` (about a minute the first time, seconds after).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import shared_data, table

from harmonia.theory.notearray import NOTE_DTYPE, as_note_array
from harmonia.theory.spelling import spell_notes

CACHE = Path(os.environ.get("HARMONIA_BENCH_CACHE", Path.home() / ".cache" / "harmonia" / "bench_spelling"))
OTHER_COMPOSERS = ("mozart", "haydn", "beethoven", "schumann_clara", "chopin", "schubert", "handel", "corelli",
                   "joplin", "verdi", "weber", "cpebach")
SUFFIXES = (".mxl", ".xml", ".musicxml", ".krn")


def _paths(name: str) -> list[Path]:
    from music21 import corpus

    if name == "bach":
        return sorted(p for p in corpus.getComposer("bach") if p.suffix in SUFFIXES)
    out = []
    for c in OTHER_COMPOSERS:
        ps = [p for p in corpus.getComposer(c) if p.suffix in SUFFIXES]
        mxl = {p.with_suffix("") for p in ps if p.suffix == ".mxl"}
        out += [p for p in ps if not (p.suffix == ".krn" and p.with_suffix("") in mxl)]
    return sorted(out)


def load_set(name: str) -> list[tuple[str, np.ndarray, int]]:
    """(label, pitched notes, first key signature in fifths) per piece; parsed once, then cached."""
    cache = CACHE / f"{name}.npz"
    if cache.exists():
        z = np.load(cache)
        bounds = np.concatenate([[0], np.cumsum(z["sizes"])])
        return [(str(lab), z["notes"][a:b], int(k)) for lab, a, b, k in
                zip(z["labels"], bounds[:-1], bounds[1:], z["ks"])]
    import harmonia

    pieces = []
    for path in _paths(name):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                score = harmonia.load(path)
            except Exception as exc:  # a benchmark reports a failed item and goes on
                print(f"skipped {path.name}: {exc}")
                continue
        drums = np.array([t.is_drum for t in score.tracks] or [False])
        notes = score.notes[~drums[score.notes["track"]]]
        if notes.size == 0 or np.any(notes["spelling"] == -128):
            print(f"skipped {path.name}: no notes or unspelled notes")
            continue
        ks = int(score.key_signatures["fifths"][0]) if score.key_signatures.size else 0
        label = path.stem if name == "bach" else f"{path.parent.name}/{path.name}"
        pieces.append((label, np.ascontiguousarray(notes, dtype=NOTE_DTYPE), ks))
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cache, notes=np.concatenate([p[1] for p in pieces]), sizes=[p[1].size for p in pieces],
             labels=[p[0] for p in pieces], ks=[p[2] for p in pieces])
    return pieces


# -- baselines -------------------------------------------------------------------------------------------
def window_spelling(pitch: np.ndarray, lowest_fifths: int) -> np.ndarray:
    """Each pitch class spelled within the twelve fifths from ``lowest_fifths``."""
    f = np.arange(lowest_fifths, lowest_fifths + 12)
    table_ = np.empty(12, dtype=np.int64)
    table_[(f * 7) % 12] = f
    return table_[pitch.astype(np.int64) % 12]


def key_signature_spelling(notes: np.ndarray, ks: int) -> np.ndarray:
    return window_spelling(notes["pitch"], ks - 3)


def music21_spelling(notes: np.ndarray) -> np.ndarray:
    from music21 import pitch

    from harmonia.theory.pitch import name_to_fifths

    return np.array([name_to_fifths(pitch.Pitch(midi=int(m)).name) for m in notes["pitch"]], dtype=np.int64)


_F = np.array([((7 * pc + 5) % 12) - 5 for pc in range(12)])  # pc -> fifths in -5 ... 6 (Db ... F#)


def ps13s1(notes: np.ndarray, k_pre: int = 33, k_post: int = 23) -> np.ndarray:
    """Step 1 of ps13 (Meredith 2006): each tonic pitch class votes, by its count among the K_pre notes
    before and K_post after, for the spelling the note has in that tonic's key (tonics spelled Db Eb F# Ab Bb)."""
    pc = notes["pitch"].astype(np.int64) % 12
    n = pc.size
    cum = np.vstack([np.zeros(12), np.cumsum(np.eye(12)[pc], axis=0)])
    idx = np.arange(n)
    counts = cum[np.minimum(idx + k_post, n)] - cum[np.maximum(idx - k_pre, 0)]  # (n, 12) by tonic
    cand = _F[None, :] + _F[(pc[:, None] - np.arange(12)[None, :]) % 12]  # (n, 12) spelling per tonic
    votes = np.zeros((n, 40))
    np.add.at(votes, (np.repeat(idx, 12), (cand + 20).ravel()), counts.ravel())
    return np.argmax(votes, axis=1) - 20


def through_midi(notes: np.ndarray) -> np.ndarray | None:
    """Spellings after writing the notes to MIDI and reading them back with ``load_midi(spell=True)``."""
    from harmonia.symbolic.midi import load_midi
    from harmonia.symbolic.score import Score, Track

    n_tracks = int(notes["track"].max()) + 1
    score = Score(notes, tracks=[Track(f"t{i}") for i in range(n_tracks)])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.mid"
        score.to_midi(path)
        back = load_midi(path, spell=True).notes
    if back.size != notes.size:
        return None
    back = back[np.lexsort((back["pitch"], back["track"], back["onset"]))]
    if np.any(back["pitch"] != notes["pitch"]) or np.any(back["track"] != notes["track"]):
        return None
    return back["spelling"].astype(np.int64)


# -- evaluation ------------------------------------------------------------------------------------------
def evaluate(pieces, *, midi: bool) -> tuple[dict[str, list[tuple[int, int]]], dict[str, float], int]:
    """Per method, (correct, total) per piece; seconds spent by harmonia and by music21's default."""
    res: dict[str, list[tuple[int, int]]] = defaultdict(list)
    secs = {"harmonia": 0.0, "music21": 0.0}
    for _, notes, ks in pieces:
        notes = as_note_array(notes)
        notes = notes[np.lexsort((notes["pitch"], notes["track"], notes["onset"]))]
        truth = notes["spelling"].astype(np.int64)
        t = time.perf_counter()
        ours = spell_notes(notes)
        secs["harmonia"] += time.perf_counter() - t
        ours = ours[np.lexsort((ours["pitch"], ours["track"], ours["onset"]))]["spelling"]
        t = time.perf_counter()
        m21 = music21_spelling(notes)
        secs["music21"] += time.perf_counter() - t
        found = {
            "harmonia spell_notes": ours,
            "ps13s1-style vote (K 33/23)": ps13s1(notes),
            "key signature (ks-3 ... ks+8)": key_signature_spelling(notes, ks),
            "music21 Pitch(midi).name": m21,
        }
        if midi:
            found["harmonia through MIDI"] = through_midi(notes)
        for name, sp in found.items():
            if sp is not None:
                res[name].append((int(np.sum(sp == truth)), truth.size))
    return res, secs, sum(p[1].size for p in pieces)


def _row(name: str, per_piece: list[tuple[int, int]]) -> list[object]:
    correct = sum(c for c, _ in per_piece)
    total = sum(n for _, n in per_piece)
    acc = [100 * c / n for c, n in per_piece]
    return [name, f"{100 * correct / total:.3f}", f"{min(acc):.1f}", f"{np.median(acc):.2f}",
            f"{total - correct}", len(per_piece)]


def pop909_speed() -> str:
    root = shared_data("pop909-dev")
    if root is None:
        return "POP909: ../shared/data/pop909-dev is not present; skipped."
    from harmonia.symbolic.midi import load_midi

    times, sizes = [], []
    for path in sorted(root.glob("*/*.mid")):
        notes = load_midi(path, spell=False).notes
        spell_notes(notes)  # warm
        t = time.perf_counter()
        for _ in range(5):
            spell_notes(notes)
        times.append((time.perf_counter() - t) / 5)
        sizes.append(notes.size)
    return (f"POP909 dev ({len(times)} songs, median {int(np.median(sizes))} notes): spell_notes takes "
            f"{1e3 * np.median(times):.2f} ms per song (median; max {1e3 * max(times):.2f} ms).")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-midi", action="store_true", help="skip the MIDI round trip (saves ~20 s)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    sets = {"bach": load_set("bach"), "others": load_set("others")}
    print(f"loaded in {time.perf_counter() - t0:.1f} s")
    spell_notes(sets["bach"][0][1])  # compile / load numba's cache outside the timings
    headers = ["method", "accuracy %", "min piece %", "median piece %", "errors", "pieces"]
    speed_rows = []
    for name, pieces in sets.items():
        res, secs, n = evaluate(pieces, midi=(name == "bach" and not args.no_midi))
        print(f"\n### {name}: {len(pieces)} pieces, {n} notes\n")
        print(table(headers, [_row(k, v) for k, v in res.items()]))
        if name == "others":
            by_composer: dict[str, list[tuple[int, int]]] = defaultdict(list)
            from music21 import corpus

            composer_of = {}
            for c in OTHER_COMPOSERS:
                for p in corpus.getComposer(c):
                    composer_of[f"{p.parent.name}/{p.name}"] = c
            for (label, _, _), ok in zip(pieces, res["harmonia spell_notes"]):
                by_composer[composer_of.get(label, "?")].append(ok)
            print(f"\nharmonia by composer ({name}):\n")
            print(table(["composer", "accuracy %", "min piece %", "median piece %", "errors", "pieces"],
                        [_row(k, v) for k, v in sorted(by_composer.items())]))
        speed_rows.append([name, n, f"{n / secs['harmonia']:,.0f}", f"{n / secs['music21']:,.0f}",
                           f"{secs['music21'] / secs['harmonia']:.0f}x"])
    print("\n### Speed (notes per second, spelling only, same run)\n")
    print(table(["set", "notes", "harmonia spell_notes", "music21 Pitch(midi).name", "ratio"], speed_rows))
    print("\n" + pop909_speed())
    return 0


if __name__ == "__main__":
    sys.exit(main())
