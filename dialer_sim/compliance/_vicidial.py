"""Import VICIdial's ``vicidial_log`` export (CSV) as call records.

The schema and the statuses are described in ``docs/sources.md`` §3.8 (read from
VICIdial's ``extras/MySQL_AST_CREATE_tables.sql`` and ``bin/AST_VDadapt.pl``).
Each status maps to a *category*, which fixes our ``network_outcome`` and
``disposition`` and VICIdial's own ``human_answered`` flag (docs/compliance.md
has the full table).

What VICIdial does not record
-----------------------------
``vicidial_log`` has one time per call (``call_date``/``start_epoch``) and a
length. It records no ring time, no first word or end of the called party's
greeting, no detector decision time and no agent connection time. Those columns
are NaN in the imported frame and listed in ``frame.attrs['unrecorded_columns']``;
regimes that need them report their windows as not computable, with the reason.
Only VICIdial's own drop % (and its UK option) is computable, from the statuses,
exactly as ``AST_VDadapt.pl`` computes it.

Conventions
-----------
- ``dial_at_s`` is ``call_date`` in seconds since local midnight of the earliest
  ``call_date`` in the file (``frame.attrs['day0_date']``), on the server's
  wall clock: days are midnight to midnight local time, as VICIdial counts them.
- Line numbers in messages count the header as line 1.
- ``agent_id`` numbers the distinct agent users in order of first appearance;
  ``VDAD`` (the dialer itself) and empty users are -1.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from callvocab import CDR_COLUMNS

from .._inputs import utf8_rule
from ..errors import RecordsError

__all__ = ["VICIDIAL_CATEGORIES", "VICIDIAL_STATUSES", "read_vicidial_log", "vicidial_status_counts"]


@dataclass(frozen=True)
class _Category:
    network_outcome: str
    disposition: str
    human_answered: bool


# category -> our network outcome and disposition ("" = not determinable), VICIdial human_answered flag.
VICIDIAL_CATEGORIES: dict[str, _Category] = {
    "drop": _Category("answered", "abandoned", True),
    "human_agent": _Category("answered", "human_to_agent", True),
    "human_other": _Category("answered", "", True),
    "machine_agent": _Category("answered", "machine_to_agent", False),
    "machine_amd": _Category("answered", "machine_hangup", False),
    "fax": _Category("answered", "fax", False),
    "answered_other": _Category("answered", "", False),
    "no_answer": _Category("no_answer", "no_answer", False),
    "busy": _Category("busy", "busy", False),
    "unobtainable": _Category("unobtainable", "unobtainable", False),
    "not_dialled": _Category("", "", False),
    "in_progress": _Category("", "", False),
}

# VICIdial's default system statuses (vicidial_statuses), docs/sources.md §3.8.
VICIDIAL_STATUSES: dict[str, str] = {
    **dict.fromkeys(("DROP", "XDROP"), "drop"),
    **dict.fromkeys(
        (
            "SALE",
            "NI",
            "NP",
            "DNC",
            "CALLBK",
            "CBHOLD",
            "DEC",
            "XFER",
            "RQXFER",
            "IVRXFR",
            "SVYCLM",
            "MLINAT",
            "QCFAIL",
        ),
        "human_agent",
    ),
    # Human-answered but neither a drop nor an agent's disposition: PDROP (outbound
    # pre-routing drop, not counted as a drop by AST_VDadapt.pl), inbound queue drops, errors.
    **dict.fromkeys(("PDROP", "TIMEOT", "AFTHRS", "NANQUE", "IQNANQ", "MAXCAL", "LRERR"), "human_other"),
    **dict.fromkeys(("A", "AM", "AL"), "machine_agent"),
    "AA": "machine_amd",
    "AFAX": "fax",
    **dict.fromkeys(("DAIR", "PU", "PM"), "answered_other"),
    **dict.fromkeys(("NA", "N"), "no_answer"),
    **dict.fromkeys(("B", "AB"), "busy"),
    **dict.fromkeys(("DC", "ADC"), "unobtainable"),
    **dict.fromkeys(("DNCL", "DNCC"), "not_dialled"),
    "INCALL": "in_progress",
}

# A time-zone designator after the time: Z, +hh, +hh:mm or +hhmm (ISO 8601).
_ZONE = r":\d{2}(?:\.\d*)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"
_REQUIRED = ("uniqueid", "lead_id", "campaign_id", "call_date", "length_in_sec", "status", "user")
_UNRECORDED = (
    "caller_id",
    "ring_s",
    "answer_kind",
    "speech_start_at_s",
    "greeting_end_at_s",
    "amd_decided_at_s",
    "agent_connect_at_s",
)
_ENDED_BY = {
    "CALLER": "callee",
    "ABANDON": "callee",
    "AGENT": "agent",
    "QUEUETIMEOUT": "dialer",
    "AFTERHOURS": "dialer",
    "SYSTEM": "dialer",
}


def _read_raw(path: str | os.PathLike[str]) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise RecordsError(f"vicidial_log {os.fspath(path)!r} is empty (no header, no rows).") from None
    except pd.errors.ParserError as exc:
        raise RecordsError(f"vicidial_log {os.fspath(path)!r} is not a readable CSV: {exc}".strip()) from None
    except UnicodeDecodeError:
        # A Parquet or spreadsheet file passed as a VICIdial export, or a non-UTF-8 export.
        raise RecordsError(f"vicidial_log {os.fspath(path)!r} is not a readable CSV: {utf8_rule(path)}.") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise RecordsError(
            f"vicidial_log {os.fspath(path)!r} line 1: missing column(s) {', '.join(missing)}; "
            f"needs {', '.join(_REQUIRED)}."
        )
    if raw.empty:
        raise RecordsError(f"vicidial_log {os.fspath(path)!r} has a header but no rows.")
    return raw


def _numeric(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parsed values (NaN when empty) and a mask of non-empty cells that are not finite numbers ('inf' too)."""
    values = pd.to_numeric(col.str.strip().replace("", np.nan), errors="coerce").to_numpy(float)
    return values, ~np.isfinite(values) & (col.str.strip() != "").to_numpy()


