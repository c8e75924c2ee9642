"""Benchmark the full Assistants flow through the fake against "the floor".

The flow is 15 requests made with the real openai SDK: create an assistant, create a thread, add a user
message, start a run, retrieve the run 10 times (the fake's clock is moved one second before each
retrieve, so the run reads ``in_progress`` nine times and ``completed`` on the tenth) and list the
thread's messages.

The floor is the same 15 SDK calls answered by a trivial ``MockTransport`` that hands back response bytes
recorded from the fake beforehand: no routing, no state, no JSON encoding, just the SDK building each
request and parsing each response. That is the SDK's own cost, which no fake can go below, so every
other contender is reported as a ratio of its floor: what remains is what the harness adds per request.

There are two floors, because the SDK's cost depends on whether a flow's URLs are new. httpx2 (openai
3.x) keeps the last 128 parsed URLs: a flow that repeats one recorded flow's ids requests the same URLs
every time and skips parsing them, a flow with new objects (a fake, the real API) parses each new URL
once. So a contender is compared with the floor that requests what it requests:

* ``floor``: one recorded flow, replayed over and over (the same ids every flow): the floor of the
  contenders that replay one recording (cassettes, vcrpy, respx routes) and of a fresh fake per flow
  (a new fake makes the same ids each time).
* ``floor, new ids per flow``: :data:`DISTINCT_FLOWS` flows recorded from one fake, replayed in turn
  (new ids every flow, as the reused fakes make): the floor of ``fake.client()`` and global
  interception. On openai 2.x (httpx keeps no such cache) the two floors cost the same.

Contenders (one client, and for the fakes one fake, reused across all flows unless said otherwise):

* ``floor`` and ``floor, new ids per flow``: recorded responses, replayed in order by a ``MockTransport``.
* ``fake.client()``: a ``MockTransport`` calling the fake's backend directly, no patching.
* ``fake.client() fresh``: the same, but a new ``FakeAssistants`` and client are built inside every flow.
* ``global interception``: a plain ``openai.OpenAI`` client inside ``with FakeAssistants():``, its
  requests caught at the httpcore/httpcore2 layer by respx.

Each repetition times a batch of ``--flows`` flows per contender, contenders interleaved (A, B, C, A, B,
C, ...); the per-flow time of a repetition is the batch time divided by ``--flows``, and median, min
and max are taken over the ``--repeats`` repetitions. Fakes use ``virtual_time=False``, so nothing
patches ``time`` and ``time.perf_counter`` is the real clock.

    python benchmarks/flow.py [--flows N] [--repeats R] [--warmup W] [--json PATH]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openai
from common import environment, format_environment, format_table, quiet_deprecations, write_json_atomically

from assistant_harness import FakeAssistants, Timeline
from assistant_harness.http.transports import httpx_module_for_openai

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from assistant_harness.http.messages import ApiRequest, ApiResponse

TIMELINE = Timeline.of(("queued", 0.5), ("in_progress", 9.0), "completed")
RETRIEVES = 10
REQUESTS_PER_FLOW = 4 + RETRIEVES + 1
EXPECTED_STATUSES = ("in_progress",) * (RETRIEVES - 1) + ("completed",)
EXPECTED_MESSAGES = 2
API_KEY = "sk-test"
FLOOR = "floor"
FLOOR_NEW_IDS = "floor, new ids per flow"
#: Flows the new-ids floor replays in turn: their ~300 URLs with ids are more than the 128 that
#: httpx2 keeps parsed, so each flow's URLs are new to it, as a fake's new objects are.
DISTINCT_FLOWS = 100


@dataclass(frozen=True)
class FlowResult:
    """What one flow observed: the status of each retrieve and how many messages the list returned."""

    statuses: tuple[str, ...]
    messages: int


@dataclass(frozen=True)
class Recorded:
    """One response of the fake, kept as bytes for the floor to replay."""

    status: int
    content: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Contender:
    """A way of answering the flow: ``flow`` runs it once, inside ``session`` (entered outside the timing)."""

    name: str
    flow: Callable[[], FlowResult]
    session: Callable[[], AbstractContextManager[object]] = nullcontext
    #: The floor this contender is compared with (see the module's docstring).
    floor: str = FLOOR


@dataclass(frozen=True)
class Summary:
    """One contender's numbers over all repetitions (times in milliseconds per flow)."""

    name: str
    samples_ms: list[float]
    median_ms: float
    min_ms: float
    max_ms: float
    flows_per_s: float
    ratio_to_floor: float
    added_us_per_request: float
    #: The floor ``ratio_to_floor`` and ``added_us_per_request`` are taken against.
    floor: str = FLOOR


