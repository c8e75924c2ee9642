"""Webhook faults: late, duplicated, out of order, badly signed; each as a receiver sees it."""

from __future__ import annotations

import time

import pytest

from assistant_harness import ConfigurationError, FakeOpenAI, WebhookFault
from assistant_harness.testing.receiver import WebhookReceiver


def _receiver(fake: FakeOpenAI, *faults: WebhookFault) -> WebhookReceiver:
    receiver = WebhookReceiver(fake.webhooks.secret)
    fake.webhooks.add(receiver)
    fake.webhooks.faults.extend(faults)
    return receiver


def test_late_arrives_after_the_poller_saw_the_end(fake: FakeOpenAI) -> None:
    receiver = _receiver(fake, WebhookFault(late=120))
    client = fake.client()
    response = client.responses.create(model="gpt-4o", input="x", background=True)
    time.sleep(10)
    assert client.responses.retrieve(response.id).status == "completed" and receiver.events == []
    time.sleep(120)
    assert [d.at for d in fake.webhooks.deliveries] == [123.0]
    event = receiver.events[0]
    assert event.created_at == int(fake.clock.epoch) + 3  # when it happened, not when it arrived


def test_duplicates_share_the_webhook_id(fake: FakeOpenAI) -> None:
    receiver = _receiver(fake, WebhookFault(duplicates=2))
    fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(5)
    assert len(receiver.events) == 3 and len(set(receiver.webhook_ids)) == 1
    assert len(receiver.unique_events) == 1
    assert [d.duplicate for d in fake.webhooks.deliveries] == [False, True, True]


def test_out_of_order_is_held_until_the_next_event_went_out(fake: FakeOpenAI) -> None:
    receiver = _receiver(fake, WebhookFault(out_of_order=True, nth=1))
    client = fake.client()
    first = client.responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(1)
    second = client.responses.create(model="gpt-4o", input="y", background=True)
    fake.advance(10)
    assert [e.data.id for e in receiver.events] == [second.id, first.id]
    assert [d.at for d in fake.webhooks.deliveries] == [4.0, 4.0]
    assert receiver.events[1].created_at < receiver.events[0].created_at


def test_out_of_order_with_nothing_after_it_goes_out_after_its_hold(fake: FakeOpenAI) -> None:
    receiver = _receiver(fake, WebhookFault(out_of_order=True, late=30))
    fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(20)
    assert receiver.events == []
    fake.advance(20)
    assert [d.at for d in fake.webhooks.deliveries] == [33.0]


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("wrong_secret", "does not match"),
        ("tampered", "does not match"),
        ("stale", "too old"),
        ("missing", "webhook-signature"),
    ],
)
def test_a_bad_signature_is_refused_and_the_clean_retry_accepted(
    fake: FakeOpenAI, kind: str, reason: str
) -> None:
    receiver = _receiver(fake, WebhookFault(signature=kind, times=1))
    response = fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(60)
    assert len(receiver.rejected) == 1 and reason in receiver.rejected[0].reason
    assert [(d.attempt, d.status) for d in fake.webhooks.deliveries] == [(1, 400), (2, 200)]
    assert [e.data.id for e in receiver.events] == [response.id]


def test_faults_pick_events_by_type_and_count(fake: FakeOpenAI) -> None:
    rule = WebhookFault(event="response.cancelled", duplicates=1, nth=2)
    _receiver(fake, rule)
    client = fake.client()
    for _ in range(3):
        client.responses.cancel(client.responses.create(model="gpt-4o", input="x", background=True).id)
    client.responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(10)
    assert [(d.type, d.duplicate) for d in fake.webhooks.deliveries] == [
        ("response.cancelled", False),
        ("response.cancelled", False),
        ("response.cancelled", True),
        ("response.cancelled", False),
        ("response.completed", False),
    ]
    assert (rule.seen, rule.fired) == (3, 1)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({}, "what should happen"),
        ({"signature": "forged"}, "wrong_secret, tampered, stale, missing"),
        ({"late": -1}, "0 or more"),
        ({"duplicates": -1}, "0 to 100"),
        ({"late": float("nan")}, "late=nan: give a finite delay"),
        ({"late": float("inf")}, "late=inf: give a finite delay"),
        ({"duplicates": 10**9}, "duplicates=1000000000: give a whole number of extra copies, 0 to 100"),
        ({"late": 1, "nth": 0}, "nth=0: give a whole number from 1"),
        ({"late": 1, "nth": -3}, "nth=-3: give a whole number from 1"),
        ({"late": 1, "times": 0}, "times=0: give a whole number from 1"),
    ],
)
def test_fault_mistakes_are_named(options: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        WebhookFault(**options)  # type: ignore[arg-type]