def _parse_call_dates(text: pd.Series) -> pd.Series:
    """Naive timestamps, NaT where a value does not parse (or carries a zone the pattern missed)."""
    try:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is None:
            return parsed
    except (ValueError, TypeError):
        pass
    return pd.Series([_parse_one(t) for t in text], index=text.index, dtype="datetime64[ns]")


def _parse_one(value: str) -> pd.Timestamp:
    try:
        stamp = pd.to_datetime(value, format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    return pd.NaT if stamp is pd.NaT or stamp.tzinfo is not None else stamp


def _row_problems(raw: pd.DataFrame, statuses: Mapping[str, str]) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """First problem of each row ('' when fine), plus the parsed columns."""
    problems = pd.Series("", index=raw.index, dtype=object)

    def flag(mask: np.ndarray, messages: pd.Series | str) -> None:
        new = np.asarray(mask, bool) & (problems == "").to_numpy()
        msgs = messages if isinstance(messages, str) else messages[new]
        problems[new] = msgs

    text = raw["call_date"].str.strip()
    # VICIdial writes the server's wall clock with no zone (docs/sources.md §4.11): a value with an offset
    # is not from its export, and mixing it with local times would shift its day. Such a row is bad.
    zoned = text.str.contains(_ZONE, regex=True).to_numpy()
    flag(zoned, "call_date must be the server's local time with no time-zone offset (as VICIdial writes it); got "
         + raw["call_date"].map(repr))
    call_date = _parse_call_dates(text.where(~zoned, ""))
    flag(call_date.isna().to_numpy(), "unparseable call_date " + raw["call_date"].map(repr))
    length, bad_length = _numeric(raw["length_in_sec"])
    flag(bad_length, "unparseable length_in_sec " + raw["length_in_sec"].map(repr))
    flag(length < 0, "negative duration: length_in_sec = " + raw["length_in_sec"])
    if {"start_epoch", "end_epoch"} <= set(raw.columns):
        start, bad_start = _numeric(raw["start_epoch"])
        end, bad_end = _numeric(raw["end_epoch"])
        flag(bad_start | bad_end, "unparseable start_epoch/end_epoch")
        flag(
            end < start,
            "negative duration: end_epoch " + raw["end_epoch"] + " < start_epoch " + raw["start_epoch"],
        )
    lead_text = raw["lead_id"].str.strip()
    lead_ok = lead_text.str.fullmatch(r"\d{1,18}").to_numpy()  # digits only: 1.5 and 1e30 are no lead ids
    lead = pd.to_numeric(lead_text.where(lead_ok, "0")).to_numpy(np.int64)
    flag(~lead_ok, "lead_id must be an integer in [0, 10^18); got " + raw["lead_id"].map(repr))
    if "called_count" in raw.columns:
        called = raw["called_count"].str.strip()
        flag(~(called.str.fullmatch(r"\d{1,6}") | (called == "")).to_numpy(),
             "called_count must be an integer in [0, 999999] or empty; got " + raw["called_count"].map(repr))
    flag((raw["campaign_id"].str.strip() == "").to_numpy(), "empty campaign_id")
    status = raw["status"].str.strip()
    flag(
        ~status.isin(list(statuses)).to_numpy(),
        "unknown status code " + status.map(repr) + " (map campaign statuses with --status CODE=CATEGORY)",
    )
    uid = raw["uniqueid"].str.strip()
    first_line = uid.map(uid.reset_index().groupby("uniqueid")["index"].min() + 2)
    flag(
        uid.duplicated().to_numpy(),
        "duplicate uniqueid " + uid.map(repr) + " (first on line " + first_line.astype(str) + ")",
    )
    return problems, {"call_date": call_date, "length": length, "lead": lead}


def read_vicidial_log(
    path: str | os.PathLike[str],
    *,
    skip_bad_rows: bool = False,
    extra_statuses: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a ``vicidial_log`` CSV export into a CDR-shaped frame.

    Parameters
    ----------
    path : path-like
        The CSV file (header row with VICIdial's column names).
    skip_bad_rows : bool
        ``False``: the first bad row raises. ``True``: bad rows are dropped and
        counted in ``frame.attrs['n_bad_rows']`` (messages in ``attrs['bad_rows']``).
    extra_statuses : mapping of str to str or None
        Campaign statuses (``vicidial_campaign_statuses``) mapped to a category of
        :data:`VICIDIAL_CATEGORIES`; a log alone cannot tell whether they count as answered.

    Returns
    -------
    pd.DataFrame
        The CDR columns plus ``vicidial_status``, ``vicidial_category``,
        ``vicidial_user``, ``vicidial_uniqueid`` and ``source_line``; ``attrs``
        holds ``source='vicidial'``, ``unrecorded_columns``, ``day0_date``,
        ``n_bad_rows`` and ``bad_rows``.

    Raises
    ------
    RecordsError
        Empty file, missing columns, or (without ``skip_bad_rows``) the first
        bad row, with its line number: unparseable timestamp or number, negative
        duration, unknown status, duplicate ``uniqueid``, empty campaign.
    """
    statuses = dict(VICIDIAL_STATUSES)
    for code, category in (extra_statuses or {}).items():
        if category not in VICIDIAL_CATEGORIES:
            raise RecordsError(
                f"status {code!r} mapped to unknown category {category!r}; "
                f"categories: {', '.join(VICIDIAL_CATEGORIES)}."
            )
        statuses[code] = category
    raw = _read_raw(path)
    problems, parsed = _row_problems(raw, statuses)
    bad = (problems != "").to_numpy()
    lines = raw.index.to_numpy() + 2
    messages = [f"line {ln}: {msg}" for ln, msg in zip(lines[bad], problems[bad], strict=True)]
    if messages and not skip_bad_rows:
        more = f" (and {len(messages) - 1} more bad rows)" if len(messages) > 1 else ""
        raise RecordsError(
            f"vicidial_log {os.fspath(path)!r} {messages[0]}{more}; pass --skip-bad-rows to skip and count them."
        )
    keep = ~bad
    if not keep.any():
        raise RecordsError(f"vicidial_log {os.fspath(path)!r}: every row is bad; first: {messages[0]}.")
    frame = _to_records(raw[keep], {k: v[keep] for k, v in parsed.items()}, statuses, lines[keep])
    frame.attrs.update(n_bad_rows=len(messages), bad_rows=messages)
    return frame


def _to_records(
    raw: pd.DataFrame, parsed: dict, statuses: Mapping[str, str], lines: np.ndarray
) -> pd.DataFrame:
    call_date = pd.DatetimeIndex(parsed["call_date"])
    day0 = call_date.min().normalize()
    dial_at_s = np.asarray((call_date - day0).total_seconds(), dtype=float)
    status = raw["status"].str.strip().to_numpy()
    category = np.array([statuses[s] for s in status], dtype=object)
    user = raw["user"].str.strip().to_numpy()
    agent_users = pd.unique(user[(user != "VDAD") & (user != "")])
    agent_code = {u: i for i, u in enumerate(agent_users)}
    n = len(raw)
    called = raw["called_count"] if "called_count" in raw.columns else pd.Series("0", index=raw.index)
    term = raw["term_reason"].str.strip() if "term_reason" in raw.columns else pd.Series("", index=raw.index)
    cols = {
        "campaign_id": raw["campaign_id"].str.strip().to_numpy(),
        "day": np.floor(dial_at_s / 86_400.0).astype(np.int32),
        "number_id": parsed["lead"].astype(np.int64),
        "attempt": pd.to_numeric(called.str.strip().replace("", "0")).to_numpy().astype(np.int32),
        "caller_id": np.full(n, "", dtype=object),
        "dial_at_s": dial_at_s,
        "network_outcome": np.array([VICIDIAL_CATEGORIES[c].network_outcome for c in category], dtype=object),
        "ring_s": np.full(n, np.nan),
        "answer_kind": np.full(n, "", dtype=object),
        "speech_start_at_s": np.full(n, np.nan),
        "greeting_end_at_s": np.full(n, np.nan),
        "amd_label": np.where(category == "machine_amd", "machine", "").astype(object),
        "amd_decided_at_s": np.full(n, np.nan),
        "agent_id": np.array([agent_code.get(u, -1) for u in user], dtype=np.int32),
        "agent_connect_at_s": np.full(n, np.nan),
        "end_at_s": dial_at_s + parsed["length"],
        "ended_by": term.map(_ENDED_BY).fillna("").to_numpy(dtype=object),
        "disposition": np.array([VICIDIAL_CATEGORIES[c].disposition for c in category], dtype=object),
    }
    frame = pd.DataFrame({name: cols[name] for name in CDR_COLUMNS})
    frame["vicidial_status"] = status
    frame["vicidial_category"] = category
    frame["vicidial_user"] = user
    frame["vicidial_uniqueid"] = raw["uniqueid"].str.strip().to_numpy()
    frame["source_line"] = lines
    frame.attrs.update(source="vicidial", unrecorded_columns=list(_UNRECORDED), day0_date=day0.date())
    return frame


def vicidial_status_counts(records: pd.DataFrame) -> pd.DataFrame:
    """Per-call 0/1 counts for VICIdial's drop % from the imported statuses.

    Follows ``AST_VDadapt.pl`` (``docs/sources.md`` §3.5): drops are DROP and
    XDROP; answers are human-answered statuses (drops included); for the UK
    option, L is human-answered rows whose user is an agent (not VDAD) and AM the
    answering-machine statuses an agent set.
    """
    category = records["vicidial_category"].to_numpy()
    agent = (records["vicidial_user"] != "VDAD").to_numpy() & (records["vicidial_user"] != "").to_numpy()
    human_answered = np.array([VICIDIAL_CATEGORIES[c].human_answered for c in category], dtype=bool)
    drop = category == "drop"
    return pd.DataFrame(
        {
            "numerator": drop.astype(float),
            "denominator": human_answered.astype(float),
            "n_drops": drop.astype(float),
            "n_live_to_agent": (human_answered & agent).astype(float),
            "n_machine_to_agent": ((category == "machine_agent") & agent).astype(float),
        },
        index=records.index,
    )
