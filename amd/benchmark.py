"""The AMD benchmark: every detector on the corpus test split, with intervals, curves and tables.

``run_benchmark(corpus_dir, out_dir, config=...)`` writes into ``out_dir``:

- ``metrics.csv``: one row per detector, human false-positive rate first, each rate with its
  95 % Wilson interval, latencies and the real-time factor;
- ``metrics_answer_mix.csv``: the same metrics post-stratified by an answer mix
  (``amd.answer_mix``; by default the dialer simulation's): the rates a campaign with that mix
  would see, rather than those of a corpus with equal numbers of every kind;
- ``per_kind.csv``: label shares and latency per (detector, answer kind);
- ``behaviour.csv``: one row per (detector, test clip) with ``detector, kind, label,
  decided_at_s, speech_start_s, greeting_end_s`` (the table the dialer simulation samples);
- ``decisions.csv``: the same with truth, score, cause and CPU time;
- ``operating_curves.csv`` and ``operating_curves.png`` (human FP vs machine miss with the
  AudioCodes published curve, and human FP vs median latency), ``confusion.png``,
  ``latency_cdf.png``;
- ``costs.csv`` and ``costs_answer_mix.csv``: per (detector, dialer policy, part of the test
  split: all, seen languages, held-out languages) the figures of merit of ``amd.costs`` with
  95 % intervals (AMD-caused abandonment, agent-seconds per machine answer, machines never
  reaching an agent) and the classic figures of the same part; ``costs.png``, the trade-off
  chart; ``targets.csv``, the targets check of ``best``;
- ``best.json`` (the best detector under ``BEST_RULE`` of ``amd._bench_costs``: the fewest
  agent-seconds per machine among detectors within the abandonment target, with its figures)
  and ``config.json`` (settings and seed).

``train_from_corpus`` trains the learned detector on the train split (``amd-bench train``).

Conventions
-----------
Times in seconds from answer; rates in [0, 1]; audio loaded at 8 kHz with conversions reported.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from amd._bench_charts import write_charts
from amd._bench_costs import BEST_RULE, best_record, choose_best, cost_tables, targets_check  # noqa: F401 (BEST_RULE re-exported)
from amd._bench_run import SWEEPS, Clip, run_detector, sweep_detector
from amd._labels import read_labels
from amd._paths import check_out_file, prepare_out_dir
from amd.answer_mix import DEFAULT_ANSWER_MIX, check_answer_mix
from amd.audio import AudioError, load_audio
from amd.detectors import DETECTOR_NAMES, SR_HZ, make_detector
from amd.metrics import evaluate, evaluate_weighted
from atomicdir import atomic_write, staged_dir
from callvocab import BENCHMARK_BEHAVIOUR_COLUMNS, TRUTH_OF_KIND

__all__ = ["AmdBenchmarkConfig", "BenchmarkError", "load_split", "run_benchmark", "train_from_corpus"]

#: Every file ``run_benchmark`` writes (``operating_curves.*`` only with sweeps).
OUTPUTS = ("metrics.csv", "metrics_answer_mix.csv", "decisions.csv", "behaviour.csv", "per_kind.csv",
           "operating_curves.csv", "operating_curves.png", "confusion.png", "latency_cdf.png", "costs.csv",
           "costs_answer_mix.csv", "costs.png", "targets.csv", "best.json", "config.json")  # fmt: skip
_REQUIRED_COLUMNS = ("file", "kind", "truth", "speech_start_s", "greeting_end_s", "split")
#: Every registered detector but the ``best`` alias (a detector registered later is run too).
_RUNNABLE = tuple(n for n in DETECTOR_NAMES if n != "best")



class BenchmarkError(ValueError):
    """Bad benchmark input: missing corpus, columns, split or an existing result without force."""


@dataclass(frozen=True)
class AmdBenchmarkConfig:
    """Benchmark settings, written to ``config.json``.

    Parameters
    ----------
    detectors : tuple of str
        Registry names to run (``best`` is an alias and is resolved).
    split : {'train', 'test'}
        Corpus split to evaluate; the test split unless you know why.
    sweep : bool
        Compute operating curves (reruns each swept detector per threshold value).
    model_path : str or None
        Learned-detector model; ``None`` = the shipped model.
    seed : int
        Recorded for provenance; the benchmark itself draws no random numbers.
    answer_mix : dict[str, float]
        Population share of each answer kind for ``metrics_answer_mix.csv``; normalised on
        construction. Default: ``amd.answer_mix.DEFAULT_ANSWER_MIX``.
    """

    detectors: tuple[str, ...] = _RUNNABLE
    split: str = "test"
    sweep: bool = True
    model_path: str | None = None
    seed: int = 0
    answer_mix: dict[str, float] = dataclasses.field(default_factory=lambda: dict(DEFAULT_ANSWER_MIX))

    def __post_init__(self) -> None:
        bad = [d for d in self.detectors if d not in DETECTOR_NAMES]
        if bad or not self.detectors:
            raise BenchmarkError(
                f"`detectors` must be non-empty names from {DETECTOR_NAMES}; got {list(self.detectors)}."
            )
        if self.split not in ("train", "test"):
            raise BenchmarkError(f"`split` must be 'train' or 'test'; got {self.split!r}.")
        object.__setattr__(self, "answer_mix", check_answer_mix(self.answer_mix))


def load_split(corpus_dir: str | os.PathLike[str], split: str, *, progress: bool = False) -> list[Clip]:
    """The clips of one split with their labels and audio at 8 kHz.

    Raises
    ------
    BenchmarkError
        No ``labels.csv``, an unparsable one, missing columns, a row with a bad value (named by
        its line in the file, the column, the rule and the value), an empty split, or a clip
        file that is missing or not readable audio.
    """
    corpus = Path(corpus_dir)
    labels_path = corpus / "labels.csv"
    table = read_labels(labels_path, required=_REQUIRED_COLUMNS, error=BenchmarkError)
    rows = table[table["split"] == split]
    if rows.empty:
        raise BenchmarkError(f"`split` {split!r} has no clips in {labels_path}.")
    clips = []
    for line, row in tqdm(
        zip(rows.index + 2, rows.to_dict("records"), strict=True),
        desc=f"load {split}",
        disable=not progress,
        leave=False,
    ):
        try:
            audio, _, _ = load_audio(corpus / row["file"], sr=SR_HZ)
        except AudioError as exc:
            raise BenchmarkError(
                f"{labels_path} line {line}: `file` {row['file']!r} is unusable: {exc}"
            ) from None
        clips.append(Clip(row=row, audio=audio))
    return clips


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))


def _write_json(obj, path: Path) -> None:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=2, sort_keys=True, default=float)
            fh.write("\n")

    atomic_write(path, write)


def _metrics_row(name: str, res: pd.DataFrame) -> dict:
    m = evaluate(
        res["truth"].to_numpy(),
        res["label"].to_numpy(),
        estimated_decided_at_s=res["decided_at_s"].to_numpy(float),
        reference_speech_start_s=res["speech_start_s"].to_numpy(float),
    )
    audio_s = float(res["decided_at_s"].sum())
    cpu_s = float(res["cpu_s"].sum())
    return {
        "detector": name,
        **m,
        "audio_s_processed": audio_s,
        "cpu_s": cpu_s,
        "rtf": audio_s / max(cpu_s, 1e-9),
    }


def _mix_row(name: str, res: pd.DataFrame, mix: dict[str, float]) -> dict:
    m = evaluate_weighted(
        res["truth"].to_numpy(),
        res["label"].to_numpy(),
        kinds=res["kind"].to_numpy(),
        kind_weights=mix,
        truth_of_kind=TRUTH_OF_KIND,
        estimated_decided_at_s=res["decided_at_s"].to_numpy(float),
        reference_speech_start_s=res["speech_start_s"].to_numpy(float),
    )
    return {"detector": name, **m}


def _per_kind(res: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (det, kind), g in res.groupby(["detector", "kind"], sort=True):
        lat = (g["decided_at_s"] - g["speech_start_s"]).dropna()
        rows.append(
            {
                "detector": det,
                "kind": kind,
                "truth": g["truth"].iloc[0],
                "n": len(g),
                "share_human": float((g["label"] == "human").mean()),
                "share_machine": float((g["label"] == "machine").mean()),
                "share_notsure": float((g["label"] == "notsure").mean()),
                "median_decided_at_s": float(g["decided_at_s"].median()),
                "median_latency_from_speech_s": float(lat.median()) if len(lat) else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def run_benchmark(
    corpus_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    config: AmdBenchmarkConfig,
    force: bool = False,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the benchmark and write every table and chart into ``out_dir``.

    Returns
    -------
    pandas.DataFrame
        The ``metrics.csv`` table.
    """
    out = Path(out_dir)
    prepare_out_dir(out, marker="metrics.csv", holds="results", force=force, field="out", error=BenchmarkError)
    clips = load_split(corpus_dir, config.split, progress=progress)
    # Every table and chart is written into a folder built aside and swapped in whole, so an
    # interrupted run (even with force) leaves the earlier results as they were.
    with staged_dir(out, replaces=OUTPUTS) as folder:
        return _run_and_write(folder, config, corpus_dir, clips, progress)


