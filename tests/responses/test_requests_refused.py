"""Requests the API refuses are refused here too, with its status and wording, through the real SDK:
metadata past its limits, empty ids (400, not 404), background without store, an unknown
item_reference, and starting_after past the end of a finished stream. See docs/fidelity.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest

from assistant_harness import FakeOpenAI


@pytest.fixture
def client() -> Any:
    with FakeOpenAI() as fake:
        yield fake.client()


CASES: dict[str, tuple[Callable[[Any], object], type[openai.APIStatusError], str, str]] = {
    "17 metadata keys": (
        lambda c: c.responses.create(model="gpt-4o", input="x", metadata={f"k{i}": "v" for i in range(17)}),
        openai.BadRequestError,
        "metadata",
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, "
        "but got an object with 17 properties instead.",
    ),
    "a 513-character metadata value": (
        lambda c: c.responses.create(model="gpt-4o", input="x", metadata={"note": "v" * 513}),
        openai.BadRequestError,
        "metadata.note",
        "Invalid 'metadata.note': string too long. Expected a string with maximum length 512, "
        "but got a string with length 513 instead.",
    ),
    "a 65-character metadata key": (
        lambda c: c.conversations.create(metadata={"k" * 65: "v"}),
        openai.BadRequestError,
        "metadata." + "k" * 65,
        "string too long. Expected a string with maximum length 64, but got a string with length 65",
    ),
    "17 metadata keys on a thread": (
        lambda c: c.beta.threads.create(metadata={f"k{i}": "v" for i in range(17)}),
        openai.BadRequestError,
        "metadata",
        "Invalid 'metadata': too many properties.",
    ),
    "previous_response_id=''": (
        lambda c: c.responses.create(model="gpt-4o", input="x", previous_response_id=""),
        openai.BadRequestError,
        "previous_response_id",
        "Invalid 'previous_response_id': empty string. Expected a string with minimum length 1, "
        "but got an empty string instead.",
    ),
    "conversation=''": (
        lambda c: c.responses.create(model="gpt-4o", input="x", conversation=""),
        openai.BadRequestError,
        "conversation",
        "Invalid 'conversation': empty string.",
    ),
    "background without store": (
        lambda c: c.responses.create(model="gpt-4o", input="x", background=True, store=False),
        openai.BadRequestError,
        "store",
        "Background mode requires 'store' to be true.",
    ),
    "an unknown item_reference": (
        lambda c: c.responses.create(model="gpt-4o", input=[{"type": "item_reference", "id": "msg_nope"}]),
        openai.NotFoundError,
        "input",
        "Item with id 'msg_nope' not found.",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_api_refuses_it_and_so_does_the_fake(client: Any, case: str) -> None:
    send, error, param, words = CASES[case]
    with pytest.raises(error) as refused:
        send(client)
    assert refused.value.body["param"] == param  # type: ignore[index]
    assert words in refused.value.message


def test_within_the_limits_is_fine(client: Any) -> None:
    metadata = {f"{i:02d}" + "k" * 62: "v" * 512 for i in range(16)}
    assert client.responses.create(model="gpt-4o", input="x", metadata=metadata).metadata == metadata
    assert client.responses.create(model="gpt-4o", input="x", background=True, store=True).status == "queued"


def test_an_item_reference_to_a_stored_item_is_taken(client: Any) -> None:
    first = client.responses.create(model="gpt-4o", input="remember this")
    answer = client.responses.create(
        model="gpt-4o",
        input=[{"type": "item_reference", "id": first.output[0].id}, {"role": "user", "content": "and this"}],
    )
    assert answer.status == "completed"


def test_starting_after_past_the_end_of_a_finished_stream_is_refused(client: Any) -> None:
    events = list(client.responses.create(model="gpt-4o", input="x", background=True, stream=True))
    last = events[-1].sequence_number
    assert list(client.responses.retrieve(events[0].response.id, stream=True, starting_after=last)) == []
    with pytest.raises(openai.BadRequestError) as refused:
        list(client.responses.retrieve(events[0].response.id, stream=True, starting_after=last + 1))
    assert refused.value.body["param"] == "starting_after"  # type: ignore[index]
    assert f"past the end of the stream (its last sequence number is {last})" in refused.value.message
