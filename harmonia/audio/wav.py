"""WAV files: atomic writes (24-bit PCM by default, 16-bit or 32-bit float on request) and reads.

Arrays are channels first, ``(channels, n_samples)``, or 1-D for mono, float in [-1, 1].
"""

from __future__ import annotations

import os
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from harmonia._optional import import_optional
from harmonia.errors import CorruptFileError, MissingFileError
from harmonia.symbolic.atomic import atomic_path

__all__ = ["SUBTYPES", "read_wav", "write_stems", "write_wav"]

#: Sample formats :func:`write_wav` writes.
SUBTYPES = ("PCM_16", "PCM_24", "FLOAT")


def write_wav(path: str | os.PathLike[str], audio: Any, sample_rate: int, *, subtype: str = "PCM_24") -> Path:
    """Write audio to a WAV file atomically (a temporary file beside it, then a rename).

    PCM samples are clipped to [-1, 1) and rounded; ``"FLOAT"`` (32-bit) keeps them as they are and
    needs soundfile; PCM is written with the standard library when soundfile is absent.

    Parameters
    ----------
    path : str or path-like
        Destination.
    audio : array_like
        ``(channels, n_samples)`` or mono ``(n_samples,)``.
    sample_rate : int
    subtype : {"PCM_24", "PCM_16", "FLOAT"}, default "PCM_24"

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.wav"
    >>> _ = write_wav(p, np.zeros((2, 480)), 48000)
    >>> x, sr = read_wav(p)
    >>> x.shape, sr
    ((2, 480), 48000)
    """
    if subtype not in SUBTYPES:
        raise ValueError(f"subtype {subtype!r} is not one of {SUBTYPES}")
    x = np.asarray(audio, dtype=np.float64)
    x = x[None, :] if x.ndim == 1 else x
    if x.ndim != 2 or x.shape[0] > 64:
        raise ValueError(f"audio must be (channels, n_samples) or (n_samples,); got {np.shape(audio)}")
    if not np.all(np.isfinite(x)):
        raise ValueError("audio holds NaN or infinite samples")
    target = Path(path)
    try:
        import soundfile as sf
    except ImportError:
        sf = None
    if subtype == "FLOAT" and sf is None:
        import_optional("soundfile", extra="audio", feature="writing float WAV")
    with atomic_path(target) as tmp:
        if sf is not None:
            sf.write(str(tmp), x.T.astype(np.float32 if subtype == "FLOAT" else np.float64), int(sample_rate),
                     subtype=subtype, format="WAV")
        else:
            bits = 16 if subtype == "PCM_16" else 24
            scale = 2 ** (bits - 1)
            q = np.clip(np.rint(x.T * scale), -scale, scale - 1).astype("<i4")
            raw = q.view(np.uint8).reshape(-1, 4)[:, : bits // 8].tobytes()
            with wave.open(str(tmp), "wb") as w:
                w.setnchannels(x.shape[0])
                w.setsampwidth(bits // 8)
                w.setframerate(int(sample_rate))
                w.writeframes(raw)
    return target


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a WAV file: ``(audio (channels, n_samples) float32, sample_rate)``.

    Raises
    ------
    MissingFileError, CorruptFileError
        The file is missing or not a readable WAV.
    """
    p = Path(path)
    if not p.is_file():
        raise MissingFileError(p, "no such file")
    sf = import_optional("soundfile", extra="audio", feature="reading WAV")
    try:
        data, sr = sf.read(str(p), dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises its own LibsndfileError / RuntimeError
        raise CorruptFileError(p, f"not a readable audio file ({exc})") from None
    return np.ascontiguousarray(data.T), int(sr)


def write_stems(
    stems: Mapping[str, Any], directory: str | os.PathLike[str], sample_rate: int, *, subtype: str = "PCM_24"
) -> list[Path]:
    """Write each stem to ``directory/<name>.wav`` (atomically, one file at a time).

    Stem names must be plain file names (as :attr:`Rendering.stems <harmonia.audio.synth.Rendering.stems>`
    keys are).  PCM clips at full scale: scale or :func:`~harmonia.audio.mix.master` stems that exceed it.

    Returns
    -------
    list of pathlib.Path
        The files written, in the stems' order.
    """
    out = []
    for name, audio in stems.items():
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"stem name {name!r} is not a plain file name")
        out.append(write_wav(Path(directory) / f"{name}.wav", audio, sample_rate, subtype=subtype))
    return out
