"""The native MusicXML reader gives the Score the music21 route gives, and refuses bad files clearly."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import harmonia
from harmonia import errors
from harmonia.symbolic import Score, musicxml
from harmonia.symbolic import io as io_module
from harmonia.symbolic.musicxml import _UnsupportedMusicXML, load_musicxml
from tests.conftest import DATA
from tests.strategies import voiced_note_arrays

FIELDS = ["onset", "duration", "pitch", "velocity", "track", "voice", "spelling"]


def assert_same_score(native: Score, ref: Score, *, programs: bool = True) -> None:
    """Everything the two routes are meant to agree on (programs: see benchmarks/musicxml_agreement.py)."""
    assert native.notes[FIELDS].tolist() == ref.notes[FIELDS].tolist()
    assert native.time_signatures.tolist() == ref.time_signatures.tolist()
    assert native.tempos.tolist() == ref.tempos.tolist()
    assert native.key_signatures.tolist() == ref.key_signatures.tolist()
    assert native.pickup_qn == ref.pickup_qn
    assert (native.measures is None) == (ref.measures is None)
    if native.measures is not None:
        assert native.measures.tolist() == ref.measures.tolist()
    assert [(t.name, t.is_drum) for t in native.tracks] == [(t.name, t.is_drum) for t in ref.tracks]
    if programs:
        assert [t.program for t in native.tracks] == [t.program for t in ref.tracks]
    for key in ("title", "composer", "fermatas_qn", "grace_notes_dropped", "source", "format"):
        assert native.metadata.get(key) == ref.metadata.get(key), key


def both(path) -> tuple[Score, Score]:
    return harmonia.load(path), harmonia.load(path, musicxml_reader="music21")


def score_xml(*parts: list[str], names: tuple[str, ...] = (), divisions: int = 2, head: str = "") -> str:
    """A score-partwise document; each part is a list of ``<measure>`` bodies (measure numbers from 1)."""
    part_list, body = [], []
    for k, measures in enumerate(parts):
        name = names[k] if k < len(names) else f"Part {k + 1}"
        part_list.append(f'<score-part id="P{k + 1}"><part-name>{name}</part-name></score-part>')
        ms = []
        for i, m in enumerate(measures):
            number, _, content = m.partition("|") if "|" in m[:4] else (str(i + 1), "", m)
            attrs = f"<attributes><divisions>{divisions}</divisions></attributes>" if i == 0 else ""
            ms.append(f'<measure number="{number}">{attrs}{content}</measure>')
        body.append(f'<part id="P{k + 1}">{"".join(ms)}</part>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><score-partwise version="3.1">{head}'
        f"<part-list>{''.join(part_list)}</part-list>{''.join(body)}</score-partwise>"
    )


def note(step: str, octave: int, dur: int, *, alter: int = 0, extra: str = "", before: str = "") -> str:
    a = f"<alter>{alter}</alter>" if alter else ""
    return (
        f"<note>{before}<pitch><step>{step}</step>{a}<octave>{octave}</octave></pitch>"
        f"<duration>{dur}</duration>{extra}</note>"
    )


def time_sig(beats: int | str, beat_type: int = 4) -> str:
    return f"<attributes><time><beats>{beats}</beats><beat-type>{beat_type}</beat-type></time></attributes>"


@pytest.fixture
def write(tmp_path):
    def _write(text: str | bytes, name: str = "score.musicxml"):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


# -- agreement on music21's corpus ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "work",
    [
        "bach/bwv66.6",  # chorale with a pickup and fermatas
        "bach/bwv299",  # grace notes, ties
        "schoenberg/opus19/movement2",  # piano: two staves, voices, chords, ties
        "leadSheet/fosterBrownHair",  # chord symbols
        "demos/two-parts",  # uncompressed .xml, two staves
    ],
)
def test_corpus_work_agrees_with_music21(work):
    native, ref = both(work)
    assert native.metadata["format"] == "music21-corpus" and native.metadata["source"] == work
    assert_same_score(native, ref)


def test_corpus_name_takes_the_native_route(monkeypatch):
    calls = []
    real = musicxml.load_musicxml
    monkeypatch.setattr(musicxml, "load_musicxml", lambda *a, **k: calls.append(a) or real(*a, **k))
    harmonia.load("bach/bwv66.6")
    assert len(calls) == 1
    harmonia.load("bach/bwv66.6", musicxml_reader="music21")
    assert len(calls) == 1


# -- constructs ------------------------------------------------------------------------------------------


def test_ties_join_notes_across_bars_and_in_chords(write):
    tie_start = '<tie type="start"/><notations><tied type="start"/></notations>'
    tie_stop = '<tie type="stop"/><notations><tied type="stop"/></notations>'
    path = write(
        score_xml(
            [
                time_sig(4) + note("C", 4, 8, extra=tie_start),
                note("C", 4, 4, extra=tie_stop) + note("E", 4, 4, extra=tie_start)
                + note("G", 4, 4, extra=tie_start, before="<chord/>"),
                note("E", 4, 8, extra=tie_stop) + note("G", 4, 8, extra=tie_stop, before="<chord/>"),
            ]
        )
    )  # fmt: skip
    native, ref = both(path)
    assert native.notes[["onset", "duration", "pitch"]].tolist() == [(0.0, 6.0, 60), (6.0, 6.0, 64), (6.0, 6.0, 67)]
    assert_same_score(native, ref)


def test_pickup_measure(write):
    path = write(score_xml(["0|" + time_sig(3) + note("G", 4, 2), "1|" + note("C", 5, 6), "2|" + note("D", 5, 6)]))
    native, ref = both(path)
    assert native.pickup_qn == 1.0
    assert native.measures[["bar", "onset", "length", "padding"]].tolist()[:2] == [
        (0, 0.0, 1.0, 2.0),
        (1, 1.0, 3.0, 0.0),
    ]
    assert native.qn_to_bar_beat(1.0) == (1, 1.0)
    assert_same_score(native, ref)


def test_piano_part_on_two_staves_becomes_two_tracks(write):
    clefs = (
        "<attributes><staves>2</staves><clef number='1'><sign>G</sign><line>2</line></clef>"
        "<clef number='2'><sign>F</sign><line>4</line></clef></attributes>"
    )
    m1 = (
        time_sig(4) + clefs
        + note("E", 5, 4, extra="<staff>1</staff>") + note("D", 5, 4, extra="<staff>1</staff>")
        + "<backup><duration>8</duration></backup>"
        + note("C", 3, 8, extra="<staff>2</staff>") + note("G", 3, 8, extra="<staff>2</staff>", before="<chord/>")
    )  # fmt: skip
    m2 = (
        note("C", 5, 8, extra="<staff>1</staff>")
        + "<backup><duration>8</duration></backup>"
        + note("C", 3, 8, alter=1, extra="<staff>2</staff>")
    )
    path = write(score_xml([m1, m2], names=("Piano",)))
    native, ref = both(path)
    assert [t.name for t in native.tracks] == ["Piano", "Piano"]
    assert native.notes[["onset", "pitch", "track", "spelling"]].tolist() == [
        (0.0, 76, 0, 4), (0.0, 48, 1, 0), (0.0, 55, 1, 1), (2.0, 74, 0, 2), (4.0, 72, 0, 0), (4.0, 49, 1, 7),
    ]  # fmt: skip
    assert_same_score(native, ref)


def test_voices_are_numbered_within_the_measure(write):
    m1 = (
        time_sig(4)
        + note("E", 5, 8, extra="<voice>1</voice>")
        + "<backup><duration>8</duration></backup>"
        + note("C", 5, 4, extra="<voice>2</voice>")
        + note("B", 4, 4, extra="<voice>2</voice>")
    )
    m2 = note("D", 5, 8, extra="<voice>1</voice>")  # a single voice: voice 0
    native, ref = both(write(score_xml([m1, m2])))
    assert native.notes[["pitch", "voice"]].tolist() == [(72, 1), (76, 0), (71, 1), (74, 0)]
    assert_same_score(native, ref)


def test_grace_notes_are_dropped_and_counted(write):
    m1 = (
        time_sig(2)
        + '<note><grace slash="yes"/><pitch><step>D</step><octave>5</octave></pitch></note>'
        + note("C", 5, 4)
    )
    native, ref = both(write(score_xml([m1])))
    assert native.notes["pitch"].tolist() == [72]
    assert native.metadata["grace_notes_dropped"] == 1
    assert_same_score(native, ref)


def test_fermatas_tempo_key_and_dynamics(write):
    metronome = (
        "<direction><direction-type><metronome><beat-unit>quarter</beat-unit><beat-unit-dot/>"
        "<per-minute>60</per-minute></metronome></direction-type></direction>"
    )
    key = "<attributes><key><fifths>-3</fifths><mode>minor</mode></key></attributes>"
    m1 = (
        key
        + time_sig(6, 8)
        + metronome
        + note("C", 5, 3)
        + '<note dynamics="70.56"><pitch><step>E</step>'
        + ("<alter>-1</alter><octave>5</octave></pitch><duration>3</duration><notations><fermata/></notations></note>")
    )
    m2 = "<sound tempo='100'/>" + note("G", 5, 6, extra="<notations><fermata type='upright'/></notations>")
    native, ref = both(write(score_xml([m1, m2])))
    assert native.metadata["fermatas_qn"] == [1.5, 3.0]
    assert native.tempos.tolist() == [(0.0, 90.0), (3.0, 100.0)]
    assert native.key_signatures.tolist() == [(0.0, -3, 1)]
    assert native.notes["spelling"].tolist() == [0, -3, 1]
    assert_same_score(native, ref)


def test_title_composer_and_unnamed_parts(write):
    head = (
        "<work><work-title>Song</work-title></work><identification><creator type='composer'>A. Writer</creator>"
        "</identification>"
    )
    native, ref = both(write(score_xml([note("C", 4, 8)], [note("E", 4, 8)], names=("", "1"), head=head)))
    assert native.metadata["title"] == "Song" and native.metadata["composer"] == "A. Writer"
    assert [t.name for t in native.tracks] == ["Part 1", "Part 2"]
    assert_same_score(native, ref)


# -- bad input and the fallback -------------------------------------------------------------------------


def test_tempo_zero_is_refused():
    with pytest.raises(errors.InvalidTempoError, match=r"tempo_zero\.musicxml: tempo 0 BPM is outside"):
        load_musicxml(DATA / "bad" / "tempo_zero.musicxml")
    with pytest.raises(errors.InvalidTempoError, match="tempo 0 BPM"):
        harmonia.load(DATA / "bad" / "tempo_zero.musicxml", musicxml_reader="music21")


@pytest.mark.parametrize("reader", ["native", "music21"])
def test_metronome_mark_of_zero_is_refused(write, reader):
    mark = (
        "<direction><direction-type><metronome><beat-unit>quarter</beat-unit><per-minute>0</per-minute>"
        "</metronome></direction-type></direction>"
    )
    path = write(score_xml([time_sig(4) + mark + note("C", 4, 8)]))
    with pytest.raises(errors.InvalidTempoError, match=r"score\.musicxml: tempo 0 BPM at 0 qn is outside"):
        harmonia.load(path, musicxml_reader=reader)


@pytest.mark.parametrize(
    ("content", "name", "error", "message"),
    [
        (b"", "empty.musicxml", errors.EmptyFileError, "the file is empty"),
        ("<score-partwise><part id='P1'><measure", "cut.musicxml", errors.CorruptFileError, "not well-formed XML"),
        (b"PK\x03\x04 not really a zip", "bad.mxl", errors.CorruptFileError, "not a readable MXL archive"),
        (score_xml([note("C", 4, 4)]).replace("<duration>4", "<duration>four"), "dur.xml", errors.CorruptFileError,
         "malformed MusicXML"),
        (score_xml(["<note><rest/><duration>8</duration></note>"]), "rests.xml", errors.EmptyScoreError,
         "holds no notes"),
    ],
)  # fmt: skip
def test_bad_files_raise_harmonia_errors(write, content, name, error, message):
    path = write(content, name)
    with pytest.raises(error, match=message) as info:
        harmonia.load(path)
    assert str(path) in str(info.value)


def test_mxl_without_musicxml_member_is_corrupt(tmp_path):
    path = tmp_path / "empty.mxl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(errors.CorruptFileError, match="holds no MusicXML file"):
        harmonia.load(path)


def test_mxl_with_malformed_container_uses_the_first_musicxml_member(tmp_path):
    path = tmp_path / "song.mxl"
    with zipfile.ZipFile(path, "w") as zf:  # an unescaped quote, as some writers produce
        zf.writestr(
            "META-INF/container.xml", "<container><rootfiles><rootfile full-path='it's.xml'/></rootfiles></container>"
        )
        zf.writestr("it's.xml", score_xml([note("A", 4, 4)]))
    assert harmonia.load(path).notes["pitch"].tolist() == [69]


@pytest.mark.parametrize(
    "measure",
    [
        time_sig("3+2", 8) + note("C", 4, 5),  # additive metre
        "<attributes><time><senza-misura/></time></attributes>" + note("C", 4, 5),
        "<attributes><key><key-step>C</key-step><key-alter>1</key-alter></key></attributes>" + note("C", 4, 8),
    ],
    ids=["additive", "senza-misura", "non-traditional-key"],
)
def test_unsupported_files_fall_back_to_music21(write, monkeypatch, measure):
    path = write(score_xml([measure]))
    with pytest.raises(_UnsupportedMusicXML):
        load_musicxml(path)
    calls = []
    real = io_module._load_music21_file
    monkeypatch.setattr(io_module, "_load_music21_file", lambda *a, **k: calls.append(a) or real(*a, **k))
    score = harmonia.load(path)
    assert len(calls) == 1
    assert score.notes["pitch"].tolist()[0] == 60


def test_timewise_scores_fall_back(write):
    path = write("<score-timewise><part-list/></score-timewise>")
    with pytest.raises(_UnsupportedMusicXML, match="score-timewise"):
        load_musicxml(path)


def test_forcing_music21_and_bad_reader_name(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("native reader called")

    monkeypatch.setattr(musicxml, "load_musicxml", boom)
    assert harmonia.load("bach/bwv66.6", musicxml_reader="music21").n_notes == 163
    with pytest.raises(ValueError, match="musicxml_reader"):
        harmonia.load("bach/bwv66.6", musicxml_reader="fast")


# -- round trips -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".musicxml", ".mxl"])
def test_round_trip_of_a_chorale(tmp_path, suffix):
    score = harmonia.load("bach/bwv66.6")
    path = tmp_path / f"chorale{suffix}"
    score.to_musicxml(path)
    back = load_musicxml(path)
    keep = ["onset", "duration", "pitch", "track", "voice", "spelling"]
    assert back.notes[keep].tolist() == score.notes[keep].tolist()
    assert back.pickup_qn == score.pickup_qn
    assert back.key_signatures.tolist() == score.key_signatures.tolist()
    assert_same_score(back, harmonia.load(path, musicxml_reader="music21"))


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(voiced_note_arrays(max_size=25))
def test_random_scores_read_back_as_music21_reads_them(tmp_path, notes):
    score = Score(notes, time_signatures=[(0.0, 3, 4)], key_signatures=[(0.0, -2, 0)], tempos=[(0.0, 96.0)])
    path = tmp_path / "random.musicxml"
    score.to_musicxml(path)
    native = harmonia.load(path)
    keep = ["onset", "duration", "pitch", "track", "spelling"]  # music21 writes no velocity for chords
    assert native.notes[keep].tolist() == score.notes[keep].tolist()
    assert np.array_equal(np.unique(native.notes["track"]), np.unique(score.notes["track"]))
    assert_same_score(native, harmonia.load(path, musicxml_reader="music21"))
