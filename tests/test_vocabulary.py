"""The shared vocabulary (callvocab): defined once, imported everywhere, and its behaviour-table validator.

The answer kinds, their truth labels, the default answer mix, the behaviour-table columns and the
call-record columns each have one definition, in ``callvocab``. A source scan fails when any other
module of the project writes one of them again (a literal tuple of answer kinds, a second column
list, a second mix, a second validator), and an import scan holds the dependency rule of
``docs/architecture.md``: ``amd`` and ``dialer_sim`` may both import ``callvocab``, ``atomicdir`` and
``oneline`` and nothing else of each other; those three import neither half.
"""

from __future__ import annotations

import ast
import hashlib
import math
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import callvocab as cv
from callvocab import behaviour as cvb

ROOT = Path(__file__).resolve().parent.parent
#: Every package and script folder of the project but the vocabulary's own home.
SCANNED = ("amd", "dialer_sim", "experiments", "scripts", "atomicdir", "oneline")
#: Names only callvocab may bind (anyone may import them, under any name).
VOCABULARY_NAMES = frozenset({
    "ANSWER_KINDS", "KINDS", "TRUTH", "TRUTH_OF_KIND", "TRUTH_LABELS", "HUMAN_KINDS", "VOICEMAIL_KINDS",
    "AMD_LABELS", "DEFAULT_ANSWER_MIX", "_DEFAULT_KIND_WEIGHTS", "BEHAVIOUR_COLUMNS",
    "BENCHMARK_BEHAVIOUR_COLUMNS", "CDR_COLUMNS", "NETWORK_OUTCOMES", "DISPOSITIONS", "ENDED_BY",
})
#: Functions only callvocab may define: the one behaviour-table validator, reader and hash.
VOCABULARY_FUNCTIONS = frozenset({"check_behaviour_table", "read_behaviour_table", "behaviour_sha256"})


