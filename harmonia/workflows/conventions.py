"""Learn a genre's conventions from a corpus of MIDI (or any score) files.

:func:`learn_conventions` analyses every file with harmonia's own tools and writes what it finds as an
entry of the genre database (:mod:`harmonia.symbolic.genres`), so a learned genre can be queried,
compared and composed with like a shipped one:

* **progressions**: :func:`harmonia.analyze` gives each chord a Roman numeral in its local key; repeated
  chords are merged and the most frequent 4-chord n-grams (each in the mode of its key) become the
  entry's progressions, weighted by count.  Bigram, trigram and 4-gram counts and the share of tonic,
  predominant and dominant functions go to ``statistics``.
* **tempo** (10th to 90th percentile over the songs), **metre** (the files' time signatures),
  **mode** (the analysis' home key), **swing** (the median beat-upbeat ratio of the melody,
  :func:`harmonia.theory.groove.swing_ratio`, as 0 straight .. 1 triplet).
* **instrumentation** from the tracks' General MIDI programs, with roles from the track names
  (``melody``, ``vocal``, ``bass``, ``drum``, ``pad``, ``string`` ...) or, failing that, from register
  and polyphony.
* **structure** from a phrase labelling beside the file when there is one (POP909's
  ``human_label1.txt``: letters with bar counts, ``i`` intro, ``o`` outro, lower case without melody),
  else estimated by lettering 4-bar phrases with equal chord sequences; the first phrase letter is
  the verse, the other letter with most bars the chorus, a letter between them the pre-chorus, the rest
  bridges; phrases without melody are instrumental.
* **comping, bass and drum patterns**: the most frequent one-bar onset pattern of the harmony track, of
  the bass (the bass track, else the lowest notes of the harmony track) with each onset's note named
  against the chord (root, fifth, third ...), and of each drum lane.
* **melody**: range (5th to 95th percentile), share of steps (at most 2 semitones), notes per bar,
  syncopation (share of onsets off the eighth-note grid, plus half the share on off-beat eighths).

MIDI carries no mix, so a learned entry has no ``production``.
"""

from __future__ import annotations

import collections
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["learn_conventions", "song_conventions"]

_SCORE_SUFFIXES = (".mid", ".midi", ".musicxml", ".mxl", ".xml", ".krn")
_ROLE_WORDS = (
    ("drums", ("drum", "kit", "perc")),
    ("bass", ("bass",)),
    ("melody", ("melody", "vocal", "voice", "lead", "sing")),
    ("pad", ("pad", "string")),
    ("counter-melody", ("bridge", "counter", "obbligato")),
)


def _expand(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix.lower() in _SCORE_SUFFIXES and q.is_file())
        else:
            out.append(p)
    return out


def _role(track, notes: np.ndarray, index: int) -> str:
    if track.is_drum:
        return "drums"
    name = (track.name or "").lower()
    for role, words in _ROLE_WORDS:
        if any(w in name for w in words):
            return role
    mine = notes[notes["track"] == index]
    if mine.size == 0:
        return "harmony"
    _, counts = np.unique(np.round(mine["onset"], 3), return_counts=True)
    poly = float(np.mean(counts > 1))
    mean_pitch = float(np.mean(mine["pitch"]))
    if poly < 0.2:
        return "bass" if mean_pitch < 52 else "melody"
    return "harmony"


def _grid_bars(notes: np.ndarray, bar_qn: float, steps: int, n_bars: int) -> tuple[np.ndarray, np.ndarray]:
    """Onset flags and the longest note's length in steps per (bar, step)."""
    on = np.zeros((n_bars, steps), dtype=bool)
    length = np.zeros((n_bars, steps), dtype=np.int64)
    step_qn = bar_qn / steps
    idx = np.round(notes["onset"] / step_qn).astype(np.int64)
    ok = (idx >= 0) & (idx < n_bars * steps)  # nearest step: performed (unquantised) files land on the grid
    for i, d in zip(idx[ok], notes["duration"][ok]):
        b, s = divmod(int(i), steps)
        on[b, s] = True
        length[b, s] = max(length[b, s], max(1, int(round(d / step_qn))))
    return on, length


