"""Agreement of harmonia's native MusicXML reader with the music21 route, on music21's whole corpus.

For every ``.xml``, ``.mxl`` and ``.musicxml`` file of music21's corpus, the Score read by
:func:`harmonia.symbolic.musicxml.load_musicxml` is compared with the one the music21 route gives
(``converter.parse(path, forceSource=True)`` then :func:`harmonia.symbolic.music21io.from_music21`,
as ``harmonia.load(path, musicxml_reader="music21")`` does), field by field: the note array (onset,
duration, pitch, velocity, track, voice, spelling), the time-signature, tempo and key-signature maps,
the measures, the pickup, the tracks (name, program, drum flag) and the metadata (title, composer,
fermatas_qn, grace_notes_dropped).  Files the native reader refuses (``_UnsupportedMusicXML``) count as
fallbacks: :func:`harmonia.load` reads them through music21, so they agree by construction.

One difference is documented rather than fixed, because harmonia is right: **track programs**. The
native reader keeps the General MIDI program the file states (``<midi-program>``, minus one). music21
turns that program into one of its instrument classes and then, when the part's ``<instrument-name>``
names a class with the same default program, or the program was a piano, re-classifies by the name;
the Score then carries the class's default program instead of the file's (a part declared as program 5,
Electric Piano 1, comes back as 2; voices declared as program 1, piano, come back as 53, voice oohs).
Files differing only there count as "identical except documented differences".

Usage::

    python benchmarks/musicxml_agreement.py [--cache DIR] [--dir DIR ...] [--only SUBSTRING] [--limit N]
                                            [--verbose]

``--dir DIR`` adds every MusicXML/MXL file under DIR (for instance ``../shared/data/openewld``).

``--cache DIR`` keeps the music21 readings (slow: several minutes for the whole corpus) as pickles in
DIR, so that a second run only times the native reader.  Exit status 0 when no file differs.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

#: Differences that are music21's, not the reader's (see the module docstring).
DOCUMENTED = {"tracks.program"}
NOTE_FIELDS = ("onset", "duration", "pitch", "velocity", "track", "voice", "spelling")
META_KEYS = ("title", "composer", "fermatas_qn", "grace_notes_dropped")


def snapshot(score) -> dict:
    """The comparable content of a Score, as plain Python values."""
    notes = score.notes
    return {
        "notes": [tuple(r) for r in notes[list(NOTE_FIELDS)].tolist()],
        "time_signatures": score.time_signatures.tolist(),
        "tempos": score.tempos.tolist(),
        "key_signatures": score.key_signatures.tolist(),
        "measures": None if score.measures is None else score.measures.tolist(),
        "pickup_qn": score.pickup_qn,
        "tracks": [(t.name, t.program, t.is_drum) for t in score.tracks],
        "metadata": {k: score.metadata.get(k) for k in META_KEYS},
    }


def music21_reading(path: Path) -> dict:
    from harmonia.symbolic.io import _load_music21_file

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {"ok": snapshot(_load_music21_file(path))}
    except Exception as exc:  # both routes may refuse a file; compare the error class
        return {"error": type(exc).__name__}


def native_reading(path: Path) -> dict:
    from harmonia.symbolic.musicxml import _UnsupportedMusicXML, load_musicxml

    try:
        return {"ok": snapshot(load_musicxml(path))}
    except _UnsupportedMusicXML as exc:
        return {"unsupported": str(exc)}
    except Exception as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


def differences(a: dict, b: dict) -> list[str]:
    """Names of the fields where two snapshots differ (music21 ``a``, native ``b``)."""
    out = []
    for key in a:
        if key == "notes":
            if sorted(a[key]) != sorted(b[key]):
                sa, sb = set(a[key]), set(b[key])
                if len(a[key]) != len(b[key]):
                    out.append(f"notes (count {len(a[key])} vs {len(b[key])})")
                else:
                    fields = [
                        f for i, f in enumerate(NOTE_FIELDS) if sorted(r[i] for r in sa) != sorted(r[i] for r in sb)
                    ]
                    out.append(f"notes ({', '.join(fields) or 'pairing'})")
            elif a[key] != b[key]:
                out.append("notes (order of equal onset/track/pitch)")
        elif key == "metadata":
            out += [f"metadata.{k}" for k in META_KEYS if a[key].get(k) != b[key].get(k)]
        elif key == "tracks" and len(a[key]) == len(b[key]):
            out += [
                f"tracks.{f}"
                for i, f in enumerate(("name", "program", "is_drum"))
                if [t[i] for t in a[key]] != [t[i] for t in b[key]]
            ]
        elif a[key] != b[key]:
            out.append(key)
    return out


def cached_music21(path: Path, cache: Path | None) -> dict:
    if cache is None:
        return music21_reading(path)
    import music21

    import harmonia.symbolic.io as io_module
    import harmonia.symbolic.music21io as m21_module

    stat = path.stat()
    code = b"".join(Path(m.__file__).read_bytes() for m in (io_module, m21_module))  # the route's code
    tag = f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{music21.__version__}|{hashlib.sha1(code).hexdigest()}"
    file = cache / (hashlib.sha1(tag.encode()).hexdigest() + ".pkl")
    if file.exists():
        with open(file, "rb") as fh:
            return pickle.load(fh)
    result = music21_reading(path)
    with open(file, "wb") as fh:
        pickle.dump(result, fh)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="directory keeping the music21 readings between runs")
    parser.add_argument("--dir", type=Path, action="append", default=[], help="also read the files under DIR")
    parser.add_argument("--no-corpus", action="store_true", help="skip music21's corpus (with --dir)")
    parser.add_argument("--only", help="only corpus paths containing this substring")
    parser.add_argument("--limit", type=int, help="only the first N files")
    parser.add_argument("--verbose", action="store_true", help="name every differing file and its fields")
    args = parser.parse_args(argv)

    from music21 import corpus

    paths = (
        [] if args.no_corpus else sorted(Path(p) for p in corpus.getPaths(fileExtensions=["xml", "mxl", "musicxml"]))
    )
    for d in args.dir:
        paths += sorted(p for p in d.rglob("*") if p.suffix.lower() in (".xml", ".mxl", ".musicxml"))
    if args.only:
        paths = [p for p in paths if args.only in str(p)]
    if args.limit:
        paths = paths[: args.limit]
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)

    counts: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    t_native = 0.0
    for k, path in enumerate(paths):
        t = time.perf_counter()
        nat = native_reading(path)
        t_native += time.perf_counter() - t
        name = str(path).split("corpus/", 1)[-1]
        if "unsupported" in nat:
            counts["refused -> music21 fallback"] += 1
            refusals[nat["unsupported"].split(" (")[0][:60]] += 1
            continue
        ref = cached_music21(path, args.cache)
        if "error" in ref or "error" in nat:
            same = ref.get("error") == nat.get("error")
            counts["both refuse (same error)" if same else "differing"] += 1
            if not same:
                classes[f"error: music21 {ref.get('error')} vs native {nat.get('error')}"] += 1
                if args.verbose:
                    print(
                        f"DIFF {name}: music21 {ref.get('error')} / native {nat.get('error')} {nat.get('message', '')}"
                    )
            continue
        diff = differences(ref["ok"], nat["ok"])
        classes.update(diff)
        if not diff:
            counts["identical"] += 1
        elif set(diff) <= DOCUMENTED:
            counts["identical except documented differences"] += 1
        else:
            counts["differing"] += 1
        if diff and args.verbose:
            print(f"DIFF {name}: {'; '.join(diff)}")
        if args.verbose and (k + 1) % 50 == 0:
            print(f"... {k + 1}/{len(paths)}", file=sys.stderr)

    where = " + ".join((["music21 corpus"] if not args.no_corpus else []) + [str(d) for d in args.dir])
    print(f"MusicXML/MXL files ({where}): {len(paths)}")
    for key in (
        "identical",
        "identical except documented differences",
        "differing",
        "refused -> music21 fallback",
        "both refuse (same error)",
    ):
        print(f"  {key}: {counts[key]}")
    if classes:
        print("differences by field (files):")
        for key, n in classes.most_common():
            print(f"  {key}: {n}{' (documented: music21 replaces the file program)' if key in DOCUMENTED else ''}")
    if refusals:
        print("refusals by reason (files):")
        for key, n in refusals.most_common():
            print(f"  {key}: {n}")
    print(f"native reader: {1000 * t_native / max(len(paths), 1):.1f} ms/file on average")
    return 1 if counts["differing"] else 0


if __name__ == "__main__":
    np.set_printoptions(linewidth=200)
    sys.exit(main())
