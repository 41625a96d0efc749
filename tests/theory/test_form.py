"""Song form: constructed pieces, invariances, a POP909 song against its human labels, bad input."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonia.errors import EmptyScoreError
from harmonia.theory import form as F
from harmonia.theory.notearray import empty_note_array, make_note_array
from tests.reference.form_reference import segment_bigram_brute_force, segment_brute_force

DATA = Path(__file__).resolve().parent.parent / "data" / "pop909"

# Four-bar phrases of 4/4, each one bar repeated; A has a melody (track 0) over a bass (track 1).
_A = ([72, 76, 79, 76], 48)
_B = ([77, 81, 84, 81], 41)


def _piece(order: str, *, shift_qn: float = 0.0, transpose: int = 0) -> np.ndarray:
    on, dur, pitch, track = [], [], [], []
    for k, name in enumerate(order):
        mel, bass = _A if name.upper() == "A" else _B
        for bar in range(4):
            t0 = shift_qn + 16.0 * k + 4.0 * bar
            if name.isupper():
                on += list(t0 + np.arange(4.0))
                dur += [1.0] * 4
                pitch += [p + transpose for p in mel]
                track += [0] * 4
            on.append(t0)
            dur.append(4.0)
            pitch.append(bass + transpose)
            track.append(1)
    return make_note_array(on, dur, pitch, track=track)


def test_abab_letters_and_boundaries():
    # the fitted model (POP909 pop songs) may hear eight-bar periods here; every boundary it draws must
    # be an A/B boundary, and with four-bar phrases imposed the letters must be exact
    fitted = F.analyze_form(_piece("ABAB"), melody_track=0, origin_qn=0.0, bar_qn=4.0)
    assert {0, 16} <= set(fitted.boundaries_bar.tolist()) <= {0, 4, 8, 12, 16}
    form = F.analyze_form(_piece("ABAB"), melody_track=0, origin_qn=0.0, bar_qn=4.0, prior={4: 1.0})
    assert form.boundaries_bar.tolist() == [0, 4, 8, 12, 16]
    assert form.sections["letter"].tolist() == ["A", "B", "A", "B"]
    assert form.to_pop909() == "A4B4A4B4"
    assert form.sections["has_melody"].all()


def test_estimated_grid_and_melody_presence():
    form = F.analyze_form(_piece("aABAB"), melody_track=0)
    assert form.origin_qn == pytest.approx(0.0, abs=1e-9) and form.bar_qn == 4.0
    # the intro, then AB twice: as four phrases or as two eight-bar periods
    assert form.to_pop909() in ("i4A4B4A4B4", "i4A8A8")
    assert form.sections["function"][0] == "intro"


@settings(max_examples=10, deadline=None)
@given(transpose=st.integers(-12, 12), bars=st.integers(0, 8))
def test_transposition_and_whole_bar_shift_leave_labels(transpose, bars):
    base = F.analyze_form(_piece("AABAB"), melody_track=0)
    moved = F.analyze_form(_piece("AABAB", shift_qn=4.0 * bars, transpose=transpose), melody_track=0)
    assert moved.to_pop909() == base.to_pop909()
    assert moved.origin_qn == pytest.approx(base.origin_qn + 4.0 * bars)


def test_pop909_song_invariances():
    from harmonia.symbolic.io import load

    score = load(DATA / "001.mid")
    base = F.analyze_form(score)
    shifted = F.analyze_form(_moved(score.notes, 8.0, 5), melody_track=0)
    assert shifted.to_pop909() == base.to_pop909()


def _moved(notes: np.ndarray, qn: float, semitones: int) -> np.ndarray:
    out = notes.copy()
    out["onset"] += qn
    out["pitch"] += semitones
    return out


def test_pop909_001_against_both_human_labelings():
    """Song 001: boundary F (window 0.5 bar) at least 0.7 against each labeling."""
    import mir_eval

    from harmonia.symbolic.io import load

    form = F.analyze_form(load(DATA / "001.mid"))
    start_qn, bar_qn = 19.0833333 - 60 / 4.0, 4.0  # first melody note after a 60-sixteenth rest
    b = (form.origin_qn + form.boundaries_bar * form.bar_qn - start_qn) / bar_qn
    est = np.stack([b[:-1], b[1:]], axis=1) + 16.0
    for k in (1, 2):
        tokens = F.parse_pop909((DATA / f"001_human_label{k}.txt").read_text())
        edges = np.concatenate([[0.0], np.cumsum([n for _, n in tokens])]) + 16.0
        ref = np.stack([edges[:-1], edges[1:]], axis=1)
        _, _, f = mir_eval.segment.detection(ref, est, window=0.5)
        assert f >= 0.7, (k, f, form.to_pop909())


def test_to_dict_is_json_and_contrast_is_symmetric():
    form = F.analyze_form(_piece("ABAB"), melody_track=0, origin_qn=0.0, bar_qn=4.0, prior={4: 1.0})
    d = json.loads(json.dumps(form.to_dict()))
    assert d["pop909"] == "A4B4A4B4" and len(d["sections"]) == 4
    c = form.contrast()
    assert np.allclose(c, c.T) and c[0, 2] < 0.05 < c[0, 1]
    merged = form.merged()
    assert merged["end_bar"][-1] == 16


def test_segment_dp_matches_brute_force():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(1, 10))
        cue = rng.random(n + 1)
        length = np.log(rng.random(6) + 0.05)
        length[0] = -np.inf
        span = rng.random((n + 1, 6))
        lines = F._segment_dp(cue, length, span)
        total = sum(cue[s] + length[e - s] + span[s, e - s] for s, e in itertools.pairwise(lines))
        assert total == pytest.approx(segment_brute_force(cue, length, span))


def test_novelty_peaks_at_block_edge():
    s = np.kron(np.eye(3), np.ones((4, 4)))
    nov = F.checkerboard_novelty(s, half_bars=2)
    assert set(np.flatnonzero(nov > 0.9)) == {4, 8}


def test_empty_and_bad_input():
    with pytest.raises(EmptyScoreError, match="no notes"):
        F.analyze_form(empty_note_array())
    with pytest.raises(EmptyScoreError):
        F.estimate_bar_grid(empty_note_array())
    with pytest.raises(ValueError, match="bar_qn"):
        F.analyze_form(_piece("AB"), bar_qn=0.0)
    with pytest.raises(ValueError, match="POP909"):
        F.parse_pop909("A4 B")
    with pytest.raises(ValueError, match="bar line"):
        F.segment_bars([1.0])
    with pytest.raises(ValueError, match="no track named"):
        F.analyze_form(_score(), melody_track="vocals")


def _score():
    from harmonia.symbolic import Score

    return Score(_piece("AB"))


def test_model_file_follows_its_schema():
    from importlib import resources

    root = resources.files("harmonia.theory").joinpath("data")
    schema = json.loads(root.joinpath("form_model.schema.json").read_text())
    model = json.loads(root.joinpath("form_model.json").read_text())
    assert model["schema"] == "form_model.schema.json" and set(schema["required"]) <= set(model)
    for key, spec in schema["properties"].items():
        if "required" in spec:
            assert set(spec["required"]) <= set(model[key]), key
    seg = model["segmentation"]
    assert seg["boundary_features"] == list(F.BOUNDARY_FEATURES) and len(seg["coef"]) == len(F.BOUNDARY_FEATURES)
    assert seg["span_features"] == list(F.SPAN_FEATURES) and len(seg["span_weights"]) == len(F.SPAN_FEATURES)
    assert model["grid"]["features"] == list(F.BEAT_EVIDENCE)
    assert len(model["grid"]["weights"]) == len(F.BEAT_EVIDENCE)
    m = len(seg["transition"])
    assert all(len(row) == m for row in seg["transition"]) and len(model["lengths"]["bigram"]) == m
    assert sorted(model["dp"]) == sorted(F.WEIGHT_NAMES)
    assert sum(model["lengths"]["prior"].values()) == pytest.approx(1.0, abs=1e-4)
    assert F.form_model() == model and F.form_model() is not F.form_model()


def test_bigram_dp_matches_brute_force():
    rng = np.random.default_rng(11)
    for _ in range(20):
        n = int(rng.integers(1, 9))
        cue = rng.random(n + 1)
        trans = np.log(rng.random((6, 6)) + 0.05)
        trans[:, 0] = -np.inf
        span = rng.random((n + 1, 6))
        lines = F._segment_dp_bigram(cue, trans, span)
        prev, total = 0, 0.0
        for s, e in itertools.pairwise(lines):
            total += cue[s] + trans[prev, e - s] + span[s, e - s]
            prev = e - s
        assert lines[0] == 0 and lines[-1] == n
        assert total == pytest.approx(segment_bigram_brute_force(cue, trans, span))


def test_segment_bars_with_a_transition_matrix():
    cue = np.zeros(14)
    cue[[8, 9]] = 1.0
    trans = np.full((9, 9), 1e-3)
    trans[0, 8] = trans[8, 1] = trans[1, 4] = 0.9  # eight bars, a one-bar link, then four
    assert F.segment_bars(cue, prior={L: 1 / 8 for L in range(1, 9)}, transition=trans,
                          phrase_cost=0.0).tolist() == [0, 8, 9, 13]
    with pytest.raises(ValueError, match="transition must have shape"):
        F.segment_bars(cue, transition=np.ones((3, 3)))
