"""Every Python snippet in the README and docs/ runs in the suite (and its assertions hold).

Plain snippets are executed in order, sharing one namespace per file (a doc tells one story), and
any ``test_*`` function they define is called. Snippets written for pytest (markers, fixtures, a
conftest) are written to files and run by a real pytest session with the plugin.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = re.compile(r"```python\n(.*?)```", re.S)
# The how-tos are followed whole, as a reader follows them, by tests/test_howtos.py.
FILES = [
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").glob("*.md") if not p.name.startswith("howto-")),
]
#: Modules of the test and frameworks extras a snippet may use; without them it is skipped, saying so.
OPTIONAL_MODULES = frozenset({"starlette", "agents"})


def _snippets(path: Path) -> list[str]:
    return SNIPPET.findall(path.read_text(encoding="utf-8"))


def _for_pytest(code: str) -> bool:
    return "@pytest.mark.assistant_" in code or "def assistant_harness_config" in code


@pytest.fixture
def preloaded(path: Path) -> None:
    """The frameworks a page's snippets import, imported before pytester snapshots ``sys.modules``:
    the modules it drops afterwards are missing when the Agents SDK's exit hook runs."""
    if path.name == "frameworks.md":
        with contextlib.suppress(ImportError):
            import agents  # noqa: F401


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_snippets_run(
    path: Path, preloaded: None, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real module, so classes a snippet defines can be looked up by their module (pydantic does).
    module = types.ModuleType(f"doc_{path.stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace: dict[str, object] = module.__dict__
    missing: list[str] = []
    for index, code in enumerate(_snippets(path)):
        if _for_pytest(code):
            name = "conftest" if "def assistant_harness_config" in code else f"test_doc_{index}"
            pytester.makepyfile(**{name: code})
            continue
        os.chdir(pytester.path)  # outside the checkout, as a reader runs it
        try:
            exec(compile(code, f"{path.name} snippet {index}", "exec"), namespace)
        except ModuleNotFoundError as error:
            if error.name not in OPTIONAL_MODULES:
                raise
            missing.append(f"snippet {index} needs {error.name}")  # the others still run
            continue
        for name, value in list(namespace.items()):
            if (
                name.startswith("test_")
                and inspect.isfunction(value)
                and not inspect.signature(value).parameters
            ):
                value()
                del namespace[name]
    os.chdir(pytester.path)
    if list(pytester.path.glob("test_doc_*.py")):
        pytester.makeini("[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n")
        result = pytester.runpytest("-p", "no:cacheprovider")
        assert result.ret == 0, result.stdout.str()
    if missing:
        pytest.skip(f"{path.name}: {'; '.join(missing)} (pip install '.[test,frameworks]')")


def test_every_doc_has_runnable_snippets_or_says_why() -> None:
    for path in FILES:
        assert _snippets(path) or path.name in (
            "fidelity.md",
            "virtual-time.md",
            "performance.md",
        ), f"{path.name} has no ```python snippet"
