"""Source separation into drums, bass, vocals and other with Demucs [1]_, from a local checkpoint only.

harmonia never downloads weights.  Point ``model=`` or ``$HARMONIA_DEMUCS_MODEL`` at one of

- a ``.safetensors`` file in Demucs' Hugging Face export format (one model; the model class and its
  arguments are JSON in the file's metadata), e.g. ``955717e8.safetensors`` of ``htdemucs``;
- a folder holding a bag of models: ``NAME.yaml`` (``models: [sig, ...]``, optional ``weights`` and
  ``segment``) beside ``SIG.safetensors`` files, as in the Hugging Face repository
  ``adefossez/HTDemucs`` (get it with ``huggingface-cli download adefossez/HTDemucs --local-dir DIR``
  on a machine with network access);
- ``"demucs_unittest"``: Demucs' untrained test model (tiny, random weights; for tests only).

Checkpoints are read without unpickling anything: the model class must be one of Demucs' own model
classes (:data:`MODEL_CLASSES`), and legacy ``.th`` pickles are refused with a
:class:`~harmonia.errors.CheckpointError` that says how to convert them.

Demucs needs torch (the ``neural`` extra) and ``pip install --no-deps demucs==4.1.0`` beside the
``audio`` extra (which brings its light dependencies julius, einops, pyyaml, safetensors).

References
----------
.. [1] S. Rouard, F. Massa and A. Défossez, "Hybrid transformers for music source separation,"
   *Proc. IEEE ICASSP*, 2023. https://doi.org/10.1109/ICASSP49357.2023.10096956
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from harmonia._optional import import_optional
from harmonia.errors import CheckpointError

__all__ = ["ENV_VAR", "MODEL_CLASSES", "STEMS", "load_demucs", "save_demucs", "separate"]

#: Environment variable naming the default checkpoint.
ENV_VAR = "HARMONIA_DEMUCS_MODEL"

#: The stems :func:`separate` returns, in this order.
STEMS = ("drums", "bass", "vocals", "other")

#: Model classes a checkpoint may name (anything else is refused).
MODEL_CLASSES = ("demucs.htdemucs.HTDemucs", "demucs.hdemucs.HDemucs", "demucs.demucs.Demucs")

_HOWTO = (
    "source separation needs Demucs weights on this machine: set ${var} (or pass model=) to a Demucs "
    ".safetensors file or to a folder with NAME.yaml and its SIG.safetensors files, such as a download of "
    "the Hugging Face repository adefossez/HTDemucs (huggingface-cli download adefossez/HTDemucs --local-dir "
    "DIR); harmonia does not download weights. Pass separate=False to skip separation."
)


def _demucs() -> Any:
    import_optional("torch", extra="neural", feature="source separation")
    return import_optional("demucs.apply", extra="audio", feature="source separation (pip install --no-deps demucs)")


def _class(name: str, where: Path) -> Any:
    import importlib

    if name not in MODEL_CLASSES:
        raise CheckpointError(f"{where}: model class {name!r} is not a Demucs model ({', '.join(MODEL_CLASSES)})")
    module, attr = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), attr)


def _decode(value: Any) -> Any:
    from fractions import Fraction

    if isinstance(value, dict):
        if value.get("_type") == "fraction":
            return Fraction(value["numerator"], value["denominator"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _encode(value: Any) -> Any:
    from fractions import Fraction

    if isinstance(value, Fraction):
        return {"_type": "fraction", "numerator": value.numerator, "denominator": value.denominator}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _load_safetensors(path: Path) -> Any:
    import inspect

    safe_open = import_optional("safetensors", extra="audio", feature="loading Demucs weights").safe_open
    _demucs()
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as exc:
        raise CheckpointError(f"{path}: not a readable safetensors file ({exc})") from None
    if "klass" not in meta:
        raise CheckpointError(f"{path}: no Demucs model description in the safetensors metadata ('klass' missing)")
    if "structure" in meta:
        raise CheckpointError(f"{path}: quantized (diffq) Demucs checkpoints are not supported; use htdemucs")
    klass = _class(meta["klass"], path)
    try:
        args = _decode(json.loads(meta.get("args", "[]")))
        kwargs = _decode(json.loads(meta.get("kwargs", "{}")))
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path}: malformed model arguments in the metadata ({exc})") from None
    accepted = inspect.signature(klass).parameters
    kwargs = {k: v for k, v in kwargs.items() if k in accepted}
    try:
        model = klass(*args, **kwargs)
        model.load_state_dict(tensors)
    except Exception as exc:  # wrong shapes, unknown arguments
        raise CheckpointError(f"{path}: the weights do not fit {meta['klass']} ({exc})") from None
    return model


def load_demucs(model: str | os.PathLike[str] | None = None) -> Any:
    """Load a Demucs model (or bag of models) from a local checkpoint, in eval mode on the CPU.

    Parameters
    ----------
    model : str or path-like, optional
        A ``.safetensors`` file, a folder with a bag (``*.yaml`` + ``*.safetensors``), or
        ``"demucs_unittest"``; default ``$HARMONIA_DEMUCS_MODEL``.

    Returns
    -------
    torch.nn.Module
        With ``sources``, ``samplerate`` and ``audio_channels`` attributes, for :func:`separate`.

    Raises
    ------
    CheckpointError
        No checkpoint given or found (the message says how to get the weights), or a malformed or unsafe
        one.
    MissingDependencyError
        torch, demucs or safetensors is not installed.
    """
    chosen = model if model is not None else os.environ.get(ENV_VAR) or None
    if chosen is None:
        raise CheckpointError(_HOWTO.format(var=ENV_VAR))
    apply = _demucs()
    if str(chosen) == "demucs_unittest":
        from demucs.pretrained import demucs_unittest

        return demucs_unittest().eval()
    path = Path(chosen)
    if not path.exists():
        raise CheckpointError(f"{path}: no such Demucs checkpoint. " + _HOWTO.format(var=ENV_VAR))
    if path.is_file():
        if path.suffix == ".safetensors":
            return _load_safetensors(path).eval()
        raise CheckpointError(
            f"{path}: harmonia loads Demucs weights from .safetensors only (a .th file is a pickle, which can run "
            "code when loaded); use the Hugging Face export (adefossez/HTDemucs) or convert it with Demucs' "
            "tools/export_hf.py"
        )
    yaml = import_optional("yaml", extra="audio", feature="loading a Demucs bag of models")
    specs = sorted(path.glob("*.yaml"))
    if not specs:
        files = sorted(path.glob("*.safetensors"))
        if len(files) == 1:
            return _load_safetensors(files[0]).eval()
        raise CheckpointError(f"{path}: no NAME.yaml bag description (and not exactly one .safetensors file)")
    try:
        bag = yaml.safe_load(specs[0].read_text())
        sigs = list(bag["models"])
    except Exception as exc:
        raise CheckpointError(f"{specs[0]}: not a Demucs bag description ({exc})") from None
    missing = [s for s in sigs if not (path / f"{s}.safetensors").is_file()]
    if missing:
        raise CheckpointError(f"{path}: the bag {specs[0].name} needs {', '.join(f'{s}.safetensors' for s in missing)}")
    models = [_load_safetensors(path / f"{s}.safetensors") for s in sigs]
    return apply.BagOfModels(models, bag.get("weights"), bag.get("segment")).eval()


def save_demucs(model: Any, path: str | os.PathLike[str]) -> Path:
    """Write a single Demucs model as ``.safetensors`` in the Hugging Face export format (atomically).

    The model must have been built by Demucs (its constructor arguments are recorded by Demucs'
    ``capture_init``).
    """
    from harmonia.symbolic.atomic import atomic_path

    save_file = import_optional("safetensors.torch", extra="audio", feature="saving Demucs weights").save_file
    klass = f"{type(model).__module__}.{type(model).__name__}"
    if klass not in MODEL_CLASSES or not hasattr(model, "_init_args_kwargs"):
        raise CheckpointError(f"can only save Demucs models ({', '.join(MODEL_CLASSES)}), got {klass}")
    args, kwargs = model._init_args_kwargs
    meta = {"klass": klass, "args": json.dumps(_encode(list(args))), "kwargs": json.dumps(_encode(kwargs))}
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    target = Path(path)
    with atomic_path(target) as tmp:
        save_file(state, str(tmp), metadata=meta)
    return target


def separate(
    audio: Any,
    sample_rate: int,
    *,
    model: Any = None,
    device: str = "cpu",
    shifts: int = 0,
    overlap: float = 0.25,
) -> dict[str, np.ndarray]:
    """Separate a mix into drums, bass, vocals and other.

    Parameters
    ----------
    audio : array_like
        ``(channels, n_samples)`` or mono ``(n_samples,)`` float samples.
    sample_rate : int
        Rate of ``audio``; the stems come back at the same rate.
    model : module, str or path-like, optional
        A model from :func:`load_demucs`, or what :func:`load_demucs` accepts (default
        ``$HARMONIA_DEMUCS_MODEL``).
    device : str, default "cpu"
        Torch device.
    shifts : int, default 0
        Random-shift test-time augmentation passes (better, slower).
    overlap : float, default 0.25
        Overlap of Demucs' segments.

    Returns
    -------
    dict of str to numpy.ndarray
        :data:`STEMS` -> float32 audio shaped like ``audio`` (mono in, mono out).

    Raises
    ------
    CheckpointError, MissingDependencyError
        See :func:`load_demucs`.
    """
    import torch

    from harmonia.audio.features import _resample

    net = model if hasattr(model, "sources") else load_demucs(model)
    apply = _demucs()
    x = np.asarray(audio, dtype=np.float32)
    mono = x.ndim == 1
    x = x[None, :] if mono else x
    if x.ndim != 2 or x.shape[0] > 8:
        raise ValueError(f"audio must be (channels, n_samples) or (n_samples,); got shape {np.shape(audio)}")
    n = x.shape[1]
    sr_model = int(net.samplerate)
    y = _resample(x, int(sample_rate), sr_model) if int(sample_rate) != sr_model else x
    ch = int(getattr(net, "audio_channels", 2))
    y = np.repeat(y[:1], ch, axis=0) if y.shape[0] < ch else y[:ch]
    ref = y.mean(axis=0)
    mean, std = float(ref.mean()), float(ref.std()) or 1.0
    with torch.no_grad():
        t = torch.from_numpy(np.ascontiguousarray((y - mean) / std))[None]
        out = apply.apply_model(net, t, shifts=shifts, split=True, overlap=overlap, progress=False, device=device)
    est = out[0].cpu().numpy() * std + mean
    stems: dict[str, np.ndarray] = {}
    for name in STEMS:
        if name not in net.sources:
            stems[name] = np.zeros(n if mono else (x.shape[0], n), dtype=np.float32)
            continue
        s = est[list(net.sources).index(name)]
        s = _resample(s, sr_model, int(sample_rate)) if int(sample_rate) != sr_model else s
        s = s[:, :n] if s.shape[1] >= n else np.pad(s, ((0, 0), (0, n - s.shape[1])))
        if mono:
            s = s.mean(axis=0)
        elif x.shape[0] != s.shape[0]:
            s = np.repeat(s.mean(axis=0, keepdims=True), x.shape[0], axis=0)
        stems[name] = np.ascontiguousarray(s, dtype=np.float32)
    return stems