def _run_and_write(out: Path, config: AmdBenchmarkConfig, corpus_dir, clips: list[Clip], progress: bool):
    """Run every detector on ``clips`` and write the result set into ``out``; return ``metrics.csv``."""
    res_all, table = _run_all(config, clips, progress)
    mix_table = pd.DataFrame(
        [_mix_row(str(name), res, config.answer_mix) for name, res in res_all.groupby("detector", sort=False)]
    )
    _write_csv(table, out / "metrics.csv")
    _write_csv(mix_table, out / "metrics_answer_mix.csv")
    _write_csv(res_all, out / "decisions.csv")
    _write_csv(res_all[list(BENCHMARK_BEHAVIOUR_COLUMNS)], out / "behaviour.csv")
    _write_csv(_per_kind(res_all), out / "per_kind.csv")
    curves = pd.DataFrame()
    swept = [n for n in config.detectors if n in SWEEPS]
    if config.sweep and swept:
        curves = pd.concat(
            [sweep_detector(n, clips, model_path=config.model_path, progress=progress) for n in swept],
            ignore_index=True,
        )
        _write_csv(curves, out / "operating_curves.csv")
    costs_eq, costs_mix = cost_tables(res_all, table, config.answer_mix)
    _write_csv(costs_eq, out / "costs.csv")
    _write_csv(costs_mix, out / "costs_answer_mix.csv")
    write_charts(out, res_all, table, curves, costs_mix)
    best = _write_meta(out, config, corpus_dir, len(clips), mix_table, costs_eq, costs_mix)
    _write_csv(targets_check(costs_mix, table, best), out / "targets.csv")
    return table


