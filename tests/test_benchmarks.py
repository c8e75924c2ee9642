"""The benchmark suite's one command runs where the tests run (its numbers are not checked here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # a benchmark run: `pytest -m slow` and CI
def test_run_py_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--only", "P2,P5", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
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
