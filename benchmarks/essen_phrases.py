"""Phrase boundaries of the Essen folk songs in music21's corpus, from their ABC text.

The EsAC collections were converted to ABC with one phrase per line, so the line breaks of a tune's body
are its phrase marks.  This module counts the notes of each line (rests excluded, as in music21's
``.notes``) to give, per tune, the indices of the notes that begin a phrase.
"""

from __future__ import annotations

import re
from pathlib import Path

_NOTE = re.compile(r"[_^=]*[A-Ga-g][,']*")
_SKIP = re.compile(r'"[^"]*"|![^!]*!|\[[A-Za-z]:[^\]]*\]')  # chord symbols, decorations, inline fields


def essen_files() -> list[Path]:
    from music21 import corpus

    return sorted(Path(p) for p in corpus.getPaths(fileExtensions=("abc",)) if "essenFolksong" in str(p))


def phrase_starts(path: Path) -> list[tuple[str, list[int], int]]:
    """``(tune number, note indices that start a phrase, number of notes)`` for every tune of a file."""
    tunes = []
    number, body, in_body = None, [], False
    for line in [*path.read_text(encoding="latin-1").splitlines(), "X:end"]:
        if line.startswith("X:"):
            if number is not None and body:
                tunes.append((number, body))
            number, body, in_body = line[2:].strip(), [], False
            continue
        if not in_body:
            in_body = line.startswith("K:")
            continue
        text = _SKIP.sub("", line.split("%")[0]).strip()
        if text:
            body.append(text)
    out = []
    for number, lines in tunes:
        starts, count = [], 0
        for text in lines:
            n = len(_NOTE.findall(text))
            if n:
                starts.append(count)
                count += n
        out.append((number, starts, count))
    return out
