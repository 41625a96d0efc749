"""The ``harmonia`` command line.

Each subcommand parses its arguments, calls one public function and prints the result, as text or, with
``--json``, as JSON.  Exit status: 0 when all went well, 1 when some items failed, 2 for bad usage or
input that could not be read at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harmonia import __version__

__all__ = ["main"]


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=_json_default)
    sys.stdout.write("\n")


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


def _progress(items: Sequence[Any], desc: str):
    """A progress bar on stderr for more than one item, when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="file", disable=len(items) < 2 or not sys.stderr.isatty())


def _for_each_file(args: argparse.Namespace, desc: str, run: Any, fmt: Any, *, key: str, sep: str) -> int:
    """Run ``run`` on each of ``args.files``; print the results (text or JSON) and the failures.

    Exit status: 0 when all went well, 1 when some files failed, 2 when every file failed.
    """
    from harmonia.errors import HarmoniaError

    results, failed = [], []
    for source in _progress(args.files, desc):
        try:
            results.append(run(source))
        except HarmoniaError as exc:
            failed.append({"source": str(source), "error": str(exc), "type": type(exc).__name__})
    if args.json:
        _print_json(results[0] if len(args.files) == 1 and results else {key: results, "failed": failed})
    else:
        print(sep.join(fmt(r) for r in results))
    for f in failed:
        print(f"harmonia: error: {f['error']}", file=sys.stderr)
    if failed:
        return 2 if not results else 1
    return 0


def _show(args: argparse.Namespace, data: Any, fmt: Any) -> None:
    """Print ``data`` as JSON with ``--json``, else as ``fmt(data)``."""
    if args.json:
        _print_json(data)
    else:
        print(fmt(data))


def _save_plot(path: str, draw: Any) -> None:
    """Draw with matplotlib's file-only backend and save the figure of the Axes ``draw()`` returns."""
    import matplotlib

    matplotlib.use("Agg")
    draw().figure.savefig(path, dpi=120, bbox_inches="tight")


def _format_info(info: dict[str, Any]) -> str:
    lines = [f"{info['source']}"]
    if info.get("title") and info["title"] != info["source"]:
        lines.append(f"  title           {info['title']}")
    lines.append(
        f"  duration        {info['duration_sec']:.1f} s, {info['duration_qn']:g} quarter notes, {info['n_bars']} bars"
        + (f" (+ pickup of {info['pickup_qn']:g} qn)" if info["pickup_qn"] else "")
    )
    lines.append(f"  notes           {info['n_notes']}, pitches {info['pitch_range'][0]}-{info['pitch_range'][1]}"
                 f" (MIDI){', spelled' if info['spelled'] else ''}")
    ts = ", ".join(f"{t['time_signature']} at {t['onset']:g}" for t in info["time_signatures"])
    lines.append(f"  time signatures {ts}")
    tempi = ", ".join(f"{t['bpm']:g} BPM at {t['onset']:g}" for t in info["tempos"][:6])
    more = f" (+{len(info['tempos']) - 6} more)" if len(info["tempos"]) > 6 else ""
    lines.append(f"  tempo           {tempi}{more}")
    keys = ", ".join(f"{k['key'] or str(k['fifths']) + ' fifths'} at {k['onset']:g}" for k in info["key_signatures"])
    lines.append(f"  key signatures  {keys or 'none'}")
    lines.append(f"  tracks          {len(info['tracks'])}")
    for t in info["tracks"]:
        kind = "drums" if t["is_drum"] else f"program {t['program']}"
        lines.append(f"    {t['index']:>3}  {t['name'] or '(unnamed)':<24} {kind:<12} {t['n_notes']:>6} notes")
    return "\n".join(lines)


def _cmd_info(args: argparse.Namespace) -> int:
    from harmonia.symbolic.io import load

    return _for_each_file(args, "info", lambda source: load(source).summary(), _format_info, key="scores", sep="\n\n")


