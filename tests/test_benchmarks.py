"""The benchmark suite's one command runs where the tests run (its numbers are not checked here)."""

from __future__ import annotations

import gc
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
from pydantic import BaseModel

REPO = Path(__file__).resolve().parent.parent


def _script(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """A benchmarks/ script run from the repository's root, its output captured."""
    command = [sys.executable, *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False, timeout=timeout)


@pytest.mark.slow  # a benchmark run: `pytest -m slow` and CI
def test_run_py_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = _script("benchmarks/run.py", "--quick", "--only", "P2,P5", "--json", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "targets hold." in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    rows = {row["name"].strip(): row for row in data["rows"]}
    row = rows['FakeAssistants("happy_path") construct+enter+exit']
    # The verdict is the target applied to the median ("< 5" against 3.2 holds), whatever the machine.
    op, value = row["target"].split()
    holds = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}[op](
        float(row["stats"]["median"]), float(value)
    )
    assert row["status"] == ("PASS" if holds else "FAIL")
    assert (f"FAIL {row['id']} {row['name'].strip()}:" in done.stdout) == (not holds)
    assert all(len(row["stats"]["samples"]) >= 5 for row in data["rows"] if row["stats"])


@pytest.mark.slow  # a benchmark run: `pytest -m slow` and CI
def test_p1_times_with_the_sdks_page_classes_held_and_reports_the_unheld_builds(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = _script("benchmarks/run.py", "--quick", "--only", "P1", "--json", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    p1 = json.loads(out.read_text(encoding="utf-8"))["p1"]
    unheld = ("floor, new ids per flow", "fake.client()", "global interception")
    assert set(p1["unheld_samples_s"]) == set(p1["page_class_builds_per_flow_unheld"]) == set(unheld)
    # P1 collects before each batch of 5 flows: the floor lists once a flow and builds at least once a batch.
    assert p1["page_class_builds_per_flow_unheld"]["floor, new ids per flow"] >= 0.2
    assert all(len(p1["unheld_samples_s"][name]) == 4 for name in unheld)
    assert "fake.client() / floor, page classes not held" in done.stdout
    assert "SDK page classes held for both" in done.stdout


@pytest.fixture
def instructions(monkeypatch: pytest.MonkeyPatch) -> Any:
    """benchmarks/instructions.py, imported with benchmarks/ on the path (it imports flow.py from there)."""
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    return importlib.import_module("instructions")


def test_instructions_py_counts_per_request_from_two_runs(instructions: Any) -> None:
    summary = "==1== \n==1== I   refs:      13,795,425,663\n"
    assert instructions.instructions_of(summary) == 13_795_425_663
    with pytest.raises(RuntimeError, match="no instruction count"):
        instructions.instructions_of("valgrind: command not found")
    assert instructions.per_request(1_000, 4_000, 10, 30, 15) == 10.0
    # The measured part runs as it will under valgrind (here without it: one flow of the fake).
    done = _script("benchmarks/instructions.py", "--inner", "fake", "1", timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    bad = _script("benchmarks/instructions.py", "fast", timeout=120)
    assert bad.returncode == 2 and "unknown contender fast: choose from floor, fake, global" in bad.stderr


def test_instructions_py_replays_the_captured_requests_into_fresh_fakes(
    tmp_path: Path, instructions: Any
) -> None:
    assert instructions.flow_step("/threads/thread_DgAL47D1qXIaSyZPaE1pu1lJ/runs") == "/threads/{}/runs"
    assert instructions.flow_step("/vector_stores/vs_abcdefghijklmnopqrstuvwx") == "/vector_stores/{}"
    captured = tmp_path / "requests.pickle"
    instructions.capture_requests(captured)
    # Every captured request, in a fresh fake, as under valgrind: a request naming an id the fresh fake
    # did not make would fail (404) and the flow would not complete.
    done = _script("benchmarks/instructions.py", "--inner", "requests", "1", "15", str(captured), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture
def page_classes(monkeypatch: pytest.MonkeyPatch) -> Any:
    """benchmarks/page_classes.py, imported with benchmarks/ on the path."""
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    return importlib.import_module("page_classes")


def _page_model() -> Any:
    """A generic pydantic model of its own, as the SDK's pages are (none of its classes built yet)."""
    T = TypeVar("T")

    class Page(BaseModel, Generic[T]):
        data: list[T]

    return Page


def test_page_classes_counts_the_generic_classes_pydantic_builds(page_classes: Any) -> None:
    """P1's "unheld builds" column: every parametrised generic model built inside the block, none after."""
    Page = _page_model()
    assert page_classes.available()
    with page_classes.counted() as builds:
        assert Page[int] is Page[int]  # built once, then found in pydantic's cache while alive
        Page[str]
        assert builds.count == 2
    Page[bytes]
    assert builds.count == 2


def test_page_classes_held_stay_built_until_the_block_ends(page_classes: Any) -> None:
    """P1 times every contender with the page classes held: no build again after a collection."""
    Page = _page_model()
    with page_classes.counted() as builds:
        Page[int]
        gc.collect()
        Page[int]
        assert builds.count == 2  # not held: collected, built again
        with page_classes.held(builds):  # the one alive now (not collected yet) and those built inside
            Page[str]
            gc.collect()
            Page[int], Page[str]
            assert builds.count == 3
        gc.collect()
        Page[int], Page[str]
        assert builds.count == 5 and not builds.kept
