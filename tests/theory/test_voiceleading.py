"""Tests of harmonia.theory.voiceleading (costs, grid, patterns) and harmonia.theory.vl_rules (rules)."""

from __future__ import annotations

import functools
import itertools
import json
from importlib import resources

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from harmonia.theory import vl_rules
from harmonia.theory.key import Key
from harmonia.theory.notearray import make_note_array
from harmonia.theory.vl_rules import FINDING_DTYPE, RULES, check_voice_leading, voice_ranges
from harmonia.theory.voiceleading import (
    common_tone_retention,
    minimal_voice_leading,
    motion_counts,
    progression_cost,
    suspensions,
    voice_grid,
    voice_leading_cost,
    voice_leading_costs,
    voice_leading_profile,
    voicing_cost,
)
from tests.reference.voiceleading_reference import brute_force_cost, motion_findings

NORMS = ["taxicab", "euclidean", "linf"]
small_chords = st.lists(st.integers(36, 84), min_size=1, max_size=4)
norms = st.sampled_from(NORMS)


# --------------------------------------------------------------------------------------------------
# costs
# --------------------------------------------------------------------------------------------------
@given(
    st.integers(1, 5).flatmap(lambda n: st.tuples(*[st.lists(st.integers(30, 90), min_size=n, max_size=n)] * 2)),
    norms,
    st.booleans(),
)
def test_bijection_matches_brute_force(chords, norm, pc):
    a, b = chords
    got = voice_leading_cost(a, b, norm=norm, pitch_classes=pc)
    assert got == pytest.approx(brute_force_cost(a, b, norm, pc, doubling=False))


@given(
    st.lists(st.integers(30, 90), min_size=1, max_size=3),
    st.lists(st.integers(30, 90), min_size=1, max_size=4),
    norms,
    st.booleans(),
)
def test_doubling_matches_brute_force(a, b, norm, pc):
    got = voice_leading_cost(a, b, norm=norm, pitch_classes=pc, doubling=True)
    assert got == pytest.approx(brute_force_cost(a, b, norm, pc, doubling=True))


@given(small_chords, small_chords, norms, st.booleans())
def test_cost_symmetric_and_zero_on_identity(a, b, norm, pc):
    assert voice_leading_cost(a, b, norm=norm, pitch_classes=pc) == pytest.approx(
        voice_leading_cost(b, a, norm=norm, pitch_classes=pc)
    )
    assert voice_leading_cost(a, a, norm=norm, pitch_classes=pc) == 0.0
    assert voice_leading_cost(a, list(reversed(a)), norm=norm, pitch_classes=pc) == 0.0


@given(small_chords, small_chords, norms, st.booleans(), st.integers(-12, 12))
def test_cost_transposition_invariant(a, b, norm, pc, t):
    base = voice_leading_cost(a, b, norm=norm, pitch_classes=pc)
    moved = voice_leading_cost([x + t for x in a], [x + t for x in b], norm=norm, pitch_classes=pc)
    assert moved == pytest.approx(base)


@given(
    st.integers(1, 6).flatmap(lambda n: st.tuples(*[st.lists(st.integers(30, 90), min_size=n, max_size=n)] * 2)),
    norms,
    st.booleans(),
    st.randoms(),
)
def test_minimal_never_exceeds_an_explicit_voicing(chords, norm, pc, rnd):
    a, b = chords
    b = list(b)
    rnd.shuffle(b)
    assert (
        voice_leading_cost(a, b, norm=norm, pitch_classes=pc) <= voicing_cost(a, b, norm=norm, pitch_classes=pc) + 1e-9
    )


@given(
    st.lists(st.integers(30, 90), min_size=1, max_size=5),
    st.lists(st.integers(30, 90), min_size=1, max_size=5),
    norms,
    st.booleans(),
)
def test_minimal_voice_leading_path_is_consistent(a, b, norm, pc):
    cost, moves = minimal_voice_leading(a, b, norm=norm, pitch_classes=pc)
    assert cost == pytest.approx(voice_leading_cost(a, b, norm=norm, pitch_classes=pc))
    src = sorted({x % 12 if pc else x for x in a})
    dst = sorted({x % 12 if pc else x for x in b})
    assert sorted(set(moves[:, 0].tolist())) == src
    assert sorted({(x % 12 if pc else x) for x in moves[:, 1].tolist()}) == dst
    d = np.abs(moves[:, 1] - moves[:, 0]).astype(float)
    total = {"taxicab": d.sum(), "euclidean": np.sqrt((d * d).sum()), "linf": d.max()}[norm]
    assert total == pytest.approx(cost)
    if len(a) == len(b):
        assert moves.shape[0] == len(a)


