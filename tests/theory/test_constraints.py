"""Constraint layers: kernel == reference, properties, rules one by one, vocabularies, instrument table."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonia.errors import ConstraintError, HarmoniaError
from harmonia.theory import instruments
from harmonia.theory.constraints import (
    ChordTones,
    ConstraintSet,
    DrumKit,
    InKey,
    InRange,
    MaxLeap,
    NoParallels,
    OnGrid,
    chord_pc_mask,
    key_pc_mask,
    pc_mask,
)
from harmonia.theory.vocab import TokenVocabulary, pitch_vocabulary
from tests.reference.constraints_reference import reference_apply
from tests.strategies import logits

ROOT = Path(__file__).parent.parent.parent

# a small mixed vocabulary: specials, pitches 40..71, drum keys 35..50, 24 positions (6 per beat), programs
MIXED = TokenVocabulary.from_tokens(
    ["PAD_None", "Bar_None"]
    + [f"Pitch_{p}" for p in range(40, 72)]
    + [f"PitchDrum_{p}" for p in range(35, 51)]
    + [f"Position_{i}" for i in range(24)]
    + ["Program_0", "Program_-1", "Velocity_64", "Duration_1.0.8"],
    positions_per_beat=6,
)
RULE_TYPES = [InKey, ChordTones, InRange, MaxLeap, NoParallels, OnGrid, DrumKit]


@st.composite
def constraint_cases(draw, vocab=MIXED, batch=3):
    """A constraint set (random rules, modes, weights) and a random state for it."""
    chosen = draw(st.lists(st.sampled_from(RULE_TYPES), unique=True, min_size=1, max_size=7))
    rules = []
    for t in chosen:
        kw = {"weight": draw(st.sampled_from([0.0, 0.5, 2.0])), "hard": draw(st.sampled_from([None, True, False]))}
        if t is NoParallels:
            kw["contrary"] = draw(st.booleans())
        rules.append(t(**kw))
    cs = ConstraintSet(rules, vocab=vocab, mode=draw(st.sampled_from(["hard", "soft"])),
                       on_empty=draw(st.sampled_from(["raise", "relax"])))
    state = cs.new_state(batch)
    ints = lambda lo, hi: draw(st.lists(st.integers(lo, hi), min_size=batch, max_size=batch))  # noqa: E731
    state.key_mask[:] = ints(0, 4095)
    state.chord_mask[:] = ints(0, 4095)
    low = np.array(ints(30, 70))
    state.set_range(low, np.minimum(low + np.array(ints(0, 30)), 127))
    state.prev_pitch[:] = ints(-1, 75)
    state.max_leap[:] = ints(-1, 12)
    state.other_prev[:] = ints(-1, 75)
    state.other_pitch[:] = ints(-1, 75)
    state.drum[:] = draw(st.lists(st.sampled_from([0, 0, 1]), min_size=batch, max_size=batch))
    state.set_drum_kit(draw(st.sampled_from(["gm", "basic", (36, 38)])))
    if draw(st.booleans()):
        state.set_grid(draw(st.sampled_from([(4, 4), (3, 4), (6, 8)])), draw(st.sampled_from([(4,), (2, 3), (1,)])))
    return cs, state


def _same(a, b):
    return np.array_equal(a, b, equal_nan=True) and a.dtype == b.dtype


# --------------------------------------------------------------------------------------------------
# kernel == reference; properties
# --------------------------------------------------------------------------------------------------
@settings(max_examples=40)
@given(constraint_cases(), logits(3, MIXED.size))
def test_kernel_matches_reference(case, x):
    cs, state = case
    try:
        expected = reference_apply(cs, x, state)
    except ConstraintError:
        with pytest.raises(ConstraintError, match="row"):
            cs.apply(x, state)
        return
    assert _same(cs.apply(x, state), expected)
    y = x.copy()
    assert cs.apply(y, state, inplace=True) is y and _same(y, expected)


@settings(max_examples=40)
@given(constraint_cases(), logits(3, MIXED.size))
def test_hard_rows_never_empty_and_idempotent(case, x):
    cs, state = case
    try:
        out = cs.apply(x, state)
    except ConstraintError as exc:
        assert cs.on_empty == "raise" and isinstance(exc, (HarmoniaError, ValueError))
        assert "on_empty='relax'" in str(exc)
        return
    for code in (1, 2, 3):  # pitch, drum pitch, position
        sel = MIXED.kind == code
        had = np.any(x[:, sel] > -np.inf, axis=1)
        assert np.all(np.any(out[:, sel] > -np.inf, axis=1) | ~had)
    if all(w in (0.0, np.inf) for w in cs.weights):  # hard (or zero-weight) rules only: a second pass is a no-op
        assert _same(cs.apply(out, state), out)


@settings(max_examples=30)
@given(constraint_cases(), logits(3, MIXED.size))
def test_soft_weight_zero_is_identity(case, x):
    cs, state = case
    zero = ConstraintSet([type(r)(weight=0.0, hard=False) for r in cs.rules], vocab=MIXED, mode="soft")
    assert _same(zero.apply(x, state), x)


# vocabularies whose segments straddle the 64-id words of the hard-mode kernel: REMI-like order, and
# positions first (ids far below their features), drum keys last, a size that is not a multiple of 64
WIDE = TokenVocabulary.from_tokens(
    ["PAD_None", "BOS_None", "Bar_None"] + [f"Pitch_{p}" for p in range(21, 109)]
    + [f"Velocity_{v}" for v in range(0, 128, 4)] + [f"Position_{i}" for i in range(96)]
    + [f"PitchDrum_{p}" for p in range(27, 88)] + [f"Program_{i}" for i in range(-1, 40)],
    positions_per_beat=8,
)
ODD = TokenVocabulary.from_tokens(
    [f"Position_{i}" for i in range(72)] + ["Bar_None"] + [f"Pitch_{p}" for p in range(0, 128)]
    + [f"Duration_{d}.0.8" for d in range(1, 9)] + [f"PitchDrum_{p}" for p in range(35, 82)],
    positions_per_beat=6,
)


@st.composite
def hard_cases(draw):
    """A hard-only set (some rules soft with weight 0) on a wide vocabulary, and a state with extreme values."""
    vocab = draw(st.sampled_from([WIDE, ODD, MIXED]))
    batch = draw(st.integers(1, 5))
    chosen = draw(st.lists(st.sampled_from(RULE_TYPES), unique=True, min_size=1, max_size=7))
    rules = []
    for t in chosen:
        kw = {"contrary": draw(st.booleans())} if t is NoParallels else {}
        rules.append(t(**kw, hard=draw(st.sampled_from([None, None, True, False])), weight=0.0))
    cs = ConstraintSet(rules, vocab=vocab, mode="hard", on_empty=draw(st.sampled_from(["raise", "relax"])))
    state = cs.new_state(batch)
    ints = lambda lo, hi: draw(st.lists(st.integers(lo, hi), min_size=batch, max_size=batch))  # noqa: E731
    every = draw(st.booleans())  # all pitch classes (key, chord) for every row, or random sets
    state.key_mask[:] = 4095 if every else ints(0, 4095)
    state.chord_mask[:] = 4095 if every else ints(0, 4095)
    low = np.array(ints(0, 127))
    state.set_range(low, np.minimum(low + np.array(ints(0, 127)), 127))
    state.prev_pitch[:] = ints(-1, 127)
    state.max_leap[:] = ints(-1, 40)
    # the other voice mostly a fifth, fourth or octave(s) away, so that NoParallels has work
    gap = np.array(draw(st.lists(st.sampled_from([0, 7, -7, 12, -12, 19, 5, 24, 3, 200]), min_size=batch,
                                 max_size=batch)))
    state.other_prev[:] = np.where(gap == 200, ints(-1, 127), np.clip(state.prev_pitch - gap, -1, 127))
    state.other_pitch[:] = np.clip(state.other_prev + np.array(draw(st.lists(st.sampled_from(
        [-12, -3, -2, -1, 0, 1, 2, 3, 12]), min_size=batch, max_size=batch))), -1, 127)
    state.drum[:] = draw(st.lists(st.sampled_from([0, 0, 0, 1]), min_size=batch, max_size=batch))
    state.set_drum_kit(draw(st.sampled_from(["gm", "basic", (36, 38), (81,)])))
    if draw(st.booleans()):
        state.set_grid_mask(np.array(draw(st.lists(st.booleans(), min_size=vocab.n_positions,
                                                   max_size=vocab.n_positions))))
    x = np.asarray(draw(st.lists(st.floats(-20, 20, width=32), min_size=batch * vocab.size,
                                 max_size=batch * vocab.size)), dtype=draw(st.sampled_from([np.float32, np.float64])))
    x = x.reshape(batch, vocab.size)
    masked = draw(st.sampled_from([0.0, 0.3, 0.97, 1.0]))  # share of -inf logits (whole rows at 1.0)
    x[np.random.default_rng(draw(st.integers(0, 99))).random(x.shape) < masked] = -np.inf
    return cs, state, x


@settings(max_examples=120)
@given(hard_cases())
def test_hard_kernel_matches_table_kernel(case):
    """Hard-only sets run the bit-word kernel; it equals the penalty-table kernel, errors and relaxing included."""
    cs, state, x = case
    assert cs._fast
    table = ConstraintSet(cs.rules, vocab=cs.vocab, mode=cs.mode, on_empty=cs.on_empty)
    table._fast = False
    try:
        expected = table.apply(x, state)
    except ConstraintError as exc:
        with pytest.raises(ConstraintError) as got:
            cs.apply(x, state)
        assert str(got.value) == str(exc)
        y = x.copy()
        with pytest.raises(ConstraintError):
            cs.apply(y, state, inplace=True)
        assert _same(y, x)  # nothing written
        return
    assert _same(cs.apply(x, state), expected)
    y = x.copy()
    assert cs.apply(y, state, inplace=True) is y and _same(y, expected)
    if x.shape[0] == 1:
        assert _same(reference_apply(cs, x, state), expected)


def test_hard_intervals_at_word_edges():
    """Ranges and leaps ending on every pitch near the kernel's 64-pitch word edges."""
    edges = [0, 1, 2, 61, 62, 63, 64, 65, 66, 125, 126, 127]
    pairs = [(lo, hi) for lo in edges for hi in edges if lo <= hi]
    vocab = pitch_vocabulary()
    cs = ConstraintSet([InRange()], vocab=vocab)
    s = cs.new_state(len(pairs))
    s.set_range([p[0] for p in pairs], [p[1] for p in pairs])
    got = np.isfinite(cs.apply(np.zeros((len(pairs), 128)), s))
    p = np.arange(128)
    assert np.array_equal(got, np.array([(p >= lo) & (p <= hi) for lo, hi in pairs]))
    cs = ConstraintSet([MaxLeap()], vocab=vocab)
    s = cs.new_state(len(edges) * 4)
    s.prev_pitch[:] = np.repeat(edges, 4)
    s.max_leap[:] = np.tile([0, 1, 2, 63], len(edges))
    got = np.isfinite(cs.apply(np.zeros((s.batch, 128)), s))
    assert np.array_equal(got, np.abs(p - s.prev_pitch[:, None]) <= s.max_leap[:, None])


