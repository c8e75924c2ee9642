"""The same test twice gives byte-identical responses; ids are seeded, times come from the clock."""

from __future__ import annotations

import openai

from assistant_harness import FakeAssistants
from assistant_harness.http.messages import ApiRequest, ApiResponse

from .tour import TOOL_TIMELINE, tour


def _record(seed: int = 0, *, via_client: bool = True) -> list[tuple[int, bytes, dict[str, str]]]:
    seen: list[tuple[int, bytes, dict[str, str]]] = []

    def keep(_: ApiRequest, response: ApiResponse) -> None:
        seen.append((response.status, response.content, dict(response.headers)))

    with FakeAssistants(timeline=TOOL_TIMELINE, seed=seed) as fake:
        fake.backend.listeners.append(keep)
        tour(fake.client() if via_client else openai.OpenAI(api_key="sk-test"))
    return seen


def test_same_flow_twice_is_byte_identical() -> None:
    first, second = _record(), _record()
    assert len(first) > 50
    assert first == second


def test_interception_and_mock_transport_give_the_same_bytes() -> None:
    assert _record(via_client=True) == _record(via_client=False)


def test_another_seed_gives_other_ids() -> None:
    assert _record(seed=1) != _record(seed=0)


def test_ids_carry_the_real_prefixes(fake: FakeAssistants) -> None:
    client = fake.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    step = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id).data[0]
    message = client.beta.threads.messages.list(run.thread_id).data[0]
    upload = client.files.create(file=("a.txt", b"a"), purpose="assistants")
    store = client.vector_stores.create()
    prefixes = [
        assistant.id[:5],
        run.thread_id[:7],
        run.id[:4],
        step.id[:5],
        message.id[:4],
        upload.id[:5],
        store.id[:3],
    ]
    assert prefixes == ["asst_", "thread_", "run_", "step_", "msg_", "file-", "vs_"]
    assert len(run.id) == len("run_") + 24
