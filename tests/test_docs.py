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
def test_doc_snippets_run(path: Path) -> None:
    for index, code in enumerate(_snippets(path)):
        exec(compile(code, f"{path.name} snippet {index}", "exec"), {"__name__": f"doc_{index}"})
