"""The built-in synthesizer: a Score to 48 kHz stereo audio with numpy and numba only.

No sample or SoundFont is downloaded: every sound is synthesized.  Each track gets an *instrument*
(chosen from its General MIDI program and drum flag, or given by name) and a *role* (``"drums"``,
``"bass"``, ``"harmony"``, ``"melody"``, ``"pad"``, from the drum flag, program, name and register),
which sets its default stereo position; :mod:`harmonia.audio.mix` balances and EQs by role.

Instruments (see :data:`INSTRUMENTS`):

``"piano"``
    Additive: 16 slightly inharmonic partials decaying faster the higher they are; velocity tilts the
    spectrum (harder is brighter); a damper release.
``"epiano"``, ``"mallet"``
    Two-operator FM with a decaying index (a 1:1 electric piano with a quiet tine; a 3.5:1 mallet).
``"organ"``, ``"sine"``, ``"sub_bass"``
    Additive, steady partials (drawbar organ; a pure sine, handy for tests; a sine bass with a little
    second harmonic).
``"pluck"``
    Karplus-Strong string (guitars, harps, plucked ethnic instruments).
``"bass"``, ``"synth_bass"``, ``"pad"``, ``"strings"``, ``"lead"``, ``"soft_lead"``, ``"brass"``
    Subtractive: detuned polyBLEP saw/square oscillators through an enveloped state-variable low-pass,
    ADSR, vibrato (leads, strings), slow filter LFO and wide stereo spread (pads).
``"drums"``
    A synthesized kit mapped from General MIDI drum notes: pitch-swept sine kick with a click, snare
    (tone and band-passed noise), side stick, clap (three bursts and a tail), closed/pedal/open hi-hat,
    six toms, crash and ride (square-wave "metal" and high-passed noise), tambourine/shakers, cowbell,
    and pitched blips for hand percussion.

Velocity scales amplitude (``(velocity / 127) ** 1.5``) and brightness; positions come from the
Score's tempo map (:meth:`~harmonia.symbolic.score.Score.qn_to_sec`); noise and oscillator phases are
drawn from a generator seeded by ``seed`` and the track index, so the same input gives the same samples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harmonia.audio import _kernels as K
from harmonia.errors import InvalidScoreError
from harmonia.symbolic.score import Score, Track

__all__ = [
    "INSTRUMENTS",
    "ROLES",
    "SAMPLE_RATE",
    "Rendering",
    "infer_role",
    "instrument_for_program",
    "render_builtin",
]

#: Default output sample rate, Hz.
SAMPLE_RATE = 48_000

#: Track roles used for stereo placement and mixing.
ROLES = ("drums", "bass", "harmony", "melody", "pad")


def _sub(**kw: float) -> np.ndarray:
    p = np.zeros(K.N_SUB_PARAMS)
    defaults = {
        "nosc": 1, "detune": 0, "stereo": 0, "square": 0, "sub": 0, "cutoff": 2000, "keytrack": 0.5,
        "envamt": 1, "fdecay": 0.3, "res": 0.1, "velbright": 1, "a": 0.005, "d": 0.3, "s": 0.8, "r": 0.1,
        "viberate": 5.5, "vibdepth": 0, "vibdelay": 0.3, "lforate": 0.2, "lfodepth": 0,
    }
    defaults.update(kw)
    names = ["nosc", "detune", "stereo", "square", "sub", "cutoff", "keytrack", "envamt", "fdecay", "res",
             "velbright", "a", "d", "s", "r", "viberate", "vibdepth", "vibdelay", "lforate", "lfodepth"]
    for i, name in enumerate(names):
        p[i] = defaults[name]
    return p


@dataclass(frozen=True)
class _Instrument:
    kind: str  # "additive", "fm", "pluck", "subtractive", "drums"
    gain: float
    params: Any = None
    extra: dict[str, float] = field(default_factory=dict)


#: The built-in instruments by name, each a synthesis method with its parameters.
INSTRUMENTS: dict[str, _Instrument] = {
    "piano": _Instrument("additive", 0.42, "piano", {"attack": 0.002, "release": 0.08}),
    "organ": _Instrument(
        "additive",
        0.2,
        (
            np.array([0.5, 1, 1.5, 2, 3, 4, 5, 6, 8]),
            np.array([0.5, 1, 0.6, 0.5, 0.25, 0.2, 0.1, 0.08, 0.08]),
            0.05,
        ),
        {"attack": 0.008, "release": 0.06},
    ),
    "sine": _Instrument("additive", 0.5, (np.array([1.0]), np.array([1.0]), 0.0), {"attack": 0.005, "release": 0.04}),
    "sub_bass": _Instrument(
        "additive", 0.55, (np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.25, 0.08]), 0.15),
        {"attack": 0.005, "release": 0.05},
    ),
    "epiano": _Instrument("fm", 0.38, np.array([1.0, 1.8, 0.35, 1.6, 0.002, 0.1, 14.0, 0.12, 0.05])),
    "mallet": _Instrument("fm", 0.35, np.array([3.5, 1.2, 0.08, 0.5, 0.001, 0.2, 9.0, 0.05, 0.02])),
    "pluck": _Instrument("pluck", 0.9, None, {"ring": 2.5, "mute": 0.08}),
    "bass": _Instrument(
        "subtractive", 0.45, _sub(square=0.3, sub=0.6, cutoff=260, keytrack=0.5, envamt=5, fdecay=0.12, res=0.3,
                                  a=0.003, d=0.25, s=0.75, r=0.05),
    ),
    "synth_bass": _Instrument(
        "subtractive", 0.4, _sub(nosc=2, detune=8, square=0.5, sub=0.4, cutoff=180, keytrack=0.4, envamt=10,
                                 fdecay=0.1, res=0.5, a=0.002, d=0.2, s=0.7, r=0.04),
    ),
    "pad": _Instrument(
        "subtractive", 0.45, _sub(nosc=5, detune=22, stereo=0.9, cutoff=900, keytrack=0.3, envamt=0.6, fdecay=1.5,
                                 res=0.15, velbright=0.5, a=0.45, d=1.0, s=0.8, r=0.45, lforate=0.15, lfodepth=0.5),
    ),
    "strings": _Instrument(
        "subtractive", 0.4, _sub(nosc=3, detune=12, stereo=0.6, cutoff=2200, keytrack=0.4, envamt=0.3, fdecay=0.8,
                                  a=0.18, d=0.5, s=0.9, r=0.3, viberate=5.2, vibdepth=8, vibdelay=0.3),
    ),
    "lead": _Instrument(
        "subtractive", 0.55, _sub(nosc=2, detune=6, stereo=0.2, square=0.35, cutoff=2500, keytrack=0.6, envamt=2,
                                 fdecay=0.3, res=0.25, a=0.01, d=0.3, s=0.75, r=0.1, viberate=5.5, vibdepth=18,
                                 vibdelay=0.25),
    ),
    "soft_lead": _Instrument(
        "subtractive", 0.55, _sub(square=0.8, cutoff=1500, keytrack=0.7, envamt=0.5, a=0.05, d=0.4, s=0.85, r=0.12,
                                 viberate=5.0, vibdepth=12, vibdelay=0.35),
    ),
    "brass": _Instrument(
        "subtractive", 0.45, _sub(nosc=2, detune=5, cutoff=900, keytrack=0.5, envamt=3, fdecay=0.25, res=0.2,
                                 a=0.04, d=0.4, s=0.8, r=0.15, viberate=5.0, vibdepth=6, vibdelay=0.4),
    ),
    "drums": _Instrument("drums", 0.7),
}

_DEFAULT_PAN = {"drums": 0.0, "bass": 0.0, "melody": 0.0, "pad": 0.0}
_HARMONY_PANS = (-0.35, 0.35, -0.2, 0.2, -0.5, 0.5)
_MELODY_PANS = (0.0, 0.2, -0.2, 0.3, -0.3)


def instrument_for_program(program: int, *, is_drum: bool = False) -> str:
    """The built-in instrument for a General MIDI program (0-127) or a drum track.

    Examples
    --------
    >>> [instrument_for_program(p) for p in (0, 4, 25, 33, 48, 81, 89)]
    ['piano', 'epiano', 'pluck', 'bass', 'strings', 'lead', 'pad']
    >>> instrument_for_program(0, is_drum=True)
    'drums'
    """
    p = int(program)
    if is_drum:
        return "drums"
    if not 0 <= p <= 127:
        raise ValueError(f"GM program {p} is outside 0-127")
    special = {6: "pluck", 7: "pluck", 45: "pluck", 46: "pluck", 55: "brass", 108: "mallet", 109: "lead",
               110: "strings", 111: "lead", 116: "sub_bass"}
    if p in special:
        return special[p]
    table = [
        (4, "piano"), (6, "epiano"), (16, "mallet"), (24, "organ"), (32, "pluck"), (38, "bass"), (40, "synth_bass"),
        (52, "strings"), (55, "pad"), (64, "brass"), (72, "lead"), (80, "soft_lead"), (88, "lead"), (104, "pad"),
        (112, "pluck"), (120, "mallet"), (128, "sine"),
    ]
    return next(name for limit, name in table if p < limit)


_NAME_ROLES = (
    (re.compile(r"bass(?!oon)", re.I), "bass"),
    (re.compile(r"pad", re.I), "pad"),
    (re.compile(r"melod|lead|vocal|voice|vox|solo|\bmel\b|sing", re.I), "melody"),
)


def infer_role(track: Track, pitches: np.ndarray, onsets: np.ndarray, offsets: np.ndarray) -> str:
    """Guess a track's role from its drum flag, name, GM program and register.

    In that order: a drum track is ``"drums"``; a name containing "bass" (not "bassoon"), "pad", or
    "melody"/"lead"/"vocal"/"voice"/"vox"/"solo"/"sing" gives that role; GM basses (32-39) are
    ``"bass"``, pads, effects, string ensembles and choirs (48-54, 88-103) ``"pad"``, brass, reeds,
    pipes and synth leads (56-87) ``"melody"``; otherwise a mostly monophonic track is ``"bass"``
    below a median of MIDI 50 and ``"melody"`` from MIDI 60 up, and anything else ``"harmony"``.

    Parameters
    ----------
    track : Track
        The track.
    pitches, onsets, offsets : numpy.ndarray
        Its notes' MIDI pitches and start/end times (any unit), sorted by onset.

    Returns
    -------
    str
        One of :data:`ROLES`.

    Examples
    --------
    >>> import numpy as np
    >>> infer_role(Track("Bass guitar", 33), np.array([40]), np.array([0.0]), np.array([1.0]))
    'bass'
    >>> infer_role(Track("Track 1", 0), np.array([72, 74, 76]), np.arange(3.0), np.arange(3.0) + 1)
    'melody'
    """
    if track.is_drum:
        return "drums"
    for pattern, role in _NAME_ROLES:
        if pattern.search(track.name or ""):
            return role
    p = int(track.program)
    if 32 <= p <= 39:
        return "bass"
    if 88 <= p <= 103 or 48 <= p <= 54:
        return "pad"
    if 56 <= p <= 87:
        return "melody"
    if pitches.size == 0:
        return "harmony"
    median = float(np.median(pitches))
    overlap = float(np.mean(onsets[1:] < offsets[:-1] - 1e-6)) if pitches.size > 1 else 0.0
    if median < 50 and overlap < 0.2:
        return "bass"
    if median >= 60 and overlap < 0.1:
        return "melody"
    return "harmony"


def _pan_gains(pan: np.ndarray | float) -> tuple[Any, Any]:
    """Constant-power pan law: -1 left, 0 centre (-3 dB each side), +1 right."""
    theta = (np.clip(pan, -1.0, 1.0) + 1.0) * np.pi / 4.0
    return np.cos(theta), np.sin(theta)


def _midi_to_hz(pitch: np.ndarray) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=float) - 69.0) / 12.0)


# -- General MIDI drum map: note -> (piece, frequency for pitched pieces, pan, gain) -----------------
def _drum_map() -> np.ndarray:
    table = np.zeros(128, dtype=[("piece", np.int64), ("f0", float), ("pan", float), ("gain", float)])
    table["piece"] = K.PERC
    table["f0"] = 300.0
    table["gain"] = 0.35
    def put(notes, piece, f0=0.0, pan=0.0, gain=1.0):
        for n in np.atleast_1d(notes):
            table[n] = (piece, f0, pan, gain)

    put([35, 36], K.KICK, gain=1.0)
    put(37, K.SIDESTICK, gain=0.5)
    put([38, 40], K.SNARE, gain=0.75)
    put(39, K.CLAP, gain=0.6)
    put(42, K.HAT_CLOSED, pan=-0.3, gain=0.32)
    put(44, K.HAT_PEDAL, pan=-0.3, gain=0.25)
    put(46, K.HAT_OPEN, pan=-0.3, gain=0.3)
    for note, f0, pan in ((41, 82, 0.45), (43, 98, 0.35), (45, 115, 0.15), (47, 135, 0.0), (48, 160, -0.2),
                          (50, 190, -0.35)):
        put(note, K.TOM, f0=f0, pan=pan, gain=0.7)
    put([49, 52, 55], K.CRASH, pan=-0.4, gain=0.35)
    put(57, K.CRASH, pan=0.45, gain=0.35)
    put([51, 53, 59], K.RIDE, pan=0.4, gain=0.3)
    put([54, 69, 70, 73, 74, 82], K.SHAKER, pan=0.25, gain=0.25)
    put([56, 67, 68], K.COWBELL, pan=0.2, gain=0.3)
    for note, f0, pan in ((60, 420, 0.3), (61, 320, 0.3), (62, 340, -0.3), (63, 290, -0.3), (64, 220, -0.3),
                          (65, 420, 0.25), (66, 310, 0.25), (71, 2100, 0.0), (72, 1900, 0.0), (75, 2500, -0.2),
                          (76, 1200, 0.2), (77, 900, 0.2), (78, 520, 0.0), (79, 440, 0.0), (80, 4200, 0.35),
                          (81, 4200, 0.35)):
        put(note, K.PERC, f0=f0, pan=pan, gain=0.4)
    return table


_DRUMS = _drum_map()


@dataclass(frozen=True)
class Rendering:
    """Audio rendered from a score: the sum, one stem per track, and what each stem is.

    Attributes
    ----------
    audio : numpy.ndarray
        The plain sum of the stems, shape ``(2, n_samples)`` (channels first), float32; not normalised,
        so it may exceed full scale: :func:`~harmonia.audio.mix.master` it before writing PCM.
    stems : dict of str to numpy.ndarray
        One ``(2, n_samples)`` float32 array per track, keyed by a unique file-safe name.
    sample_rate : int
        Samples per second.
    roles : dict of str to str
        Each stem's role (one of :data:`ROLES`).
    instruments : dict of str to str
        Each stem's instrument (a key of :data:`INSTRUMENTS`, or ``"soundfont"``).
    backend : str
        ``"builtin"`` or ``"soundfont"``.
    """

    audio: np.ndarray
    stems: dict[str, np.ndarray]
    sample_rate: int
    roles: dict[str, str]
    instruments: dict[str, str]
    backend: str = "builtin"

    @property
    def duration_sec(self) -> float:
        """Length of the audio in seconds."""
        return self.audio.shape[1] / self.sample_rate


def stem_names(tracks: tuple[Track, ...]) -> list[str]:
    """Unique, file-safe stem names from track names (``"Track 1"`` -> ``"track_1"``)."""
    names: list[str] = []
    for i, t in enumerate(tracks):
        base = re.sub(r"[^a-z0-9]+", "_", (t.name or "").lower()).strip("_") or f"track_{i + 1}"
        name = base
        n = 2
        while name in names:
            name = f"{base}_{n}"
            n += 1
        names.append(name)
    return names


def _lookup(option: Mapping[Any, Any] | None, i: int, name: str, track: Track) -> Any:
    if not option:
        return None
    for key in (i, name, track.name):
        if key in option:
            return option[key]
    return None


def track_plan(
    score: Score,
    *,
    instruments: Mapping[Any, str] | None = None,
    roles: Mapping[Any, str] | None = None,
    pans: Mapping[Any, float] | None = None,
) -> list[dict[str, Any]]:
    """Name, role, instrument and pan of every track, with the caller's overrides applied.

    ``instruments``, ``roles`` and ``pans`` map a track index, stem name or track name to a value.
    """
    notes = score.notes
    plan = []
    counts: dict[str, int] = {}
    for i, (track, name) in enumerate(zip(score.tracks, stem_names(score.tracks))):
        sel = notes[notes["track"] == i]
        role = _lookup(roles, i, name, track) or infer_role(
            track, sel["pitch"], sel["onset"], sel["onset"] + sel["duration"]
        )
        if role not in ROLES:
            raise ValueError(f"track {i} ({track.name!r}): role {role!r} is not one of {ROLES}")
        inst = _lookup(instruments, i, name, track) or instrument_for_program(track.program, is_drum=track.is_drum)
        if inst not in INSTRUMENTS:
            raise ValueError(f"track {i} ({track.name!r}): instrument {inst!r} is not one of {sorted(INSTRUMENTS)}")
        pan = _lookup(pans, i, name, track)
        if pan is None:
            k = counts.get(role, 0)
            if role == "harmony":
                pan = _HARMONY_PANS[k % len(_HARMONY_PANS)]
            elif role == "melody":
                pan = _MELODY_PANS[k % len(_MELODY_PANS)]
            else:
                pan = _DEFAULT_PAN[role]
        counts[role] = counts.get(role, 0) + 1
        plan.append({"index": i, "name": name, "role": role, "instrument": inst, "pan": float(pan)})
    return plan


def _piano_partials(f0: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = np.arange(1, 17, dtype=float)
    inharm = 2e-4
    freq = f0[:, None] * k * np.sqrt(1.0 + inharm * k**2)
    tilt = 1.0 + 1.6 * (1.0 - vel)
    amp = k[None, :] ** -tilt[:, None]
    # low notes have a weak fundamental, high notes few audible partials
    amp[:, 0] *= np.clip(f0 / 130.0, 0.45, 1.0)
    amp /= np.sqrt((amp**2).sum(axis=1, keepdims=True))
    decay = (0.55 + 0.3 * (k - 1.0))[None, :] * (f0[:, None] / 261.6256) ** 0.6
    return freq, amp, decay


def _render_track(out, inst: _Instrument, name: str, sel: np.ndarray, start, hold, pan, rng, sr) -> None:
    n = sel.size
    vel = np.clip(sel["velocity"].astype(float), 1, 127) / 127.0
    amp = inst.gain * vel**1.5
    rand = rng.random((n, 8))
    if inst.kind == "drums":
        d = _DRUMS[np.clip(sel["pitch"], 0, 127)]
        gl, gr = _pan_gains(np.clip(pan + d["pan"], -1, 1))
        noise = rng.uniform(-1.0, 1.0, 1 << 17)
        K.drum_kernel(out, start, d["piece"].copy(), d["f0"].copy(), amp * d["gain"], gl, gr, rand, noise, float(sr))
        return
    gl, gr = _pan_gains(np.full(n, pan))
    f0 = _midi_to_hz(sel["pitch"])
    if inst.kind == "additive":
        if inst.params == "piano":
            pf, pa, pd = _piano_partials(f0, vel)
        else:
            ratios, amps, decay = inst.params
            pf = f0[:, None] * ratios[None, :]
            pa = np.broadcast_to(amps / np.sqrt((amps**2).sum()), pf.shape).copy()
            pd = np.full(pf.shape, float(decay))
        K.additive_kernel(
            out, start, hold, gl * amp, gr * amp, pf, pa, pd, inst.extra["attack"], inst.extra["release"], float(sr)
        )
    elif inst.kind == "fm":
        K.fm_kernel(out, start, hold, f0, vel, gl * amp, gr * amp, inst.params, float(sr))
    elif inst.kind == "pluck":
        K.pluck_kernel(
            out, start, hold, f0, vel, gl * amp, gr * amp, rand, inst.extra["ring"], inst.extra["mute"], float(sr)
        )
    elif inst.kind == "subtractive":
        K.subtractive_kernel(out, start, hold, f0, vel, gl * amp, gr * amp, rand, inst.params, float(sr))
    else:  # pragma: no cover - the table above is closed
        raise AssertionError(name)


def render_builtin(
    score: Score,
    *,
    sample_rate: int = SAMPLE_RATE,
    instruments: Mapping[Any, str] | None = None,
    roles: Mapping[Any, str] | None = None,
    pans: Mapping[Any, float] | None = None,
    tail_sec: float = 1.5,
    seed: int = 0,
) -> Rendering:
    """Render a Score with the built-in synthesizer.

    Parameters
    ----------
    score : Score
        What to play; note times go through its tempo map.
    sample_rate : int, default 48000
        Output rate, Hz.
    instruments, roles, pans : mapping, optional
        Overrides by track index, stem name or track name: an instrument name from
        :data:`INSTRUMENTS`, a role from :data:`ROLES`, a pan position in [-1 (left), 1 (right)].
    tail_sec : float, default 1.5
        Audio kept after the last note ends, faded out with a half cosine so that long releases end
        smoothly.  The output lasts ``score.duration_sec + tail_sec`` seconds.
    seed : int, default 0
        Seeds noise and oscillator phases.

    Returns
    -------
    Rendering
        The sum and the per-track stems, ``(2, n_samples)`` float32 each.

    Raises
    ------
    EmptyScoreError
        When the score has no notes.
    ValueError
        For an unknown instrument or role, or a sample rate outside 8-192 kHz.

    Examples
    --------
    >>> from harmonia.symbolic.score import Score, Track
    >>> s = Score([(0.0, 1.0, 69, 100, 0)], tempos=[(0.0, 120.0)], tracks=[Track("Flute", 73)])
    >>> r = render_builtin(s, instruments={0: "sine"}, tail_sec=0.5)
    >>> r.audio.shape, r.sample_rate, r.roles
    ((2, 48000), 48000, {'flute': 'melody'})
    """
    from harmonia.errors import EmptyScoreError

    if score.n_notes == 0:
        raise EmptyScoreError(f"{score.metadata.get('source') or 'score'}: nothing to render, the score has no notes")
    sr = int(sample_rate)
    if not 8000 <= sr <= 192_000:
        raise ValueError(f"sample_rate {sample_rate} Hz is outside 8000-192000 Hz")
    if not (np.isfinite(tail_sec) and tail_sec >= 0):
        raise ValueError(f"tail_sec must be >= 0, got {tail_sec}")
    notes = score.notes
    on_sec = np.asarray(score.qn_to_sec(notes["onset"]), dtype=float)
    off_sec = np.asarray(score.qn_to_sec(notes["onset"] + notes["duration"]), dtype=float)
    end_sec = float(off_sec.max())
    n_samples = int(np.ceil((end_sec + tail_sec) * sr))
    if n_samples > 3600 * sr:
        raise InvalidScoreError(f"the score lasts {end_sec:.0f} s; the built-in renderer stops at one hour")
    start_all = np.rint(on_sec * sr).astype(np.int64)
    hold_all = np.maximum(np.rint((off_sec - on_sec) * sr).astype(np.int64), 1)
    fade = np.ones(n_samples)
    n_end = int(round(end_sec * sr))
    if n_samples > n_end:
        fade[n_end:] = 0.5 * (1.0 + np.cos(np.linspace(0.0, np.pi, n_samples - n_end)))
    stems: dict[str, np.ndarray] = {}
    roles_out: dict[str, str] = {}
    insts_out: dict[str, str] = {}
    total = np.zeros((2, n_samples))
    for plan in track_plan(score, instruments=instruments, roles=roles, pans=pans):
        i, name = plan["index"], plan["name"]
        mask = notes["track"] == i
        out = np.zeros((2, n_samples))
        if mask.any():
            rng = np.random.default_rng([int(seed), i])
            _render_track(
                out, INSTRUMENTS[plan["instrument"]], name, notes[mask], start_all[mask], hold_all[mask], plan["pan"],
                rng, sr,
            )
        out *= fade
        total += out
        stems[name] = out.astype(np.float32)
        roles_out[name] = plan["role"]
        insts_out[name] = plan["instrument"]
    return Rendering(total.astype(np.float32), stems, sr, roles_out, insts_out, "builtin")
