"""Essen folk songs from music21's corpus as plain arrays, cached as JSON (parsing takes minutes).

Each tune: ``file`` (the .abc name), ``index`` (its order in the file), ``ts`` ("3/4"), ``onset``,
``duration`` (quarter notes), ``pitch`` (MIDI).  Tunes whose time signature changes are left out (no single
answer), and so are tunes with fewer than 8 notes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "harmonia" / "essen_meter_v1.json"


def _extract() -> list[dict]:
    from music21 import converter, corpus, meter

    out = []
    for path in sorted(corpus.getComposer("essenFolksong"), key=lambda p: Path(p).name):
        opus = converter.parse(path)
        for i, sc in enumerate(getattr(opus, "scores", [opus])):
            tss = list(sc.recurse().getElementsByClass(meter.TimeSignature))
            if not tss or len({t.ratioString for t in tss}) != 1:
                continue
            fl = sc.flatten().notes
            on, du, pi = [], [], []
            for n in fl:
                on.append(float(n.offset))
                du.append(max(float(n.quarterLength), 1e-3))
                pi.append(int(n.pitches[0].midi) if n.pitches else 60)
            if len(on) < 8:
                continue
            out.append({"file": Path(path).name, "index": i, "ts": tss[0].ratioString, "onset": on,
                        "duration": du, "pitch": pi})  # fmt: skip
    return out


def load_essen() -> list[dict]:
    """Every usable Essen tune (parsed once, then read from the cache)."""
    if CACHE.exists():
        return json.loads(CACHE.read_text())
    tunes = _extract()
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    tmp = CACHE.with_suffix(".tmp")
    tmp.write_text(json.dumps(tunes))
    tmp.replace(CACHE)
    return tunes


if __name__ == "__main__":
    t = load_essen()
    print(len(t), "tunes cached in", CACHE)