# -- the flow ------------------------------------------------------------------------------------


def run_flow(client: openai.OpenAI, advance: Callable[[float], None]) -> FlowResult:
    """The 15 requests; ``advance`` moves the fake's clock one second before each retrieve."""
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(thread.id, role="user", content="hi")
    run = client.beta.threads.runs.create(thread.id, assistant_id=assistant.id)
    statuses: list[str] = []
    for _ in range(RETRIEVES):
        advance(1.0)
        statuses.append(client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status)
    messages = client.beta.threads.messages.list(thread.id)
    return FlowResult(tuple(statuses), len(messages.data))


def check(result: FlowResult, name: str) -> None:
    """Fail loudly if a contender did not produce the flow the fake promises."""
    if result.statuses != EXPECTED_STATUSES:
        raise AssertionError(f"{name}: run statuses {result.statuses}, expected {EXPECTED_STATUSES}")
    if result.messages != EXPECTED_MESSAGES:
        raise AssertionError(f"{name}: listed {result.messages} messages, expected {EXPECTED_MESSAGES}")


def no_advance(_: float) -> None:
    """The floor has no clock: its answers are already recorded."""


def new_fake() -> FakeAssistants:
    return FakeAssistants(timeline=TIMELINE, virtual_time=False)


# -- contenders ----------------------------------------------------------------------------------


def record_with(
    fake: Any,
    run: Callable[[openai.OpenAI, Callable[[float], None]], FlowResult],
    checker: Callable[[FlowResult, str], None],
    flows: int = 1,
    per_flow: int | None = None,
) -> list[Recorded]:
    """Run ``run`` ``flows`` times through ``fake``'s client and keep every response it sent, in
    order (P1's flow here; P8's and P9's flows use it too); ``per_flow``: how many each flow makes."""
    recorded: list[Recorded] = []

    def keep(_: ApiRequest, response: ApiResponse) -> None:
        recorded.append(Recorded(response.status, response.content, dict(response.headers)))

    fake.backend.listeners.append(keep)
    client = fake.client()
    for _ in range(flows):
        checker(run(client, fake.advance), "recording")
    if per_flow is not None and len(recorded) != per_flow * flows:
        raise AssertionError(f"recorded {len(recorded)} responses, expected {per_flow * flows}")
    return recorded


def record_responses(flows: int = 1) -> list[Recorded]:
    """Run the flow ``flows`` times through one fake and keep every response it sent, in order."""
    return record_with(new_fake(), run_flow, check, flows, REQUESTS_PER_FLOW)


def floor_client(responses: list[Recorded]) -> openai.OpenAI:
    """A client whose transport returns the next recorded response, whatever was asked."""
    module = httpx_module_for_openai()
    replies: Iterator[Recorded] = itertools.cycle(responses)

    def handler(_: Any) -> Any:
        reply = next(replies)
        return module.Response(reply.status, headers=reply.headers, content=reply.content)

    return openai.OpenAI(api_key=API_KEY, http_client=module.Client(transport=module.MockTransport(handler)))


def floor_contender(responses: list[Recorded] | None = None) -> Contender:
    """The floor, replaying ``responses`` (one flow, recorded here if not given)."""
    client = floor_client(responses if responses is not None else record_responses())
    return Contender(FLOOR, lambda: run_flow(client, no_advance))


def new_ids_floor_contender() -> Contender:
    """The floor of the reused fakes: :data:`DISTINCT_FLOWS` recorded flows, replayed in turn."""
    client = floor_client(record_responses(DISTINCT_FLOWS))
    return Contender(FLOOR_NEW_IDS, lambda: run_flow(client, no_advance))


def fake_client_contender() -> Contender:
    fake = new_fake()
    client = fake.client()
    return Contender("fake.client()", lambda: run_flow(client, fake.advance), floor=FLOOR_NEW_IDS)


def fresh_fake_flow() -> FlowResult:
    fake = new_fake()
    return run_flow(fake.client(), fake.advance)


def fresh_fake_contender() -> Contender:
    return Contender("fake.client() fresh fake/flow", fresh_fake_flow)