@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(-1, 100), min_size=4, max_size=4),
            st.lists(st.integers(-1, 100), min_size=3, max_size=3),
        ),
        min_size=1,
        max_size=30,
    ),
    norms,
    st.booleans(),
)
def test_batch_matches_single(rows, norm, pc):
    a = np.array([r[0] for r in rows])
    b = np.array([r[1] for r in rows])
    got = voice_leading_costs(a, b, norm=norm, pitch_classes=pc)
    for k, (x, y) in enumerate(rows):
        x, y = [v for v in x if v >= 0], [v for v in y if v >= 0]
        if not x or not y:
            assert np.isnan(got[k])
        else:
            assert got[k] == pytest.approx(voice_leading_cost(x, y, norm=norm, pitch_classes=pc))


@given(st.lists(st.tuples(*[st.integers(0, 127)] * 8), min_size=1, max_size=50))
def test_four_voice_fast_path_matches_general_kernel(rows):
    arr = np.array(rows, dtype=np.int16)
    fast = voice_leading_costs(arr[:, :4], arr[:, 4:])
    general = voice_leading_costs(arr[:, :4], arr[:, 4:], norm="l1", doubling=None, pitch_classes=False)
    slow = [brute_force_cost(list(r[:4]), list(r[4:])) for r in rows]
    np.testing.assert_allclose(fast, slow)
    np.testing.assert_allclose(general, slow)


def test_cost_examples_from_tymoczko():
    # C major -> A minor moves one voice by two semitones; C major -> E minor one voice by one
    assert voice_leading_cost([0, 4, 7], [9, 0, 4], pitch_classes=True) == 2.0
    assert voice_leading_cost([0, 4, 7], [4, 7, 11], pitch_classes=True) == 1.0
    # G7 -> C with a doubled root: B-C, D-C, F-E, G-G = 4 semitones (Tymoczko 2011, ch. 2)
    assert voice_leading_cost([7, 11, 2, 5], [0, 0, 4, 7], pitch_classes=True) == 4.0
    assert voice_leading_cost([60, 64, 67], [60, 64, 67, 72]) == 5.0  # doubling the root an octave up


def test_cost_errors():
    with pytest.raises(ValueError, match="unknown norm"):
        voice_leading_cost([60], [61], norm="l3")
    with pytest.raises(ValueError, match="need doubling"):
        voice_leading_cost([60, 64], [61], doubling=False)
    with pytest.raises(ValueError, match="non-empty"):
        voice_leading_cost([], [61])
    with pytest.raises(ValueError, match="negative"):
        voice_leading_cost([-3], [61])
    with pytest.raises(ValueError, match="one chord per row"):
        voice_leading_costs(np.zeros((2, 3), int), np.zeros((3, 3), int))


def test_progression_cost_linf_is_the_largest_step():
    chords = [[60, 64, 67], [60, 65, 69], [59, 65, 67]]
    steps = [voice_leading_cost(p, q, norm="linf") for p, q in itertools.pairwise(chords)]
    assert progression_cost(chords, norm="linf") == max(steps)
    assert progression_cost([[60, 64]]) == 0.0


# --------------------------------------------------------------------------------------------------
# grid and patterns
# --------------------------------------------------------------------------------------------------
def _satb(chords, *, dur=1.0, spelling=None):
    """Note array from SATB rows (soprano first), one chord per quarter note, track = voice."""
    rows = np.asarray(chords)
    k, v = rows.shape
    onset = np.repeat(np.arange(k) * dur, v)
    track = np.tile(np.arange(v), k)
    return make_note_array(onset, dur, rows.ravel(), track=track)


def test_voice_grid_orders_voices_by_mean_pitch_and_marks_rests():
    notes = make_note_array([0, 0, 1, 2], [3, 1, 1, 1], [48, 72, 74, 76], track=[3, 1, 1, 1])
    g = voice_grid(notes)
    assert g.labels[:, 0].tolist() == [1, 3]
    assert g.pitch.tolist() == [[72, 48], [74, 48], [76, 48]]
    assert g.attack.tolist() == [[True, True], [True, False], [True, False]]
    rest = voice_grid(make_note_array([0, 2], 1, [60, 62]))
    assert rest.pitch.tolist() == [[60], [62]]
    gap = voice_grid(make_note_array([0, 1, 2], [3, 1, 1], [48, 60, 62], track=[1, 0, 0]))
    assert gap.pitch.tolist() == [[-1, 48], [60, 48], [62, 48]]


