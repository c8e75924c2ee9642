"""The API's own errors, as the SDK sees them (and as raw HTTP clients see them)."""

from __future__ import annotations

import re

import httpx
import openai
import pytest

from assistant_harness import FakeAssistants, Step, Timeline

TOOL_RUN = Timeline(
    [
        Step("queued", 1),
        Step("in_progress", 1),
        Step("requires_action", payload={"tool_calls": [{"name": "f", "arguments": "{}"}]}),
    ]
)


@pytest.mark.parametrize(
    ("call", "kind", "object_id"),
    [
        (lambda c: c.beta.assistants.retrieve("asst_x"), "assistant", "asst_x"),
        (lambda c: c.beta.threads.retrieve("thread_x"), "thread", "thread_x"),
        (lambda c: c.beta.threads.messages.list("thread_x"), "thread", "thread_x"),
        (lambda c: c.beta.threads.runs.retrieve("run_x", thread_id="thread_x"), "thread", "thread_x"),
        (lambda c: c.files.retrieve("file-x"), "file", "file-x"),
        (lambda c: c.vector_stores.retrieve("vs_x"), "vector store", "vs_x"),
    ],
)
def test_not_found_names_the_resource(client: openai.OpenAI, call: object, kind: str, object_id: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        call(client)  # type: ignore[operator]
    assert caught.value.body["message"] == f"No {kind} found with id '{object_id}'."  # type: ignore[index]
    assert caught.value.status_code == 404


def test_not_found_inside_an_existing_thread(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create()
    with pytest.raises(openai.NotFoundError, match=re.escape("No message found with id 'msg_x'.")):
        client.beta.threads.messages.retrieve("msg_x", thread_id=thread.id)
    with pytest.raises(openai.NotFoundError, match=re.escape("No run found with id 'run_x'.")):
        client.beta.threads.runs.retrieve("run_x", thread_id=thread.id)


def test_tool_without_type_is_the_tutorials_error(client: openai.OpenAI) -> None:
    # Seed 004 passed a function definition without {"type": "function", "function": ...}.
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.assistants.create(model="gpt-3.5-turbo-1106", tools=[{"name": "ask_database"}])  # type: ignore[list-item]
    assert caught.value.body == {
        "message": "Missing required parameter: 'tools[0].type'.",
        "type": "invalid_request_error",
        "param": "tools[0].type",
        "code": "missing_required_parameter",
    }


@pytest.mark.parametrize(
    ("kwargs", "message", "code"),
    [
        (
            {"model": "m", "extra_body": {"model": None}},
            "Invalid type for 'model': expected a string, but got null instead.",
            "invalid_type",
        ),
        (
            {"model": "m", "tools": [{"type": "browser"}]},
            "Invalid value: 'browser'. "
            "Supported values are: 'code_interpreter', 'file_search', and 'function'.",
            "invalid_value",
        ),
        (
            {"model": "m", "temperature": "hot"},
            "Invalid type for 'temperature': expected a decimal, but got a string instead.",
            "invalid_type",
        ),
        (
            {"model": "m", "temperature": 3},
            "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
            "decimal_above_max_value",
        ),
    ],
)
def test_invalid_assistant_parameters(
    client: openai.OpenAI, kwargs: dict[str, object], message: str, code: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.assistants.create(**kwargs)  # type: ignore[arg-type]
    assert caught.value.body["message"] == message  # type: ignore[index]
    assert caught.value.code == code


def test_unknown_parameter(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match=r"Unknown parameter: 'colour'\."):
        client.beta.threads.create(extra_body={"colour": "red"})


def test_invalid_role(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create()
    with pytest.raises(
        openai.BadRequestError, match=r"Invalid value: 'bot'\. Supported values are: 'user' and 'assistant'\."
    ):
        client.beta.threads.messages.create(thread_id=thread.id, role="bot", content="x")  # type: ignore[arg-type]


def test_thread_is_locked_while_a_run_is_active(client: openai.OpenAI, fake: FakeAssistants) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create()
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    with pytest.raises(
        openai.BadRequestError, match=f"Can't add messages to {thread.id} while a run {run.id} is active."
    ):
        client.beta.threads.messages.create(thread_id=thread.id, role="user", content="too soon")
    with pytest.raises(
        openai.BadRequestError, match=f"Thread {thread.id} already has an active run {run.id}."
    ):
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    fake.advance(10)
    client.beta.threads.messages.create(thread_id=thread.id, role="user", content="now it's fine")


def test_tool_outputs_rules() -> None:
    with FakeAssistants(timeline=TOOL_RUN) as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id)
        assert run.status == "requires_action"
        call_id = run.required_action.submit_tool_outputs.tool_calls[0].id  # type: ignore[union-attr]
        with pytest.raises(
            openai.BadRequestError,
            match=rf"Expected tool outputs for call_ids \['{call_id}'\], got \['call_wrong'\]\.",
        ):
            client.beta.threads.runs.submit_tool_outputs(
                run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": "call_wrong", "output": "x"}]
            )
        done = client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call_id, "output": "42"}]
        )
        assert done.status == "completed"
        with pytest.raises(
            openai.BadRequestError, match=re.escape('Runs in status "completed" do not accept tool outputs.')
        ):
            client.beta.threads.runs.submit_tool_outputs(
                run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call_id, "output": "x"}]
            )
        with pytest.raises(
            openai.BadRequestError, match=re.escape("Cannot cancel run with status 'completed'.")
        ):
            client.beta.threads.runs.cancel(run.id, thread_id=run.thread_id)
        assert fake.run(run.id).tool_outputs == [[{"tool_call_id": call_id, "output": "42"}]]


