"""Audio analysis front end: recorded songs to tempo, beats, downbeats, tuning, key, chords and sections.

The functions here turn a recording into the time grid and harmony that harmonia's symbolic analysis
works on.  Times are in seconds (``_sec``); tempo in beats per minute of the tracked beat (``_bpm``).

- :func:`load_audio` reads WAV, FLAC, OGG and MP3 (libsndfile >= 1.1 reads MP3; other formats go
  through librosa and audioread when they are installed).  :func:`read_metadata` reads tags, stream
  information and cover art with mutagen (ID3 in MP3 and WAV, Vorbis comments, MP4 atoms).
- :func:`estimate_beats`: the beat level is chosen among tempi related by 1/2, 2/3, 3/4, 4/3, 3/2 and
  2 to a first estimate (:func:`tempo_candidates`) by a linear score of onset periodicity, chord-change
  periodicity at the bar, chord changes on the beat and a tempo prior, with weights fitted on POP909's
  training part; librosa's dynamic-programming beat tracker [1]_ then tracks beats at that tempo; the
  tempo is the slope of a line through the tracked beats.
- :func:`estimate_downbeats`: beat-synchronous evidence for a bar line at each beat, summed over the
  beats of each phase of a bar of 3 or 4 beats; the best phase (and metre) wins.  The evidence is the
  harmonic change at the beat (cosine distance between the chroma of the beat and of the beat before,
  harmony changes on downbeats in most popular music), the low-frequency onset strength (kick drum and
  bass notes), and the broadband onset strength, each z-scored over the song.  This is the periodicity
  idea of Goto's and Davies & Plumbley's downbeat trackers in its simplest form; it finds one phase for
  the whole song, so a metre change or a dropped beat in the middle is not followed.
- :func:`estimate_tuning`: deviation of the recording from A440 in cents (librosa's pitch histogram).
- :func:`chromagram` and :func:`estimate_key`: tuning-corrected constant-Q chroma, beat-synchronous;
  the key is the best correlate of the song's mean chroma among rotated key profiles,
  Krumhansl-Schmuckler key finding on audio [2]_, by default with a major and a minor profile fitted
  on the chroma of POP909 training songs (or one of harmonia's symbolic profiles,
  :func:`harmonia.theory.key.key_correlations`).
- :func:`estimate_chords`: beat-synchronous chroma matched against binary chord templates (major,
  minor, dominant seventh, major seventh, minor seventh on 12 roots, and no chord) and smoothed with a
  hidden Markov model decoded by Viterbi (a fixed cost for changing chord; see
  :func:`harmonia.theory.localkey.viterbi`) [3]_.  Labels are Harte et al.'s syntax (``'C:maj'``,
  ``'A:min7'``, ``'N'``).
- :func:`estimate_sections`: agglomerative segmentation of beat-synchronous chroma and MFCC features
  (librosa's :func:`librosa.segment.agglomerative`), segments labelled ``A``, ``B``, ... by clustering
  their mean features, so repeated sections share a letter.
- :func:`analyze_audio` runs all of them and returns a JSON-ready dict.

References
----------
.. [1] D. P. W. Ellis, "Beat tracking by dynamic programming," *Journal of New Music Research* 36(1),
   51-60, 2007. https://doi.org/10.1080/09298210701653344
.. [2] E. Gómez, "Tonal description of music audio signals," PhD thesis, Universitat Pompeu Fabra, 2006.
.. [3] A. Sheh and D. P. W. Ellis, "Chord segmentation and recognition using EM-trained hidden Markov
   models," *Proc. ISMIR*, 2003.
"""

from __future__ import annotations

import functools
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from harmonia._optional import import_optional
from harmonia.errors import CorruptFileError, EmptyFileError, MissingFileError, UnsupportedFormatError

__all__ = [
    "AUDIO_KEY_PROFILES",
    "AUDIO_SUFFIXES",
    "CHORD_DTYPE",
    "CHORD_QUALITIES",
    "SECTION_DTYPE",
    "TEMPO_FEATURES",
    "TEMPO_RATIOS",
    "analyze_audio",
    "chord_templates",
    "chromagram",
    "estimate_beats",
    "estimate_chords",
    "estimate_downbeats",
    "estimate_key",
    "estimate_sections",
    "estimate_tuning",
    "extract_artwork",
    "load_audio",
    "read_metadata",
    "tempo_candidates",
]

#: File extensions :func:`load_audio` accepts.
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".m4a")

#: Chord qualities of :func:`estimate_chords`: Harte shorthand -> semitones above the root.
CHORD_QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
}

#: Key profiles fitted on audio chroma (see :func:`estimate_key`), beside harmonia's symbolic ones.
AUDIO_KEY_PROFILES = ("pop909-audio",)

#: One row per chord span.
CHORD_DTYPE = np.dtype([("start_sec", "f8"), ("end_sec", "f8"), ("root_pc", "i1"), ("label", "U12")])

#: One row per section.
SECTION_DTYPE = np.dtype([("start_sec", "f8"), ("end_sec", "f8"), ("label", "U4")])

#: Analysis sample rate, Hz, and hop of the frame-level features, samples.
SAMPLE_RATE = 22050
HOP = 512

_PC_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def _librosa():
    return import_optional("librosa", extra="audio", feature="audio analysis")


# -- reading ----------------------------------------------------------------------------------------