@settings(max_examples=30)
@given(st.integers(0, 11), st.integers(-11, 11), st.integers(0, 4095), st.integers(0, 4095),
       st.integers(50, 70), st.integers(0, 12), st.booleans(), logits(1, 128, allow_neg_inf=False))
def test_transposition_rolls_the_logits(tonic, t, key, chord, prev, leap, hard, x):
    vocab = pitch_vocabulary()
    cs = ConstraintSet([InKey(), ChordTones(), InRange(), MaxLeap(), NoParallels()], vocab=vocab,
                       mode="hard" if hard else "soft", on_empty="relax")

    def state_for(shift):
        s = cs.new_state(1)
        s.key_mask[:] = pc_mask([pc + shift for pc in range(12) if (key >> pc) & 1])
        s.chord_mask[:] = pc_mask([pc + shift for pc in range(12) if (chord >> pc) & 1])
        s.set_range(40 + shift, 90 + shift)
        s.prev_pitch[:] = prev + shift
        s.max_leap[:] = leap
        s.other_prev[:] = prev - 7 + shift
        s.other_pitch[:] = prev - 5 + shift
        return s

    x[0, :12] = x[0, -12:] = 0.0  # edges roll around: keep them out of the comparison below
    a = cs.apply(x, state_for(0))
    b = cs.apply(np.roll(x, t, axis=1), state_for(t))
    assert _same(np.roll(a, t, axis=1)[0, 20:108], b[0, 20:108])