def _rhythm_string(on: np.ndarray, length: np.ndarray) -> str:
    chars = ["."] * on.size
    held = 0
    for s in range(on.size):
        if on[s]:
            chars[s] = "x"
            held = length[s] - 1
        elif held > 0:
            chars[s] = "-"
            held -= 1
    return "".join(chars)


def _common_bar(on: np.ndarray, length: np.ndarray) -> tuple[str, list[int]] | None:
    """The most frequent non-empty bar rhythm and the bars that have it."""
    strings = [_rhythm_string(on[b], length[b]) for b in range(on.shape[0])]
    counted = collections.Counter(s.replace("-", ".") for s in strings if "x" in s)
    if not counted:
        return None
    top = counted.most_common(1)[0][0]
    bars = [b for b, s in enumerate(strings) if s.replace("-", ".") == top]
    # durations: the most common full string among those bars
    full = collections.Counter(strings[b] for b in bars).most_common(1)[0][0]
    return full, bars


_INTERVAL_NAMES = {0: "root", 7: "fifth", 3: "third", 4: "third", 10: "seventh", 11: "seventh", 9: "sixth"}


def song_conventions(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The conventions of one song (the per-file step of :func:`learn_conventions`).

    Returns
    -------
    dict
        ``tempo_bpm``, ``meter``, ``mode``, ``numerals`` (list of ``(numeral, mode, bars)`` with repeats
        merged), ``functions``, ``instrumentation``, ``sections`` (``(label, bars)``), ``swing``,
        ``melody`` statistics, ``comping``/``bass``/``drums`` pattern candidates, ``energy``.
    """
    from harmonia.symbolic.analysis import analyze
    from harmonia.symbolic.io import load
    from harmonia.theory.groove import swing_ratio
    from harmonia.theory.phrase import melody_line

    path = Path(path)
    score = load(path)
    notes = score.notes
    tokens = _label_tokens(path)
    num, den, meter_source = _song_meter(score, tokens)
    meter = f"{num}/{den}"
    bar_qn = num * 4.0 / den
    steps = int(round(bar_qn * 4))  # sixteenths
    n_bars = int(np.ceil(score.duration_qn / bar_qn)) + 1
    tempo = float(score.tempos["bpm"][0])

    analysis = analyze(score)
    chords = analysis.chords
    mode = "minor" if analysis.global_key[:1].islower() else "major"
    seq: list[tuple[str, str, float]] = []
    for r in chords:
        fig, m = str(r["numeral"]), "minor" if int(r["key_mode"]) else "major"
        bars = float(r["offset"] - r["onset"]) / bar_qn
        if seq and seq[-1][0] == fig and seq[-1][1] == m:
            seq[-1] = (fig, m, seq[-1][2] + bars)
        else:
            seq.append((fig, m, bars))
    functions = collections.Counter(str(f) for f in chords["function"])

    roles = [_role(t, notes, i) for i, t in enumerate(score.tracks)]
    inst = [{"role": r, "program": int(t.program), "name": t.name or r, "is_drum": bool(t.is_drum)}
            for r, t in zip(roles, score.tracks)]

    # melody
    mel_idx = [i for i, r in enumerate(roles) if r == "melody"]
    mel = melody_line(notes, track=mel_idx[0]) if mel_idx else np.empty(0, dtype=notes.dtype)
    melody: dict[str, float] = {}
    swing = float("nan")
    if mel.size > 8:
        p = mel["pitch"].astype(float)
        steps_ = np.abs(np.diff(p))
        pos16 = np.round(mel["onset"] * 4) % 4  # sixteenth position inside the quarter
        melody = {
            "lo": float(np.percentile(p, 5)), "hi": float(np.percentile(p, 95)),
            "stepwise": float(np.mean(steps_[steps_ > 0] <= 2)) if np.any(steps_ > 0) else 1.0,
            "notes_per_bar": float(mel.size / max((mel["onset"][-1] - mel["onset"][0]) / bar_qn, 1.0)),
            "syncopation": float(np.mean(pos16 % 2 == 1) + 0.5 * np.mean(pos16 == 2)),
        }
        swing = swing_ratio(mel["onset"], beat_qn=1.0)

    # structure
    sections = _letters_to_sections(tokens) if tokens else _sections_from_chords(chords, bar_qn, n_bars)

    # comping pattern: the harmony track (else every pitched track)
    harm = [i for i, r in enumerate(roles) if r == "harmony"] or [i for i, r in enumerate(roles) if r != "drums"]
    hnotes = notes[np.isin(notes["track"], harm)]
    comping = None
    if hnotes.size:
        on, length = _grid_bars(hnotes, bar_qn, steps, n_bars)
        common = _common_bar(on, length)
        if common:
            pcs_at_onsets = []
            q = np.round(hnotes["onset"] * 4)  # group onsets (and rolled chords) by sixteenth
            for t in np.unique(q):
                pcs_at_onsets.append(len(set((hnotes["pitch"][q == t] % 12).tolist())))
            size = float(np.median(pcs_at_onsets))
            voicing = "seventh" if size >= 4 else "triad" if size >= 3 else "shell" if size >= 2 else "octave"
            comping = {"rhythm": common[0], "count": len(common[1]), "voicing": voicing,
                       "register": [int(np.percentile(hnotes["pitch"], 5)), int(np.percentile(hnotes["pitch"], 95))]}

    # bass: the bass track, else the lowest note at each onset of the harmony tracks
    b_idx = [i for i, r in enumerate(roles) if r == "bass"]
    if b_idx:
        bnotes = notes[notes["track"] == b_idx[0]]
    elif hnotes.size:
        order = np.lexsort((hnotes["pitch"], hnotes["onset"]))
        h = hnotes[order]
        first = np.ones(h.size, dtype=bool)
        first[1:] = h["onset"][1:] != h["onset"][:-1]
        bnotes = h[first]
        bnotes = bnotes[bnotes["pitch"] < 60]
    else:
        bnotes = notes[:0]
    bass = None
    if bnotes.size and chords.size:
        on, length = _grid_bars(bnotes, bar_qn, steps, n_bars)
        common = _common_bar(on, length)
        if common:
            rhythm, bars = common
            choices: list[collections.Counter] = [collections.Counter() for _ in range(rhythm.count("x"))]
            onsets = [s for s, c in enumerate(rhythm) if c == "x"]
            for b in bars:
                for k, s in enumerate(onsets):
                    t = (b * steps + s) * bar_qn / steps
                    choices[k][_bass_choice(bnotes, chords, t)] += 1
            bass = {"rhythm": rhythm, "count": len(bars), "notes": [c.most_common(1)[0][0] for c in choices]}

    drums = _drum_candidates(notes, score, bar_qn, steps, n_bars)
    vel = notes["velocity"][notes["pitch"] >= 0].astype(float)
    density = notes.size / max(score.duration_sec, 1.0)
    energy = float(np.clip(0.5 * (np.mean(vel) - 40.0) / 70.0 + 0.5 * density / 15.0, 0.0, 1.0)) if vel.size else 0.5
    return {
        "file": str(path), "tempo_bpm": tempo, "meter": meter, "mode": mode, "numerals": seq,
        "functions": dict(functions), "instrumentation": inst, "sections": sections, "swing": swing,
        "melody": melody, "comping": comping, "bass": bass, "drums": drums, "energy": energy,
        "steps_per_bar": steps, "meter_source": meter_source,
    }


def _bass_choice(bnotes: np.ndarray, chords: np.ndarray, t: float) -> str:
    k = int(np.searchsorted(bnotes["onset"], t - 1e-6))
    if k >= bnotes.size:
        return "root"
    pc = int(bnotes["pitch"][k]) % 12
    c = int(np.searchsorted(chords["onset"], t + 1e-6)) - 1
    if c < 0:
        return "root"
    root = int(chords["root_pc"][c])
    name = _INTERVAL_NAMES.get((pc - root) % 12)
    if name:
        return name
    nxt = int(chords["root_pc"][c + 1]) if c + 1 < chords.size else None
    if nxt is not None and min((nxt - pc) % 12, (pc - nxt) % 12) <= 2:
        return "approach"
    return "scale"


def _drum_candidates(notes, score, bar_qn, steps, n_bars) -> list[dict[str, Any]]:
    from harmonia.symbolic.genres import DRUM_NOTES

    drum_tracks = [i for i, t in enumerate(score.tracks) if t.is_drum]
    if not drum_tracks:
        return []
    d = notes[np.isin(notes["track"], drum_tracks)]
    by_note = {v: k for k, v in DRUM_NOTES.items()}
    lanes = []
    for pitch in np.unique(d["pitch"]):
        lane = by_note.get(int(pitch))
        if lane is None:
            continue
        on, length = _grid_bars(d[d["pitch"] == pitch], bar_qn, steps, n_bars)
        common = _common_bar(on, np.ones_like(length))
        if common and len(common[1]) >= 2:
            lanes.append({"instrument": lane, "hits": common[0].replace("-", "."), "count": len(common[1])})
    return lanes


def _parse_labels(text: str) -> list[tuple[str, int]]:
    import re

    return [(m.group(1), int(m.group(2))) for m in re.finditer(r"([A-Za-z])(\d+)", text)]


def _letters_to_sections(tokens: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    upper = [(c, b) for c, b in tokens if c.isupper() and c not in "X"]
    order = list(dict.fromkeys(c for c, _ in upper))
    names: dict[str, str] = {}
    if order:
        names[order[0]] = "verse"
        totals = collections.Counter()
        for c, b in upper:
            if c != order[0]:
                totals[c] += b
        if totals:
            chorus = totals.most_common(1)[0][0]
            names[chorus] = "chorus"
            letters = [c for c, _ in upper]
            first_v, first_c = letters.index(order[0]), letters.index(chorus)
            for c in letters[first_v + 1:first_c]:
                if c not in names:
                    names[c] = "pre-chorus"
        for c in order:
            names.setdefault(c, "bridge")
    out: list[tuple[str, int]] = []
    for c, b in tokens:
        if c == "i":
            label = "intro"
        elif c == "o":
            label = "outro"
        elif c == "X":
            label = "bridge"
        elif c.islower():
            label = "instrumental"
        else:
            label = names[c]
        if out and out[-1][0] == label:
            out[-1] = (label, out[-1][1] + b)
        else:
            out.append((label, b))
    return out


def _label_tokens(path: Path) -> list[tuple[str, int]]:
    """The phrase labelling beside a file (POP909's ``human_label1.txt``), or []."""
    label_file = path.parent / "human_label1.txt"
    if not label_file.is_file():
        return []
    return _parse_labels(label_file.read_text(encoding="utf-8"))


def _song_meter(score, tokens: Sequence[tuple[str, int]]) -> tuple[int, int, str]:
    """(numerator, denominator, where it came from).

    A phrase labelling counts bars, so the song's length over its bar count gives the bar length (4
    quarter notes: 4/4; 3: 3/4; 6: 6/8 ...), which is what a file's placeholder time signature (POP909's
    MIDI files say 2/4 or 1/4 for songs in 4/4) does not.  Without labels the notated signature is used
    unless it is 1/x, which names no metre; then harmonia's metre detection decides (4/4 if it cannot).
    """
    ts = score.time_signatures
    num, den = int(ts["numerator"][0]), int(ts["denominator"][0])
    if tokens:
        notes = score.notes
        span = float(np.max(notes["onset"] + notes["duration"])) - float(np.min(notes["onset"]))
        per_bar = span / max(sum(b for _, b in tokens), 1)
        fits = {2: (2, 4), 3: (3, 4), 4: (4, 4), 6: (6, 4)}
        best = min(fits, key=lambda q: abs(per_bar - q))
        if abs(per_bar - best) < 0.2 * best:
            return (*fits[best], "labels")
    if num >= 2:
        return num, den, "notated"
    try:
        from harmonia.theory.meter_detect import estimate_meter

        est = estimate_meter(score.notes[~np.isin(score.notes["track"], [i for i, t in enumerate(score.tracks)
                                                                         if t.is_drum])])
        return int(est["numerator"]), int(est["denominator"]), "estimated"
    except Exception:  # metre detection is a best effort here
        return 4, 4, "assumed"


def _sections_from_chords(chords: np.ndarray, bar_qn: float, n_bars: int) -> list[tuple[str, int]]:
    """Letter 4-bar phrases by their chord sequences (equal sequences share a letter)."""
    if chords.size == 0:
        return [("verse", max(n_bars - 1, 1))]
    per_bar: list[str] = []
    first_bar = int(chords["onset"][0] // bar_qn)
    last_bar = int(np.ceil(chords["offset"][-1] / bar_qn))
    for b in range(first_bar, last_bar):
        t = (b + 0.01) * bar_qn
        c = int(np.searchsorted(chords["onset"], t)) - 1
        per_bar.append(str(chords["numeral"][max(c, 0)]))
    tokens: list[tuple[str, int]] = [("i", first_bar)] if first_bar > 0 else []
    letters: dict[tuple[str, ...], str] = {}
    for k in range(0, len(per_bar), 4):
        phrase = tuple(per_bar[k:k + 4])
        match = next((letter for seq, letter in letters.items()
                      if len(seq) == len(phrase) and np.mean([a == b for a, b in zip(seq, phrase)]) >= 0.75), None)
        if match is None:
            match = "ABCDEFGHJKLMNPQRSTUVWYZ"[min(len(letters), 22)]
            letters[phrase] = match
        tokens.append((match, len(phrase)))
    return _letters_to_sections(tokens)


def _round_rhythm(values: Sequence[float]) -> float:
    med = float(np.median(values)) if len(values) else 1.0
    choices = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
    return float(choices[np.argmin(np.abs(np.log2(choices) - np.log2(max(med, 1e-3))))])


def learn_conventions(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    genre: str,
    *,
    out: str | os.PathLike[str] | None = None,
    display_name: str | None = None,
    family: str = "learned",
    n_progressions: int = 10,
    on_error: str = "record",
) -> Any:
    """Learn a genre entry from music files.

    Parameters
    ----------
    paths : path or iterable of paths
        Files, or folders searched recursively for ``.mid``/``.midi``/MusicXML/kern files.
    genre : str
        The entry's name (a lower-case slug such as ``"pop909"``; spaces become hyphens).
    out : path, optional
        Where to write the entry as JSON (atomically).
    display_name, family : str
        The entry's display name (default ``genre``) and family (default ``"learned"``).
    n_progressions : int
        How many of the most frequent 4-chord n-grams to keep as progressions.
    on_error : {"record", "raise"}
        Record a file that fails (in ``statistics["failed"]``) and go on, or raise.

    Returns
    -------
    Genre
        A validated entry (``source`` lists the number of files; ``statistics`` holds the n-gram counts,
        function shares and per-song figures).

    Raises
    ------
    HarmoniaError
        When no file could be analysed (or the first failure with ``on_error="raise"``).

    Examples
    --------
    >>> import harmonia, tempfile, pathlib
    >>> from harmonia.theory.notearray import make_note_array
    >>> chords = [(0, 60), (0, 64), (0, 67), (4, 65), (4, 69), (4, 72),
    ...           (8, 67), (8, 71), (8, 74), (12, 60), (12, 64), (12, 67)]
    >>> notes = make_note_array([t for t, _ in chords] * 2, [4.0] * 24, [p for _, p in chords] * 2)
    >>> notes["onset"][12:] += 16
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "song.mid"
    >>> harmonia.Score(notes).to_midi(path)
    >>> g = learn_conventions([path], genre="tiny")
    >>> g.progressions[0].numerals, g.meters
    (('I', 'IV', 'V', 'I'), (('4/4', 1.0),))
    """
    from harmonia.errors import HarmoniaError
    from harmonia.symbolic.genres import genre_from_dict

    if on_error not in ("record", "raise"):
        raise ValueError(f"on_error={on_error!r}: expected 'record' or 'raise'")
    name = "-".join(str(genre).strip().lower().split())
    files = _expand(paths)
    songs, failed = [], []
    for f in files:
        try:
            songs.append(song_conventions(f))
        except (HarmoniaError, OSError, ValueError) as exc:
            if on_error == "raise":
                raise
            failed.append({"file": str(f), "error": str(exc)})
    if not songs:
        from harmonia.errors import InvalidScoreError

        raise InvalidScoreError(f"learn_conventions: none of {len(files)} file(s) could be analysed: {failed[:3]}")

    # progressions: 4-gram counts in each mode
    grams: dict[int, collections.Counter] = {n: collections.Counter() for n in (2, 3, 4)}
    chord_bars = []
    for s in songs:
        seq = s["numerals"]
        chord_bars += [b for _, _, b in seq]
        for n in grams:
            for k in range(len(seq) - n + 1):
                window = seq[k:k + n]
                if len({m for _, m, _ in window}) != 1 or len({f for f, _, _ in window}) == 1:
                    continue
                grams[n][(window[0][1], *[f for f, _, _ in window])] += 1
    bpc = _round_rhythm(chord_bars)
    # the most frequent 4-grams, shared between the modes in proportion to their songs (at least 2 each)
    mode_songs = collections.Counter(s["mode"] for s in songs)
    progressions = []
    for m, c in mode_songs.most_common():
        quota = max(2, int(round(n_progressions * c / len(songs))))
        ranked = [(k, v) for k, v in grams[4].most_common() if k[0] == m][:quota]
        progressions += [{"numerals": list(k[1:]), "mode": m, "weight": float(v), "bars_per_chord": bpc}
                         for k, v in ranked]
    progressions.sort(key=lambda p: -p["weight"])
    if not progressions:
        for n in (3, 2):
            if grams[n]:
                key, count = grams[n].most_common(1)[0]
                progressions = [{"numerals": list(key[1:]), "mode": key[0], "weight": float(count),
                                 "bars_per_chord": bpc}]
                break
    if not progressions:
        f, m, _ = songs[0]["numerals"][0] if songs[0]["numerals"] else ("I", "major", 1.0)
        progressions = [{"numerals": [f], "mode": m, "weight": 1.0, "bars_per_chord": bpc}]

    tempos = np.array([s["tempo_bpm"] for s in songs])
    lo, hi = (np.percentile(tempos, 10), np.percentile(tempos, 90)) if tempos.size > 2 else (tempos.min(), tempos.max())
    lo, hi = float(np.floor(lo * 0.97)), float(np.ceil(hi * 1.03))
    meters = collections.Counter(s["meter"] for s in songs)
    modes = collections.Counter(s["mode"] for s in songs)
    parents = {p["mode"] for p in progressions}
    modes_out = [{"mode": m, "weight": c / len(songs)} for m, c in modes.most_common() if m in parents]
    if not modes_out:
        modes_out = [{"mode": progressions[0]["mode"], "weight": 1.0}]
    swings = [s["swing"] for s in songs if np.isfinite(s["swing"])]
    if swings:
        ratio = float(np.median(swings))
        swing = float(np.clip((ratio / (1 + ratio) - 0.5) * 6, 0.0, 1.0))
    else:
        swing = 0.0

    structures = collections.Counter(tuple(map(tuple, s["sections"])) for s in songs if s["sections"])
    structs = [{"name": f"learned {k + 1}", "weight": float(c), "sections": [list(x) for x in secs]}
               for k, (secs, c) in enumerate(structures.most_common(5))]

    inst_count = collections.Counter((i["role"], i["program"], i["is_drum"])
                                     for s in songs for i in s["instrumentation"])
    names = {}
    for s in songs:
        for i in s["instrumentation"]:
            names.setdefault((i["role"], i["program"], i["is_drum"]), i["name"])
    instrumentation = [{"role": r, "program": p, "is_drum": d, "name": names[(r, p, d)]}
                       for (r, p, d), c in inst_count.most_common() if c >= max(1, len(songs) // 3)]
    roles = {i["role"] for i in instrumentation}

    meter = meters.most_common(1)[0][0]
    steps = next(s["steps_per_bar"] for s in songs if s["meter"] == meter)
    comp = collections.Counter((s["comping"]["rhythm"], s["comping"]["voicing"]) for s in songs
                               if s["comping"] and s["meter"] == meter)
    comping = []
    for k, ((rhythm, voicing), _) in enumerate(comp.most_common(3)):
        reg = [s["comping"]["register"] for s in songs if s["comping"] and s["comping"]["rhythm"] == rhythm]
        comping.append({"name": f"learned comping {k + 1}", "rhythm": rhythm, "voicing": voicing,
                        "register": [int(np.median([r[0] for r in reg])), int(np.median([r[1] for r in reg]))],
                        "meter": meter, "steps_per_bar": steps})
    bass_c = collections.Counter((s["bass"]["rhythm"], tuple(s["bass"]["notes"])) for s in songs
                                 if s["bass"] and s["meter"] == meter)
    basses = [{"name": f"learned bass {k + 1}", "rhythm": r, "notes": list(n), "meter": meter, "steps_per_bar": steps}
              for k, ((r, n), _) in enumerate(bass_c.most_common(3))]
    lanes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for s in songs:
        if s["meter"] == meter:
            for lane in s["drums"]:
                lanes[lane["instrument"]][lane["hits"]] += lane["count"]
    drums = []
    if lanes:
        drums = [{"name": "learned groove", "meter": meter, "steps_per_bar": steps,
                  "lanes": [{"instrument": k, "hits": c.most_common(1)[0][0]} for k, c in sorted(lanes.items())]}]
    if "harmony" in roles and not comping:
        roles.discard("harmony")
        instrumentation = [i for i in instrumentation if i["role"] != "harmony"] or instrumentation
    if "bass" in roles and not basses:
        instrumentation = [i for i in instrumentation if i["role"] != "bass"]
    if "drums" in roles and not drums:
        instrumentation = [i for i in instrumentation if i["role"] != "drums"]

    mel = [s["melody"] for s in songs if s["melody"]]

    def med(key: str, default: float) -> float:
        return float(np.median([m[key] for m in mel])) if mel else default

    phrase = [b for s in songs for label, b in s["sections"] if label not in ("intro", "outro")]
    functions = collections.Counter()
    for s in songs:
        functions.update(s["functions"])
    total_f = sum(functions.values()) or 1
    lo_m, hi_m = int(round(med("lo", 60))), int(round(med("hi", 79)))
    if hi_m - lo_m < 5:
        hi_m = lo_m + 5
    entry = {
        "name": name,
        "display_name": display_name or str(genre),
        "family": family,
        "description": f"Conventions learned by harmonia from {len(songs)} file(s).",
        "tempo_bpm": [lo, max(hi, lo)],
        "meters": [{"meter": m, "weight": c / len(songs)} for m, c in meters.most_common()],
        "swing": round(swing, 3),
        "energy": round(float(np.median([s["energy"] for s in songs])), 3),
        "modes": modes_out,
        "progressions": progressions,
        "structures": structs or [{"name": "single section", "sections": [["verse", 8]]}],
        "instrumentation": instrumentation,
        "drum_patterns": drums,
        "bass_patterns": basses,
        "comping_patterns": comping,
        "melody": {
            "range_midi": [lo_m, hi_m],
            "stepwise_share": round(med("stepwise", 0.7), 3),
            "syncopation": round(float(np.clip(med("syncopation", 0.3), 0, 1)), 3),
            "notes_per_bar": round(med("notes_per_bar", 4.0), 2),
            "phrase_bars": int(np.median(phrase)) if phrase else 4,
            "scale": "minor" if modes.most_common(1)[0][0] == "minor" else "major",
        },
        "production": None,
        "source": f"learned by harmonia.workflows.conventions.learn_conventions from {len(songs)} file(s)",
        "references": [],
        "licence": "as the analysed corpus",
        "statistics": {
            "songs": len(songs),
            "failed": failed,
            "ngrams": {str(n): [[list(k[1:]), k[0], c] for k, c in grams[n].most_common(15)] for n in grams},
            "function_shares": {k: round(v / total_f, 4) for k, v in sorted(functions.items())},
            "bars_per_chord_median": round(float(np.median(chord_bars)), 3) if chord_bars else None,
            "tempo_bpm_median": round(float(np.median(tempos)), 2),
        },
    }
    g = genre_from_dict(entry)
    if out is not None:
        from harmonia.symbolic.atomic import write_text_atomic

        write_text_atomic(out, json.dumps(g.to_dict(), indent=1, ensure_ascii=False) + "\n")
    return g
