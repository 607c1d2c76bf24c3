"""Run the ``words`` detector over a corpus and record decisions, transcripts and CPU time.

Usage: ``python scripts/words_eval.py --corpus DIR --out FILE.csv [--model tiny.en|base]
[--language en|de|clip]``, then ``python scripts/words_eval.py --summarise FILE.csv`` (``clip``: force each clip's labelled language, English where
the clip has none). One row per clip: kind, truth, language, label, cause, decision time,
speech start, CPU seconds, audio seconds consumed and every transcript taken.
Used for the measurements in ``docs/amd.md``; run under ``taskset -c 0`` for one-core RTF.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from amd import frames, load_audio
from amd.detectors import WordsDetector, load_whisper


def run_clip(detector: WordsDetector, audio) -> tuple:
    stream = detector.stream(8000)
    decision = None
    for frame in frames(audio, 8000):
        if (decision := stream.push(frame)) is not None:
            break
    decision = decision or stream.finish()
    return decision, stream.transcripts


def _wilson(k: int, n: int) -> str:
    from scipy.stats import binomtest

    if n == 0:
        return "n/a"
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return f"{100 * k / n:.1f} % [{100 * ci.low:.1f}, {100 * ci.high:.1f}] ({k}/{n})"


def summarise(path: str, deadline_s: float = 2.0) -> None:
    """Print per-kind and per-language figures of one evaluation table."""
    import pandas as pd

    df = pd.read_csv(path)
    df["since_s"] = df["decided_at_s"] - df["speech_start_s"].fillna(0.0)
    df["early_machine"] = (df["label"] == "machine") & (df["since_s"] < deadline_s - 1e-9)
    print(
        "kind | n | machine | human | notsure | machine before deadline | median s after speech | transcripts/clip"
    )
    for kind, g in df.groupby("kind"):
        print(
            f"{kind} | {len(g)} | {(g.label == 'machine').mean():.2f} | {(g.label == 'human').mean():.2f} | "
            f"{(g.label == 'notsure').mean():.2f} | {g.early_machine.mean():.2f} | {g.since_s.median():.2f} | "
            f"{g.n_transcripts.mean():.1f}"
        )
    for lang, g in [("all", df), *df.groupby(df["language"].fillna("none"))]:
        hum, mac = g[g.truth == "human"], g[g.truth == "machine"]
        print(
            f"[{lang}] human FP {_wilson(int((hum.label == 'machine').sum()), len(hum))}; "
            f"human FP before deadline {_wilson(int(hum.early_machine.sum()), len(hum))}; "
            f"machine miss {_wilson(int((mac.label != 'machine').sum()), len(mac))}; "
            f"machines decided machine before deadline {_wilson(int(mac.early_machine.sum()), len(mac))}; "
            f"median human latency {hum.since_s[hum.speech_start_s.notna()].median():.2f} s; "
            f"median machine-verdict latency {mac.since_s[mac.label == 'machine'].median():.2f} s"
        )
    n_tr = df["n_transcripts"].sum()
    print(
        f"RTF {df.audio_s.sum() / df.cpu_s.sum():.1f}x over {len(df)} clips ({df.audio_s.sum():.0f} audio s, "
        f"{df.cpu_s.sum():.1f} CPU s); CPU per call {df.cpu_s.mean():.3f} s; transcripts {n_tr} "
        f"({df.cpu_s[df.n_transcripts > 0].sum() / max(n_tr, 1):.3f} CPU s each, upper bound)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus")
    ap.add_argument("--out")
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--language", default="en")
    ap.add_argument("--summarise", metavar="FILE.csv")
    args = ap.parse_args()
    if args.summarise:
        summarise(args.summarise)
        return
    root = Path(args.corpus)
    with open(root / "labels.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    load_whisper(args.model, 1)  # load outside the timed region
    out = []
    for row in rows:
        lang = (row["language"] or "en") if args.language == "clip" else args.language
        det = WordsDetector(model=args.model, language=lang)
        audio, sr, _ = load_audio(root / row["file"], sr=8000)
        t0 = time.process_time()
        d, heard = run_clip(det, audio)
        cpu_s = time.process_time() - t0
        out.append(
            {
                "file": row["file"],
                "kind": row["kind"],
                "truth": row["truth"],
                "language": row["language"],
                "split": row["split"],
                "forced_language": lang,
                "label": d.label,
                "cause": d.cause,
                "decided_at_s": f"{d.decided_at_s:.2f}",
                "speech_start_s": row["speech_start_s"],
                "cpu_s": f"{cpu_s:.4f}",
                "audio_s": f"{min(d.decided_at_s, audio.size / 8000):.2f}",
                "n_transcripts": len(heard),
                "text": row["text"],
                "transcripts": " | ".join(
                    f"{t:.2f}s [{h.avg_logprob:.2f},{h.no_speech_prob:.2f}] {h.text}" for t, h in heard
                ),
            }
        )
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(out[0]))
        writer.writeheader()
        writer.writerows(out)


if __name__ == "__main__":
    main()
