"""P9: a 1,000-request batch through the fake, against the SDK-only floor, and a 24-hour expiry.

The flow is what users write (the SDK has no batch poll helper): upload a 1,000-line JSONL file, create
the batch, poll it every 10 virtual seconds to the end (validating 1 s, 60 s of requests, 5 s finalizing:
8 polls), download the output file and the error file (``batch_partial_failures``-style rules: every
10th request answered 500). The floor replays the fake's recorded bytes through a trivial
``MockTransport`` (the SDK's own cost of the same 12 requests, the upload's 200 KB and the downloads
included). Target: the fake within 1.3x the floor, per repetition.

The expiry row: a batch held ``in_progress`` until its 24-hour window ends, polled once an hour
(25 requests): real milliseconds for the whole day. Target: under 50 ms.

    python benchmarks/p9_batch.py [--flows N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import flow
import openai
from common import Row, Stats, Target, format_rows, quiet_deprecations, ratios

from assistant_harness import FakeOpenAI, Scenario

REQUESTS = 1_000
CONTENT = "\n".join(
    json.dumps(
        {
            "custom_id": f"request-{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Question {i}"}]},
        }
    )
    for i in range(REQUESTS)
).encode()
PARTLY_FAILING = Scenario.from_yaml(
    """
batches:
  - steps:
      - {status: validating, duration: 1}
      - {status: in_progress, duration: 60}
      - {status: finalizing, duration: 5}
      - {status: completed}
    lines:
      - {every: 10, status: 500}
"""
)
EXPIRING = Scenario.from_yaml(
    """
batches:
  - steps:
      - {status: validating, duration: 60}
      - {status: in_progress, done: 0.5}
"""
)
EXPECTED = ("completed", 900, 100)
TARGET_X_FLOOR = 1.3
EXPIRY_TARGET_MS = 50.0


def run_flow(client: openai.OpenAI, advance: Any, every: float = 10.0) -> flow.FlowResult:
    uploaded = client.files.create(file=("requests.jsonl", CONTENT), purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        advance(every)
        batch = client.batches.retrieve(batch.id)
    output = client.files.content(batch.output_file_id).content if batch.output_file_id else b""
    errors = client.files.content(batch.error_file_id).content if batch.error_file_id else b""
    return flow.FlowResult((batch.status, output.count(b"\n"), errors.count(b"\n")), 0)


def check(result: flow.FlowResult, name: str) -> None:
    if result.statuses != EXPECTED:
        raise AssertionError(f"{name}: {result.statuses}, expected {EXPECTED}")


def new_fake(scenario: Scenario = PARTLY_FAILING) -> FakeOpenAI:
    return FakeOpenAI(scenario, virtual_time=False)


def recorded() -> list[flow.Recorded]:
    return flow.record_with(new_fake(), run_flow, check)


def contenders() -> list[flow.Contender]:
    floor_client = flow.floor_client(recorded())
    fake = new_fake()
    client = fake.client()
    return [
        flow.Contender(flow.FLOOR, lambda: run_flow(floor_client, flow.no_advance)),
        # A new fake per flow would cost its set-up too; one fake, a new batch per flow, as a suite does.
        flow.Contender("fake.client()", lambda: run_flow(client, fake.advance)),
    ]


def expiry_ms() -> float:
    fake = new_fake(EXPIRING)
    client = fake.client()
    start = time.perf_counter()
    uploaded = client.files.create(
        file=("requests.jsonl", CONTENT[: CONTENT.index(b"\n", 20_000)]), purpose="batch"
    )
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    while batch.status != "expired":
        fake.advance(3600)
        batch = client.batches.retrieve(batch.id)
    elapsed = (time.perf_counter() - start) * 1e3
    if fake.clock.elapsed() != 86_400:
        raise AssertionError(f"expired at {fake.clock.elapsed()} virtual seconds")
    return elapsed


def run(flows: int = 2, repeats: int = 7, warmup: int = 1) -> list[Row]:
    entries = contenders()
    original = flow.check
    flow.check = check
    try:
        for contender in entries:
            flow.warm_up(contender, warmup)
        samples = flow.measure(entries, flows, repeats)
    finally:
        flow.check = original
    ms = {name: [s * 1e3 for s in seconds] for name, seconds in samples.items()}
    rows = [
        Row(
            "P9",
            f"1,000-request batch, {name}",
            "ms",
            Stats.of(values),
            note="upload, create, 8 polls, 2 downloads",
        )
        for name, values in ms.items()
    ]
    rows.append(
        Row(
            "P9",
            "1,000-request batch, fake.client() / floor",
            "x",
            Stats.of(ratios(ms["fake.client()"], ms[flow.FLOOR])),
            Target("<=", TARGET_X_FLOOR),
            note="per repetition",
        )
    )
    expiry_ms()  # warm
    rows.append(
        Row(
            "P9",
            "24-hour expiry, hourly polls",
            "ms",
            Stats.of([expiry_ms() for _ in range(repeats)]),
            Target("<", EXPIRY_TARGET_MS),
            note="a ~100-request batch, 25 requests, real time",
        )
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    quiet_deprecations()
    print(format_rows(run(args.flows, args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
