"""The AMD behaviour table: what a detector did on each measured clip.

The AMD benchmark writes it (``behaviour.csv``, one block of rows per detector) and the
dialer simulation samples it (``amd.mode = "empirical"``): for each answered call of a kind,
one measured clip of that kind gives the label, the decision time and the speech timing.

Columns (``BEHAVIOUR_COLUMNS``): ``kind`` (an answer kind), ``label`` (``human``, ``machine``
or ``notsure``), ``decided_at_s`` (a finite number >= 0), ``speech_start_s`` and
``greeting_end_s`` (empty when the clip has no speech, else a finite number >= 0). The
benchmark's file adds ``detector`` in front (``BENCHMARK_BEHAVIOUR_COLUMNS``).

Conventions
-----------
- Times are seconds from the moment of answer.
- A rule broken is reported as ``"<where>: <column> must be <rule> (row N)"``, where row 1 is
  the header line of the file, so row N is line N of a CSV file.
- The content hash (:func:`behaviour_sha256`) is the SHA-256 of a canonical text form of the
  five columns, row by row in table order; it does not depend on the pandas or pyarrow
  version, the file format (CSV or Parquet) or extra columns.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .kinds import AMD_LABELS, ANSWER_KINDS

__all__ = [
    "BEHAVIOUR_COLUMNS",
    "BENCHMARK_BEHAVIOUR_COLUMNS",
    "MAX_TABLE_BYTES",
    "BehaviourTable",
    "BehaviourTableError",
    "behaviour_sha256",
    "check_behaviour_table",
    "read_behaviour_table",
]

#: Columns of a behaviour table, in file order.
BEHAVIOUR_COLUMNS: tuple[str, ...] = ("kind", "label", "decided_at_s", "speech_start_s", "greeting_end_s")
#: Columns of the AMD benchmark's ``behaviour.csv``: the detector, then a behaviour table.
BENCHMARK_BEHAVIOUR_COLUMNS: tuple[str, ...] = ("detector", *BEHAVIOUR_COLUMNS)
#: Largest behaviour-table file read, in bytes (a benchmark of thousands of clips is well below).
MAX_TABLE_BYTES = 64 * 2**20
_TIMING_COLUMNS = ("speech_start_s", "greeting_end_s")


class BehaviourTableError(ValueError):
    """A behaviour table that is missing, unreadable or breaks a rule of its schema."""


def _first_bad(bad: np.ndarray) -> int:
    """Row number (the header is row 1) of the first ``True`` in ``bad``."""
    return int(np.flatnonzero(bad)[0]) + 2


def _check_times(frame: pd.DataFrame, where: str, error: type[Exception]) -> None:
    """``decided_at_s`` a finite number >= 0; the speech timings empty or a finite number >= 0."""
    if "decided_at_s" in frame.columns:
        dec = pd.to_numeric(frame["decided_at_s"], errors="coerce").to_numpy(dtype=float)
        for bad, rule in ((np.isnan(dec) | (dec < 0), "a number >= 0"), (np.isinf(dec), "finite")):
            if bad.any():
                raise error(f"{where}: decided_at_s must be {rule} (row {_first_bad(bad)}).")
    for col in _TIMING_COLUMNS:
        if col not in frame.columns:
            continue
        raw = frame[col]
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = (np.isnan(num) & raw.notna().to_numpy()) | ~(np.isnan(num) | (np.isfinite(num) & (num >= 0)))
        if bad.any():
            row = _first_bad(bad)
            value = raw.iloc[row - 2]
            value = value.item() if isinstance(value, np.generic) else value
            raise error(f"{where}: {col} must be empty or a finite number >= 0 (row {row}); got {value!r}.")


def check_behaviour_table(
    frame: pd.DataFrame,
    *,
    where: str = "behaviour table",
    columns: tuple[str, ...] = BEHAVIOUR_COLUMNS,
    error: type[Exception] = BehaviourTableError,
) -> pd.DataFrame:
    """Check a behaviour table's columns and values; return it unchanged.

    Parameters
    ----------
    frame : pandas.DataFrame
    where : str
        The setting, option or file the table came from; it leads every message.
    columns : tuple of str
        The columns it must have (``BEHAVIOUR_COLUMNS``; ``BENCHMARK_BEHAVIOUR_COLUMNS`` for
        the benchmark's file; a reader that needs fewer names those). Each behaviour column
        present is checked.
    error : exception class
        Raised with a one-line message naming the column, the rule and the row or value.

    Raises
    ------
    error
        Not a DataFrame, a missing column, no rows, an unknown kind or label, a decision time
        that is missing, negative or infinite, or a speech timing that is not empty or a
        finite number >= 0.
    """
    if not isinstance(frame, pd.DataFrame):
        raise error(f"{where} must be a table (a pandas DataFrame); got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise error(f"{where} lacks the column(s) {missing}; needs {list(columns)}.")
    if frame.empty:
        raise error(f"{where} has a header but no rows.")
    if "kind" in frame.columns:
        bad_kind = sorted(set(frame["kind"].astype(str)) - set(ANSWER_KINDS))
        if bad_kind:
            raise error(f"{where}: kind must be one of the answer kinds; got {bad_kind[0]!r}.")
    if "label" in frame.columns:
        bad_label = sorted(set(frame["label"].astype(str)) - set(AMD_LABELS))
        if bad_label:
            raise error(f"{where}: label must be human, machine or notsure; got {bad_label[0]!r}.")
    _check_times(frame, where, error)
    return frame


def read_behaviour_table(
    path: str | os.PathLike[str],
    *,
    where: str = "behaviour table",
    columns: tuple[str, ...] = BEHAVIOUR_COLUMNS,
    error: type[Exception] = BehaviourTableError,
) -> pd.DataFrame:
    """Read (CSV, or Parquet by its ``.parquet`` suffix) and check a behaviour table.

    Messages start with ``where`` and the path; see :func:`check_behaviour_table`.

    Raises
    ------
    error
        No such file, a file over ``MAX_TABLE_BYTES``, an empty, binary or corrupted file,
        or a table that breaks a rule.
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{where} must name an existing file; got {str(path)!r}.")
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        raise error(f"{where} {str(path)!r} must be at most {MAX_TABLE_BYTES} bytes; got {size}.")
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise error(f"{where} {str(path)!r} is empty (no header, no rows).") from None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError) as exc:
        detail = " ".join(str(exc).split())
        raise error(f"{where} {str(path)!r} is not a readable table: {detail}") from None
    return check_behaviour_table(frame, where=f"{where} {str(path)!r}", columns=columns, error=error)


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """The five columns of a checked table: strings, then float64 seconds (NaN where empty)."""
    out = pd.DataFrame({c: frame[c].astype(str).to_numpy(dtype=object) for c in BEHAVIOUR_COLUMNS[:2]})
    for col in BEHAVIOUR_COLUMNS[2:]:
        out[col] = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
    return out


