"""Torch side of the constraint layers: masking logits on any device, and differentiable theory penalties.

:func:`apply_constraints` applies a :class:`~harmonia.theory.constraints.ConstraintSet` to a torch
tensor.  On the CPU it runs the numba kernel on the tensor's memory; elsewhere (or when the logits need
gradients) the kernel builds each row's penalty table (one entry per pitch, drum key and position, a few
hundred numbers), the table moves to the tensor's device and is gathered over the vocabulary there.
Both paths give bit-identical results to :meth:`ConstraintSet.apply` (tested).

The penalties are training losses.  Each takes logits ``(..., vocab)`` (any leading shape), the
:class:`~harmonia.theory.vocab.TokenVocabulary` and the musical state as tensors or arrays, and returns
a scalar that autograd differentiates (gradients checked against finite differences):

* :func:`theory_penalty`: probability mass on pitches outside the allowed pitch classes (key or chord);
* :func:`range_penalty`: mass outside an instrument's range (optionally weighted by the distance);
* :func:`leap_penalty`: expected melodic leap from the previous pitch (a voice-leading cost);
* :func:`grid_penalty` and :func:`onset_template_penalty`: rhythmic coherence (mass off the allowed grid,
  and the divergence of the expected onset pattern from a template);
* :func:`key_consistency_penalty`: how much the implied key moves from step to step.

Pitch and position distributions are *conditional*: the mass on pitch tokens (or position tokens)
renormalised to 1, so that a step where the model would rather emit a bar line is not penalised for it
(for a pitch vocabulary this is the plain softmax).  torch is imported on first use; without it these
functions raise :class:`~harmonia.errors.MissingDependencyError` (``pip install "harmonia[neural]"``).

Examples
--------
>>> import torch
>>> from harmonia.theory.vocab import pitch_vocabulary
>>> from harmonia.theory.constraints import ConstraintSet, InKey, key_pc_mask
>>> vocab = pitch_vocabulary()
>>> cs = ConstraintSet([InKey("C")], vocab=vocab)
>>> state = cs.new_state(1)
>>> out = apply_constraints(torch.zeros(1, 128), cs, state)
>>> int(torch.isfinite(out).sum())
75
>>> logits = torch.zeros(1, 128, requires_grad=True)
>>> loss = theory_penalty(logits, vocab, key_pc_mask("C"))
>>> round(float(loss), 4), loss.requires_grad
(0.4141, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harmonia._optional import import_optional
from harmonia.errors import ConstraintError
from harmonia.theory.constraints import ConstraintSet, ConstraintState
from harmonia.theory.vocab import DRUM_PITCH, PITCH, POSITION, TokenVocabulary

__all__ = [
    "apply_constraints",
    "grid_penalty",
    "key_consistency_penalty",
    "leap_penalty",
    "onset_template_penalty",
    "range_penalty",
    "theory_penalty",
]

_EPS = 1e-12
_CACHE: dict[tuple, Any] = {}


def _torch():
    return import_optional("torch", extra="neural", feature="harmonia.neural.constraints")


def _cached(key: tuple, make):
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = make()
    return _CACHE[key]


def _np_dtype(dtype) -> np.dtype:
    torch = _torch()
    return np.dtype(np.float64) if dtype == torch.float64 else np.dtype(np.float32)


# --------------------------------------------------------------------------------------------------
# constraint sets on tensors
# --------------------------------------------------------------------------------------------------
def apply_constraints(
    logits: Any, constraints: ConstraintSet, state: ConstraintState, *, inplace: bool = False, method: str = "auto"
) -> Any:
    """Apply a constraint set to a ``(batch, vocab)`` torch tensor on any device.

    Parameters
    ----------
    logits : torch.Tensor
        ``(batch, vocab)`` floating-point logits (float32 and float64 are bit-identical to the numpy path;
        half precisions get the float32 penalties rounded).
    constraints : ConstraintSet
    state : ConstraintState
    inplace : bool
        Write into ``logits`` (not allowed for a leaf that requires grad).
    method : {"auto", "numpy", "table"}
        ``"numpy"`` runs the kernel on the CPU tensor's memory; ``"table"`` gathers per-row penalty
        tables on the tensor's device (differentiable: gradients flow to the allowed logits).  ``"auto"``
        picks ``"numpy"`` for CPU float32/float64 tensors that need no gradient, else ``"table"``.

    Returns
    -------
    torch.Tensor
        The constrained logits, on the input's device (``logits`` itself when ``inplace``).

    Raises
    ------
    ConstraintError
        As :meth:`ConstraintSet.apply` (``on_empty="raise"``).
    """
    torch = _torch()
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a torch.Tensor, got {type(logits).__name__}")
    if method not in ("auto", "numpy", "table"):
        raise ValueError(f"method must be 'auto', 'numpy' or 'table', got {method!r}")
    exact = logits.dtype in (torch.float32, torch.float64)
    if method == "auto":
        method = "numpy" if logits.device.type == "cpu" and exact and not logits.requires_grad else "table"
    if method == "numpy":
        if logits.device.type != "cpu" or not exact:
            raise ValueError("method='numpy' needs a float32 or float64 CPU tensor")
        if inplace:
            if not logits.is_contiguous():
                raise ValueError("inplace=True needs a contiguous tensor")
            constraints.apply(logits.detach().numpy(), state, inplace=True)
            return logits
        return torch.from_numpy(constraints.apply(logits.detach().contiguous().numpy(), state))
    return _apply_table(torch, logits, constraints, state, inplace)


def _kind_tensors(torch, vocab: TokenVocabulary, device):
    def make():
        feat = torch.as_tensor(np.array(vocab.feature), dtype=torch.long, device=device)
        kinds = np.stack([vocab.kind == k for k in (PITCH, DRUM_PITCH, POSITION)], axis=1).astype(np.float32)
        return feat, torch.as_tensor(kinds, device=device)

    return _cached(("kinds", id(vocab), str(device)), make)


def _gathered(torch, table: np.ndarray, feat, logits):
    pen = torch.from_numpy(table).to(device=logits.device, non_blocking=True)
    if pen.dtype != logits.dtype:
        pen = pen.to(logits.dtype)
    return pen.index_select(1, feat)


def _apply_table(torch, logits, constraints: ConstraintSet, state: ConstraintState, inplace: bool):
    vocab = constraints.vocab
    if logits.ndim != 2 or logits.shape[1] != vocab.size or logits.shape[0] != state.batch:
        raise ValueError(f"logits must have shape ({state.batch}, {vocab.size}), got {tuple(logits.shape)}")
    dtype = _np_dtype(logits.dtype)
    feat, kinds = _kind_tensors(torch, vocab, logits.device)
    pen = _gathered(torch, constraints.penalty_table(state, dtype=dtype), feat, logits)
    ninf = torch.tensor(-np.inf, dtype=logits.dtype, device=logits.device)
    out = torch.where(pen == np.inf, ninf, logits - pen)
    if constraints.hard:
        with torch.no_grad():
            before = (logits > -np.inf).to(kinds.dtype) @ kinds > 0
            after = (out > -np.inf).to(kinds.dtype) @ kinds > 0
            bad = (before & ~after).any(1)
        if bool(bad.any()):
            rows = torch.nonzero(bad).flatten()
            rows_np = rows.cpu().numpy()
            x_rows = logits.detach()[rows].to(torch.float64 if dtype == np.float64 else torch.float32).cpu().numpy()
            try:
                table = constraints.penalty_table(state.take(rows_np), dtype=dtype, logits=x_rows)
            except ConstraintError as exc:  # name the row of the whole batch
                row = int(str(exc).split(":", 1)[0].split()[-1])
                raise ConstraintError(f"row {int(rows_np[row])}:{str(exc).split(':', 1)[1]}") from None
            sub = _gathered(torch, table, feat, logits)
            out = out.clone() if out.requires_grad else out
            out[rows] = torch.where(sub == np.inf, ninf, logits[rows] - sub)
    if inplace:
        if logits.requires_grad and logits.is_leaf:
            raise ValueError("inplace=True is not allowed on a leaf tensor that requires grad")
        logits.copy_(out)
        return logits
    return out


# --------------------------------------------------------------------------------------------------
# differentiable penalties
# --------------------------------------------------------------------------------------------------
def _pitch_matrix(torch, vocab: TokenVocabulary, device, dtype):
    def make():
        m = np.zeros((vocab.size, 128))
        ids = np.flatnonzero(vocab.kind == PITCH)
        m[ids, vocab.value[ids]] = 1.0
        return torch.as_tensor(m, dtype=dtype, device=device)

    return _cached(("pitch", id(vocab), str(device), str(dtype)), make)


def _position_matrix(torch, vocab: TokenVocabulary, device, dtype):
    def make():
        m = np.zeros((vocab.size, max(vocab.n_positions, 1)))
        ids = np.flatnonzero(vocab.kind == POSITION)
        m[ids, vocab.value[ids]] = 1.0
        return torch.as_tensor(m, dtype=dtype, device=device)

    return _cached(("position", id(vocab), str(device), str(dtype)), make)


def _check_logits(torch, logits, vocab: TokenVocabulary):
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise TypeError("logits must be a floating-point torch.Tensor")
    if logits.shape[-1] != vocab.size:
        raise ValueError(f"logits' last dimension must be the vocabulary size {vocab.size}, got {logits.shape[-1]}")


def _conditional(torch, logits, matrix):
    """Distribution over the matrix's columns given that one of its tokens is emitted.

    A softmax over those tokens only (the others masked), so that it stays exact when their total
    probability is tiny.
    """
    member = matrix.sum(-1) > 0
    masked = logits.masked_fill(~member, -np.inf)
    return torch.softmax(masked, dim=-1) @ matrix


def _position_distribution(torch, logits, vocab):
    """Probability of each position of the bar given that a position token is emitted."""
    _check_logits(torch, logits, vocab)
    if vocab.n_positions == 0:
        raise ValueError("the vocabulary has no position tokens")
    return _conditional(torch, logits, _position_matrix(torch, vocab, logits.device, logits.dtype))


def pitch_distribution(logits: Any, vocab: TokenVocabulary) -> Any:
    """Probability of each MIDI pitch (``(..., 128)``) given that a pitch token is emitted.

    Examples
    --------
    >>> import torch
    >>> from harmonia.theory.vocab import TokenVocabulary
    >>> v = TokenVocabulary.from_tokens(["Bar_None", "Pitch_60", "Pitch_62"])
    >>> pitch_distribution(torch.zeros(3), v)[[60, 62]].tolist()
    [0.5, 0.5]
    """
    torch = _torch()
    _check_logits(torch, logits, vocab)
    return _conditional(torch, logits, _pitch_matrix(torch, vocab, logits.device, logits.dtype))


def _as_tensor(torch, x, like, dtype=None):
    if isinstance(x, torch.Tensor):
        return x.to(device=like.device, dtype=dtype or x.dtype)
    return torch.as_tensor(np.asarray(x), device=like.device, dtype=dtype)


def _pc_allowed(torch, allowed_pc, like):
    """(..., 12) float from 12-bit masks (ints) or boolean/float (..., 12) arrays."""
    a = allowed_pc if isinstance(allowed_pc, torch.Tensor) else torch.as_tensor(np.asarray(allowed_pc))
    a = a.to(like.device)
    if a.is_floating_point() or a.dtype == torch.bool:
        if a.shape[-1] != 12:
            raise ValueError("allowed pitch classes must be 12-bit masks or (..., 12) arrays")
        return a.to(like.dtype)
    bits = torch.arange(12, device=like.device)
    return ((a.unsqueeze(-1) >> bits) & 1).to(like.dtype)


def _reduce(torch, values, reduction: str):
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    if reduction == "none":
        return values
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def theory_penalty(logits: Any, vocab: TokenVocabulary, allowed_pc: Any, *, reduction: str = "mean") -> Any:
    """Probability mass on pitches whose pitch class is not allowed (outside the key, scale or chord).

    Parameters
    ----------
    logits : torch.Tensor
        ``(..., vocab)``.
    vocab : TokenVocabulary
    allowed_pc : int, array_like or torch.Tensor
        12-bit pitch-class masks (:func:`~harmonia.theory.constraints.key_pc_mask`,
        :func:`~harmonia.theory.constraints.chord_pc_mask`; a scalar or one per row) or ``(..., 12)``
        booleans / weights in [0, 1].
    reduction : {"mean", "sum", "none"}
        Over the rows.

    Returns
    -------
    torch.Tensor
        Scalar in [0, 1] (mean): the conditional probability of an out-of-collection pitch.

    Examples
    --------
    >>> import torch
    >>> from harmonia.theory.vocab import pitch_vocabulary
    >>> from harmonia.theory.constraints import chord_pc_mask
    >>> logits = torch.full((1, 128), -30.0); logits[0, [60, 61]] = 0.0
    >>> round(float(theory_penalty(logits, pitch_vocabulary(), chord_pc_mask("C"))), 3)
    0.5
    """
    torch = _torch()
    dist = pitch_distribution(logits, vocab)
    allowed = _pc_allowed(torch, allowed_pc, logits)
    pc_mass = _pc_mass(torch, dist)
    return _reduce(torch, (pc_mass * (1 - allowed)).sum(-1), reduction)


def _pc_mass(torch, dist):
    """(..., 128) pitch distribution -> (..., 12) pitch-class distribution."""
    padded = torch.nn.functional.pad(dist, (0, 4))  # 132 = 11 octaves of 12
    return padded.reshape(*dist.shape[:-1], 11, 12).sum(-2)


def range_penalty(
    logits: Any, vocab: TokenVocabulary, low: Any, high: Any, *, distance: bool = False, reduction: str = "mean"
) -> Any:
    """Probability mass on pitches outside ``low..high`` (inclusive; scalars or one per row).

    With ``distance=True`` each pitch counts its distance in semitones from the range instead of 1
    (the expected excursion), which still pulls when all mass is far outside.

    Examples
    --------
    >>> import torch
    >>> from harmonia.theory.vocab import pitch_vocabulary
    >>> logits = torch.full((1, 128), -30.0); logits[0, [60, 80]] = 0.0
    >>> v = pitch_vocabulary()
    >>> float(range_penalty(logits, v, 55, 76)), float(range_penalty(logits, v, 55, 76, distance=True))
    (0.5, 2.0)
    """
    torch = _torch()
    dist = pitch_distribution(logits, vocab)
    p = torch.arange(128, device=logits.device, dtype=logits.dtype)
    lo = _as_tensor(torch, low, logits, logits.dtype).unsqueeze(-1)
    hi = _as_tensor(torch, high, logits, logits.dtype).unsqueeze(-1)
    outside = torch.relu(lo - p) + torch.relu(p - hi)
    weight = outside if distance else (outside > 0).to(logits.dtype)
    return _reduce(torch, (dist * weight).sum(-1), reduction)


def leap_penalty(
    logits: Any, vocab: TokenVocabulary, prev_pitch: Any, *, free: int = 0, reduction: str = "mean"
) -> Any:
    """Expected melodic leap (semitones) from the previous pitch, beyond ``free`` semitones.

    ``E[max(|p - prev| - free, 0)]`` under the conditional pitch distribution: a voice-leading cost that
    favours steps (``free=2``) or small leaps.  Rows whose ``prev_pitch`` is negative (no previous
    note) count 0 and are left out of the mean.

    Examples
    --------
    >>> import torch
    >>> from harmonia.theory.vocab import pitch_vocabulary
    >>> logits = torch.full((2, 128), -30.0); logits[:, [62, 67]] = 0.0
    >>> float(leap_penalty(logits, pitch_vocabulary(), [60, -1]))
    4.5
    """
    torch = _torch()
    dist = pitch_distribution(logits, vocab)
    prev = _as_tensor(torch, prev_pitch, logits, logits.dtype)
    prev = prev.expand(dist.shape[:-1]) if prev.ndim < dist.ndim - 1 or prev.shape != dist.shape[:-1] else prev
    p = torch.arange(128, device=logits.device, dtype=logits.dtype)
    cost = torch.relu((p - prev.unsqueeze(-1)).abs() - free)
    valid = (prev >= 0).to(logits.dtype)
    per_row = (dist * cost).sum(-1) * valid
    if reduction == "mean":
        return per_row.sum() / valid.sum().clamp_min(1.0)
    return _reduce(torch, per_row, reduction)


def grid_penalty(logits: Any, vocab: TokenVocabulary, allowed_positions: Any, *, reduction: str = "mean") -> Any:
    """Probability mass on position tokens off the allowed grid (given that a position is emitted).

    ``allowed_positions`` is ``(n_positions,)`` or ``(..., n_positions)`` booleans, such as
    ``state.grid_allowed()`` of a :class:`~harmonia.theory.constraints.ConstraintState`.

    Examples
    --------
    >>> import torch
    >>> from harmonia.theory.vocab import TokenVocabulary
    >>> v = TokenVocabulary.from_tokens([f"Position_{i}" for i in range(4)], positions_per_beat=4)
    >>> float(grid_penalty(torch.zeros(4), v, [True, False, True, False]))
    0.5
    """
    torch = _torch()
    dist = _position_distribution(torch, logits, vocab)
    allowed = _as_tensor(torch, allowed_positions, logits).to(logits.dtype)
    return _reduce(torch, (dist * (1 - allowed)).sum(-1), reduction)


def onset_template_penalty(
    logits: Any, vocab: TokenVocabulary, template: Any, *, reduction: str = "mean"
) -> Any:
    """Divergence of the expected onset pattern from a template: ``KL(template || mean position distribution)``.

    Parameters
    ----------
    logits : torch.Tensor
        ``(steps, vocab)`` or ``(batch, steps, vocab)``: the position distributions of a sequence's
        steps, averaged over the steps, give its expected onset pattern in the bar.
    template : array_like
        ``(n_positions,)`` or ``(batch, n_positions)`` non-negative weights (a groove template, metric
        weights ...), normalised here.

    Returns
    -------
    torch.Tensor
        Scalar >= 0, 0 when the pattern matches the template.

    Examples
    --------
    >>> import torch
    >>> from harmonia.theory.vocab import TokenVocabulary
    >>> v = TokenVocabulary.from_tokens([f"Position_{i}" for i in range(4)], positions_per_beat=4)
    >>> float(onset_template_penalty(torch.zeros(8, 4), v, [1, 1, 1, 1]))
    0.0
    """
    torch = _torch()
    dist = _position_distribution(torch, logits, vocab)
    pattern = dist.mean(-2)
    t = _as_tensor(torch, template, logits, logits.dtype)
    t = t / t.sum(-1, keepdim=True).clamp_min(_EPS)
    kl = torch.where(t > 0, t * (torch.log(t.clamp_min(_EPS)) - torch.log(pattern.clamp_min(_EPS))), 0.0).sum(-1)
    return _reduce(torch, kl, reduction)


def key_consistency_penalty(
    logits: Any,
    vocab: TokenVocabulary,
    *,
    window: int = 8,
    profile: str = "albrecht-shanahan",
    temperature: float = 0.1,
    reduction: str = "mean",
) -> Any:
    """How much the implied key moves between consecutive steps of a sequence.

    Each step's pitch-class mass (probability on pitch tokens) is summed over the last ``window``
    steps; the sum is correlated (Pearson) with the 24 key profiles of
    :func:`harmonia.theory.key.key_profile`, and a softmax of the correlations over ``temperature``
    gives a key posterior per step.  The penalty is the mean squared change of that posterior between
    consecutive steps (0 when the implied key never moves).

    Parameters
    ----------
    logits : torch.Tensor
        ``(steps, vocab)`` or ``(batch, steps, vocab)``, at least two steps.
    window : int
        Steps of pitch-class context per step.

    Examples
    --------
    >>> import torch
    >>> from harmonia.theory.vocab import pitch_vocabulary
    >>> steady = torch.full((6, 128), -30.0); steady[:, [60, 64, 67]] = 0.0
    >>> float(key_consistency_penalty(steady, pitch_vocabulary()))
    0.0
    """
    torch = _torch()
    _check_logits(torch, logits, vocab)
    if logits.ndim < 2 or logits.shape[-2] < 2:
        raise ValueError("key_consistency_penalty needs (…, steps, vocab) logits with at least two steps")
    from harmonia.theory.key import key_profile

    probs = torch.softmax(logits, dim=-1)
    pcs = _pc_mass(torch, probs @ _pitch_matrix(torch, vocab, logits.device, logits.dtype))  # (..., steps, 12)
    csum = torch.cumsum(pcs, dim=-2)
    shifted = torch.cat([torch.zeros_like(csum[..., :window, :]), csum[..., :-window, :]], dim=-2)[
        ..., : csum.shape[-2], :
    ]
    ctx = csum - shifted
    prof = np.asarray(key_profile(profile), dtype=np.float64)  # (24, 12): 12 major then 12 minor
    prof = (prof - prof.mean(1, keepdims=True)) / prof.std(1, keepdims=True)
    prof_t = torch.as_tensor(prof, dtype=logits.dtype, device=logits.device)
    z = ctx - ctx.mean(-1, keepdim=True)
    z = z / torch.sqrt((z * z).mean(-1, keepdim=True) + 1e-9)
    corr = z @ prof_t.T / 12.0
    post = torch.softmax(corr / temperature, dim=-1)
    change = ((post[..., 1:, :] - post[..., :-1, :]) ** 2).sum(-1).mean(-1)
    return _reduce(torch, change, reduction)
