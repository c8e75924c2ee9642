"""Webhooks delivered at the virtual moment a background response ends, signed so the SDK's own
``client.webhooks.unwrap`` accepts them; the event shape against the spec."""

from __future__ import annotations

import json
import time

import openai
import pytest
from openai.types.webhooks import (
    ResponseCancelledWebhookEvent,
    ResponseCompletedWebhookEvent,
    ResponseFailedWebhookEvent,
    ResponseIncompleteWebhookEvent,
)

from assistant_harness import ConfigurationError, FakeOpenAI, Scenario, WebhookDelivery, WebhookDeliveryError
from assistant_harness.testing.receiver import WebhookReceiver

from .. import answers

SECRET = "whsec_" + "c2VjcmV0LWZvci10aGUtd2ViaG9vay10ZXN0cy0xMjM0"
SCHEMAS = {
    "response.completed": "WebhookResponseCompleted",
    "response.failed": "WebhookResponseFailed",
    "response.cancelled": "WebhookResponseCancelled",
    "response.incomplete": "WebhookResponseIncomplete",
}
FOUR = """
responses:
  - steps: [{status: queued, duration: 1}, {status: in_progress, duration: 2}, {status: completed}]
  - steps: [{status: queued, duration: 2}, {status: failed, error: {code: server_error}}]
  - steps: [{status: queued, duration: 1}, {status: in_progress, duration: 4}, {status: incomplete}]
  - steps: [{status: queued, duration: 100}, {status: in_progress, duration: 1}, {status: completed}]
"""


def test_each_final_status_sends_its_event_at_its_moment_even_unpolled() -> None:
    arrivals: list[tuple[float, object]] = []
    with FakeOpenAI(Scenario.from_yaml(FOUR), webhook_secret=SECRET) as fake:
        client = fake.client(webhook_secret=SECRET)
        fake.webhooks.add(
            lambda d: arrivals.append((fake.clock.elapsed(), client.webhooks.unwrap(d.body, d.headers)))
        )
        ids = [client.responses.create(model="gpt-4o", input="hi", background=True).id for _ in range(4)]
        fake.advance(1)
        client.responses.cancel(ids[3])  # cancelled at 1 s, announced at once
        time.sleep(60)  # nobody polls: the other three still arrive when they end
    assert [(at, type(e), e.data.id) for at, e in arrivals] == [
        (1.0, ResponseCancelledWebhookEvent, ids[3]),
        (2.0, ResponseFailedWebhookEvent, ids[1]),
        (3.0, ResponseCompletedWebhookEvent, ids[0]),
        (5.0, ResponseIncompleteWebhookEvent, ids[2]),
    ]
    epoch = int(fake.clock.epoch)
    assert [e.created_at - epoch for _, e in arrivals] == [1, 2, 3, 5]  # type: ignore[attr-defined]
    for delivery in fake.webhooks.deliveries:
        assert answers.errors(SCHEMAS[delivery.type], json.loads(delivery.body)) == []
        assert delivery.ok and delivery.attempt == 1
        assert delivery.webhook_id.startswith("wh_") and delivery.event["id"].startswith("evt_")


def test_a_poll_after_the_webhook_sees_the_final_status(fake: FakeOpenAI) -> None:
    client = fake.client()
    statuses: list[str] = []
    fake.webhooks.add(lambda d: statuses.append(client.responses.retrieve(d.event["data"]["id"]).status))
    response = client.responses.create(model="gpt-4o", input="hi", background=True)
    while client.responses.retrieve(response.id).status != "completed":
        time.sleep(0.5)
    assert statuses == ["completed"]
    assert fake.webhooks.deliveries[0].at == 3.0


def test_foreground_deleted_and_unsubscribed_responses_send_nothing(fake: FakeOpenAI) -> None:
    got: list[WebhookDelivery] = []
    fake.webhooks.add(got.append, events=["response.failed"])
    client = fake.client()
    client.responses.create(model="gpt-4o", input="foreground")  # not background: no webhook
    gone = client.responses.create(model="gpt-4o", input="x", background=True)
    client.responses.delete(gone.id)
    client.responses.create(model="gpt-4o", input="x", background=True)  # completes: not subscribed
    fake.advance(100)
    assert got == []


def test_responses_created_before_the_endpoint_are_announced_too(fake: FakeOpenAI) -> None:
    client = fake.client()
    early = client.responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(1)
    got: list[WebhookDelivery] = []
    fake.webhooks.add(got.append)
    fake.advance(5)
    assert [(d.event["data"]["id"], d.at) for d in got] == [(early.id, 3.0)]