def test_motion_counts_by_hand():
    # S: 72 74 72 72 76 ; B: 48 50 53 53 48 -> parallel (octaves), contrary, no motion, contrary
    n = _satb(np.array([[72, 48], [74, 50], [72, 53], [72, 53], [76, 48]]))
    m = motion_counts(n)
    assert m[["contrary", "oblique", "similar", "parallel"]].tolist() == [(2, 0, 0, 1)]


def test_common_tone_retention_and_suspension_chain():
    # a 7-6 chain over a stepwise descending bass, each resolution held into the next suspension
    upper = [76, 76, 74, 74, 72, 72, 71]
    bass = [55, 53, 53, 52, 52, 50, 50]
    n = _satb(np.array([upper, bass]).T)
    sus = suspensions(n)
    assert sus["pitch"].tolist() == [76, 74, 72]
    assert sus["resolution"].tolist() == [74, 72, 71]
    assert sus["above_bass"].tolist() == [11, 10, 10]  # major, minor, minor sevenths
    assert len(set(sus["chain"].tolist())) == 1
    assert voice_leading_profile(n)["suspension_chains"] == 1
    # I -> IV with the common tone held
    assert common_tone_retention(_satb([[72, 67, 64, 48], [72, 69, 65, 53]])) == 1.0
    assert common_tone_retention(_satb([[72, 67, 64, 48], [77, 69, 65, 60]])) == 0.0


# --------------------------------------------------------------------------------------------------
# rules: planted errors and clean progressions
# --------------------------------------------------------------------------------------------------
DEGREES = {"I": (0, 4, 7), "ii": (2, 5, 9), "IV": (5, 9, 0), "V": (7, 11, 2), "vi": (9, 0, 4)}
NEXT = {"I": ["IV", "ii", "vi", "V"], "ii": ["V"], "IV": ["V", "I", "ii"], "V": ["I", "vi"], "vi": ["IV", "ii"]}
RANGES = voice_ranges("satb")


@functools.cache
def _voicings(tonic: int, degree: str) -> list[tuple[int, int, int, int]]:
    """Root-position SATB voicings (complete triad, root doubled) inside the SATB ranges."""
    root, third, fifth = ((tonic + x) % 12 for x in DEGREES[degree])
    out = []
    for b in range(40, 61):
        if b % 12 != root:
            continue
        for t in range(48, 68):
            for a in range(max(t, 55), 75):
                for s in range(max(a, 60), 80):
                    pcs = sorted(x % 12 for x in (s, a, t))
                    if (
                        sorted(pcs) != sorted([root, third, fifth])
                        or s - a > 12
                        or a - t > 12
                        or t < b
                        or t == a
                        or a == s
                    ):
                        continue
                    out.append((s, a, t, b))
    return out


def _clean_step(prev, cand, tonic, prev_degree):
    """Independent, stricter cleanliness test: no parallel or contrary perfect intervals, no similar motion
    into a perfect interval in any pair, no crossing or overlap, melodic moves under a tritone or a fifth."""
    for v in range(4):
        d = abs(cand[v] - prev[v])
        if d > 7 or d == 6:
            return False
    for i in range(4):
        for j in range(i + 1, 4):
            a0, a1, b0, b1 = prev[i], cand[i], prev[j], cand[j]
            if a1 < b0 or b1 > a0 or a1 <= b1:
                return False
            before, after = (a0 - b0) % 12, (a1 - b1) % 12
            if after in (0, 7) and (a1 - a0) * (b1 - b0) != 0 and (before == after or (a1 > a0) == (b1 > b0)):
                return False
    lt = (tonic + 11) % 12
    if prev_degree == "V" and prev[0] % 12 == lt and cand[0] != prev[0] + 1:
        return False
    return True


@st.composite
def clean_progressions(draw, min_len=3, max_len=7):
    tonic = draw(st.integers(0, 11))
    n = draw(st.integers(min_len, max_len))
    degrees = ["I"]
    for _ in range(n - 1):
        degrees.append(draw(st.sampled_from(NEXT[degrees[-1]])))
    chords = [draw(st.sampled_from(_voicings(tonic, "I")))]
    for prev_degree, degree in itertools.pairwise(degrees):
        options = [c for c in _voicings(tonic, degree) if _clean_step(chords[-1], c, tonic, prev_degree)]
        assume(options)
        options.sort(key=lambda c: sum(abs(x - y) for x, y in zip(c, chords[-1])))
        chords.append(options[draw(st.integers(0, min(3, len(options) - 1)))])
    return tonic, degrees, chords


