"""P4: cassette size: load time and per-request replay cost, 10 vs 10,000 interactions.

Two native JSON cassettes built with ``Cassette``/``Interaction``/``Body``: 10 and 10,000 distinct
``GET /v1/threads/thread_{i}`` interactions. Measured, small and big interleaved in each repetition:

* ``Cassette.load`` of each file (target: 10k under 0.5 s);
* ``use_cassette(path)`` enter + exit (load, plus building the replay index, plus the time patch);
* per-request replay cost of the request matching the *last* interaction (``threads.retrieve`` with a
  plain ``openai.OpenAI`` client while the cassette is active), and the big/small ratio of the
  per-repetition medians (target <= 1.2: dispatch is by index, so size should not matter);
* if vcrpy is installed, its load of the same 10k cassette as vcrpy YAML (``vcr.use_cassette`` enter;
  informational, after the native rows).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import yaml
from common import Row, Stats, Target, interleaved, per_call_seconds, ratios

from assistant_harness import use_cassette
from assistant_harness.cassettes.format import Body, Cassette, Interaction
from assistant_harness.cassettes.vcr import to_vcr

SMALL = 10
BIG = 10_000
LOAD_TARGET_S = 0.5
RATIO_TARGET = 1.2
BASE = "https://api.openai.com/v1"


def thread_interaction(index: int) -> Interaction:
    thread = {
        "id": f"thread_{index}",
        "object": "thread",
        "created_at": 1_767_225_600 + index,
        "metadata": {},
        "tool_resources": {},
    }
    return Interaction(
        method="GET",
        url=f"{BASE}/threads/thread_{index}",
        request_headers={"accept": "application/json", "openai-beta": "assistants=v2"},
        request_body=Body("empty"),
        status=200,
        response_headers={"content-type": "application/json", "openai-version": "2020-10-01"},
        response_body=Body("json", thread),
        offset=index * 0.01,
    )


def build(size: int, directory: Path) -> Path:
    return Cassette([thread_interaction(i) for i in range(size)]).save(directory / f"threads_{size}.json")


def write_vcr_yaml(size: int, directory: Path) -> Path:
    """The same interactions as a vcrpy v1 YAML cassette (C dumper when available: same output, faster)."""
    path = directory / f"threads_{size}.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    data = to_vcr(thread_interaction(i) for i in range(size))
    path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def enter_exit(path: Path) -> None:
    with use_cassette(path):
        pass


def replay_session(path: Path, size: int, requests: int) -> tuple[float, float]:
    """(seconds to enter + exit ``use_cassette(path)``, seconds per replayed request matching the
    cassette's last interaction), from one opening of the cassette."""
    client = openai.OpenAI(api_key="sk-test")
    last = f"thread_{size - 1}"
    cassette = use_cassette(path)
    entering = time.perf_counter()
    cassette.__enter__()
    entered = time.perf_counter()
    try:
        client.beta.threads.retrieve(last)  # the first request through this cassette: not timed
        per_request = per_call_seconds(lambda: client.beta.threads.retrieve(last), requests)
    finally:
        leaving = time.perf_counter()
        cassette.__exit__(None, None, None)
        left = time.perf_counter()
    return (entered - entering) + (left - leaving), per_request


def vcr_load(path: Path) -> None:
    import vcr

    with vcr.use_cassette(str(path), record_mode="none") as cassette:
        assert len(cassette.data) == BIG


def native_rows(directory: Path, repeats: int, requests: int) -> list[Row]:
    small, big = build(SMALL, directory), build(BIG, directory)
    loads: dict[str, Callable[[], Any]] = {
        "load small": lambda: timed(lambda: Cassette.load(small)),
        "load big": lambda: timed(lambda: Cassette.load(big)),
        "replay small": lambda: replay_session(small, SMALL, requests),
        "replay big": lambda: replay_session(big, BIG, requests),
    }
    measured = interleaved(loads, repeats)
    samples: dict[str, list[float]] = {
        "load small": measured["load small"],
        "load big": measured["load big"],
        "enter small": [enter for enter, _ in measured["replay small"]],
        "enter big": [enter for enter, _ in measured["replay big"]],
        "request small": [request for _, request in measured["replay small"]],
        "request big": [request for _, request in measured["replay big"]],
    }
    ms = {name: [v * 1e3 for v in values] for name, values in samples.items()}
    us = {name: [v * 1e6 for v in values] for name, values in samples.items()}
    rows = [
        Row(
            "P4",
            f"Cassette.load, {BIG:,} interactions (JSON)",
            "s",
            Stats.of(samples["load big"]),
            Target("<", LOAD_TARGET_S),
            note=f"{big.stat().st_size / 1e6:.1f} MB file",
        ),
        Row("P4", f"  Cassette.load, {SMALL} interactions", "ms", Stats.of(ms["load small"])),
        Row("P4", f"  use_cassette enter+exit, {BIG:,} (load + index)", "s", Stats.of(samples["enter big"])),
        Row("P4", f"  use_cassette enter+exit, {SMALL}", "ms", Stats.of(ms["enter small"])),
        Row("P4", f"  replay, last of {SMALL}: per request (SDK)", "us", Stats.of(us["request small"])),
        Row("P4", f"  replay, last of {BIG:,}: per request (SDK)", "us", Stats.of(us["request big"])),
    ]
    rows.append(
        Row(
            "P4",
            f"replay per request, {BIG:,} / {SMALL} ratio",
            "x",
            Stats.of(ratios(samples["request big"], samples["request small"])),
            Target("<=", RATIO_TARGET),
            note=f"{requests} requests per repetition and size; the ratio is taken per repetition",
        )
    )
    return rows


def vcr_rows(directory: Path, repeats: int) -> list[Row]:
    try:
        import vcr  # noqa: F401
    except ImportError:
        return [Row("P4", f"vcrpy load, {BIG:,} (YAML)", "s", unavailable="vcrpy is not installed")]
    path = write_vcr_yaml(BIG, directory)
    samples = [timed(lambda: vcr_load(path)) for _ in range(repeats)]
    size = f"{path.stat().st_size / 1e6:.1f} MB file"
    return [Row("P4", f"  vcrpy load, {BIG:,} (vcrpy YAML)", "s", Stats.of(samples), note=size)]


def run(directory: Path, repeats: int, requests: int, vcr_repeats: int) -> list[Row]:
    rows = native_rows(directory, repeats, requests)
    if vcr_repeats > 0:
        rows += vcr_rows(directory, vcr_repeats)
    else:
        skipped = "skipped by --quick (takes ~30 s)"
        rows.append(Row("P4", f"  vcrpy load, {BIG:,} (vcrpy YAML)", "s", unavailable=skipped))
    return rows