def _cmd_analyze(args: argparse.Namespace) -> int:
    source = args.source
    if Path(source).is_dir():
        from harmonia.workflows.analyze import analyze_corpus, find_scores

        files = find_scores(source)
        if not files:
            print(f"harmonia: error: no scores under {source}", file=sys.stderr)
            return 2
        table, failed = analyze_corpus(files, out=args.out, workers=args.workers, progress=sys.stderr.isatty())
        for path, error in failed:
            print(f"harmonia: could not analyze {path}: {error}", file=sys.stderr)
        summary = {"files": len(files), "analyzed": len(files) - len(failed), "failed": len(failed),
                   "chords": len(table), "out": args.out}
        if args.json:
            _print_json({**summary, "errors": [{"file": f, "error": e} for f, e in failed]})
        else:
            print(f"{summary['analyzed']} of {len(files)} files analyzed, {len(table)} chord spans"
                  + (f", written to {args.out}" if args.out else ""))
        return 1 if failed else 0
    from harmonia.symbolic.analysis import analyze

    analysis = analyze(source)
    if args.json:
        _print_json(analysis.to_dict())
    elif args.romantext:
        sys.stdout.write(analysis.to_romantext())
    elif args.csv:
        analysis.to_dataframe("chords").to_csv(sys.stdout, index=False)
    else:
        print(_format_analysis(analysis))
    if args.plot:
        _save_plot(args.plot, analysis.plot)
    return 0


def _format_analysis(analysis) -> str:
    d = analysis.to_dict()
    lines = [f"{d['source']}: global key {d['global_key']}", "", "keys:"]
    lines += [f"  {k['onset']:>7g} - {k['offset']:<7g} {k['key']}" for k in d["keys"]]
    lines += ["", "cadences:"]
    lines += [f"  m{c['measure']} b{c['beat']:g}  {c['key']:<3} {c['type']:<3}  bass {c['bass_motion']}, "
              f"soprano ^{c['soprano_degree']}, {c['evidence']}" for c in d["cadences"]] or ["  none found"]
    lines += ["", "chords:"]
    current = None
    for m in sorted({c["measure"] for c in d["chords"]}):
        items = []
        for c in d["chords"]:
            if c["measure"] != m:
                continue
            text = c["numeral"] if c["key"] == current else f"{c['key']}: {c['numeral']}"
            current = c["key"]
            items.append(text if abs(c["beat"] - 1) < 1e-9 else f"b{c['beat']:g} {text}")
        lines.append(f"  m{m:<4} " + "  ".join(items))
    rhythm = analysis.harmonic_rhythm
    if rhythm.size:
        lines += ["", f"harmonic rhythm: {rhythm['n_changes'].mean():.2f} changes per bar, "
                  f"{rhythm['changes_per_beat'].mean():.2f} per beat, "
                  f"{100 * rhythm['on_downbeat'].mean():.0f} % of bars change on the downbeat"]
    return "\n".join(lines)


def _format_meter(m: dict[str, Any]) -> str:
    kind = ("duple" if m["duple"] else "triple") + (", compound" if m["compound"] else ", simple")
    notated = f"; notated {m['notated']}" if m.get("notated") else "; no notated time signature"
    lines = [f"{m['file']}: {m['time_signature']} ({kind}), confidence {m['confidence']:.2f}, "
             f"first downbeat at {m['phase_qn']:g} qn{notated}"]
    scores = m.get("scores")
    if scores:
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        lines.append("  candidates: " + ", ".join(f"{ts} {v:.3f}" for ts, v in ranked))
    return "\n".join(lines)


def _cmd_meter(args: argparse.Namespace) -> int:
    from harmonia.workflows.meter import estimate_meter_file

    return _for_each_file(args, "meter", estimate_meter_file, _format_meter, key="files", sep="\n")


def _cmd_voice_leading(args: argparse.Namespace) -> int:
    from harmonia.symbolic.io import load
    from harmonia.workflows.voice_leading import (
        format_voice_leading_report,
        plot_voice_leading,
        voice_leading_report,
    )

    key = None if args.key.lower() == "none" else args.key
    score = load(args.source)
    report = voice_leading_report(score, key=key, separate=args.separate)
    report["file"] = str(args.source)
    _show(args, report, format_voice_leading_report)
    if args.plot:
        _save_plot(args.plot, lambda: plot_voice_leading(score, report=report))
    return 0


def _format_form(d: dict[str, Any]) -> str:
    origin = round(d["origin_qn"], 3) + 0.0  # + 0.0 turns -0.0 into 0.0
    lines = [f"{d['file']}: {d['n_bars']} bars of {d['bar_qn']:g} quarter notes from {origin:g} qn",
             f"  POP909 labels  {d['pop909']}", "  phrases (bars counted from 1):"]
    for r in d["sections"]:
        span = f"{r['start_bar'] + 1}-{r['end_bar']}"
        melody = "melody" if r["has_melody"] else "no melody"
        lines.append(f"    bars {span:<8} {r['letter']:<4} {r['function']:<13} {melody:<10} energy {r['energy']:.2f}")
    if d["transitions"]:
        lines.append("  transitions: " + ", ".join(f"{t['kind']} into bar {t['bar'] + 1}" for t in d["transitions"]))
    return "\n".join(lines)


