"""Metre detection on constructed rhythms."""

import numpy as np
import pytest

from harmonia.errors import EmptyScoreError
from harmonia.theory.meter_detect import estimate_meter
from harmonia.theory.notearray import empty_note_array, make_note_array


def _notes(onsets, durations):
    on = np.asarray(onsets, dtype=float)
    return make_note_array(onset=on, duration=np.asarray(durations, dtype=float), pitch=np.full(on.size, 60))


def _repeat(bar_on, bar_dur, bar_qn, n=8, shift=0.0):
    on = np.concatenate([np.asarray(bar_on) + k * bar_qn for k in range(n)]) + shift
    du = np.tile(bar_dur, n)
    return _notes(on, du)


@pytest.mark.parametrize("shift", [0.0, 1.0])
def test_waltz_is_triple(shift):
    est = estimate_meter(_repeat([0, 2], [2, 1], 3.0, shift=shift))  # half + quarter
    assert not est["duple"]
    assert est["phase_qn"] % 3.0 == pytest.approx(shift % 3.0)


def test_march_is_duple():
    est = estimate_meter(_repeat([0, 1.5, 2, 3], [1.5, 0.5, 1, 1], 4.0))
    assert est["duple"] and 0 < est["confidence"] <= 1


def test_jig_is_compound():
    est = estimate_meter(_repeat([0, 1, 1.5, 2.5], [1, 0.5, 1, 0.5], 3.0))  # quarter-eighth x 2
    assert est["duple"] and est["compound"]


def test_empty():
    with pytest.raises(EmptyScoreError):
        estimate_meter(empty_note_array(0))


def test_classifier_file_and_features():
    import json
    from importlib.resources import files

    from harmonia.theory.meter_detect import feature_names, meter_features

    model = json.loads(files("harmonia.theory").joinpath("data/meter_classifier.json").read_text())
    names = feature_names()
    assert model["features"] == [*names, "template_margin"]
    assert len(model["mean"]) == len(model["scale"]) == len(names) + 1
    if model["kind"] == "logistic":
        assert len(model["coef"]) == len(names) + 1
    else:
        assert np.shape(model["w1"]) == (len(names) + 1, len(model["b1"])) and len(model["w2"]) == len(model["b1"])
    chosen = max(model["model_selection"], key=lambda c: c["mean"])
    assert chosen["kind"] == model["kind"]  # the cross-validated choice was shipped
    assert set(model["training"]["files"]).isdisjoint(model["heldout"]["files"])
    assert model["heldout"]["accuracy"] >= 0.9 and "doi.org" in model["source"]
    f = meter_features(_repeat([0, 2], [2, 1], 3.0))
    assert f.shape == (len(names),) and np.all(np.isfinite(f))


def test_methods_and_probability():
    waltz = _repeat([0, 2], [2, 1], 3.0)
    est = estimate_meter(waltz)
    assert 0 <= est["p_triple"] <= 1 and est["p_triple"] > 0.5 and not est["duple"]
    old = estimate_meter(waltz, method="template")
    assert old["p_triple"] is None and set(old) == set(est)
    chords = make_note_array(
        onset=np.repeat(waltz["onset"], 3), duration=np.repeat(waltz["duration"], 3), pitch=np.tile([60, 64, 67], 16)
    )
    assert not estimate_meter(chords)["duple"]  # block chords on the waltz rhythm
    with pytest.raises(ValueError, match="method"):
        estimate_meter(waltz, method="nope")
