"""Polling bugs become fast, readable failures; pollers that never sleep still see runs progress."""

from __future__ import annotations

import sys
import threading
import time
import types
from typing import Any

import openai
import pytest

from assistant_harness import FakeAssistants, HangDetected, HangLimits, Timeline
from assistant_harness.engine.hangs import BUSY_GROWTH, LISTINGS_KEPT

# Virtual time is shown by the clock, and by real sleeping failing (tests/realtime.py).
pytestmark = pytest.mark.usefixtures("no_real_sleep")


def _start(client: openai.OpenAI) -> Any:
    assistant = client.beta.assistants.create(model="gpt-4o")
    return client.beta.threads.create_and_run(assistant_id=assistant.id)


def _poll_until_completed(client: openai.OpenAI, run: Any) -> Any:
    """The bug: a loop that only stops on completed (polling every 5 s, as seed 000 does)."""
    while run.status != "completed":
        time.sleep(5)
        run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
    return run


#: Virtual seconds until HangDetected: 100 five-second polls (HangLimits.polls) after the run stopped
#: changing (expired at 600 s, failed at 3 s, cancelled at 6 s), to the poll.
FAILS_WITHIN = {"expired_waiting_for_tools": 1100, "failed_server_error": 505, "cancelled": 510}


@pytest.mark.parametrize(
    ("scenario", "status"),
    [("expired_waiting_for_tools", "expired"), ("failed_server_error", "failed"), ("cancelled", "cancelled")],
)
def test_a_loop_that_only_stops_on_completed_fails_fast(scenario: str, status: str) -> None:
    with FakeAssistants(scenario) as fake:
        client = fake.client()
        run = _start(client)
        with pytest.raises(HangDetected) as caught:
            _poll_until_completed(client, run)
    assert fake.clock.elapsed() == FAILS_WITHIN[scenario]
    message = str(caught.value)
    assert f"Run {run.id} has been '{status}'" in message
    assert f"this loop does not stop on '{status}'" in message
    assert "polled 101 times" in message


def test_the_sdk_neither_retries_nor_wraps_the_hang_error() -> None:
    with FakeAssistants("failed_server_error", hang_limits=HangLimits(polls=3)) as fake:
        client = openai.OpenAI(api_key="sk-test")  # intercepted: the SDK's own transport stack
        run = _start(client)
        with pytest.raises(HangDetected):
            _poll_until_completed(client, run)
        assert fake.run(run.id).polls_after_final == 4  # no retry after the error


def test_virtual_seconds_limit() -> None:
    with FakeAssistants("failed_server_error", hang_limits=HangLimits(polls=10_000, seconds=60)) as fake:
        client = fake.client()
        run = _start(client)
        with pytest.raises(HangDetected, match=r"over 6[5-9] virtual seconds"):
            _poll_until_completed(client, run)


def test_hang_detection_can_be_switched_off() -> None:
    with FakeAssistants("failed_server_error", hang_limits=None) as fake:
        client = fake.client()
        run = _start(client)
        for _ in range(300):
            run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        assert run.status == "failed"


def test_a_few_fetches_of_a_finished_run_are_fine() -> None:
    with FakeAssistants("happy_path") as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="m").id
        )
        for _ in range(20):
            assert client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == "completed"


def _list_without_advancing(client: openai.OpenAI, thread_id: str) -> None:
    """The bug: the cursor is set once and never advanced."""
    after = None
    while True:
        page = client.beta.threads.messages.list(thread_id, limit=1, **({"after": after} if after else {}))
        after = page.data[0].id if after is None else after


def test_listing_with_a_stuck_cursor_is_a_hang() -> None:
    with FakeAssistants(hang_limits=HangLimits(polls=20)) as fake:
        client = fake.client()
        thread = client.beta.threads.create(messages=[{"role": "user", "content": str(i)} for i in range(3)])
        with pytest.raises(HangDetected, match=r"fetched 21 times with the same cursor") as caught:
            _list_without_advancing(client, thread.id)
        assert f"/threads/{thread.id}/messages?after=" in str(caught.value)


