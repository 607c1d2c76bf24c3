"""`make demo`: run the headline experiments and write results/ with charts and REPORT.md.

1. A predictive-dialer day under the six pacing policies (experiments/predictive_day.py).
2. The AMD benchmark on a freshly built corpus of real recorded and synthesised
   speech (amd-bench corpus build / run), when the Debian speech packages are present.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def step(title: str, cmd: list[str]) -> bool:
    print(f"\n== {title}\n$ {' '.join(cmd)}", flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode == 0


def _has_asterisk_sounds() -> bool:
    from amd._corpus_sources import ASTERISK_DIRS

    return any(d.is_dir() for d in ASTERISK_DIRS)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "results")
    args = p.parse_args()
    out = args.out.resolve()
    py = sys.executable
    bindir = Path(py).parent
    ok = step("Predictive-dialer day, six pacing policies",
              [py, "experiments/predictive_day.py", "--out", str(out / "predictive_day")])
    if shutil.which("espeak-ng") and _has_asterisk_sounds():
        corpus = out / "amd_corpus"
        built = (corpus / "labels.csv").exists() or step(
            "AMD corpus (600 clips of real and synthesised speech through a telephone channel)",
            [str(bindir / "amd-bench"), "corpus", "build", "--out", str(corpus), "--n-clips", "600"])
        ok &= built and step("AMD benchmark on the test split",
                             [str(bindir / "amd-bench"), "run", "--corpus", str(corpus), "--out",
                              str(out / "amd_benchmark"), "--force"])
    else:
        print("\n== AMD benchmark skipped: espeak-ng or asterisk-core-sounds-en-wav is not installed "
              "(run `make system-deps` as root).", file=sys.stderr)
    print(f"\nResults in {out}: predictive_day/REPORT.md, amd_benchmark/", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
