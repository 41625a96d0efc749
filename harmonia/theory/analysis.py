"""Harmonic analysis of a whole score: chords, local keys, numerals, cadences, harmonic rhythm.

The pipeline, each step a function of its own module:

1. :func:`~harmonia.theory.slices.salami_slices` cuts the music at every onset and offset;
2. :func:`~harmonia.theory.segment.segment_chords` groups slices into chord spans and labels them
   (root, quality, bass), weighting notes by duration and letting metric strength decide where harmonies
   may change;
3. :func:`~harmonia.theory.localkey.decode_keys` finds the local key of every span with an HMM over the 24
   keys (Temperley's key profiles plus a chord-in-key term, and a cost per modulation), so that a lone
   applied chord stays a tonicization (``V/V``) while a confirmed new key becomes a modulation; a new key
   must hold at least :data:`MIN_KEY_HARMONIES` harmonies, and music that repeats its harmony in 4- and
   8-bar units (songs) gets a prior for its home key (:data:`HOME_PRIOR`), since a song's key persists.
   The home key of such music also weighs where its tonic sits: the chords that open and close its
   4-bar units (cadential arrivals from the dominant count double) and the bass's time on each pitch
   class (:data:`TONIC_WEIGHT`), so a dorian i-IV loop is in its minor tonic, not its relative major.
   In dominant-seventh saturated harmony (blues, funk) a dominant seventh counts as its major triad with
   a colour seventh (:data:`DOM7_SATURATION`), so a blues I7 is a tonic, not V7 of IV [1]_ [2]_;
   bVII in major and bII in minor count as modal chords of the key (mixolydian, phrygian);
4. :func:`~harmonia.theory.roman.analyze_pcs` names each span's chord in its local key (the reading a
   teacher prefers), falling back to :func:`~harmonia.theory.roman.chord_numeral` for other chords;
5. cadences are read at phrase ends (fermatas when the score has them, else long melodic notes and rests)
   from the last two harmonies, the bass and the soprano;
6. harmonic rhythm counts chord changes per bar and where in the bar they fall;
7. non-chord tones are classified from each voice's melodic motion around them.

The chord names do not change with these key rules: a blues tonic seventh is still named ``V7/IV`` in
the tonic's major key (RomanText's ``I7`` in major is a major seventh).

:func:`analyze_notes` returns plain structured arrays; :class:`harmonia.symbolic.analysis.Analysis` wraps
them with tables, RomanText and MusicXML export.

References
----------
.. [1] T. de Clercq and D. Temperley, "A corpus analysis of rock harmony", *Popular Music* 30(1), 2011,
   47-70. https://doi.org/10.1017/S026114301000067X (rock harmony's chord statistics: IV and bVII as
   common as V, tonics that need no dominant).
.. [2] N. Biamonte, "Triadic modal and pentatonic patterns in rock music", *Music Theory Spectrum* 32(2),
   2010, 95-110. https://doi.org/10.1525/mts.2010.32.2.95 (modal chord loops of rock, heard in their
   modal tonic).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harmonia.errors import RomanNumeralError
from harmonia.theory import localkey, roman, timemap
from harmonia.theory.key import Key, key_profile
from harmonia.theory.notearray import NO_SPELLING, TIME_SIGNATURE_DTYPE, as_note_array
from harmonia.theory.segment import default_vocabulary, runs, segment_chords
from harmonia.theory.slices import salami_slices

__all__ = [
    "CADENCE_DTYPE",
    "CHORD_DTYPE",
    "HARMONIC_RHYTHM_DTYPE",
    "KEY_DTYPE",
    "NCT_DTYPE",
    "TEMPERLEY_PRESENCE",
    "analyze_notes",
]

#: Temperley's (2007) probabilities that each scale degree sounds in a segment (Kostka-Payne corpus),
#: used as the key HMM's pitch evidence.
TEMPERLEY_PRESENCE = key_profile("temperley-kostka-payne")

#: One row per chord span.
CHORD_DTYPE = np.dtype(
    [
        ("onset", "<f8"),
        ("offset", "<f8"),
        ("measure", "<i4"),
        ("beat", "<f8"),
        ("root_pc", "i1"),
        ("root_fifths", "i1"),
        ("quality", "U6"),
        ("inversion", "i1"),
        ("bass_pc", "i1"),
        ("pc_mask", "<u2"),
        ("key_tonic_fifths", "i1"),
        ("key_mode", "i1"),  # 0 major, 1 minor
        ("numeral", "U24"),
        ("function", "U2"),
        ("fit", "<f8"),
    ]
)
#: One row per key region.
KEY_DTYPE = np.dtype([("onset", "<f8"), ("offset", "<f8"), ("tonic_fifths", "i1"), ("mode", "i1")])
#: One row per cadence.
CADENCE_DTYPE = np.dtype(
    [
        ("onset", "<f8"),
        ("measure", "<i4"),
        ("beat", "<f8"),
        ("key_tonic_fifths", "i1"),
        ("key_mode", "i1"),
        ("type", "U3"),  # PAC IAC HC PHC PC DC EC
        ("bass_motion", "U5"),  # scale degrees of the bass, e.g. '5-1'
        ("soprano_degree", "i1"),  # scale degree of the top voice at the arrival, 0 when chromatic
        ("metric_level", "i1"),
        ("evidence", "U8"),  # what marked the phrase end: fermata, rest, long, end
    ]
)
#: One row per bar.
HARMONIC_RHYTHM_DTYPE = np.dtype(
    [
        ("measure", "<i4"),
        ("onset", "<f8"),
        ("n_changes", "<i2"),
        ("changes_per_beat", "<f8"),
        ("on_downbeat", "?"),
        ("off_beat_changes", "<i2"),
    ]
)
#: One row per non-chord tone.
NCT_DTYPE = np.dtype([("note", "<i8"), ("onset", "<f8"), ("pitch", "<i2"), ("track", "<i2"), ("type", "U12")])

_QUALITY_NAMES = default_vocabulary().names
_MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)
_MINOR_STEPS = (0, 2, 3, 5, 7, 8, 10)


def _degree(pc: int, tonic_pc: int, minor: bool) -> int:
    """Scale degree 1-7 of a pitch class (the raised 6th and 7th count in minor), 0 when chromatic."""
    rel = (pc - tonic_pc) % 12
    steps = _MINOR_STEPS if minor else _MAJOR_STEPS
    if rel in steps:
        return steps.index(rel) + 1
    if minor and rel == 11:
        return 7
    if minor and rel == 9:
        return 6
    return 0


def _spell_pc(pc: int, center: float) -> int:
    """Line-of-fifths spelling of a pitch class nearest to ``center`` on the line."""
    base = (pc * 7) % 12  # fifths position in 0..11 with that pitch class
    candidates = np.array([base - 12, base, base + 12])
    return int(candidates[np.argmin(np.abs(candidates - center))])


def analyze_notes(
    notes: Any,
    *,
    bars: np.ndarray | None = None,
    fermatas_qn: Any = None,
    drum_tracks: Any = (),
    switch_cost: float | np.ndarray | None = None,
    chord_weight: float = 0.5,
) -> dict[str, np.ndarray]:
    """Analyze the harmony of a note array.

    Parameters
    ----------
    notes : note array or Score
        The music. Spellings are used where present (for key and numeral spellings).
    bars : numpy.ndarray, optional
        Bar table (:data:`~harmonia.theory.timemap.BAR_DTYPE`, as :meth:`Score.bar_table` gives); regular
        4/4 bars from onset 0 when omitted.
    fermatas_qn : array_like, optional
        Onsets of fermatas (phrase ends) in quarter notes.
    drum_tracks : sequence of int
        Track indices to leave out (unpitched percussion).
    switch_cost : float or numpy.ndarray, optional
        Cost of a modulation in the key HMM, in quarter notes of evidence (default: 4 to a closely related
        key, 8 to a distant one; see :func:`~harmonia.theory.localkey.key_transition_cost`).
    chord_weight : float, default 0.5
        Weight of the chord-in-key evidence against the pitch-class evidence.

    Returns
    -------
    dict of numpy.ndarray
        ``global_key`` (one row of :data:`KEY_DTYPE`), ``chords`` (:data:`CHORD_DTYPE`), ``keys``
        (:data:`KEY_DTYPE`), ``cadences``
        (:data:`CADENCE_DTYPE`), ``harmonic_rhythm`` (:data:`HARMONIC_RHYTHM_DTYPE`) and
        ``nonchord_tones`` (:data:`NCT_DTYPE`).

    Examples
    --------
    >>> from harmonia.theory.notearray import make_note_array
    >>> # I - IV - V7 - I in C major, block chords of a half note
    >>> chords = [(48, 64, 67, 72), (53, 65, 69, 72), (55, 65, 67, 71), (48, 64, 67, 72)]
    >>> on = [2.0 * i for i, c in enumerate(chords) for _ in c]
    >>> notes = make_note_array(on, 2.0, [p for c in chords for p in c])
    >>> result = analyze_notes(notes)
    >>> result["chords"][["numeral", "function"]].tolist()
    [('I', 'T'), ('IV', 'S'), ('V7', 'D'), ('I', 'T')]
    >>> result["cadences"][["onset", "type"]].tolist()
    [(6.0, 'PAC')]
    """
    arr = as_note_array(notes)
    if drum_tracks is not None and len(drum_tracks):
        arr = arr[~np.isin(arr["track"], np.asarray(drum_tracks))]
    end_qn = float((arr["onset"] + arr["duration"]).max()) if arr.size else 0.0
    if bars is None:
        bars = timemap.bar_table(np.array([(0.0, 4, 4)], dtype=TIME_SIGNATURE_DTYPE), until_qn=end_qn)
    bars = timemap.extend_bars(np.asarray(bars, dtype=timemap.BAR_DTYPE), end_qn)
    slices = salami_slices(arr)
    empty = {
        "global_key": np.zeros(0, KEY_DTYPE),
        "chords": np.zeros(0, CHORD_DTYPE),
        "keys": np.zeros(0, KEY_DTYPE),
        "cadences": np.zeros(0, CADENCE_DTYPE),
        "harmonic_rhythm": np.zeros(0, HARMONIC_RHYTHM_DTYPE),
        "nonchord_tones": np.zeros(0, NCT_DTYPE),
    }
    if slices.size == 0:
        return empty
    strength = timemap.metric_level(slices["start"], bars)
    seg = segment_chords(slices, strength=strength)
    presence = _presence(seg, slices)
    quality, pc_weights = _key_inputs(seg, presence)
    repeated = _repetition(seg, bars)
    home = _global_key(seg, presence, quality, pc_weights, chord_weight=chord_weight, bars=bars, repeated=repeated,
                       bass_time=_bass_time(slices))
    key_path = _local_keys(seg, presence, home, quality, pc_weights, switch_cost=switch_cost,
                           chord_weight=chord_weight, repeated=repeated)
    chords = _chord_table(seg, key_path, arr, bars)
    keys = _key_table(chords)
    fermatas = np.asarray([] if fermatas_qn is None else fermatas_qn, dtype=float)
    cadences = _cadences(chords, arr, bars, fermatas)
    home_tonic = _spell_pc(home % 12, float(arr["spelling"][arr["spelling"] != NO_SPELLING].mean())
                           - (-1.0 if home >= 12 else 2.0) if np.any(arr["spelling"] != NO_SPELLING) else 0.0)
    return {
        "global_key": np.array([(0.0, end_qn, home_tonic, int(home >= 12))], dtype=KEY_DTYPE),
        "chords": chords,
        "keys": keys,
        "cadences": cadences,
        "harmonic_rhythm": _harmonic_rhythm(chords, bars, end_qn),
        "nonchord_tones": _nonchord_tones(arr, chords),
    }


def _presence(seg: np.ndarray, slices: np.ndarray) -> np.ndarray:
    """How present each pitch class is in each span (1 = at least 15 % of the span's voice time)."""
    dur = slices["end"] - slices["start"]
    w = slices["pc_weight"] / np.maximum(slices["pc_weight"].sum(axis=1, keepdims=True), 1e-12) * dur[:, None]
    idx = np.clip(np.searchsorted(seg["onset"], slices["start"] + 1e-9, side="right") - 1, 0, None)
    pres = np.zeros((seg.size, 12))
    np.add.at(pres, idx, w)
    span = seg["offset"] - seg["onset"]
    return np.clip(pres / (0.15 * span[:, None]), 0.0, 1.0)


#: A chord span's key evidence counts for at most this many quarter notes, so that the long chords of a
#: slow harmonic rhythm (pop songs) do not make modulations cheaper than in a chorale.
_EVIDENCE_CAP_QN = 2.0
_KEY_FIT: np.ndarray | None = None


def _key_fit() -> np.ndarray:
    """Chord-in-key weights, with the Picardy third (major tonic in minor) admitted as an alteration."""
    global _KEY_FIT
    if _KEY_FIT is None:
        fit = localkey.chord_key_fit(_QUALITY_NAMES, applied=-1.0, other=-2.5, modal=-1.0)
        maj = _QUALITY_NAMES.index("maj")
        for k in range(12, 24):
            fit[maj, k % 12, k] = max(fit[maj, k % 12, k], -0.5)
        fit.flags.writeable = False
        _KEY_FIT = fit
    return _KEY_FIT


#: A new local key must hold at least this many harmonies (changes of root or quality): one chord alone
#: is a tonicization (read as an applied chord), not a modulation.
MIN_KEY_HARMONIES = 2
#: Home-key prior (log units per quarter note of evidence) in a piece whose harmony repeats in 4- and
#: 8-bar units (loops, choruses); scaled by the square root of the share of repeated bars.
HOME_PRIOR = 3.0
#: Below this share of repeated bars (through-composed music such as chorales) there is no home prior.
MIN_REPETITION = 0.15
#: Chord qualities that count as a tonic chord at a piece's first and last chord (pop and blues tonics
#: carry sevenths: i7, I7).
_EDGE_QUALITIES = ("maj", "min", "maj7", "min7", "dom7")


def _repetition(seg: np.ndarray, bars: np.ndarray) -> float:
    """Share of bars whose harmony (root and quality on each beat) repeats that of the bar 4 or 8 bars before.

    About 0 in chorales (their bar form repeats at most a phrase), 0.07-0.65 in POP909 songs."""
    bars = bars[bars["onset"] < seg["offset"][-1] - 1e-9]
    if bars.size < 9:
        return 0.0
    sig = []
    for b in bars:
        pts = b["onset"] + np.arange(4) * b["length"] / 4
        i = np.clip(np.searchsorted(seg["onset"], pts + 1e-9, side="right") - 1, 0, None)
        sig.append(tuple((seg["root_pc"][i] * 64 + seg["quality"][i]).tolist()))
    same = [sig[k] == sig[k - 4] or (k >= 8 and sig[k] == sig[k - 8]) for k in range(4, len(sig))]
    return float(np.mean(same))


#: Share of the harmony's duration in dominant-seventh chords from which a piece counts as
#: dominant-seventh saturated (blues, funk, gospel, blues-rock), when two of its dominant sevenths have roots
#: a fourth or fifth apart (I7-IV7, I7-V7).
DOM7_SATURATION = 0.5
_DOM7 = _QUALITY_NAMES.index("dom7")
_MAJ = _QUALITY_NAMES.index("maj")


def _key_inputs(seg: np.ndarray, presence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The chord qualities and pitch-class weights the key model sees.

    In dominant-seventh saturated harmony the minor seventh of a major-minor seventh chord is colour, not a
    leading-tone pull toward the chord a fifth below: the blues plays its tonic, subdominant and dominant
    all as dominant sevenths (I7-IV7-V7), and rock and funk loop I7-IV7.  A piece counts as saturated when
    at least :data:`DOM7_SATURATION` of its harmony's duration is major triads with their minor seventh
    sounding (labelled ``dom7``, or ``maj`` with the seventh in the texture), on two roots a fourth or fifth
    apart.  There each such chord counts as its major triad for the key (a C7 is a possible I, IV or V of a
    key), and its seventh's pitch class is left out of that span's pitch evidence.  Elsewhere the chords
    are as segmented."""
    quality = seg["quality"].astype(np.int64)
    weights = np.ones((seg.size, 12))
    dur = seg["offset"] - seg["onset"]
    seventh = (seg["root_pc"].astype(np.int64) + 10) % 12
    has_seventh = presence[np.arange(seg.size), seventh] >= 0.5
    dom = (quality == _DOM7) | ((quality == _MAJ) & has_seventh)
    if dur.sum() <= 0 or dur[dom].sum() < DOM7_SATURATION * dur.sum():
        return quality, weights
    roots = np.unique(seg["root_pc"][dom])
    if not any((int(a) - int(b)) % 12 in (5, 7) for a in roots for b in roots):
        return quality, weights
    quality = np.where(dom, _MAJ, quality)
    idx = np.flatnonzero(dom)
    weights[idx, seventh[idx]] = 0.0
    return quality, weights


def _local_keys(
    seg: np.ndarray, presence: np.ndarray, home: int, quality: np.ndarray, pc_weights: np.ndarray, *,
    switch_cost: Any, chord_weight: float, repeated: float
) -> np.ndarray:
    """Local keys; a piece whose last chord is the home key's tonic triad (a Picardy third included) ends
    in the home key.  Music that repeats its harmony in 4- and 8-bar units (songs built on loops and
    repeated sections) keeps its home key unless the evidence for another is strong: the home key gets a
    prior per quarter note of evidence.  A new key must hold :data:`MIN_KEY_HARMONIES` harmonies."""
    fit = _key_fit()[quality, seg["root_pc"]]
    last = seg[-1]
    if last["root_pc"] == home % 12 and _QUALITY_NAMES[last["quality"]] in ("maj", "min"):
        fit = fit.copy()
        fit[-1] -= 1e6
        fit[-1, home] += 1e6
    if repeated >= MIN_REPETITION and chord_weight > 0:
        fit = fit.copy()
        fit[:, home] += HOME_PRIOR * np.sqrt(repeated) / chord_weight
    return localkey.decode_keys(
        presence,
        np.minimum(seg["offset"] - seg["onset"], _EVIDENCE_CAP_QN),
        fit,
        profile=TEMPERLEY_PRESENCE,
        switch_cost=switch_cost,
        chord_weight=chord_weight,
        units=_harmony_changes(seg),
        min_units=MIN_KEY_HARMONIES,
        pc_weights=pc_weights,
    )


def _harmony_changes(seg: np.ndarray) -> np.ndarray:
    """1 for a span that starts a new harmony (root or quality changes), else 0."""
    new = np.ones(seg.size)
    new[1:] = (seg["root_pc"][1:] != seg["root_pc"][:-1]) | (seg["quality"][1:] != seg["quality"][:-1])
    return new


#: Weight (per quarter note of the piece, scaled by the square root of the share of repeated bars) of
#: the tonic evidence of repeating music: the chords that open its 4-bar units and the bass's pitch classes.
TONIC_WEIGHT = 1.0
_MAJOR_THIRD_QUALITIES = ("maj", "dom7", "maj7")
_MINOR_THIRD_QUALITIES = ("min", "min7")


def _bass_time(slices: np.ndarray) -> np.ndarray:
    """Share of the sounding time (quarter notes) that each pitch class is the lowest sounding pitch."""
    sounding = slices["bass"] >= 0
    out = np.bincount(slices["bass"][sounding].astype(np.int64) % 12,
                      weights=(slices["end"] - slices["start"])[sounding], minlength=12)[:12]
    return out / max(float(out.sum()), 1e-12)


def _tonic_evidence(seg: np.ndarray, bars: np.ndarray, bass_time: np.ndarray | None = None) -> np.ndarray:
    """Per key (24): how often the key's tonic chord (its root, with the mode's third) opens a 4-bar unit
    (weight 1/2) and how often it ends one (weight 1/2 shared among the unit ends, the piece's last chord
    included; an arrival from its dominant, a major chord a fifth above, counts twice as much as another),
    plus the share of the bass's time on the key's tonic.

    Songs built on loops and repeated sections start their phrases on the tonic, end them with cadences on
    it, and their bass dwells on it: a dorian i-IV loop starts and ends on i, its bass on the tonic most;
    a vi-IV-I-V loop that ends its choruses V7-I is in the major key."""
    out = np.zeros(24)
    bars = bars[bars["onset"] < seg["offset"][-1] - 1e-9]
    units = bars["onset"][::4]

    def tonic_key(i: int) -> int:
        name = _QUALITY_NAMES[seg["quality"][i]]
        root = int(seg["root_pc"][i])
        return root if name in _MAJOR_THIRD_QUALITIES else 12 + root if name in _MINOR_THIRD_QUALITIES else -1

    starts = np.clip(np.searchsorted(seg["onset"], units + 1e-9, side="right") - 1, 0, None)
    for i in starts:
        k = tonic_key(int(i))
        if k >= 0:
            out[k] += 0.5 / starts.size
    ends = np.append(np.searchsorted(seg["onset"], units[1:] - 1e-9, side="left") - 1, seg.size - 1)
    ends = ends[ends >= 0]
    credit = np.zeros(24)
    for i in ends:
        k = tonic_key(int(i))
        if k < 0:
            continue
        j = int(i) - 1
        while j >= 0 and seg["root_pc"][j] == seg["root_pc"][i] and seg["quality"][j] == seg["quality"][i]:
            j -= 1
        dominant = j >= 0 and (int(seg["root_pc"][j]) - k) % 12 == 7 and (
            _QUALITY_NAMES[seg["quality"][j]] in _MAJOR_THIRD_QUALITIES)
        credit[k] += 2.0 if dominant else 1.0
    if ends.size:
        out += 0.5 * credit / (2.0 * ends.size)
    if bass_time is None:
        dur = seg["offset"] - seg["onset"]
        bass_time = np.bincount(seg["bass_pc"].astype(np.int64), weights=dur, minlength=12)[:12] / dur.sum()
    return out + np.tile(bass_time, 2)


def _global_key(
    seg: np.ndarray, presence: np.ndarray, quality: np.ndarray, pc_weights: np.ndarray, *, chord_weight: float,
    bars: np.ndarray, repeated: float, edge_weight: float = 0.4, bass_time: np.ndarray | None = None
) -> int:
    """The home key (index 0-23): all the piece's evidence, plus a pull toward the roots of its first and
    last chords (triads or sevenths), since tonal pieces open and close on their tonic (the evidence
    decides the mode, and decides alone when the first and last chords disagree).  Music that repeats its
    harmony in 4- and 8-bar units also gets :func:`_tonic_evidence`, weighted by :data:`TONIC_WEIGHT`."""
    dur = seg["offset"] - seg["onset"]
    fit = _key_fit()[quality, seg["root_pc"]]
    loglik = localkey.presence_loglik(presence, TEMPERLEY_PRESENCE, weights=pc_weights)
    evidence = ((loglik + chord_weight * fit) * dur[:, None]).sum(0)
    for edge in (seg[0], seg[-1]):
        if _QUALITY_NAMES[edge["quality"]] in _EDGE_QUALITIES:
            evidence[[edge["root_pc"], 12 + edge["root_pc"]]] += edge_weight * dur.sum()
    if repeated >= MIN_REPETITION:
        evidence += TONIC_WEIGHT * np.sqrt(repeated) * dur.sum() * _tonic_evidence(seg, bars, bass_time)
    return int(np.argmax(evidence))


def _chord_table(seg: np.ndarray, key_path: np.ndarray, notes: np.ndarray, bars: np.ndarray):
    out = np.zeros(seg.size, dtype=CHORD_DTYPE)
    out["onset"], out["offset"] = seg["onset"], seg["offset"]
    out["measure"], out["beat"] = timemap.qn_to_bar_beat(seg["onset"], bars)
    out["root_pc"], out["bass_pc"], out["pc_mask"], out["fit"] = (
        seg["root_pc"], seg["bass_pc"], seg["pc_mask"], seg["fit"],
    )
    out["quality"] = np.array(_QUALITY_NAMES)[seg["quality"]]
    spelled = notes["spelling"] != NO_SPELLING
    center_all = float(notes["spelling"][spelled].mean()) if spelled.any() else 0.0
    ends = notes["onset"] + notes["duration"]
    # spell key tonics per key region, from the spellings that sound in it
    for k, m in runs(key_path):
        idx = key_path[k]
        minor = idx >= 12
        sounding = spelled & (notes["onset"] < seg["offset"][m]) & (ends > seg["onset"][k])
        center = float(notes["spelling"][sounding].mean()) if sounding.any() else center_all
        # a key's notes centre about two fifths above a major tonic and one below a minor one
        tonic = _spell_pc(idx % 12, center - (-1.0 if minor else 2.0))
        out["key_tonic_fifths"][k : m + 1] = tonic
        out["key_mode"][k : m + 1] = int(minor)
    for i in range(seg.size):
        center = float(out["key_tonic_fifths"][i]) + (2.0 if out["key_mode"][i] == 0 else -1.0)
        out["root_fifths"][i] = _spell_pc(int(seg["root_pc"][i]), center)
        intervals = default_vocabulary().intervals[seg["quality"][i]]
        bass_rel = (int(seg["bass_pc"][i]) - int(seg["root_pc"][i])) % 12
        out["inversion"][i] = intervals.index(bass_rel) if bass_rel in intervals else 0
        key = Key(int(out["key_tonic_fifths"][i]), "minor" if out["key_mode"][i] else "major")
        pcs = [pc for pc in range(12) if int(seg["pc_mask"][i]) >> pc & 1]
        try:  # the reading a teacher prefers (applied chords, Neapolitan, augmented sixths ...)
            numeral = roman.analyze_pcs(pcs, int(seg["bass_pc"][i]), key)
        except RomanNumeralError:  # any other chord: named from its root's degree
            numeral = roman.chord_numeral(
                int(seg["root_pc"][i]), str(out["quality"][i]), int(out["inversion"][i]), key
            )
        out["numeral"][i] = numeral
    # In minor, a major triad on the tonic spells like V/iv; it is the Picardy third I unless iv follows.
    for i in range(seg.size):
        figure = str(out["numeral"][i])
        if out["key_mode"][i] == 1 and figure in ("V/iv", "V6/iv", "V64/iv"):
            follows_iv = i + 1 < seg.size and str(out["numeral"][i + 1]).startswith("iv")
            if not follows_iv:
                out["numeral"][i] = "I" + figure[1:-3]
        out["function"][i] = roman.harmonic_function(str(out["numeral"][i]), minor=bool(out["key_mode"][i]))
    return out


def _key_table(chords: np.ndarray) -> np.ndarray:
    if chords.size == 0:
        return np.zeros(0, KEY_DTYPE)
    spans = runs(chords["key_tonic_fifths"].astype(np.int64) * 2 + chords["key_mode"])
    first, last = (np.array(x) for x in zip(*spans))
    out = np.zeros(first.size, dtype=KEY_DTYPE)
    out["onset"] = chords["onset"][first]
    out["offset"] = chords["offset"][last]
    out["tonic_fifths"] = chords["key_tonic_fifths"][first]
    out["mode"] = chords["key_mode"][first]
    return out


def _phrase_ends(notes: np.ndarray, fermatas: np.ndarray, bars: np.ndarray) -> list[tuple[float, str]]:
    """Where phrases end: fermatas; else long notes or rests in the top voice on strong beats; and the end."""
    end = float((notes["onset"] + notes["duration"]).max())
    points: list[tuple[float, str]] = [(float(f), "fermata") for f in fermatas]
    if not points:
        top_track = int(np.bincount(notes["track"], weights=notes["pitch"]).argmax()) if notes.size else 0
        top = _top_line(notes[notes["track"] == top_track])
        if top.size > 2:
            ioi = np.diff(np.append(top["onset"], end))
            typical = float(np.median(ioi))
            level = timemap.metric_level(top["onset"], bars)
            gap_after = np.append(top["onset"][1:] - (top["onset"][:-1] + top["duration"][:-1]), 0.0)
            for i in range(top.size - 1):
                if level[i] > 1:
                    continue
                if gap_after[i] >= typical - 1e-9:
                    points.append((float(top["onset"][i]), "rest"))
                elif ioi[i] >= 2 * typical - 1e-9 and ioi[i] >= 2.0:
                    points.append((float(top["onset"][i]), "long"))
    last_onset = float(notes["onset"].max())
    if not any(abs(p - last_onset) < 1e-6 or p > last_onset for p, _ in points):
        points.append((last_onset, "end"))
    return sorted(points)


def _top_line(track_notes: np.ndarray) -> np.ndarray:
    """The highest note at each onset of a track (a monophonic reading of its top voice)."""
    if track_notes.size == 0:
        return track_notes
    order = np.lexsort((-track_notes["pitch"], track_notes["onset"]))
    s = track_notes[order]
    first = np.ones(s.size, dtype=bool)
    first[1:] = s["onset"][1:] != s["onset"][:-1]
    return s[first]


def _cadences(chords: np.ndarray, notes: np.ndarray, bars: np.ndarray, fermatas: np.ndarray):
    rows = []
    ends = notes["onset"] + notes["duration"]
    seen: set[int] = set()
    for point, evidence in _phrase_ends(notes, fermatas, bars):
        i = int(np.searchsorted(chords["onset"], point + 1e-9, side="right") - 1)
        if i < 1 or i in seen:
            continue
        # the previous harmony: skip spans that only change the inversion of the arrival chord
        j = i - 1
        while j > 0 and chords["root_pc"][j] == chords["root_pc"][i] and chords["quality"][j] == chords["quality"][i]:
            j -= 1
        arrival, before = chords[i], chords[j]
        if arrival["root_pc"] == before["root_pc"] and arrival["quality"] == before["quality"]:
            continue
        tonic_pc = (int(arrival["key_tonic_fifths"]) * 7) % 12
        minor = bool(arrival["key_mode"])
        ctype = _cadence_type(arrival, before, tonic_pc, minor)
        if not ctype:
            continue
        seen.add(i)
        at = float(arrival["onset"])
        sounding = notes[(notes["onset"] <= at + 1e-9) & (ends > at + 1e-9)]
        soprano = _degree(int(sounding["pitch"].max()) % 12, tonic_pc, minor) if sounding.size else 0
        if ctype == "PAC" and soprano != 1:
            ctype = "IAC"
        bass = f"{_degree(int(before['bass_pc']), tonic_pc, minor)}-{_degree(int(arrival['bass_pc']), tonic_pc, minor)}"
        level = int(timemap.metric_level(at, bars)[0])
        rows.append(
            (at, arrival["measure"], arrival["beat"], arrival["key_tonic_fifths"], arrival["key_mode"], ctype, bass,
             soprano, level, evidence)
        )
    return np.array(rows, dtype=CADENCE_DTYPE)


def _cadence_type(arrival: np.void, before: np.void, tonic_pc: int, minor: bool) -> str:
    """PAC/IAC, HC/PHC, PC, DC or EC from the last two harmonies (empty when none applies)."""
    a_rel = (int(arrival["root_pc"]) - tonic_pc) % 12
    b_rel = (int(before["root_pc"]) - tonic_pc) % 12
    a_q, b_q = str(arrival["quality"]), str(before["quality"])
    dominant = (b_rel == 7 and b_q in ("maj", "dom7")) or (b_rel == 11 and b_q in ("dim", "dim7", "hdim7"))
    tonic_triad = a_rel == 0 and a_q in ("maj", "min")
    if tonic_triad and dominant:
        root_position = arrival["bass_pc"] == arrival["root_pc"] and before["bass_pc"] == before["root_pc"]
        if root_position and b_rel == 7:
            return "PAC"
        seventh_in_bass = b_q == "dom7" and (int(before["bass_pc"]) - int(before["root_pc"])) % 12 == 10
        if seventh_in_bass and arrival["bass_pc"] != arrival["root_pc"]:
            return "EC"  # V4/2 -> I6: the cadence is evaded
        return "IAC"
    if tonic_triad and b_rel == 5 and b_q in ("maj", "min"):
        return "PC"
    if a_rel == 7 and a_q in ("maj", "dom7"):
        phrygian = minor and b_rel == 5 and b_q == "min" and (int(before["bass_pc"]) - tonic_pc) % 12 == 8
        return "PHC" if phrygian else "HC"
    if dominant and b_rel == 7 and not tonic_triad and a_rel in (8, 9, 5, 3, 4):
        return "DC"
    return ""


def _harmonic_rhythm(chords: np.ndarray, bars: np.ndarray, end_qn: float) -> np.ndarray:
    bars = bars[bars["onset"] < end_qn - 1e-9]
    out = np.zeros(bars.size, dtype=HARMONIC_RHYTHM_DTYPE)
    out["measure"], out["onset"] = bars["bar"], bars["onset"]
    # a change is a new root or quality (an inversion change alone is not a new harmony)
    new = np.ones(chords.size, dtype=bool)
    new[1:] = (chords["root_pc"][1:] != chords["root_pc"][:-1]) | (chords["quality"][1:] != chords["quality"][:-1])
    onsets = chords["onset"][new]
    bar_idx = np.clip(np.searchsorted(bars["onset"], onsets + 1e-9, side="right") - 1, 0, None)
    levels = timemap.metric_level(onsets, bars) if onsets.size else np.zeros(0, int)
    np.add.at(out["n_changes"], bar_idx, 1)
    np.add.at(out["off_beat_changes"], bar_idx, (levels >= 2).astype(np.int16))
    out["on_downbeat"][bar_idx[levels == 0]] = True
    beats = bars["length"] / timemap.beat_length_qn(bars["numerator"], bars["denominator"])
    out["changes_per_beat"] = out["n_changes"] / beats
    return out


def _nonchord_tones(notes: np.ndarray, chords: np.ndarray) -> np.ndarray:
    """Classify the notes that are not in their chord, from their voice's motion."""
    if chords.size == 0:
        return np.zeros(0, NCT_DTYPE)
    rows = []
    span_of = np.clip(np.searchsorted(chords["onset"], notes["onset"] + 1e-9, side="right") - 1, 0, None)
    masks = chords["pc_mask"].astype(np.int64)
    voice_key = notes["track"].astype(np.int64) * 1000 + notes["voice"].astype(np.int64)
    for key in np.unique(voice_key):
        idx = np.flatnonzero(voice_key == key)
        line = idx[np.argsort(notes["onset"][idx], kind="stable")]
        for pos, n in enumerate(line):
            pc = int(notes["pitch"][n]) % 12
            s = span_of[n]
            if masks[s] >> pc & 1:
                continue
            prev_n = line[pos - 1] if pos > 0 else -1
            next_n = line[pos + 1] if pos + 1 < line.size else -1
            rows.append((n, notes["onset"][n], notes["pitch"][n], notes["track"][n],
                         _nct_type(notes, n, prev_n, next_n, chords, span_of, masks)))
    return np.array(sorted(rows, key=lambda r: (r[1], r[3])), dtype=NCT_DTYPE)


def _nct_type(notes, n, prev_n, next_n, chords, span_of, masks) -> str:
    p = int(notes["pitch"][n])
    into = p - int(notes["pitch"][prev_n]) if prev_n >= 0 else None
    out = int(notes["pitch"][next_n]) - p if next_n >= 0 else None
    step = lambda x: x is not None and 1 <= abs(x) <= 2  # noqa: E731
    leap = lambda x: x is not None and abs(x) > 2  # noqa: E731
    s = span_of[n]
    started_before = s > 0 and notes["onset"][n] < chords["onset"][s] - 1e-9
    held_in = prev_n >= 0 and into == 0 and span_of[prev_n] < s
    if started_before or held_in:
        if out is not None and -2 <= out <= -1:
            return "suspension"
        if out is not None and 1 <= out <= 2:
            return "retardation"
    length = notes["duration"][n]
    if notes["onset"][n] + length > chords["offset"][s] + 1e-9 and s + 1 < chords.size and length >= 2 * (
        chords["offset"][s] - chords["onset"][s]
    ):
        return "pedal"
    if step(into) and step(out):
        return "passing" if np.sign(into) == np.sign(out) else "neighbour"
    if out == 0 and next_n >= 0 and span_of[next_n] > s and masks[span_of[next_n]] >> (p % 12) & 1:
        return "anticipation"
    if leap(into) and step(out):
        return "appoggiatura"
    if step(into) and leap(out):
        return "escape"
    return "other"