def test_the_listings_it_remembers_are_bounded_and_a_stuck_cursor_is_still_caught() -> None:
    """A long-lived fake lists many threads; it remembers a few recent listings, not every one."""
    with FakeAssistants(hang_limits=HangLimits(polls=20)) as fake:
        client = fake.client()
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "a"}])
        for n in range(LISTINGS_KEPT + 10):
            client.beta.threads.messages.list(thread.id, run_id=f"run_{n}")
        assert 0 < len(fake.backend.hangs._listings) <= LISTINGS_KEPT
        with pytest.raises(HangDetected, match=r"fetched 21 times with the same cursor"):
            _list_without_advancing(client, thread.id)


def test_a_stuck_cursor_is_caught_among_many_other_listings() -> None:
    """Each turn of the stuck loop, other code lists 20 new things: more than the room, over 21 turns."""
    with FakeAssistants(hang_limits=HangLimits(polls=20)) as fake:
        client = fake.client()
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "a"}])
        turns: list[int] = []

        def stuck_among_others() -> None:
            for turn in range(50):
                turns.append(turn)
                client.beta.threads.messages.list(thread.id, after="msg_stuck")
                for n in range(20):
                    client.beta.threads.messages.list(thread.id, run_id=f"run_{turn}_{n}")

        with pytest.raises(HangDetected, match=r"fetched 21 times with the same cursor"):
            stuck_among_others()
        assert len(turns) == 21 and len(fake.backend.hangs._listings) <= LISTINGS_KEPT


@pytest.mark.slow  # thousands of polls: `pytest -m slow` and CI
def test_a_poller_that_never_sleeps_still_sees_the_run_finish() -> None:
    def busy(client: openai.OpenAI) -> tuple[str, int, float]:
        run = _start(client)
        polls = 0
        while run.status in ("queued", "in_progress"):
            run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
            polls += 1
        return run.status, polls, 0.0

    outcomes = []
    for _ in range(2):
        with FakeAssistants("slow_run") as fake:
            status, polls, _ = busy(fake.client())
            outcomes.append((status, polls, fake.clock.elapsed()))
    assert outcomes[0] == outcomes[1]  # the same scenario gives the same outcome
    assert outcomes[0][0] == "completed" and outcomes[0][2] >= 260


def test_fetching_a_run_twice_at_one_moment_does_not_move_time() -> None:
    with FakeAssistants(timeline=Timeline.of(("queued", 1), ("in_progress", 1), "completed")) as fake:
        client = fake.client()
        run = _start(client)
        for _ in range(2):
            client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        assert fake.clock.elapsed() == 0


def test_a_sleep_bound_before_the_fake_started_is_virtual() -> None:
    module = types.ModuleType("bound_sleep_poller")
    exec(
        "from time import sleep\n"
        "def wait(client, run):\n"
        "    while run.status in ('queued', 'in_progress'):\n"
        "        sleep(5)\n"
        "        run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)\n"
        "    return run\n",
        module.__dict__,
    )
    sys.modules[module.__name__] = module
    try:
        thirty = Timeline.of(("queued", 5), ("in_progress", 25), "completed")
        with FakeAssistants(timeline=thirty) as fake:
            run = module.wait(fake.client(), _start(fake.client()))
            assert run.status == "completed" and fake.clock.elapsed() == 30
    finally:
        del sys.modules[module.__name__]


def test_a_poller_in_another_thread() -> None:
    result: list[str] = []
    with FakeAssistants("slow_run") as fake:
        client = fake.client()
        run = _start(client)

        def poll() -> None:
            current = run
            while current.status in ("queued", "in_progress"):
                time.sleep(10)
                current = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
            result.append(current.status)

        worker = threading.Thread(target=poll)
        worker.start()
        worker.join(timeout=60)  # a guard against a hang, not a speed claim: the clock says that
        assert result == ["completed"]
        assert fake.clock.elapsed() == 260  # slow_run completes at 260 s: 26 ten-second sleeps


