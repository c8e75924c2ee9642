"""Fault rules, and the SDK's real retry logic running against them on virtual time."""

from __future__ import annotations

import dataclasses
import re

import openai
import pytest

from assistant_harness import ConfigurationError, FakeAssistants, Fault
from assistant_harness.engine.faults import FaultCounter, FaultRules

from .realtime import forbid_real_sleep


def _thread_and_run(client: openai.OpenAI) -> tuple[str, str]:
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run(assistant_id=assistant.id)
    return run.thread_id, run.id


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503])
def test_retryable_statuses_are_retried_by_the_sdk(status: int) -> None:
    with FakeAssistants(faults=[Fault(endpoint="runs.retrieve", times=2, status=status)]) as fake:
        client = fake.client()
        thread_id, run_id = _thread_and_run(client)
        run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        assert run.id == run_id
        assert fake.faults[0].fired == 2 and fake.faults[0].seen == 3


def test_retry_after_is_honoured_in_virtual_time() -> None:
    with (
        FakeAssistants(
            faults=[Fault(endpoint="assistants.create", times=2, status=429, retry_after=7)]
        ) as fake,
        forbid_real_sleep(),
    ):
        fake.client().beta.assistants.create(model="gpt-4o")
        assert fake.clock.elapsed() == 14  # two waits of exactly retry-after


def test_retry_after_ms_is_honoured() -> None:
    with FakeAssistants(
        faults=[Fault(endpoint="threads.create", nth=1, status=503, retry_after_ms=1500)]
    ) as fake:
        fake.client().beta.threads.create()
        assert fake.clock.elapsed() == 1.5


def test_x_should_retry_false_stops_the_sdk() -> None:
    with FakeAssistants(faults=[Fault(endpoint="threads.create", status=500, should_retry=False)]) as fake:
        with pytest.raises(openai.InternalServerError):
            fake.client().beta.threads.create()
        assert fake.faults[0].seen == 1


def test_x_should_retry_true_retries_even_a_400() -> None:
    with FakeAssistants(
        faults=[Fault(endpoint="threads.create", nth=1, status=400, should_retry=True)]
    ) as fake:
        assert fake.client().beta.threads.create().object == "thread"
        assert fake.faults[0].seen == 2


def test_fail_the_nth_retrieve_without_retries() -> None:
    with FakeAssistants(faults=[Fault(endpoint="runs.retrieve", nth=3, status=500)]) as fake:
        client = fake.client(max_retries=0)
        thread_id, run_id = _thread_and_run(client)
        client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        with pytest.raises(openai.InternalServerError) as caught:
            client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        assert caught.value.body["type"] == "server_error"  # type: ignore[index]
        client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)


@pytest.mark.parametrize("how", ["mock_transport", "intercepted"])
def test_connection_errors_surface_as_the_sdks_connection_error(how: str) -> None:
    with FakeAssistants(faults=[Fault(endpoint="threads.create", error="connect")]) as fake:
        client = fake.client() if how == "mock_transport" else openai.OpenAI(api_key="sk-test")
        with pytest.raises(openai.APIConnectionError) as caught:
            client.beta.threads.create()
        assert not isinstance(caught.value, openai.APITimeoutError)
        assert fake.faults[0].seen == 3  # the first try and the SDK's two retries


@pytest.mark.parametrize("how", ["mock_transport", "intercepted"])
def test_read_timeouts_wait_the_clients_timeout_in_virtual_time(how: str) -> None:
    with FakeAssistants(faults=[Fault(endpoint="threads.create", error="read_timeout")]) as fake:
        client = (fake.client if how == "mock_transport" else openai.OpenAI)(
            api_key="sk-test", timeout=20, max_retries=1
        )
        with forbid_real_sleep(), pytest.raises(openai.APITimeoutError):
            client.beta.threads.create()
        assert fake.clock.elapsed() >= 40  # two attempts, each waiting out the 20 s read timeout


async def test_async_clients_retry_the_same_way() -> None:
    with FakeAssistants(
        faults=[
            Fault(endpoint="threads.create", nth=1, error="connect"),
            Fault(endpoint="threads.create", nth=2, status=502),
        ]
    ) as fake:
        thread = await fake.async_client().beta.threads.create()
        assert thread.object == "thread" and [f.fired for f in fake.faults] == [1, 1]


