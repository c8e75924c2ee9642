"""P7: pytest-xdist ``-n 2`` speed-up on a generated suite of scenario tests.

A temporary directory (no conftest, no ini file, so the repository's pytest configuration stays out)
gets ``files`` modules of ``per_file`` tests each; every test is
``@pytest.mark.assistant_scenario("happy_path")`` with the ``openai_client`` fixture and runs
``create_and_run_poll``. Each repetition runs, in turn:

* ``python -m pytest -q -p no:cacheprovider DIR`` (serial) and the same with ``-n 2``; the speed-up is
  serial / parallel wall time of that repetition (target >= 1.7);
* the machine's own ceiling: wall time of one CPU-bound Python process vs two at once
  (``2 * one / two``; 2.0 on two free cores), since other work on the machine caps any speed-up;
* optionally pytest's fixed cost: the same command on a one-test directory (start-up, plugin loading,
  one fake test, shutdown), paid once serially and three times under ``-n 2`` (controller + 2 workers).

``-p no:openai_responses`` is added when that plugin is installed: it is only here for P1's comparison
and would otherwise load (and be assertion-rewritten) in every pytest process.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from common import Row, Stats, Target, ratios

TARGET_SPEEDUP = 1.7
SPIN_ITERATIONS = 6_000_000

TEST_MODULE = textwrap.dedent(
    """\
    import pytest


    @pytest.mark.assistant_scenario("happy_path")
    @pytest.mark.parametrize("index", range({per_file}))
    def test_create_and_poll(openai_client, index):
        assistant = openai_client.beta.assistants.create(model="gpt-4o", name=f"bench {{index}}")
        run = openai_client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        assert run.status == "completed"
    """
)


@dataclass(frozen=True)
class Suite:
    directory: Path
    tests: int


def generate(directory: Path, files: int, per_file: int) -> Suite:
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        (directory / f"test_generated_{index:02d}.py").write_text(
            TEST_MODULE.format(per_file=per_file), encoding="utf-8"
        )
    return Suite(directory, files * per_file)


def pytest_command(suite: Suite, workers: int | None) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if importlib.util.find_spec("openai_responses") is not None:
        command += ["-p", "no:openai_responses"]
    if workers is not None:
        command += ["-n", str(workers)]
    return [*command, str(suite.directory)]


def run_pytest(suite: Suite, workers: int | None) -> float:
    """Wall seconds of one pytest run; fails loudly unless every test passed."""
    start = time.perf_counter()
    done = subprocess.run(
        pytest_command(suite, workers),
        cwd=suite.directory.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or f"{suite.tests} passed" not in done.stdout:
        raise AssertionError(f"pytest {workers=} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed


def spin(processes: int) -> float:
    """Wall seconds for ``processes`` CPU-bound Python processes started together."""
    code = f"s = 0\nfor i in range({SPIN_ITERATIONS}):\n    s += i\n"
    start = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(processes)]
    for process in running:
        process.wait()
    return time.perf_counter() - start


def run(directory: Path, files: int, per_file: int, repeats: int, startup: bool) -> list[Row]:
    suite = generate(directory / "generated_suite", files, per_file)
    one_test = generate(directory / "one_test_suite", 1, 1)
    serial: list[float] = []
    parallel: list[float] = []
    spin_one: list[float] = []
    spin_two: list[float] = []
    fixed: list[float] = []
    for _ in range(repeats):
        serial.append(run_pytest(suite, None))
        parallel.append(run_pytest(suite, 2))
        spin_one.append(spin(1))
        spin_two.append(spin(2))
        if startup:
            fixed.append(run_pytest(one_test, None))
    ceiling = [2 * one / two for one, two in zip(spin_one, spin_two, strict=True)]
    rows = [
        Row(
            "P7",
            f"pytest -n 2 speed-up, {suite.tests} scenario tests",
            "x",
            Stats.of(ratios(serial, parallel)),
            Target(">=", TARGET_SPEEDUP),
            note=f"{files} files x {per_file} tests; speed-up = serial / -n 2 wall time, per repetition",
        ),
        Row("P7", "  serial wall", "s", Stats.of(serial)),
        Row("P7", "  -n 2 wall", "s", Stats.of(parallel)),
        Row(
            "P7",
            "  machine ceiling: 2 CPU-bound processes",
            "x",
            Stats.of(ceiling),
            note="2 x (one process alone) / (two at once); 2.0 means two free cores",
        ),
    ]
    if fixed:
        rows.append(Row("P7", "  pytest fixed cost (1-test suite, serial)", "s", Stats.of(fixed)))
    return rows