# --------------------------------------------------------------------------------------------------
# rules one by one
# --------------------------------------------------------------------------------------------------
def _allowed(cs, state, row=0):
    return np.flatnonzero(np.isfinite(cs.apply(np.zeros((state.batch, cs.vocab.size)), state)[row])).tolist()


def test_masks_and_chords():
    assert key_pc_mask("Eb") == pc_mask([3, 5, 7, 8, 10, 0, 2])
    assert key_pc_mask("C", "minor") == key_pc_mask("Eb")
    assert chord_pc_mask("G7") == pc_mask([7, 11, 2, 5])
    assert chord_pc_mask("C/Bb") == pc_mask([0, 4, 7, 10])
    assert chord_pc_mask("Am7", tensions="available") == pc_mask([9, 0, 4, 7, 11, 2, 6])  # 9, 11 and 13
    assert chord_pc_mask("C", tensions="all") == 0xFFF
    with pytest.raises(ValueError, match="tensions"):
        chord_pc_mask("C", tensions="some")
    with pytest.raises(ValueError, match="quality"):
        chord_pc_mask((0, "mystery"))


def test_parallel_fifths_and_octaves():
    cs = ConstraintSet([NoParallels()], vocab=pitch_vocabulary())
    s = cs.new_state(1)
    s.prev_pitch[:], s.other_prev[:], s.other_pitch[:] = 67, 60, 62  # G over C, bass moves up to D
    forbidden = sorted(set(range(128)) - set(_allowed(cs, s)))
    assert forbidden == [69, 81, 93, 105, 117]  # A above D (fifths by similar motion), compound too
    cs2 = ConstraintSet([NoParallels(contrary=True)], vocab=pitch_vocabulary())
    s2 = cs2.new_state(1)
    s2.data[:] = s.data
    assert 55 not in _allowed(cs2, s2) and 55 in _allowed(cs, s)  # G below D: fifths by contrary motion
    s.prev_pitch[:] = 72  # octave above C -> octave above D
    assert 74 not in _allowed(cs, s) and 62 in _allowed(cs, s) and 86 not in _allowed(cs, s)
    s.other_pitch[:] = 60  # the other voice holds: no parallels possible
    assert len(_allowed(cs, s)) == 128


