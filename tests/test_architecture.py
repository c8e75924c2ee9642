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

#: Imports that break the rules on main today and are already fixed on the `http` branch (engine's
#: faults use the API's error body; serve's ASGI app builds a Backend). Delete once it is merged.
KNOWN = {
    ("engine.faults", "apis.common.errors"),
    ("http.asgi", "backend"),
    # scenario files (their error reporter) pass quoted values through the secret detector, which lives
    # in cassettes/ while
    # cassettes/observe turns recordings into scenarios: a cassettes <-> scenario cycle. The detector
    # belongs below both (e.g. a top-level secrets module); until it moves, this edge is known.
    ("scenario.reporter", "cassettes.secrets"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _walk(tree: ast.AST, *, module_scope: bool) -> list[ast.AST]:
    """Every node, or (``module_scope``) those run when the module loads: not inside functions."""
    if not module_scope:
        return list(ast.walk(tree))
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        )
    return found


def _imports(path: Path, *, module_scope: bool = False) -> set[str]:
    """The package-internal modules ``path`` imports, relative to the package (``engine.clock``);
    with ``module_scope``, only the imports run when it loads (type-only ones included)."""
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    if name == "":
        package = []
    found: set[str] = set()
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"), str(path)), module_scope=module_scope):
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
#: Imports at load time only: an import inside a function is the deliberate way to defer one.
LOADED = {_module_name(p): _imports(p, module_scope=True) for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> str:
    return module.split(".")[0]


def test_the_parser_sees_imports() -> None:
    assert "engine.lifecycle" in MODULES["apis.assistants.statuses"]
    assert "apis.assistants.runs" in MODULES["apis.assistants.store"]  # `from . import objects, runs`
    assert "errors" in MODULES["engine.lifecycle"]
    assert "scenario.load" in MODULES["scenario.model"] and "scenario.load" not in LOADED["scenario.model"]


@pytest.mark.parametrize("lower", LOWER)
def test_engine_and_http_import_nothing_from_the_layers_above(lower: str) -> None:
    broken = sorted(
        (module, target)
        for module, targets in MODULES.items()
        if _layer(module) == lower
        for target in targets
        if _layer(target) in FORBIDDEN and (module, target) not in KNOWN
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
            _layer(t) for t in targets if _layer(t) != _layer(module) and (module, t) not in KNOWN
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


def test_no_cycles_between_modules() -> None:
    """Not even type-only ones (runs needs a narrow protocol, not the store that imports it); an
    import inside a function, made when it is called, is the one way to defer a dependency."""
    cycles = []
    for module, targets in LOADED.items():
        for target in targets:
            if module in LOADED.get(target, ()) and module < target:
                cycles.append((module, target))
    assert cycles == [], f"modules importing each other: {cycles}"
