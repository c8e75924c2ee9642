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

from assistant_harness import (
    ConfigurationError,
    FakeOpenAI,
    HangDetected,
    Scenario,
    WebhookDelivery,
    WebhookDeliveryError,
)
from assistant_harness.apis.webhooks.delivery import RETRY_DELAYS
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


# -- trust: no secret shown, no target changed, nothing stuck, nothing dropped silently ----------------


def test_the_secret_is_in_no_repr_of_an_endpoint_or_a_delivery() -> None:
    with FakeOpenAI(webhook_secret=SECRET) as fake:
        endpoint = fake.webhooks.add(lambda d: 200)
        other = fake.webhooks.add(lambda d: 200, secret=SECRET.replace("c2Vj", "b3Ro"))
        fake.client().responses.create(model="gpt-4o", input="x", background=True)
        fake.advance(5)
        shown = " ".join(
            [repr(endpoint), repr(other), repr(fake.webhooks.deliveries), *map(str, fake.webhooks.deliveries)]
        )
    assert len(fake.webhooks.deliveries) == 2
    for secret in (SECRET, other.secret):
        assert secret[len("whsec_") :] not in shown


def test_an_endpoint_cannot_be_pointed_elsewhere_after_it_was_checked(fake: FakeOpenAI) -> None:
    endpoint = fake.webhooks.add("http://127.0.0.1:9/hook", retries=[])
    with pytest.raises(AttributeError):
        endpoint.target = "http://192.0.2.1/"  # type: ignore[misc]
    # Even forced past the frozen dataclass, the URL is checked again at the delivery: not sent.
    object.__setattr__(endpoint, "target", "http://192.0.2.1/")
    fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(5)
    [attempt] = fake.webhooks.deliveries
    assert isinstance(attempt.error, ConfigurationError) and "this machine only" in str(attempt.error)


def test_an_event_whose_every_attempt_failed_is_reported_by_check(fake: FakeOpenAI) -> None:
    def down(delivery: WebhookDelivery) -> int:
        return 503

    fake.webhooks.add(down, retries=[5, 60])
    response = fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(3600)
    [given_up] = fake.webhooks.given_up
    assert [d.status for d in given_up.attempts] == [503, 503, 503]
    with pytest.raises(WebhookDeliveryError) as failed:
        fake.webhooks.check()
    message = str(failed.value)
    event_id = fake.webhooks.events[0]["id"]
    assert f"response.completed {event_id} (of {response.id}) was given up after 3 attempts" in message
    assert (
        "test_an_event_whose_every_attempt_failed_is_reported_by_check.<locals>.down: 503, 503, 503"
        in message
    )


def test_a_receiver_slower_than_the_timeout_fails_the_attempt_on_the_virtual_clock() -> None:
    def slow(delivery: WebhookDelivery) -> int:
        time.sleep(60)  # virtual: instant, but past the timeout
        return 200

    with FakeOpenAI(webhook_timeout=10) as fake:
        fake.webhooks.add(slow, retries=[])
        fake.webhooks.add(lambda d: 200, timeout=120)
        fake.client().responses.create(model="gpt-4o", input="x", background=True)
        time.sleep(5)
    first, second = fake.webhooks.deliveries
    assert first.error is not None and "no answer within 10 virtual seconds" in str(first.error)
    assert second.ok


def test_a_url_that_never_answers_times_out_after_the_setting(fake: FakeOpenAI) -> None:
    import socket

    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        fake.webhooks.add(f"http://127.0.0.1:{silent.getsockname()[1]}/hook", retries=[], timeout=0.05)
        fake.client().responses.create(model="gpt-4o", input="x", background=True)
        fake.advance(5)
    [attempt] = fake.webhooks.deliveries
    assert isinstance(attempt.error, TimeoutError) and "no answer within 0.05 seconds" in str(attempt.error)
    assert fake.webhooks.timeout == 5.0  # the default: a few seconds, not 30


WAITS = {
    "the response never ends": ("stuck", None, "never ends (its timeline holds it for ever)"),
    "the endpoint takes other events": ("completes", ["response.failed"], "no endpoint is subscribed to it"),
    "every attempt fails": ("completes", "down", "was given up after 8 attempts"),
}


@pytest.mark.parametrize("shape", sorted(WAITS))
def test_a_wait_for_a_webhook_that_cannot_come_is_a_hang(shape: str) -> None:
    script, events, reason = WAITS[shape]
    stuck = "responses:\n  - steps: [{status: queued, duration: 1}, {status: in_progress}]\n"
    scenario = Scenario.from_yaml(stuck) if script == "stuck" else None
    got: list[WebhookDelivery] = []
    with FakeOpenAI(scenario) as fake:
        if events == "down":
            fake.webhooks.add(lambda d: 500)
        else:  # a list of event types, or None for all four
            fake.webhooks.add(got.append, events=events)
        fake.client().responses.create(model="gpt-4o", input="x", background=True)
        with pytest.raises(HangDetected) as caught:
            _wait_without_deadline(got)
    message = str(caught.value)
    assert "without a request to the fake, with nothing due on the virtual clock" in message
    assert reason in message
    # Caught once the limit (600 virtual s) has passed with nothing due, not before.
    assert 600 <= fake.clock.elapsed() - _last_due(shape) <= 602


def _wait_without_deadline(got: list[WebhookDelivery]) -> None:
    while not got:
        time.sleep(1)


def _last_due(shape: str) -> float:
    # When the clock last had something due: the end (3 s) or the last retry (5 s + ... + 10 h).
    return (
        3.0 + (sum(RETRY_DELAYS) if shape == "every attempt fails" else 0.0)
        if shape != "the response never ends"
        else 0.0
    )


def test_waiting_for_a_webhook_that_is_on_its_way_is_not_a_hang() -> None:
    got: list[WebhookDelivery] = []
    late = (
        "responses:\n  - steps: [{status: queued, duration: 1}, "
        "{status: in_progress, duration: 5000}, {status: completed}]\n"
    )
    with FakeOpenAI(Scenario.from_yaml(late), webhooks=got.append) as fake:
        fake.client().responses.create(model="gpt-4o", input="x", background=True)
        while not got:
            time.sleep(1)
    assert got[0].at == 5001.0