def _key(tonic):
    from harmonia.theory.pitch import fifths_to_pc

    fifths = next(f for f in range(-6, 6) if fifths_to_pc(f) == tonic)
    return Key(fifths, "major")


def _found(findings, rule, onset, voices):
    sel = findings[(findings["rule"] == rule) & (findings["onset"] == onset)]
    return any((r["voice_a"], r["voice_b"]) == voices for r in sel)


@given(clean_progressions())
def test_clean_progressions_have_no_findings(prog):
    tonic, _, chords = prog
    f = check_voice_leading(_satb(chords), key=_key(tonic))
    assert f.size == 0, f.tolist()


@given(clean_progressions(), st.sampled_from([-2, -1, 1, 2]))
def test_planted_parallels_are_found(prog, step):
    """Append the last chord moved bodily by a step: every fifth and octave in it moves in parallel."""
    tonic, _, chords = prog
    last = chords[-1]
    planted = [tuple(x + step for x in last)]
    f = check_voice_leading(_satb(chords + planted), key=_key(tonic))
    onset = float(len(chords))
    expected = 0
    for i in range(4):
        for j in range(i + 1, 4):
            ic = (last[i] - last[j]) % 12
            if ic in (0, 7):
                rule = "parallel_octaves" if ic == 0 else "parallel_fifths"
                assert _found(f, rule, onset, (i, j)), (rule, i, j, f.tolist())
                expected += 1
    assert expected >= 2  # a complete triad with a doubled root holds an octave and a fifth
    assert set(f["rule"][f["onset"] < onset].tolist()) == set()


@given(clean_progressions(min_len=2), st.integers(0, 10))
def test_planted_crossing_is_found(prog, where):
    tonic, _, chords = prog
    k = where % len(chords)
    s, a, t, b = chords[k]
    crossed = list(chords)
    crossed[k] = (s, t - 1 if t - 1 > b else t, a + 1, b)  # alto drops below the tenor
    f = check_voice_leading(_satb(crossed), key=_key(tonic), ranges=None, voice_order="label")
    assert _found(f, "voice_crossing", float(k), (1, 2))


def _tonic_chord(tonic, soprano, like):
    """I with the given soprano; the inner voices take the tonic-triad tones nearest ``like``'s."""
    tones = [p for p in range(36, 90) if (p - tonic) % 12 in (0, 4, 7)]
    alto = min((p for p in tones if p < soprano), key=lambda p: abs(p - like[1]))
    tenor = min((p for p in tones if p < alto), key=lambda p: abs(p - like[2]))
    bass = min((p for p in tones if p <= tenor and (p - tonic) % 12 == 0), key=lambda p: abs(p - like[3]))
    return (soprano, alto, tenor, bass)


@given(clean_progressions(min_len=2), st.sampled_from([-4, -7, 5]))
def test_planted_unresolved_leading_tone_is_found(prog, move):
    """End on V -> I with the soprano on the leading tone in V, leaving it other than up a semitone."""
    tonic, _, chords = prog
    lt = (tonic + 11) % 12
    v_chords = [c for c in _voicings(tonic, "V") if c[0] % 12 == lt]
    v = min(v_chords, key=lambda c: sum(abs(x - y) for x, y in zip(c, chords[-1])))
    wrong = _tonic_chord(tonic, v[0] + move, v)
    f = check_voice_leading(_satb([*chords, v, wrong]), key=_key(tonic), rules=["unresolved_leading_tone"])
    assert _found(f, "unresolved_leading_tone", float(len(chords) + 1), (0, -1))
    right = _tonic_chord(tonic, v[0] + 1, v)
    g = check_voice_leading(_satb([*chords, v, right]), key=_key(tonic), rules=["unresolved_leading_tone"])
    assert g.size == 0


@given(st.lists(st.lists(st.integers(36, 84), min_size=4, max_size=4), min_size=2, max_size=12), st.booleans())
def test_rules_kernel_matches_reference(rows, exempt):
    notes = _satb(rows)
    g = voice_grid(notes)
    f = check_voice_leading(g, ranges=None, direct_exempt_step=exempt)
    names = {
        "parallel_fifths", "parallel_octaves", "contrary_fifths", "contrary_octaves", "direct_fifths",
        "direct_octaves", "voice_crossing", "voice_overlap", "spacing", "leap_beyond_octave",
    }  # fmt: skip
    got = {(r["rule"], int(r["onset"]), int(r["voice_a"]), int(r["voice_b"])) for r in f if r["rule"] in names}
    ref = motion_findings(g.pitch.tolist(), g.attack.tolist(), exempt_step=exempt)
    assert got == ref


