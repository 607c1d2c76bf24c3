"""The units of the record time base (minute, hour, day, week in seconds) are defined once.

``dialer_sim._time`` holds them; a source scan makes sure no other module of the
packages (or the experiments) defines its own copy.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dialer_sim import _time

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "dialer_sim" / "_time.py"
SOURCES = sorted(f for p in ("dialer_sim", "amd", "atomicdir", "callvocab", "experiments", "scripts")
                 for f in (ROOT / p).rglob("*.py"))
UNIT_NAME = re.compile(r"SECONDS_PER_|(^|_)(MINUTE|HOUR|DAY|WEEK)_S$")
UNIT_VALUES = {86_400, 604_800}  # 60 and 3600 are also ordinary bounds


def definitions(path: Path, root: Path = ROOT) -> list[str]:
    """``name = value`` lines of ``path`` that define a time unit (by name, or by a bare unit literal)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        literal = isinstance(value, ast.Constant) and type(value.value) in (int, float) and value.value in UNIT_VALUES
        if any(UNIT_NAME.search(n) for n in names) or (names and literal):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {', '.join(names)}")
    return found


def test_the_time_units_are_consistent():
    """One week is seven days of 24 hours of 60 minutes of 60 seconds."""
    assert _time.SECONDS_PER_WEEK == 7 * 24 * 60 * 60 * 1.0 == 7 * _time.SECONDS_PER_DAY
    assert (_time.SECONDS_PER_MINUTE, _time.SECONDS_PER_HOUR, _time.SECONDS_PER_DAY) == (60.0, 3600.0, 86400.0)


def test_no_module_defines_its_own_time_units():
    """Regression: SECONDS_PER_DAY was defined in eight modules; only dialer_sim._time defines it now."""
    assert HOME in SOURCES
    assert len(definitions(HOME)) == 4
    others = [d for f in SOURCES if f != HOME for d in definitions(f)]
    assert others == []


@pytest.mark.parametrize("line", ["SECONDS_PER_DAY = 86_400.0", "_DAY_S = 86400", "DAY = 86400.0"])
def test_the_scan_finds_a_copy(tmp_path, line):
    """The scan would catch the copies that used to exist."""
    path = tmp_path / "probe.py"
    path.write_text(f"def f():\n    {line}\n")
    assert len(definitions(path, tmp_path)) == 1