def test_latency_only_moves_the_clock() -> None:
    with FakeAssistants(faults=[Fault(endpoint="runs.retrieve", latency=2.5)]) as fake:
        client = fake.client()
        thread_id, run_id = _thread_and_run(client)
        run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        assert fake.clock.elapsed() == 2.5 and run.status == "in_progress"  # the default run started at 1 s


def test_probability_is_seeded_and_repeatable() -> None:
    def pattern(seed: int) -> list[bool]:
        counter = FaultCounter(Fault(status=500, probability=0.5, seed=seed))
        return [counter.fires() for _ in range(40)]

    assert pattern(3) == pattern(3) and pattern(3) != pattern(4)
    assert 5 < sum(pattern(3)) < 35


def test_nth_and_times_together() -> None:
    counter = FaultCounter(Fault(status=500, nth=2, times=3))
    assert [counter.fires() for _ in range(6)] == [False, True, True, True, False, False]


def test_faults_can_be_added_while_running() -> None:
    with FakeAssistants() as fake:
        client = fake.client(max_retries=0)
        client.beta.threads.create()
        fake.faults.append(Fault(endpoint="threads.create", status=503))
        with pytest.raises(openai.InternalServerError):
            client.beta.threads.create()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs status=, error=, latency= or stream="),
        ({"error": "dns"}, "'dns' is not one of connect, read_timeout"),
        ({"status": 200}, "not an HTTP error status"),
        ({"status": 500, "nth": 0}, "counted from 1"),
        ({"status": 500, "probability": 2}, "not between 0 and 1"),
    ],
)
def test_bad_fault_rules_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Fault(**kwargs)  # type: ignore[arg-type]


def test_a_fault_list_reused_across_fakes_starts_from_zero() -> None:
    shared = [Fault(endpoint="threads.create", nth=1, status=500, should_retry=False)]
    for _ in range(2):
        with FakeAssistants(faults=shared) as fake, pytest.raises(openai.InternalServerError):
            fake.client().beta.threads.create()
        assert (fake.faults[0].seen, fake.faults[0].fired) == (1, 1)  # each fake counts on its own
        assert fake.faults[0].rule is shared[0]  # the frozen rule itself is shared, not copied


def test_rules_are_frozen_and_the_counters_read_through() -> None:
    rule = Fault(endpoint="runs.retrieve", status=503)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.status = 500  # type: ignore[misc]
    rules = FaultRules([rule])
    assert rules[0].endpoint == "runs.retrieve" and rules[0].seen == 0
    rules.append(Fault(status=500))
    rules[1:] = [Fault(status=502)]
    assert [r.status for r in rules] == [503, 502] and rules.rules()[0] is rule
    with pytest.raises(ConfigurationError, match="must be a Fault, not dict"):
        rules.append({"status": 500})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "429"}, "fault status='429' is a str; it must be int"),
        ({"status": True}, "fault status=True is a bool; it must be int"),
        ({"status": 500, "times": -1}, "times=-1: fire at least once"),
        ({"status": 429, "retry_after": -5}, "retry_after=-5 must be a finite number, 0 or more"),
        ({"latency": float("inf")}, "latency=inf must be a finite number"),
        ({"latency": -10}, "latency=-10 must be a finite number"),
        ({"status": 500, "should_retry": "no"}, "should_retry='no' is a str; it must be bool"),
    ],
)
def test_rules_of_the_wrong_type_or_sign_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        Fault(**kwargs)  # type: ignore[arg-type]


def test_counters_copy_and_read_through_safely() -> None:
    import copy

    counter = FaultCounter(Fault(status=500, nth=1))
    counter.fires()
    copied = copy.copy(counter)
    assert (copied.seen, copied.fired, copied.status) == (1, 1, 500)
    with pytest.raises(AttributeError):
        counter.nonexistent  # noqa: B018


def test_a_rule_round_trips_as_plain_data() -> None:
    rule = Fault(endpoint="runs.create", stream="drop", after_events=2)
    assert rule.to_mapping() == {"endpoint": "runs.create", "stream": "drop", "after_events": 2}
    assert Fault.from_mapping(rule.to_mapping()) == rule
