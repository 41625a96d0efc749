"""Helpers shared by the benchmark scripts: data location and timing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def shared_data(name: str) -> Path | None:
    """``../shared/data/<name>`` if present, else None (the caller says so and exits 0)."""
    path = SHARED_DATA / name
    return path if path.exists() else None


def timeit(fn: Callable[[], object], *, repeat: int = 3, warmup: int = 1) -> tuple[float, float]:
    """Median and standard deviation of ``repeat`` timed calls (seconds), after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), (statistics.stdev(times) if len(times) > 1 else 0.0)


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
