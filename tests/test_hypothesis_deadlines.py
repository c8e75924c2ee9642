"""No Hypothesis example in the suite may fail for being slow (issue 28, item 3; issue 21, item 6).

A fake runs inside most properties and ``find()`` calls; a deadline would make them depend on the
machine's speed and load. The suite's profile (tests/conftest.py) turns the deadline off; the examples,
which run without that conftest, turn it off in their own settings.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _settings_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "settings")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "register_profile")
        )
    ]


def _is_none(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is None


def test_the_suite_s_profile_has_no_deadline() -> None:
    assert settings.default.deadline is None


def test_no_settings_in_the_suite_sets_a_deadline() -> None:
    problems = []
    for path in sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py")):
        for call in _settings_calls(ast.parse(path.read_text(encoding="utf-8"))):
            deadline = _keyword(call, "deadline")
            # tests/ inherit the profile's None; examples/ run without tests/conftest.py and must say it.
            if (deadline is not None or path.is_relative_to(ROOT / "examples")) and not _is_none(deadline):
                problems.append(f"{path.relative_to(ROOT)}:{call.lineno}: settings without deadline=None")
    assert problems == []


def test_every_example_property_has_settings() -> None:
    """examples/ get no profile from tests/conftest.py: each @given carries settings (with deadline=None)."""
    problems = []
    for path in sorted((ROOT / "examples").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            names = [ast.unparse(d) for d in node.decorator_list]
            if any(n.startswith("given(") for n in names) and not any(
                n.isupper() or n.startswith("settings(") for n in names
            ):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: @given without settings")
    assert problems == []
