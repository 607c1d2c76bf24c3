"""Read call records for compliance: the project's CDR files or a VICIdial log.

Conventions
-----------
- CDR files are Parquet (``.parquet``/``.pq``) or CSV in the schema of
  :func:`dialer_sim.records.records_schema`. In CSV, empty cells are NaN times
  and empty labels; ``agent_id`` is a nullable integer (``Int64``).
- A Parquet file's ``campaign_start_date`` metadata (written by the
  simulation) becomes ``attrs['campaign_start_date']`` (ISO text), the date of day 0 for calendar
  months; CSV files need ``start_date`` (CLI ``--start-date``).
- Line numbers in messages count the CSV header as line 1.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from callvocab import (
    AMD_LABELS,
    ANSWER_KINDS,
    CDR_COLUMNS,
    DISPOSITIONS,
    ENDED_BY,
    NETWORK_OUTCOMES,
    records_schema,
)
from callvocab.cdr import START_DATE_KEY

from .._inputs import utf8_rule
from ..errors import RecordsError
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
    except pd.errors.ParserError as exc:
        # A binary file, or a CSV truncated or corrupted mid-row; pandas' message names the line.
        detail = " ".join(str(exc).split())
        raise RecordsError(f"records {str(path)!r} is not a readable CSV: {detail}") from None
    except UnicodeDecodeError:
        # pandas decodes in chunks, so its byte offset is into a buffer: find the line in the file.
        raise RecordsError(f"records {str(path)!r} is not a readable CSV: {utf8_rule(path)}.") from None


def _check_numeric_type(col: pd.Series, name: str, path: Path) -> None:
    """A Parquet column of times, booleans or anything else not numeric is named as the column's error."""
    kind = col.dtype
    numeric = pd.api.types.is_numeric_dtype(kind) and not pd.api.types.is_bool_dtype(kind)
    if not (numeric or pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind)):
        raise RecordsError(f"records {str(path)!r}: `{name}` must be a column of numbers (seconds or counts); "
                           f"got a column of type {kind}.")


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
            col = col.astype(object)  # a categorical or Arrow column too
            out[field.name] = col.where(col.notna(), "").astype(str).to_numpy(dtype=object)
            continue
        _check_numeric_type(col, field.name, path)
        values = pd.to_numeric(col, errors="coerce")
        bad = values.isna() & col.notna()
        if str(field.type).startswith("int"):
            bad |= values.isna() & (field.name != "agent_id")
            bad |= values.notna() & (values != np.floor(values))
            bad |= values.notna() & ~(values.abs() <= 2.0**53)  # inf, or past what an integer column holds
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            where = f"line {i + 2}" if from_csv else f"row {i}"
            kind = "an integer" if str(field.type).startswith("int") else "a number"
            value = col.iat[i].item() if hasattr(col.iat[i], "item") else col.iat[i]
            raise RecordsError(f"records {str(path)!r} {where}: `{field.name}` must be {kind}; got {value!r}.")
        if field.name == "agent_id":
            out[field.name] = pd.array(values.to_numpy(), dtype="Int64")
            continue
        out[field.name] = values.to_numpy(dtype=np.float64 if str(field.type) == "double" else np.int64)
    result = pd.DataFrame(out)
    _check_cdr_values(result, path, from_csv)
    result.attrs.update(source="cdr", unrecorded_columns=[], n_bad_rows=0, bad_rows=[])
    return result


# Label columns and the values each may take; "" (null in files) means "does not apply" or "not
# recorded", except for network_outcome, which every dial attempt has (``dialer_sim.records``).
_LABELS = {
    "network_outcome": NETWORK_OUTCOMES,
    "answer_kind": ("", *ANSWER_KINDS),
    "amd_label": ("", *AMD_LABELS),
    "ended_by": ("", *ENDED_BY),
    "disposition": ("", *DISPOSITIONS),
}
# Instants that did not happen are NaN; those that did cannot precede the dial.
_LATER_INSTANTS = ("speech_start_at_s", "greeting_end_at_s", "amd_decided_at_s", "agent_connect_at_s")