def _strings(node: ast.AST) -> list[str]:
    elts = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else []
    return [e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def _is_number(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def redefinitions(source: str) -> list[str]:
    """What ``source`` writes again of the shared vocabulary, one line per finding."""
    kinds, beh, cdr = set(cv.ANSWER_KINDS), set(cv.BEHAVIOUR_COLUMNS), set(cv.CDR_COLUMNS)
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id in VOCABULARY_NAMES:
                    found.append(f"{where}: binds {t.id}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in VOCABULARY_FUNCTIONS:
            found.append(f"{where}: defines {node.name}")
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            strings = set(_strings(node))
            if len(strings & kinds) >= 3:
                found.append(f"{where}: a literal collection of answer kinds {sorted(strings & kinds)}")
            if "decided_at_s" in strings and len(strings & beh) >= 3:
                found.append(f"{where}: a literal list of behaviour-table columns {sorted(strings & beh)}")
            if 2 * len(strings & cdr) > len(cdr):  # a named subset (e.g. unrecorded columns) is fine
                found.append(f"{where}: a literal list of call-record columns {sorted(strings & cdr)}")
        elif isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            if len(keys & kinds) >= 3 and all(_is_number(v) for v in node.values):
                found.append(f"{where}: a literal answer mix over {sorted(keys & kinds)}")
    return found


def _project_files() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py"))


def test_the_scan_sees_every_kind_of_redefinition():
    """The scanner flags each pattern the project once had (so a clean scan means something)."""
    old = '''
KINDS = ("human", "human_hello_hello", "human_long_greeting", "human_silent", "fax")
HUMAN = ("human", "human_hello_hello", "human_long_greeting", "human_silent")
COLS = ("detector", "kind", "label", "decided_at_s", "speech_start_s", "greeting_end_s")
MIX = {"human": 0.36, "human_hello_hello": 0.04, "machine_beep": 0.30, "fax": -0.0}
TRUTH = {k: "human" if k.startswith("human") else "machine" for k in ANY}
OUT = ["campaign_id", "day", "number_id", "attempt", "caller_id", "dial_at_s", "network_outcome", "ring_s",
       "answer_kind", "speech_start_at_s"]
def check_behaviour_table(df, where):
    return df
'''
    found = redefinitions(old)
    for expected in ("binds KINDS", "a literal collection of answer kinds", "behaviour-table columns",
                     "a literal answer mix", "binds TRUTH", "call-record columns", "defines check_behaviour_table"):
        assert any(expected in f for f in found), (expected, found)
    # Imports, attribute reads and per-kind parameter tables are not redefinitions.
    fine = '''
from callvocab import ANSWER_KINDS as KINDS
x = cv.DEFAULT_ANSWER_MIX
confusion = {"human": [0.9, 0.1, 0.0], "human_silent": [0.1, 0.9, 0.0], "fax": [0.0, 1.0, 0.0]}
pair = ("human", "machine")
'''
    assert redefinitions(fine) == []


@pytest.mark.parametrize("path", _project_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_redefines_the_shared_vocabulary(path):
    """Answer kinds, truth labels, the default mix and both schemas are written only in callvocab."""
    assert redefinitions(path.read_text(encoding="utf-8")) == []


def _imported_packages(path: Path) -> set[str]:
    """Top-level names of every package ``path`` imports, at any depth (function-level imports too)."""
    package = path.relative_to(ROOT).parts[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            out.add(package if node.level else (node.module or "").split(".")[0])
    return out


@pytest.mark.parametrize(
    ("package", "may_import", "must_not_import"),
    [
        ("amd", {"callvocab", "atomicdir", "oneline"}, {"dialer_sim", "experiments"}),
        ("dialer_sim", {"callvocab", "atomicdir", "oneline"}, {"amd", "experiments"}),
        ("callvocab", set(), {"amd", "dialer_sim", "atomicdir", "oneline", "experiments"}),
        ("atomicdir", set(), {"amd", "dialer_sim", "callvocab", "oneline", "experiments"}),
        ("oneline", set(), {"amd", "dialer_sim", "callvocab", "atomicdir", "experiments"}),
    ],
)
def test_the_dependency_rule(package, may_import, must_not_import):
    """amd and dialer_sim share callvocab, atomicdir and oneline and nothing else of each other
    (docs/architecture.md)."""
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = _imported_packages(path) & must_not_import
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_callvocab_needs_only_numpy_pandas_and_pyarrow():
    """Importing callvocab loads neither half of the project (checked in a fresh interpreter)."""
    code = ("import sys, callvocab; bad = [m for m in ('amd', 'dialer_sim', 'atomicdir', 'simpy', 'scipy') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
    third_party = set().union(*(_imported_packages(p) for p in (ROOT / "callvocab").rglob("*.py")))
    assert third_party - set(sys.stdlib_module_names) - {"callvocab"} <= {"numpy", "pandas", "pyarrow"}


def test_the_packages_re_export_the_vocabulary():
    """The public names the halves had before keep working and are the same objects."""
    import amd
    import amd.corpus
    import dialer_sim
    import dialer_sim.records

    assert dialer_sim.CDR_COLUMNS is cv.CDR_COLUMNS
    assert dialer_sim.records_schema is cv.records_schema
    assert dialer_sim.CallRecord is cv.CallRecord
    assert dialer_sim.records.ANSWER_KINDS is cv.ANSWER_KINDS
    assert dialer_sim.records.HUMAN_KINDS is cv.HUMAN_KINDS
    assert amd.DEFAULT_ANSWER_MIX is cv.DEFAULT_ANSWER_MIX
    assert amd.corpus.KINDS is cv.ANSWER_KINDS
    assert dialer_sim.AnswerConfig().kind_weights == dict(cv.DEFAULT_ANSWER_MIX)


def test_the_vocabulary_is_consistent_and_read_only():
    """Truth labels cover every kind; the mix sums to 1 with both classes present; constants cannot change."""
    assert set(cv.TRUTH_OF_KIND) == set(cv.ANSWER_KINDS)
    assert set(cv.TRUTH_OF_KIND.values()) == set(cv.TRUTH_LABELS)
    assert cv.HUMAN_KINDS == {"human", "human_hello_hello", "human_long_greeting", "human_silent"}
    assert cv.VOICEMAIL_KINDS == ("machine_beep", "machine_nobeep", "machine_carrier")
    assert cv.AMD_LABELS == ("human", "machine", "notsure")
    assert tuple(cv.DEFAULT_ANSWER_MIX) == cv.ANSWER_KINDS
    assert math.isclose(sum(cv.DEFAULT_ANSWER_MIX.values()), 1.0)
    with pytest.raises(TypeError):
        cv.DEFAULT_ANSWER_MIX["human"] = 1.0  # type: ignore[index]
    with pytest.raises(TypeError):
        cv.TRUTH_OF_KIND["fax"] = "human"  # type: ignore[index]
    assert [f.name for f in cv.records_schema()] == list(cv.CDR_COLUMNS)
    assert {f.name for f in cv.records_schema() if str(f.type) == "string"} == cv.cdr.CDR_STRING_COLUMNS


# --- the one behaviour-table validator ------------------------------------------------------------


def table(**changes) -> pd.DataFrame:
    """A valid two-row table; ``changes`` replace whole columns (``None`` drops one)."""
    cols = {"kind": ["human", "fax"], "label": ["human", "machine"], "decided_at_s": [1.5, 2.5],
            "speech_start_s": [0.4, math.nan], "greeting_end_s": [0.9, math.nan]}
    for name, values in changes.items():
        if values is None:
            cols.pop(name)
        else:
            cols[name] = values
    return pd.DataFrame(cols)


def refused(frame, match, **kwargs):
    with pytest.raises(cv.BehaviourTableError, match=match) as info:
        cv.check_behaviour_table(frame, where="t", **kwargs)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_a_valid_table_passes_unchanged():
    frame = table()
    assert cv.check_behaviour_table(frame) is frame


@pytest.mark.parametrize("column", cv.BEHAVIOUR_COLUMNS)
def test_each_column_is_required(column):
    """Every behaviour column must be there; the message names the missing one and the schema."""
    msg = refused(table(**{column: None}), r"t lacks the column\(s\) \[")
    assert repr(column) in msg
    assert "needs ['kind', 'label', 'decided_at_s', 'speech_start_s', 'greeting_end_s']" in msg


def test_a_reader_may_need_fewer_columns_or_more():
    """``columns`` names what a reader needs: a subset for the audit prior, ``detector`` for the benchmark file."""
    cv.check_behaviour_table(table(decided_at_s=None, speech_start_s=None, greeting_end_s=None),
                             columns=("kind", "label"))
    refused(table(), r"lacks the column\(s\) \['detector'\]", columns=cv.BENCHMARK_BEHAVIOUR_COLUMNS)
    cv.check_behaviour_table(table().assign(detector="vad"), columns=cv.BENCHMARK_BEHAVIOUR_COLUMNS)


def test_at_least_one_row():
    assert len(cv.check_behaviour_table(table().iloc[:1])) == 1
    refused(table().iloc[:0], "t has a header but no rows.")


def test_not_a_table():
    refused([{"kind": "human"}], r"t must be a table \(a pandas DataFrame\); got list\.")


@pytest.mark.parametrize("kind", cv.ANSWER_KINDS)
def test_every_answer_kind_is_accepted(kind):
    cv.check_behaviour_table(table(kind=[kind, "fax"]))


@pytest.mark.parametrize("bad", ["robot", "Human", "human ", ""])
def test_an_unknown_kind_is_named(bad):
    refused(table(kind=["human", bad]), f"t: kind must be one of the answer kinds; got {bad!r}.")


@pytest.mark.parametrize("label", cv.AMD_LABELS)
def test_every_amd_label_is_accepted(label):
    cv.check_behaviour_table(table(label=[label, "machine"]))


@pytest.mark.parametrize("bad", ["maybe", "MACHINE", "not_sure"])
def test_an_unknown_label_is_named(bad):
    refused(table(label=[bad, "machine"]), f"t: label must be human, machine or notsure; got {bad!r}.")


@pytest.mark.parametrize(("value", "rule"), [(-1e-9, "a number >= 0"), (math.nan, "a number >= 0"),
                                             ("soon", "a number >= 0"), (math.inf, "finite")])
def test_decision_times_are_finite_and_not_negative(value, rule):
    """0 s is the bound and passes; just below it, missing, text or infinite is refused with its row."""
    cv.check_behaviour_table(table(decided_at_s=[1.0, 0.0]))
    refused(table(decided_at_s=[1.0, value]), rf"t: decided_at_s must be {rule} \(row 3\)\.")


@pytest.mark.parametrize("column", ["speech_start_s", "greeting_end_s"])
@pytest.mark.parametrize("value", [-1e-9, math.inf, -math.inf, "early"])
def test_speech_timings_are_empty_or_finite_and_not_negative(column, value):
    """Empty (no speech) and 0 s pass; a negative, infinite or text timing is refused with row and value."""
    cv.check_behaviour_table(table(**{column: [0.0, None]}))
    msg = refused(table(**{column: [0.0, value]}), rf"t: {column} must be empty or a finite number >= 0 \(row 3\)")
    assert msg.endswith(f"got {value!r}.")


# --- reading a file -------------------------------------------------------------------------------


def test_reading_names_the_file_and_the_rule(tmp_path):
    path = tmp_path / "b.csv"
    table(kind=["human", "robot"]).to_csv(path, index=False)
    with pytest.raises(cv.BehaviourTableError, match=rf"^x {str(path)!r}: kind must be one of the answer kinds"):
        cv.read_behaviour_table(path, where="x")
    with pytest.raises(cv.BehaviourTableError, match=r"x must name an existing file; got '.*nope\.csv'\."):
        cv.read_behaviour_table(tmp_path / "nope.csv", where="x")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(cv.BehaviourTableError, match=r"is empty \(no header, no rows\)\."):
        cv.read_behaviour_table(tmp_path / "empty.csv", where="x")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(cv.BehaviourTableError, match="is not a readable table: 'utf-8' codec"):
        cv.read_behaviour_table(tmp_path / "bin.csv", where="x")


def test_a_file_over_the_size_bound_is_not_read(tmp_path, monkeypatch):
    """A file of exactly MAX_TABLE_BYTES is read; one byte more is refused before it is parsed."""
    path = tmp_path / "b.csv"
    table().to_csv(path, index=False)
    size = path.stat().st_size
    monkeypatch.setattr(cvb, "MAX_TABLE_BYTES", size)
    assert len(cv.read_behaviour_table(path)) == 2
    monkeypatch.setattr(cvb, "MAX_TABLE_BYTES", size - 1)
    with pytest.raises(cv.BehaviourTableError, match=f"must be at most {size - 1} bytes; got {size}."):
        cv.read_behaviour_table(path)


def test_the_smoke_table_of_the_benchmark_is_valid():
    """The stored benchmark table (every detector) passes with the detector column required."""
    frame = cv.read_behaviour_table(ROOT / "tests" / "data" / "amd_behaviour_smoke.csv",
                                    columns=cv.BENCHMARK_BEHAVIOUR_COLUMNS)
    assert list(frame.columns) == list(cv.BENCHMARK_BEHAVIOUR_COLUMNS)


# --- the content hash and the BehaviourTable type -------------------------------------------------


def test_the_hash_is_the_documented_canonical_text():
    """SHA-256 of the header line and one line per row, times as Python's float repr, nan when empty."""
    text = ("kind,label,decided_at_s,speech_start_s,greeting_end_s\n"
            "human,human,1.5,0.4,0.9\n"
            "fax,machine,2.5,nan,nan\n")
    assert cv.behaviour_sha256(table()) == hashlib.sha256(text.encode()).hexdigest()


def test_the_hash_ignores_form_but_not_content(tmp_path):
    """Extra columns, the index, the dtype and the file format leave it; a value or the row order change it."""
    base = cv.behaviour_sha256(table())
    assert cv.behaviour_sha256(table().assign(detector="vad").set_index(pd.Index([7, 9]))) == base
    assert cv.behaviour_sha256(table().astype({"decided_at_s": "float32"})) == base  # 1.5 and 2.5 are exact
    assert cv.behaviour_sha256(table(decided_at_s=[1, 2])) == cv.behaviour_sha256(table(decided_at_s=[1.0, 2.0]))
    table().to_parquet(tmp_path / "b.parquet")
    table().to_csv(tmp_path / "b.csv", index=False)
    assert cv.BehaviourTable.read(tmp_path / "b.parquet").sha256 == base
    assert cv.BehaviourTable.read(tmp_path / "b.csv").sha256 == base
    assert cv.behaviour_sha256(table(decided_at_s=[1.5, 2.5000001])) != base
    assert cv.behaviour_sha256(table().iloc[::-1]) != base


def test_a_behaviour_table_is_checked_read_only_and_compared_by_content(tmp_path):
    t = cv.BehaviourTable(table().assign(detector="vad"))
    assert (t.n_rows, t.source, list(t.frame.columns)) == (2, None, list(cv.BEHAVIOUR_COLUMNS))
    assert t.frame["decided_at_s"].dtype == np.float64
    copy = t.frame
    copy.loc[0, "decided_at_s"] = 99.0  # a copy: the table itself does not change
    assert t.frame.loc[0, "decided_at_s"] == 1.5
    with pytest.raises(AttributeError, match="read-only"):
        t.sha256 = "0" * 64  # type: ignore[misc]
    assert t == cv.BehaviourTable(table())
    assert t != cv.BehaviourTable(table().iloc[:1])
    clone = pickle.loads(pickle.dumps(t))
    assert clone == t
    assert clone.frame.equals(t.frame)
    assert t.record() == {"table_sha256": t.sha256, "table_rows": 2}
    with pytest.raises(cv.BehaviourTableError, match="label must be"):
        cv.BehaviourTable(table(label=["yes", "no"]))