def _cmd_form(args: argparse.Namespace) -> int:
    from harmonia.symbolic.io import load
    from harmonia.theory.form import analyze_form

    score = load(args.source)
    try:
        form = analyze_form(score, melody_track=args.melody_track, bar_qn=args.bar_qn, origin_qn=args.origin_qn)
    except ValueError as exc:  # options that do not fit the score (a melody track it lacks, a bar of 0 qn)
        print(f"harmonia: error: {exc}", file=sys.stderr)
        return 2
    result = {"file": str(args.source), **form.to_dict()}
    _show(args, result, _format_form)
    if args.plot:
        from harmonia.display import form_plot

        _save_plot(args.plot, lambda: form_plot(form, title=f"{args.source}: {result['pop909']}"))
    return 0


def _cmd_genres(args: argparse.Namespace) -> int:
    from harmonia.workflows.genres import genres_report

    print(genres_report(args.name, as_json=args.json))
    return 0


def _cmd_conventions_learn(args: argparse.Namespace) -> int:
    from harmonia.workflows.genres import learn_report

    text, status = learn_report(args.dir, args.genre, out=args.out, as_json=args.json)
    print(text)
    return status


def _format_song(summary: dict[str, Any]) -> str:
    lines = [f"{summary['genre']}, {summary['key']} {summary['mode']}, {summary['tempo_bpm']:g} BPM, "
             f"{summary['meter']}, {summary['bars']} bars ({summary['duration_sec']:.0f} s)"]
    lines.append("sections: " + ", ".join(f"{s['label']} (bar {s['bar']}, {s['bars']})" for s in summary["sections"]))
    lines.append("tracks:   " + ", ".join(f"{t['name']} [{t['role']}]" for t in summary["tracks"]))
    if "loudness_lufs" in summary:
        lines.append(f"mix:      {summary['loudness_lufs']:.1f} LUFS, true peak {summary['true_peak_dbtp']:.1f} dBTP")
    lines += [f"wrote     {path}" for path in summary["files"].values()]
    total = summary["timings"].get("total", sum(summary["timings"].values()))
    lines.append(f"in {total:.1f} s")
    return "\n".join(lines)


def _files_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="file path or music21 corpus name")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")


def _song_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("prompt", metavar="PROMPT",
                   help='what the song should be, e.g. "upbeat indie rock song about summer"')
    p.add_argument("--genre", default=None, help="a genre of 'harmonia genres' (default: picked from the prompt)")
    p.add_argument("--mood", default=None, help="e.g. happy, sad, calm, energetic, dark (default: from the prompt)")
    p.add_argument("--duration", type=float, default=180.0, metavar="S", help="length in seconds (default 180)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed; the same seed gives the same song")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def _cmd_compose(args: argparse.Namespace) -> int:
    from harmonia.workflows.compose import compose_song

    lyrics = Path(args.lyrics).read_text(encoding="utf-8") if args.lyrics else None
    summary = compose_song(args.prompt, genre=args.genre, mood=args.mood, duration=args.duration,
                           seed=args.seed, lyrics=lyrics, out_dir=args.out)
    _show(args, summary, _format_song)
    return 0


def _loudness(text: str) -> float | None:
    if text.lower() == "genre":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a loudness in LUFS or 'genre', got {text!r}") from None
    if not -60.0 <= value <= 0.0:
        raise argparse.ArgumentTypeError(f"loudness {value:g} LUFS is outside -60..0")
    return value


def _cmd_generate(args: argparse.Namespace) -> int:
    from harmonia.workflows.generate import generate_song

    summary = generate_song(args.prompt, genre=args.genre, mood=args.mood, duration=args.duration,
                            seed=args.seed, soundfont=args.soundfont, out_dir=args.out,
                            loudness_lufs=args.loudness, progress=sys.stderr.isatty())
    _show(args, summary, _format_song)
    return 0


def _format_preprocess(summary: dict[str, Any]) -> str:
    return (f"{len(summary['done'])} of {summary['songs']} songs preprocessed into {summary['out_dir']}"
            f" ({len(summary['skipped'])} already done, {len(summary['failed'])} failed) "
            f"in {summary['seconds']:.1f} s")


