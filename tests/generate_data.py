"""Regenerate the stored reference outputs in tests/data/ (run on purpose only).

    python tests/generate_data.py [NAME ...]

Each entry runs a seeded, smoke-sized experiment and stores one of its tables;
tests compare fresh runs against these files with a stated tolerance. Besides
predictive_day, every experiment module ``experiments/NAME.py`` listed in
:data:`SMOKE_EXPERIMENTS` defines ``SMOKE_TABLE`` (the CSV file name it writes)
and ``run_smoke(out_dir)`` (its ``--smoke`` run); the reference is
``tests/data/NAME_smoke.csv``.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path

import dialer_sim as ds
from experiments import predictive_day
from experiments.kit import Runner

ROOT = Path(__file__).resolve().parent.parent

DATA = Path(__file__).resolve().parent / "data"
#: Worker processes the stored smoke tables are made on; tests run on 2, so matching them also shows that the
#: number of workers does not change the results.
REFERENCE_WORKERS = 1
#: Experiments whose --smoke output is stored (module name in experiments/).
SMOKE_EXPERIMENTS = ("screening_starvation", "amd_in_the_loop", "pacing_vs_abandonment", "probe_harvest", "ping_calls",
                     "consent_vs_cold", "campaign_economics")


def predictive_day_smoke_config() -> ds.DialerConfig:
    return predictive_day.smoke_config(ds.load_config(predictive_day.CONFIG))


def smoke_reference(name: str) -> Path:
    return DATA / f"{name}_smoke.csv"


def generate(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if name == "predictive_day":
            summary = predictive_day.main(predictive_day_smoke_config(), Path(tmp), replications=2)
            summary.to_csv(DATA / "predictive_day_smoke.csv", index=False)
            print(f"wrote {DATA / 'predictive_day_smoke.csv'}")
            return
        module = importlib.import_module(f"experiments.{name}")
        module.run_smoke(Path(tmp), runner=Runner(workers=REFERENCE_WORKERS))
        shutil.copyfile(Path(tmp) / module.SMOKE_TABLE, smoke_reference(name))
        print(f"wrote {smoke_reference(name)}")


def main(argv: list[str]) -> None:
    names = argv or ["predictive_day", *SMOKE_EXPERIMENTS]
    for name in names:
        if not (ROOT / "experiments" / f"{name}.py").exists():
            print(f"skipping {name}: experiments/{name}.py does not exist yet", file=sys.stderr)
            continue
        generate(name)


if __name__ == "__main__":
    main(sys.argv[1:])
