"""estimate_meter_file: the keys the CLI reads stay stable."""

from harmonia.workflows.meter import estimate_meter_file


def test_meter_file_keys(data_dir):
    r = estimate_meter_file(data_dir / "pop909" / "001.mid")
    assert {"time_signature", "duple", "compound", "confidence", "phase_qn", "notated", "file"} <= set(r)
    assert r["notated"] == "2/4" and r["duple"] and 0 < r["confidence"] <= 1 and 0 <= r["p_triple"] <= 1
