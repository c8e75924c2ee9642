"""Every endless-loop shape of issue 13 ends with HangDetected, on the virtual clock.

Runs expire at ``expires_at`` (created + 600 s) whatever their unfinished status, as the API does,
so a loop that waits for ``completed`` on a stuck run sees ``expired`` and is caught not stopping
on it; a run scripted to hang for ever (``expires=False``) is caught as a loop with no deadline.
The pollers live in a module made before any fake starts, so ``from time import sleep`` holds the
real function until the fake rebinds it, as in user code.
"""

from __future__ import annotations

import asyncio
import sys
import time
import types
from collections.abc import Callable
from typing import Any

import openai
import pytest

from assistant_harness import FakeAssistants, HangDetected, Step, Timeline
from assistant_harness.apis.assistants.statuses import RUN_MODEL
from assistant_harness.engine.hangs import BUSY_GROWTH

POLLERS = types.ModuleType("endless_pollers")
exec(
    """
import asyncio
import time
from time import sleep

def retrieve(client, run):
    return client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)

def with_time_sleep(client, run):
    while run.status != "completed":
        time.sleep(1)
        run = retrieve(client, run)

def with_bound_sleep(client, run):
    while run.status != "completed":
        sleep(1)
        run = retrieve(client, run)

def without_sleep(client, run):
    while run.status != "completed":
        run = retrieve(client, run)

async def with_asyncio_sleep(client, run):
    while run.status != "completed":
        await asyncio.sleep(1)
        run = await client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)

async def async_without_sleep(client, run):
    while run.status != "completed":
        run = await client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)

def stuck_cursor(client, thread_id):
    after = None
    while True:
        page = client.beta.threads.messages.list(thread_id, limit=1, **({"after": after} if after else {}))
        after = page.data[0].id if after is None else after

async def async_stuck_cursor(client, thread_id):
    after = None
    while True:
        cursor = {"after": after} if after else {}
        page = await client.beta.threads.messages.list(thread_id, limit=1, **cursor)
        after = page.data[0].id if after is None else after
        await asyncio.sleep(1)
""",
    POLLERS.__dict__,
)
sys.modules[POLLERS.__name__] = POLLERS

#: Requests a busy loop makes before it is caught: the setup, a few dozen fetches to a far change
#: or the time limit, then the 101 polls of a finished run at most.
MAX_BUSY_FETCHES = 150
SYNC = ("with_time_sleep", "with_bound_sleep", "without_sleep")
ASYNC = ("with_asyncio_sleep", "async_without_sleep")

TOOL_CALL = {"tool_calls": [{"name": "lookup", "arguments": {}}]}
#: name -> (what the fake plays, the status the loop is caught on, the likely bug it names, the
#: virtual seconds by which the run stopped changing)
SHAPES: dict[str, tuple[Any, str, str, float]] = {
    "a final status not handled": ("failed_server_error", "failed", "does not stop on 'failed'", 3),
    "a stuck run expires, the loop does not stop": (
        Timeline([Step("queued", 1), Step("in_progress")]),
        "expired",
        "does not stop on 'expired'",
        600,
    ),
    "an infinite step expires, the loop does not stop": (
        Timeline([Step("in_progress", float("inf")), Step("completed")]),
        "expired",
        "does not stop on 'expired'",
        600,
    ),
    "a run scripted to hang for ever, no deadline": (
        "stuck_in_progress",
        "in_progress",
        "this loop has no deadline",
        2,
    ),
    "a run waiting for ever, no tool outputs sent": (
        Timeline([Step("in_progress", 1), Step("requires_action", payload=TOOL_CALL)], expires=False),
        "requires_action",
        "this loop does not handle 'requires_action'",
        1,
    ),
}


def _start(client: openai.OpenAI) -> Any:
    assistant = client.beta.assistants.create(model="gpt-4o")
    return client.beta.threads.create_and_run(assistant_id=assistant.id)


def _check(
    caught: pytest.ExceptionInfo[HangDetected], fake: FakeAssistants, run: Any, shape: str, busy: bool
) -> None:
    _, status, bug, settled = SHAPES[shape]
    message = str(caught.value)
    assert f"Run {run.id} has been '{status}'" in message
    assert bug in message
    if status in RUN_MODEL.final:
        # Caught on the 101st fetch after the run stopped changing, one virtual second apart at most.
        assert "polled 101 times" in message
        assert settled <= fake.clock.elapsed() <= settled + 102
    else:
        # Stuck but not finished: only the time limit (600 virtual s), so a loop with a deadline of
        # its own would have reached it first, however often it polls. A poller that never sleeps
        # moves the clock by up to BUSY_GROWTH poll intervals per fetch, so it may pass it by that much.
        assert settled + 600 < fake.clock.elapsed() <= settled + 602 + BUSY_GROWTH
    if busy:
        # A loop that never sleeps ends in a bounded number of fetches: it took 600 or more (over a
        # real second) when each of its fetches moved the clock by one poll interval.
        assert len(fake.backend.requests) <= MAX_BUSY_FETCHES


