"""P2: the tutorial poller's five-minute deadline, under a run that never finishes.

``tests/tutorials/seed000.py``'s ``wait_for_run_completion`` retrieves the run, sleeps 5 s and tries
again until ``time.time()`` says five minutes have passed, then writes a failure file into
``api evaluation results/`` in the working directory. Under ``FakeAssistants("stuck_in_progress")`` the
sleeps are virtual, so the whole deadline should pass in milliseconds. Each repetition runs in a fresh
temporary working directory and checks the virtual time spent and the failure file.

Measured (``time.perf_counter``, which the fake does not patch): the ``wait_for_run_completion`` call,
and the whole test body (fake construct + enter, three setup calls, the poller, exit). The target is a
ratio to the floor, measured in the same repetition: the same retrieves (61), made by the same SDK
client code, answered by a bare ``MockTransport`` with the bytes the fake sent (no state, no clock, no
sleeping, no printing). What is left over is the harness's cost plus the poller's own loop.
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

import openai
from common import REPO, Row, Stats, Target, ratios, working_directory

from assistant_harness import FakeAssistants
from assistant_harness.http.messages import ApiRequest, ApiResponse
from assistant_harness.http.transports import httpx_module_for_openai

SEED = REPO / "tests" / "tutorials" / "seed000.py"
DEADLINE_S = 5 * 60
#: The poller's wall time over the same requests answered at the floor, per repetition.
TARGET_X_FLOOR = 1.2


@dataclass(frozen=True)
class Sample:
    poller_s: float
    total_s: float
    virtual_s: float
    retrieves: int
    #: The retrieves the poller made: (thread id, run id, status, headers, body) of each answer.
    answers: list[tuple[str, str, int, dict[str, str], bytes]]


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
    answers: list[tuple[str, str, int, dict[str, str], bytes]] = []

    def keep(request: ApiRequest, response: ApiResponse) -> None:
        _, thread_id, _, run_id = request.path.strip("/").split("/")
        answers.append((thread_id, run_id, response.status, dict(response.headers), response.content))

    with tempfile.TemporaryDirectory() as cwd, working_directory(Path(cwd)):
        started = time.perf_counter()
        with FakeAssistants("stuck_in_progress") as fake:
            client = seed.client
            assistant = client.beta.assistants.create(model="gpt-4o")
            thread = client.beta.threads.create(messages=[{"role": "user", "content": "rate"}])
            run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
            fake.backend.listeners.append(keep)
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
    return Sample(polled - polling, finished - started, virtual, len(answers), answers)


def floor_retrieves(answers: list[tuple[str, str, int, dict[str, str], bytes]]) -> float:
    """Seconds for the same retrieves through the SDK, answered from recorded bytes by a MockTransport."""
    module = httpx_module_for_openai()
    replies = iter(answers)

    def handler(_: object) -> object:
        _, _, status, headers, content = next(replies)
        return module.Response(status, headers=headers, content=content)

    http_client = module.Client(transport=module.MockTransport(handler))
    client = openai.OpenAI(api_key="sk-test", http_client=http_client)
    started = time.perf_counter()
    for thread_id, run_id, *_ in answers:
        client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
    took = time.perf_counter() - started
    client.close()
    return took


def run(repeats: int) -> list[Row]:
    seed = load_seed()
    first = one_deadline(seed)  # warm-up: the first fake in a process scans the loaded modules once
    floor_retrieves(first.answers)
    samples, floors = [], []
    for _ in range(repeats):  # paired: the floor right after each deadline, so both see the same load
        samples.append(one_deadline(seed))
        floors.append(floor_retrieves(samples[-1].answers))
    extra = {"virtual_s": samples[0].virtual_s, "retrieves": samples[0].retrieves}
    note = f"{samples[0].retrieves} retrieves over {samples[0].virtual_s:g} virtual s"
    poller = Row(
        "P2",
        "seed000 5-min deadline, stuck run: poller / floor",
        "x",
        Stats.of(ratios([s.poller_s for s in samples], floors)),
        Target("<=", TARGET_X_FLOOR),
        note=note + "; floor: the same retrieves answered from recorded bytes, same repetition",
        extra=extra,
    )
    wall = Row(
        "P2",
        "  same, poller wall",
        "ms",
        Stats.of([s.poller_s * 1e3 for s in samples]),
        note=note,
        extra=extra,
    )
    floor = Row("P2", "  same retrieves at the floor", "ms", Stats.of([f * 1e3 for f in floors]), extra=extra)
    total = Row(
        "P2",
        "  same, whole test body (fake enter..exit)",
        "ms",
        Stats.of([s.total_s * 1e3 for s in samples]),
        extra=extra,
    )
    return [poller, wall, floor, total]
