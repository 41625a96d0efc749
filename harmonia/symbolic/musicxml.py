"""A native MusicXML / MXL reader: the XML tree straight into a :class:`~harmonia.symbolic.score.Score`.

music21 builds an object per note, rest, beam and layout hint before :func:`~harmonia.symbolic.music21io.from_music21`
turns its streams into arrays; this reader walks the tree once with the standard library's C-accelerated
:mod:`xml.etree.ElementTree` and fills the note array and maps directly, 10-15 times faster (a Bach
chorale in about 3 ms instead of about 50 ms; ``benchmarks/bench_load.py`` prints the figures).
:func:`harmonia.load` uses it for ``.musicxml``, ``.xml`` and ``.mxl`` files and for music21 corpus names
that name such a file; ``harmonia.load(path, musicxml_reader="music21")`` takes the music21 route instead.

It follows the conventions of :mod:`harmonia.symbolic.music21io` so that both routes give the same Score:

* each ``<part>`` is a track; a part written on several staves (``<staves>2</staves>``, a piano) becomes
  one track per staff, as music21 splits it into ``PartStaff`` objects;
* onsets and durations are quarter notes counted with ``<divisions>``, ``<backup>`` and ``<forward>``;
  measures follow each other by their filled length (music21's rule), an incomplete first measure is the
  pickup (``pickup_qn``) and every measure is kept in ``measures``;
* notes joined by ``<tie type="start|stop">`` become one note; grace notes are dropped and counted in
  ``metadata["grace_notes_dropped"]``; unpitched (drum) notes are skipped;
* ``voice`` is the index of the note's ``<voice>`` among the measure's voices in music21's order (0 when
  the measure has a single voice);
* spellings come from ``<step>`` and ``<alter>`` on the line of fifths (C = 0, G = 1, F = -1, a sharp adds 7);
* velocities come from the ``dynamics`` attribute of ``<note>`` (``dynamics="100"`` is velocity 90, music21's
  reading), else 80; ``<sound dynamics>`` is not read (music21 does not read it either);
* tempo comes from ``<metronome>`` marks and ``<sound tempo>``; a tempo of 0 raises
  :class:`~harmonia.errors.InvalidTempoError`;
* the onsets of notes carrying a ``<fermata>`` are listed in ``metadata["fermatas_qn"]``.

One field differs from the music21 route on purpose: a track's ``program`` is the General MIDI program the
file states (``<midi-program>`` minus one). music21 maps that program to one of its instrument classes and
may re-classify the part by its ``<instrument-name>``, and then reports that class's default program (a part
declared as Electric Piano 1, program 4, comes back as 2; voices declared with a piano program come back as
53). ``benchmarks/musicxml_agreement.py`` checks every other field on every MusicXML file of music21's corpus.

Files that use what the reader does not model (time-wise scores, non-traditional key signatures, additive
or free metres, a percussion part without a name ...) raise the private :class:`_UnsupportedMusicXML`;
:func:`harmonia.load` then reads them through music21.
"""

from __future__ import annotations

import gc
import math
import os
import zipfile
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

from harmonia.errors import (
    CorruptFileError,
    EmptyFileError,
    EmptyScoreError,
    HarmoniaError,
    InvalidTempoError,
    MissingFileError,
)
from harmonia.symbolic.music21io import assemble_score
from harmonia.symbolic.score import TEMPO_RANGE_BPM, Score, Track
from harmonia.theory.notearray import NO_SPELLING, NOTE_DTYPE

__all__ = ["MUSICXML_SUFFIXES", "load_musicxml"]

#: Extensions read by :func:`load_musicxml`.
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")


class _UnsupportedMusicXML(Exception):
    """The file is valid but uses something this reader does not model; read it through music21."""


