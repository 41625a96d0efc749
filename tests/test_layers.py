"""DESIGN.md's layering, checked by the shared tool when it is present."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CHECK = ROOT.parent / "shared" / "tools" / "check_layers.py"


@pytest.mark.skipif(not CHECK.is_file(), reason="../shared/tools/check_layers.py is not present")
def test_layers_hold():
    out = subprocess.run([sys.executable, str(CHECK), str(ROOT)], capture_output=True, text=True, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["violations"] == 0, out.stderr
