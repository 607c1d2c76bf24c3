"""The packages' import graph, read from the source, has no cycles.

Every ``import`` counts, including those inside functions: a deferred import
hides a cycle from the interpreter but not from a reader. Importing a submodule
of another package also runs that package's ``__init__``, so it adds an edge to
the package as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tuple(p for p in ("dialer_sim", "amd", "atomicdir", "callvocab", "oneline", "experiments") if (ROOT / p).is_dir())


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(f): f for p in PACKAGES for f in sorted((ROOT / p).rglob("*.py"))}


def _targets(module: str, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    package = module.split(".") if modules[module].name == "__init__.py" else module.split(".")[:-1]
    if node.level:
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports anywhere in its source."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in _targets(module, node, modules):
                if target not in modules and module.startswith("experiments.") and f"experiments.{target}" in modules:
                    target = f"experiments.{target}"  # an experiment script importing a sibling by file name
                if target not in modules:
                    continue
                edges.add(target)
                parts = target.split(".")
                for i in range(1, len(parts)):  # packages whose __init__ this import runs
                    ancestor = ".".join(parts[:i])
                    if ancestor in modules and not (module == ancestor or module.startswith(ancestor + ".")):
                        edges.add(ancestor)
        edges.discard(module)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as a closed path, or ``[]`` if it is acyclic."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_the_import_graph_is_acyclic():
    """No module reaches itself through imports (deferred ones included)."""
    graph = import_graph()
    assert {"dialer_sim", "amd", "atomicdir"} <= set(graph)
    assert find_cycle(graph) == []


def test_the_graph_sees_deferred_and_package_imports():
    """Regression: the cycles once hidden by imports inside functions are edges of the graph."""
    graph = import_graph()
    assert "dialer_sim.pacing._registry" in graph["dialer_sim.pacing.strict_max"]  # once deferred
    assert "dialer_sim.queueing" in graph["dialer_sim.cli._validate"]  # inside a function
    assert "amd.detectors" in graph["amd.features"]  # importing amd.detectors._features runs the package
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
