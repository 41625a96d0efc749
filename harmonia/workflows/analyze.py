"""Corpus analysis: every score of a folder, on a process pool, into one table."""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from harmonia.symbolic.io import SUPPORTED_SUFFIXES

__all__ = ["analyze_corpus", "find_scores"]

_COLUMNS = ("file", "onset", "offset", "measure", "beat", "key", "numeral", "function", "root", "quality", "inversion")


def find_scores(folder: str | os.PathLike[str]) -> list[Path]:
    """Every file under ``folder`` (recursively) with an extension :func:`harmonia.load` reads, sorted."""
    root = Path(folder)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)


def _analyze_one(path: str) -> tuple[str, list[dict[str, Any]] | None, str | None]:
    from harmonia.errors import HarmoniaError
    from harmonia.symbolic.analysis import analyze

    try:
        chords = analyze(path).to_dict()["chords"]
    except (HarmoniaError, OSError) as exc:
        return path, None, f"{type(exc).__name__}: {exc}"
    return path, [{"file": path, **c} for c in chords], None


def analyze_corpus(
    paths: Iterable[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> tuple[Any, list[tuple[str, str]]]:
    """Analyze many scores in parallel; a file that cannot be read is recorded and skipped.

    Parameters
    ----------
    paths : iterable of path
        The scores.
    out : path, optional
        Write the chord table there (``.parquet`` or ``.csv``), atomically.
    workers : int, optional
        Processes (default: the number of CPUs).
    progress : bool, default True
        Show a progress bar on stderr.

    Returns
    -------
    (pandas.DataFrame, list of (file, error))
        One row per chord span of every file, and the files that failed with the reason.
    """
    import pandas as pd
    from tqdm import tqdm

    from harmonia.symbolic.atomic import atomic_path

    files = [str(p) for p in paths]
    rows: list[dict[str, Any]] = []
    failed: list[tuple[str, str]] = []
    n_workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=n_workers) as pool:
        futures = [pool.submit(_analyze_one, f) for f in files]
        for fut in tqdm(as_completed(futures), total=len(futures), desc="analyze", unit="file", disable=not progress):
            path, result, error = fut.result()
            if error is not None:
                failed.append((path, error))
            else:
                rows.extend(result)
    table = pd.DataFrame(rows, columns=list(_COLUMNS)).sort_values(["file", "onset"], kind="stable")
    table = table.reset_index(drop=True)
    if out is not None:
        with atomic_path(out) as tmp:
            if str(out).lower().endswith(".csv"):
                table.to_csv(tmp, index=False)
            else:
                table.to_parquet(tmp, index=False)
    return table, sorted(failed)
