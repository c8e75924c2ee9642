"""A real Starlette webhook endpoint (verify with the SDK's unwrap, process each event once) under
webhooks from the fake, through Starlette's TestClient: the checks an app's own tests would make."""

from __future__ import annotations

import time

import openai
import pytest
from starlette.applications import Starlette  # in the [test] extra: never skipped
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from assistant_harness import FakeOpenAI, WebhookDelivery, WebhookFault


def make_app(client: openai.OpenAI) -> tuple[Starlette, list[tuple[str, str]]]:
    """The app under test: it fetches each finished response once, whatever the webhook retries."""
    processed: list[tuple[str, str]] = []
    seen: set[str] = set()

    async def webhook(request: Request) -> Response:
        try:
            event = client.webhooks.unwrap(await request.body(), request.headers)
        except openai.InvalidWebhookSignatureError:
            return Response(status_code=400)
        if event.id in seen:  # a redelivery: already handled
            return Response(status_code=200)
        seen.add(event.id)
        response = client.responses.retrieve(event.data.id)  # type: ignore[union-attr]
        processed.append((event.type, response.status or ""))
        return Response(status_code=200)

    return Starlette(routes=[Route("/webhooks", webhook, methods=["POST"])]), processed


@pytest.fixture
def app_client(fake: FakeOpenAI) -> tuple[TestClient, list[tuple[str, str]]]:
    app, processed = make_app(fake.client(webhook_secret=fake.webhooks.secret))
    test_client = TestClient(app)

    def post(delivery: WebhookDelivery) -> object:
        return test_client.post("/webhooks", content=delivery.body, headers=delivery.headers)

    fake.webhooks.add(post)
    return test_client, processed


def test_the_app_processes_each_event_once(
    fake: FakeOpenAI, app_client: tuple[TestClient, list[tuple[str, str]]]
) -> None:
    _, processed = app_client
    fake.webhooks.faults.append(WebhookFault(duplicates=2))
    client = fake.client()
    done = client.responses.create(model="gpt-4o", input="x", background=True)
    stopped = client.responses.create(model="gpt-4o", input="y", background=True)
    client.responses.cancel(stopped.id)
    time.sleep(10)
    assert processed == [("response.cancelled", "cancelled"), ("response.completed", "completed")]
    assert [d.status for d in fake.webhooks.deliveries] == [200] * 6
    assert client.responses.retrieve(done.id).status == "completed"


def test_the_app_refuses_forged_events_and_takes_the_retry(
    fake: FakeOpenAI, app_client: tuple[TestClient, list[tuple[str, str]]]
) -> None:
    _, processed = app_client
    fake.webhooks.faults.append(WebhookFault(signature="tampered", times=1))
    fake.client().responses.create(model="gpt-4o", input="x", background=True)
    fake.advance(60)
    assert [(d.at, d.status) for d in fake.webhooks.deliveries] == [(3.0, 400), (8.0, 200)]
    assert processed == [("response.completed", "completed")]


def test_the_app_copes_with_late_and_reordered_events(
    fake: FakeOpenAI, app_client: tuple[TestClient, list[tuple[str, str]]]
) -> None:
    _, processed = app_client
    fake.webhooks.faults.append(WebhookFault(out_of_order=True, nth=1))
    fake.webhooks.faults.append(WebhookFault(late=600, nth=2))
    client = fake.client()
    for text in ("a", "b", "c"):
        client.responses.create(model="gpt-4o", input=text, background=True)
        fake.advance(1)
    fake.advance(3600)
    assert len(processed) == 3
    # The first (ended at 3) waits for the third (5); the second (4) is 600 s late.
    assert [d.at for d in fake.webhooks.deliveries] == [5.0, 5.0, 604.0]