def _run_all(
    config: AmdBenchmarkConfig, clips: list[Clip], progress: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decisions of every configured detector and the metrics table."""
    results, metrics = [], []
    for name in config.detectors:
        kwargs = {"model_path": config.model_path} if name == "learned" and config.model_path else {}
        det = make_detector(name, **kwargs)
        label = name if name != "best" else f"best({type(det).name})"
        res = run_detector(det, clips, name=label, progress=progress)
        results.append(res)
        metrics.append(_metrics_row(label, res))
    return pd.concat(results, ignore_index=True), pd.DataFrame(metrics)


def _write_meta(
    out: Path,
    config: AmdBenchmarkConfig,
    corpus_dir,
    n_clips: int,
    mix_table: pd.DataFrame,
    costs_eq: pd.DataFrame,
    costs_mix: pd.DataFrame,
) -> str:
    """``best.json`` (the detector chosen by ``BEST_RULE``, with its cost figures and classic
    figures under the answer mix) and ``config.json``; returns the best detector's name."""
    best = choose_best(costs_mix)
    mixed = mix_table.set_index("detector").loc[best["detector"]]
    best_info = {
        **best,
        "split": config.split,
        **best_record(best, costs_mix, costs_eq),
        "classic_under_answer_mix": {
            key: float(mixed[key])
            for key in (
                "balanced_accuracy",
                "human_fp_rate",
                "human_fp_rate_ci95_low",
                "human_fp_rate_ci95_high",
                "machine_miss_rate",
                "human_latency_from_speech_median_s",
                "human_latency_from_speech_p95_s",
            )
        },
    }
    _write_json(best_info, out / "best.json")
    settings = {
        **dataclasses.asdict(config),
        "corpus": str(Path(corpus_dir).resolve()),
        "n_clips": n_clips,
        "sweeps": {k: {"param": p, "values": list(v)} for k, (p, v) in SWEEPS.items()},
    }
    _write_json(settings, out / "config.json")
    return best["detector"]


def train_from_corpus(
    corpus_dir: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    seed: int,
    max_human_fp: float = 0.005,
    force: bool = False,
    progress: bool = True,
) -> dict:
    """Train the learned detector on the corpus train split and write the model JSON.

    Cross-validation folds are grouped by the ``source`` column when the corpus has one (a
    validation fold never shares a prompt or text with its training folds). The same corpus
    and seed give a byte-identical file.

    Raises
    ------
    BenchmarkError
        ``out_path`` exists and ``force`` is false, or the corpus is unusable.
    """
    from amd.detectors import LearnedDetector
    from amd.detectors._learned_fit import check_max_human_fp

    out = Path(out_path)
    check_out_file(out, force=force, field="out", error=BenchmarkError)
    check_max_human_fp(max_human_fp)
    clips = load_split(corpus_dir, "train", progress=progress)
    det = LearnedDetector().fit(
        [c.audio for c in clips],
        [c.row["truth"] for c in clips],
        seed=seed,
        max_human_fp=max_human_fp,
        groups=[str(c.row["source"]) for c in clips] if "source" in clips[0].row else None,
        progress=progress,
    )
    model = det.model_
    model["training"]["corpus_labels_sha256"] = _sha256(Path(corpus_dir) / "labels.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_json(model, out)
    return model


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
