"""Background and foreground responses through the real SDK: polling, cancel, retention, delete,
input items and tokens, request validation; sync and async, intercepted and fake.client()."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from assistant_harness import FakeOpenAI, HangLimits, Timeline
from assistant_harness.fake import FakeAssistants

from ..conftest import MODULE_LEVEL_ASYNC_CLIENT, MODULE_LEVEL_CLIENT

QUESTION = "What is 2 + 2?"


@pytest.fixture(params=["intercepted", "mock_transport"])
def both(request: pytest.FixtureRequest) -> Iterator[tuple[FakeOpenAI, openai.OpenAI]]:
    with FakeOpenAI() as fake:
        yield fake, MODULE_LEVEL_CLIENT if request.param == "intercepted" else fake.client()


def poll_until(client: openai.OpenAI, response: Any, stop: tuple[str, ...], every: float) -> Any:
    """A poller that stops only on ``stop`` (``every=0``: no sleep at all)."""
    for _ in range(100_000):
        if response.status in stop:
            break
        if every:
            time.sleep(every)
        response = client.responses.retrieve(response.id)
    return response


def poll(client: openai.OpenAI, response_id: str, every: float = 2.0) -> list[str]:
    seen = []
    while True:
        response = client.responses.retrieve(response_id)
        seen.append(response.status)
        if response.status not in ("queued", "in_progress"):
            return seen
        time.sleep(every)


def test_fake_openai_and_fake_assistants_are_one_class() -> None:
    assert FakeAssistants is FakeOpenAI
    assert isinstance(FakeOpenAI(), FakeAssistants) and isinstance(FakeAssistants(), FakeOpenAI)


def test_a_background_response_is_polled_through_queued_and_in_progress(both: tuple) -> None:
    fake, client = both
    response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
    assert (response.status, response.background, response.output, response.usage) == (
        "queued",
        True,
        [],
        None,
    )
    assert response.completed_at is None and response.model == "gpt-4o-2024-08-06"
    assert poll(client, response.id, every=0.5) == ["queued", "queued", "in_progress"] + [
        "in_progress"
    ] * 3 + ["completed"]
    final = client.responses.retrieve(response.id)
    assert final.output_text == f"This is the fake's reply to your message: {QUESTION}"
    assert final.completed_at == int(fake.clock.epoch + 3) and fake.clock.elapsed() == 3.0
    assert final.usage is not None and final.usage.total_tokens > 0
    state = fake.response(response.id)
    assert state.history == [("queued", 0.0), ("in_progress", 1.0), ("completed", 3.0)]
    assert [r.id for r in fake.responses] == [response.id]


async def test_async_background_polling_with_asyncio_sleep() -> None:
    for make in (lambda fake: fake.async_client(), lambda fake: MODULE_LEVEL_ASYNC_CLIENT):
        with FakeOpenAI() as fake:
            client = make(fake)
            response = await client.responses.create(model="gpt-4o", input=QUESTION, background=True)
            while response.status in ("queued", "in_progress"):
                await asyncio.sleep(2)
                response = await client.responses.retrieve(response.id)
            assert response.status == "completed" and fake.clock.elapsed() == 4.0


def test_a_foreground_create_answers_the_final_response_with_the_clock_moved(both: tuple) -> None:
    fake, client = both
    response = client.responses.create(model="gpt-4o", input=QUESTION)
    assert response.status == "completed" and response.background is False
    assert fake.clock.elapsed() == 3.0 and response.output_text.endswith(QUESTION)


def test_a_foreground_request_that_never_finishes_times_out_in_virtual_time() -> None:
    with FakeOpenAI(response_timeline=Timeline.of("queued")) as fake:
        client = fake.client(timeout=30.0, max_retries=1)
        with pytest.raises(openai.APITimeoutError):
            client.responses.create(model="gpt-4o", input=QUESTION)
        assert fake.clock.elapsed() >= 60.0  # two attempts, each waiting out the read timeout


def test_cancel_in_flight_then_again_then_finished(both: tuple) -> None:
    _, client = both
    response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
    cancelled = client.responses.cancel(response.id)
    assert cancelled.status == "cancelled" and cancelled.output == [] and cancelled.completed_at is None
    again = client.responses.cancel(response.id)
    assert again.model_dump() == cancelled.model_dump()
    time.sleep(10)
    assert client.responses.retrieve(response.id).status == "cancelled"
    done = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
    time.sleep(5)
    assert client.responses.cancel(done.id).status == "completed"  # OpenAI returns it as it is


def test_cancelling_a_finished_response_can_answer_409() -> None:
    with FakeOpenAI(cancel_finished="conflict") as fake:
        client = fake.client()
        done = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
        time.sleep(5)
        with pytest.raises(openai.ConflictError, match="Cannot cancel a response with status 'completed'"):
            client.responses.cancel(done.id)
        in_flight = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
        assert client.responses.cancel(in_flight.id).status == "cancelled"
        assert client.responses.cancel(in_flight.id).status == "cancelled"


@pytest.mark.assistant_scenario(cancel_finished="conflict", response_retention=30)
def test_the_plugin_s_marker_passes_the_responses_settings(openai_client: openai.OpenAI) -> None:
    done = openai_client.responses.create(model="gpt-4o", input=QUESTION, background=True)
    time.sleep(5)
    with pytest.raises(openai.ConflictError):
        openai_client.responses.cancel(done.id)
    time.sleep(30)
    with pytest.raises(openai.NotFoundError):
        openai_client.responses.retrieve(done.id)


def test_settings_refuse_both_response_timeline_forms() -> None:
    from assistant_harness import ConfigurationError, FakeSettings, Step

    one = Timeline([Step("queued", 1), Step("completed")])
    with pytest.raises(ConfigurationError, match=r"response_timeline= .* or response_timelines="):
        FakeSettings(response_timeline=one, response_timelines=lambda _: one)
    varied = FakeSettings(response_retention=30).replace({"cancel_finished": "conflict"})
    assert (varied.response_retention, varied.cancel_finished) == (30, "conflict")


def test_cancelling_a_foreground_response_is_a_400(both: tuple) -> None:
    _, client = both
    response = client.responses.create(model="gpt-4o", input=QUESTION)
    with pytest.raises(openai.BadRequestError, match="Cannot cancel a synchronous response"):
        client.responses.cancel(response.id)


def test_a_response_past_its_retention_is_a_404() -> None:
    with FakeOpenAI(response_retention=30) as fake:
        client = fake.client()
        response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
        time.sleep(29)
        assert client.responses.retrieve(response.id).status == "completed"
        time.sleep(1)
        with pytest.raises(openai.NotFoundError, match=f"Response with id '{response.id}' not found"):
            client.responses.retrieve(response.id)
        assert fake.responses == []


def test_delete_then_404_and_unknown_ids(both: tuple) -> None:
    _, client = both
    response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
    assert client.responses.delete(response.id) is None
    for call in (client.responses.retrieve, client.responses.cancel, client.responses.delete):
        with pytest.raises(openai.NotFoundError) as caught:
            call(response.id)
        assert caught.value.body == {
            "message": f"Response with id '{response.id}' not found.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }


def test_input_items_list_the_input_as_the_api_echoes_it(both: tuple) -> None:
    _, client = both
    response = client.responses.create(
        model="gpt-4o",
        input=[
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [{"type": "input_text", "text": QUESTION}]},
        ],
        background=True,
    )
    items = client.responses.input_items.list(response.id)
    assert [(i.role, i.content[0].text, i.status) for i in items.data] == [  # type: ignore[union-attr]
        ("user", QUESTION, "completed"),
        ("developer", "Be brief.", "completed"),
    ]
    assert all(i.id.startswith("msg_") for i in items.data)  # type: ignore[union-attr]
    oldest = client.responses.input_items.list(response.id, order="asc", limit=1)
    assert oldest.has_more and oldest.data[0].role == "developer"  # type: ignore[union-attr]
    rest = client.responses.input_items.list(response.id, order="asc", after=oldest.data[0].id)  # type: ignore[union-attr]
    assert [i.role for i in rest.data] == ["user"] and not rest.has_more  # type: ignore[union-attr]


def test_input_tokens_counts_the_input(both: tuple) -> None:
    _, client = both
    short = client.responses.input_tokens.count(model="gpt-4o", input="hi")
    long = client.responses.input_tokens.count(model="gpt-4o", input="hi " * 100, instructions="Be brief.")
    assert short.object == "response.input_tokens" and 0 < short.input_tokens < long.input_tokens


def test_requests_are_validated_in_the_api_wording(both: tuple) -> None:
    fake, client = both
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-4o", input=QUESTION, temperature="hot")  # type: ignore[arg-type]
    assert caught.value.body["message"] == (  # type: ignore[index]
        "Invalid type for 'temperature': expected a decimal, but got a string instead."
    )
    with pytest.raises(openai.BadRequestError, match="Unknown parameter: 'colour'"):
        client.responses.create(model="gpt-4o", input=QUESTION, extra_body={"colour": "red"})
    with pytest.raises(openai.BadRequestError, match="Missing required parameter: 'model'"):
        client.responses.create(input=QUESTION)  # type: ignore[call-overload]
    with pytest.raises(openai.BadRequestError, match="Invalid type for 'starting_after'"):
        client.responses.retrieve("resp_x", extra_query={"starting_after": "x", "stream": "true"})
    assert fake.responses == []  # a rejected request changes nothing


def test_a_loop_that_never_stops_on_incomplete_fails_fast() -> None:
    from assistant_harness import HangDetected

    with FakeOpenAI("background_incomplete", hang_limits=HangLimits(polls=20)) as fake:
        client = fake.client()
        response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
        with pytest.raises(HangDetected) as caught:
            poll_until(client, response, ("completed",), every=1)  # the bug: incomplete is final too
        message = str(caught.value)
        assert f"Response {response.id} has been 'incomplete'" in message
        assert "cancelled, completed, failed, incomplete" in message and "requires_action" not in message


def test_busy_polling_a_finished_response_with_no_sleep_fails_fast() -> None:
    from assistant_harness import HangDetected

    with FakeOpenAI() as fake:
        client = fake.client()
        response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
        with pytest.raises(HangDetected, match="this loop does not stop on 'completed'"):
            poll_until(client, response, (), every=0)  # no sleep, no stop
        assert fake.clock.elapsed() < 10  # the busy loop moved time only until the response ended


def test_polling_a_response_that_never_changes_without_a_deadline_fails() -> None:
    from assistant_harness import HangDetected

    with FakeOpenAI("background_never_answered") as fake:
        client = fake.client()
        response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
        with pytest.raises(HangDetected, match=r"can no longer change.*this loop has no deadline"):
            poll_until(client, response, ("completed", "failed", "cancelled", "incomplete"), every=2)
        # Stuck, not finished: the time limit (HangLimits.seconds), however often the loop polls.
        assert 600 < fake.clock.elapsed() <= 610


def test_a_body_that_is_not_an_object_is_a_400_not_a_harness_bug() -> None:
    """Found by the fuzz (POST /responses with ``[]``): the schema check answers, nothing else runs."""
    with FakeOpenAI() as fake:
        with pytest.raises(openai.BadRequestError):
            fake.client().post("/responses", body=[], cast_to=object)
        assert fake.backend.apis["responses"].responses == {}
