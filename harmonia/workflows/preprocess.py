"""``harmonia preprocess``: recorded songs into analysable data, one folder per song.

For each audio file, :func:`preprocess` writes into ``OUT/<song>/``:

- ``features.json``: the file's metadata (mutagen tags and stream information), tempo, beats,
  downbeats, metre, tuning, key, chords (Harte labels) and sections
  (:func:`harmonia.audio.features.analyze_audio`), the stages run and their timings;
- ``cover.jpg`` / ``cover.png`` when the file embeds artwork;
- ``stems/drums.wav``, ``bass.wav``, ``vocals.wav``, ``other.wav`` (``separate=True``, Demucs);
- ``transcription.mid``: the harmonia :class:`~harmonia.symbolic.score.Score` of the transcription, one
  track per stem (the whole mix as one track without separation), drums as a drum track of onset
  events, on a tempo map that follows the tracked beats with bars on the downbeats
  (``transcribe=True``); read it back with :func:`load_preprocessed`;
- ``done.json``: the completion marker, written last and atomically (like every other file), with the
  source file's size and modification time.

A run that is killed resumes where it stopped: songs whose marker matches their source are skipped
(``resume=True``), the others are done again from the start.  Songs run on a process pool (``workers``)
or, given ``scheduler="tcp://host:8786"`` (or ``"dask://host:8786"``), on a Dask cluster whose workers
see the same paths.  A song that fails is recorded with its error and the run goes on.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["find_audio", "load_preprocessed", "preprocess", "preprocess_song", "song_dir_name"]

_MARKER = "done.json"
_VERSION = 1


def find_audio(source: str | os.PathLike[str]) -> list[Path]:
    """The audio files under ``source`` (recursively, sorted), or ``[source]`` for one file."""
    from harmonia.audio.features import AUDIO_SUFFIXES
    from harmonia.errors import MissingFileError

    root = Path(source)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise MissingFileError(root, "no such audio file or folder")
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)


def song_dir_name(path: Path, root: Path) -> str:
    """Output folder name of a song: its path below ``root`` without suffix, ``/`` -> ``__``."""
    try:
        rel = path.relative_to(root) if root.is_dir() else Path(path.name)
    except ValueError:
        rel = Path(path.name)
    return "__".join(rel.with_suffix("").parts) or path.stem


def _source_stamp(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"source": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "version": _VERSION}


def _is_done(song_dir: Path, path: Path, options: dict[str, Any]) -> bool:
    marker = song_dir / _MARKER
    if not marker.is_file():
        return False
    try:
        done = json.loads(marker.read_text())
    except (OSError, json.JSONDecodeError):
        return False
    stamp = _source_stamp(path)
    return all(done.get(k) == v for k, v in stamp.items()) and done.get("options") == options


def _write_json(path: Path, data: Any) -> None:
    from harmonia.symbolic.atomic import write_text_atomic

    write_text_atomic(path, json.dumps(data, indent=1, ensure_ascii=False))


def preprocess_song(
    path: str | os.PathLike[str],
    song_dir: str | os.PathLike[str],
    *,
    separate: bool = True,
    transcribe: bool = True,
    demucs_model: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Preprocess one audio file into ``song_dir`` (see the module docstring); returns its marker dict.

    Raises whatever the stages raise (:class:`~harmonia.errors.HarmoniaError` for bad files, missing
    dependencies or checkpoints); :func:`preprocess` records those per song.
    """
    import numpy as np

    from harmonia.audio.features import analyze_audio, extract_artwork, load_audio, read_metadata
    from harmonia.audio.wav import write_wav

    src = Path(path)
    out = Path(song_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / _MARKER).unlink(missing_ok=True)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    meta = read_metadata(src)
    meta.pop("artwork", None)
    cover = extract_artwork(src, out)
    audio, sr = load_audio(src, sample_rate=None, mono=False)
    timings["load"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    stage_times: dict[str, float] = {}
    features = analyze_audio(audio, sr, timings=stage_times)
    timings["features"] = time.perf_counter() - t1
    features = {
        "source": str(src),
        "metadata": meta,
        "artwork": cover.name if cover else None,
        **features,
        "stages": {"separate": bool(separate), "transcribe": bool(transcribe)},
    }
    stems: dict[str, np.ndarray] = {}
    if separate:
        from harmonia.audio.separation import separate as run_separation

        t2 = time.perf_counter()
        stems = run_separation(audio, sr, model=demucs_model)
        for name, stem in stems.items():
            write_wav(out / "stems" / f"{name}.wav", stem, sr, subtype="PCM_16")
        timings["separate"] = time.perf_counter() - t2
    if transcribe:
        from harmonia.audio.transcription import events_to_score, transcribe_audio, transcribe_drums
        from harmonia.symbolic.midi import save_midi

        t3 = time.perf_counter()
        sources = stems or {"mix": audio}
        events = {}
        for name, stem in sources.items():
            events[name] = transcribe_drums(stem.mean(axis=0) if stem.ndim == 2 else stem, sr) if name == "drums" \
                else transcribe_audio(stem, sr)
        score = events_to_score(
            events,
            beats_sec=features["beats_sec"],
            downbeats_sec=features["downbeats_sec"],
            beats_per_bar=features["beats_per_bar"],
            tempo_bpm=features["tempo_bpm"] or 120.0,
            key=features["key"]["key"],
            metadata={"title": meta.get("title") or src.stem, "source": str(src)},
        )
        if score.n_notes:
            save_midi(score, out / "transcription.mid")
        features["transcription"] = {name: int(ev.size) for name, ev in events.items()}
        timings["transcribe"] = time.perf_counter() - t3
    features["timings_sec"] = {**{k: round(v, 3) for k, v in timings.items()},
                               "features_detail": {k: round(v, 3) for k, v in stage_times.items()}}
    _write_json(out / "features.json", features)
    marker = {**_source_stamp(src), "options": {"separate": bool(separate), "transcribe": bool(transcribe)},
              "song_dir": str(out), "seconds": round(time.perf_counter() - t0, 3)}
    _write_json(out / _MARKER, marker)
    return marker


def _run_one(path: str, song_dir: str, options: dict[str, Any]) -> tuple[str, str | None, float]:
    """Pool task: never raises, returns (path, error or None, seconds)."""
    from harmonia.errors import HarmoniaError

    t0 = time.perf_counter()
    try:
        preprocess_song(path, song_dir, **options)
    except (HarmoniaError, OSError, ValueError, RuntimeError) as exc:
        return path, f"{type(exc).__name__}: {exc}", time.perf_counter() - t0
    return path, None, time.perf_counter() - t0


def _check_dependencies(separate: bool, transcribe: bool, demucs_model: Any) -> None:
    from harmonia._optional import import_optional

    import_optional("librosa", extra="audio", feature="harmonia preprocess")
    import_optional("soundfile", extra="audio", feature="harmonia preprocess")
    import_optional("mutagen", extra="audio", feature="harmonia preprocess")
    if separate:
        from harmonia.audio.separation import _HOWTO, ENV_VAR, _demucs

        _demucs()
        if demucs_model is None and not os.environ.get(ENV_VAR):
            from harmonia.errors import CheckpointError

            raise CheckpointError(_HOWTO.format(var=ENV_VAR))
    if transcribe:
        from harmonia.audio.transcription import basic_pitch_model_path

        import_optional("onnxruntime", extra="audio", feature="transcription")
        basic_pitch_model_path()


def _dask_address(scheduler: str) -> str:
    return "tcp://" + scheduler[len("dask://"):] if scheduler.startswith("dask://") else scheduler


def preprocess(
    audio_or_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    separate: bool = True,
    transcribe: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = True,
    progress: bool = True,
    demucs_model: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Preprocess one audio file or every audio file under a folder (the ``harmonia preprocess`` command).

    Parameters
    ----------
    audio_or_dir : path
        An audio file, or a folder searched recursively for ``.wav .flac .ogg .mp3 .aif(f) .m4a``.
    out_dir : path
        One folder per song is written here (see the module docstring).
    separate : bool, default True
        Separate stems with Demucs (needs a checkpoint: ``demucs_model`` or ``$HARMONIA_DEMUCS_MODEL``).
    transcribe : bool, default True
        Transcribe the stems (or the mix, without separation) with basic-pitch's ONNX model.
    workers : int, optional
        Processes for a corpus (default: the CPU count, at most the number of songs); 1 runs in this
        process.  Ignored with ``scheduler``.
    scheduler : str, optional
        A Dask scheduler address (``"tcp://host:8786"``; ``"dask://host:8786"`` is accepted too): songs
        run on that cluster, whose workers must see ``audio_or_dir`` and ``out_dir`` at the same paths.
    resume : bool, default True
        Skip songs whose completion marker matches the source file and options.
    progress : bool, default True
        A progress bar on stderr.
    demucs_model : path, optional
        The Demucs checkpoint (see :func:`harmonia.audio.separation.load_demucs`).

    Returns
    -------
    dict
        ``{"out_dir": str, "songs": int, "done": [str], "skipped": [str], "failed": [[str, str]],
        "seconds": float, "separate": bool, "transcribe": bool, "scheduler": str or None, "workers": int}``:
        paths processed now, paths skipped as already done, and ``[path, error]`` for songs that failed.
        The command line exits 1 when ``failed`` is not empty.

    Raises
    ------
    MissingFileError
        ``audio_or_dir`` does not exist.
    MissingDependencyError, CheckpointError
        A stage that was asked for cannot run here (checked before any song starts).
    """
    t0 = time.perf_counter()
    root = Path(audio_or_dir)
    files = find_audio(root)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _check_dependencies(separate, transcribe, demucs_model)
    options = {"separate": bool(separate), "transcribe": bool(transcribe)}
    task_options = {**options, "demucs_model": None if demucs_model is None else str(demucs_model)}
    jobs: list[tuple[str, str]] = []
    skipped: list[str] = []
    for f in files:
        d = out / song_dir_name(f, root)
        if resume and _is_done(d, f, options):
            skipped.append(str(f))
        else:
            jobs.append((str(f), str(d)))
    done: list[str] = []
    failed: list[list[str]] = []

    def record(result: tuple[str, str | None, float]) -> None:
        path, error, _ = result
        (failed.append([path, error]) if error is not None else done.append(path))

    n_workers = 1
    if scheduler:
        _run_dask(_dask_address(scheduler), jobs, task_options, record, progress)
    else:
        n_workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
        _run_local(jobs, task_options, n_workers, record, progress)
    return {
        "out_dir": str(out),
        "songs": len(files),
        "done": sorted(done),
        "skipped": sorted(skipped),
        "failed": sorted(failed),
        "seconds": round(time.perf_counter() - t0, 3),
        "separate": bool(separate),
        "transcribe": bool(transcribe),
        "scheduler": scheduler,
        "workers": n_workers,
    }


def _bar(total: int, progress: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="preprocess", unit="song", disable=not progress)


def _run_local(jobs: list[tuple[str, str]], options: dict[str, Any], n_workers: int,
               record: Callable[[tuple[str, str | None, float]], None], progress: bool) -> None:
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    with _bar(len(jobs), progress) as bar:
        if n_workers == 1 or len(jobs) <= 1:
            for path, d in jobs:
                record(_run_one(path, d, options))
                bar.update()
            return
        # spawn: torch and onnxruntime thread pools do not survive fork
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_run_one, path, d, options) for path, d in jobs]
            for fut in as_completed(futures):
                record(fut.result())
                bar.update()


def _run_dask(address: str, jobs: list[tuple[str, str]], options: dict[str, Any],
              record: Callable[[tuple[str, str | None, float]], None], progress: bool) -> None:
    from harmonia._optional import import_optional

    distributed = import_optional("distributed", extra="audio", feature="running preprocess on a Dask cluster")
    with distributed.Client(address, timeout=30) as client, _bar(len(jobs), progress) as bar:
        futures = [client.submit(_run_one, path, d, options, key=f"preprocess-{i}-{Path(path).name}", pure=False)
                   for i, (path, d) in enumerate(jobs)]
        for fut in distributed.as_completed(futures):
            record(fut.result())
            bar.update()


def load_preprocessed(song_dir: str | os.PathLike[str]) -> tuple[dict[str, Any], Any]:
    """Read a song folder written by :func:`preprocess`: ``(features dict, Score or None)``.

    The Score is the transcription (None when the song was not transcribed or nothing was found).
    """
    from harmonia.symbolic.midi import load_midi

    d = Path(song_dir)
    features = json.loads((d / "features.json").read_text())
    mid = d / "transcription.mid"
    return features, (load_midi(mid) if mid.is_file() else None)


def iter_song_dirs(out_dir: str | os.PathLike[str]) -> Iterable[Path]:
    """The completed song folders under ``out_dir`` (those with a completion marker), sorted."""
    return sorted(p.parent for p in Path(out_dir).glob(f"*/{_MARKER}"))