def global_interception_contender() -> Contender:
    """A plain client, made once; ``with fake:`` is entered around each batch, outside the timing."""
    fake = new_fake()
    client = openai.OpenAI(api_key=API_KEY, base_url=fake.base_url.url)
    return Contender(
        "global interception",
        lambda: run_flow(client, fake.advance),
        session=lambda: fake,
        floor=FLOOR_NEW_IDS,
    )


def contenders() -> list[Contender]:
    return [
        floor_contender(),
        new_ids_floor_contender(),
        fake_client_contender(),
        fresh_fake_contender(),
        global_interception_contender(),
    ]


# -- timing --------------------------------------------------------------------------------------


def warm_up(contender: Contender, flows: int) -> None:
    with contender.session():
        for _ in range(max(flows, 1)):
            check(contender.flow(), contender.name)


def time_batch(contender: Contender, flows: int) -> float:
    """Seconds per flow over one batch of ``flows`` flows; the last flow's result is checked."""
    flow = contender.flow
    gc.collect()
    with contender.session():
        start = time.perf_counter()
        for _ in range(flows):
            result = flow()
        elapsed = time.perf_counter() - start
    check(result, contender.name)
    return elapsed / flows


def measure(entries: list[Contender], flows: int, repeats: int) -> dict[str, list[float]]:
    """Per-flow seconds for each contender and repetition, contenders interleaved within a repetition."""
    samples: dict[str, list[float]] = {c.name: [] for c in entries}
    for _ in range(repeats):
        for contender in entries:
            samples[contender.name].append(time_batch(contender, flows))
    return samples


def floors_of(entries: list[Contender]) -> dict[str, str]:
    return {c.name: c.floor for c in entries}


def summarize(samples: dict[str, list[float]], floors: dict[str, str] | None = None) -> list[Summary]:
    """Each contender's numbers; ``floors`` names each one's floor (default :data:`FLOOR`)."""
    floor_of = floors or {}
    out: list[Summary] = []
    for name, seconds in samples.items():
        floor_name = floor_of.get(name, FLOOR)
        floor = statistics.median(samples[floor_name])
        median = statistics.median(seconds)
        out.append(
            Summary(
                name=name,
                samples_ms=[s * 1e3 for s in seconds],
                median_ms=median * 1e3,
                min_ms=min(seconds) * 1e3,
                max_ms=max(seconds) * 1e3,
                flows_per_s=1 / median,
                ratio_to_floor=median / floor,
                added_us_per_request=(median - floor) / REQUESTS_PER_FLOW * 1e6,
                floor=floor_name,
            )
        )
    return out


# -- reporting -----------------------------------------------------------------------------------


def format_summaries(summaries: list[Summary]) -> str:
    header = ("contender", "median ms", "min ms", "max ms", "flows/s", "x floor", "+us/req", "floor")
    rows = [
        (
            s.name,
            f"{s.median_ms:.3f}",
            f"{s.min_ms:.3f}",
            f"{s.max_ms:.3f}",
            f"{s.flows_per_s:.1f}",
            f"{s.ratio_to_floor:.2f}",
            f"{s.added_us_per_request:.1f}",
            s.floor,
        )
        for s in summaries
    ]
    return format_table(header, rows)


# -- entry point ---------------------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--flows", type=positive_int, default=200, help="flows per contender and repetition")
    parser.add_argument("--repeats", type=positive_int, default=5, help="repetitions")
    parser.add_argument("--warmup", type=positive_int, default=5, help="untimed flows per contender first")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON to PATH")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_deprecations()
    entries = contenders()
    for contender in entries:
        warm_up(contender, args.warmup)
    summaries = summarize(measure(entries, args.flows, args.repeats), floors_of(entries))
    env = environment()
    print(format_environment(env))
    print(
        f"{REQUESTS_PER_FLOW} requests per flow, {args.flows} flows x {args.repeats} repeats per contender "
        f"(interleaved), {args.warmup} warm-up flows; per-flow time = batch time / flows"
    )
    print()
    print(format_summaries(summaries))
    if args.json is not None:
        payload = {
            "environment": env,
            "settings": {
                "flows": args.flows,
                "repeats": args.repeats,
                "warmup": args.warmup,
                "requests_per_flow": REQUESTS_PER_FLOW,
            },
            "contenders": [asdict(s) for s in summaries],
        }
        write_json_atomically(args.json, payload)
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
