"""remote/worlds: one world per key or X-Harness-Namespace, freed when idle, on a poll-driven clock."""

from __future__ import annotations

import sys

import openai
import pytest

from assistant_harness import backend
from assistant_harness.remote import worlds
from assistant_harness.remote.worlds import SERVED_POLL_AFTER_MS, Namespaces, WorldSpec, namespace_of
from assistant_harness.scenario.model import parse

from ..realtime import forbid_real_sleep
from .worlds_client import client

#: A run that takes 60 virtual seconds, polled every 2.
SLOW = parse(
    """
poll_after_ms: 2000
runs:
  - steps:
      - {status: queued, duration: 10}
      - {status: in_progress, duration: 50}
      - {status: completed, reply: done}
"""
)


def test_two_keys_never_see_each_others_objects() -> None:
    namespaces = Namespaces(WorldSpec())
    alice, bob = client(namespaces, "sk-alice"), client(namespaces, "sk-bob")
    assistant = alice.beta.assistants.create(model="gpt-4o")
    assert alice.beta.assistants.retrieve(assistant.id).id == assistant.id
    with pytest.raises(openai.NotFoundError):
        bob.beta.assistants.retrieve(assistant.id)
    assert bob.beta.assistants.list().data == []
    assert sorted(namespaces.names()) == ["sk-alice", "sk-bob"]


def test_the_namespace_header_overrides_the_key() -> None:
    namespaces = Namespaces(WorldSpec())
    shared = {"default_headers": {"X-Harness-Namespace": "team"}}
    one, two = client(namespaces, "sk-one", **shared), client(namespaces, "sk-two", **shared)
    assistant = one.beta.assistants.create(model="gpt-4o")
    assert two.beta.assistants.retrieve(assistant.id).id == assistant.id
    assert namespaces.names() == ["team"]


@pytest.mark.parametrize(
    ("headers", "name"),
    [
        ({"authorization": "Bearer sk-a"}, "sk-a"),
        ({"authorization": "Bearer sk-a", "x-harness-namespace": "n1"}, "n1"),
        ({"authorization": "Basic abc"}, "default"),
        ({}, "default"),
    ],
)
def test_namespace_of(headers: dict[str, str], name: str) -> None:
    from assistant_harness.http.messages import ApiRequest

    assert namespace_of(ApiRequest("GET", "/models", {}, headers, b"", "")) == name


def test_idle_namespaces_are_freed_and_used_ones_kept() -> None:
    now = [0.0]
    namespaces = Namespaces(WorldSpec(), idle_ttl=60, now=lambda: now[0])
    stale = client(namespaces, "sk-stale")
    fresh = client(namespaces, "sk-fresh")
    assistant = stale.beta.assistants.create(model="gpt-4o")
    now[0] = 50
    fresh.beta.assistants.list()
    now[0] = 100  # sk-stale unused for 100 s, sk-fresh for 50
    namespaces.sweep()
    assert namespaces.names() == ["sk-fresh"]
    with pytest.raises(openai.NotFoundError):  # a freed namespace starts again, empty
        stale.beta.assistants.retrieve(assistant.id)


def test_freeing_a_namespace_empties_the_caches_that_pin_memory_then_trims(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(sys, "_clear_type_cache", lambda: calls.append("type cache"))
    monkeypatch.setattr(worlds, "_malloc_trim", lambda: lambda pad: calls.append(f"trim {pad}") or 1)
    namespaces = Namespaces(WorldSpec())
    client(namespaces, "sk-a").beta.assistants.create(model="gpt-4o")  # answered with a Date
    assert backend._http_date_of_second.cache_info().currsize > 0
    assert not namespaces.reset("sk-unknown") and calls == []  # nothing freed, nothing to give back
    assert namespaces.reset("sk-a")
    assert calls == ["type cache", "trim 0"]
    assert backend._http_date_of_second.cache_info().currsize == 0


def test_a_sweep_leaves_the_namespace_tables_sized_to_what_is_left() -> None:
    now = [0.0]
    namespaces = Namespaces(WorldSpec(), idle_ttl=60, now=lambda: now[0])
    for n in range(40):
        namespaces.world(f"sk-{n}")
    grown = sys.getsizeof(namespaces._worlds), sys.getsizeof(namespaces._used)
    now[0] = 100
    namespaces.world("sk-last")  # sweeps the 40 idle ones first
    assert namespaces.names() == ["sk-last"]
    assert sys.getsizeof(namespaces._worlds) < grown[0] and sys.getsizeof(namespaces._used) < grown[1]


def test_polls_move_the_virtual_clock_and_ask_for_millisecond_waits() -> None:
    namespaces = Namespaces(WorldSpec(SLOW))
    sdk = client(namespaces)
    assistant = sdk.beta.assistants.create(model="gpt-4o")
    thread = sdk.beta.threads.create()
    created = sdk.beta.threads.runs.with_raw_response.create(thread_id=thread.id, assistant_id=assistant.id)
    assert created.headers["openai-poll-after-ms"] == str(SERVED_POLL_AFTER_MS)
    run = sdk.beta.threads.runs.poll(created.parse().id, thread_id=thread.id)
    assert run.status == "completed"
    clock = namespaces.world("sk-test").clock
    # Every poll stood for one 2-second sleep: the run ended on the first poll at or after 60 s.
    assert clock.elapsed() == pytest.approx(60.0)


def test_a_background_response_is_polled_to_its_end_on_the_virtual_clock() -> None:
    scenario = parse(
        """
poll_after_ms: 1000
responses:
  - steps:
      - {status: queued, duration: 5}
      - {status: in_progress, duration: 25}
      - {status: completed, reply: hello}
"""
    )
    namespaces = Namespaces(WorldSpec(scenario))
    sdk = client(namespaces)
    raw = sdk.responses.with_raw_response.create(model="gpt-4o", input="hi", background=True)
    assert raw.headers["openai-poll-after-ms"] == str(SERVED_POLL_AFTER_MS)
    response = raw.parse()
    polls = 0
    while response.status in ("queued", "in_progress"):
        response = sdk.responses.retrieve(response.id)
        polls += 1
    assert response.status == "completed" and polls == 30


def test_a_real_clock_namespace_is_not_moved_by_polls() -> None:
    namespaces = Namespaces(WorldSpec(SLOW, clock="real", speed=1.0))
    sdk = client(namespaces)
    with forbid_real_sleep():
        assistant = sdk.beta.assistants.create(model="gpt-4o")
        run = sdk.beta.threads.create_and_run(assistant_id=assistant.id)
        assert sdk.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == "queued"


def test_the_cli_default_cap_is_the_worlds() -> None:
    from assistant_harness.cli import serve
    from assistant_harness.remote import worlds

    assert serve.SERVE_MAX_OBJECTS == worlds.SERVE_MAX_OBJECTS


def test_hang_detection_answers_as_in_process_when_asked() -> None:
    from assistant_harness.errors import HangDetected

    namespaces = Namespaces(WorldSpec(SLOW, detect_hangs=True))
    sdk = client(namespaces)
    assistant = sdk.beta.assistants.create(model="gpt-4o")
    run = sdk.beta.threads.create_and_run_poll(assistant_id=assistant.id)

    def poll_for_ever() -> None:  # a loop that never stops polling a finished run
        for _ in range(1000):
            sdk.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)

    with pytest.raises(HangDetected):  # `serve` answers it 422 hang_detected (tests/http/test_asgi.py)
        poll_for_ever()