def test_direct_octave_outer_voices_and_step_exception():
    # soprano leaps E5 -> C6 while the bass rises G2 -> C3: direct octave; by step (B5 -> C6) allowed
    leap = _satb([[76, 67, 60, 43], [84, 67, 64, 48]])
    assert "direct_octaves" in check_voice_leading(leap, ranges=None)["rule"].tolist()
    step = _satb([[83, 67, 62, 43], [84, 67, 64, 48]])
    assert "direct_octaves" not in check_voice_leading(step, ranges=None)["rule"].tolist()
    assert "direct_octaves" in check_voice_leading(step, ranges=None, direct_exempt_step=False)["rule"].tolist()


def test_unison_to_octave_and_contrary_fifths():
    uni = _satb([[60, 60], [62, 50]])  # unison -> octave by contrary motion
    assert check_voice_leading(uni)["rule"].tolist() == ["contrary_octaves"]
    con = _satb([[67, 60], [74, 55]])  # fifth -> twelfth by contrary motion
    assert check_voice_leading(con)["rule"].tolist() == ["contrary_fifths"]


def test_spelled_augmented_second_and_leading_tone_doubling():
    # A harmonic-minor melody F -> G# (augmented second) spelled; and V in C with two Bs
    n = make_note_array([0, 1], 1, [65, 68], spelling=[-1, 8])
    assert check_voice_leading(n)["rule"].tolist() == ["augmented_or_diminished_leap"]
    same = make_note_array([0, 1], 1, [65, 68], spelling=[-1, -4])  # F -> Ab: a minor third
    assert check_voice_leading(same).size == 0
    doubled = _satb([[71, 67, 59, 43]])
    f = check_voice_leading(doubled, key="C")
    assert f["rule"].tolist() == ["doubled_leading_tone"]


def test_seventh_resolves_down_and_range_spacing():
    good = _satb([[71, 67, 65, 43], [72, 67, 64, 48]])
    assert check_voice_leading(good, key="C").size == 0
    wide = _satb([[79, 64, 57, 43]])  # soprano-alto 15 semitones apart
    f = check_voice_leading(wide, ranges=None)
    assert f["rule"].tolist() == ["spacing"]
    low = _satb([[72, 64, 55, 36]])
    f = check_voice_leading(low)
    assert f["rule"].tolist() == ["range"] and f["voice_a"].tolist() == [3]


def test_findings_rows_and_errors():
    f = check_voice_leading(_satb([[72, 53], [74, 55]]))
    assert f.dtype == FINDING_DTYPE
    assert f["severity"].tolist() == ["error"]
    assert (f["measure"][0], f["beat"][0]) == (1, 2.0)
    assert (f["pitch_a_from"][0], f["pitch_a"][0], f["pitch_b_from"][0], f["pitch_b"][0]) == (72, 74, 53, 55)
    with pytest.raises(ValueError, match="unknown rule"):
        check_voice_leading(_satb([[72]]), rules=["parallel_ninths"])
    with pytest.raises(ValueError, match="one range per voice"):
        check_voice_leading(_satb([[72, 60]]), ranges="satb")
    with pytest.raises(ValueError, match="unknown voice"):
        voice_ranges(["kazoo"])
    assert check_voice_leading(make_note_array([], [], [])).size == 0


def test_ranges_file_schema():
    data = json.loads(resources.files("harmonia.theory").joinpath("data/ranges.json").read_text())
    assert {"description", "licence", "groups"} <= set(data)
    from harmonia.theory.pitch import parse_pitch_name

    for group in data["groups"].values():
        assert group["source"]
        for name, r in group["ranges"].items():
            assert set(r) == {"low", "high", "names"}, name
            assert 0 <= r["low"] < r["high"] <= 127
            assert [parse_pitch_name(x)[0] for x in r["names"]] == [r["low"], r["high"]], name
    assert vl_rules._range_data() is vl_rules._range_data()