def _cmd_preprocess(args: argparse.Namespace) -> int:
    from harmonia.workflows.preprocess import preprocess

    summary = preprocess(args.source, args.out, separate=args.separate, transcribe=args.transcribe,
                         workers=args.workers, scheduler=args.scheduler, resume=not args.no_resume,
                         progress=sys.stderr.isatty())
    _show(args, summary, _format_preprocess)
    for path, error in summary["failed"]:
        print(f"harmonia: could not preprocess {path}: {error}", file=sys.stderr)
    return 1 if summary["failed"] else 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from harmonia.workflows.demo import run_demo

    return run_demo(args.source, out=sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``harmonia`` command."""
    parser = argparse.ArgumentParser(
        prog="harmonia",
        description="Music theory analysis and generation. Run 'harmonia COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"harmonia {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "info",
        help="summarise scores: duration, tracks, notes, time signatures, tempo, key signature",
        description="Summarise one or more scores (MIDI, MusicXML, MXL, kern, ABC, RomanText files, or music21 "
        "corpus names such as bach/bwv66.6).",
    )
    _files_arguments(p)
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser(
        "analyze",
        help="harmonic analysis: chords, keys and modulations, Roman numerals, cadences, harmonic rhythm",
        description="Analyze a score (file or music21 corpus name), or every score in a directory "
        "(on a process pool, with --out TABLE.parquet|.csv).",
    )
    p.add_argument("source", metavar="FILE_OR_CORPUS_NAME_OR_DIR")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON (chords, keys, cadences, harmonic rhythm)")
    fmt.add_argument("--romantext", action="store_true", help="print the analysis in RomanText")
    fmt.add_argument("--csv", action="store_true", help="print the chord table as CSV")
    p.add_argument("--plot", metavar="PNG", help="also save a piano-roll picture of the analysis")
    p.add_argument("--out", metavar="TABLE", help="directory mode: write the chord table (.parquet or .csv)")
    p.add_argument("--workers", type=int, default=None, help="directory mode: number of processes")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser(
        "meter",
        help="estimate the time signature and downbeat phase from the notes alone",
        description="Estimate the metre of scores from their notes, ignoring their time-signature events "
        "(duple or triple, simple or compound, the first downbeat), with a confidence.",
    )
    _files_arguments(p)
    p.set_defaults(func=_cmd_meter)

    p = sub.add_parser(
        "voice-leading",
        help="check voice leading (parallels, crossings, ranges, resolutions) and profile the motion",
        description="Check the voice leading of a score and print the findings and a voice-leading profile. "
        "Voices are separated automatically when a part sounds chords (piano MIDI).",
    )
    p.add_argument("source", metavar="FILE_OR_CORPUS_NAME")
    p.add_argument("--json", action="store_true", help="print JSON (findings, counts, profile)")
    p.add_argument("--key", default="auto", metavar="KEY",
                   help="key for the leading-tone and seventh rules: 'auto' (key signatures, the default), "
                   "a key such as 'f#' or 'Bb', or 'none' to skip those rules")
    sep = p.add_mutually_exclusive_group()
    sep.add_argument("--separate", dest="separate", action="store_true", default=None,
                     help="always separate voices first")
    sep.add_argument("--no-separate", dest="separate", action="store_false",
                     help="never separate voices (use the notated voices)")
    p.add_argument("--plot", metavar="PNG", help="also save a piano roll with the findings marked")
    p.set_defaults(func=_cmd_voice_leading)

    p = sub.add_parser(
        "form",
        help="song form: phrases with bar spans, letters (A, A', B), functions, POP909 labels",
        description="Segment a song into phrases and label them: letters (same letter = repeated material, "
        "prime = variation, upper case = with melody), functions (intro, verse, pre-chorus, chorus, bridge, "
        "instrumental, outro), transitions, and the POP909 label string (i4A8B8o2). The bar grid is estimated "
        "from the notes unless given.",
    )
    p.add_argument("source", metavar="FILE_OR_CORPUS_NAME")
    p.add_argument("--json", action="store_true", help="print JSON (grid, phrases, transitions, POP909 string)")
    p.add_argument("--plot", metavar="PNG", help="also save the bar self-similarity matrix with the phrases drawn")
    p.add_argument("--melody-track", metavar="TRACK", default=None,
                   type=lambda v: int(v) if v.lstrip("-").isdigit() else v,
                   help="melody track index or name (default: a track named melody/vocal/lead, else the highest)")
    p.add_argument("--bar-qn", type=float, default=None, metavar="QN", help="bar length in quarter notes")
    p.add_argument("--origin-qn", type=float, default=None, metavar="QN", help="first downbeat in quarter notes")
    p.set_defaults(func=_cmd_form)

    p = sub.add_parser(
        "genres",
        help="the genre convention database: list genres, or show one genre's conventions",
        description="List the genres harmonia knows (tempo, metres, swing, modes), or show one genre's "
        "progressions, forms, instrumentation, drum, bass and comping patterns, melody and production style.",
    )
    p.add_argument("name", nargs="?", default=None, metavar="NAME", help="a genre name or alias (e.g. 'indie rock')")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=_cmd_genres)

    p = sub.add_parser(
        "conventions",
        help="learn genre conventions from a corpus of scores",
        description="Work with genre conventions learned from music files.",
    )
    conv = p.add_subparsers(dest="conventions_command", metavar="ACTION", required=True)
    q = conv.add_parser(
        "learn",
        help="analyse the scores in a folder and write a genre entry",
        description="Analyse every MIDI/MusicXML/kern file under DIR with harmonia's own analysis (progression "
        "n-grams, tempo, metre, form, instrumentation, melody) and print or write a genre entry in the schema "
        "of the shipped genre files.",
    )
    q.add_argument("dir", metavar="DIR")
    q.add_argument("--genre", required=True, metavar="NAME", help="the learned entry's name")
    q.add_argument("-o", "--out", metavar="FILE", help="write the entry as JSON")
    q.add_argument("--json", action="store_true", help="print the entry as JSON instead of a summary")
    q.set_defaults(func=_cmd_conventions_learn)

    p = sub.add_parser(
        "compose",
        help="compose a song from a prompt: blueprint and multi-track MIDI (rules, no model needed)",
        description="Turn a prompt into a song plan (genre, key, tempo, sections, progressions) and compose "
        "drums, bass, harmony and melody from it; writes song.mid and blueprint.json.",
    )
    _song_arguments(p)
    p.add_argument("--lyrics", metavar="FILE", help="a text file of lyrics: one syllable per melody note")
    p.set_defaults(func=_cmd_compose)

    p = sub.add_parser(
        "generate",
        help="generate a song from a prompt, with audio: mix.wav, stems, song.mid, blueprint, report",
        description="Compose a song from a prompt, render it (built-in synthesizer, or a SoundFont), mix and "
        "master it to the genre's loudness; writes mix.wav (48 kHz stereo), stems/*.wav, song.mid, "
        "blueprint.json and report.json/report.txt.",
    )
    _song_arguments(p)
    p.add_argument("--soundfont", metavar="SF2", help="render with this SoundFont instead of the built-in synthesizer")
    p.add_argument("--loudness", type=_loudness, default=-14.0, metavar="LUFS",
                   help="integrated loudness of the master (default -14, the streaming services' level), or "
                   "'genre' for the genre's release loudness")
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser(
        "preprocess",
        help="recordings to analysable data: features, stems, transcription (resumable, on many cores)",
        description="Analyse audio files (or every audio file under a folder): metadata, tempo, beats and "
        "downbeats, tuning, key, chords, sections; separate stems with Demucs (local weights: "
        "HARMONIA_DEMUCS_MODEL) and transcribe them with basic-pitch. A killed run resumes where it stopped.",
    )
    p.add_argument("source", metavar="AUDIO_OR_DIR")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (one subfolder per song)")
    p.add_argument("--no-separate", dest="separate", action="store_false", help="skip source separation")
    p.add_argument("--no-transcribe", dest="transcribe", action="store_false", help="skip transcription")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="number of processes (default: all cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDR", help="run on a Dask cluster (tcp://host:port)")
    p.add_argument("--no-resume", action="store_true", help="redo songs that are already done")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_cmd_preprocess)

    p = sub.add_parser("demo", help="show what harmonia does on a Bach chorale from music21's corpus")
    p.add_argument("source", nargs="?", default="bach/bwv66.6", help="score to use (default: bach/bwv66.6)")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Examples
    --------
    >>> main(["info", "bach/bwv66.6", "--json"])  # doctest: +ELLIPSIS
    {
      "title": ...
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    from harmonia.errors import HarmoniaError

    try:
        return int(args.func(args))
    except HarmoniaError as exc:  # input that could not be read or used at all: say why, exit 2
        print(f"harmonia: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