def load_audio(
    path: str | os.PathLike[str], *, sample_rate: int | None = SAMPLE_RATE, mono: bool = True
) -> tuple[np.ndarray, int]:
    """Read an audio file as float32, resampled to ``sample_rate``.

    Parameters
    ----------
    path : str or path-like
        A WAV, FLAC, OGG or MP3 file (others through audioread when it can decode them).
    sample_rate : int or None, default 22050
        Resample to this rate, Hz; None keeps the file's rate.
    mono : bool, default True
        Average the channels; otherwise return ``(channels, n_samples)``.

    Returns
    -------
    (numpy.ndarray, int)
        Samples (``(n_samples,)`` mono or ``(channels, n_samples)``) and the sample rate.

    Raises
    ------
    MissingFileError, EmptyFileError, CorruptFileError, UnsupportedFormatError
        The file is missing, empty, unreadable, or of a format no installed decoder reads.
    """
    p = Path(path)
    if not p.is_file():
        raise MissingFileError(p, "no such audio file")
    if p.stat().st_size == 0:
        raise EmptyFileError(p, "the file is empty (0 bytes)")
    sf = import_optional("soundfile", extra="audio", feature="reading audio")
    try:
        data, sr = sf.read(str(p), dtype="float32", always_2d=True)
        y = np.ascontiguousarray(data.T)
    except Exception as sf_exc:  # libsndfile does not know the format, or the file is damaged
        try:
            librosa = _librosa()
            import warnings

            with warnings.catch_warnings():  # librosa warns on every audioread fallback
                warnings.simplefilter("ignore")
                y, sr = librosa.load(str(p), sr=None, mono=False)
        except ImportError:
            raise UnsupportedFormatError(
                p, f"libsndfile cannot read it ({sf_exc}) and librosa/audioread is not installed"
            ) from None
        except Exception as exc:
            raise CorruptFileError(p, f"not a readable audio file ({sf_exc}; audioread: {exc})") from None
        y = np.atleast_2d(np.asarray(y, dtype=np.float32))
    if y.shape[1] == 0:
        raise EmptyFileError(p, "the file holds no audio samples")
    if not np.all(np.isfinite(y)):
        raise CorruptFileError(p, "the audio holds NaN or infinite samples")
    if mono:
        y = y.mean(axis=0)
    if sample_rate is not None and int(sample_rate) != int(sr):
        y = _resample(y, int(sr), int(sample_rate))
        sr = int(sample_rate)
    return np.ascontiguousarray(y, dtype=np.float32), int(sr)


