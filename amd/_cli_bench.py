"""``amd-bench`` detector commands: ``classify``, ``detectors``, ``run``, ``train``, ``rtf``.

``classify`` follows the contract in docs/amd.md: WAV files or folders (searched recursively for
``*.wav``) in, one CSV row per file out (``file, label, decided_at_s, score, error``). A file
that cannot be read gets an error row and a one-line message naming it; the other files are
still classified, and the exit status is 1 if any file failed.
"""

from __future__ import annotations

import argparse
import csv
import errno
import json
import os
import sys
from pathlib import Path

from amd._paths import check_out_file
from amd.detectors import DETECTOR_NAMES
from atomicdir import atomic_write

_CLASSIFY_COLUMNS = ("file", "label", "decided_at_s", "score", "error")
#: Real-time factor targets of the issue, reported next to the measurements.
RTF_TARGETS = {"asterisk": 1000.0, "vad": 1000.0, "learned": 200.0, "beep": None}
#: Longest generated signal ``rtf`` accepts, in seconds (one hour is 230 MB of float64 at 8 kHz).
MAX_RTF_DURATION_S = 3600.0


def _say(msg: str) -> None:
    print(msg, file=sys.stderr)  # noqa: T201


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the detector and benchmark commands."""
    p = subparsers.add_parser(
        "classify",
        help="classify WAV files (or folders of them) with one detector",
        description="Classify 8 kHz telephone audio with one detector: one CSV row per WAV file (file, label, "
        "decided_at_s, score, error). Folders are searched recursively for *.wav. A file that cannot be read "
        "gets an error row; the others are still classified, and the exit status is 1 if any file failed.",
    )
    p.add_argument("--detector", required=True, choices=DETECTOR_NAMES,
                   help="detector name (see `amd-bench detectors`; best is the benchmark's best)")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV, written atomically")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.add_argument("paths", nargs="+", metavar="PATH", help="WAV files or folders holding them")
    p.set_defaults(func=_classify)

    p = subparsers.add_parser(
        "detectors", help="list detector names",
        description="List the detector names that classify, run and rtf accept, and what 'best' stands for.",
    )
    p.set_defaults(func=_detectors)

    _register_benchmark(subparsers)


_DEFAULT_DETECTORS = ["asterisk", "beep", "vad", "learned"]


def _register_benchmark(subparsers: argparse._SubParsersAction) -> None:
    """Add ``run``, ``train`` and ``rtf``."""
    p = subparsers.add_parser(
        "run",
        help="benchmark detectors on a corpus split",
        description="Run each detector on every clip of one corpus split and write, into DIR, metrics.csv "
        "(human false positives, machine misses, not-sure share and decision latency, with 95 % Wilson "
        "intervals), metrics_answer_mix.csv (the same weighted by an answer mix), per_kind.csv, decisions.csv, "
        "behaviour.csv (the table the dialer simulation samples with amd.mode = 'empirical'), costs.csv and "
        "costs_answer_mix.csv (AMD-caused abandonment, agent-seconds per machine answer and machines kept from "
        "agents under the hang-up and connect-at-deadline policies), targets.csv, operating curves and charts, "
        "best.json and config.json.",
    )
    p.add_argument("--corpus", required=True, metavar="DIR", help="corpus folder (from `amd-bench corpus build`)")
    p.add_argument("--out", required=True, metavar="DIR", help="results folder")
    p.add_argument("--detectors", nargs="+", default=[n for n in DETECTOR_NAMES if n != "best"],
                   choices=DETECTOR_NAMES, help="detectors to benchmark (default: every registered detector)")
    p.add_argument("--split", default="test", choices=("train", "test"),
                   help="corpus split to measure on (default test; the learned detector trains on train)")
    p.add_argument("--model", default=None, metavar="FILE", help="learned-detector model (default: shipped)")
    p.add_argument("--no-sweep", action="store_true", help="skip the operating-curve sweeps")
    p.add_argument("--seed", type=int, default=0, help="recorded in config.json for provenance; the benchmark draws no random numbers (default 0)")
    p.add_argument(
        "--answer-mix",
        default=None,
        metavar="FILE",
        help="JSON or TOML table of kind = share for metrics_answer_mix.csv (default: the dialer model's mix)",
    )
    p.add_argument("--force", action="store_true", help="overwrite earlier results in DIR")
    p.set_defaults(func=_run)

    p = subparsers.add_parser(
        "train",
        help="train the learned detector on the corpus train split",
        description="Train the learned detector (logistic regression on growing-window audio features after "
        "the speech onset) on the corpus train split, choose its decision thresholds on out-of-fold "
        "predictions so the AMD-caused abandonment under connect-at-deadline stays under --max-human-fp, and "
        "write the model as JSON (loadable without scikit-learn).",
    )
    p.add_argument("--corpus", required=True, metavar="DIR", help="corpus folder (from `amd-bench corpus build`)")
    p.add_argument("--out", required=True, metavar="FILE", help="model JSON to write")
    p.add_argument("--seed", type=int, default=0, help="root seed of the cross-validation folds (default 0)")
    p.add_argument(
        "--max-human-fp", type=float, default=0.005,
        help="bound on the cross-validated AMD-caused abandonment under connect_at_deadline, a proportion of "
        "live answers (default 0.005 = 0.5 %%)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing model file")
    p.set_defaults(func=_train)

    p = subparsers.add_parser(
        "rtf",
        help="measure real-time factors on generated audio",
        description="Measure each detector's real-time factor (seconds of audio processed per second of wall "
        "time) on a generated signal of harmonic bursts, pauses and 1 kHz beeps, and write them with the "
        "targets to a JSON file (replaced on each run). Run it on an idle machine; the numbers depend on load.",
    )
    p.add_argument("--json", required=True, metavar="FILE", help="report JSON to write (replaced if present)")
    p.add_argument("--duration-s", type=float, default=60.0,
                   help=f"length of the generated signal in seconds (> 0, <= {MAX_RTF_DURATION_S:g}; default 60)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated signal (default 0)")
    p.add_argument("--detectors", nargs="+", default=_DEFAULT_DETECTORS, choices=DETECTOR_NAMES,
                   help="detectors to time (default: %(default)s)")
    p.set_defaults(func=_rtf)


def _collect(paths: list[str]) -> tuple[list[Path], dict[Path, str]]:
    """The WAV files named or found under folders, and the entries that cannot be followed, with why.

    Symbolic links to folders are followed; a link back into a folder already being searched
    (a loop) is skipped with a note, and a ``*.wav`` link that loops or dangles is an error row.
    """
    files: list[Path] = []
    problems: dict[Path, str] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            _walk(path, files, problems, seen={_identity(path)})
        else:
            files.append(path)  # missing or odd files get an error row below
    return files, problems


def _identity(folder: Path) -> tuple[int, int]:
    st = folder.stat()
    return st.st_dev, st.st_ino


def _walk(folder: Path, files: list[Path], problems: dict[Path, str], seen: set[tuple[int, int]]) -> None:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        problems[folder] = f"folder cannot be read ({exc.strerror or exc})"
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()
            ident = _identity(entry) if is_dir else None
        except OSError as exc:  # the entry vanished or cannot be examined
            problems[entry] = f"cannot be examined ({exc.strerror or exc})"
            continue
        if is_dir:
            if ident in seen:  # every file there is already found: a note, not a failure
                _say(f"amd-bench classify: note: {entry}: skipped a symbolic link loop (it leads back to "
                     f"{entry.resolve()}, already searched)")
                continue
            _walk(entry, files, problems, seen | {ident})
        elif entry.suffix.lower() == ".wav":
            try:
                os.stat(entry)
            except OSError as exc:
                what = "loops" if exc.errno == errno.ELOOP else "leads nowhere"
                problems[entry] = f"symbolic link {what} ({os.readlink(entry)})"
                continue
            if entry.is_file():
                files.append(entry)


def _classify(args: argparse.Namespace) -> int:
    from amd.audio import AudioError, load_audio
    from amd.detectors import SR_HZ, make_detector

    out = Path(args.out)
    check_out_file(out, force=args.force, field="--out", error=ValueError)
    detector = make_detector(args.detector)
    files, problems = _collect(args.paths)
    if not files and not problems:
        raise ValueError(f"`PATH` must name WAV files or folders holding *.wav; none found in {args.paths}.")
    rows, n_failed = [], len(problems)
    for path, reason in problems.items():
        _say(f"amd-bench classify: error: {path}: {reason}")
        rows.append({"file": str(path), "label": "", "decided_at_s": "", "score": "", "error": reason})
    for path in files:
        try:
            audio, sr, notes = load_audio(path, sr=SR_HZ)
            for note in notes:
                _say(f"amd-bench classify: note: {path}: {note}")
            d = detector.detect(audio, sr)
            if d.cause == "NOSIGNAL":
                _say(f"amd-bench classify: note: {path}: no signal (every sample is the same value: digital "
                     "silence or DC); labelled notsure")
        except (AudioError, OSError) as exc:
            n_failed += 1
            reason = _file_reason(path, exc)
            _say(f"amd-bench classify: error: {path}: {reason}")
            rows.append({"file": str(path), "label": "", "decided_at_s": "", "score": "", "error": reason})
            continue
        rows.append(
            {
                "file": str(path),
                "label": d.label,
                "decided_at_s": f"{d.decided_at_s:.3f}",
                "score": "" if d.score is None else f"{d.score:.6f}",
                "error": "",
            }
        )
    _write_rows(out, rows)
    _say(f"amd-bench classify: {len(rows) - n_failed} classified, {n_failed} failed -> {out}")
    return 1 if n_failed else 0


def _file_reason(path: Path, exc: Exception) -> str:
    """One line saying why ``path`` failed, without repeating the file name the row already has."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    prefix = f"{path.name}: "
    text = text[len(prefix) :] if text.startswith(prefix) else text
    return " ".join(text.split())