def test_a_few_fetches_far_apart_are_not_a_loop() -> None:
    with FakeAssistants("failed_server_error", hang_limits=HangLimits(polls=100, seconds=60)) as fake:
        client = fake.client()
        run = _start(client)
        for _ in range(4):
            fake.advance(700)
            assert client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == "failed"


def test_without_virtual_time_busy_polls_move_nothing() -> None:
    with FakeAssistants("happy_path", virtual_time=False) as fake:
        client = fake.client()
        run = _start(client)
        for _ in range(10):
            run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        assert fake.clock.elapsed() == 0 and run.status == "queued"


# -- vector-store files and file batches: the same detector, through the API's registration --------

_STUCK_FILES = """\
description: every vector-store file is processed for ever
file_processing:
  - steps:
      - {status: in_progress}
"""


@pytest.fixture
def stuck_files(tmp_path: Any) -> str:
    path = tmp_path / "stuck_files.yaml"
    path.write_text(_STUCK_FILES)
    return str(path)


def test_create_and_poll_on_a_file_processed_for_ever_ends_in_hang_detected(stuck_files: str) -> None:
    with FakeAssistants(stuck_files) as fake:
        client = fake.client()
        uploaded = client.files.create(file=("notes.txt", b"hello"), purpose="assistants")
        store = client.vector_stores.create(name="kb")
        with pytest.raises(HangDetected, match=r"Vector store file file-\w+ has been 'in_progress'"):
            client.vector_stores.files.create_and_poll(file_id=uploaded.id, vector_store_id=store.id)
        # The virtual-time limit (600 s after it stopped changing), polled every virtual second.
        assert 600 < fake.clock.elapsed() <= 610


def test_upload_and_poll_of_a_file_batch_processed_for_ever_ends_in_hang_detected(stuck_files: str) -> None:
    with FakeAssistants(stuck_files) as fake:
        client = fake.client()
        store = client.vector_stores.create(name="kb")
        files = [("a.txt", b"a"), ("b.txt", b"b")]
        with pytest.raises(HangDetected, match=r"has been 'in_progress'.*no deadline"):
            client.vector_stores.file_batches.upload_and_poll(store.id, files=files)
        assert 600 < fake.clock.elapsed() <= 610


def test_a_hand_loop_without_sleep_on_a_stuck_file_ends_too(stuck_files: str) -> None:
    with FakeAssistants(stuck_files) as fake:
        client = fake.client()
        uploaded = client.files.create(file=("notes.txt", b"hello"), purpose="assistants")
        store = client.vector_stores.create(name="kb", file_ids=[uploaded.id])

        def wait() -> None:  # the bug: no deadline, no sleep
            while (
                client.vector_stores.files.retrieve(uploaded.id, vector_store_id=store.id).status
                == "in_progress"
            ):
                pass

        with pytest.raises(HangDetected):
            wait()
        # A loop that never sleeps moves the clock by up to BUSY_GROWTH poll intervals per fetch.
        assert 600 < fake.clock.elapsed() <= 610 + BUSY_GROWTH


def test_polling_a_finished_vector_store_file_for_ever_is_a_hang() -> None:
    with FakeAssistants() as fake:
        client = fake.client()
        uploaded = client.files.create(file=("notes.txt", b"hello"), purpose="assistants")
        store = client.vector_stores.create(name="kb", file_ids=[uploaded.id])

        def wait_for_done() -> None:  # the bug: "done" is no status of a vector-store file
            while client.vector_stores.files.retrieve(uploaded.id, vector_store_id=store.id).status != "done":
                time.sleep(1)

        with pytest.raises(HangDetected, match="does not stop on 'completed'"):
            wait_for_done()
