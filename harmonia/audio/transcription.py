"""Transcription: pitched stems to notes with basic-pitch's ONNX model, drum stems to onset events.

Pitched audio goes through Spotify's basic-pitch network [1]_ as the ONNX file that ships in its wheel
(``basic_pitch/saved_models/icassp_2022/nmp.onnx``), run by onnxruntime: no TensorFlow.  Install it
without its dependencies (they pull TensorFlow and pin old numpy)::

    pip install "harmonia[audio]"
    pip install --no-deps basic-pitch==0.4.0

or point ``model=`` / ``$HARMONIA_BASIC_PITCH_MODEL`` at an ``nmp.onnx`` file.  The network's note and
onset activations are decoded into notes here, with basic-pitch's own rules (onset peaks above a
threshold, a note lasting while its frame activation stays above another, then the "melodia trick"
that follows the strongest remaining activations) in a numba kernel; ``tests/reference`` keeps
basic-pitch's plain-Python loop, and the two agree note for note.

Drum stems are not pitched: :func:`transcribe_drums` finds onsets (librosa's onset detector) and names
each hit kick (36), snare (38) or closed hi-hat (42) by where its energy lies.  :func:`events_to_score`
puts the stems' events on a tempo map built from tracked beats, so the result is a harmonia
:class:`~harmonia.symbolic.score.Score` with one track per stem and bars on the detected downbeats.

References
----------
.. [1] R. M. Bittner, J. J. Bosch, D. Rubinstein, G. Meseguer-Brocal and S. Ewert, "A lightweight
   instrument-agnostic model for polyphonic note transcription and multipitch estimation," *Proc. IEEE
   ICASSP*, 2022. https://doi.org/10.1109/ICASSP43922.2022.9746549
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit

from harmonia._optional import import_optional
from harmonia.errors import CheckpointError, MissingDependencyError

__all__ = [
    "EVENT_DTYPE",
    "STEM_PROGRAMS",
    "basic_pitch_model_path",
    "events_to_score",
    "transcribe_audio",
    "transcribe_drums",
]

#: One row per transcribed note: times in seconds, MIDI pitch, MIDI velocity.
EVENT_DTYPE = np.dtype([("onset_sec", "f8"), ("offset_sec", "f8"), ("pitch", "i2"), ("velocity", "i2")])

#: General MIDI program for a stem's track in :func:`events_to_score` (unknown stems get 0, piano).
STEM_PROGRAMS = {"bass": 33, "vocals": 53, "other": 0, "piano": 0, "melody": 73, "guitar": 25, "mix": 0}

# basic-pitch's framing (basic_pitch/constants.py)
_SR = 22050
_FFT_HOP = 256
_N_SAMPLES = _SR * 2 - _FFT_HOP  # samples per window
_FPS = _SR // _FFT_HOP  # 86 frames per second
_WINDOW_FRAMES = _FPS * 2
_OVERLAP_FRAMES = 30
_MIDI_OFFSET = 21
_ENV_VAR = "HARMONIA_BASIC_PITCH_MODEL"
_INPUT = "serving_default_input_2:0"
_OUTPUTS = ("StatefulPartitionedCall:1", "StatefulPartitionedCall:2")  # note, onset


def basic_pitch_model_path(model: str | os.PathLike[str] | None = None) -> Path:
    """Where basic-pitch's ONNX model is: ``model``, ``$HARMONIA_BASIC_PITCH_MODEL``, or the installed wheel.

    Raises
    ------
    CheckpointError
        ``model`` (or the variable) names no file.
    MissingDependencyError
        Neither is given and basic-pitch is not installed (the message says how to install it).
    """
    chosen = model if model is not None else os.environ.get(_ENV_VAR) or None
    if chosen is not None:
        p = Path(chosen)
        if not p.is_file():
            raise CheckpointError(f"{p}: no basic-pitch ONNX model there (expected an nmp.onnx file)")
        return p
    spec = importlib.util.find_spec("basic_pitch")  # no import: basic-pitch's __init__ probes TensorFlow
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            p = Path(root) / "saved_models" / "icassp_2022" / "nmp.onnx"
            if p.is_file():
                return p
    raise MissingDependencyError(
        "transcription needs basic-pitch's ONNX model: pip install --no-deps basic-pitch==0.4.0 "
        f'(after pip install "harmonia[audio]"), or set ${_ENV_VAR} to an nmp.onnx file'
    )


@functools.lru_cache(maxsize=4)
def _session(path: str) -> Any:
    ort = import_optional("onnxruntime", extra="audio", feature="transcription")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail / InvalidProtobuf
        raise CheckpointError(f"{path}: not a loadable ONNX model ({exc})") from None


def _activations(y: np.ndarray, session: Any) -> tuple[np.ndarray, np.ndarray]:
    """Run the network over overlapping 2 s windows; return ``(note, onset)`` activations, ``(n_frames, 88)``."""
    overlap = _OVERLAP_FRAMES * _FFT_HOP
    hop = _N_SAMPLES - overlap
    x = np.concatenate([np.zeros(overlap // 2, dtype=np.float32), y.astype(np.float32)])
    starts = range(0, x.size, hop)
    windows = np.zeros((len(starts), _N_SAMPLES, 1), dtype=np.float32)
    for i, s in enumerate(starts):
        chunk = x[s : s + _N_SAMPLES]
        windows[i, : chunk.size, 0] = chunk
    notes, onsets = [], []
    for b in range(0, windows.shape[0], 8):
        n, o = session.run(list(_OUTPUTS), {_INPUT: windows[b : b + 8]})
        notes.append(n)
        onsets.append(o)
    half = _OVERLAP_FRAMES // 2
    n_frames = int(np.floor(y.size * (_FPS / _SR)))

    def unwrap(parts: list[np.ndarray]) -> np.ndarray:
        a = np.concatenate(parts)[:, half:-half, :]
        return np.ascontiguousarray(a.reshape(-1, a.shape[2])[:n_frames])

    return unwrap(notes), unwrap(onsets)


def _frame_times(n_frames: int) -> np.ndarray:
    """basic-pitch's frame-to-time map, with its per-window offset correction."""
    t = np.arange(n_frames) * _FFT_HOP / _SR
    window = np.floor(np.arange(n_frames) / _WINDOW_FRAMES)
    offset = (_FFT_HOP / _SR) * (_WINDOW_FRAMES - _N_SAMPLES / _FFT_HOP) + 0.0018
    return t - offset * window