def _write_rows(out: Path, rows: list[dict]) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=_CLASSIFY_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)

    atomic_write(out, write)


def _detectors(args: argparse.Namespace) -> int:
    from amd.detectors import best_detector_name

    for name in DETECTOR_NAMES:
        suffix = f"  (alias of {best_detector_name()})" if name == "best" else ""
        print(f"{name}{suffix}")  # noqa: T201
    return 0


def _run(args: argparse.Namespace) -> int:
    import pandas as pd

    from amd.answer_mix import DEFAULT_ANSWER_MIX, read_answer_mix
    from amd.benchmark import AmdBenchmarkConfig, run_benchmark

    mix = DEFAULT_ANSWER_MIX if args.answer_mix is None else read_answer_mix(args.answer_mix)
    config = AmdBenchmarkConfig(
        detectors=tuple(args.detectors),
        split=args.split,
        sweep=not args.no_sweep,
        model_path=args.model,
        seed=args.seed,
        answer_mix=dict(mix),
    )
    table = run_benchmark(
        args.corpus, args.out, config=config, force=args.force, progress=sys.stderr.isatty()
    )
    _say_metrics(table)
    _say("under the answer mix (metrics_answer_mix.csv):")
    _say_metrics(pd.read_csv(Path(args.out) / "metrics_answer_mix.csv"))
    _say_costs(pd.read_csv(Path(args.out) / "costs_answer_mix.csv"))
    best = json.loads((Path(args.out) / "best.json").read_text(encoding="utf-8"))
    _say(
        f"best: {best['detector']} ("
        + ("meets the rule" if best["meets_rule"] else f"does NOT meet the rule: {best['why_not']}")
        + ")"
    )
    _say("targets for best (connect_at_deadline, answer mix; targets.csv):")
    for row in pd.read_csv(Path(args.out) / "targets.csv").to_dict("records"):
        _say(
            f"  {'met ' if row['met'] else 'MISS'} {row['target']} [{row['part']}]: "
            f"{row['value']:.4g} {row['op']} {row['bound']:g}"
        )
    return 0


