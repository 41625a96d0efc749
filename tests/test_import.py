"""``import harmonia`` is fast and pulls in no heavy optional package."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["torch", "diffusers", "librosa", "music21", "matplotlib", "numba", "symusic", "miditoolkit", "pandas"]


def _fresh(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_is_light_and_fast():
    code = (
        "import json, sys, time\n"
        "t = time.perf_counter()\n"
        "import harmonia, harmonia.theory, harmonia.symbolic, harmonia.errors\n"
        "dt = time.perf_counter() - t\n"
        f"print(json.dumps({{'seconds': dt, 'loaded': [m for m in {HEAVY!r} if m in sys.modules]}}))\n"
    )
    report = _fresh(code)
    assert report["loaded"] == []
    assert report["seconds"] < 0.5


def test_public_names_resolve():
    import harmonia

    for name in ("load", "Score", "Track", "from_music21", "as_note_array", "NOTE_DTYPE", "errors", "theory"):
        assert getattr(harmonia, name) is not None
    assert set(dir(harmonia)) >= {"load", "Score", "theory", "symbolic"}


def test_unknown_attribute_raises():
    import pytest

    import harmonia

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        harmonia.nope  # noqa: B018


def test_missing_optional_dependency_names_the_extra(monkeypatch):
    import pytest

    from harmonia._optional import import_optional
    from harmonia.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "demucs", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "harmonia\[audio\]"') as info:
        import_optional("demucs", extra="audio", feature="separate_stems")
    assert isinstance(info.value, ImportError)
    assert "separate_stems needs demucs" in str(info.value)