def _first_bad(mask: np.ndarray, values: np.ndarray, path: Path, from_csv: bool, rule: str) -> None:
    """Raise naming the first row where ``mask`` holds: ``rule`` reads "`field` must ...; got"."""
    bad = np.flatnonzero(mask)
    if bad.size:
        i = int(bad[0])
        where = f"line {i + 2}" if from_csv else f"row {i}"
        value = values[i].item() if hasattr(values[i], "item") else values[i]
        raise RecordsError(f"records {str(path)!r} {where}: {rule}; got {value!r}.")


def _check_cdr_values(frame: pd.DataFrame, path: Path, from_csv: bool) -> None:
    """Every value within its rule, so a corrupted file never turns silently into a rate."""
    if frame.empty:
        raise RecordsError(f"records {str(path)!r} has a header but no rows.")
    for name, allowed in _LABELS.items():
        col = frame[name].to_numpy()
        shown = ", ".join(v for v in allowed if v) + (" or empty" if "" in allowed else "")
        _first_bad(~np.isin(col, allowed), col, path, from_csv, f"`{name}` must be one of {shown}")
    for name, minimum in (("day", 0), ("attempt", 1), ("number_id", 0)):
        col = frame[name].to_numpy()
        _first_bad(col < minimum, col, path, from_csv, f"`{name}` must be an integer >= {minimum}")
    dial = frame["dial_at_s"].to_numpy()
    _first_bad(~np.isfinite(dial) | (dial < 0), dial, path, from_csv, "`dial_at_s` must be a time >= 0 s")
    ring = frame["ring_s"].to_numpy()
    _first_bad(np.isinf(ring) | (ring < 0), ring, path, from_csv, "`ring_s` must be a duration >= 0 s or empty")
    end = frame["end_at_s"].to_numpy()
    _first_bad(~np.isfinite(end), end, path, from_csv, "`end_at_s` must be a finite time in s")
    _first_bad(end < dial, end, path, from_csv, "negative duration: `end_at_s` must be >= `dial_at_s`")
    for name in _LATER_INSTANTS:
        col = frame[name].to_numpy()
        rule = f"`{name}` must be empty or a finite time >= `dial_at_s`"
        _first_bad(np.isinf(col) | (col < dial), col, path, from_csv, rule)


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
        Skip and count bad rows instead of stopping at the first: every bad row of a VICIdial
        log; rows of a CDR file that repeat an earlier row in every column (other bad values
        in a CDR file always stop, since the project wrote the file).
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
    from_csv = path.suffix.lower() not in (".parquet", ".pq")
    records = _without_duplicates(_coerce_cdr(frame, path, from_csv), path, from_csv, skip_bad_rows)
    if not from_csv and (day0 := _start_date(path)) is not None:
        records.attrs[START_DATE_KEY] = day0.isoformat()
    return records


def _without_duplicates(frame: pd.DataFrame, path: Path, from_csv: bool, skip: bool) -> pd.DataFrame:
    """Refuse rows equal in every column to an earlier row (a call counted twice), or drop and count them."""
    dup = frame.duplicated(keep="first").to_numpy()
    if not dup.any():
        return frame
    key = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    first_of = pd.Series(np.arange(len(frame))).groupby(key).transform("min").to_numpy()
    where = (lambda i: f"line {i + 2}") if from_csv else (lambda i: f"row {i}")
    messages = [f"{where(i)}: duplicate of {where(first_of[i])} (every column equal)" for i in np.flatnonzero(dup)]
    if not skip:
        more = f" (and {len(messages) - 1} more duplicate rows)" if len(messages) > 1 else ""
        raise RecordsError(f"records {str(path)!r} {messages[0]}{more}; a call counted twice would count in "
                           "every rate twice; pass --skip-bad-rows to skip and count them.")
    out = frame[~dup].reset_index(drop=True)
    out.attrs.update(frame.attrs, n_bad_rows=len(messages), bad_rows=messages)
    return out


def _start_date(path: Path) -> dt.date | None:
    """The ``campaign_start_date`` in a Parquet file's metadata, or None."""
    meta = pq.read_schema(path).metadata or {}
    text = meta.get(START_DATE_KEY.encode())
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.decode())
    except (UnicodeDecodeError, ValueError):
        raise RecordsError(f"records {str(path)!r}: metadata `{START_DATE_KEY}` must be a date YYYY-MM-DD; "
                           f"got {text[:40]!r}.") from None
