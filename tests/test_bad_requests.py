"""Issue 13, section 3: bad requests get the API's 4xx error body, change nothing, never crash.

The corpus (tests/badrequests.py) goes through the MockTransport adapter, the fast lane and
`serve`'s ASGI app; every list the fake answers is compared before and after.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import httpx
import openai
import pytest

from assistant_harness import FakeAssistants, Step, Timeline
from assistant_harness.http.answers import mock_transport
from assistant_harness.http.asgi import ServeApp

from . import asgi_client
from .badrequests import Bad, Ids, corpus, lists

AUTH = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}
BASE = "https://api.openai.com/v1"
#: Python reprs that must never reach a client's error message.
REPRS = re.compile(r"'None'|\bb'|\\x[0-9a-f]{2}|<[a-zA-Z_.]+ object at")
TOOL_THEN_DONE = Timeline(
    [
        Step("queued", 1),
        Step("in_progress", 1),
        Step("requires_action", payload={"tool_calls": [{"name": "f", "arguments": "{}"}]}),
        Step("in_progress", 1),
        Step("completed", payload={"reply": "done"}),
    ]
)


def _setup(client: openai.OpenAI, fake: FakeAssistants) -> Ids:
    assistant = client.beta.assistants.create(model="gpt-4o", name="a")
    file = client.files.create(file=("a.txt", b"llamas"), purpose="assistants")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    idle = client.beta.threads.create()
    run = client.beta.threads.runs.create(thread.id, assistant_id=assistant.id)
    fake.advance(5)  # waiting for tool outputs: submit_tool_outputs has a run to act on
    vector_store = client.vector_stores.create(name="v", file_ids=[file.id])
    batch = client.vector_stores.file_batches.create(vector_store.id, file_ids=[file.id])
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id)
    message = client.beta.threads.messages.list(thread.id).data[0]
    return Ids(
        assistant.id,
        thread.id,
        idle.id,
        message.id,
        run.id,
        steps.data[0].id,
        file.id,
        vector_store.id,
        batch.id,
    )


@pytest.fixture
def fake() -> Iterator[FakeAssistants]:
    with FakeAssistants(timeline=TOOL_THEN_DONE) as fake:
        yield fake


def _check(send: Callable[[str, str, dict[str, str], bytes], tuple[int, bytes]], ids: Ids) -> int:
    def get(method: str, path: str) -> tuple[int, bytes]:
        return send(method, path, AUTH, b"")

    before = lists(get, ids)
    problems = []
    count = 0
    for bad in corpus(ids):
        count += 1
        status, content = send(bad.method, bad.path, {**AUTH, **bad.headers}, bad.body)
        problems += _problems(bad, status, content)
    assert problems == [], "\n".join(problems[:30])
    assert lists(get, ids) == before
    return count


def _problems(bad: Bad, status: int, content: bytes) -> list[str]:
    if bad.method == "GET" and bad.expect is None:
        return [f"{bad}: a GET in the corpus without the API's answer (set Bad.expect)"]
    if bad.expect is not None and status != bad.expect:
        return [f"{bad}: answered {status}, the API answers {bad.expect}: {content[:200]!r}"]
    if status == 200:
        return _a_list(bad, content)
    if not 400 <= status < 500:
        return [f"{bad}: answered {status}: {content[:200]!r}"]
    try:
        error = json.loads(content)["error"]
    except (ValueError, KeyError, TypeError):
        return [f"{bad}: {status} without the API's error body: {content[:200]!r}"]
    if set(error) != {"message", "type", "param", "code"} or not error["message"]:
        return [f"{bad}: error body {error}"]
    if REPRS.search(error["message"]):
        return [f"{bad}: a Python repr in {error['message']!r}"]
    return []


def _a_list(bad: Bad, content: bytes) -> list[str]:
    try:
        page = json.loads(content)
    except ValueError:
        page = None
    if not isinstance(page, dict) or page.get("object") != "list" or not isinstance(page.get("data"), list):
        return [f"{bad}: answered 200 without a list: {content[:200]!r}"]
    return []


def test_the_corpus_through_mock_transport(fake: FakeAssistants) -> None:
    http = httpx.Client(transport=mock_transport(fake.backend.handle, fake.base_url, httpx), base_url=BASE)
    ids = _setup(fake.client(), fake)

    def send(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        response = http.request(method, BASE + path, headers=headers, content=body)
        return response.status_code, response.content

    assert _check(send, ids) > 900


def test_the_corpus_through_the_fast_lane(fake: FakeAssistants) -> None:
    ids = _setup(openai.OpenAI(api_key="sk-test"), fake)
    with httpx.Client() as http:

        def send(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
            response = http.request(method, BASE + path, headers=headers, content=body)
            return response.status_code, response.content

        _check(send, ids)


def test_the_corpus_through_serve(fake: FakeAssistants) -> None:
    app = ServeApp(fake.backend)
    ids = _setup(fake.client(), fake)

    def send(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        return asgi_client.call(app, method, "/v1" + path, headers, body)

    _check(send, ids)


def test_a_lone_surrogate_is_refused_and_listing_still_works(fake: FakeAssistants) -> None:
    http = httpx.Client(transport=mock_transport(fake.backend.handle, fake.base_url, httpx), headers=AUTH)
    answer = http.post(f"{BASE}/assistants", content=b'{"model":"gpt-4o","name":"\\ud800"}')
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("We could not parse the JSON body of your request.")
    assert http.get(f"{BASE}/assistants").json()["data"] == []
    # A surrogate pair is one character, as JSON says: accepted.
    assert (
        http.post(f"{BASE}/assistants", content=b'{"model":"m","name":"\\ud83d\\ude00"}').json()["name"]
        == "😀"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"model":"m","temperature":NaN}', "We could not parse the JSON body"),
        (b'{"model":"m","temperature":1e999}', "We could not parse the JSON body"),
        (
            b'{"model":"m","metadata":' + b'{"a":' * 70 + b"1" + b"}" * 71,
            "The JSON body of your request nests objects and arrays more than 64",
        ),
        (b"[" * 990 + b"]" * 990, "The JSON body of your request nests objects and arrays more than 64"),
    ],
)
def test_unreadable_json_is_a_400_naming_the_problem(fake: FakeAssistants, raw: bytes, message: str) -> None:
    http = httpx.Client(transport=mock_transport(fake.backend.handle, fake.base_url, httpx), headers=AUTH)
    answer = http.post(f"{BASE}/assistants", content=raw)
    assert answer.status_code == 400 and answer.json()["error"]["message"].startswith(message)
    assert fake.store.assistants == {}


NULLABLE = {
    "runs.create": [
        "additional_instructions",
        "additional_messages",
        "instructions",
        "max_completion_tokens",
        "max_prompt_tokens",
        "model",
        "response_format",
        "stream",
        "temperature",
        "tools",
        "top_p",
    ],
    "threads.create_and_run": [
        "instructions",
        "max_completion_tokens",
        "max_prompt_tokens",
        "model",
        "response_format",
        "stream",
        "temperature",
        "tool_resources",
        "tools",
        "top_p",
    ],
    "vector_stores.update": ["name"],
}


def test_the_22_nullable_properties_accept_null(fake: FakeAssistants) -> None:
    assert sum(map(len, NULLABLE.values())) == 22
    client = fake.client()
    assistant = client.beta.assistants.create(model="gpt-4o", instructions="be brief")
    for name in NULLABLE["runs.create"]:
        thread = client.beta.threads.create()
        run = client.beta.threads.runs.create(thread.id, assistant_id=assistant.id, extra_body={name: None})
        assert run.model == "gpt-4o" and run.instructions == "be brief", name
    for name in NULLABLE["threads.create_and_run"]:
        run = client.beta.threads.create_and_run(assistant_id=assistant.id, extra_body={name: None})
        assert run.model == "gpt-4o" and run.status == "queued", name
    store = client.vector_stores.create(name="v")
    assert client.vector_stores.update(store.id, extra_body={"name": None}).id == store.id


def test_files_list_takes_the_limits_the_spec_gives(fake: FakeAssistants) -> None:
    client = fake.client()
    for index in range(25):
        client.files.create(file=(f"{index}.txt", b"x"), purpose="assistants")
    assert len(client.files.list(limit=10_000).data) == 25
    assert len(client.files.list().data) == 25  # the default is 10,000, not 20
    with pytest.raises(openai.BadRequestError, match="Expected a value <= 10000"):
        client.files.list(limit=10_001)
    with pytest.raises(openai.BadRequestError, match="Expected a value <= 100,"):
        client.beta.assistants.list(limit=101)


def test_an_empty_image_url_is_refused_as_the_api_does(fake: FakeAssistants) -> None:
    client = fake.client()
    thread = client.beta.threads.create()
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.messages.create(
            thread.id, role="user", content=[{"type": "image_url", "image_url": {"url": ""}}]
        )
    assert caught.value.body == {
        "message": "Invalid 'content[0].image_url.url': empty string. Expected a string with minimum "
        "length 1, but got an empty string instead.",
        "type": "invalid_request_error",
        "param": "content[0].image_url.url",
        "code": "empty_string",
    }
    assert client.beta.threads.messages.list(thread.id).data == []


def test_an_attachment_without_a_file_id_names_the_missing_parameter(fake: FakeAssistants) -> None:
    client = fake.client()
    thread = client.beta.threads.create()
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.messages.create(
            thread.id, role="user", content="x", attachments=[{"tools": [{"type": "file_search"}]}]
        )
    assert caught.value.body["message"] == "Missing required parameter: 'attachments[0].file_id'."  # type: ignore[index]
