"""P7: pytest-xdist ``-n 2`` speed-up on a generated suite of scenario tests, next to its floor.

A temporary directory (no conftest, no ini file, so the repository's pytest configuration stays out)
gets ``files`` modules of ``per_file`` tests each; every test is
``@pytest.mark.assistant_scenario("happy_path")`` with the ``openai_client`` fixture and runs
``create_and_run_poll``. Each repetition runs, in turn:

* ``python -m pytest -q -p no:cacheprovider DIR`` (serial) and the same with ``-n 2``; the speed-up is
  serial / parallel wall time of that repetition (target >= 1.7);
* the floor: the same command on a suite of as many tests that use no harness at all. Each floor
  module imports the SDK (as any test of OpenAI code does) and each test burns the CPU one harness
  test takes (calibrated in this process before the repetitions: the harness test's body, timed, then
  converted into iterations of a plain Python loop). Its speed-up is what pytest and xdist allow a suite
  of this size; the harness cannot do better than it;
* the machine's own ceiling: wall time of one CPU-bound Python process vs two at once
  (``2 * one / two``; 2.0 on two free cores), since other work on the machine caps any speed-up;
* optionally pytest's fixed cost: the same command on a one-test directory (start-up, plugin loading,
  one fake test, shutdown), paid once serially and three times under ``-n 2`` (controller + 2 workers).

The pytest processes run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` removed from their
environment, after one warm-up run writes the caches), as on a developer's machine or a CI runner.
Without the caches every process recompiles, and assertion-rewrites, each plugin's modules: about
a second more per process here.

``-p no:openai_responses`` is added when that plugin is installed: it is only here for P1's comparison
and would otherwise load (and be assertion-rewritten) in every pytest process.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from common import Row, Stats, Target, ratios

from assistant_harness import FakeAssistants

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


FLOOR_MODULE = textwrap.dedent(
    """\
    import openai  # noqa: F401  (a suite testing OpenAI code imports the SDK)
    import pytest


    @pytest.mark.parametrize("index", range({per_file}))
    def test_same_cpu_without_harness(index):
        total = 0
        for i in range({iterations}):
            total += i
        assert total >= 0
    """
)
CALIBRATION_RUNS = 50


@dataclass(frozen=True)
class Suite:
    directory: Path
    tests: int


def generate(directory: Path, files: int, per_file: int, template: str = TEST_MODULE, **fields: int) -> Suite:
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        (directory / f"test_generated_{index:02d}.py").write_text(
            template.format(per_file=per_file, **fields), encoding="utf-8"
        )
    return Suite(directory, files * per_file)


def harness_test_body() -> None:
    """What one generated test does, outside pytest (the fixture's fake and client included)."""
    with FakeAssistants("happy_path") as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o", name="bench")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        assert run.status == "completed"


def loop_iterations_like_one_test() -> int:
    """Iterations of the floor's loop that take as long as one harness test body, on this machine."""
    harness_test_body()  # warm-up: the SDK's lazy imports
    start = time.perf_counter()
    for _ in range(CALIBRATION_RUNS):
        harness_test_body()
    per_test = (time.perf_counter() - start) / CALIBRATION_RUNS
    probe = 1_000_000
    start = time.perf_counter()
    total = 0
    for i in range(probe):
        total += i
    per_iteration = (time.perf_counter() - start) / probe
    return max(1, round(per_test / per_iteration))


def pytest_command(suite: Suite, workers: int | None) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if importlib.util.find_spec("openai_responses") is not None:
        command += ["-p", "no:openai_responses"]
    if workers is not None:
        command += ["-n", str(workers)]
    return [*command, str(suite.directory)]


def child_environment() -> dict[str, str]:
    """This environment with bytecode caching on (see the module's docstring)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_pytest(suite: Suite, workers: int | None) -> float:
    """Wall seconds of one pytest run; fails loudly unless every test passed."""
    start = time.perf_counter()
    done = subprocess.run(
        pytest_command(suite, workers),
        cwd=suite.directory.parent,
        capture_output=True,
        text=True,
        check=False,
        env=child_environment(),
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
    iterations = loop_iterations_like_one_test()
    floor = generate(directory / "floor_suite", files, per_file, FLOOR_MODULE, iterations=iterations)
    one_test = generate(directory / "one_test_suite", 1, 1)
    run_pytest(one_test, None)  # warm-up: writes the bytecode caches
    serial: list[float] = []
    parallel: list[float] = []
    floor_serial: list[float] = []
    floor_parallel: list[float] = []
    spin_one: list[float] = []
    spin_two: list[float] = []
    fixed: list[float] = []
    for _ in range(repeats):
        serial.append(run_pytest(suite, None))
        parallel.append(run_pytest(suite, 2))
        floor_serial.append(run_pytest(floor, None))
        floor_parallel.append(run_pytest(floor, 2))
        spin_one.append(spin(1))
        spin_two.append(spin(2))
        if startup:
            fixed.append(run_pytest(one_test, None))
    speedups = ratios(serial, parallel)
    floor_speedups = ratios(floor_serial, floor_parallel)
    ceiling = [2 * one / two for one, two in zip(spin_one, spin_two, strict=True)]
    rows = [
        Row(
            "P7",
            f"pytest -n 2 speed-up, {suite.tests} scenario tests",
            "x",
            Stats.of(speedups),
            Target(">=", TARGET_SPEEDUP),
            note=(
                f"{files} files x {per_file} tests; speed-up = serial / -n 2 wall time, per repetition; "
                f"a no-harness suite of the same size and CPU per test gets "
                f"{Stats.of(floor_speedups).median:.2f}x, "
                f"two CPU-bound processes {Stats.of(ceiling).median:.2f}x"
            ),
        ),
        Row("P7", "  serial wall", "s", Stats.of(serial)),
        Row("P7", "  -n 2 wall", "s", Stats.of(parallel)),
        Row(
            "P7",
            "  floor: same size suite, same CPU per test, no harness",
            "x",
            Stats.of(floor_speedups),
            note=f"each test loops {iterations:,} times (one harness test's time, calibrated here)",
        ),
        Row("P7", "    floor serial wall", "s", Stats.of(floor_serial)),
        Row("P7", "  harness speed-up / floor speed-up", "x", Stats.of(ratios(speedups, floor_speedups))),
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
