"""Self-analysis of a composed song: does harmonia's own analysis find what the blueprint planned?

:func:`self_analysis` measures, on a score written by :func:`~harmonia.symbolic.compose.compose`:

``key_share``
    The share of the analysed chord spans' duration (:func:`harmonia.analyze`, drums left out) whose
    local key is the blueprint's key: its tonic, major or minor as the blueprint's key names it.  A
    modal song counts under its own tonic with its mode's third, as an analyst names it: D dorian and
    E phrygian as d and e minor, G mixolydian and F lydian as G and F major.  The mode's tonic is where
    its phrases start and end, so reading D dorian as C major (the parent collection) is a wrong tonic.
``key_share_modal``
    A looser figure: ``key_share`` also counting the parent major key whose scale is the mode's
    collection (C major for D dorian).  Equal to ``key_share`` for major and minor songs.
``progression_recovery``
    The share of planned chord spans (the plan in ``score.metadata["chords"]``) whose analysed chord
    (the analysed span overlapping it longest) has the planned root and third.
``blueprint_kept``
    The share of the blueprint's chord spans whose numeral the plan kept (the rest are functional
    substitutions, cadences and applied dominants).
``parallels``
    Parallel fifths and octaves between the voices of each harmony and pad track
    (:func:`harmonia.theory.vl_rules.check_voice_leading`), summed over tracks.
``out_of_range``
    Pitched notes outside their program's comfortable range (:func:`harmonia.theory.instruments.program_range`).
``sections_at_bars``
    Whether the section list in the metadata starts each planned section at its planned bar.
``boundary_agreement``
    The share of planned section boundaries (after the first) within one bar of a phrase boundary that
    :func:`harmonia.theory.form.analyze_form` finds (only with ``form=True``: it is slower).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harmonia.symbolic.blueprint import Blueprint
from harmonia.symbolic.score import Score
from harmonia.theory.instruments import program_range
from harmonia.theory.key import parse_key
from harmonia.theory.scale import scale_pcs

__all__ = ["self_analysis"]

_MODE_SCALE = {"dorian": "dorian", "phrygian": "phrygian", "mixolydian": "mixolydian", "lydian": "lydian"}


def _parent_major_pc(tonic_pc: int, mode: str) -> int | None:
    if mode not in _MODE_SCALE:
        return None
    pcs = set(scale_pcs(tonic_pc, _MODE_SCALE[mode]))
    for c in range(12):
        if set(scale_pcs(c, "major")) == pcs:
            return c
    return None


def self_analysis(score: Score, blueprint: Blueprint, *, form: bool = False) -> dict[str, Any]:
    """Measure a composed song against its blueprint (the figures are described in the module notes).

    Parameters
    ----------
    score : Score
        A song from :func:`~harmonia.symbolic.compose.compose` (its metadata holds the chord plan).
    blueprint : Blueprint
        The plan it was composed from.
    form : bool, default False
        Also run the form analysis for ``boundary_agreement``.

    Returns
    -------
    dict
        ``key_share``, ``key_share_modal``, ``progression_recovery``, ``blueprint_kept``, ``parallels``,
        ``out_of_range``, ``sections_at_bars``, ``boundary_agreement`` (None without ``form``),
        ``global_key`` (the analysis's home key).

    Examples
    --------
    >>> from harmonia.symbolic.blueprint import blueprint_from_prompt
    >>> from harmonia.symbolic.compose import compose
    >>> bp = blueprint_from_prompt("a pop song", genre="pop", duration=20, seed=2)
    >>> r = self_analysis(compose(bp, seed=2), bp)
    >>> r["key_share"] >= 0.95, r["parallels"], r["out_of_range"]
    (True, 0, 0)
    """
    from harmonia.symbolic.analysis import analyze
    from harmonia.theory.pitch import fifths_to_pc
    from harmonia.theory.vl_rules import check_voice_leading

    a = analyze(score)
    key = parse_key(blueprint.key)
    minor = int(key.mode == "minor")
    ch = a.chords
    dur = ch["offset"] - ch["onset"]
    tonic_pc = np.array([fifths_to_pc(int(f)) for f in ch["key_tonic_fifths"]], dtype=np.int64)
    same = (tonic_pc == key.tonic_pc) & (ch["key_mode"] == minor)
    parent = _parent_major_pc(key.tonic_pc, blueprint.mode)
    modal = same | ((tonic_pc == parent) & (ch["key_mode"] == 0)) if parent is not None else same
    total = float(dur.sum()) or 1.0

    plan = score.metadata.get("chords", [])
    hits = 0
    for c in plan:
        on, off = c["onset_qn"], c["offset_qn"]
        ov = np.minimum(ch["offset"], off) - np.maximum(ch["onset"], on)
        if ch.size == 0 or ov.max() <= 0:
            continue
        j = int(np.argmax(ov))
        from harmonia.symbolic.compose._common import chord_tones

        root, _, pcs = chord_tones(c["numeral"], key)
        third = pcs[1] if len(pcs) > 1 else root
        if int(ch["root_pc"][j]) % 12 == root and (int(ch["pc_mask"][j]) >> third) & 1:
            hits += 1
    planned = blueprint.chord_plan()
    kept = 0
    for start_bar, _length, fig, _ in planned:
        on = start_bar * blueprint.qn_per_bar
        same_span = [c for c in plan if abs(c["onset_qn"] - on) < 1e-6]
        kept += bool(same_span and same_span[0]["numeral"] == fig)

    roles = score.metadata.get("roles") or [""] * len(score.tracks)
    notes = score.notes
    parallels = 0
    out_of_range = 0
    for i, t in enumerate(score.tracks):
        sel = notes[notes["track"] == i]
        if t.is_drum or sel.size == 0:
            continue
        lo, hi = program_range(t.program)
        out_of_range += int(((sel["pitch"] < lo) | (sel["pitch"] > hi)).sum())
        if roles[i] in ("harmony", "pad"):
            f = check_voice_leading(sel, rules=("parallel_fifths", "parallel_octaves"))
            parallels += int(f.size)
    secs = score.metadata.get("sections", [])
    at_bars = [s["bar"] - 1 for s in secs] == blueprint.section_starts() and [s["label"] for s in secs] == [
        s.label for s in blueprint.sections]
    agreement = None
    if form:
        from harmonia.theory.form import analyze_form

        melody = roles.index("melody") if "melody" in roles else None
        fm = analyze_form(score, melody_track=melody, origin_qn=0.0, bar_qn=blueprint.qn_per_bar)
        found = set(np.asarray(fm.sections["start_bar"] if "start_bar" in fm.sections.dtype.names else
                               np.round(fm.sections["onset"] / blueprint.qn_per_bar)).astype(int).tolist())
        bounds = blueprint.section_starts()[1:]
        agreement = (sum(any(abs(b - f) <= 1 for f in found) for b in bounds) / len(bounds)) if bounds else 1.0
    return {
        "key_share": float(dur[same].sum() / total),
        "key_share_modal": float(dur[modal].sum() / total),
        "progression_recovery": hits / len(plan) if plan else 1.0,
        "blueprint_kept": kept / len(planned) if planned else 1.0,
        "parallels": parallels,
        "out_of_range": out_of_range,
        "sections_at_bars": bool(at_bars),
        "boundary_agreement": agreement,
        "global_key": a.global_key,
    }