def test_leap_range_and_program():
    cs = ConstraintSet([InRange(program=73), MaxLeap(2)], vocab=pitch_vocabulary())
    s = cs.new_state(2)
    s.prev_pitch[:] = [61, -1]
    assert _allowed(cs, s, 0) == [60, 61, 62, 63]
    assert _allowed(cs, s, 1) == list(range(60, 92))  # flute, comfortable
    s.set_program(73, kind="absolute", rows=[1])
    assert _allowed(cs, s, 1) == list(range(60, 97))
    with pytest.raises(ValueError, match="0-127"):
        s.set_program(300)


def test_triplet_grid_and_meter():
    v = TokenVocabulary.from_tokens([f"Position_{i}" for i in range(48)], positions_per_beat=12)
    cs = ConstraintSet([OnGrid(subdivisions=(4, 3))], vocab=v)
    s = cs.new_state(1)
    assert _allowed(cs, s)[:8] == [0, 3, 4, 6, 8, 9, 12, 15]
    s.set_grid((6, 8), (2,))  # eighths in 6/8: 6 per bar, a beat (eighth) = 12 positions
    assert _allowed(cs, s) == [0, 12, 24, 36]


def test_drum_rows_and_drum_tokens():
    cs = ConstraintSet([InKey("C"), DrumKit("basic")], vocab=MIXED)
    s = cs.new_state(2)
    s.set_program([-1, 0])
    assert s.drum.tolist() == [1, 0]
    pitch_ids = MIXED.ids("pitch")
    a0, a1 = set(_allowed(cs, s, 0)), set(_allowed(cs, s, 1))
    drum_pitches = {int(MIXED.value[i]) for i in pitch_ids if i in a0}
    assert drum_pitches == set(instruments.DRUM_KITS["basic"]) & set(range(40, 72))  # kit, not key
    assert {int(MIXED.value[i]) % 12 for i in pitch_ids if i in a1} == {0, 2, 4, 5, 7, 9, 11}
    assert {int(MIXED.value[i]) for i in MIXED.ids("drum_pitch") if i in a1} == {35, 36, 37, 38, 39, 40, 41, 42,
                                                                                 43, 44, 45, 46, 47, 48, 49, 50}
    others = [i for i in range(MIXED.size) if MIXED.kind[i] in (0, 4, 5, 6, 7)]
    assert set(others) <= a0 and set(others) <= a1  # non-pitch tokens untouched