_STEP_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
_STEP_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# alterations music21 reads from an <accidental> when the note has no <alter>
_ACCIDENTAL_ALTER = {
    "sharp": 1.0, "natural": 0.0, "flat": -1.0, "double-sharp": 2.0, "sharp-sharp": 2.0, "flat-flat": -2.0,
    "double-flat": -2.0, "quarter-flat": -0.5, "quarter-sharp": 0.5, "three-quarters-flat": -1.5,
    "three-quarters-sharp": 1.5, "triple-sharp": 3.0, "triple-flat": -3.0,
}  # fmt: skip
_MODE_CODE = {"major": 0, "minor": 1}
_DENOMINATORS = {1, 2, 4, 8, 16, 32, 64, 128}
_NOTE_TYPE_QL = {
    "maxima": Fraction(32), "long": Fraction(16), "longa": Fraction(16), "breve": Fraction(8), "whole": Fraction(4),
    "half": Fraction(2), "quarter": Fraction(1), "eighth": Fraction(1, 2), "16th": Fraction(1, 4),
    "32nd": Fraction(1, 8), "32th": Fraction(1, 8), "64th": Fraction(1, 16), "128th": Fraction(1, 32),
    "256th": Fraction(1, 64), "512th": Fraction(1, 128), "1024th": Fraction(1, 256),
}  # fmt: skip
# the names music21 gives the instrument of each General MIDI program (used when a part has no name)
_PROGRAM_NAMES = (
    ["Piano", "Piano", "Electric Piano", "Piano", "Electric Piano", "Electric Piano", "Harpsichord", "Clavichord",
     "Celesta", "Glockenspiel", "Glockenspiel", "Vibraphone", "Marimba", "Xylophone", "Tubular Bells", "Dulcimer"]
    + ["Electric Organ"] * 3 + ["Pipe Organ", "Reed Organ", "Accordion", "Harmonica", "Accordion"]
    + ["Acoustic Guitar"] * 2 + ["Electric Guitar"] * 6
    + ["Acoustic Bass", "Electric Bass", "Electric Bass", "Fretless Bass"] + ["Electric Bass"] * 4
    + ["Violin", "Viola", "Violoncello", "Contrabass", "StringInstrument", "StringInstrument", "Harp", "Timpani"]
    + ["StringInstrument"] * 4 + ["Choir", "Voice", "Voice", "Sampler"]
    + ["Trumpet", "Trombone", "Tuba", "Trumpet", "Horn", "Brass", "Brass", "Brass"]
    + ["Soprano Saxophone", "Alto Saxophone", "Tenor Saxophone", "Baritone Saxophone", "Oboe", "English Horn",
       "Bassoon", "Clarinet", "Piccolo", "Flute", "Recorder", "Pan Flute", "Pan Flute", "Shakuhachi", "Whistle",
       "Ocarina"]
    + ["Sampler"] * 24
    + ["Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bagpipes", "Violin", "Shehnai", "Glockenspiel", "Agogo",
       "Steel Drum", "Woodblock", "Taiko", "Tom-Tom"]
    + ["Sampler"] * 10
)  # fmt: skip
_PERCUSSION_PROGRAMS = {113, 115, 116, 117}  # music21 makes unpitched-percussion instruments of these