def _say_costs(costs) -> None:
    """One line per (detector, policy, part) of a cost table, with 95 % intervals."""
    _say("costs under the answer mix (costs_answer_mix.csv), Ofcom deadline 2 s from speech start:")
    for r in costs.to_dict("records"):
        _say(
            f"{r['detector']:>10} {r['policy']:>19} {r['part']:>7}: AMD abandonment "
            f"{100 * r['amd_abandonment']:.2f}% [{100 * r['amd_abandonment_ci95_low']:.2f}, "
            f"{100 * r['amd_abandonment_ci95_high']:.2f}], agent {r['agent_s_per_machine']:.2f} s/machine "
            f"[{r['agent_s_per_machine_ci95_low']:.2f}, {r['agent_s_per_machine_ci95_high']:.2f}], machines "
            f"kept from agents {100 * r['p_machine_no_agent']:.1f}% [{100 * r['p_machine_no_agent_ci95_low']:.1f}, "
            f"{100 * r['p_machine_no_agent_ci95_high']:.1f}], human put through "
            f"{r['human_connect_from_speech_median_s']:.2f} s after speech start (median)"
        )


def _say_metrics(table) -> None:
    """One line per detector of a metrics table (with the real-time factor when it has one)."""
    for row in table.to_dict("records"):
        rtf = f", RTF {row['rtf']:.0f}x" if "rtf" in row else ""
        _say(
            f"{row['detector']:>10}: human FP {100 * row['human_fp_rate']:.1f}% "
            f"[{100 * row['human_fp_rate_ci95_low']:.1f}, {100 * row['human_fp_rate_ci95_high']:.1f}], "
            f"machine miss {100 * row['machine_miss_rate']:.1f}%, notsure {100 * row['notsure_rate']:.1f}%, "
            f"bal. acc {100 * row['balanced_accuracy']:.1f}%, human latency median "
            f"{row['human_latency_from_speech_median_s']:.2f} s / p95 {row['human_latency_from_speech_p95_s']:.2f} s"
            f"{rtf}"
        )