def test_empty_rows_raise_or_relax():
    vocab = pitch_vocabulary()
    rules = [InRange(60, 72), InKey(), MaxLeap(1)]
    cs = ConstraintSet(rules, vocab=vocab)
    s = cs.new_state(2)
    s.key_mask[:] = pc_mask([6])  # F# only
    s.prev_pitch[:] = [66, 60]  # row 1: F# is 6 semitones away
    x = np.zeros((2, 128), np.float32)
    with pytest.raises(ConstraintError, match=r"row 1: .*InRange, InKey, MaxLeap.*no pitch token"):
        cs.apply(x, s)
    y = x.copy()
    with pytest.raises(ConstraintError):
        cs.apply(y, s, inplace=True)
    assert np.array_equal(y, x)  # nothing written
    relaxed = ConstraintSet(rules, vocab=vocab, on_empty="relax").apply(x, s)
    assert np.flatnonzero(np.isfinite(relaxed[1])).tolist() == [66]  # MaxLeap (last) dropped
    assert np.flatnonzero(np.isfinite(relaxed[0])).tolist() == [66]
    # a row that arrives masked is not the layer's doing
    x[1] = -np.inf
    assert np.all(ConstraintSet(rules, vocab=vocab).apply(x, s)[1] == -np.inf)


def test_validation_and_soft_values():
    vocab = pitch_vocabulary()
    with pytest.raises(ValueError, match="one rule of each type"):
        ConstraintSet([InKey(), InKey()], vocab=vocab)
    with pytest.raises(ValueError, match="weight"):
        ConstraintSet([InKey(weight=-1.0)], vocab=vocab)
    with pytest.raises(TypeError):
        ConstraintSet([InKey()], vocab="remi")
    cs = ConstraintSet([InKey("C", weight=1.5), InRange(0, 100, hard=True)], vocab=vocab, mode="soft")
    s = cs.new_state(1)
    with pytest.raises(ValueError, match="shape"):
        cs.apply(np.zeros((2, 128)), s)
    out = cs.apply(np.zeros((1, 128)), s)
    assert out[0, 60] == 0 and out[0, 61] == -1.5 and out[0, 101] == -np.inf
    assert out.dtype == np.float64 and cs.apply(np.zeros((1, 128), np.int32), s).dtype == np.float64
    assert cs.penalties(s)[0, 61] == 1.5 and not cs.allowed(s)[0, 101]


