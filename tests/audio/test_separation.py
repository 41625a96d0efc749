"""Source separation with Demucs' untrained test model (CPU), checkpoint loading and its errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harmonia.audio import separation as S
from harmonia.errors import CheckpointError


def test_no_checkpoint_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv(S.ENV_VAR, raising=False)
    with pytest.raises(CheckpointError, match=r"HARMONIA_DEMUCS_MODEL.*adefossez/HTDemucs"):
        S.load_demucs()


@pytest.fixture(scope="module")
def unittest_model():
    pytest.importorskip("torch")
    pytest.importorskip("demucs.apply")
    pytest.importorskip("safetensors")
    return S.load_demucs("demucs_unittest")


def test_separate_shapes(unittest_model):
    sr = 16000
    x = (0.1 * np.random.default_rng(0).standard_normal((2, sr))).astype(np.float32)
    stems = S.separate(x, sr, model=unittest_model)
    assert list(stems) == list(S.STEMS)
    assert all(v.shape == x.shape and v.dtype == np.float32 and np.all(np.isfinite(v)) for v in stems.values())
    mono = S.separate(x[0], sr, model=unittest_model)
    assert all(v.shape == (sr,) for v in mono.values())


def test_safetensors_round_trip_and_env_var(unittest_model, tmp_path, monkeypatch):
    import torch

    path = S.save_demucs(unittest_model, tmp_path / "unit.safetensors")
    monkeypatch.setenv(S.ENV_VAR, str(path))
    loaded = S.load_demucs()
    for a, b in zip(unittest_model.state_dict().values(), loaded.state_dict().values()):
        assert torch.equal(a, b)
    bag = tmp_path / "bag"
    bag.mkdir()
    S.save_demucs(unittest_model, bag / "sig1.safetensors")
    (bag / "unit.yaml").write_text("models: ['sig1']\n")
    assert hasattr(S.load_demucs(bag), "models")
    (bag / "unit.yaml").write_text("models: ['sig1', 'sig2']\n")
    with pytest.raises(CheckpointError, match=r"sig2\.safetensors"):
        S.load_demucs(bag)


def test_unsafe_and_malformed_checkpoints(unittest_model, tmp_path):
    from safetensors.torch import save_file

    th = tmp_path / "model.th"
    th.write_bytes(b"\x80\x04pickle")
    with pytest.raises(CheckpointError, match="pickle"):
        S.load_demucs(th)
    import torch

    evil = tmp_path / "evil.safetensors"
    save_file({"w": torch.zeros(1)}, str(evil), metadata={"klass": "os.system", "args": json.dumps(["true"]),
                                                          "kwargs": "{}"})
    with pytest.raises(CheckpointError, match="not a Demucs model"):
        S.load_demucs(evil)
    wrong = tmp_path / "wrong.safetensors"
    save_file({"w": torch.zeros(1)}, str(wrong), metadata={"klass": "demucs.hdemucs.HDemucs", "args": "[]",
                                                           "kwargs": json.dumps({"channels": 4})})
    with pytest.raises(CheckpointError, match="do not fit"):
        S.load_demucs(wrong)
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"junk")
    with pytest.raises(CheckpointError, match=r"junk\.safetensors"):
        S.load_demucs(junk)
    with pytest.raises(CheckpointError, match="no such"):
        S.load_demucs(tmp_path / "missing")