# --------------------------------------------------------------------------------------------------
# real music: a chorale against music21's VoiceLeadingQuartet
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["bach/bwv26.6", "bach/bwv154.8", "bach/bwv139.6"])
def test_chorale_parallels_agree_with_music21(name):
    music21 = pytest.importorskip("music21")
    from music21.voiceLeading import VoiceLeadingQuartet

    import harmonia
    from harmonia.theory.pitch import pitch_name

    score = harmonia.load(name)
    g = voice_grid(score)
    f = check_voice_leading(g, ranges=None, direct_exempt_step=False)
    ours = {"P5": 0, "P8": 0, "hidden": 0, "crossing": 0}
    theirs = dict.fromkeys(ours, 0)
    for r in f:
        if r["rule"] in ("parallel_fifths", "contrary_fifths"):
            ours["P5"] += 1
        elif r["rule"] in ("parallel_octaves", "contrary_octaves"):
            ours["P8"] += 1  # octaves and unisons, as music21's parallelOctave or parallelUnison
        elif r["rule"] in ("direct_fifths", "direct_octaves"):
            ours["hidden"] += 1
    notes = {}
    for k in range(g.pitch.shape[0]):
        for v in range(g.pitch.shape[1]):
            if g.pitch[k, v] >= 0:
                notes[k, v] = music21.note.Note(pitch_name(int(g.pitch[k, v]), int(g.spelling[k, v])).replace("b", "-"))
    v_n = g.pitch.shape[1]
    for k in range(1, g.pitch.shape[0]):
        for i in range(v_n):
            for j in range(i + 1, v_n):
                if all((kk, vv) in notes for kk in (k - 1, k) for vv in (i, j)):
                    if g.pitch[k - 1, i] == g.pitch[k, i] and g.pitch[k - 1, j] == g.pitch[k, j]:
                        continue
                    q = VoiceLeadingQuartet(notes[k - 1, i], notes[k, i], notes[k - 1, j], notes[k, j])
                    theirs["P5"] += q.parallelFifth()
                    theirs["P8"] += q.parallelOctave() or q.parallelUnison()
                    if i == 0 and j == v_n - 1:
                        theirs["hidden"] += q.hiddenFifth() or q.hiddenOctave()
    if name != "bach/bwv26.6":
        assert ours["P8"] > 0  # chosen because they hold octaves (one a unison to an octave)
    assert ours["P5"] == theirs["P5"]
    assert ours["P8"] == theirs["P8"]
    assert ours["hidden"] == theirs["hidden"]


def test_profile_of_a_chorale():
    import harmonia

    score = harmonia.load("bach/bwv66.6")
    prof = voice_leading_profile(score, key="f#")
    assert prof["n_voices"] == 4
    assert sum(prof["motion"].values()) == pytest.approx(1.0)
    assert 0.5 < prof["cost"]["ratio"] <= 1.0
    assert prof["melodic"]["step"] > prof["melodic"]["leap"]  # chorale voices move mostly by step
    assert prof["suspensions"] >= 1
    assert set(prof["findings"]) <= set(RULES)


# --------------------------------------------------------------------------------------------------
# the workflow behind `harmonia voice-leading FILE [--json]`
# --------------------------------------------------------------------------------------------------
def test_voice_leading_report_is_json_and_separates_unlabelled_music():
    import harmonia
    from harmonia.workflows.voice_leading import format_voice_leading_report, voice_leading_report

    score = harmonia.load("bach/bwv66.6")
    rep = voice_leading_report(score)
    json.dumps(rep, allow_nan=False)
    assert rep["separated"] is False and len(rep["voices"]) == 4
    assert sum(rep["counts"].values()) == len(rep["findings"])
    assert all(f["measure"] >= 0 and f["rule"] in RULES for f in rep["findings"])
    no_key = voice_leading_report(score, key=None)
    assert no_key["key"] is None
    assert not {"unresolved_leading_tone", "unresolved_seventh", "doubled_leading_tone"} & set(no_key["counts"])
    merged = score.notes.copy()
    merged["track"] = 0
    rep2 = voice_leading_report(score.replace(notes=merged))
    assert rep2["separated"] is True and len(rep2["voices"]) == 4
    text = format_voice_leading_report(rep2)
    assert "separated automatically" in text and "motion:" in text


def test_plot_voice_leading_marks_findings():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from harmonia.workflows.voice_leading import plot_voice_leading

    notes = _satb([[72, 67, 64, 53], [74, 69, 65, 55]])
    import harmonia

    ax = plot_voice_leading(harmonia.Score(notes))
    assert len(ax.lines) >= 1 and ax.get_xlabel() == "quarter notes"
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