def _inferred_onsets(onsets: np.ndarray, frames: np.ndarray, n_diff: int = 2) -> np.ndarray:
    diffs = []
    for n in range(1, n_diff + 1):
        padded = np.concatenate([np.zeros((n, frames.shape[1]), dtype=frames.dtype), frames])
        diffs.append(padded[n:] - padded[:-n])
    d = np.min(diffs, axis=0)
    d[d < 0] = 0
    d[:n_diff] = 0
    top = d.max()
    if top > 0:
        d = onsets.max() * d / top
    return np.maximum(onsets, d)



@njit(cache=True, inline="always")
def _consume(remaining, mid, f, step, frame_thresh, energy_tol):  # pragma: no cover - compiled
    """Walk from ``mid`` in direction ``step`` (+1 or -1) along pitch ``f``, zeroing it and its two
    neighbours, until ``energy_tol`` frames in a row fall below ``frame_thresh`` (or the edge); return
    the last frame of the note in that direction."""
    n, k = remaining.shape
    i = mid + step
    c = 0
    while (i < n - 1 if step > 0 else i > 0) and c < energy_tol:
        if remaining[i, f] < frame_thresh:
            c += 1
        else:
            c = 0
        remaining[i, f] = 0.0
        if f < k - 1:
            remaining[i, f + 1] = 0.0
        if f > 0:
            remaining[i, f - 1] = 0.0
        i += step
    return i - step - step * c

@njit(cache=True)
def _decode_kernel(frames, onset_t, onset_f, order_t, order_f, frame_thresh, min_len, energy_tol, melodia):
    # pragma: no cover - compiled
    n, k = frames.shape
    remaining = frames.copy()
    cap = onset_t.size + order_t.size
    out_s = np.empty(cap, dtype=np.int64)
    out_e = np.empty(cap, dtype=np.int64)
    out_p = np.empty(cap, dtype=np.int64)
    out_a = np.empty(cap, dtype=np.float64)
    m = 0
    for j in range(onset_t.size):  # onsets, latest first
        s = onset_t[j]
        f = onset_f[j]
        if s >= n - 1:
            continue
        i = s + 1
        c = 0
        while i < n - 1 and c < energy_tol:
            if remaining[i, f] < frame_thresh:
                c += 1
            else:
                c = 0
            i += 1
        i -= c
        if i - s <= min_len:
            continue
        for t in range(s, i):
            remaining[t, f] = 0.0
            if f < k - 1:
                remaining[t, f + 1] = 0.0
            if f > 0:
                remaining[t, f - 1] = 0.0
        out_s[m] = s
        out_e[m] = i
        out_p[m] = f
        out_a[m] = frames[s:i, f].mean()
        m += 1
    if melodia:
        # the strongest remaining activation each time: cells only ever drop to 0, so walking the cells
        # in descending order of their original value and skipping zeroed ones is the same as argmax
        for j in range(order_t.size):
            mid = order_t[j]
            f = order_f[j]
            if remaining[mid, f] <= frame_thresh:
                continue
            remaining[mid, f] = 0.0
            end = _consume(remaining, mid, f, 1, frame_thresh, energy_tol)
            start = _consume(remaining, mid, f, -1, frame_thresh, energy_tol)
            if end - start <= min_len:
                continue
            out_s[m] = start
            out_e[m] = end
            out_p[m] = f
            out_a[m] = frames[start:end, f].mean()
            m += 1
    return out_s[:m], out_e[:m], out_p[:m], out_a[:m]