def test_the_signature_is_the_standard_webhooks_one(fake: FakeOpenAI) -> None:
    receiver = WebhookReceiver(SECRET)
    fake.webhooks.add(receiver, secret=SECRET)
    other = WebhookReceiver("whsec_" + "b3RoZXItc2VjcmV0LW9mLXRoZS1zYW1lLWxlbmd0aDEy")
    fake.webhooks.add(other, secret="plain-text-secret")  # a secret without whsec_: its bytes are the key
    fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(5)
    assert [e.type for e in receiver.events] == ["response.completed"]
    assert other.events == [] and "does not match" in other.rejected[0].reason
    plain = fake.webhooks.deliveries[1]
    openai.OpenAI(api_key="sk-test").webhooks.verify_signature(
        plain.body, plain.headers, secret="plain-text-secret"
    )


def test_timestamps_pass_the_sdks_tolerance_however_far_virtual_time_runs() -> None:
    receiver = WebhookReceiver(SECRET)
    with FakeOpenAI(webhooks=receiver, webhook_secret=SECRET) as fake:
        fake.advance(30 * 24 * 3600)  # a month of virtual time: time.time() here is the virtual clock
        fake.client().responses.create(model="gpt-4o", input="x", background=True)
        time.sleep(10)
        assert int(fake.webhooks.deliveries[0].headers["webhook-timestamp"]) == int(fake.clock.time()) - 7
    assert len(receiver.events) == 1


def test_a_fake_that_does_not_patch_time_stamps_wall_time() -> None:
    # fake.client() without `with`: time.time() is real, and "auto" stamps what the SDK will compare.
    fake = FakeOpenAI(webhook_secret=SECRET)
    receiver, forced = WebhookReceiver(SECRET), WebhookReceiver(SECRET)
    fake.webhooks.add(receiver)
    fake.webhooks.add(forced, timestamps="virtual")
    fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(5)
    assert len(receiver.events) == 1
    assert forced.events == [] and "too old" in forced.rejected[0].reason  # the virtual epoch is 2026-01-01
    assert abs(int(fake.webhooks.deliveries[0].headers["webhook-timestamp"]) - time.time()) < 60


def test_a_failed_attempt_is_retried_on_the_virtual_clock(fake: FakeOpenAI) -> None:
    answers_given = iter([500, 503, 200])
    fake.webhooks.add(lambda d: next(answers_given))
    fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(24 * 3600)
    tries = fake.webhooks.deliveries
    assert [(d.at, d.attempt, d.status) for d in tries] == [(3.0, 1, 500), (8.0, 2, 503), (308.0, 3, 200)]
    assert len({d.webhook_id for d in tries}) == 1 and len({d.body for d in tries}) == 1
    assert len(fake.webhooks.events) == 1


def test_a_receiver_that_raises_is_recorded_retried_and_reported(fake: FakeOpenAI) -> None:
    calls: list[int] = []

    def flaky(delivery: WebhookDelivery) -> None:
        calls.append(delivery.attempt)
        if len(calls) == 1:
            raise RuntimeError("database is down")

    fake.webhooks.add(flaky)
    client = fake.client()
    response = client.responses.create(model="gpt-4o", input="x", background=True)
    time.sleep(10)  # the exception does not surface in the code that was sleeping
    assert client.responses.retrieve(response.id).status == "completed"
    assert calls == [1, 2]
    with pytest.raises(WebhookDeliveryError, match="database is down"):
        fake.webhooks.check()


def test_every_webhook_goes_over_http_to_a_loopback_url(fake: FakeOpenAI) -> None:
    receiver = WebhookReceiver(fake.webhooks.secret)
    with receiver.serve() as url:
        fake.webhooks.add(url)
        response = fake.client().responses.create(model="gpt-4o", input="x", background=True)
        fake.advance(5)
    assert [(e.type, e.data.id) for e in receiver.events] == [("response.completed", response.id)]
    assert fake.webhooks.deliveries[0].status == 200


def test_a_refused_connection_is_an_error_and_retried(fake: FakeOpenAI) -> None:
    receiver = WebhookReceiver(fake.webhooks.secret)
    with receiver.serve() as url:
        pass  # the port is closed again
    fake.webhooks.add(url, retries=[5])
    fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(60)
    assert [d.attempt for d in fake.webhooks.errors] == [1, 2]
    assert isinstance(fake.webhooks.errors[0].error, ConnectionError)


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("https://127.0.0.1/hook", "http://127.0.0.1"),
        ("http://example.com/hook", "this machine only"),
        ("http://10.0.0.1:8000/hook", "this machine only"),
        (42, "a callable"),
    ],
)
def test_targets_are_a_callable_or_a_loopback_url(fake: FakeOpenAI, target: object, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        fake.webhooks.add(target)  # type: ignore[arg-type]
    assert fake.webhooks.endpoints == []


def test_settings_are_checked(fake: FakeOpenAI) -> None:
    with pytest.raises(ConfigurationError, match=r"response\.created"):
        fake.webhooks.add(print, events=["response.created"])
    with pytest.raises(ConfigurationError, match="timestamps='real'"):
        fake.webhooks.add(print, timestamps="real")
    for url in ("http://localhost:8000/x", "http://[::1]:8000/x"):
        fake.webhooks.add(url)