def test_missing_api_key_is_401(fake: FakeAssistants) -> None:
    with pytest.raises(openai.AuthenticationError, match="You didn't provide an API key"):
        fake.client().beta.assistants.list(extra_headers={"Authorization": "Bearer "})
    raw = httpx.get("https://api.openai.com/v1/assistants", headers={"OpenAI-Beta": "assistants=v2"})
    assert raw.status_code == 401 and raw.json()["error"]["type"] == "invalid_request_error"


def test_raw_clients_need_the_beta_header(fake: FakeAssistants) -> None:
    raw = httpx.get("https://api.openai.com/v1/assistants", headers={"Authorization": "Bearer sk-test"})
    assert raw.status_code == 400
    assert "OpenAI-Beta: assistants=v2" in raw.json()["error"]["message"]
    files = httpx.get("https://api.openai.com/v1/files", headers={"Authorization": "Bearer sk-test"})
    assert files.status_code == 200  # files and vector stores need no beta header


def test_invalid_json_body(fake: FakeAssistants) -> None:
    raw = httpx.post(
        "https://api.openai.com/v1/threads",
        content=b"{not json",
        headers={"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"},
    )
    assert raw.status_code == 400 and "could not parse the JSON body" in raw.json()["error"]["message"]


def test_list_limit_bounds(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match=r"Expected a value <= 100, but got 101 instead\."):
        client.beta.assistants.list(limit=101)
    with pytest.raises(openai.BadRequestError, match=r"Expected a value >= 1, but got 0 instead\."):
        client.beta.assistants.list(limit=0)
    with pytest.raises(openai.BadRequestError, match=r"Supported values are: 'asc' and 'desc'\."):
        client.beta.assistants.list(order="up")  # type: ignore[arg-type]


def test_upload_needs_file_and_a_known_purpose(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match=r"Invalid value: 'nonsense'\."):
        client.files.create(file=("a.txt", b"x"), purpose="nonsense")  # type: ignore[arg-type]


def test_attachment_must_name_an_uploaded_file(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create()
    with pytest.raises(openai.BadRequestError, match=r"no file found with id 'file-nope'"):
        client.beta.threads.messages.create(
            thread_id=thread.id,
            role="user",
            content="x",
            attachments=[{"file_id": "file-nope", "tools": [{"type": "file_search"}]}],
        )


def test_a_failing_computed_reply_reaches_the_test_unwrapped_and_unretried() -> None:
    from assistant_harness import FakeBackendError

    def broken(_: object) -> str:
        raise KeyError("tool_outputs")

    timeline = Timeline([Step("in_progress", 1), Step("completed", payload={"reply": broken})])
    with FakeAssistants(timeline=timeline) as fake:
        client = fake.client()
        run = client.beta.threads.create_and_run(assistant_id=client.beta.assistants.create(model="m").id)
        fake.advance(2)
        with pytest.raises(FakeBackendError, match="KeyError while answering GET /threads/") as caught:
            client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        assert "(in the computed reply): 'tool_outputs'" in str(caught.value)
        assert isinstance(caught.value.__cause__, KeyError)
    assert fake.store.runs[run.id].history == [("in_progress", 0.0)]  # nothing half-applied


def test_a_failing_timelines_callable_is_the_tests_error() -> None:
    from assistant_harness import FakeBackendError

    def picker(request: object) -> Timeline:
        raise ValueError("no timeline for this one")

    with FakeAssistants(timelines=picker) as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="m")
        with pytest.raises(
            FakeBackendError, match=r"ValueError while answering POST /threads/runs \(in the "
        ):
            client.beta.threads.create_and_run(assistant_id=assistant.id)


def test_a_bug_in_the_harness_surfaces_as_the_harness_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant_harness.apis.assistants.store import Store
    from assistant_harness.errors import FakeBackendError, HarnessBugError

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("unsupported operand")

    monkeypatch.setattr(Store, "create_thread", broken)
    with (
        FakeAssistants() as fake,
        pytest.raises(HarnessBugError, match="bug in assistant-harness, not in the test") as caught,
    ):
        fake.client().beta.threads.create()
    assert not isinstance(caught.value, FakeBackendError)
    assert isinstance(caught.value.__cause__, TypeError)


def test_cancelling_twice_is_refused(client: openai.OpenAI) -> None:
    run = client.beta.threads.create_and_run(assistant_id=client.beta.assistants.create(model="m").id)
    client.beta.threads.runs.cancel(run.id, thread_id=run.thread_id)
    with pytest.raises(
        openai.BadRequestError, match=re.escape("Cannot cancel run with status 'cancelling'.")
    ):
        client.beta.threads.runs.cancel(run.id, thread_id=run.thread_id)


def test_failed_requests_leave_no_partial_state(client: openai.OpenAI, fake: FakeAssistants) -> None:
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.create_and_run(assistant_id="asst_missing")
    with pytest.raises(openai.BadRequestError):
        client.beta.threads.create(
            messages=[
                {"role": "user", "content": "ok"},
                {
                    "role": "user",
                    "content": "x",
                    "attachments": [{"file_id": "file-nope", "tools": [{"type": "file_search"}]}],
                },
            ]
        )
    assert fake.store.threads == {}


def test_run_indexes_only_go_up() -> None:
    seen: list[int] = []

    def pick(request: object) -> Timeline:
        seen.append(request.index)  # type: ignore[attr-defined]
        return Timeline.of(("in_progress", 1), "completed")

    with FakeAssistants(timelines=pick) as fake:
        client = fake.client()
        assistant = client.beta.assistants.create(model="m")
        first = client.beta.threads.create_and_run(assistant_id=assistant.id)
        client.beta.threads.delete(first.thread_id)
        client.beta.threads.create_and_run(assistant_id=assistant.id)
    assert seen == [0, 1]
