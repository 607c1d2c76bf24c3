"""Fuzzing call-record files given to ``dialer-sim compliance`` (hypothesis).

Each example starts from a valid file, the project's own CDR (CSV or Parquet) or a VICIdial
``vicidial_log`` export, and mutates it: a column dropped, renamed or added; cells replaced by
wrong types, non-finite or huge numbers, unicode; rows duplicated; ``call_date`` given a
time-zone offset; then perhaps the delimiter, the encoding or the bytes changed (truncation,
a stray byte). Parquet columns get other types (timestamps, strings, booleans). The property:
either the rates are written (``--json``), or exit status 2 with one line on stderr, no
traceback, and the output folder exactly as it was.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fuzz_harness import FUZZ, FUZZ_SLOW, assert_refused_or_done, run_main, snapshot
from hypothesis import event, given, reject
from hypothesis import strategies as st

import dialer_sim as ds
from dialer_sim.cli import main

DATA = Path(__file__).parent / "data"
VICIDIAL = pd.read_csv(DATA / "vicidial_log_sample.csv", dtype=str, keep_default_na=False)
_CFG = ds.config_from_dict({"campaign": {"n_numbers": 120, "shift_length_s": 900.0}, "agents": {"n_agents": 2}})
CDR = ds.run(_CFG, seed=14).records
REGIMES = {"cdr": ["ofcom2010", "ftc", "crtc", "vicidial", "genesys"], "vicidial": ["vicidial", "ofcom2010"]}

CELLS = st.one_of(
    st.sampled_from(["", "nan", "inf", "-inf", "-1", "0", "1.5", "1e30", "1e309", "99999999999999999999", "NULL",
                     "true", "2024-03-04 09:18:29+01:00", "2024-03-04T09:18:29Z", "2024-02-30 10:00:00",
                     "human", "answered", "DROP", "VDAD", " ", "\u00e9\u00e8", "\u202e", "0x10"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)


def _frame_ops(columns: list[str]):
    col = st.sampled_from(columns)
    return st.lists(st.one_of(
        st.tuples(st.just("cell"), st.integers(0, 200), col, CELLS),
        st.tuples(st.just("drop"), col),
        st.tuples(st.just("rename"), col, st.text(min_size=1, max_size=10)),
        st.tuples(st.just("add"), st.text(min_size=1, max_size=10), CELLS),
        st.tuples(st.just("duplicate"), st.lists(st.integers(0, 200), min_size=1, max_size=4)),
        st.tuples(st.just("zone"), st.lists(st.integers(0, 200), min_size=1, max_size=4),
                  st.sampled_from(["+01:00", "-0500", "Z", " +02:00", "+05:30"])),
    ), min_size=1, max_size=4)


TEXT_OPS = st.tuples(
    st.sampled_from([",", ",", ";", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]),
    st.one_of(st.just(None), st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
              st.tuples(st.just("byte"), st.floats(0.0, 1.0), st.integers(0, 255))),
)


def _apply(frame: pd.DataFrame, ops) -> pd.DataFrame:
    frame = frame.astype(str).copy()
    for op in ops:
        kind = op[0]
        if kind == "cell" and op[2] in frame.columns and len(frame):
            frame.iat[op[1] % len(frame), frame.columns.get_loc(op[2])] = op[3]
        elif kind == "drop" and op[1] in frame.columns:
            frame = frame.drop(columns=[op[1]])
        elif kind == "rename" and op[1] in frame.columns:
            frame = frame.rename(columns={op[1]: op[2]})
        elif kind == "add":
            frame[op[1]] = op[2]
        elif kind == "duplicate" and len(frame):
            frame = pd.concat([frame, frame.iloc[[i % len(frame) for i in op[1]]]], ignore_index=True)
        elif kind == "zone" and "call_date" in frame.columns and len(frame):
            for i in op[1]:
                j = i % len(frame)
                frame.iat[j, frame.columns.get_loc("call_date")] = frame["call_date"].iat[j] + op[2]
    return frame


def _encode(frame: pd.DataFrame, text_ops) -> bytes:
    sep, encoding, corruption = text_ops
    text = frame.to_csv(index=False, sep=sep)
    raw = text.encode(encoding, errors="replace")
    if corruption is None:
        return raw
    at = int(corruption[1] * len(raw))
    return raw[:at] if corruption[0] == "truncate" else raw[:at] + bytes([corruption[2]]) + raw[at:]


def _check(tmp_path: Path, path: Path, fmt: str, regime: str, skip: bool) -> None:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "earlier.txt").write_text("an earlier result\n", encoding="utf-8")
    before = snapshot(out)
    argv = ["compliance", str(path), "--regime", regime, "--json", str(out / "rates.json"), "--format", fmt]
    status, _, err = run_main(main, argv + (["--skip-bad-rows"] if skip else []))
    outcome = assert_refused_or_done(status, err, before, snapshot(out))
    event(f"{fmt}: {outcome}")
    if outcome == "ok":
        assert (out / "rates.json").exists()
        assert (out / "earlier.txt").read_text(encoding="utf-8") == "an earlier result\n"


def _check_csv(tmp_path_factory, name: str, data: bytes, fmt: str, regime: str, skip: bool) -> None:
    """:func:`_check` on ``data`` written as ``name`` in a fresh folder."""
    tmp_path = tmp_path_factory.mktemp("r")
    (tmp_path / name).write_bytes(data)
    _check(tmp_path, tmp_path / name, fmt, regime, skip)


@FUZZ
@given(ops=_frame_ops(list(CDR.columns)), text_ops=TEXT_OPS, regime=st.sampled_from(REGIMES["cdr"]),
       skip=st.booleans())
def test_fuzz_cdr_csv(tmp_path_factory, ops, text_ops, regime, skip):
    _check_csv(tmp_path_factory, "records.csv", _encode(_apply(CDR, ops), text_ops), "cdr", regime, skip)


@FUZZ
@given(ops=_frame_ops(list(VICIDIAL.columns)), text_ops=TEXT_OPS, regime=st.sampled_from(REGIMES["vicidial"]),
       skip=st.booleans())
def test_fuzz_vicidial_log(tmp_path_factory, ops, text_ops, regime, skip):
    _check_csv(tmp_path_factory, "vicidial_log.csv", _encode(_apply(VICIDIAL, ops), text_ops), "vicidial", regime,
               skip)


PARQUET_TYPES = st.sampled_from(["timestamp", "timedelta", "string", "bool", "float32", "int8", "object_mixed",
                                 "category", "nan"])


def _retype(frame: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    frame = frame.copy()
    col = frame[column]
    numeric = pd.api.types.is_numeric_dtype(col)
    if kind == "timestamp" and numeric:
        frame[column] = pd.to_datetime(col.fillna(0), unit="s")
    elif kind == "timedelta" and numeric:
        frame[column] = pd.to_timedelta(col.fillna(0), unit="s")
    elif kind == "string":
        frame[column] = col.astype(str)
    elif kind == "bool":
        frame[column] = col.notna()
    elif kind == "float32" and numeric:
        frame[column] = col.astype("float32")
    elif kind == "int8" and numeric:
        frame[column] = col.fillna(0).astype("int64").astype("int8")
    elif kind == "object_mixed":
        frame[column] = ["x" if i % 3 == 0 else str(v) for i, v in enumerate(col)]  # text among the values
    elif kind == "category":
        frame[column] = col.astype("category")
    elif kind == "nan":
        frame[column] = np.nan
    return frame


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(list(CDR.columns)), PARQUET_TYPES), min_size=1, max_size=3),
       duplicate=st.booleans(), regime=st.sampled_from(REGIMES["cdr"]), skip=st.booleans())
def test_fuzz_cdr_parquet_types(tmp_path_factory, changes, duplicate, regime, skip):
    tmp_path = tmp_path_factory.mktemp("r")
    frame = CDR
    for column, kind in changes:
        frame = _retype(frame, column, kind)
    if duplicate:
        frame = pd.concat([frame, frame.iloc[:3]], ignore_index=True)
    path = tmp_path / "records.parquet"
    try:
        frame.to_parquet(path)
    except (TypeError, ValueError, OverflowError):  # pyarrow cannot store this mix: not a Parquet file
        reject()
    _check(tmp_path, path, "cdr", regime, skip)


@pytest.mark.slow
@FUZZ_SLOW
@given(fmt=st.sampled_from(["cdr", "vicidial"]), data=st.data())
def test_fuzz_records_more_examples(tmp_path_factory, fmt, data):
    base = CDR if fmt == "cdr" else VICIDIAL
    ops = data.draw(_frame_ops(list(base.columns)))
    text_ops = data.draw(TEXT_OPS)
    tmp_path = tmp_path_factory.mktemp("r")
    path = tmp_path / "records.csv"
    path.write_bytes(_encode(_apply(base, ops), text_ops))
    _check(tmp_path, path, fmt, data.draw(st.sampled_from(REGIMES[fmt])), data.draw(st.booleans()))


def test_the_real_executable_refuses_a_zoned_vicidial_row(tmp_path):
    """The installed `dialer-sim` (a subprocess): one line naming the row and field, exit 2, no --json."""
    frame = VICIDIAL.copy()
    frame.loc[2, "call_date"] = frame.loc[2, "call_date"] + "+01:00"
    path = tmp_path / "vicidial_log.csv"
    frame.to_csv(path, index=False)
    exe = Path(sys.executable).with_name("dialer-sim")
    proc = subprocess.run([str(exe), "compliance", str(path), "--format", "vicidial", "--regime", "vicidial",
                           "--json", str(tmp_path / "r.json")], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    assert "line 4: call_date must be the server's local time with no time-zone offset" in proc.stderr
    assert not (tmp_path / "r.json").exists()
