"""Run the ``words`` detector over a corpus and record decisions, transcripts and CPU time.

Usage: ``python scripts/words_eval.py --corpus DIR --out FILE.csv [--model tiny.en|base]
[--language en|de|clip]`` (``clip``: force each clip's labelled language, English where
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--language", default="en")
    args = ap.parse_args()
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
