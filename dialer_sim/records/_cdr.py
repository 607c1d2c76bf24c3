"""The call record (CDR): one immutable row per dial attempt.

The same schema serves simulated and imported records (see ``docs/records.md``); the
columns, their types and the answer kinds are defined in ``callvocab`` and re-exported here.
Rows are collected in columnar batches and flushed to Parquet, so memory does
not grow with the length of a campaign.

Conventions
-----------
- Every instant (``*_at_s``) is in seconds since midnight at the start of the
  campaign's first day; day ``d`` spans ``[86400 d, 86400 (d + 1))``.
- Durations end in ``_s``. A time that did not happen is NaN; a label that does
  not apply is the empty string ``""`` in memory and null in Parquet/CSV.
- A records file written by the simulation carries ``campaign_start_date``
  (ISO date of day 0, ``campaign.start_date``) in its Parquet metadata.
- ``agent_id`` is a nullable integer: -1 in a :class:`CallRecord` when no
  agent was involved, null (``pd.NA``, dtype ``Int64``) in frames and files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from callvocab import AMD_LABELS, ANSWER_KINDS, HUMAN_KINDS
from callvocab.cdr import (
    CDR_COLUMNS,
    CDR_STRING_COLUMNS,
    DISPOSITIONS,
    ENDED_BY,
    NETWORK_OUTCOMES,
    START_DATE_KEY,
    CallRecord,
    records_schema,
)

from .._io import atomic_write

__all__ = [
    "AMD_LABELS",
    "ANSWER_KINDS",
    "CDR_COLUMNS",
    "DISPOSITIONS",
    "ENDED_BY",
    "HUMAN_KINDS",
    "NETWORK_OUTCOMES",
    "CallRecord",
    "RecordSink",
    "frame_from_arrow",
    "records_schema",
]



def _table_from_rows(rows: list[tuple]) -> pa.Table:
    """Rows in CDR column order as a table of the records schema: ``""`` labels and ``agent_id`` -1 become null.

    pyarrow converts the tuples as one struct array in a single pass (``StructArray.flatten`` then gives
    the columns), about 2.5 times faster than transposing the rows in Python first.
    """
    schema = records_schema()
    columns = []
    for field, column in zip(schema, pa.array(rows, type=pa.struct(list(schema))).flatten(), strict=True):
        if field.name in CDR_STRING_COLUMNS:
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, field.type), column)
        elif field.name == "agent_id":
            column = pc.if_else(pc.less(column, 0), pa.scalar(None, field.type), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def frame_from_arrow(table: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    """A call-record table as a DataFrame, ``agent_id`` as a nullable integer (``Int64``)."""
    frame = table.to_pandas()
    if "agent_id" in frame:
        frame["agent_id"] = frame["agent_id"].astype("Int64")
    return frame


class RecordSink:
    """Collects call records column by column and flushes them in batches.

    Parameters
    ----------
    path : path-like or None
        Parquet file to stream to. ``None`` keeps every record in memory
        (fine for tests and short runs).
    batch_rows : int > 0
        Rows held in memory before a batch is written.
    start_date : str or None
        ISO date of day 0, stored in the file's metadata as ``campaign_start_date``.

    Notes
    -----
    The file is written to a temporary name and renamed by :meth:`close`, so an
    interrupted run never leaves a truncated ``records.parquet`` behind.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, batch_rows: int = 65_536,
                 start_date: str | None = None):
        self.path = Path(path) if path is not None else None
        self._schema = records_schema()
        if start_date is not None:
            self._schema = self._schema.with_metadata({START_DATE_KEY: start_date})
        self.batch_rows = int(batch_rows)
        self._rows: list[tuple] = []
        #: The buffered rows (tuples in CDR column order): the model appends to this list directly and calls
        #: :meth:`flush` once it holds ``batch_rows`` (the hot path of the model).
        self.pending_rows = self._rows
        self.n_rows = 0
        self._tables: list[pa.Table] = []
        self._writer: pq.ParquetWriter | None = None
        self._tmp_path: Path | None = None

    def append(self, *values) -> None:
        """Append one record given as the CDR columns in order."""
        if len(values) != len(CDR_COLUMNS):
            raise ValueError(f"a call record has {len(CDR_COLUMNS)} columns; got {len(values)} values.")
        self._rows.append(values)
        self.maybe_flush()

    def maybe_flush(self) -> None:
        """Flush when a whole batch is buffered (the model calls this once per record)."""
        if len(self._rows) >= self.batch_rows:
            self.flush()

    def append_record(self, record: CallRecord) -> None:
        """Append one :class:`CallRecord`."""
        self.append(*(getattr(record, name) for name in CDR_COLUMNS))

    def flush(self) -> None:
        """Move the buffered rows into a batch (written to disk if streaming)."""
        if not self._rows:
            return
        table = _table_from_rows(self._rows)
        self.n_rows += len(self._rows)
        self._rows.clear()
        if self.path is None:
            self._tables.append(table)
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._tmp_path = self.path.with_name(f".{self.path.name}.partial")
            self._writer = pq.ParquetWriter(self._tmp_path, self._schema)
        self._writer.write_table(table)

    def close(self) -> None:
        """Flush and, when streaming, finalise the Parquet file atomically."""
        self.flush()
        if self.path is None:
            return
        if self._writer is None:  # no rows at all: still write a valid empty file
            atomic_write(self.path, lambda p: pq.write_table(self._schema.empty_table(), p))
            return
        self._writer.close()
        os.replace(self._tmp_path, self.path)
        self._writer = None

    def abort(self) -> None:
        """Drop a half-written stream: the partial file is removed and ``path`` is left as it was.

        A run that fails or is interrupted must not replace earlier records with a
        truncated file that would read as a finished campaign.
        """
        self._rows.clear()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._tmp_path is not None:
            self._tmp_path.unlink(missing_ok=True)
            self._tmp_path = None

    def to_frame(self) -> pd.DataFrame:
        """All in-memory records as a DataFrame in the CDR schema."""
        self.flush()
        if not self._tables:
            return frame_from_arrow(records_schema().empty_table())
        return frame_from_arrow(pa.concat_tables(self._tables))


def records_to_frame(rows: Iterable[CallRecord]) -> pd.DataFrame:
    """Build a CDR DataFrame from :class:`CallRecord` objects (tests, imports)."""
    sink = RecordSink(None)
    for r in rows:
        sink.append_record(r)
    return sink.to_frame()