def _train(args: argparse.Namespace) -> int:
    from amd.benchmark import train_from_corpus

    model = train_from_corpus(
        args.corpus,
        args.out,
        seed=args.seed,
        max_human_fp=args.max_human_fp,
        force=args.force,
        progress=sys.stderr.isatty(),
    )
    cv = model["training"]["cross_validation"]
    _say(
        f"amd-bench train: wrote {args.out} ({model['training']['n_clips']} clips; out of fold under "
        f"connect_at_deadline: AMD-caused abandonment {100 * cv['oof_amd_abandonment']:.2f}%, "
        f"{cv['oof_agent_s_per_machine']:.2f} agent-s per machine, median human put through "
        f"{cv['oof_median_human_put_through_s']:.2f} s after onset, people called machine at any time "
        f"{100 * cv['oof_human_fp']:.1f}%)"
    )
    return 0


def _rtf(args: argparse.Namespace) -> int:
    import numpy as np

    from amd._bench_run import measure_rtf, rtf_test_signal
    from amd.detectors import best_detector_name, make_detector

    if not 0 < args.duration_s <= MAX_RTF_DURATION_S:
        raise ValueError(
            f"`--duration-s` must be > 0 and <= {MAX_RTF_DURATION_S:g} s; got {args.duration_s}."
        )
    # A measurement is repeatable, so an existing report is replaced (`make bench` reruns it);
    # a folder or an unusable parent is refused before the minutes of measuring.
    check_out_file(Path(args.json), force=True, field="--json", error=ValueError)
    audio = rtf_test_signal(duration_s=args.duration_s, rng=np.random.default_rng(args.seed))
    results = []
    for name in args.detectors:
        m = measure_rtf(make_detector(name), audio)
        concrete = best_detector_name() if name == "best" else name
        target = RTF_TARGETS.get(concrete)
        results.append(
            {
                "name": name,
                **m,
                "target_rtf": target,
                "meets_target": None if target is None else m["rtf"] >= target,
            }
        )
        _say(f"amd-bench rtf: {name}: {m['rtf']:.0f}x real time (target {target})")
    _write_json(
        Path(args.json),
        {
            "detectors": results,
            "signal": {
                "duration_s": args.duration_s,
                "seed": args.seed,
                "sr_hz": 8000,
                "kind": "harmonic bursts, pauses, 1 kHz beeps",
            },
        },
    )
    return 0


def _write_json(out: Path, obj: dict) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    atomic_write(out, lambda tmp: tmp.write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8"))
