"""P6: growth: does a fake slow down as it accumulates state?

One fake runs ``aging`` flows (the P1 flow, 15 requests each) first. Then, in each repetition, a batch
of ``flows`` flows is timed on that aged fake and on a fresh fake (built outside the timing), both
through a new ``fake.client()`` so only the backend's state differs. The aged fake keeps growing
across repetitions. Target: aged / fresh per-flow time, per repetition, median <= 1.05.
"""

from __future__ import annotations

import gc
import time

import flow
from common import Row, Stats, Target, ratios

from assistant_harness import FakeAssistants

TARGET_RATIO = 1.05


def time_flows(fake: FakeAssistants, flows: int) -> float:
    """Seconds per flow over ``flows`` flows through a new client of ``fake``."""
    client = fake.client()
    gc.collect()
    start = time.perf_counter()
    for _ in range(flows):
        result = flow.run_flow(client, fake.advance)
    elapsed = time.perf_counter() - start
    flow.check(result, "growth")
    return elapsed / flows


def age(fake: FakeAssistants, flows: int) -> None:
    client = fake.client()
    for _ in range(flows):
        flow.check(flow.run_flow(client, fake.advance), "aging")


def run(aging: int, flows: int, repeats: int) -> list[Row]:
    aged = flow.new_fake()
    age(aged, aging)
    aged_s: list[float] = []
    fresh_s: list[float] = []
    for _ in range(repeats):
        aged_s.append(time_flows(aged, flows))
        fresh_s.append(time_flows(flow.new_fake(), flows))
    return [
        Row(
            "P6",
            f"per-flow time after {aging:,} flows / fresh fake",
            "x",
            Stats.of(ratios(aged_s, fresh_s)),
            Target("<=", TARGET_RATIO),
            note=f"{flows} flows per batch; aged fake holds {len(aged.store.runs):,} runs at the end",
        ),
        Row("P6", "  aged fake, per flow", "ms", Stats.of([s * 1e3 for s in aged_s])),
        Row("P6", "  fresh fake, per flow", "ms", Stats.of([s * 1e3 for s in fresh_s])),
    ]