def _number(x: float) -> str:
    return "nan" if math.isnan(x) else repr(float(x))


def behaviour_sha256(frame: pd.DataFrame) -> str:
    """SHA-256 (hex) of a checked behaviour table's canonical text.

    The text is UTF-8: the line ``kind,label,decided_at_s,speech_start_s,greeting_end_s``,
    then one line per row in table order with the kind and label as written and each time
    as Python's shortest round-trip ``repr`` of its float64 value (``nan`` when empty); every
    line ends with ``\\n``. Extra columns (``detector``) and the index are not part of it.
    """
    norm = _normalised(frame)
    lines = [",".join(BEHAVIOUR_COLUMNS)]
    times = [norm[c].tolist() for c in BEHAVIOUR_COLUMNS[2:]]
    for kind, label, *row in zip(norm["kind"], norm["label"], *times, strict=True):
        lines.append(",".join([kind, label, *(_number(x) for x in row)]))
    return hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()


class BehaviourTable:
    """A checked, read-only behaviour table with its content hash.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; checked with :func:`check_behaviour_table`. Only the five behaviour
        columns are kept (a ``detector`` column is dropped), as strings and float64 seconds.
    source : str or None
        The file it was read from, or None for a table built in memory.
    where, error
        As in :func:`check_behaviour_table`.

    Attributes
    ----------
    sha256 : str
        :func:`behaviour_sha256` of the table.
    n_rows : int
    source : str or None

    Notes
    -----
    Two tables are equal when their content hashes are. :attr:`frame` returns a copy, so the
    table cannot be changed after it was checked and hashed.
    """

    __slots__ = ("_frame", "n_rows", "sha256", "source")

    def __init__(self, frame: pd.DataFrame, *, source: str | None = None, where: str = "behaviour table",
                 error: type[Exception] = BehaviourTableError):
        norm = _normalised(check_behaviour_table(frame, where=where, error=error))
        for name, value in (("_frame", norm), ("n_rows", len(norm)), ("sha256", behaviour_sha256(norm)),
                            ("source", None if source is None else str(source))):
            object.__setattr__(self, name, value)

    @classmethod
    def read(cls, path: str | os.PathLike[str], *, where: str = "behaviour table",
             error: type[Exception] = BehaviourTableError) -> BehaviourTable:
        """Read and check a behaviour-table file (:func:`read_behaviour_table`)."""
        frame = read_behaviour_table(path, where=where, error=error)
        return cls(frame, source=os.fspath(path), where=f"{where} {os.fspath(path)!r}", error=error)

    @property
    def frame(self) -> pd.DataFrame:
        """A copy of the table (the five behaviour columns)."""
        return self._frame.copy()

    def record(self) -> dict[str, object]:
        """``{"table_sha256": ..., "table_rows": ...}``: what a run's record says of the table."""
        return {"table_sha256": self.sha256, "table_rows": self.n_rows}

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"BehaviourTable is read-only; cannot set {name!r}.")

    def __reduce__(self):
        return (_restore, (self._frame, self.source))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BehaviourTable) and other.sha256 == self.sha256

    def __hash__(self) -> int:
        return hash(self.sha256)

    def __repr__(self) -> str:
        return f"BehaviourTable(n_rows={self.n_rows}, sha256={self.sha256[:12]!r}..., source={self.source!r})"


def _restore(frame: pd.DataFrame, source: str | None) -> BehaviourTable:
    return BehaviourTable(frame, source=source)
