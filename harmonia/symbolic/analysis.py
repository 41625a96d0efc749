"""``harmonia.analyze``: the harmonic analysis of a score, with its tables and exports.

:func:`analyze` runs :func:`harmonia.theory.analysis.analyze_notes` on a score and returns an
:class:`Analysis`, which holds the tables as structured arrays (``chords``, ``keys``, ``cadences``,
``harmonic_rhythm``, ``nonchord_tones``) and writes them as pandas DataFrames, JSON, RomanText (which
music21 reads back) or MusicXML with the numerals under the bass.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from harmonia.symbolic.atomic import atomic_path, write_text_atomic
from harmonia.symbolic.score import Score
from harmonia.theory.analysis import analyze_notes
from harmonia.theory.key import format_key
from harmonia.theory.pitch import fifths_to_name

__all__ = ["Analysis", "analyze"]

_TABLES = ("chords", "keys", "cadences", "harmonic_rhythm", "nonchord_tones")
_FIELDS = ("global_key", *_TABLES)


def _key_name(tonic_fifths: int, mode: int) -> str:
    return format_key((int(tonic_fifths), "minor" if mode else "major"))


class Analysis:
    """The harmonic analysis of one score.

    Attributes
    ----------
    score : Score
        The analysed score.
    chords, keys, cadences, harmonic_rhythm, nonchord_tones : numpy.ndarray
        Structured arrays (see :mod:`harmonia.theory.analysis` for their fields).
    """

    def __init__(self, score: Score, tables: dict[str, np.ndarray]) -> None:
        self.score = score
        self._home = tables["global_key"]
        for name in _TABLES:
            setattr(self, name, tables[name])

    def __repr__(self) -> str:
        title = self.score.metadata.get("title") or ""
        return (
            f"<Analysis {title!r}: {self.chords.size} chords, {self.keys.size} key regions, "
            f"{self.cadences.size} cadences>"
        )

    @property
    def global_key(self) -> str:
        """The home key of the piece, e.g. ``'f#'`` (empty for an empty score).

        Decided from all the piece's pitch and chord evidence, pulled toward the roots of the first and
        last chords; see :func:`harmonia.theory.analysis.analyze_notes`.
        """
        if self._home.size == 0:
            return ""
        return _key_name(self._home["tonic_fifths"][0], self._home["mode"][0])

    def to_dataframe(self, table: str = "chords"):
        """One table as a pandas DataFrame (keys written as ``'C'``/``'c'``)."""
        from harmonia._optional import import_optional

        pd = import_optional("pandas", extra="dev", feature="Analysis.to_dataframe")
        if table not in _TABLES:
            raise ValueError(f"unknown table {table!r}; tables are {list(_TABLES)}")
        return pd.DataFrame(self._records(table))

    def _records(self, table: str) -> list[dict[str, Any]]:
        arr = getattr(self, table)
        out = []
        for row in arr:
            rec = {name: row[name].item() for name in arr.dtype.names}
            if "key_tonic_fifths" in rec:
                rec["key"] = _key_name(rec.pop("key_tonic_fifths"), rec.pop("key_mode"))
            if table == "keys":
                rec["key"] = _key_name(rec.pop("tonic_fifths"), rec.pop("mode"))
            if "root_fifths" in rec:
                rec["root"] = fifths_to_name(rec.pop("root_fifths"))
            out.append(rec)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``chords``, ``keys``, ``cadences``, ``harmonic_rhythm``, ``nonchord_tones``."""
        chords = [
            {
                "onset": r["onset"],
                "offset": r["offset"],
                "measure": r["measure"],
                "beat": r["beat"],
                "key": r["key"],
                "numeral": r["numeral"],
                "function": r["function"],
                "root": r["root"],
                "quality": r["quality"],
                "inversion": r["inversion"],
            }
            for r in self._records("chords")
        ]
        keys = [{"onset": r["onset"], "offset": r["offset"], "key": r["key"]} for r in self._records("keys")]
        return {
            "source": self.score.metadata.get("source"),
            "global_key": self.global_key,
            "chords": chords,
            "keys": keys,
            "cadences": self._records("cadences"),
            "harmonic_rhythm": self._records("harmonic_rhythm"),
            "nonchord_tones": self._records("nonchord_tones"),
        }

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The analysis as JSON text; written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=1, ensure_ascii=False)
        if path is not None:
            write_text_atomic(path, text + "\n")
        return text

    def to_romantext(self, path: str | os.PathLike[str] | None = None) -> str:
        """The analysis in RomanText, the format of music21's and When-in-Rome's analyses.

        Every measure gets a line; a measure in which no chord starts repeats the sounding chord on its
        first beat. Key changes are written before the first numeral in the new key.
        """
        md = self.score.metadata
        lines = [
            f"Composer: {md.get('composer') or 'unknown'}",
            f"Title: {md.get('title') or md.get('source') or 'untitled'}",
            "Analyst: harmonia (automatic analysis)",
            "",
        ]
        bars = self.score.bar_table()
        chords = self.chords
        current_key = current_ts = None
        k = 0
        for bar in bars:
            start, end = float(bar["onset"]), float(bar["onset"] + bar["length"])
            ts = f"{bar['numerator']}/{bar['denominator']}"
            if ts != current_ts:
                lines.append(f"Time Signature: {ts}")
                current_ts = ts
            items = []
            while k < chords.size and chords["onset"][k] < start - 1e-9:
                k += 1
            active = k - 1 if k > 0 else None
            if (k >= chords.size or chords["onset"][k] > start + 1e-9) and active is not None:
                if chords["offset"][active] > start + 1e-9:
                    items.append((self.score.qn_to_bar_beat(start)[1], active))
            while k < chords.size and chords["onset"][k] < end - 1e-9:
                items.append((float(chords["beat"][k]), k))
                k += 1
            if not items:
                continue
            parts = [f"m{int(bar['bar'])}"]
            for beat, i in items:
                key = _key_name(chords["key_tonic_fifths"][i], chords["key_mode"][i])
                token = ""
                if abs(beat - round(beat)) > 1e-6 or round(beat) != 1 or len(parts) > 1:
                    token = f"b{_beat_text(beat)} "
                if key != current_key:
                    token += f"{key}: "
                    current_key = key
                parts.append(token + str(chords["numeral"][i]))
            lines.append(" ".join(parts))
        text = "\n".join(lines) + "\n"
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_musicxml(self, path: str | os.PathLike[str]) -> None:
        """Write the score as MusicXML with each numeral as a lyric under the bass (atomically)."""
        from music21 import note

        stream = self.score.to_music21()
        bass_part = stream.parts[-1]
        bass_notes = {}
        for n in bass_part.recurse().notes:
            bass_notes.setdefault(round(float(n.getOffsetInHierarchy(bass_part)), 6), n)
        current_key = None
        for row in self.chords:
            key = _key_name(row["key_tonic_fifths"], row["key_mode"])
            text = str(row["numeral"]) if key == current_key else f"{key}: {row['numeral']}"
            current_key = key
            target = bass_notes.get(round(float(row["onset"]), 6))
            if target is None:  # the bass holds across the change: attach to a hidden rest-free marker
                from music21 import expressions

                measure = bass_part.getElementAtOrBefore(float(row["onset"]), classList=["Measure"])
                if measure is None:
                    continue
                measure.insert(float(row["onset"]) - float(measure.offset), expressions.TextExpression(text))
                continue
            if isinstance(target, note.NotRest):
                target.addLyric(text)
        fmt = "mxl" if str(path).lower().endswith(".mxl") else "musicxml"
        with atomic_path(path) as tmp:
            stream.write(fmt, fp=str(tmp))

    def plot(self, *, ax: Any = None) -> Any:
        """Piano roll with chord spans, numerals, keys and cadences. See :func:`harmonia.display.analysis_plot`."""
        from harmonia.display import analysis_plot

        return analysis_plot(self, ax=ax)


def _beat_text(beat: float) -> str:
    return f"{beat:.2f}".rstrip("0").rstrip(".")


def analyze(source: Any, **kwargs: Any) -> Analysis:
    """Analyze the harmony of a score: chords, local keys, Roman numerals, cadences, harmonic rhythm.

    Parameters
    ----------
    source : Score, path, music21 corpus name or music21 stream
        What to analyze (anything :func:`harmonia.load` accepts).
    **kwargs
        Options of :func:`harmonia.theory.analysis.analyze_notes` (``switch_cost``, ``chord_weight``).

    Returns
    -------
    Analysis

    Examples
    --------
    >>> a = analyze("bach/bwv66.6")
    >>> a.global_key
    'f#'
    >>> a.cadences[["measure", "type"]].tolist()[-1]  # the final cadence
    (9, 'PC')
    """
    from harmonia.symbolic.io import load

    score = source if isinstance(source, Score) else load(source)
    drums = [i for i, t in enumerate(score.tracks) if t.is_drum]
    tables = analyze_notes(
        score.notes,
        bars=score.bar_table(),
        fermatas_qn=score.metadata.get("fermatas_qn"),
        drum_tracks=drums,
        **kwargs,
    )
    return Analysis(score, tables)
