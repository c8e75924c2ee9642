"""benchmarks/serve_load.py (the 8 processes x 50 flows check) still runs: a smoke run with small numbers.
Its figures are not checked here (they depend on the machine); no error and no mixing are."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a dozen processes: `pytest -m slow` and CI
def test_many_processes_with_their_own_keys_never_mix() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/serve_load.py",
            "--processes",
            "3",
            "--flows",
            "4",
            "--clients",
            "2",
            "--requests",
            "10",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert (result["errors"], result["mixed"]) == (0, 0)