def decode_notes(
    frames: np.ndarray,
    onsets: np.ndarray,
    *,
    onset_threshold: float = 0.5,
    frame_threshold: float = 0.3,
    min_note_frames: int = 11,
    infer_onsets: bool = True,
    melodia_trick: bool = True,
    energy_tol: int = 11,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Notes from basic-pitch activations: ``(start_frame, end_frame, pitch_index, amplitude)`` arrays.

    ``frames`` and ``onsets`` are ``(n_frames, 88)`` (piano keys from A0).  The rules are basic-pitch's
    ``output_to_notes_polyphonic``.
    """
    fr = np.ascontiguousarray(frames, dtype=np.float64)
    on = np.asarray(onsets, dtype=np.float64)
    if infer_onsets:
        on = _inferred_onsets(on, fr)
    peaks = np.zeros_like(on)
    if on.shape[0] > 2:
        inner = (on[1:-1] > on[:-2]) & (on[1:-1] > on[2:])
        peaks[1:-1][inner] = on[1:-1][inner]
    t, f = np.nonzero(peaks >= onset_threshold)
    t, f = t[::-1].copy(), f[::-1].copy()
    if melodia_trick:
        flat = fr.ravel()
        idx = np.flatnonzero(flat > frame_threshold)
        idx = idx[np.argsort(-flat[idx], kind="stable")]
        ot, of = np.divmod(idx, fr.shape[1])
    else:
        ot = of = np.zeros(0, dtype=np.int64)
    return _decode_kernel(fr, t.astype(np.int64), f.astype(np.int64), ot.astype(np.int64), of.astype(np.int64),
                          float(frame_threshold), int(min_note_frames), int(energy_tol), bool(melodia_trick))


def transcribe_audio(
    y: Any,
    sample_rate: int,
    *,
    model: str | os.PathLike[str] | None = None,
    onset_threshold: float = 0.5,
    frame_threshold: float = 0.3,
    min_note_sec: float = 0.1277,
    min_pitch: int = 21,
    max_pitch: int = 108,
) -> np.ndarray:
    """Notes of a pitched recording (a stem or a mix) with basic-pitch's network through onnxruntime.

    Parameters
    ----------
    y : array_like
        Samples, mono or ``(channels, n_samples)``.
    sample_rate : int
    model : path, optional
        An ``nmp.onnx`` file; by default ``$HARMONIA_BASIC_PITCH_MODEL`` or the one in basic-pitch's wheel.
    onset_threshold, frame_threshold : float
        basic-pitch's thresholds on its onset and note activations (0-1).
    min_note_sec : float, default 0.1277
        Drop shorter notes (basic-pitch's default 127.7 ms).
    min_pitch, max_pitch : int
        Keep notes in this MIDI range.

    Returns
    -------
    numpy.ndarray
        :data:`EVENT_DTYPE` rows sorted by onset.

    Raises
    ------
    MissingDependencyError
        onnxruntime or the model is not installed.
    CheckpointError
        The model file is not a loadable ONNX model.

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> a4 = np.r_[np.zeros(sr // 4), 0.5 * np.sin(2 * np.pi * 440 * t) * np.exp(-2 * t)].astype(np.float32)
    >>> notes = transcribe_audio(a4, sr)  # doctest: +SKIP
    >>> notes["pitch"].tolist()  # doctest: +SKIP
    [69]
    """
    from harmonia.audio.features import _as_mono, _resample

    path = basic_pitch_model_path(model)
    session = _session(str(path))
    x = _as_mono(y)
    if sample_rate != _SR:
        x = _resample(x, int(sample_rate), _SR)
    if x.size == 0:
        return np.zeros(0, dtype=EVENT_DTYPE)
    frames, onsets = _activations(x, session)
    s, e, p, a = decode_notes(frames, onsets, onset_threshold=onset_threshold, frame_threshold=frame_threshold,
                              min_note_frames=int(np.round(min_note_sec * _SR / _FFT_HOP)))
    times = _frame_times(frames.shape[0] + 1)
    out = np.zeros(s.size, dtype=EVENT_DTYPE)
    out["onset_sec"] = times[s]
    out["offset_sec"] = times[np.minimum(e, times.size - 1)]
    out["pitch"] = p + _MIDI_OFFSET
    out["velocity"] = np.clip(np.round(127 * a), 1, 127)
    keep = (out["pitch"] >= min_pitch) & (out["pitch"] <= max_pitch) & (out["offset_sec"] > out["onset_sec"])
    out = out[keep]
    return out[np.lexsort((out["pitch"], out["onset_sec"]))]


#: General MIDI drum notes :func:`transcribe_drums` writes.
KICK, SNARE, HIHAT = 36, 38, 42


def transcribe_drums(y: Any, sample_rate: int) -> np.ndarray:
    """Drum hits of a drum stem: onsets named kick, snare or closed hi-hat by their spectrum.

    Each onset's energy in three bands over the 60 ms after it (below 150 Hz, 150 Hz-2 kHz, above
    5 kHz), each divided by that band's median over all onsets, picks the piece: the band that stands
    out most.

    Returns
    -------
    numpy.ndarray
        :data:`EVENT_DTYPE` rows (50 ms long, pitch 36, 38 or 42).

    Examples
    --------
    >>> sr = 22050
    >>> y = np.zeros(sr * 2, dtype=np.float32)
    >>> t = np.arange(int(0.1 * sr)) / sr
    >>> for s in (0.25, 0.75, 1.25, 1.75):
    ...     i = int(s * sr); y[i:i + t.size] += np.sin(2 * np.pi * 60 * t) * np.exp(-30 * t)
    >>> transcribe_drums(y, sr)["pitch"].tolist()
    [36, 36, 36, 36]
    """
    librosa = import_optional("librosa", extra="audio", feature="drum transcription")
    from harmonia.audio.features import _as_mono

    x = _as_mono(y)
    hop = 256
    onsets = librosa.onset.onset_detect(y=x, sr=sample_rate, hop_length=hop, units="samples", backtrack=False)
    out = np.zeros(onsets.size, dtype=EVENT_DTYPE)
    if onsets.size == 0:
        return out
    n_fft = 2048
    win = int(0.06 * sample_rate)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    bands = [(freqs < 150), (freqs >= 150) & (freqs < 2000), (freqs >= 5000)]
    energy = np.zeros((onsets.size, 3))
    for i, s in enumerate(onsets):
        seg = x[s : s + min(win, n_fft)]
        spec = np.abs(np.fft.rfft(seg * np.hanning(seg.size), n_fft)) ** 2
        energy[i] = [spec[b].sum() for b in bands]
    total = energy.sum(axis=1)
    share = energy / np.maximum(total[:, None], 1e-12)
    rel = share / np.maximum(np.median(share, axis=0), 1e-9) if onsets.size > 3 else share
    piece = np.array([KICK, SNARE, HIHAT])[np.argmax(rel * share, axis=1)]
    peak = np.array([np.abs(x[s : s + win]).max() for s in onsets])
    loud = peak >= 0.05 * peak.max()  # onset-detector noise in the decay of a hit
    out, onsets, piece, peak = out[loud], onsets[loud], piece[loud], peak[loud]
    out["onset_sec"] = onsets / sample_rate
    out["offset_sec"] = out["onset_sec"] + 0.05
    out["pitch"] = piece
    out["velocity"] = np.clip(np.round(127 * np.sqrt(peak / max(peak.max(), 1e-9))), 1, 127)
    return out


def _beat_grid(beats_sec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quarter-note positions of the beats (one beat = one quarter note; qn 0 at 0 s)."""
    b = np.asarray(beats_sec, dtype=float)
    q0 = b[0] / (b[1] - b[0])
    return b, q0 + np.arange(b.size)


def _sec_to_qn(sec: np.ndarray, beats: np.ndarray, qn: np.ndarray) -> np.ndarray:
    """Piecewise-linear seconds -> quarter notes through the beats, extrapolated with the end tempos."""
    s = np.asarray(sec, dtype=float)
    out = np.interp(s, beats, qn)
    lo = s < beats[0]
    out[lo] = s[lo] / (beats[1] - beats[0])
    hi = s > beats[-1]
    out[hi] = qn[-1] + (s[hi] - beats[-1]) / (beats[-1] - beats[-2])
    return out


def events_to_score(
    stems: Mapping[str, np.ndarray],
    *,
    beats_sec: Sequence[float] | np.ndarray | None = None,
    downbeats_sec: Sequence[float] | np.ndarray | None = None,
    beats_per_bar: int = 4,
    tempo_bpm: float = 120.0,
    drum_stems: Sequence[str] = ("drums",),
    key: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Any:
    """A Score from per-stem note events: one track per stem, on a tempo map that follows the beats.

    Parameters
    ----------
    stems : mapping of str to numpy.ndarray
        :data:`EVENT_DTYPE` events per stem name; drum stems become drum tracks.
    beats_sec : array_like, optional
        Tracked beats: each beat becomes one quarter note (a tempo change at every beat), so bars and
        beats of the Score fall on the audio's.  Without beats (or with fewer than 3) the constant
        ``tempo_bpm`` is used.
    downbeats_sec : array_like, optional
        Where bars start: sets the Score's pickup so that bar lines fall on them.
    beats_per_bar : int, default 4
        The time signature is ``beats_per_bar``/4.
    tempo_bpm : float, default 120
        Constant tempo when no beats are given.
    drum_stems : sequence of str
        Stem names that are drum kits.
    key : str, optional
        harmonia key text (``'C'``, ``'f#'``) for the key signature.
    metadata : mapping, optional
        Stored in the Score.

    Returns
    -------
    Score

    Examples
    --------
    >>> ev = np.array([(0.5, 1.0, 60, 90), (1.0, 1.5, 64, 90)], dtype=EVENT_DTYPE)
    >>> s = events_to_score({"piano": ev}, beats_sec=[0.5, 1.0, 1.5, 2.0], downbeats_sec=[0.5])
    >>> s.notes["onset"].tolist(), s.tracks[0].name, s.pickup_qn, float(s.qn_to_sec(2.0))
    ([1.0, 2.0], 'piano', 1.0, 1.0)
    """
    from harmonia.symbolic.score import Score, Track
    from harmonia.theory.key import parse_key
    from harmonia.theory.notearray import make_note_array

    beats = None if beats_sec is None else np.asarray(beats_sec, dtype=float)
    if beats is not None and (beats.size < 3 or np.any(np.diff(beats) <= 0)):
        beats = None
    if beats is not None:
        beats, qn = _beat_grid(beats)
        periods = np.diff(beats)
        bpm = np.clip(60.0 / np.r_[periods[0], periods, periods[-1]], 1.0, 1000.0)
        onsets_qn = np.r_[0.0, qn]
        keep = np.r_[True, np.abs(np.diff(bpm)) > 1e-6]
        tempos = list(zip(onsets_qn[keep].tolist(), bpm[keep].tolist()))

        def to_qn(s: np.ndarray) -> np.ndarray:
            return _sec_to_qn(s, beats, qn)
    else:
        tempos = [(0.0, float(tempo_bpm))]

        def to_qn(s: np.ndarray) -> np.ndarray:
            return np.asarray(s, dtype=float) * tempo_bpm / 60.0

    pickup = 0.0
    if downbeats_sec is not None and len(downbeats_sec):
        first = float(to_qn(np.array([float(downbeats_sec[0])]))[0])
        pickup = round(first % beats_per_bar, 6) % beats_per_bar
    names = list(stems)
    tracks, parts = [], []
    for i, name in enumerate(names):
        ev = np.asarray(stems[name])
        drum = name in drum_stems
        tracks.append(Track(name, 0 if drum else STEM_PROGRAMS.get(name, 0), is_drum=drum))
        if ev.size == 0:
            continue
        on = to_qn(ev["onset_sec"])
        dur = np.maximum(to_qn(ev["offset_sec"]) - on, 1e-3)
        parts.append(make_note_array(on, dur, ev["pitch"], velocity=ev["velocity"], track=np.full(ev.size, i)))
    notes = np.concatenate(parts) if parts else make_note_array([], [], [])
    keys = []
    if key:
        k = parse_key(key)
        signature = k.tonic_fifths - (3 if k.mode == "minor" else 0)
        keys = [(0.0, signature, 0 if k.mode == "major" else 1)]
    return Score(notes, time_signatures=[(0.0, int(beats_per_bar), 4)], tempos=tempos, key_signatures=keys,
                 tracks=tracks, pickup_qn=pickup, metadata=dict(metadata or {}))
