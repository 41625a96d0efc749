"""Voice-leading rule checks for any texture of labelled voices.

The texture is read as a :class:`~harmonia.theory.voiceleading.VoiceGrid` (one column per voice,
highest first, one row per onset).  A *move* is a step between consecutive onsets in which a voice
changes pitch; two voices move together when both sound at both onsets.  Intervals are measured in
semitones (compound intervals reduce by octaves); spellings, when present, only matter for the
augmented and diminished melodic intervals.

Rules (``rule`` name, default severity):

``parallel_fifths`` (error), ``parallel_octaves`` (error)
    Two voices move in the same direction from a perfect fifth (or twelfth ...) to another, or from
    an octave or unison to another octave or unison (so unison to octave counts).
``contrary_fifths``, ``contrary_octaves`` (warning)
    The same consecutive perfect intervals reached by contrary motion (fifth to twelfth ...).
``direct_fifths``, ``direct_octaves`` (warning)
    Outer voices (highest and lowest sounding) reach a fifth or octave by similar motion from another
    interval, the upper voice leaping (``direct_exempt_step=False`` also reports the stepwise cases).
``voice_crossing`` (warning)
    A higher voice sounds below a lower one, reported at each onset where one of them strikes a note.
``voice_overlap`` (warning)
    Adjacent voices: the lower moves above the upper's previous note, or the upper below the lower's.
``spacing`` (warning)
    Adjacent upper voices (the bass excluded) more than an octave apart.
``range`` (warning)
    A note outside its voice's range (SATB by default for four voices; see :func:`voice_ranges`).
``leap_beyond_octave``, ``augmented_or_diminished_leap`` (warning)
    Melodic leaps larger than an octave; augmented or diminished melodic intervals (by spelling, the
    chromatic semitone excepted; tritones when spelling is unknown).
``unresolved_leading_tone`` (warning)
    In an outer voice (``leading_tone_voices="all"``: any voice), the leading tone of a dominant
    sonority (one holding the leading tone with the dominant, or with scale degrees 2 and 4) moves on
    to a sonority holding the tonic but not the leading tone, without rising a semitone.
``unresolved_seventh`` (warning)
    The seventh of a seventh chord (dominant, also without its fifth; complete minor, half-diminished
    and major sevenths; the diminished seventh built on the key's leading tone), still a seventh of
    the sonority sounding when it moves, moves to a new harmony other than down by step.  (A seventh
    chord dissolved by motion in other voices before the seventh moves is not checked: passing sevenths
    and added sixths are too often read that way.)
``doubled_leading_tone`` (warning)
    Two voices sound the leading tone of a dominant sonority.

Examples
--------
>>> from harmonia.theory.notearray import make_note_array
>>> # soprano and bass: C5/F3 -> D5/G3, parallel fifths (twelfths)
>>> n = make_note_array([0, 0, 1, 1], 1, [72, 53, 74, 55], track=[0, 1, 0, 1])
>>> f = check_voice_leading(n)
>>> f[["rule", "onset", "measure", "beat"]].tolist()
[('parallel_fifths', 1.0, 1, 2.0)]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from numba import njit

from harmonia.theory import timemap
from harmonia.theory.key import Key, parse_key
from harmonia.theory.voiceleading import VoiceGrid, voice_grid

__all__ = ["FINDING_DTYPE", "RULES", "SEVERITY", "check_voice_leading", "voice_ranges"]

#: Rule names, in the order of their codes.
RULES = (
    "parallel_fifths",
    "parallel_octaves",
    "contrary_fifths",
    "contrary_octaves",
    "direct_fifths",
    "direct_octaves",
    "voice_crossing",
    "voice_overlap",
    "spacing",
    "range",
    "leap_beyond_octave",
    "augmented_or_diminished_leap",
    "unresolved_leading_tone",
    "unresolved_seventh",
    "doubled_leading_tone",
)
#: Default severity of each rule.
SEVERITY = {r: ("error" if r.startswith("parallel") else "warning") for r in RULES}

#: One row per finding.  ``voice_a``/``voice_b`` are grid columns (0 = highest voice; -1 when the rule
#: concerns one voice), ``track_a``/``track_b`` their tracks; ``pitch_a_from`` -> ``pitch_a`` and
#: ``pitch_b_from`` -> ``pitch_b`` the MIDI pitches involved (-1 when not applicable).  ``onset`` is
#: where the fault sounds (the arrival of a motion), in quarter notes; ``measure`` and ``beat`` count from 1.
FINDING_DTYPE = np.dtype(
    [
        ("rule", "U28"),
        ("severity", "U7"),
        ("onset", "<f8"),
        ("measure", "<i4"),
        ("beat", "<f8"),
        ("voice_a", "<i2"),
        ("voice_b", "<i2"),
        ("track_a", "<i2"),
        ("track_b", "<i2"),
        ("pitch_a_from", "<i2"),
        ("pitch_a", "<i2"),
        ("pitch_b_from", "<i2"),
        ("pitch_b", "<i2"),
    ]
)

# templates (third, fifth, seventh) above a root; the first (dominant seventh) may lack its fifth
_SEVENTHS = np.array([[4, 7, 10], [3, 7, 10], [3, 6, 10], [4, 7, 11]], dtype=np.int64)


@lru_cache(maxsize=1)
def _range_data() -> dict[str, Any]:
    text = resources.files("harmonia.theory").joinpath("data/ranges.json").read_text(encoding="utf-8")
    return json.loads(text)["groups"]


def voice_ranges(names: Sequence[str] | str = "satb") -> np.ndarray:
    """Ranges (lowest, highest MIDI pitch) of named voices or instruments.

    Parameters
    ----------
    names : str or sequence of str
        ``"satb"`` for soprano, alto, tenor, bass; or names from ``harmonia/theory/data/ranges.json``
        (``"soprano"``, ``"violin"``, ``"cello"``, ``"double_bass"``, ``"piano"`` ...).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(names), 2)``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones).

    Examples
    --------
    >>> voice_ranges("satb").tolist()
    [[60, 79], [55, 74], [48, 67], [40, 60]]
    >>> voice_ranges(["violin", "cello"]).tolist()
    [[55, 100], [36, 81]]
    """
    groups = _range_data()
    table = {name: r for g in groups.values() for name, r in g["ranges"].items()}
    if isinstance(names, str):
        names = list(groups["satb"]["ranges"]) if names == "satb" else [names]
    out = []
    for name in names:
        if name not in table:
            raise ValueError(f"unknown voice or instrument {name!r}; known: 'satb', {sorted(table)}")
        out.append((table[name]["low"], table[name]["high"]))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


@njit(cache=True)
def _mask(row):  # pragma: no cover - compiled
    m = 0
    for x in row:
        if x >= 0:
            m |= 1 << (x % 12)
    return m


@njit(cache=True)
def _has(m, pc):  # pragma: no cover - compiled
    return (m >> (pc % 12)) & 1 == 1


@njit(cache=True)
def _seventh_pc(m, lt):  # pragma: no cover - compiled
    """Pitch class of the chordal seventh of the sonority with pc mask m, or -1."""
    for r in range(12):
        if not _has(m, r):
            continue
        for t in range(_SEVENTHS.shape[0]):
            third, fifth, seventh = _SEVENTHS[t, 0], _SEVENTHS[t, 1], _SEVENTHS[t, 2]
            allowed = (1 << r) | (1 << ((r + third) % 12)) | (1 << ((r + fifth) % 12)) | (1 << ((r + seventh) % 12))
            complete = t == 0 or _has(m, r + fifth)  # only the dominant seventh often drops its fifth
            if m & ~allowed == 0 and _has(m, r + third) and _has(m, r + seventh) and complete:
                return (r + seventh) % 12
    if lt >= 0:
        dim = (1 << lt) | (1 << ((lt + 3) % 12)) | (1 << ((lt + 6) % 12)) | (1 << ((lt + 9) % 12))
        if m == dim:
            return (lt + 9) % 12
    return -1


@njit(cache=True)
def _dominant(m, tonic):  # pragma: no cover - compiled
    lt = (tonic + 11) % 12
    return _has(m, lt) and (_has(m, tonic + 7) or (_has(m, tonic + 2) and _has(m, tonic + 5)))


@njit(cache=True)
def _rules_kernel(p, att, sp, tonic, lo, hi, exempt_step, lt_all):  # pragma: no cover - compiled
    k_n, v_n = p.shape
    cap = 16 + k_n * (2 * v_n * v_n + 6 * v_n)
    out = np.empty((cap, 8), dtype=np.int64)
    n = 0
    masks = np.empty(k_n, dtype=np.int64)
    for k in range(k_n):
        masks[k] = _mask(p[k])
    for k in range(k_n):
        # lowest and highest sounding voices now and next
        top, bot = -1, -1
        for v in range(v_n):
            if p[k, v] >= 0:
                if top < 0:
                    top = v
                bot = v
        # --- verticality rules -----------------------------------------------------------------
        for i in range(v_n):
            a = p[k, i]
            if a < 0:
                continue
            if att[k, i] and lo[i] >= 0 and (a < lo[i] or a > hi[i]):
                out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 9, k, i, -1
                out[n, 4], out[n, 5], out[n, 6], out[n, 7] = -1, a, -1, -1
                n += 1
            for j in range(i + 1, v_n):
                b = p[k, j]
                if b < 0 or not (att[k, i] or att[k, j]):
                    continue
                if a < b:
                    out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 6, k, i, j
                    out[n, 4], out[n, 5], out[n, 6], out[n, 7] = -1, a, -1, b
                    n += 1
            # spacing: next sounding voice below i, if it is not the bass
            j = i + 1
            while j < v_n and p[k, j] < 0:
                j += 1
            if j < v_n and j != bot and p[k, i] - p[k, j] > 12 and (att[k, i] or att[k, j]):
                out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 8, k, i, j
                out[n, 4], out[n, 5], out[n, 6], out[n, 7] = -1, a, -1, p[k, j]
                n += 1
        t = tonic[k]
        if t >= 0 and _dominant(masks[k], t):
            lt = (t + 11) % 12
            first = -1
            struck = False
            for v in range(v_n):
                if p[k, v] >= 0 and p[k, v] % 12 == lt:
                    struck = struck or att[k, v]
                    if first < 0:
                        first = v
                    elif struck:
                        out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 14, k, first, v
                        out[n, 4], out[n, 5], out[n, 6], out[n, 7] = -1, p[k, first], -1, p[k, v]
                        n += 1
                        break
        if k == 0:
            continue
        # --- melodic rules (arrival at k) ------------------------------------------------------------
        for v in range(v_n):
            a0, a1 = p[k - 1, v], p[k, v]
            if a0 < 0 or a1 < 0 or not att[k, v]:
                continue
            d = a1 - a0
            if abs(d) > 12:
                out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 10, k, v, -1
                out[n, 4], out[n, 5], out[n, 6], out[n, 7] = a0, a1, -1, -1
                n += 1
            s0, s1 = sp[k - 1, v], sp[k, v]
            if s0 != -128 and s1 != -128:
                df = s1 - s0
                bad = d != 0 and abs(df) >= 6 and df % 7 != 0
            else:
                bad = abs(d) % 12 == 6
            if bad:
                out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 11, k, v, -1
                out[n, 4], out[n, 5], out[n, 6], out[n, 7] = a0, a1, -1, -1
                n += 1
        # --- pair motion rules (k-1 -> k) ------------------------------------------------------------
        ptop, pbot = -1, -1
        for v in range(v_n):
            if p[k - 1, v] >= 0:
                if ptop < 0:
                    ptop = v
                pbot = v
        for i in range(v_n):
            a0, a1 = p[k - 1, i], p[k, i]
            if a0 < 0 or a1 < 0:
                continue
            for j in range(i + 1, v_n):
                b0, b1 = p[k - 1, j], p[k, j]
                if b0 < 0 or b1 < 0 or (a0 == a1 and b0 == b1):
                    continue
                da, db = a1 - a0, b1 - b0
                iv0, iv1 = abs(a0 - b0) % 12, abs(a1 - b1) % 12
                code = -1
                if da != 0 and db != 0:
                    if (da > 0) == (db > 0):
                        if iv0 == 7 and iv1 == 7:
                            code = 0
                        elif iv0 == 0 and iv1 == 0:
                            code = 1
                        elif (
                            i == top
                            and i == ptop
                            and j == bot
                            and j == pbot
                            and (iv1 == 7 or iv1 == 0)
                            and iv0 != iv1
                            and not (exempt_step and abs(da) <= 2)
                        ):
                            code = 4 if iv1 == 7 else 5
                    else:
                        if iv0 == 7 and iv1 == 7:
                            code = 2
                        elif iv0 == 0 and iv1 == 0:
                            code = 3
                if code >= 0:
                    out[n, 0], out[n, 1], out[n, 2], out[n, 3] = code, k, i, j
                    out[n, 4], out[n, 5], out[n, 6], out[n, 7] = a0, a1, b0, b1
                    n += 1
                # overlap: adjacent sounding voices only
                adjacent = True
                for w in range(i + 1, j):
                    if p[k - 1, w] >= 0 or p[k, w] >= 0:
                        adjacent = False
                        break
                if adjacent and (b1 > a0 or a1 < b0):
                    out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 7, k, i, j
                    out[n, 4], out[n, 5], out[n, 6], out[n, 7] = a0, a1, b0, b1
                    n += 1
        # --- resolutions: a note of voice v that ends at k-1 and moves at k ------------------------------
        t = tonic[k - 1]
        if t < 0:
            continue
        lt = (t + 11) % 12
        for v in range(v_n):
            a0, a1 = p[k - 1, v], p[k, v]
            if a0 < 0 or a1 < 0 or a0 == a1:
                continue
            # leading tone
            if a0 % 12 == lt and (lt_all or v == ptop or v == pbot) and _dominant(masks[k - 1], t):
                arrive = _has(masks[k], t) and not _has(masks[k], lt)
                if arrive and a1 - a0 != 1:
                    out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 12, k, v, -1
                    out[n, 4], out[n, 5], out[n, 6], out[n, 7] = a0, a1, -1, -1
                    n += 1
            # chordal seventh: the note is the seventh of the sonority just before it moves
            seventh_mask = -1
            if _seventh_pc(masks[k - 1], lt) == a0 % 12:
                seventh_mask = masks[k - 1]
            if seventh_mask >= 0 and masks[k] != seventh_mask and not 1 <= a0 - a1 <= 2:
                out[n, 0], out[n, 1], out[n, 2], out[n, 3] = 13, k, v, -1
                out[n, 4], out[n, 5], out[n, 6], out[n, 7] = a0, a1, -1, -1
                n += 1
    return out[:n]


def _key_per_onset(key: Any, onsets: np.ndarray) -> np.ndarray:
    """Tonic pitch class at each onset (-1 without a key)."""
    if key is None:
        return np.full(onsets.size, -1, dtype=np.int64)
    if isinstance(key, (str, Key)):
        return np.full(onsets.size, parse_key(key).tonic_pc, dtype=np.int64)
    try:
        regions = sorted((float(t), parse_key(k)) for t, k in key)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"key must be a Key, a key name such as 'f#' or 'Bb', or a sequence of (onset_qn, key); got {key!r}"
        ) from exc
    if not regions:
        return np.full(onsets.size, -1, dtype=np.int64)
    starts = np.array([t for t, _ in regions])
    tonics = np.array([k.tonic_pc for _, k in regions], dtype=np.int64)
    idx = np.searchsorted(starts, onsets + 1e-9, side="right") - 1
    return np.where(idx >= 0, tonics[np.clip(idx, 0, None)], -1)


def check_voice_leading(
    notes: Any,
    *,
    key: Any = None,
    ranges: Any = "auto",
    bars: np.ndarray | None = None,
    direct_exempt_step: bool = True,
    leading_tone_voices: str = "outer",
    rules: Sequence[str] | None = None,
    voice_order: str = "pitch",
) -> np.ndarray:
    """Check a texture against the common-practice voice-leading rules.

    Parameters
    ----------
    notes : note array, Score or VoiceGrid
        Voices are told apart by ``(track, voice)`` and ordered by mean pitch, highest first.
    key : Key, str, sequence of (onset_qn, key), or None
        The key (or key regions) for the leading-tone and seventh rules; None skips those rules.
    ranges : "auto", "satb", None, or a sequence of names or (low, high) pairs
        One range per voice, highest first.  ``"auto"``: SATB for four voices, no range check otherwise.
    bars : numpy.ndarray, optional
        A bar table (:data:`~harmonia.theory.timemap.BAR_DTYPE`) for measure and beat; by default the
        Score's own (``notes.bar_table()``), else 4/4 bars from onset 0.
    direct_exempt_step : bool, default True
        Allow direct fifths and octaves when the upper voice moves by step (the textbook exception).
    leading_tone_voices : {"outer", "all"}, default "outer"
        Which voices must resolve the leading tone (inner voices may leave it at cadences).
    rules : sequence of str, optional
        Keep only these rules (names from :data:`RULES`).
    voice_order : {"pitch", "label"}, default "pitch"
        How voices are ranked from the top (see :func:`~harmonia.theory.voiceleading.voice_grid`).

    Returns
    -------
    numpy.ndarray
        Rows of :data:`FINDING_DTYPE` sorted by onset, then rule.

    Raises
    ------
    ValueError
        For an unknown rule, range name, ``leading_tone_voices`` value or key.

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> # S A T B: V7 -> I in C with the seventh (F4 in the tenor) rising to G4
    >>> n = make_note_array([0] * 4 + [1] * 4, 1, [71, 67, 65, 43, 72, 67, 67, 48], track=[0, 1, 2, 3] * 2)
    >>> check_voice_leading(n, key="C")[["rule", "voice_a", "pitch_a_from", "pitch_a"]].tolist()
    [('unresolved_seventh', 2, 65, 67)]
    """
    if leading_tone_voices not in ("outer", "all"):
        raise ValueError(f"leading_tone_voices must be 'outer' or 'all', got {leading_tone_voices!r}")
    if rules is not None:
        unknown = sorted(set(rules) - set(RULES))
        if unknown:
            raise ValueError(f"unknown rule(s) {unknown}; known: {list(RULES)}")
    if bars is None and hasattr(notes, "bar_table") and not isinstance(notes, VoiceGrid):
        bars = notes.bar_table()
    g = notes if isinstance(notes, VoiceGrid) else voice_grid(notes, voice_order=voice_order)
    v_n = g.pitch.shape[1]
    lo = np.full(v_n, -1, dtype=np.int64)
    hi = np.full(v_n, 128, dtype=np.int64)
    if isinstance(ranges, str) and ranges == "auto":
        ranges = "satb" if v_n == 4 else None
    if ranges is not None:
        if isinstance(ranges, str):
            table = voice_ranges(ranges)
        else:
            table = np.array(
                [voice_ranges(r)[0] if isinstance(r, str) else tuple(r) for r in ranges], dtype=np.int64
            ).reshape(-1, 2)
        if table.shape[0] != v_n:
            raise ValueError(f"got {table.shape[0]} ranges for {v_n} voices; give one range per voice, highest first")
        lo, hi = table[:, 0].copy(), table[:, 1].copy()
    tonic = _key_per_onset(key, g.onsets)
    raw = _rules_kernel(
        g.pitch.astype(np.int64),
        g.attack,
        g.spelling.astype(np.int64),
        tonic,
        lo,
        hi,
        bool(direct_exempt_step),
        leading_tone_voices == "all",
    )
    if rules is not None:
        keep = np.isin(raw[:, 0], [RULES.index(r) for r in rules])
        raw = raw[keep]
    raw = raw[np.lexsort((raw[:, 3], raw[:, 2], raw[:, 0], raw[:, 1]))]
    out = np.zeros(raw.shape[0], dtype=FINDING_DTYPE)
    if raw.shape[0] == 0:
        return out
    names = np.array(RULES)
    out["rule"] = names[raw[:, 0]]
    out["severity"] = np.array([SEVERITY[r] for r in RULES])[raw[:, 0]]
    onset = g.onsets[raw[:, 1]]
    out["onset"] = onset
    if bars is None:
        bars = timemap.bar_table(np.array([(0.0, 4, 4)], dtype=timemap.TIME_SIGNATURE_DTYPE), until_qn=1.0)
    measure, beat = timemap.qn_to_bar_beat(onset, bars)
    out["measure"], out["beat"] = measure, beat
    out["voice_a"], out["voice_b"] = raw[:, 2], raw[:, 3]
    out["track_a"] = g.labels[raw[:, 2], 0]
    out["track_b"] = np.where(raw[:, 3] >= 0, g.labels[np.maximum(raw[:, 3], 0), 0], -1)
    out["pitch_a_from"], out["pitch_a"] = raw[:, 4], raw[:, 5]
    out["pitch_b_from"], out["pitch_b"] = raw[:, 6], raw[:, 7]
    return out