def load_musicxml(path: str | os.PathLike[str], *, source: str | None = None) -> Score:
    """Read a MusicXML (``.musicxml``, ``.xml``) or compressed MusicXML (``.mxl``) file into a Score.

    Parameters
    ----------
    path : str or path-like
        The file.
    source : str, optional
        What to record as ``metadata["source"]`` and use in messages (default: the path).

    Returns
    -------
    Score
        The same Score as ``harmonia.load`` gives through music21 (see the module docstring for the
        conventions), with ``metadata["format"]`` set to the extension.

    Raises
    ------
    MissingFileError
        If there is no such file.
    EmptyFileError, CorruptFileError
        If the file is empty, is not well-formed XML, or is an unreadable MXL archive.
    EmptyScoreError
        If it holds no pitched notes.
    InvalidTempoError
        For a tempo outside 1-1000 BPM (a ``<sound tempo="0">`` included).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> xml = '''<score-partwise><part-list><score-part id="P1"><part-name>Flute</part-name></score-part>
    ... </part-list><part id="P1"><measure number="1"><attributes><divisions>2</divisions>
    ... <time><beats>3</beats><beat-type>4</beat-type></time></attributes>
    ... <note><pitch><step>F</step><alter>1</alter><octave>5</octave></pitch><duration>4</duration></note>
    ... <note><pitch><step>G</step><octave>5</octave></pitch><duration>2</duration></note>
    ... </measure></part></score-partwise>'''
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "tune.musicxml"
    >>> _ = f.write_text(xml)
    >>> s = load_musicxml(f)
    >>> s.notes[["onset", "duration", "pitch", "spelling"]].tolist()
    [(0.0, 2.0, 78, 6), (2.0, 1.0, 79, 1)]
    >>> s.tracks[0].name, s.time_signatures.tolist()
    ('Flute', [(0.0, 3, 4)])
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(path, "no such file")
    if path.stat().st_size == 0:
        raise EmptyFileError(path, "the file is empty (0 bytes)")
    # Parsing allocates an object per XML element and none of them form cycles: the cyclic garbage
    # collector only slows it down (by 1.5-2.5x, more with a large heap such as music21's), so it pauses.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load(path, source)
    finally:
        if paused:
            gc.enable()


def _load(path: Path, source: str | None) -> Score:
    data = _read_xml_bytes(path)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise CorruptFileError(path, f"not well-formed XML ({exc})") from None
    if root.tag != "score-partwise":
        raise _UnsupportedMusicXML(f"root element <{root.tag}> (only score-partwise is read natively)")
    label = source or str(path)
    try:
        score = _ScoreReader(root, path, label).score()
    except EmptyScoreError:
        raise EmptyScoreError(f"{label}: the file holds no notes") from None
    except HarmoniaError:  # a bad tempo, an invalid score: already a clear error
        raise
    except (ValueError, ZeroDivisionError, TypeError, AttributeError) as exc:
        # malformed numbers or missing required elements; music21 gives up on these too
        raise CorruptFileError(path, f"malformed MusicXML ({type(exc).__name__}: {exc})") from None
    score.metadata["format"] = path.suffix.lower().lstrip(".") or "musicxml"
    return score


def _read_xml_bytes(path: Path) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head != b"PK\x03\x04":
        return path.read_bytes()
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            member = None
            if "META-INF/container.xml" in names:
                try:
                    container = ET.fromstring(zf.read("META-INF/container.xml"))
                except ET.ParseError:  # some writers quote file names badly; fall back to music21's rule
                    container = None
                for rootfile in container.iter("rootfile") if container is not None else ():
                    full = rootfile.get("full-path")
                    media = rootfile.get("media-type")
                    if full in names and (media is None or "musicxml" in media or media.endswith("xml")):
                        member = full
                        break
            if member is None:  # music21's rule: the first file outside META-INF that looks like MusicXML
                member = next((n for n in names if "META-INF" not in n and _looks_like_musicxml(n)), None)
            if member is None:
                raise CorruptFileError(path, "the MXL archive holds no MusicXML file")
            return zf.read(member)
    except CorruptFileError:
        raise
    except (zipfile.BadZipFile, ET.ParseError, OSError, KeyError, EOFError) as exc:
        raise CorruptFileError(path, f"not a readable MXL archive ({type(exc).__name__}: {exc})") from None


def _looks_like_musicxml(name: str) -> bool:
    p = Path(name)
    return p.suffix in (".musicxml", ".xml") or p.name == ".xml"  # Noteflight names untitled files ".xml"


def _text(el: ET.Element | None) -> str:
    if el is None or el.text is None:
        return ""
    return el.text.strip()


def _staff_number(el: ET.Element) -> int:
    """The ``<staff>`` of a note, forward, direction or harmony (0 = all staves)."""
    s = el.find("staff")
    if s is not None and s.text:
        try:
            return int(s.text.strip())
        except ValueError:
            return 0
    return 0


def _attr_staff(el: ET.Element, *, default: int = 0) -> int:
    """The ``number`` attribute of a key, time or clef (its staff)."""
    k = el.get("number")
    if k is not None:
        try:
            return int(k)
        except ValueError:
            pass
    return default


class _Item:
    """A note, chord or rest placed in a measure (the reader's stand-in for a music21 element).

    Offsets and durations are integer ticks (see ``_ScoreReader.base``).
    """

    __slots__ = ("dur", "fermata", "full_measure", "members", "offset", "rest_kind", "staff", "voice")

    def __init__(self, offset, dur, staff, voice, members=None, fermata=False, rest_kind=None):
        self.offset = offset
        self.dur = dur
        self.staff = staff
        self.voice = voice  # voice id (str) or None (in the measure)
        self.members = members  # list of (step, alter, octave, tie, unpitched, velocity) or None for a rest
        self.fermata = fermata
        self.rest_kind = rest_kind  # for rests: (type, dots, tuplet) as music21 derives them
        self.full_measure = False


class _Measure:
    __slots__ = (
        "counts", "forward_rest", "items", "keys", "length", "marks", "number", "offset", "padding", "staves",
        "tempos", "timesigs", "use_voices", "voice_ids",
    )  # fmt: skip

    def __init__(self):
        self.items: list[_Item] = []
        self.timesigs: list[tuple] = []  # (offset, num, den, staff)
        self.keys: list[tuple] = []  # (offset, fifths, mode, staff)
        self.tempos: list[tuple] = []  # (offset, bpm, staff)
        self.marks: list[tuple] = []  # (offset, staff) of other zero-length elements
        self.number = 0
        self.offset = 0
        self.length = 0
        self.padding = 0
        self.staves = 1
        self.use_voices = False
        self.voice_ids: list[str] = []
        self.forward_rest: _Item | None = None
        self.counts = (0, 0)


class _ScoreReader:
    def __init__(self, root: ET.Element, path: Path, label: str) -> None:
        self.root = root
        self.path = path
        self.label = label
        self.finale = False
        enc = root.find("identification/encoding")
        if enc is not None:
            for sw in enc.iterfind("software"):
                t = _text(sw)
                if t:
                    self.finale = "Finale" in t
                    break
        # one integer tick = 1/base quarter note, base a multiple of every <divisions> (and of 128, so that
        # bar lengths are whole ticks): all arithmetic is exact, as music21's fractions are
        base = 128
        for d in root.iter("divisions"):
            value = _int_text(d.text, "divisions")
            if value <= 0:
                raise ValueError(f"<divisions> must be positive, got {d.text!r}")
            base = math.lcm(base, value)
        self.base = base

    # -- score level ---------------------------------------------------------------------------
    def score(self) -> Score:
        root = self.root
        score_parts = {}
        part_list = root.find("part-list")
        if part_list is not None:
            for sp in part_list.iter("score-part"):
                score_parts[sp.get("id")] = sp
        staves_out = []  # (name, program, drum, measures, staff key or None, staff id)
        for part_el in root.iterfind("part"):
            pid = part_el.get("id")
            if pid is None and score_parts:
                pid = next(iter(score_parts))
            sp = score_parts.get(pid)
            if sp is None:
                continue  # music21 skips parts missing from the part list
            measures, max_staves, staff_keys = self._read_part(part_el)
            name, program, is_drum = self._instrument(sp)
            if max_staves > 1:
                for k in staff_keys:
                    if k:
                        staves_out.append((name, program, is_drum, measures, k, f"{pid}-Staff{k}"))
            else:
                staves_out.append((name, program, is_drum, measures, None, None))
        if not staves_out:
            raise EmptyScoreError(f"{self.label}: the stream holds no pitched notes")
        base = self.base
        rows: list[tuple] = []
        tracks: list[Track] = []
        fermatas: set[float] = set()
        tempo_rows: list[tuple[float, float]] = []
        grace = 0
        for t, (name, program, is_drum, measures, staff, staff_id) in enumerate(staves_out):
            label = (name if name is not None else (staff_id or "")).strip()
            if not label or label.isdigit():
                label = f"Part {t + 1}"
            tracks.append(Track(label, program, is_drum))
            grace += self._notes_of(measures, staff, t, rows, fermatas)
            for m in measures:
                mo = m.offset / base
                for off, bpm, st in m.tempos:
                    if staff is None or st == 0 or st == staff:
                        tempo_rows.append((mo + off / base, bpm))
        if not rows:
            raise EmptyScoreError(f"{self.label}: the stream holds no pitched notes")
        notes = np.array(rows, dtype=NOTE_DTYPE)
        ref_measures, ref_staff = staves_out[0][3], staves_out[0][4]
        ts_rows, key_rows = [], []
        for m in ref_measures:
            mo = m.offset / base
            for off, num, den, st in m.timesigs:
                if ref_staff is None or st == 0 or st == ref_staff:
                    ts_rows.append((mo + off / base, num, den))
            for off, fifths, mode, st in m.keys:
                if ref_staff is None or st == 0 or st == ref_staff:
                    key_rows.append((mo + off / base, fifths, mode))
        title, composer = self._metadata()
        return assemble_score(
            notes, tracks, ts_rows, tempo_rows, key_rows,
            pickup_qn=self._pickup(ref_measures, ref_staff),
            measures=self._bar_table(ref_measures, ref_staff),
            metadata={"source": self.label, "title": title or self.label, "composer": composer, "format": "musicxml"},
            grace=grace, fermatas=fermatas,
        )

    def _metadata(self) -> tuple[str | None, str | None]:
        root = self.root
        title_el = root.find("work/work-title")
        title = title_el.text if title_el is not None and title_el.text else None
        mv_el = root.find("movement-title")
        movement = mv_el.text if mv_el is not None and mv_el.text else None
        if title == movement:
            title = None
        composers = [
            c.text.strip()
            for c in root.iterfind("identification/creator")
            if c.get("type") == "composer" and c.text is not None
        ]
        composer = None
        if composers:
            composer = composers[0] if len(composers) == 1 else ", ".join(composers[:-1]) + " and " + composers[-1]
        return title, composer

    @staticmethod
    def _instrument(sp: ET.Element) -> tuple[str | None, int, bool]:
        """Track name, GM program and drum flag of a ``<score-part>``, as music21 derives them."""

        def clean(tag: str) -> str | None:
            el = sp.find(tag)
            if el is None or el.text in (None, ""):
                return None
            return el.text.strip().replace("\n", " ")

        part_name = clean("part-name")
        part_abbr = clean("part-abbreviation")
        inst_name = clean("score-instrument/instrument-name")
        program, is_drum, default_name = 0, False, None
        midi = sp.find("midi-instrument")
        if midi is not None:
            unpitched = _text(midi.find("midi-unpitched"))
            prog = _text(midi.find("midi-program"))
            if unpitched:
                is_drum = True
                if part_name is None and part_abbr is None and inst_name is None:
                    raise _UnsupportedMusicXML("a percussion part without a name")
            elif prog:
                p = max(int(prog) - 1, 0)
                if p <= 127:
                    program = p
                    default_name = _PROGRAM_NAMES[p]
                    is_drum = p in _PERCUSSION_PROGRAMS
                ch = _text(midi.find("midi-channel"))
                if ch and int(ch) == 10:
                    is_drum = True
        for name in (part_name, part_abbr, inst_name, default_name):
            if name is not None:
                return name, program, is_drum
        return None, program, is_drum

    # -- part level ----------------------------------------------------------------------------
    def _read_part(self, part_el: ET.Element) -> tuple[list[_Measure], int, list[int]]:
        base = self.base
        scale = base // 10080 if base % 10080 == 0 else None  # music21's default divisions
        last_bar: int | None = None  # bar length of the last time signature at a measure's start
        last_offset = 0
        last_short = False
        context_bar: int | None = None  # bar length of the part's latest time signature, wherever it stands
        last_number, last_suffix = 0, None
        measures: list[_Measure] = []
        max_staves = 1
        staff_keys: set[int] = set()
        for mx in part_el.iterfind("measure"):
            m = _Measure()
            # measure number (music21's parseMeasureNumbers, with its fix for Finale's X1, X2 ...)
            raw = mx.get("number")
            suffix = None
            if raw is not None:
                digits = "".join(c for c in raw if c in "0123456789")
                rest = "".join(c for c in raw if c not in "0123456789")
                if digits:
                    m.number = int(digits)
                suffix = rest or None
                if suffix == "X" and m.number != last_number + 1:
                    suffix = (last_suffix or "") + "X" + str(m.number)
                    m.number = last_number
            scale = self._read_measure(mx, m, scale, staff_keys)
            max_staves = max(max_staves, m.staves)
            if m.number != last_number:
                last_number, last_suffix = m.number, suffix
            # the bar length music21 pads against (Measure.barDuration): the measure's own first time
            # signature, else the latest one before it in the part
            own = sorted(m.timesigs, key=lambda ts: ts[0])
            bar_duration = 4 * own[0][1] * base // own[0][2] if own else context_bar
            if own:
                context_bar = 4 * own[-1][1] * base // own[-1][2]
            ts0 = next(((n, d) for off, n, d, _ in m.timesigs if off == 0), None)
            if ts0 is not None:
                last_bar = 4 * ts0[0] * base // ts0[1]
            elif last_bar is None:
                last_bar = 4 * base
            self._full_measure_rest(m, last_bar)
            hi = _highest(m, None)
            m.offset = last_offset
            # music21's adjustTimeAttributesFromMeasure
            if hi == last_bar:
                shift = hi
            elif hi > last_bar:
                diff = Fraction(hi - last_bar, base)
                if diff > Fraction(1, 2) or (diff * 16).denominator == 1 or (diff * 12).denominator == 1:
                    shift = hi
                else:
                    shift = last_bar
            elif hi == 0 and not m.items:
                m.items.append(_Item(0, last_bar, 0, None, rest_kind=("whole", 0, False)))
                shift = last_bar
                last_short = False
            else:
                shift = hi
                # music21 measures a bar against its time signature; with none yet in the part it guesses one
                # from the bar's own content, which the bar then fills: no padding
                short = bar_duration is not None and hi < bar_duration
                if last_offset == 0:
                    if short:
                        m.padding = bar_duration - hi
                elif last_short:
                    if short:
                        m.padding = bar_duration - hi
                        last_short = False
                else:
                    last_short = hi < last_bar
            last_offset += shift
            measures.append(m)
        if measures:  # music21 drops a hidden rest that Finale closes the last measure with
            last = measures[-1]
            fr = last.forward_rest
            if fr is not None and not last.use_voices:
                general = [it for it in last.items if it.voice is None]
                if general and _last_by_offset(general) is fr:
                    last.items.remove(fr)
        for m in measures:
            m.length = _highest(m, None)
        return measures, max_staves, sorted(staff_keys)

    def _full_measure_rest(self, m: _Measure, bar: int) -> None:
        # music21's "full-measure rest": one rest and no single notes, or a rest marked measure="yes"
        n_rests, n_notes = m.counts
        flagged = any(it.full_measure for it in m.items)
        if not ((n_rests == 1 and n_notes == 0) or flagged):
            return
        # the first rest in music21's recursive order: the voices (at offset 0) come before the measure's rests
        rests = [it for it in m.items if it.members is None]
        if not rests:
            return
        order = {v: k for k, v in enumerate(m.voice_ids)} if m.use_voices else {}
        r1 = min(rests, key=lambda it: (order.get(it.voice, len(order)), it.offset))  # the first of equals
        kind, dots, tuplet = r1.rest_kind
        if r1.full_measure or (r1.dur != bar and kind in ("whole", "breve") and dots == 0 and not tuplet):
            r1.dur = bar

    def _read_measure(self, mx: ET.Element, m: _Measure, scale: int | None, staff_keys: set[int]) -> int | None:
        base = self.base
        children = list(mx)
        voice_ids = set()
        for el in children:
            if el.tag == "note" or el.tag == "forward":
                v = el.find("voice")
                if v is not None and v.text and v.text.strip():
                    voice_ids.add(v.text.strip())
        use_voices = m.use_voices = len(voice_ids) > 1
        m.voice_ids = sorted(voice_ids)
        last_voice = None
        cursor = 0
        chord_buf: list[ET.Element] = []
        n_notes = n_rests = 0
        n_children = len(children)

        def find_voice(el: ET.Element) -> str | None:
            nonlocal last_voice
            v = _text(el.find("voice"))
            if v:
                use = v
                try:
                    last_voice = int(v)
                except ValueError:
                    last_voice = v
            else:
                use = last_voice if last_voice is not None else 1
            use = str(use)
            return use if use in voice_ids else None  # music21 puts it outside the voices

        for i, el in enumerate(children):
            tag = el.tag
            if tag == "note":
                if scale is None:
                    raise _UnsupportedMusicXML("a note before any <divisions>")
                nxt = children[i + 1] if i + 1 < n_children else None
                next_is_chord = nxt is not None and nxt.tag == "note" and nxt.find("chord") is not None
                is_rest = el.find("rest") is not None
                is_chord = next_is_chord or el.find("chord") is not None
                if next_is_chord:
                    v = el.find("voice")
                    if v is not None:
                        try:
                            last_voice = int(v.text)
                        except (TypeError, ValueError):
                            last_voice = v.text
                increment = 0
                if is_chord:
                    chord_buf.append(el)
                else:
                    if is_rest:
                        n_rests += 1
                        item = self._rest_item(el, cursor, scale)
                    else:
                        n_notes += 1
                        item = self._note_item([el], cursor, scale)
                    if use_voices:
                        item.voice = find_voice(el)
                    m.items.append(item)
                    staff_keys.add(item.staff)
                    increment = item.dur
                if chord_buf and not next_is_chord:
                    item = self._note_item(chord_buf, cursor, scale)
                    if use_voices:
                        carrier = next((c for c in chord_buf if c.find("voice") is not None), el)
                        item.voice = find_voice(carrier)
                    m.items.append(item)
                    staff_keys.add(item.staff)
                    chord_buf = []
                    increment = item.dur
                cursor += increment
                m.forward_rest = None
            elif tag == "backup":
                d = _text(el.find("duration"))
                if d:
                    cursor = max(cursor - _int_text(d, "backup duration") * scale, 0)
            elif tag == "forward":
                d = _text(el.find("duration"))
                if d:
                    change = _int_text(d, "forward duration") * scale
                    if self.finale:  # music21 turns Finale's forwards into hidden rests
                        kind = "whole" if change == 4 * base else "breve" if change == 8 * base else "other"
                        # (a zero forward gives music21's default rest of a quarter note)
                        r = _Item(cursor, change or base, _staff_number(el), None, rest_kind=(kind, 0, False))
                        if use_voices:
                            r.voice = find_voice(el)
                        m.items.append(r)
                        staff_keys.add(r.staff)
                        m.forward_rest = r
                    cursor += change
            elif tag == "direction":
                self._direction(el, m, cursor, scale, staff_keys)
            elif tag == "attributes":
                scale = self._attributes(el, m, cursor, scale, staff_keys)
            elif tag == "harmony":
                st = _staff_number(el)
                staff_keys.add(st)
                m.marks.append((cursor + _offset(el, scale), st))
            elif tag == "sound":
                self._sound(el, m, cursor + _offset(el, scale), 0)
        m.counts = (n_rests, n_notes)
        return scale

    def _note_item(self, els: list[ET.Element], cursor: int, scale: int) -> _Item:
        members = []
        fermata = False
        dur = 0
        staff = 0
        for k, el in enumerate(els):
            step, alter_text, octave, acc, unpitched, ties = "C", "", 4, "", False, []
            grace = has_dur = False
            for c in el:
                tag = c.tag
                if tag == "pitch":
                    for p in c:
                        if p.tag == "step":
                            step = (p.text or "").strip() or "C"
                        elif p.tag == "alter":
                            alter_text = (p.text or "").strip()
                        elif p.tag == "octave":
                            o = (p.text or "").strip()
                            octave = int(o) if o else 4
                elif tag == "duration" and k == 0:
                    has_dur = True
                    dur = _int_text(c.text, "note duration") * scale
                elif tag == "tie":
                    t = c.get("type")
                    if t is not None:
                        ties.append(t)
                elif tag == "notations":
                    if c.find("fermata") is not None:
                        fermata = True
                elif tag == "accidental":
                    acc = (c.text or "").strip().lower()
                elif tag == "staff" and k == 0:
                    try:
                        staff = int((c.text or "").strip())
                    except ValueError:
                        staff = 0
                elif tag == "grace" and k == 0:
                    grace = True
                elif tag == "unpitched":
                    unpitched = True
            if k == 0 and (grace or not has_dur):
                dur = 0
            if step not in _STEP_PC:
                raise ValueError(f"unknown <step> {step!r}")
            if alter_text:
                alter = float(alter_text)
            else:
                alter = _ACCIDENTAL_ALTER.get(acc, 0.0) if acc else 0.0
            tie = None
            if len(ties) == 1:
                tie = ties[0]
            elif "start" in ties and "stop" in ties:
                tie = "continue"
            elif ties:
                tie = ""  # music21 makes a tie of no known type
            vel = None
            dyn = el.get("dynamics")
            if dyn is not None:
                vel = round(min(1.0, max(0.0, float(dyn) * (90 / 12700))) * 127)
            members.append((step, alter, octave, tie, unpitched, vel))
        return _Item(cursor, dur, staff, None, members=members, fermata=fermata)

    def _rest_item(self, el: ET.Element, cursor: int, scale: int) -> _Item:
        d = _text(el.find("duration"))
        dur = _int_text(d, "rest duration") * scale if d else 0
        type_text = _text(el.find("type"))
        if type_text:
            kind = type_text
            dots = len(el.findall("dot"))
            tuplet = el.find("time-modification") is not None
        else:
            base = self.base
            kind = "whole" if dur == 4 * base else "breve" if dur == 8 * base else "other"
            dots, tuplet = 0, False
        item = _Item(cursor, dur, _staff_number(el), None, rest_kind=(kind, dots, tuplet))
        rest_tag = el.find("rest")
        if rest_tag is not None and rest_tag.get("measure") == "yes" and (not type_text or kind in ("whole", "breve")):
            item.full_measure = True
        return item

    def _attributes(self, el, m: _Measure, cursor: int, scale: int | None, staff_keys: set[int]) -> int | None:
        for sub in el:
            tag = sub.tag
            if tag == "divisions":
                scale = self.base // _int_text(sub.text, "divisions")
            elif tag == "time":
                if sub.find("senza-misura") is not None:
                    raise _UnsupportedMusicXML("a time signature senza misura")
                beats = [_text(b) for b in sub.iterfind("beats")]
                types = [_text(b) for b in sub.iterfind("beat-type")]
                if len(beats) != 1 or len(types) != 1 or not beats[0].isdigit() or not types[0].isdigit():
                    raise _UnsupportedMusicXML(f"an additive or compound time signature {beats}/{types}")
                num, den = int(beats[0]), int(types[0])
                if den not in _DENOMINATORS or num < 1:
                    raise _UnsupportedMusicXML(f"time signature {num}/{den}")
                st = _attr_staff(sub)
                staff_keys.add(st)
                m.timesigs.append((cursor, num, den, st))
                m.marks.append((cursor, st))
            elif tag == "key":
                fifths = sub.find("fifths")
                if fifths is None:
                    raise _UnsupportedMusicXML("a non-traditional key signature")
                mode_el = sub.find("mode")
                mode = -1
                if mode_el is not None and mode_el.text:
                    mode = _MODE_CODE.get(mode_el.text.strip().lower(), -1)
                st = _attr_staff(sub)
                staff_keys.add(st)
                m.keys.append((cursor, int(fifths.text.strip()), mode, st))
                m.marks.append((cursor, st))
            elif tag == "clef":
                st = _attr_staff(sub, default=1)
                staff_keys.add(st)
                m.marks.append((cursor, st))
            elif tag == "staves":
                m.staves = int(sub.text.strip())
        return scale

    def _direction(self, el, m: _Measure, cursor: int, scale: int, staff_keys: set[int]) -> None:
        total = cursor + _offset(el, scale)
        st = _staff_number(el)
        metronome = False
        for dt in el.iterfind("direction-type"):
            for d in dt:
                tag = d.tag
                if tag in ("dynamics", "words", "rehearsal", "segno", "coda"):
                    if tag != "dynamics" or len(d):
                        staff_keys.add(st)
                        m.marks.append((total, st))
                elif tag == "metronome":
                    metronome = True
                    staff_keys.add(st)
                    m.marks.append((total, st))
                    bpm = _metronome_bpm(d)
                    if bpm is not None:
                        m.tempos.append((total, bpm, st))
        if not metronome:
            for snd in el.iterfind("sound"):
                if "tempo" in snd.attrib:
                    self._sound(snd, m, total, st)
                    break

    def _sound(self, el, m: _Measure, offset: int, staff: int) -> None:
        if "tempo" not in el.attrib:
            return
        raw = el.get("tempo", "0")
        try:
            qpm = float(raw)
        except ValueError:
            raise CorruptFileError(self.path, f"<sound tempo={raw!r}> is not a number") from None
        if qpm == 0:
            lo, hi = TEMPO_RANGE_BPM
            raise InvalidTempoError(f"{self.path}: tempo 0 BPM is outside the accepted range {lo:g}-{hi:g} BPM")
        m.tempos.append((offset, _quarter_bpm(qpm, 1.0), staff))
        m.marks.append((offset, staff))

    # -- notes, bars, pickup -------------------------------------------------------------------
    @staticmethod
    def _voices_of(m: _Measure, staff: int | None) -> list[str]:
        """The measure's voices in music21's order, after a split staff drops its empty voices."""
        if not m.use_voices:
            return []
        if staff is None:
            return m.voice_ids
        used = {it.voice for it in m.items if it.voice is not None and (it.staff == 0 or it.staff == staff)}
        kept = [v for v in m.voice_ids if v in used]
        return kept if len(kept) > 1 else []

    def _notes_of(self, measures: list[_Measure], staff: int | None, t: int, rows: list, fermatas: set) -> int:
        base = self.base
        grace = 0
        open_ties: dict[tuple[int, int], int] = {}
        for m in measures:
            mo = m.offset / base
            voices = self._voices_of(m, staff)
            index = {v: k for k, v in enumerate(voices)}
            containers: dict[int, list[_Item]] = {}
            for it in m.items:
                if it.members is None or (staff is not None and it.staff != 0 and it.staff != staff):
                    continue
                k = index.get(it.voice, -1) if it.voice is not None else -1
                containers.setdefault(k, []).append(it)
            for k in sorted(containers):
                items = containers[k]
                items.sort(key=lambda it: it.offset)  # stable: insertion order at equal offsets
                voice = max(k, 0)
                for it in items:
                    if it.dur == 0:
                        grace += 1
                        continue
                    offset = mo + it.offset / base
                    if it.fermata:
                        fermatas.add(round(offset, 6))
                    dur = it.dur / base
                    members = it.members
                    chord_tie = next((mem[3] for mem in members if mem[3] is not None), None)
                    if len(members) == 1:
                        vel = members[0][5]
                    else:
                        vels = [mem[5] for mem in members if mem[5] is not None]
                        vel = int(round(sum(vels) / len(vels))) if vels else None
                    v = max(1, min(127, int(vel) if vel else 80))
                    for step, alter, octave, tie, unpitched, _ in members:
                        if unpitched:
                            continue
                        midi = int(round(12 * (octave + 1) + _STEP_PC[step] + alter))
                        spelling = NO_SPELLING if alter != int(alter) else _STEP_FIFTHS[step] + 7 * int(alter)
                        if tie is None:
                            tie = chord_tie
                        key = (voice, midi)
                        if (tie == "continue" or tie == "stop") and key in open_ties:
                            i = open_ties[key]
                            on0, _, *rest = rows[i]
                            rows[i] = (on0, offset + dur - on0, *rest)
                            if tie == "stop":
                                del open_ties[key]
                            continue
                        rows.append((offset, dur, midi, v, t, voice, spelling))
                        if tie == "start":
                            open_ties[key] = len(rows) - 1
        return grace

    def _bar_table(self, measures: list[_Measure], staff: int | None) -> np.ndarray | None:
        from harmonia.theory.timemap import BAR_DTYPE

        if not measures:
            return None
        base = self.base
        rows = []
        num, den = 4, 4
        for m in measures:
            on_staff = [(n, d) for off, n, d, st in m.timesigs if off == 0 and (staff is None or st in (0, staff))]
            if on_staff:
                num, den = on_staff[0]
            length = _highest(m, staff) if staff is not None else m.length
            if length <= 0:
                continue
            rows.append((m.number, m.offset / base, length / base, m.padding / base, num, den))
        return np.array(rows, dtype=BAR_DTYPE)

    def _pickup(self, measures: list[_Measure], staff: int | None) -> float:
        if not measures:
            return 0.0
        base = self.base
        first = measures[0]
        ts = next(((n, d) for off, n, d, st in first.timesigs if staff is None or st in (0, staff)), None)
        if ts is None:
            return 0.0
        bar = 4 * ts[0] * base // ts[1]
        if first.padding:
            return max(0, bar - first.padding) / base
        length = _highest(first, staff) if staff is not None else first.length
        if first.number == 0 and 0 < length < bar:
            return length / base
        return 0.0


def _highest(m: _Measure, staff: int | None) -> int:
    """The measure's filled length in ticks (music21's highestTime), on one staff or all."""
    hi = 0
    for it in m.items:
        if staff is None or it.staff == 0 or it.staff == staff:
            end = it.offset + it.dur
            if end > hi:
                hi = end
    for off, st in m.marks:
        if (staff is None or st == 0 or st == staff) and off > hi:
            hi = off
    return hi


def _int_text(text: str | None, what: str) -> int:
    t = (text or "").strip()
    try:
        return int(t)
    except ValueError:
        f = float(t)  # a ValueError here is a corrupt file
        if f.is_integer():
            return int(f)
        raise _UnsupportedMusicXML(f"a fractional {what} {t!r}") from None


def _metronome_bpm(d: ET.Element) -> float | None:
    """Quarter notes per minute of a ``<metronome>`` mark; None for a metric modulation or no number."""
    units = [u for u in d if u.tag in ("beat-unit", "beat-unit-dot", "per-minute")]
    if sum(1 for u in units if u.tag == "beat-unit") != 1:
        return None
    ql = base = Fraction(0)
    number = None
    for u in units:
        if u.tag == "beat-unit":
            ql = base = _NOTE_TYPE_QL[_text(u)]
        elif u.tag == "beat-unit-dot":
            base /= 2
            ql += base
        else:
            try:
                number = float(_text(u))
            except ValueError:
                number = None
    if number is None:
        return None
    return _quarter_bpm(number, float(ql))


def _quarter_bpm(number: float, referent_qn: float) -> float:
    """Beats per minute of ``referent_qn`` as quarter notes per minute, computed as music21 does."""
    if number == 0:  # the Score refuses it as a tempo of 0 BPM
        return 0.0
    return float(60 / ((60 / number / referent_qn) * 1.0))


def _offset(el: ET.Element, scale: int) -> int:
    o = el.find("offset")
    if o is None or not o.text:
        return 0
    try:
        return _int_text(o.text, "offset") * scale
    except ValueError:
        return 0


def _last_by_offset(items: list[_Item]) -> _Item:
    best = items[0]
    for it in items[1:]:
        if it.offset >= best.offset:
            best = it
    return best
