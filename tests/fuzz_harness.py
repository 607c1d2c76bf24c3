"""What the fuzz tests share: running a command line in-process, the outcome property, TOML writing.

The property every fuzzed input must meet (docs/reliability.md): the command either succeeds,
or exits with status 2 and exactly one line on stderr, no traceback, and nothing in its output
folder changed. Commands run in-process through their ``main(argv)`` for speed; a few tests in
each fuzz file run the real executables as subprocesses.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

#: Examples per fuzz test in ``make test``, and in the ``slow``-marked variants (which ``make test`` runs too).
N_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
N_EXAMPLES_SLOW = 3 * N_EXAMPLES

FUZZ = settings(max_examples=N_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
FUZZ_SLOW = settings(FUZZ, max_examples=N_EXAMPLES_SLOW, derandomize=False)


def run_main(main: Callable[[Sequence[str]], int], argv: Sequence[str]) -> tuple[int, str, str]:
    """``main(argv)`` with stdout and stderr captured; SystemExit (argparse) becomes the status."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(argv))
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 2
    return int(status or 0), out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and a hash of its bytes."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refused_or_done(status: int, err: str, before: dict, after: dict) -> str:
    """The property: success (0), or status 2 with one stderr line, no traceback, the output unchanged.

    Returns ``"ok"`` or ``"refused"`` for the statistics hypothesis prints.
    """
    assert "Traceback" not in err, err
    if status == 0:
        return "ok"
    assert status == 2, (status, err)
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].strip(), err
    assert "error:" in lines[0], err
    assert after == before, "a refused input changed the output folder"
    return "refused"


# -- TOML writing (inline form; every value the fuzzers produce) -------------------------------------

def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, Deep):
        return "[" * value.depth + "]" * value.depth
    raise TypeError(type(value))


def toml_document(data: dict[str, Any]) -> str:
    """A TOML document: scalars at the top, then one ``[section]`` per table."""
    head = [f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in data.items()
            if not isinstance(v, dict)]
    body = []
    for key, table in data.items():
        if isinstance(table, dict):
            body.append(f"[{json.dumps(key, ensure_ascii=False)}]")
            body += [f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(head + body) + "\n"


class Deep:
    """An array nested ``depth`` levels deep, written directly (building it as lists would recurse)."""

    def __init__(self, depth: int):
        self.depth = depth

    def __repr__(self) -> str:
        return f"Deep({self.depth})"
