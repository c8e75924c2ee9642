"""Azure OpenAI (``AzureOpenAI`` / ``AsyncAzureOpenAI``, api-key and Entra ID) and gateways run the
same flows as the plain client: Assistants, a background response, a function-call round, a resumed
stream, a batch and chat, with nothing set beyond ``with FakeOpenAI():``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from assistant_harness import FakeOpenAI, Step, Timeline
from assistant_harness.engine.clock import RealClock
from assistant_harness.errors import UnservedEndpointError
from assistant_harness.http import azure
from assistant_harness.http.asgi import ServeApp
from assistant_harness.http.transports import httpx_module_for_openai

from .. import asgi_client
from ..batches import flows as batch_flows
from ..fine_tuning import test_jobs as fine_tuning_jobs
from ..tutorials import seed000, seed002
from .test_asgi import _serve as asgi_server

VERSION = "2025-04-01-preview"
UNSUPPORTED = "API version not supported"
TOOL_CALL = Timeline(
    [
        Step("queued", 1),
        Step("in_progress", 2),
        Step("requires_action", payload={"tool_calls": [{"name": "lookup", "arguments": {"q": "x"}}]}),
        Step("in_progress", 1),
        Step("completed", payload={"reply": "done"}),
    ]
)
QUICK = Timeline(
    [Step("queued", 0.001), Step("in_progress", 0.001), Step("completed", payload={"reply": "hi"})]
)
SLOW = Timeline([Step("queued", 1), Step("in_progress", 30), Step("completed", payload={"reply": "4"})])
TOOLS: list[Any] = [
    {
        "type": "function",
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
]

#: Each way a user's code reaches Azure (or a gateway), built inside ``with FakeOpenAI(...)``.
CLIENTS: dict[str, Callable[[FakeOpenAI], openai.OpenAI]] = {
    "api-key": lambda fake: openai.AzureOpenAI(
        azure_endpoint="https://myres.openai.azure.com", api_version=VERSION, api_key="azure-test-key"
    ),
    "entra-token-provider": lambda fake: openai.AzureOpenAI(
        azure_endpoint="https://myres.cognitiveservices.azure.com",
        api_version=VERSION,
        azure_ad_token_provider=lambda: "entra-test-token",
    ),
    "entra-token": lambda fake: openai.AzureOpenAI(
        azure_endpoint="https://myres.services.ai.azure.com/", api_version="2024-10-21", azure_ad_token="t"
    ),
    "v1": lambda fake: openai.OpenAI(base_url="https://myres.openai.azure.com/openai/v1/", api_key="k"),
    "fake.azure_client": lambda fake: fake.azure_client(),
    "gateway": lambda fake: openai.OpenAI(base_url="https://gw.example.com/openai/v1", api_key="gw-key"),
}
GATEWAY = ["https://gw.example.com/openai/v1"]
Make = Callable[..., tuple[FakeOpenAI, openai.OpenAI]]


@pytest.fixture(params=sorted(CLIENTS))
def make(request: pytest.FixtureRequest) -> Iterator[Callable[..., tuple[FakeOpenAI, openai.OpenAI]]]:
    fakes: list[FakeOpenAI] = []

    def start(*args: Any, **kwargs: Any) -> tuple[FakeOpenAI, openai.OpenAI]:
        fake = FakeOpenAI(*args, also_serve=GATEWAY, **kwargs).start()
        fakes.append(fake)
        return fake, CLIENTS[request.param](fake)

    yield start
    for fake in fakes:
        fake.stop()


def test_the_assistants_tool_flow(make: Make) -> None:
    fake, client = make(timeline=TOOL_CALL)
    assistant = client.beta.assistants.create(model="my-gpt-4o", instructions="help")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "look it up"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "requires_action" and fake.clock.elapsed() == 3
    (call,) = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "42"}]
    )
    assert run.status == "completed"
    reply = client.beta.threads.messages.list(thread_id=thread.id).data[0]
    assert reply.content[0].text.value == "done"  # type: ignore[union-attr]
    assert fake.run(run.id).tool_outputs == [[{"tool_call_id": call.id, "output": "42"}]]


def test_a_background_response_polled_to_the_end(make: Make) -> None:
    fake, client = make(response_timeline=SLOW)
    response = client.responses.create(model="my-gpt-4o", input="2 + 2?", background=True)
    while response.status in ("queued", "in_progress"):
        time.sleep(2)
        response = client.responses.retrieve(response.id)
    assert response.output_text == "4" and fake.clock.elapsed() == 32


def test_a_function_call_round(make: Make) -> None:
    _, client = make("background_tool_call")
    response = client.responses.create(model="gpt-4o", input="Weather?", tools=TOOLS, background=True)
    while response.status in ("queued", "in_progress"):
        time.sleep(2)
        response = client.responses.retrieve(response.id)
    call = response.output[0]
    assert call.type == "function_call"
    follow = client.responses.create(
        model="gpt-4o",
        previous_response_id=response.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny"}],
        tools=TOOLS,
    )
    assert follow.output_text == "The weather in Paris: Sunny."


def test_a_streamed_response_resumed(make: Make) -> None:
    _, client = make()
    seen = []
    for event in client.responses.create(model="gpt-4o", input="A story", background=True, stream=True):
        seen.append(event)
        if event.sequence_number == 3:
            break
    response_id = seen[0].response.id  # type: ignore[union-attr]
    rest = list(client.responses.retrieve(response_id, stream=True, starting_after=3))
    assert rest[0].sequence_number == 4 and rest[-1].type == "response.completed"


def test_a_batch(make: Make) -> None:
    _, client = make()
    outcome = batch_flows.run(client, batch_flows.chat_lines(3, model="my-deployment"))
    assert outcome.batch.status == "completed" and len(outcome.output) == 3


def test_a_fine_tuning_job(make: Make) -> None:
    _, client = make()
    job, _ = fine_tuning_jobs.guide_flow(client)
    assert job.status == "succeeded" and str(job.fine_tuned_model).startswith("ft:")


def test_chat_and_embeddings_on_the_deployment_paths(
    make: Make,
) -> None:
    _, client = make()
    chat = client.chat.completions.create(model="my-gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert chat.model == "my-gpt-4o" and chat.choices[0].message.content
    vectors = client.embeddings.create(model="my-embedder", input="hello", dimensions=8)
    assert len(vectors.data[0].embedding) == 8


async def _token() -> str:
    return "entra-async-token"


ASYNC_AUTH: dict[str, dict[str, Any]] = {
    "api-key": {"api_key": "azure-async-key"},
    "entra-token-provider": {"azure_ad_token_provider": _token},
}


@pytest.mark.parametrize("auth", sorted(ASYNC_AUTH))
def test_async_azure_clients_run_the_flows(auth: str) -> None:
    async def flow() -> list[str]:
        async with FakeOpenAI(response_timeline=SLOW, also_serve=GATEWAY) as fake:
            client = openai.AsyncAzureOpenAI(
                azure_endpoint="https://myres.openai.azure.com", api_version=VERSION, **ASYNC_AUTH[auth]
            )
            response = await client.responses.create(model="my-gpt-4o", input="2 + 2?", background=True)
            while response.status in ("queued", "in_progress"):
                await asyncio.sleep(2)
                response = await client.responses.retrieve(response.id)
            assert fake.clock.elapsed() == 32
            sent = fake.backend.requests[-1].headers["authorization"]
            assert sent == ("Bearer entra-async-token" if "entra" in auth else "Bearer azure-async-key")
            seen = []
            async for event in await client.responses.create(
                model="d", input="A story", background=True, stream=True
            ):
                seen.append(event)
                if event.sequence_number == 2:
                    break
            resumed = await client.responses.retrieve(seen[0].response.id, stream=True, starting_after=2)  # type: ignore[union-attr]
            rest = [event async for event in resumed]
            run = await client.beta.threads.create_and_run_poll(
                assistant_id=(await client.beta.assistants.create(model="d")).id
            )
            uploaded = await client.files.create(
                file=("r.jsonl", batch_flows.chat_lines(2, model="d")), purpose="batch"
            )
            batch = await client.batches.create(
                input_file_id=uploaded.id,
                endpoint="/chat/completions",  # type: ignore[arg-type]  (Azure's documents write it so)
                completion_window="24h",
            )
            while batch.status not in batch_flows.FINAL:
                await asyncio.sleep(30)
                batch = await client.batches.retrieve(batch.id)
            other = fake.async_azure_client()
            chat = await other.chat.completions.create(
                model="d", messages=[{"role": "user", "content": "hi"}]
            )
            return [response.output_text, str(rest[0].sequence_number), run.status, batch.status, chat.model]

    assert asyncio.run(flow()) == ["4", "3", "completed", "completed", "d"]


def test_azure_chat_completions_carry_azures_filter_results() -> None:
    with FakeOpenAI() as fake:
        chat = fake.azure_client().chat.completions.create(
            model="d", messages=[{"role": "user", "content": "hi"}]
        )
    extra: Any = chat.model_extra
    assert extra["prompt_filter_results"][0]["content_filter_results"]["hate"] == {
        "filtered": False,
        "severity": "safe",
    }
    assert chat.choices[0].model_extra["content_filter_results"]["violence"]["severity"] == "safe"  # type: ignore[index]


def _raw(path: str, headers: dict[str, str] | None = None) -> Any:
    """A request as a plain HTTP client (not the SDK) sends it, through global interception."""
    with FakeOpenAI(), httpx_module_for_openai().Client() as client:
        given = {"api-key": "k"} if headers is None else headers
        return client.get(f"https://myres.openai.azure.com/openai{path}", headers=given)


@pytest.mark.parametrize(
    ("path", "headers", "status", "body"),
    [
        ("/assistants", None, 404, {"error": {"code": "404", "message": "Resource not found"}}),
        (
            "/assistants?api-version=0613",
            None,
            400,
            {"error": {"code": "BadRequest", "message": UNSUPPORTED}},
        ),
        ("/assistants?api-version=2024-10-21", {}, 401, None),
        ("/v1/models", None, 404, None),
    ],
)
def test_azures_own_errors(path: str, headers: dict[str, str] | None, status: int, body: Any) -> None:
    if status == 404 and body is None:
        with pytest.raises(UnservedEndpointError, match="/openai/v1/models"):
            _raw(path, headers)
        return
    answer = _raw(path, headers)
    assert answer.status_code == status
    if body is not None:
        assert answer.json() == body
    else:
        assert answer.json()["error"]["message"].startswith("Access denied due to invalid subscription key")


def test_the_sdk_raises_its_own_classes_for_azures_errors() -> None:
    with FakeOpenAI() as fake:
        client = fake.azure_client(api_version="not-a-version")
        with pytest.raises(openai.BadRequestError, match="API version not supported"):
            client.beta.assistants.list()
        with pytest.raises(openai.AuthenticationError, match="Access denied"):
            fake.azure_client().files.list(extra_headers={"api-key": ""})


def test_the_backend_sees_plain_openai_requests() -> None:
    with FakeOpenAI() as fake:
        fake.azure_client(api_key="k1").chat.completions.create(
            model="dep", messages=[{"role": "user", "content": "hi"}]
        )
        request = fake.backend.requests[-1]
    assert request.path == "/chat/completions" and "api-version" not in request.query
    assert request.headers["authorization"] == "Bearer k1" and "api-key" not in request.headers
    assert json.loads(request.body)["model"] == "dep"


def test_serve_answers_azure_paths_and_a_gateway_prefix() -> None:
    fake = FakeOpenAI(timeline=QUICK, clock=RealClock(speed=1000.0), virtual_time=False, hang_limits=None)
    app = ServeApp(fake.backend, also_serve=["/gw/openai/v1"])
    key = {"api-key": "k", "openai-beta": "assistants=v2"}
    status, content = asgi_client.call(app, "GET", "/openai/assistants", key, b"")
    assert (status, json.loads(content)["error"]["code"]) == (404, "404")
    status, content = asgi_client.call(app, "GET", "/openai/assistants?api-version=2024-10-21", {}, b"")
    assert status == 401 and b"Access denied" in content
    chat = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    target = "/openai/deployments/dep/chat/completions?api-version=2024-10-21"
    status, content = asgi_client.call(app, "POST", target, key, chat)
    assert status == 200 and json.loads(content)["model"] == "dep"
    status, content = asgi_client.call(app, "POST", "/openai/v1/assistants", key, b'{"model": "m"}')
    assert status == 200 and json.loads(content)["object"] == "assistant"
    gateway = {"authorization": "Bearer gw", "openai-beta": "assistants=v2"}
    status, content = asgi_client.call(app, "GET", "/gw/openai/v1/assistants", gateway, b"")
    assert status == 200 and len(json.loads(content)["data"]) == 1
    status, _ = asgi_client.call(app, "GET", "/elsewhere/assistants", gateway, b"")
    assert status == 404


def test_a_streamed_azure_chat_opens_with_the_prompt_filter_results() -> None:
    with FakeOpenAI() as fake:
        stream = fake.azure_client().chat.completions.create(
            model="d", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        chunks = list(stream)
    extra: Any = chunks[0].model_extra
    assert chunks[0].choices == [] and extra["prompt_filter_results"][0]["prompt_index"] == 0
    assert "".join(c.choices[0].delta.content or "" for c in chunks[1:] if c.choices)


def test_an_azure_client_runs_against_serve_over_a_socket() -> None:
    fake = FakeOpenAI(timeline=QUICK, clock=RealClock(speed=1000.0), virtual_time=False, hang_limits=None)
    with contextlib.contextmanager(asgi_server)(fake) as served:  # stopped even when a check fails
        endpoint = served.url.removesuffix("/v1")
        client = openai.AzureOpenAI(azure_endpoint=endpoint, api_version=VERSION, api_key="azure-key")
        run = client.beta.threads.create_and_run_poll(
            assistant_id=client.beta.assistants.create(model="d").id, poll_interval_ms=5
        )
        chat = client.chat.completions.create(model="dep", messages=[{"role": "user", "content": "hi"}])
        assert (run.status, chat.model) == ("completed", "dep")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/threads/t/runs", ("/threads/t/runs", None, False)),
        ("/deployments/gpt/chat/completions", ("/chat/completions", "gpt", False)),
        ("/deployments/gpt", ("/", "gpt", False)),
        ("/v1/responses", ("/responses", None, True)),
        ("/v1", ("/", None, True)),
    ],
)
def test_openai_path(path: str, expected: tuple[str, str | None, bool]) -> None:
    assert azure.openai_path(path) == expected


@pytest.mark.parametrize("name", ["api-key", "entra-token-provider"])
def test_the_seeds_assistants_flows_with_an_azure_client(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tutorials' own code, with the one line a user changes: the client is an AzureOpenAI."""
    monkeypatch.chdir(tmp_path)
    article = tmp_path / "article.pdf"
    article.write_bytes(b"%PDF-1.4 a trial report")
    slow = Timeline(
        [Step("queued", 3), Step("in_progress", 40), Step("completed", payload={"reply": "7/10"})]
    )
    with FakeOpenAI(timeline=slow) as fake:
        client = CLIENTS[name](fake)
        monkeypatch.setattr(seed000, "client", client)
        monkeypatch.setattr(seed002, "client", client)
        assistant = client.beta.assistants.create(model="my-gpt-4o", name="rater")
        thread, _, run = seed000.start_conversation(assistant.id, article, "Rate this trial.")
        seed000.wait_for_run_completion(client, thread.id, run.id, "001", "results")
        assert fake.clock.elapsed() == 45
        first, after = seed002.tutorial()
    assert (tmp_path / "results" / "001.txt").read_text(encoding="utf-8").endswith("7/10")
    assert [m.role for m in first.data] == ["assistant", "user"] and [m.role for m in after.data] == [
        "assistant"
    ]