# --------------------------------------------------------------------------------------------------
# vocabularies, instruments
# --------------------------------------------------------------------------------------------------
def test_remi_vocabulary_maps_ids():
    miditok = pytest.importorskip("miditok")
    tok = miditok.REMI(miditok.TokenizerConfig(use_programs=True))
    v = TokenVocabulary.from_miditok(tok, size=512)
    assert v.size == 512 and TokenVocabulary.from_miditok(tok, size=512) is v
    for name, i in tok.vocab.items():
        typ, _, val = name.partition("_")
        kind = {"Pitch": "pitch", "PitchDrum": "drum_pitch", "Position": "position", "Program": "program",
                "Velocity": "velocity", "Duration": "duration", "Bar": "bar"}.get(typ, "other")
        assert v.kinds()[i] == kind, name
        if kind in ("pitch", "drum_pitch", "position", "program", "velocity"):
            assert v.value[i] == int(val)
    cs = ConstraintSet([InKey("C"), OnGrid()], vocab=v)
    s = cs.new_state(1)
    out = cs.apply(np.zeros((1, 512), np.float32), s)
    ok = {name for name, i in tok.vocab.items() if np.isfinite(out[0, i])}
    assert "Pitch_60" in ok and "Pitch_61" not in ok and "Position_2" in ok and "Position_3" not in ok
    assert "Position_32" not in ok  # beyond a 4/4 bar at 8 positions per beat
    assert {"Bar_None", "Program_-1", "Velocity_63", "PitchDrum_61"} <= ok  # PitchDrum 61 is in the GM kit


def test_ranges_file_extension_schema():
    data = json.loads(resources.files("harmonia.theory").joinpath("data/ranges.json").read_text())
    schema = json.loads(resources.files("harmonia.theory").joinpath("data/ranges.schema.json").read_text())
    assert data["schema"] == "ranges.schema.json" and set(schema["required"]) <= set(data)
    named = {n for g in data["groups"].values() for n in g["ranges"]}
    assert set(data["comfortable"]["ranges"]) <= named
    progs = data["general_midi"]["programs"]
    assert [p["program"] for p in progs] == list(range(128)) and len(data["general_midi"]["families"]) == 16
    for p in progs:
        assert ("instrument" in p) != ("absolute" in p), p
        if "instrument" in p:
            assert p["instrument"] in named
    comf = instruments.program_range_table()
    absolute = instruments.program_range_table(kind="absolute")
    assert np.all(absolute[:, 0] <= comf[:, 0]) and np.all(comf[:, 0] < comf[:, 1])
    assert np.all(comf[:, 1] <= absolute[:, 1])
    if importlib.util.find_spec("jsonschema"):
        import jsonschema

        jsonschema.validate(data, schema)


def test_instrument_lookups():
    assert instruments.program_range(0, kind="absolute") == (21, 108)
    assert instruments.instrument_range("soprano") == (60, 79)
    assert instruments.gm_program_name(127) == "Gunshot" and instruments.gm_family(127) == "Sound Effects"
    with pytest.raises(ValueError, match="unknown instrument"):
        instruments.instrument_range("kazoo")
    with pytest.raises(ValueError, match="drum kit"):
        instruments.drum_kit_pitches("jazz")
    with pytest.raises(ValueError, match="no pitch range"):
        instruments.program_range(-1)


def test_example_sampling_is_fully_compliant():
    spec = importlib.util.spec_from_file_location("constrained_sampling", ROOT / "examples" / "constrained_sampling.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    free = mod.sample(constrained=False, steps=150, batch=4)
    hard = mod.sample(constrained=True, steps=150, batch=4)
    assert free["out_of_key"] > 0.2 and free["out_of_range"] > 0.2 and free["off_grid"] > 0.2
    assert hard["out_of_key"] == hard["out_of_range"] == hard["off_grid"] == hard["big_leaps"] == 0.0
