"""P1: the 15-request flow through every contender, against the floor (see flow.py, contenders.py).

The fake's own contenders come from flow.py (floor, fake.client(), fresh fake per flow, global
interception); the others from contenders.py. All are warmed up, then timed in batches of ``flows``
flows, interleaved within each of ``repeats`` repetitions; ratios to the floor use the medians of
the same run. P1 has no target: it is the reference the other rows are read against.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import flow
from common import format_table
from contenders import Unavailable, extra_contenders


@dataclass(frozen=True)
class P1Settings:
    flows: int
    repeats: int
    warmup: int


@dataclass(frozen=True)
class P1Result:
    settings: P1Settings
    summaries: list[flow.Summary]
    unavailable: list[Unavailable]

    def to_json(self) -> dict[str, Any]:
        return {
            "settings": asdict(self.settings),
            "requests_per_flow": flow.REQUESTS_PER_FLOW,
            "contenders": [asdict(s) for s in self.summaries],
            "unavailable": [asdict(u) for u in self.unavailable],
        }


def all_contenders(settings: P1Settings, directory: Path) -> tuple[list[flow.Contender], list[Unavailable]]:
    responses = flow.record_responses()
    batch = max(settings.flows, settings.warmup)
    entries = [
        flow.floor_contender(responses),
        flow.global_interception_contender(),
        flow.fake_client_contender(),
        flow.fresh_fake_contender(),
        *extra_contenders(responses, batch, directory),
    ]
    runnable = [e for e in entries if isinstance(e, flow.Contender)]
    missing = [e for e in entries if isinstance(e, Unavailable)]
    return runnable, missing


def run(settings: P1Settings, directory: Path) -> P1Result:
    runnable, missing = all_contenders(settings, directory)
    for contender in runnable:
        flow.warm_up(contender, settings.warmup)
    samples = flow.measure(runnable, settings.flows, settings.repeats)
    return P1Result(settings, flow.summarize(samples), missing)


def format_result(result: P1Result) -> str:
    s = result.settings
    header = (
        f"P1 flow: {flow.REQUESTS_PER_FLOW} requests per flow, {s.flows} flows x {s.repeats} repetitions per "
        f"contender (interleaved), {s.warmup} warm-up flows; per-flow ms; no target (reference row)"
    )
    rows = [
        (
            x.name,
            f"{x.median_ms:.2f}",
            f"{x.min_ms:.2f}",
            f"{x.max_ms:.2f}",
            f"{x.flows_per_s:.0f}",
            f"{x.ratio_to_floor:.2f}",
            f"{x.added_us_per_request:.0f}",
        )
        for x in result.summaries
    ]
    rows += [(u.name, "n/a", "", "", "", "", "") for u in result.unavailable]
    table = format_table(
        ("contender", "median ms", "min ms", "max ms", "flows/s", "x floor", "+us/req"), rows
    )
    notes = "\n".join(f"{u.name}: n/a, {u.reason}" for u in result.unavailable)
    return f"{header}\n\n{table}" + (f"\n\n{notes}" if notes else "")