def _resample(y: np.ndarray, sr_from: int, sr_to: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(sr_from, sr_to)
    return resample_poly(y, sr_to // g, sr_from // g, axis=-1).astype(np.float32)


_TAG_KEYS = ("title", "artist", "album", "albumartist", "date", "genre", "tracknumber", "composer", "bpm")


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Tags and stream information of an audio file, read with mutagen.

    Returns
    -------
    dict
        ``format``, ``duration_sec``, ``sample_rate``, ``channels``, ``bitrate`` (when known), the
        tags present among title, artist, album, albumartist, date, genre, tracknumber, composer, bpm
        (strings), and ``artwork``: a list of ``{"mime", "type", "bytes"}`` for embedded pictures.
        A file mutagen cannot parse gives just ``{"format": None}``.

    Raises
    ------
    MissingFileError
        The file does not exist.
    MissingDependencyError
        mutagen is not installed.
    """
    p = Path(path)
    if not p.is_file():
        raise MissingFileError(p, "no such audio file")
    mutagen = import_optional("mutagen", extra="audio", feature="reading audio metadata")
    try:
        f = mutagen.File(str(p))
    except Exception:  # mutagen raises many kinds on damaged headers
        f = None
    out: dict[str, Any] = {"format": None}
    if f is None:
        return out
    out["format"] = type(f).__name__
    info = getattr(f, "info", None)
    for key, attr in (("duration_sec", "length"), ("sample_rate", "sample_rate"), ("channels", "channels"),
                      ("bitrate", "bitrate")):
        value = getattr(info, attr, None)
        if value:
            out[key] = float(value) if key == "duration_sec" else int(value)
    out.update(_tags(f))
    out["artwork"] = [{"mime": m, "type": t, "bytes": len(d)} for m, t, d in _pictures(f)]
    return out


def _tags(f: Any) -> dict[str, str]:
    tags = getattr(f, "tags", None)
    if tags is None:
        return {}
    out: dict[str, str] = {}
    id3 = {"TIT2": "title", "TPE1": "artist", "TALB": "album", "TPE2": "albumartist", "TDRC": "date",
           "TCON": "genre", "TRCK": "tracknumber", "TCOM": "composer", "TBPM": "bpm"}
    mp4 = {"\xa9nam": "title", "\xa9ART": "artist", "\xa9alb": "album", "aART": "albumartist", "\xa9day": "date",
           "\xa9gen": "genre", "trkn": "tracknumber", "\xa9wrt": "composer", "tmpo": "bpm"}
    try:
        keys = list(tags.keys())
    except Exception:
        return {}
    for k in keys:
        name = id3.get(str(k)[:4]) or mp4.get(str(k)) or (str(k).lower() if str(k).lower() in _TAG_KEYS else None)
        if name is None or name in out:
            continue
        value = tags[k]
        text = getattr(value, "text", value)
        if isinstance(text, list | tuple):
            text = text[0] if text else ""
        if isinstance(text, tuple):
            text = "/".join(str(x) for x in text)
        out[name] = str(text)
    return out


def _pictures(f: Any) -> list[tuple[str, int, bytes]]:
    pics: list[tuple[str, int, bytes]] = []
    tags = getattr(f, "tags", None)
    if tags is not None and hasattr(tags, "getall"):  # ID3
        for frame in tags.getall("APIC"):
            pics.append((frame.mime, int(frame.type), bytes(frame.data)))
    for pic in getattr(f, "pictures", []) or []:  # FLAC
        pics.append((pic.mime, int(pic.type), bytes(pic.data)))
    if tags is not None and hasattr(tags, "get") and not hasattr(tags, "getall"):
        for cover in tags.get("covr", []) or []:  # MP4
            mime = "image/png" if getattr(cover, "imageformat", 13) == 14 else "image/jpeg"
            pics.append((mime, 3, bytes(cover)))
    return pics


def extract_artwork(path: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> Path | None:
    """Write the front cover (or the first embedded picture) to ``out_dir/cover.<ext>``, atomically.

    Returns
    -------
    pathlib.Path or None
        The written file, or None when the file embeds no picture (or mutagen cannot read it).
    """
    from harmonia.symbolic.atomic import atomic_path

    mutagen = import_optional("mutagen", extra="audio", feature="reading cover art")
    try:
        f = mutagen.File(str(path))
    except Exception:
        return None
    pics = _pictures(f) if f is not None else []
    if not pics:
        return None
    mime, _, data = next((p for p in pics if p[1] == 3), pics[0])
    ext = {"image/png": "png", "image/gif": "gif", "image/webp": "webp"}.get(mime.lower(), "jpg")
    target = Path(out_dir) / f"cover.{ext}"
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


# -- rhythm ---------------------------------------------------------------------------------------

def _as_mono(y: Any) -> np.ndarray:
    x = np.asarray(y, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=0)
    if x.ndim != 1:
        raise ValueError(f"audio must be (n_samples,) or (channels, n_samples); got shape {np.shape(y)}")
    if not np.all(np.isfinite(x)):
        raise ValueError("audio holds NaN or infinite samples")
    return np.ascontiguousarray(x)


#: Ratios to the first tempo estimate that :func:`estimate_beats` weighs as the beat level.
TEMPO_RATIOS = (0.5, 2 / 3, 0.75, 1.0, 4 / 3, 1.5, 2.0)

#: Names of the per-candidate evidence of :func:`tempo_candidates` (the columns of its matrix).
TEMPO_FEATURES = ("log_prior", "onset_ac", "onset_ac_half", "onset_ac_double", "harmony_ac_bar",
                  "harmony_on_beat", "log_ratio_sq", "log_tempo")


@functools.lru_cache(maxsize=1)
def _front_end_model() -> dict[str, Any]:
    """The fitted tempo weights and key profiles (``audio/data/front_end_model.json``), read once."""
    text = resources.files("harmonia.audio").joinpath("data/front_end_model.json").read_text(encoding="utf-8")
    return json.loads(text)


def _harmonic_novelty(chroma: np.ndarray, half_window: int = 15) -> np.ndarray:
    """Cosine distance between the mean chroma of the ``half_window`` frames before and after each frame."""
    w = half_window
    c = chroma / np.maximum(np.linalg.norm(chroma, axis=0, keepdims=True), 1e-9)
    cs = np.concatenate([np.zeros((12, 1)), np.cumsum(np.pad(c, ((0, 0), (w, w)), mode="edge"), axis=1)], axis=1)
    idx = np.arange(c.shape[1]) + w
    before, after = cs[:, idx] - cs[:, idx - w], cs[:, idx + w] - cs[:, idx]
    den = np.linalg.norm(before, axis=0) * np.linalg.norm(after, axis=0)
    return 1.0 - np.sum(before * after, axis=0) / np.maximum(den, 1e-9)


def _autocorrelation(v: np.ndarray, max_lag: int) -> np.ndarray:
    x = v - v.mean()
    n = 1 << int(np.ceil(np.log2(2 * x.size)))
    f = np.fft.rfft(x, n)
    ac = np.fft.irfft(f * np.conj(f), n)[: max_lag + 2]
    return ac / ac[0] if ac[0] > 0 else np.zeros(max_lag + 2)


def _at(ac: np.ndarray, lag: float) -> float:
    i = int(lag)
    if i + 1 >= ac.size:
        return 0.0
    f = lag - i
    return float(ac[i] * (1 - f) + ac[i + 1] * f)


def tempo_candidates(
    onset_envelope: Any,
    chroma: Any,
    sample_rate: int,
    *,
    start_bpm: float = 78.7,
    tempo_spread_octaves: float = 0.35,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Candidate beat levels of a recording and the evidence for each (see :func:`estimate_beats`).

    The first estimate ``T0`` is librosa's autocorrelation tempo under a wide prior (80 BPM, 0.5
    octave); the candidates are ``T0`` times :data:`TEMPO_RATIOS` between 40 and 220 BPM.  For each,
    beats are tracked at that tempo (librosa's dynamic programme with a tight tempo) and the evidence
    of :data:`TEMPO_FEATURES` measured: the log tempo prior, the onset envelope's autocorrelation at the
    beat period, half of it and twice it, the autocorrelation of the harmonic novelty (chord changes) at
    four beat periods (a bar), how much more harmony changes on the tracked beats than half-way between
    them, the squared log ratio to ``T0``, and the log tempo over ``start_bpm`` in octaves.

    Parameters
    ----------
    onset_envelope : array_like
        librosa's onset strength at hop 512.
    chroma : array_like
        ``(12, n_frames)`` chroma at hop 512 (:func:`chromagram`).
    sample_rate : int
    start_bpm, tempo_spread_octaves : float
        Centre and spread (octaves) of the log-normal tempo prior.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, list of numpy.ndarray)
        Candidate tempi (BPM), the ``(n_candidates, len(TEMPO_FEATURES))`` evidence, and each
        candidate's beat frames.
    """
    librosa = _librosa()
    from scipy.stats import lognorm

    oenv = np.asarray(onset_envelope, dtype=float)
    fps = sample_rate / HOP
    wide = lognorm(s=0.5 * np.log(2.0), scale=80.0)
    t0 = float(librosa.feature.tempo(onset_envelope=oenv, sr=sample_rate, hop_length=HOP, prior=wide)[0])
    ac = _autocorrelation(oenv, int(2 * 60 * fps / 40) + 2)
    novelty = _harmonic_novelty(np.asarray(chroma, dtype=float))
    hac = _autocorrelation(novelty, int(4 * 60 * fps / 40) + 2)
    tempi, rows, frames = [], [], []
    for ratio in TEMPO_RATIOS:
        bpm = t0 * ratio
        if not 40.0 <= bpm <= 220.0:
            continue
        _, fr = librosa.beat.beat_track(onset_envelope=oenv, sr=sample_rate, hop_length=HOP, bpm=bpm,
                                        tightness=400)
        fr = np.asarray(fr, dtype=int)
        if fr.size < 4:
            continue
        period = 60.0 * fps / bpm
        mid = (fr[:-1] + fr[1:]) // 2
        on_beat = novelty[np.clip(fr, 0, novelty.size - 1)].mean() - novelty[np.clip(mid, 0, novelty.size - 1)].mean()
        log_t = np.log2(bpm / start_bpm)
        rows.append([-0.5 * (log_t / tempo_spread_octaves) ** 2, _at(ac, period), _at(ac, period / 2),
                     _at(ac, 2 * period), _at(hac, 4 * period), on_beat, np.log(ratio) ** 2, log_t])
        tempi.append(bpm)
        frames.append(fr)
    return np.array(tempi), np.array(rows, dtype=float).reshape(-1, len(TEMPO_FEATURES)), frames


#: Names of the evidence of the octave decision (:func:`octave_evidence`) between a slow beat level ``S``
#: and the level ``F = 2S``.
OCTAVE_FEATURES = ("log_tempo", "d_onset_ac", "d_low_ac", "d_high_ac", "sub_beat_share_S", "sub_beat_share_F",
                   "accent_F", "chord_period_beats_S", "onsets_per_beat_S", "d_harmony_on_beat",
                   "d_harmony_ac_bar", "harmony_alternation_F", "d_harmony_ac_half_bar")


def _flux(m: np.ndarray) -> np.ndarray:
    return np.maximum(np.diff(m, axis=1, prepend=m[:, :1]), 0).mean(axis=0)


def _on_grid(env: np.ndarray, fr: np.ndarray, frac: float) -> np.ndarray:
    """``env``'s maximum within one frame of each point ``frac`` of the way from a beat to the next."""
    f = np.asarray(fr, float)
    i = np.round(f[:-1] + frac * np.diff(f)).astype(int)
    return np.max([env[np.clip(i + k, 0, env.size - 1)] for k in (-1, 0, 1)], axis=0)


def octave_context(onset_envelope: Any, chroma: Any, mel_db: Any, sample_rate: int) -> dict[str, Any]:
    """Song-level signals for :func:`octave_evidence`: autocorrelations of the onset envelope, of the
    spectral flux of the lowest 6 and highest 20 of 64 log-mel bands, and of the harmonic novelty;
    the onset rate and the chord-change period (the novelty's autocorrelation peak in 1-8 s)."""
    librosa = _librosa()
    fps = sample_rate / HOP
    oenv = np.asarray(onset_envelope, dtype=float)
    mel = np.asarray(mel_db, dtype=float)
    ml = int(8 * 60 * fps / 40) + 4
    nov = _harmonic_novelty(np.asarray(chroma, dtype=float))
    hnac = _autocorrelation(nov, ml)
    on = np.maximum(oenv, 0)
    lo, hi = int(1.0 * fps), int(8 * fps)
    peaks = librosa.onset.onset_detect(onset_envelope=oenv, sr=sample_rate, hop_length=HOP)
    return {"fps": fps, "oenv": oenv, "on": on / (on.mean() + 1e-9), "ac": _autocorrelation(oenv, ml),
            "low_ac": _autocorrelation(_flux(mel[:6]), ml), "high_ac": _autocorrelation(_flux(mel[44:]), ml),
            "novelty": nov, "harmony_ac": hnac, "onset_rate": peaks.size / (oenv.size / fps),
            "chord_period": (lo + int(np.argmax(hnac[lo:hi]))) / fps}


def _level(ctx: dict[str, Any], bpm: float, fr: np.ndarray) -> dict[str, float] | None:
    if fr.size < 4:
        return None
    p = 60 * ctx["fps"] / bpm
    beat, mid = _on_grid(ctx["on"], fr, 0.0), _on_grid(ctx["on"], fr, 0.5)
    b = beat.mean() + 1e-6
    even, odd = beat[0::2].mean(), beat[1::2].mean()
    nb = _on_grid(ctx["novelty"], fr, 0.0)
    return {"bpm": bpm, "ac": _at(ctx["ac"], p), "low_ac": _at(ctx["low_ac"], p), "high_ac": _at(ctx["high_ac"], p),
            "hn4": _at(ctx["harmony_ac"], 4 * p), "hn2": _at(ctx["harmony_ac"], 2 * p),
            "sub": float(mid.mean() / b), "accent": float(min(even, odd) / (max(even, odd) + 1e-6)),
            "on_beat": float(nb.mean() - _on_grid(ctx["novelty"], fr, 0.5).mean()),
            "alternation": float(abs(nb[0::2].mean() - nb[1::2].mean()))}


def octave_evidence(ctx: dict[str, Any], slow: dict[str, float], fast: dict[str, float]) -> np.ndarray:
    """The :data:`OCTAVE_FEATURES` of a slow beat level and the level twice as fast (from :func:`_level`)."""
    return np.array([np.log2(slow["bpm"] / 78.7), fast["ac"] - slow["ac"], fast["low_ac"] - slow["low_ac"],
                     fast["high_ac"] - slow["high_ac"], slow["sub"], fast["sub"], fast["accent"],
                     np.log2(ctx["chord_period"] * slow["bpm"] / 60),
                     np.log2(ctx["onset_rate"] * 60 / slow["bpm"] + 1e-9),
                     fast["on_beat"] - slow["on_beat"], fast["hn4"] - slow["hn4"], fast["alternation"],
                     fast["hn2"] - slow["hn2"]])


def octave_levels(ctx: dict[str, Any], sample_rate: int, bpm: float,
                  frames: np.ndarray) -> dict[str, tuple[dict[str, float], np.ndarray] | None]:
    """The evidence (:func:`_level`) and beat frames of a chosen level ``T`` and of ``T/2`` and ``2T``
    (tracked anew, 40-220 BPM)."""
    librosa = _librosa()
    out: dict[str, tuple[dict[str, float], np.ndarray] | None] = {}
    for key, t in (("T", bpm), ("T/2", bpm / 2), ("2T", bpm * 2)):
        if key == "T":
            fr = np.asarray(frames, dtype=int)
        elif 40.0 <= t <= 220.0:
            _, fr = librosa.beat.beat_track(onset_envelope=ctx["oenv"], sr=sample_rate, hop_length=HOP, bpm=t,
                                            tightness=400)
            fr = np.asarray(fr, dtype=int)
        else:
            out[key] = None
            continue
        lv = _level(ctx, t, fr)
        out[key] = None if lv is None else (lv, fr)
    return out


def octave_decision(ctx: dict[str, Any], levels: dict[str, Any], model: dict[str, Any]) -> str:
    """``"T"``, ``"2T"`` or ``"T/2"``: the pairwise octave model's choice around the chosen level ``T``.

    The logistic model gives the probability that the faster of two levels an octave apart is the beat.
    ``2T`` wins when that probability for (``T``, ``2T``) exceeds ``threshold`` and the half-way points
    between ``T``'s beats carry at least ``min_sub_beat_share`` of the onset strength on its beats;
    ``T/2`` wins when the probability for (``T/2``, ``T``) is below ``1 - threshold`` and every other beat
    of ``T`` is accented (the weaker alternate beats below ``max_accent`` of the stronger).  A steady
    one-onset-per-beat pulse (a click track, four on the floor) has empty half-way points and no accent,
    so it keeps its own level.
    """
    coef, bias, thr = np.asarray(model["coef"], dtype=float), float(model["bias"]), float(model["threshold"])

    def p_fast(slow: str, fast: str) -> float | None:
        if levels.get(slow) is None or levels.get(fast) is None:
            return None
        x = octave_evidence(ctx, levels[slow][0], levels[fast][0])
        return float(1.0 / (1.0 + np.exp(-(x @ coef + bias))))

    t = levels["T"][0]
    pu, pd = p_fast("T", "2T"), p_fast("T/2", "T")
    if pu is not None and pu > thr and t["sub"] >= model["min_sub_beat_share"] and (pd is None or pu + pd >= 1.0):
        return "2T"
    if pd is not None and pd < 1.0 - thr and t["accent"] <= model["max_accent"]:
        return "T/2"
    return "T"


def estimate_beats(
    y: Any,
    sample_rate: int,
    *,
    chroma: np.ndarray | None = None,
    start_bpm: float = 78.7,
    tempo_spread_octaves: float = 0.35,
) -> tuple[float, np.ndarray]:
    """Tempo and beat times of a recording: the beat level chosen from the music, then tracked.

    Which metrical level counts as "the beat" (quarter or eighth notes, or a dotted level) is the
    error that dominates tempo estimation.  Here it is chosen among candidates related by 1/2, 2/3,
    3/4, 1, 4/3, 3/2 and 2 to a first estimate (:func:`tempo_candidates`), by a linear score of the
    candidates' evidence: onset periodicity at the beat, half-beat and two beats, periodicity of
    chord changes at the bar, chord changes falling on the beat rather than between beats, and a
    log-normal tempo prior.  The weights were fitted (softmax over each song's candidates) on 151
    songs of POP909's training part rendered by harmonia's synthesizer, with the annotated beat (the
    MIDI file's quarter note) as the answer (``benchmarks/fit_front_end.py``); the prior's defaults are
    those songs' geometric mean tempo and spread.  Beats are then tracked at the chosen tempo by
    librosa's dynamic-programming tracker (Ellis, 2007).

    Parameters
    ----------
    y : array_like
        Mono samples (stereo is averaged).
    sample_rate : int
    chroma : numpy.ndarray, optional
        ``(12, n_frames)`` chroma at hop 512 (:func:`chromagram`), computed when not given.
    start_bpm : float, default 78.7
        Centre of the tempo prior, beats per minute.
    tempo_spread_octaves : float, default 0.35
        Standard deviation of the prior, in octaves of tempo.

    Returns
    -------
    (float, numpy.ndarray)
        Tempo in beats per minute (60 over the median inter-beat interval; 0 when fewer than two beats
        are found) and the beat times in seconds.

    Examples
    --------
    >>> sr = 22050
    >>> clicks = np.zeros(sr * 8, dtype=np.float32)
    >>> for t in np.arange(0.25, 8, 60 / 90):  # 90 BPM
    ...     i = int(t * sr); clicks[i:i + 200] = np.hanning(200)
    >>> bpm, beats = estimate_beats(clicks, sr)
    >>> abs(bpm - 90) < 2  # beats fall on frames of 23 ms
    True
    """
    librosa = _librosa()
    x = _as_mono(y)
    oenv = librosa.onset.onset_strength(y=x, sr=sample_rate, hop_length=HOP)
    if chroma is None:
        chroma = chromagram(x, sample_rate)
    tempi, evidence, frames = tempo_candidates(oenv, chroma, sample_rate, start_bpm=start_bpm,
                                               tempo_spread_octaves=tempo_spread_octaves)
    if tempi.size == 0:
        _, fr = librosa.beat.beat_track(onset_envelope=oenv, sr=sample_rate, hop_length=HOP, start_bpm=start_bpm)
        beats = librosa.frames_to_time(np.asarray(fr), sr=sample_rate, hop_length=HOP)
        return _tempo_from_beats(beats), beats
    weights = np.array([_front_end_model()["tempo"]["weights"][name] for name in TEMPO_FEATURES])
    best = int(np.argmax(evidence @ weights))
    chosen = np.asarray(frames[best], dtype=int)
    octave = _front_end_model().get("octave")
    if octave is not None:
        mel = librosa.power_to_db(librosa.feature.melspectrogram(y=x, sr=sample_rate, hop_length=HOP, n_mels=64,
                                                                 fmax=8000))
        ctx = octave_context(oenv, chroma, mel, sample_rate)
        levels = octave_levels(ctx, sample_rate, float(tempi[best]), chosen)
        if levels["T"] is not None:
            chosen = levels[octave_decision(ctx, levels, octave)][1]
    beats = librosa.frames_to_time(chosen, sr=sample_rate, hop_length=HOP)
    return _tempo_from_beats(beats), beats


def _tempo_from_beats(beats: np.ndarray) -> float:
    """60 / beat period, the period a least-squares line through the beats (frame rounding averages out;
    a skipped beat counts as two periods)."""
    if beats.size < 2:
        return 0.0
    d = np.diff(beats)
    med = float(np.median(d))
    index = np.r_[0, np.cumsum(np.maximum(1, np.round(d / med)))]
    slope = float(np.polyfit(index, beats, 1)[0]) if beats.size > 2 else med
    return 60.0 / slope if slope > 0 else 0.0


def _beat_frames(beats_sec: np.ndarray, sample_rate: int, n_frames: int) -> np.ndarray:
    f = np.round(np.asarray(beats_sec) * sample_rate / HOP).astype(int)
    return np.unique(np.clip(f, 0, max(n_frames - 1, 0)))


def estimate_downbeats(
    y: Any,
    sample_rate: int,
    beats_sec: Any,
    *,
    beats_per_bar: int | None = None,
    chroma: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Which beats start a bar: beat-synchronous harmonic change and low-frequency onsets.

    Parameters
    ----------
    y : array_like
        Mono samples.
    sample_rate : int
    beats_sec : array_like
        Beat times (from :func:`estimate_beats`).
    beats_per_bar : int, optional
        Fix the metre; by default 3 or 4, whichever bar length explains the evidence better (4 unless
        3 is clearly better).
    chroma : numpy.ndarray, optional
        ``(12, n_frames)`` chroma at hop 512 (from :func:`chromagram`), to save computing it again.

    Returns
    -------
    (numpy.ndarray, int)
        Downbeat times in seconds (a subset of ``beats_sec``) and the beats per bar.
    """
    librosa = _librosa()
    x = _as_mono(y)
    beats = np.asarray(beats_sec, dtype=float)
    if beats.size < 4:
        return beats[:1].copy(), int(beats_per_bar or 4)
    if chroma is None:
        chroma = chromagram(x, sample_rate)
    n = chroma.shape[1]
    bounds = _beat_frames(beats, sample_rate, n)
    sync = librosa.util.sync(chroma, bounds, aggregate=np.mean)[:, 1 : 1 + beats.size]
    unit = sync / np.maximum(np.linalg.norm(sync, axis=0, keepdims=True), 1e-9)
    change = np.r_[0.0, 1.0 - np.sum(unit[:, 1:] * unit[:, :-1], axis=0)][: beats.size]
    mel = librosa.feature.melspectrogram(y=x, sr=sample_rate, hop_length=HOP, n_mels=64, fmax=8000)
    logmel = librosa.power_to_db(mel)
    low = np.maximum(0.0, np.diff(logmel[:6], axis=1)).mean(axis=0)
    full = np.maximum(0.0, np.diff(logmel, axis=1)).mean(axis=0)
    idx = np.clip(np.round(beats * sample_rate / HOP).astype(int), 0, low.size - 1)
    win = [np.clip(idx + d, 0, low.size - 1) for d in (-3, -2, -1, 0, 1)]  # tracked beats lag onsets a little
    low_b = np.max([low[w] for w in win], axis=0)
    full_b = np.max([full[w] for w in win], axis=0)

    def z(v: np.ndarray, floor: float) -> np.ndarray:  # the floor keeps near-constant evidence from counting
        return (v - v.mean()) / max(float(v.std()), floor)

    evidence = 1.0 * z(change, 0.05) + 0.7 * z(low_b, 1.0) + 0.3 * z(full_b, 1.0)
    best = (-np.inf, 4, 0)
    for m in (beats_per_bar,) if beats_per_bar else (4, 3):
        for phase in range(m):
            sel = evidence[phase::m]
            score = float(sel.mean()) if sel.size else -np.inf
            # a bar of 3 must explain the evidence clearly better than a bar of 4
            score -= 0.15 if (m == 3 and not beats_per_bar) else 0.0
            if score > best[0]:
                best = (score, m, phase)
    _, m, phase = best
    return beats[phase::m].copy(), int(m)


def estimate_tuning(y: Any, sample_rate: int) -> float:
    """Deviation of the recording's tuning from A440, in cents (-50 to +50).

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr * 2) / sr
    >>> a = np.sin(2 * np.pi * 440 * 2 ** (20 / 1200) * t)  # A4, 20 cents sharp
    >>> abs(estimate_tuning(a, sr) - 20) < 5
    True
    """
    librosa = _librosa()
    return float(100.0 * librosa.estimate_tuning(y=_as_mono(y), sr=sample_rate, bins_per_octave=12))


# -- harmony --------------------------------------------------------------------------------------

def chromagram(y: Any, sample_rate: int, *, tuning_cents: float | None = None) -> np.ndarray:
    """Constant-Q chroma, ``(12, n_frames)`` at hop 512, corrected for tuning (C first).

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> c_major = sum(np.sin(2 * np.pi * 440 * 2 ** ((p - 69) / 12) * t) for p in (60, 64, 67))
    >>> sorted(np.argsort(chromagram(c_major, sr).mean(axis=1))[-3:].tolist())
    [0, 4, 7]
    """
    librosa = _librosa()
    x = _as_mono(y)
    tuning = None if tuning_cents is None else tuning_cents / 100.0
    return librosa.feature.chroma_cqt(y=x, sr=sample_rate, hop_length=HOP, tuning=tuning, bins_per_octave=36)


def _beat_sync(chroma: np.ndarray, beats_sec: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Chroma averaged between consecutive boundaries (0, beats..., end); returns (chroma, boundaries_sec)."""
    librosa = _librosa()
    n = chroma.shape[1]
    frames = _beat_frames(beats_sec, sample_rate, n)
    frames = frames[(frames > 0) & (frames < n)]
    sync = librosa.util.sync(chroma, frames, aggregate=np.mean, pad=True)
    bounds = np.r_[0, frames, n] * HOP / sample_rate
    return sync, bounds


def estimate_key(chroma: Any, *, profile: str = "pop909-audio") -> dict[str, Any]:
    """Global key of a chromagram by correlation with rotated key profiles.

    The default profile, ``"pop909-audio"``, is the mean tonic-aligned chroma of 151 songs of POP909's
    training part rendered by harmonia's synthesizer, one profile for major and one for minor keys
    (``benchmarks/fit_front_end.py``).  Profiles from symbolic key finding (Temperley's,
    Krumhansl's) describe note counts, not the chroma of a recording, in which overtones raise the
    fifth and third of every note; fitted on chroma, the profile tells relative and fifth-related keys
    apart more often.

    Parameters
    ----------
    chroma : array_like
        ``(12, n_frames)`` chroma (or a ``(12,)`` mean chroma vector).
    profile : str, default "pop909-audio"
        One of :data:`AUDIO_KEY_PROFILES` or of :data:`harmonia.theory.key.KEY_PROFILES`.

    Returns
    -------
    dict
        ``key`` (harmonia's key text: ``'C'``, ``'f#'``), ``tonic_pc``, ``mode``, ``harte``
        (``'C:maj'``), ``correlation`` and ``confidence`` (the margin over the runner-up).

    Examples
    --------
    >>> scale = np.zeros((12, 7))
    >>> for i, pc in enumerate([7, 9, 11, 0, 2, 4, 6]):
    ...     scale[pc, i] = 1.0
    >>> scale[7] += 1.0; scale[2] += 0.5  # stress the tonic and the dominant
    >>> estimate_key(scale)["key"], estimate_key(scale, profile="temperley")["key"]
    ('G', 'G')
    """
    from harmonia.theory.key import Key, format_key, key_correlations

    c = np.asarray(chroma, dtype=float)
    v = c.mean(axis=1) if c.ndim == 2 else c
    if profile in AUDIO_KEY_PROFILES:
        prof = np.array([_front_end_model()["key"][profile][m] for m in ("major", "minor")])
        degree = (np.arange(12)[None, :] - np.arange(12)[:, None]) % 12  # [tonic, pc]
        keys = np.concatenate([prof[0][degree], prof[1][degree]])
        kc = keys - keys.mean(axis=1, keepdims=True)
        vc = v - v.mean()
        den = np.linalg.norm(kc, axis=1) * np.linalg.norm(vc)
        r = np.divide(kc @ vc, den, out=np.zeros(24), where=den > 0)
    else:
        r = key_correlations(v, profile=profile)
    order = np.argsort(r)[::-1]
    k = int(order[0])
    mode = "major" if k < 12 else "minor"
    tonic_pc = k % 12
    fifths = tonic_pc * 7 % 12  # spell with the fewer accidentals, as estimate_key_from_pcd does
    if fifths - (3 if mode == "minor" else 0) > 5:
        fifths -= 12
    key = Key(fifths, mode)
    return {
        "key": format_key(key),
        "tonic_pc": tonic_pc,
        "mode": mode,
        "harte": f"{format_key(Key(fifths, 'major'))}:{'maj' if mode == 'major' else 'min'}",
        "correlation": float(r[k]),
        "confidence": float(r[k] - r[int(order[1])]),
    }


def chord_templates(qualities: tuple[str, ...] = tuple(CHORD_QUALITIES)) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Unit-norm binary chroma templates for every root and quality, plus the root of each.

    Returns
    -------
    (numpy.ndarray, list of str, numpy.ndarray)
        ``(n_chords, 12)`` templates, their Harte labels (``'C:maj'`` ...), their root pitch classes.

    Examples
    --------
    >>> t, labels, roots = chord_templates(("maj", "min"))
    >>> t.shape, labels[:2], labels[12], np.flatnonzero(t[labels.index("A:min")]).tolist()
    ((24, 12), ['C:maj', 'C#:maj'], 'C:min', [0, 4, 9])
    """
    rows, labels, roots = [], [], []
    for q in qualities:
        if q not in CHORD_QUALITIES:
            raise ValueError(f"unknown chord quality {q!r}; choose from {list(CHORD_QUALITIES)}")
        for root in range(12):
            t = np.zeros(12)
            t[[(root + i) % 12 for i in CHORD_QUALITIES[q]]] = 1.0
            rows.append(t / np.linalg.norm(t))
            labels.append(f"{_PC_NAMES[root]}:{q}")
            roots.append(root)
    return np.array(rows), labels, np.array(roots, dtype=np.int8)


def estimate_chords(
    chroma: Any,
    times_sec: Any,
    *,
    qualities: tuple[str, ...] = tuple(CHORD_QUALITIES),
    switch_cost: float = 4.0,
    seventh_penalty: float = 0.04,
    no_chord_threshold: float = 0.55,
    sharpness: float = 25.0,
) -> np.ndarray:
    """Chord spans from a (beat-synchronous) chromagram: template matching smoothed by Viterbi.

    Each column of ``chroma`` is normalised and compared (cosine similarity) with every template of
    :func:`chord_templates`; the log-evidence of a chord is ``sharpness`` times its similarity (minus
    ``seventh_penalty`` for four-note chords, which otherwise win on noise), and of "no chord" the
    constant ``sharpness * no_chord_threshold`` (silent columns score 0 on every chord, so "no chord"
    wins there).  The Viterbi path pays ``switch_cost`` for each change of chord.

    Parameters
    ----------
    chroma : array_like
        ``(12, n)`` chroma, one column per step (a beat, or a frame).
    times_sec : array_like
        ``n + 1`` step boundaries in seconds.
    qualities : tuple of str
        Chord qualities to consider (keys of :data:`CHORD_QUALITIES`).
    switch_cost, seventh_penalty, no_chord_threshold, sharpness : float
        The model's parameters (set on synthesized POP909 songs; see ``benchmarks/bench_preprocess.py``).

    Returns
    -------
    numpy.ndarray
        :data:`CHORD_DTYPE` rows with adjacent equal chords merged; ``label`` in Harte form, ``root_pc``
        -1 for ``'N'``.

    Examples
    --------
    >>> tmpl, labels, _ = chord_templates()
    >>> steps = np.stack([tmpl[labels.index(c)] for c in ["C:maj", "C:maj", "A:min", "F:maj", "G:7"]], axis=1)
    >>> spans = estimate_chords(steps, np.arange(6.0))
    >>> [(float(s), str(lab)) for s, lab in zip(spans["start_sec"], spans["label"])]
    [(0.0, 'C:maj'), (2.0, 'A:min'), (3.0, 'F:maj'), (4.0, 'G:7')]
    """
    from harmonia.theory.localkey import viterbi

    c = np.asarray(chroma, dtype=float)
    t = np.asarray(times_sec, dtype=float)
    if c.ndim != 2 or c.shape[0] != 12:
        raise ValueError(f"chroma must be (12, n); got shape {c.shape}")
    if t.shape != (c.shape[1] + 1,):
        raise ValueError(f"times_sec must hold n + 1 = {c.shape[1] + 1} boundaries; got {t.shape[0]}")
    if c.shape[1] == 0:
        return np.zeros(0, dtype=CHORD_DTYPE)
    tmpl, labels, roots = chord_templates(qualities)
    norm = np.linalg.norm(c, axis=0)
    unit = c / np.where(norm > 1e-9, norm, 1.0)
    unit[:, norm <= 1e-9] = 0.0
    sim = (tmpl @ unit).T  # (n, n_chords)
    n_notes = (tmpl > 0).sum(axis=1)
    emission = sharpness * sim - sharpness * seventh_penalty * (n_notes > 3)
    emission = np.concatenate([emission, np.full((c.shape[1], 1), sharpness * no_chord_threshold)], axis=1)
    path = viterbi(emission, switch_cost=switch_cost)
    labels = [*labels, "N"]
    roots = np.r_[roots, -1]
    starts = np.flatnonzero(np.r_[True, path[1:] != path[:-1]])
    ends = np.r_[starts[1:], path.size]
    out = np.zeros(starts.size, dtype=CHORD_DTYPE)
    out["start_sec"] = t[starts]
    out["end_sec"] = t[ends]
    out["root_pc"] = roots[path[starts]]
    out["label"] = [labels[i] for i in path[starts]]
    return out


# -- form -----------------------------------------------------------------------------------------

def estimate_sections(
    y: Any,
    sample_rate: int,
    beats_sec: Any,
    *,
    chroma: np.ndarray | None = None,
    n_sections: int | None = None,
) -> np.ndarray:
    """Sections by agglomerative segmentation of beat-synchronous chroma and MFCCs, labelled by similarity.

    Parameters
    ----------
    y : array_like
        Mono samples.
    sample_rate : int
    beats_sec : array_like
        Beat times.
    chroma : numpy.ndarray, optional
        Chroma at hop 512, if already computed.
    n_sections : int, optional
        Number of segments; by default one per 20 s of audio, between 2 and 12.

    Returns
    -------
    numpy.ndarray
        :data:`SECTION_DTYPE` rows covering the song; segments with similar mean features share a label.
    """
    librosa = _librosa()
    from scipy.cluster.hierarchy import fcluster, linkage

    x = _as_mono(y)
    duration = x.size / sample_rate
    if chroma is None:
        chroma = chromagram(x, sample_rate)
    mfcc = librosa.feature.mfcc(y=x, sr=sample_rate, hop_length=HOP, n_mfcc=13)[1:]
    n = min(chroma.shape[1], mfcc.shape[1])
    feats = np.vstack([chroma[:, :n] / np.maximum(chroma[:, :n].max(axis=0, keepdims=True), 1e-9),
                       (mfcc[:, :n] - mfcc[:, :n].mean(axis=1, keepdims=True)) / (mfcc[:, :n].std() + 1e-9)])
    beats = np.asarray(beats_sec, dtype=float)
    sync, bounds = _beat_sync(feats, beats, sample_rate) if beats.size else (feats, np.r_[0.0, duration])
    bounds[-1] = duration
    steps = sync.shape[1]
    k = n_sections or int(np.clip(round(duration / 20.0), 2, 12))
    k = max(1, min(k, steps))
    if k == 1 or steps < 2:
        starts = np.array([0])
    else:
        starts = np.asarray(librosa.segment.agglomerative(sync, k))
    starts = np.unique(np.r_[0, starts])
    ends = np.r_[starts[1:], steps]
    means = np.stack([sync[:, a:b].mean(axis=1) for a, b in zip(starts, ends)])
    if means.shape[0] > 1:
        unit = means - means.mean(axis=0)
        unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-9)
        groups = fcluster(linkage(unit, method="average", metric="cosine"), t=0.5, criterion="distance")
    else:
        groups = np.array([1])
    letters: dict[int, str] = {}
    out = np.zeros(starts.size, dtype=SECTION_DTYPE)
    for i, (a, b, g) in enumerate(zip(starts, ends, groups)):
        letters.setdefault(int(g), chr(ord("A") + len(letters)) if len(letters) < 26 else f"Z{len(letters)}")
        out[i] = (bounds[a], bounds[b], letters[int(g)])
    return out


# -- everything -----------------------------------------------------------------------------------

def analyze_audio(
    y: Any,
    sample_rate: int,
    *,
    beats_per_bar: int | None = None,
    key_profile: str = "pop909-audio",
    start_bpm: float = 78.7,
    tempo_spread_octaves: float = 0.35,
    timings: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Tempo, beats, downbeats, tuning, key, chords and sections of a recording, as a JSON-ready dict.

    Parameters
    ----------
    y : array_like
        Samples, mono or ``(channels, n_samples)``; resampled to 22050 Hz inside.
    sample_rate : int
    beats_per_bar : int, optional
        Fix the metre for :func:`estimate_downbeats`.
    key_profile : str, default "pop909-audio"
        Key profile for :func:`estimate_key`.
    start_bpm, tempo_spread_octaves : float
        The beat tracker's tempo prior (see :func:`estimate_beats`).
    timings : dict, optional
        Filled with the seconds spent in each stage.

    Returns
    -------
    dict
        ``duration_sec``, ``tempo_bpm``, ``beats_sec``, ``downbeats_sec``, ``beats_per_bar``,
        ``tuning_cents``, ``key`` (see :func:`estimate_key`), ``chords`` (``[{"start_sec", "end_sec",
        "label"}]``), ``sections`` (``[{"start_sec", "end_sec", "label"}]``).

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr * 4) / sr
    >>> tone = sum(np.sin(2 * np.pi * 440 * 2 ** ((p - 69) / 12) * t) for p in (57, 60, 64))
    >>> out = analyze_audio(tone.astype(np.float32), sr)
    >>> out["chords"][0]["label"], round(out["duration_sec"], 1)
    ('A:min', 4.0)
    """
    import time

    clock = time.perf_counter
    times = timings if timings is not None else {}
    x = _as_mono(y)
    if sample_rate != SAMPLE_RATE:
        x = _resample(x, int(sample_rate), SAMPLE_RATE)
    sr = SAMPLE_RATE
    t0 = clock()
    tuning = estimate_tuning(x, sr)
    chroma = chromagram(x, sr, tuning_cents=tuning)
    t1 = clock()
    tempo, beats = estimate_beats(x, sr, chroma=chroma, start_bpm=start_bpm, tempo_spread_octaves=tempo_spread_octaves)
    t2 = clock()
    downbeats, m = estimate_downbeats(x, sr, beats, beats_per_bar=beats_per_bar, chroma=chroma)
    t3 = clock()
    key = estimate_key(chroma, profile=key_profile)
    sync, bounds = _beat_sync(chroma, beats, sr)
    bounds[-1] = x.size / sr
    chords = estimate_chords(sync, bounds)
    t4 = clock()
    sections = estimate_sections(x, sr, beats, chroma=chroma)
    t5 = clock()
    times.update(chroma=t1 - t0, beats=t2 - t1, downbeats=t3 - t2, key_chords=t4 - t3, sections=t5 - t4)

    def r(v: Any) -> list[float]:
        return [round(float(a), 4) for a in v]

    return {
        "duration_sec": round(x.size / sr, 4),
        "tempo_bpm": round(tempo, 3),
        "beats_sec": r(beats),
        "downbeats_sec": r(downbeats),
        "beats_per_bar": m,
        "tuning_cents": round(tuning, 2),
        "key": key,
        "chords": [{"start_sec": round(float(a), 4), "end_sec": round(float(b), 4), "label": str(lab)}
                   for a, b, lab in zip(chords["start_sec"], chords["end_sec"], chords["label"])],
        "sections": [{"start_sec": round(float(a), 4), "end_sec": round(float(b), 4), "label": str(lab)}
                     for a, b, lab in zip(sections["start_sec"], sections["end_sec"], sections["label"])],
    }