@pytest.mark.parametrize("poller", SYNC)
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_sync_loops_end_with_hang_detected(shape: str, poller: str) -> None:
    with FakeAssistants(SHAPES[shape][0]) as fake:
        client = fake.client()
        run = _start(client)
        with pytest.raises(HangDetected) as caught:
            getattr(POLLERS, poller)(client, run)
        _check(caught, fake, run, shape, "without" in poller)


@pytest.mark.parametrize("poller", ASYNC)
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_async_loops_end_with_hang_detected(shape: str, poller: str) -> None:
    async def main(fake: FakeAssistants) -> Any:
        client = fake.async_client()
        assistant = await client.beta.assistants.create(model="gpt-4o")
        run = await client.beta.threads.create_and_run(assistant_id=assistant.id)
        with pytest.raises(HangDetected) as caught:
            await getattr(POLLERS, poller)(client, run)
        return caught, run

    with FakeAssistants(SHAPES[shape][0]) as fake:
        caught, run = asyncio.run(main(fake))
        _check(caught, fake, run, shape, "without" in poller)


def _thread_with_messages(client: Any) -> str:
    return str(
        client.beta.threads.create(messages=[{"role": "user", "content": str(i)} for i in range(3)]).id
    )


def test_a_stuck_list_cursor_sync() -> None:
    with FakeAssistants() as fake:
        client = fake.client()
        thread_id = _thread_with_messages(client)
        with pytest.raises(HangDetected, match="fetched 101 times with the same cursor") as caught:
            POLLERS.stuck_cursor(client, thread_id)
        assert f"GET /threads/{thread_id}/messages?after=" in str(caught.value)
        assert fake.clock.elapsed() == 0  # a list never moves the clock: the count alone caught it


def test_a_stuck_list_cursor_async() -> None:
    async def main(fake: FakeAssistants) -> None:
        client = fake.async_client()
        thread = await client.beta.threads.create(
            messages=[{"role": "user", "content": str(i)} for i in range(3)]
        )
        with pytest.raises(HangDetected, match="this loop does not advance its cursor"):
            await POLLERS.async_stuck_cursor(client, thread.id)

    with FakeAssistants() as fake:
        asyncio.run(main(fake))
        assert fake.clock.elapsed() == 101  # a sleep after the first page and after 100 repeats


@pytest.mark.parametrize(
    ("make", "outcome"),
    [
        (
            lambda: Timeline([Step("queued", 1), Step("in_progress", float("inf")), Step("completed")]),
            "expired",
        ),
        (lambda: Timeline.of(("queued", 1), ("in_progress", 900), "completed"), "expired"),
    ],
)
def test_create_and_run_poll_ends_at_the_expiry(make: Callable[[], Timeline], outcome: str) -> None:
    with FakeAssistants(timeline=make()) as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        assert run.status == outcome and run.expires_at == run.created_at + 600
        assert fake.clock.elapsed() == 600


def test_create_and_run_poll_on_a_run_that_never_expires_is_a_hang() -> None:
    never = Timeline([Step("queued", 1), Step("in_progress", float("inf")), Step("completed")], expires=False)
    with FakeAssistants(timeline=never) as fake:
        client = fake.client()
        with pytest.raises(HangDetected, match=r"has been 'in_progress' .* this loop has no deadline"):
            client.beta.threads.create_and_run_poll(assistant_id=client.beta.assistants.create(model="m").id)
        assert 1 + 600 < fake.clock.elapsed() <= 1 + 602  # the time limit: HangLimits.seconds


def test_a_deadline_shorter_than_the_expiry_is_reached_without_a_hang() -> None:
    """Seed 000's shape: a five-minute deadline on a run that would expire after ten."""
    with FakeAssistants(timeline=Timeline([Step("queued", 1), Step("in_progress")])) as fake:
        client = fake.client()
        run = _start(client)
        started = fake.clock.time()
        while run.status in ("queued", "in_progress") and time.time() - started < 300:
            time.sleep(5)
            run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        assert run.status == "in_progress" and 300 <= fake.clock.elapsed() <= 305
