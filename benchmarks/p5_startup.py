"""P5: start-up cost of a fake and of a cassette, per test.

Targets (< 1 ms each): ``FakeAssistants("happy_path")`` constructed, entered and left; and
``use_cassette(path)`` entered and left on a small cassette (the 15-interaction P1 flow, recorded
here). Informational breakdowns: construction alone, enter + exit alone (of fakes built beforehand),
``FakeAssistants()`` without a scenario, and ``fake.client()``. ``calls`` operations per repetition,
all measurements interleaved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from common import Row, Stats, Target, interleaved, per_call_seconds
from contenders import record_cassette

from assistant_harness import FakeAssistants, use_cassette

TARGET_MS = 1.0
#: The speed issue's goal for entering and leaving a cassette the suite replays again and again.
CASSETTE_TARGET_MS = 0.3


def fake_lifecycle(scenario: str | None = "happy_path") -> None:
    with FakeAssistants(scenario):
        pass


def cassette_lifecycle(path: Path) -> None:
    with use_cassette(path):
        pass


def enter_exit_only(calls: int) -> float:
    """Seconds per enter + exit of fakes constructed beforehand (construction not timed)."""
    fakes = [FakeAssistants("happy_path") for _ in range(calls)]
    start = time.perf_counter()
    for fake in fakes:
        with fake:
            pass
    return (time.perf_counter() - start) / calls


def client_only(calls: int) -> float:
    fake = FakeAssistants("happy_path")
    return per_call_seconds(fake.client, calls)


def profile_workload(directory: Path, calls: int) -> Callable[[], None]:
    """What the two P5 targets time, ``calls`` times each (for ``run.py --profile P5``)."""
    cassette = record_cassette(directory / "p5_profile_flow.json").path or Path()

    def workload() -> None:
        for _ in range(calls):
            fake_lifecycle()
            cassette_lifecycle(cassette)

    return workload


def run(directory: Path, calls: int, repeats: int) -> list[Row]:
    cassette = record_cassette(directory / "p5_flow.json")
    measurements: dict[str, Callable[[], float]] = {
        "fake": lambda: per_call_seconds(fake_lifecycle, calls),
        "cassette": lambda: per_call_seconds(lambda: cassette_lifecycle(cassette.path or Path()), calls),
        "construct": lambda: per_call_seconds(lambda: FakeAssistants("happy_path"), calls),
        "enter_exit": lambda: enter_exit_only(calls),
        "plain fake": lambda: per_call_seconds(lambda: fake_lifecycle(None), calls),
        "client": lambda: client_only(calls),
    }
    for measure in measurements.values():
        measure()  # warm-up
    ms = {name: [v * 1e3 for v in values] for name, values in interleaved(measurements, repeats).items()}
    return [
        Row(
            "P5",
            'FakeAssistants("happy_path") construct+enter+exit',
            "ms",
            Stats.of(ms["fake"]),
            Target("<", TARGET_MS),
        ),
        Row("P5", "  construct only", "ms", Stats.of(ms["construct"])),
        Row("P5", "  enter+exit only", "ms", Stats.of(ms["enter_exit"])),
        Row("P5", "  FakeAssistants() (no scenario) construct+enter+exit", "ms", Stats.of(ms["plain fake"])),
        Row("P5", "  fake.client()", "ms", Stats.of(ms["client"])),
        Row(
            "P5",
            "use_cassette(15-interaction flow) enter+exit",
            "ms",
            Stats.of(ms["cassette"]),
            Target("<=", CASSETTE_TARGET_MS),
        ),
    ]
