"""P1: the 15-request flow through every contender, against the floor (see flow.py, contenders.py).

The fake's own contenders come from flow.py (both floors, fake.client(), fresh fake per flow, global
interception); the others from contenders.py. All are warmed up, then timed in batches of ``flows``
flows, interleaved within each of ``repeats`` repetitions; the table's ratios use the medians of the
same run, each contender against its floor (flow.py: one recorded flow for the contenders that replay
one, new ids every flow for the reused fakes). The targets (:func:`target_rows`) use per-repetition
ratios, the speed issue's goals: ``fake.client()`` within 1.10x of its floor, global interception and
our replay (cassette opened per flow or once) within 1.15x, and the slowest of ours that reuse their
fake or cassette faster than the fastest other contender that reuses its mock (respx routes, vcrpy
rewound, openai-responses).

Every contender is timed with the SDK's generic page classes held (page_classes.py): pydantic keeps
them weakly, and whether a flow builds its page class again (~0.7 ms) depends on where the garbage
collector's passes fall, which any change to anyone's allocations moves. The reused fakes and their
floor are also timed without holding, with those builds counted: info rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import flow
import page_classes
from common import Row, Stats, Target, format_table, ratios, unavailable
from contenders import Unavailable, extra_contenders

#: Also timed without holding the SDK's page classes (info rows): the reused fakes and their floor.
UNHELD = (flow.FLOOR_NEW_IDS, "fake.client()", "global interception")


@dataclass(frozen=True)
class P1Settings:
    flows: int
    repeats: int
    warmup: int
    #: Repetitions of :data:`UNHELD` without holding the SDK's page classes.
    unheld_repeats: int = 10


@dataclass(frozen=True)
class P1Result:
    settings: P1Settings
    summaries: list[flow.Summary]
    unavailable: list[Unavailable]
    #: Generic page classes the SDK built per flow without holding, by contender (empty: not measured).
    page_class_builds: dict[str, float] = field(default_factory=dict)
    #: Per-flow seconds of :data:`UNHELD` without holding, per repetition.
    unheld_samples: dict[str, list[float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "settings": asdict(self.settings),
            "requests_per_flow": flow.REQUESTS_PER_FLOW,
            "contenders": [asdict(s) for s in self.summaries],
            "unavailable": [asdict(u) for u in self.unavailable],
            "page_class_builds_per_flow_unheld": self.page_class_builds,
            "unheld_samples_s": self.unheld_samples,
        }


def all_contenders(settings: P1Settings, directory: Path) -> tuple[list[flow.Contender], list[Unavailable]]:
    responses = flow.record_responses()
    batch = max(settings.flows, settings.warmup)
    entries = [
        flow.floor_contender(responses),
        flow.new_ids_floor_contender(),
        flow.global_interception_contender(),
        flow.fake_client_contender(),
        flow.fresh_fake_contender(),
        *extra_contenders(responses, batch, directory),
    ]
    runnable = [e for e in entries if isinstance(e, flow.Contender)]
    missing = [e for e in entries if isinstance(e, Unavailable)]
    return runnable, missing


def counting_builds(
    contender: flow.Contender, builds: page_classes.Builds, totals: dict[str, int]
) -> flow.Contender:
    """``contender`` adding the page classes each of its flows made the SDK build to ``totals``."""
    name, run_flow = contender.name, contender.flow
    totals[name] = 0

    def counted() -> flow.FlowResult:
        before = builds.count
        result = run_flow()
        totals[name] += builds.count - before
        return result

    return replace(contender, flow=counted)


def run(settings: P1Settings, directory: Path) -> P1Result:
    runnable, missing = all_contenders(settings, directory)
    for contender in runnable:
        flow.warm_up(contender, settings.warmup)
    totals: dict[str, int] = {}
    unheld: dict[str, list[float]] = {}
    with page_classes.counted() as builds:
        if page_classes.available() and settings.unheld_repeats:
            again = [counting_builds(c, builds, totals) for c in runnable if c.name in UNHELD]
            unheld = flow.measure(again, settings.flows, settings.unheld_repeats)
        with page_classes.held(builds):
            for contender in runnable:
                flow.warm_up(contender, 1)  # builds what it lists: held from now on
            samples = flow.measure(runnable, settings.flows, settings.repeats)
    flows = settings.flows * settings.unheld_repeats
    built = {name: n / flows for name, n in totals.items()}
    return P1Result(settings, flow.summarize(samples, flow.floors_of(runnable)), missing, built, unheld)


def format_result(result: P1Result) -> str:
    s = result.settings
    header = (
        f"P1 flow: {flow.REQUESTS_PER_FLOW} requests per flow, {s.flows} flows x {s.repeats} repetitions per "
        f"contender (interleaved), {s.warmup} warm-up flows; per-flow ms; targets in the table below"
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
            f"{result.page_class_builds[x.name]:.2f}" if x.name in result.page_class_builds else "",
            x.floor,
        )
        for x in result.summaries
    ]
    rows += [(u.name, "n/a", "", "", "", "", "", "", "") for u in result.unavailable]
    first = ("contender", "median ms", "min ms", "max ms", "flows/s", "x floor", "+us/req")
    table = format_table((*first, "unheld builds", "floor"), rows)
    notes = "\n".join(f"{u.name}: n/a, {u.reason}" for u in result.unavailable)
    if result.page_class_builds:
        notes = (
            "timed with the SDK's generic page classes held for every contender (page_classes.py); unheld "
            "builds: the page classes the SDK built again per flow in the info repetitions without holding "
            "(~0.7 ms each; 1 a batch comes from the collection before each batch)"
            + (f"\n{notes}" if notes else "")
        )
    return f"{header}\n\n{table}" + (f"\n\n{notes}" if notes else "")


# -- targets ----------------------------------------------------------------------------------------

#: The speed issue's goals, per contender, as ratios to the floor of the same repetition.
TARGETS_X_FLOOR = {
    "fake.client()": 1.10,
    "global interception": 1.15,
    "cassette, opened per flow": 1.15,
    "cassette, opened once": 1.15,
}
OURS = tuple(TARGETS_X_FLOOR)
#: Ours that reuse one fake or one opened cassette across flows, as the other contenders below do.
OURS_REUSED = ("fake.client()", "global interception", "cassette, opened once")
#: Contenders that answer the flow like ours do: one mock, cassette or router reused across flows.
OTHERS = ("respx routes", "vcrpy, opened once + rewind", "openai-responses")


def target_rows(result: P1Result) -> list[Row]:
    """The issue's P1 targets as checked rows, from per-repetition ratios of the same run."""
    ms = {s.name: s.samples_ms for s in result.summaries}
    floor_of = {s.name: s.floor for s in result.summaries}
    floor = ms[flow.FLOOR]
    rows = [
        Row(
            "P1",
            f"{name} / floor, per flow",
            "x",
            Stats.of(ratios(ms[name], ms[floor_of[name]])),
            Target("<=", TARGETS_X_FLOOR[name]),
            note=f"against the {floor_of[name]!r} of the same repetition; SDK page classes held for both",
        )
        for name in OURS
        if name in ms
    ]
    rows += unheld_rows(result)
    others = [name for name in OTHERS if name in ms]
    title = "slowest of ours / fastest other contender"
    if not others:
        rows.append(unavailable("P1", title, "no other contender runs here (see the P1 table)"))
        return rows
    mine = [name for name in OURS_REUSED if name in ms]
    repetitions = range(len(floor))
    slowest = [max(ms[name][i] for name in mine) for i in repetitions]
    fastest = [min(ms[name][i] for name in others) for i in repetitions]
    rows.append(
        Row(
            "P1",
            title,
            "x",
            Stats.of(ratios(slowest, fastest)),
            Target("<", 1.0),
            note=f"ours: {', '.join(mine)}; others: {', '.join(others)}; per repetition",
        )
    )
    return rows


def unheld_rows(result: P1Result) -> list[Row]:
    """Info rows: the reused fakes against their floor without holding the SDK's page classes."""
    unheld, built = result.unheld_samples, result.page_class_builds
    floor = unheld.get(flow.FLOOR_NEW_IDS)
    if not floor:
        return []
    return [
        Row(
            "P1",
            f"  {name} / floor, page classes not held",
            "x",
            Stats.of(ratios(unheld[name], floor)),
            note=(
                f"{len(floor)} repetitions before the others; page classes built again per flow: "
                f"{name} {built.get(name, 0):.2f}, floor {built.get(flow.FLOOR_NEW_IDS, 0):.2f}"
            ),
        )
        for name in UNHELD[1:]
        if name in unheld
    ]
