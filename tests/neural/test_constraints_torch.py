"""Torch adapters of the constraint layers: identical to the numpy path; penalties pass gradcheck."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonia.errors import ConstraintError, MissingDependencyError
from harmonia.theory.constraints import ConstraintSet, InKey, InRange, MaxLeap, chord_pc_mask, key_pc_mask
from harmonia.theory.vocab import TokenVocabulary, pitch_vocabulary
from tests.strategies import logits
from tests.theory.test_constraints import MIXED, constraint_cases

torch = pytest.importorskip("torch")
from harmonia.neural import constraints as nc  # noqa: E402

SMALL = TokenVocabulary.from_tokens(
    ["Bar_None"] + [f"Pitch_{p}" for p in range(58, 66)] + [f"Position_{i}" for i in range(4)], positions_per_beat=2
)


@settings(max_examples=30)
@given(constraint_cases(), logits(3, MIXED.size), st.sampled_from([np.float32, np.float64]))
def test_torch_paths_equal_numpy(case, x, dtype):
    cs, state = case
    x = x.astype(dtype)
    try:
        expected = cs.apply(x, state)
    except ConstraintError as exc:
        row = str(exc).split(":")[0]
        for method in ("numpy", "table"):
            with pytest.raises(ConstraintError, match=row):
                nc.apply_constraints(torch.from_numpy(x.copy()), cs, state, method=method)
        return
    for method in ("numpy", "table", "auto"):
        got = nc.apply_constraints(torch.from_numpy(x.copy()), cs, state, method=method).numpy()
        assert got.dtype == expected.dtype and np.array_equal(got, expected, equal_nan=True), method
    t = torch.from_numpy(x.copy())
    assert nc.apply_constraints(t, cs, state, inplace=True) is t and np.array_equal(t.numpy(), expected, equal_nan=True)
    t = torch.from_numpy(x.copy())
    nc.apply_constraints(t, cs, state, inplace=True, method="table")
    assert np.array_equal(t.numpy(), expected, equal_nan=True)


def test_table_path_is_differentiable_and_relaxes():
    vocab = pitch_vocabulary()
    cs = ConstraintSet([InRange(60, 72), InKey(), MaxLeap(1)], vocab=vocab, on_empty="relax")
    s = cs.new_state(2)
    s.key_mask[:] = 1 << 6
    s.prev_pitch[:] = [66, 60]
    x = torch.randn(2, 128, dtype=torch.float64, requires_grad=True)
    out = nc.apply_constraints(x, cs, s)
    assert torch.isfinite(out).sum(1).tolist() == [1, 1]
    out[torch.isfinite(out)].sum().backward()
    assert x.grad[:, 66].tolist() == [1.0, 1.0] and x.grad.sum() == 2.0
    strict = ConstraintSet(cs.rules, vocab=vocab)
    with pytest.raises(ConstraintError, match="row 1"):
        nc.apply_constraints(x.detach(), strict, s, method="table")
    with pytest.raises(TypeError):
        nc.apply_constraints(np.zeros((2, 128)), cs, s)


def _gradcheck(fn, shape):
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(fn, (x,), eps=1e-6, atol=1e-5, fast_mode=True)
    y = fn(x)
    assert y.ndim == 0 and y.requires_grad


def test_penalties_gradcheck():
    allowed = np.array([key_pc_mask("C"), chord_pc_mask("G7")])
    _gradcheck(lambda x: nc.theory_penalty(x, SMALL, allowed), (2, SMALL.size))
    _gradcheck(lambda x: nc.range_penalty(x, SMALL, 60, [62, 63]), (2, SMALL.size))
    _gradcheck(lambda x: nc.range_penalty(x, SMALL, 60, 62, distance=True), (2, SMALL.size))
    _gradcheck(lambda x: nc.leap_penalty(x, SMALL, [60, -1], free=1), (2, SMALL.size))
    _gradcheck(lambda x: nc.grid_penalty(x, SMALL, [True, False, True, False]), (2, SMALL.size))
    _gradcheck(lambda x: nc.onset_template_penalty(x, SMALL, [4, 1, 2, 1]), (2, 5, SMALL.size))
    _gradcheck(lambda x: nc.key_consistency_penalty(x, SMALL, window=2), (2, 4, SMALL.size))


def test_penalty_values():
    v = pitch_vocabulary()
    x = torch.full((1, 128), -40.0, dtype=torch.float64)
    x[0, [60, 61]] = 0.0
    assert nc.theory_penalty(x, v, key_pc_mask("C")).item() == pytest.approx(0.5)
    assert nc.theory_penalty(x, v, np.ones(12, dtype=bool)).item() == pytest.approx(0.0)
    assert nc.range_penalty(x, v, 61, 70).item() == pytest.approx(0.5)
    assert nc.leap_penalty(x, v, [64]).item() == pytest.approx(3.5)
    # the conditional distribution ignores non-pitch tokens
    y = torch.zeros(1, SMALL.size, dtype=torch.float64)
    y[0, 0] = 50.0
    assert nc.pitch_distribution(y, SMALL)[0, 58:66].sum().item() == pytest.approx(1.0)
    # a sequence that changes key costs more than one that stays
    steady = torch.full((8, 128), -40.0, dtype=torch.float64)
    steady[:, [60, 64, 67, 65, 62]] = 0.0
    moving = steady.clone()
    moving[4:] = -40.0
    moving[4:, [66, 70, 61, 63, 68]] = 0.0
    assert nc.key_consistency_penalty(moving, v, window=2) > nc.key_consistency_penalty(steady, v, window=2) + 0.1
    with pytest.raises(ValueError, match="two steps"):
        nc.key_consistency_penalty(steady[:1], v)
    with pytest.raises(ValueError, match="vocabulary size"):
        nc.theory_penalty(torch.zeros(1, 5), v, 0xFFF)


def test_missing_torch_raises_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError, match=r"harmonia\[neural\]"):
        nc.apply_constraints(np.zeros((1, 128)), ConstraintSet([InKey()], vocab=pitch_vocabulary()), None)


def test_importing_the_module_does_not_import_torch():
    code = "import sys, harmonia.neural.constraints; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
