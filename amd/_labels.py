"""Reading a corpus ``labels.csv`` with every row checked, for the benchmark and training.

Conventions
-----------
Line numbers in messages count the header as line 1, as an editor shows them. Times are
seconds from answer; an empty ``speech_start_s`` or ``greeting_end_s`` means "none".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from callvocab import ANSWER_KINDS, TRUTH_LABELS, TRUTH_OF_KIND


def read_labels(labels_path: Path, *, required: tuple[str, ...], error: type[ValueError]) -> pd.DataFrame:
    """``labels.csv`` parsed and checked row by row (line numbers count the header as line 1)."""
    if not labels_path.is_file():
        raise error(f"`corpus` must contain labels.csv; not found in {labels_path.parent}.")
    try:
        table = pd.read_csv(labels_path, dtype={"file": str, "kind": str, "truth": str, "split": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split())
        raise error(f"{labels_path} is not a readable CSV table: {reason}.") from None
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise error(f"labels.csv must have columns {list(required)}; missing {missing}.")
    table = table.reset_index(drop=True)
    for column, allowed in (
        ("kind", ANSWER_KINDS),
        ("truth", TRUTH_LABELS),
        ("split", ("train", "test")),
    ):
        _check_values(labels_path, table, column, table[column].isin(allowed), f"one of {allowed}", error)
    _check_values(
        labels_path,
        table,
        "truth",
        table["truth"] == table["kind"].map(dict(TRUTH_OF_KIND)),
        "the truth of the row's `kind`",
        error,
    )
    _check_values(
        labels_path, table, "file", table["file"].notna() & (table["file"].str.strip() != ""), "a path", error
    )
    for column in ("speech_start_s", "greeting_end_s"):
        values = pd.to_numeric(table[column], errors="coerce")
        ok = (values.notna() | table[column].isna()) & ~(values < 0) & ~values.isin([float("inf")])
        _check_values(labels_path, table, column, ok, "a finite number of seconds >= 0, or empty", error)
        table[column] = values
    return table


def _check_values(
    labels_path: Path, table: pd.DataFrame, column: str, ok: pd.Series, rule: str, error: type[ValueError]
) -> None:
    """Raise ``error`` naming the first row of ``table`` where ``ok`` is false."""
    bad = table.index[~ok.fillna(False).astype(bool)]
    if len(bad):
        i = int(bad[0])
        value = table.at[i, column]
        value = value.item() if hasattr(value, "item") else value  # numpy scalar -> plain repr
        raise error(
            f"{labels_path} line {i + 2}: `{column}` must be {rule}; got {value!r} ({len(bad)} bad rows)."
        )
