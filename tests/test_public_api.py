"""The public API: explicit, sorted ``__all__`` lists that match docs/api.md."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

API_DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
MODULES = ["dialer_sim", "dialer_sim.pacing", "dialer_sim.compliance", "dialer_sim.sweep", "dialer_sim.queueing",
           "dialer_sim.queueing.validation", "dialer_sim.config", "dialer_sim.model", "dialer_sim.records",
           "dialer_sim.cli", "dialer_sim.stats", "amd", "callvocab", "atomicdir", "oneline", "experiments.kit"]


def documented() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in API_DOC.read_text().splitlines():
        if m := re.match(r"^## `([\w.]+)`", line):
            current = out.setdefault(m.group(1), [])
        elif (m := re.match(r"^- `(\w+)`", line)) and current is not None:
            current.append(m.group(1))
    return out


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_public_and_importable(name):
    """Every exported name exists, is public, and __all__ is sorted."""
    mod = importlib.import_module(name)
    assert mod.__all__ == sorted(mod.__all__)
    for n in mod.__all__:
        assert not n.startswith("_")
        assert hasattr(mod, n), f"{name}.{n} is listed in __all__ but missing"


@pytest.mark.parametrize("name", MODULES)
def test_all_matches_the_api_page(name):
    """docs/api.md lists exactly the exported names of each package."""
    assert documented()[name] == importlib.import_module(name).__all__
