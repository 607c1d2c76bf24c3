"""The AMD benchmark's behaviour table as amd_in_the_loop uses it: split per detector and recorded.

The benchmark (``amd-bench run``) runs before the experiment, outside its sweep, and writes one
``behaviour.csv`` with a ``detector`` column. The experiment splits it into one behaviour table per
detector, as CSV text: that text is written to ``behaviour/DETECTOR.csv`` in the result folder and its
SHA-256 goes into ``config.json``, so a reader can check the files against the record and rerun the
experiment from them. The same table travels with the detector's sweep points in memory
(``callvocab.BehaviourTable``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from experiments.kit import write_text

__all__ = ["detector_tables", "sha256_file", "write_tables"]


def detector_tables(behaviour: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    """Each detector's behaviour table (the behaviour-table ``columns``) as CSV text, in the benchmark's order."""
    return {str(det): g[list(columns)].to_csv(index=False) for det, g in behaviour.groupby("detector", sort=False)}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (what ``sha256sum`` prints)."""
    return _digest(Path(path).read_bytes())


def write_tables(tables: dict[str, str], out_dir: Path) -> dict[str, dict]:
    """``out_dir/behaviour/DETECTOR.csv`` per detector; per detector its path in ``out_dir``, SHA-256 and rows."""
    folder = Path(out_dir) / "behaviour"
    folder.mkdir(parents=True, exist_ok=True)
    record = {}
    for det, text in tables.items():
        write_text(folder / f"{det}.csv", text)
        # One line per row after the header: the behaviour columns hold no line breaks.
        record[det] = {"path": f"behaviour/{det}.csv", "sha256": _digest(text.encode("utf-8")),
                       "n_rows": text.count("\n") - 1}
    return record
