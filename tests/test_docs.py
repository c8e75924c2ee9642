"""Every Python snippet in the README runs (and its assertions hold)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = re.compile(r"```python\n(.*?)```", re.S)


def _snippets(path: Path) -> list[str]:
    return SNIPPET.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("index", range(len(_snippets(ROOT / "README.md"))))
def test_readme_snippet_runs(index: int) -> None:
    code = _snippets(ROOT / "README.md")[index]
    namespace: dict[str, object] = {"__name__": f"readme_snippet_{index}"}
    exec(compile(code, f"README.md snippet {index}", "exec"), namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()


DOCS = sorted((ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_doc_snippets_run(path: Path, pytester: pytest.Pytester) -> None:
    namespace: dict[str, object] = {"__name__": f"doc_{path.stem}"}  # a doc's snippets tell one story
    for index, code in enumerate(_snippets(path)):
        if "@pytest.mark.assistant_" in code or "def assistant_harness_config" in code:
            # A test file (or conftest) for pytest: run it as one, with the plugin.
            name = "conftest" if "def assistant_harness_config" in code else f"test_doc_{index}"
            pytester.makepyfile(**{name: code})
            continue
        exec(compile(code, f"{path.name} snippet {index}", "exec"), namespace)
    if list(pytester.path.glob("test_doc_*.py")):
        pytester.makeini("[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n")
        result = pytester.runpytest("-p", "no:cacheprovider")
        assert result.ret == 0, result.stdout.str()
