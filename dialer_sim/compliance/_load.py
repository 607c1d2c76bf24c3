"""Read call records for compliance: the project's CDR files or a VICIdial log.

Conventions
-----------
- CDR files are Parquet (``.parquet``/``.pq``) or CSV in the schema of
  :func:`dialer_sim.records.records_schema`. In CSV, empty cells are NaN times
  and empty labels; ``agent_id`` empty is -1.
- Line numbers in messages count the CSV header as line 1.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import RecordsError
from ..records import CDR_COLUMNS, records_schema
from ._vicidial import read_vicidial_log

__all__ = ["RECORD_FORMATS", "read_records"]

RECORD_FORMATS = ("cdr", "vicidial")


def _read_cdr_file(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError) as exc:
            raise RecordsError(f"records {str(path)!r} is not a readable Parquet file: {exc}") from None
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)
    except pd.errors.EmptyDataError:
        raise RecordsError(f"records {str(path)!r} is empty (no header, no rows).") from None


def _coerce_cdr(frame: pd.DataFrame, path: Path, from_csv: bool) -> pd.DataFrame:
    missing = [c for c in CDR_COLUMNS if c not in frame.columns]
    if missing:
        raise RecordsError(
            f"records {str(path)!r} line 1: missing call-record column(s) {', '.join(missing)}."
        )
    schema = records_schema()
    out = {}
    for field in schema:
        col = frame[field.name]
        if str(field.type) == "string":
            out[field.name] = col.fillna("").astype(str).to_numpy(dtype=object)
            continue
        values = pd.to_numeric(col, errors="coerce")
        bad = values.isna() & col.notna()
        if str(field.type).startswith("int"):
            bad |= values.isna() & (field.name != "agent_id")
            bad |= values.notna() & (values != np.floor(values))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            where = f"line {i + 2}" if from_csv else f"row {i}"
            raise RecordsError(
                f"records {str(path)!r} {where}: `{field.name}` must be a number; got {col.iat[i]!r}."
            )
        if field.name == "agent_id":
            values = values.fillna(-1)
        out[field.name] = values.to_numpy(dtype=np.float64 if str(field.type) == "double" else np.int64)
    result = pd.DataFrame(out)
    dial = result["dial_at_s"].to_numpy()
    bad = np.flatnonzero(~np.isfinite(dial) | (dial < 0))
    if bad.size:
        where = f"line {bad[0] + 2}" if from_csv else f"row {bad[0]}"
        raise RecordsError(
            f"records {str(path)!r} {where}: `dial_at_s` must be a time >= 0 s; got {dial[bad[0]]!r}."
        )
    neg = np.flatnonzero(result["end_at_s"].to_numpy() < dial)
    if neg.size:
        where = f"line {neg[0] + 2}" if from_csv else f"row {neg[0]}"
        raise RecordsError(f"records {str(path)!r} {where}: negative duration: `end_at_s` < `dial_at_s`.")
    result.attrs.update(source="cdr", unrecorded_columns=[], n_bad_rows=0, bad_rows=[])
    return result


def read_records(
    path: str | os.PathLike[str],
    *,
    format: str = "cdr",
    skip_bad_rows: bool = False,
    extra_statuses: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Load call records for :func:`compliance_rates`.

    Parameters
    ----------
    path : path-like
        A CDR Parquet/CSV file, or a ``vicidial_log`` CSV export.
    format : {'cdr', 'vicidial'}
        What the file is.
    skip_bad_rows : bool
        VICIdial only: skip and count bad rows instead of stopping at the first.
    extra_statuses : mapping of str to str or None
        VICIdial only: campaign status codes mapped to a category.

    Returns
    -------
    pd.DataFrame
        The CDR columns (plus VICIdial's own columns for VICIdial logs).

    Raises
    ------
    RecordsError
        Unreadable, empty or malformed files, with the line number.
    """
    if format not in RECORD_FORMATS:
        raise RecordsError(f"`format` must be one of {', '.join(RECORD_FORMATS)}; got {format!r}.")
    path = Path(path)
    if not path.exists():
        raise RecordsError(f"records file {str(path)!r} does not exist.")
    if format == "vicidial":
        return read_vicidial_log(path, skip_bad_rows=skip_bad_rows, extra_statuses=extra_statuses)
    frame = _read_cdr_file(path)
    if frame.empty and len(frame.columns) == 0:
        raise RecordsError(f"records {str(path)!r} is empty.")
    return _coerce_cdr(frame, path, from_csv=path.suffix.lower() not in (".parquet", ".pq"))
