"""Regenerate the stored reference outputs in tests/data/ (run on purpose only).

    python tests/generate_data.py

Each entry runs a seeded, smoke-sized experiment and stores its summary table;
tests compare fresh runs against these files with a stated tolerance.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "experiments"))

import predictive_day  # noqa: E402

import dialer_sim as ds  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def predictive_day_smoke_config() -> ds.DialerConfig:
    return predictive_day.smoke_config(ds.load_config(predictive_day.CONFIG))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        summary = predictive_day.main(predictive_day_smoke_config(), Path(tmp), replications=2)
    summary.to_csv(DATA / "predictive_day_smoke.csv", index=False)
    print(f"wrote {DATA / 'predictive_day_smoke.csv'}")


if __name__ == "__main__":
    main()
