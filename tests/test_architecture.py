"""The import rules of docs/architecture.md, checked by parsing every module's imports with ``ast``.

Every import counts: at module level, inside functions, and under ``if TYPE_CHECKING:`` (a
type-only import is still a dependency a reader has to follow).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "assistant_harness"
ROOT = "assistant_harness"

#: engine/ and http/ are the bottom layers: they know no API, no cassette, no test tooling, no CLI.
LOWER = ("engine", "http")
FORBIDDEN = ("apis", "cassettes", "testing", "cli", "scenario", "fake", "backend")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The package-internal modules ``path`` imports, relative to the package (``engine.clock``):
    at module level, inside functions and type-only alike."""
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    if name == "":
        package = []
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == ROOT:
                target = node.module.split(".")[1:]
            else:
                continue
            if node.module is None or not target:  # `from . import runs`: the names are modules
                found.update(".".join([*target, alias.name]) for alias in node.names)
            else:
                found.add(".".join(target))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    found.add(".".join(alias.name.split(".")[1:]))
    return {f for f in found if f}


MODULES = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> str:
    return module.split(".")[0]


def test_the_parser_sees_imports() -> None:
    assert "engine.lifecycle" in MODULES["apis.assistants.statuses"]
    assert "apis.assistants.runs" in MODULES["apis.assistants.store"]  # `from . import objects, runs`
    assert "errors" in MODULES["engine.lifecycle"]
    assert "scenario.load" in MODULES["scenario.model"]  # `from . import load as reading`
    assert "cli.show" in MODULES["cli.main"]  # inside a function


@pytest.mark.parametrize("lower", LOWER)
def test_engine_and_http_import_nothing_from_the_layers_above(lower: str) -> None:
    broken = sorted(
        (module, target)
        for module, targets in MODULES.items()
        if _layer(module) == lower
        for target in targets
        if _layer(target) in FORBIDDEN
    )
    assert broken == [], f"{lower}/ must not import {', '.join(FORBIDDEN)}: {broken}"


def test_the_engine_names_no_api_status() -> None:
    """The engine reads a StatusModel; the Assistants vocabulary lives in apis/assistants/statuses.py."""
    # ("cancelled", "expired" and "cancelling" name StatusModel roles as well as run statuses.)
    assistants_only = {"requires_action", "in_progress", "incomplete", "runs.retrieve"}
    for path in (PACKAGE / "engine").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        named = {
            n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in assistants_only
        }
        assert named == set(), f"{path.name} names {sorted(named)}"
        words = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
            a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
        }
        assert not words & {"TERMINAL", "STATUSES", "REQUIRES_ACTION", "RunState"}, path.name


def test_no_cycles_between_subpackages() -> None:
    """Subpackages and top-level modules form a DAG (the lazy facade ``__init__`` is left out)."""
    graph: dict[str, set[str]] = {}
    for module, targets in MODULES.items():
        if module == "":
            continue
        graph.setdefault(_layer(module), set()).update(
            _layer(t) for t in targets if _layer(t) != _layer(module)
        )
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == [], f"import cycles between subpackages: {cycles}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of ``graph`` with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_long_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_cycles_between_modules() -> None:
    """None of any length, counting every import: at load time, inside functions (deferring an
    import hides a cycle, it does not remove it) and type-only ones (runs needs a narrow protocol,
    not the store that imports it). The lazy facade ``__init__`` is left out."""
    graph = {module: targets for module, targets in MODULES.items() if module}
    assert _cycles(graph) == [], "modules that import each other (through any chain)"
