"""P8: the Responses API's background flow through the fake, against the SDK-only floor.

The flow is 13 requests made with the real openai SDK: create a background response with a function tool,
retrieve it 10 times (the fake's clock moved one second before each: ``in_progress`` nine times, then
``completed`` with a ``function_call`` item), continue with the ``function_call_output`` by
``previous_response_id`` (a second background response), and retrieve it once more after 3 s: the final
response, ``completed`` with the reply.

As in P1 (flow.py), the floor replays the fake's recorded response bytes through a trivial
``MockTransport``: the SDK's own cost. As the fakes do, it answers with new ids every flow (it replays
:data:`flow.DISTINCT_FLOWS` flows recorded from one fake in turn), so the SDK parses each flow's URLs
as it does against the fakes (httpx2 keeps 128 parsed URLs; see flow.py). Contenders (one fake and
one client reused across flows): ``fake.client()`` and ``global interception`` (a plain client inside
``with FakeOpenAI():``). Batches are interleaved within each repetition and the targets use
per-repetition ratios to the floor: both within 1.15x (the speed issue's goal for it).

    python benchmarks/p8_background.py [--flows N] [--repeats R]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import flow
import openai
from common import Row, Stats, Target, format_rows, quiet_deprecations, ratios

from assistant_harness import FakeOpenAI, ResponseRequest, Step, Timeline

RETRIEVES = 10
REQUESTS_PER_FLOW = 1 + RETRIEVES + 1 + 1
TOOLS: list[Any] = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Get current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        "strict": True,
    }
]
CALLS = Timeline(
    [
        Step("queued", 0.5),
        Step("in_progress", 9.0),
        Step("completed", payload={"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}),
    ]
)
ANSWER = Timeline.of(("queued", 1.0), ("in_progress", 2.0), "completed")
EXPECTED = ("in_progress",) * (RETRIEVES - 1) + ("completed", "completed")
#: The speed issue's goal for the background flow, per repetition.
TARGET_X_FLOOR = 1.15


def scripts(request: ResponseRequest) -> Timeline:
    """Even responses call the tool, odd ones (the continuations) answer."""
    return CALLS if request.index % 2 == 0 else ANSWER


def run_flow(client: openai.OpenAI, advance: Any) -> flow.FlowResult:
    response = client.responses.create(
        model="gpt-4o", input="Weather in Paris?", tools=TOOLS, background=True
    )
    statuses: list[str] = []
    for _ in range(RETRIEVES):
        advance(1.0)
        response = client.responses.retrieve(response.id)
        statuses.append(response.status)
    call = response.output[0]
    follow = client.responses.create(
        model="gpt-4o",
        previous_response_id=response.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny"}],  # type: ignore[union-attr]
        tools=TOOLS,
        background=True,
    )
    advance(3.0)
    final = client.responses.retrieve(follow.id)
    statuses.append(final.status)
    return flow.FlowResult(tuple(statuses), len(final.output))


def check(result: flow.FlowResult, name: str) -> None:
    if result.statuses != EXPECTED or result.messages != 1:
        raise AssertionError(f"{name}: statuses {result.statuses}, expected {EXPECTED}")


def new_fake() -> FakeOpenAI:
    return FakeOpenAI(response_timelines=scripts, virtual_time=False)


def recorded(flows: int = 1) -> list[flow.Recorded]:
    """The responses of ``flows`` flows through one fake, in order."""
    return flow.record_with(new_fake(), run_flow, check, flows, REQUESTS_PER_FLOW)


def contenders() -> list[flow.Contender]:
    floor_client = flow.floor_client(recorded(flow.DISTINCT_FLOWS))
    fake = new_fake()
    client = fake.client()
    intercepted = new_fake()
    plain = openai.OpenAI(api_key=flow.API_KEY, base_url=intercepted.base_url.url)
    return [
        flow.Contender(flow.FLOOR, lambda: run_flow(floor_client, flow.no_advance)),
        flow.Contender("fake.client()", lambda: run_flow(client, fake.advance)),
        flow.Contender(
            "global interception", lambda: run_flow(plain, intercepted.advance), session=lambda: intercepted
        ),
    ]


def run(flows: int = 10, repeats: int = 15, warmup: int = 3) -> list[Row]:
    """The P8 rows: per-flow ms of each contender (info) and the two checked ratios to the floor."""
    entries = contenders()
    original = flow.check
    flow.check = check  # time_batch checks each batch's last flow with the flow module's checker
    try:
        for contender in entries:
            flow.warm_up(contender, warmup)
        samples = flow.measure(entries, flows, repeats)
    finally:
        flow.check = original
    ms = {name: [s * 1e3 for s in seconds] for name, seconds in samples.items()}
    rows = [
        Row("P8", f"background flow, {name}", "ms", Stats.of(values), note=f"{REQUESTS_PER_FLOW} requests")
        for name, values in ms.items()
    ]
    rows += [
        Row(
            "P8",
            f"background flow, {name} / floor",
            "x",
            Stats.of(ratios(ms[name], ms[flow.FLOOR])),
            Target("<=", TARGET_X_FLOOR),
            note="create, 10 polls, a tool round trip, the final response; per repetition",
        )
        for name in ("fake.client()", "global interception")
    ]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    quiet_deprecations()
    print(format_rows(run(args.flows, args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
