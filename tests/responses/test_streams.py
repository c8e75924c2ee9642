"""Streamed responses: create with stream=True, resume with starting_after (the server filters) and
with responses.stream(response_id=...) (the SDK filters), after a clean early end and a broken read."""

from __future__ import annotations

import httpx
import openai
import pytest

from assistant_harness import FakeOpenAI, Fault

QUESTION = "Tell me a story about a unicorn"
RECORDED_ORDER = [
    "response.created",
    "response.queued",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


def _collapse(types: list[str]) -> list[str]:
    return [t for i, t in enumerate(types) if i == 0 or t != types[i - 1]]


def test_a_streamed_background_create_sends_the_recorded_sequence() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        events = list(client.responses.create(model="gpt-4o", input=QUESTION, background=True, stream=True))
        assert [e.sequence_number for e in events] == list(range(len(events)))
        assert _collapse([e.type for e in events]) == RECORDED_ORDER
        deltas = [e.delta for e in events if e.type == "response.output_text.delta"]  # type: ignore[union-attr]
        assert len(deltas) > 10 and "".join(deltas) == events[-1].response.output_text  # type: ignore[union-attr]
        assert events[0].response.status == "queued" and events[2].response.status == "in_progress"  # type: ignore[union-attr]
        assert events[-1].response.status == "completed" and fake.clock.elapsed() == 3.0  # type: ignore[union-attr]


def test_a_streamed_foreground_create_starts_in_progress_without_queued() -> None:
    with FakeOpenAI() as fake:
        events = list(fake.client().responses.create(model="gpt-4o", input=QUESTION, stream=True))
        assert [e.type for e in events[:2]] == ["response.created", "response.in_progress"]
        assert events[0].response.status == "in_progress"  # type: ignore[union-attr]


def test_retrieve_stream_starting_after_is_filtered_by_the_server() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
        events = list(client.responses.retrieve(response.id, stream=True, starting_after=0))
        assert events[0].sequence_number == 1 and events[0].type == "response.queued"
        assert events[-1].type == "response.completed"
        everything = list(client.responses.retrieve(response.id, stream=True))  # a finished one replays
        assert [e.sequence_number for e in everything] == list(range(len(everything)))
        request = fake.backend.requests[-1]
        assert request.query == {"stream": "true"}


@pytest.mark.parametrize("how", ["clean end", "broken read"])
def test_a_dropped_stream_resumes_after_the_last_sequence_number(how: str) -> None:
    stream = "end" if how == "clean end" else "drop"
    with FakeOpenAI(
        faults=[Fault(endpoint="responses.create", stream=stream, after_events=8, times=1)]
    ) as fake:
        client = fake.client()
        seen = []
        try:
            for event in client.responses.create(
                model="gpt-4o", input=QUESTION, background=True, stream=True
            ):
                seen.append(event)
        except (httpx.ReadError, openai.APIConnectionError):
            assert how == "broken read"
        else:
            assert how == "clean end"
        assert [e.sequence_number for e in seen] == list(range(8))
        last = seen[-1].sequence_number
        with client.responses.stream(response_id=seen[0].response.id, starting_after=last) as resumed:  # type: ignore[union-attr]
            rest = list(resumed)
            final = resumed.get_final_response()
        assert rest[0].sequence_number == last + 1 and rest[-1].type == "response.completed"
        assert final.status == "completed" and final.output_text.startswith("This is the fake's reply")
        # The SDK's helper asked for the whole stream and filtered it itself.
        assert fake.backend.requests[-1].query == {"stream": "true"}


def test_an_error_event_mid_stream_raises_api_error_with_the_next_sequence_number() -> None:
    fault = Fault(endpoint="responses.create", stream="error", after_events=4, message="Model overloaded")
    with FakeOpenAI(faults=[fault]) as fake:
        client = fake.client()
        seen = []
        with pytest.raises(openai.APIError, match="Model overloaded"):
            seen.extend(client.responses.create(model="gpt-4o", input=QUESTION, background=True, stream=True))
        assert len(seen) == 4


async def test_async_stream_and_resume() -> None:
    with FakeOpenAI(
        faults=[Fault(endpoint="responses.create", stream="end", after_events=10, times=1)]
    ) as fake:
        client = fake.async_client()
        stream = await client.responses.create(model="gpt-4o", input=QUESTION, background=True, stream=True)
        seen = [event async for event in stream]
        assert seen[-1].sequence_number == 9
        resumed = await client.responses.retrieve(seen[0].response.id, stream=True, starting_after=9)  # type: ignore[union-attr]
        rest = [event async for event in resumed]
        assert rest[0].sequence_number == 10 and rest[-1].type == "response.completed"


def test_a_stream_of_a_response_that_never_ends_breaks_at_the_read_timeout() -> None:
    with FakeOpenAI("background_never_answered") as fake:
        client = fake.client(timeout=30.0)
        seen = []
        with pytest.raises((httpx.ReadError, openai.APIConnectionError)):
            seen.extend(client.responses.create(model="gpt-4o", input=QUESTION, background=True, stream=True))
        assert [e.type for e in seen] == ["response.created", "response.queued"]
        assert fake.clock.elapsed() == 30.0


def test_the_event_log_is_readable_from_the_fake() -> None:
    with FakeOpenAI() as fake:
        client = fake.client()
        response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
        client.responses.cancel(response.id)
        log = fake.response(response.id).events
        assert [e.name for e in log] == ["response.created", "response.queued"]  # no cancelled event
