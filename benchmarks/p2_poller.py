"""P2: the tutorial poller's five-minute deadline, under a run that never finishes.

``tests/tutorials/seed000.py``'s ``wait_for_run_completion`` retrieves the run, sleeps 5 s and tries
again until ``time.time()`` says five minutes have passed, then writes a failure file into
``api evaluation results/`` in the working directory. Under ``FakeAssistants("stuck_in_progress")`` the
sleeps are virtual, so the whole deadline should pass in milliseconds. Each repetition runs in a fresh
temporary working directory and checks the virtual time spent and the failure file.

Measured (``time.perf_counter``, which the fake does not patch): the ``wait_for_run_completion`` call
(target < 50 ms), and the whole test body (fake construct + enter, three setup calls, the poller, exit).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from common import REPO, Row, Stats, Target, working_directory

from assistant_harness import FakeAssistants

SEED = REPO / "tests" / "tutorials" / "seed000.py"
DEADLINE_S = 5 * 60
TARGET_MS = 50.0


@dataclass(frozen=True)
class Sample:
    poller_s: float
    total_s: float
    virtual_s: float
    retrieves: int


def load_seed() -> ModuleType:
    """Import the tutorial as its readers run it: it builds ``OpenAI()`` from the environment at import."""
    os.environ.setdefault("OPENAI_API_KEY", "sk-test")
    os.environ.pop("OPENAI_BASE_URL", None)
    spec = importlib.util.spec_from_file_location("seed000_benchmark", SEED)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {SEED}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def one_deadline(seed: ModuleType) -> Sample:
    retrieves = 0

    def count(*_: object) -> None:
        nonlocal retrieves
        retrieves += 1

    with tempfile.TemporaryDirectory() as cwd, working_directory(Path(cwd)):
        started = time.perf_counter()
        with FakeAssistants("stuck_in_progress") as fake:
            client = seed.client
            assistant = client.beta.assistants.create(model="gpt-4o")
            thread = client.beta.threads.create(messages=[{"role": "user", "content": "rate"}])
            run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
            fake.backend.listeners.append(count)
            polling = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                seed.wait_for_run_completion(client, thread.id, run.id, "002", "results")
            polled = time.perf_counter()
            virtual = fake.clock.elapsed()
        finished = time.perf_counter()
        failure = Path(cwd, "api evaluation results", "002_fail.txt")
        if not failure.exists():
            raise AssertionError("the poller did not write its failure file")
    if not DEADLINE_S < virtual <= DEADLINE_S + 5:
        raise AssertionError(f"the poller gave up after {virtual} virtual seconds")
    return Sample(polled - polling, finished - started, virtual, retrieves)


def run(repeats: int) -> list[Row]:
    seed = load_seed()
    one_deadline(seed)  # warm-up: the first fake in a process scans the loaded modules once
    samples = [one_deadline(seed) for _ in range(repeats)]
    extra = {"virtual_s": samples[0].virtual_s, "retrieves": samples[0].retrieves}
    poller = Row(
        "P2",
        "seed000 5-min deadline, stuck run: poller wall",
        "ms",
        Stats.of([s.poller_s * 1e3 for s in samples]),
        Target("<", TARGET_MS),
        note=f"{samples[0].retrieves} retrieves over {samples[0].virtual_s:g} virtual s",
        extra=extra,
    )
    total = Row(
        "P2",
        "  same, whole test body (fake enter..exit)",
        "ms",
        Stats.of([s.total_s * 1e3 for s in samples]),
        extra=extra,
    )
    return [poller, total]
