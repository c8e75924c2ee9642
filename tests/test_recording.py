"""use_cassette: record modes, replay order, matching, errors, secrets, sync and async."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from assistant_harness import (
    CassetteError,
    CassetteMismatch,
    ConfigurationError,
    FakeAssistants,
    SecretInCassetteError,
    Timeline,
    use_cassette,
)

from .realtime import forbid_real_sleep

SLOW = Timeline.of(("queued", 2), ("in_progress", 30), "completed")


def flow(client: openai.OpenAI) -> tuple[str, str, list[str]]:
    assistant = client.beta.assistants.create(model="gpt-4o", name="Tutor")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    texts = [m.content[0].text.value for m in client.beta.threads.messages.list(run.thread_id)]  # type: ignore[union-attr]
    return run.id, run.status, texts


async def aflow(client: openai.AsyncOpenAI) -> tuple[str, str, list[str]]:
    assistant = await client.beta.assistants.create(model="gpt-4o", name="Tutor")
    run = await client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    listing = await client.beta.threads.messages.list(run.thread_id)
    return run.id, run.status, [m.content[0].text.value for m in listing.data]  # type: ignore[union-attr]


def record(path: Path, mode: str = "once") -> tuple[str, str, list[str]]:
    """Record ``flow`` with a fake as the upstream (the cassette sits in front of it)."""
    with FakeAssistants(timeline=SLOW), use_cassette(path, record_mode=mode):
        return flow(openai.OpenAI(api_key="sk-test"))


def test_record_once_then_replay_offline_without_sleeping(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    recorded = record(path)
    assert recorded[1] == "completed"
    with forbid_real_sleep(), use_cassette(path) as cassette:  # no fake: only the cassette answers
        started = time.monotonic()  # virtual inside the block
        replayed = flow(openai.OpenAI(api_key="sk-test"))
        assert time.monotonic() - started == 32  # 32 s of polling replayed on a virtual clock
    assert replayed == recorded
    assert cassette.recorded == []


def test_polling_replays_in_recorded_order_then_stays_on_the_last(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    record(path)
    statuses = [
        i["response"]["body"]["value"].get("status")
        for i in json.loads(path.read_text(encoding="utf-8"))["interactions"]
        if i["request"]["method"] == "GET" and "/runs/" in i["request"]["url"]
    ]
    assert statuses[0] == "queued" and statuses[-1] == "completed" and "in_progress" in statuses
    with use_cassette(path):
        client = openai.OpenAI(api_key="sk-test")
        assistant = client.beta.assistants.create(model="gpt-4o", name="Tutor")
        run = client.beta.threads.create_and_run(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
        )
        seen = [client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status for _ in statuses]
        assert seen == statuses
        assert client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == "completed"


def test_unmatched_request_names_the_closest_recordings(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    record(path)
    with use_cassette(path):
        client = openai.OpenAI(api_key="sk-test")
        with pytest.raises(CassetteMismatch) as caught:
            client.beta.assistants.create(model="gpt-4o", name="Other name")
    message = str(caught.value)
    assert "no recorded interaction matches POST https://api.openai.com/v1/assistants" in message
    # The key that differs and both values, not two cut-off prefixes of the bodies.
    assert "#0 POST https://api.openai.com/v1/assistants: body.name: recorded 'Tutor', got 'Other name'" in (
        message
    )


def test_matching_ignores_key_order_and_can_skip_the_body(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    record(path)
    with use_cassette(path, match_on=("method", "path")):
        assistant = openai.OpenAI(api_key="sk-test").beta.assistants.create(model="gpt-4o", name="Other name")
        assert assistant.name == "Tutor"  # what was recorded
    with use_cassette(path):
        # Any httpx client is replayed too; the same JSON in another key order matches.
        answer = httpx.post(
            "https://api.openai.com/v1/assistants", content=b'{"name": "Tutor", "model": "gpt-4o"}'
        )
        assert answer.json()["name"] == "Tutor"


def test_none_mode_needs_a_cassette(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="record_mode is 'none'"), use_cassette(tmp_path / "missing.json"):
        pass


def test_new_episodes_replays_old_and_records_new(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    record(path)
    count = len(json.loads(path.read_text(encoding="utf-8"))["interactions"])
    with FakeAssistants(timeline=SLOW) as fake, use_cassette(path, record_mode="new_episodes"):
        client = openai.OpenAI(api_key="sk-test")
        client.beta.assistants.create(model="gpt-4o", name="Tutor")  # replayed
        client.beta.threads.create()  # new: recorded from the fake
        assert [r.path for r in fake.backend.requests] == ["/threads"]
    assert len(json.loads(path.read_text(encoding="utf-8"))["interactions"]) == count + 1


def test_replay_answers_at_the_transport_and_recording_goes_through_httpcore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replayed request never reaches the httpcore lane (httpx's conversions are not paid); a
    request to record (new_episodes, not in the cassette) is passed down to it, and to the fake."""
    from assistant_harness.cassettes.recorder import CassetteLane

    path = tmp_path / "flow.json"
    record(path)
    at_httpcore: list[str] = []
    handle = CassetteLane.handle

    def counted(self: CassetteLane, core: Any, request: Any, body: bytes, send: Any) -> Any:
        at_httpcore.append(request.url.target.decode())
        return handle(self, core, request, body, send)

    monkeypatch.setattr(CassetteLane, "handle", counted)
    with use_cassette(path):
        assert flow(openai.OpenAI(api_key="sk-test"))[1] == "completed"
    assert at_httpcore == []
    with FakeAssistants(timeline=SLOW) as fake, use_cassette(path, record_mode="new_episodes"):
        client = openai.OpenAI(api_key="sk-test")
        client.beta.assistants.create(model="gpt-4o", name="Tutor")  # replayed, at the transport
        client.beta.threads.create()  # new: down to httpcore, recorded from the fake
    assert at_httpcore == ["/v1/threads"] and [r.path for r in fake.backend.requests] == ["/threads"]


def test_all_rewrites_the_cassette(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    record(path)
    with FakeAssistants(), use_cassette(path, record_mode="rewrite"):
        openai.OpenAI(api_key="sk-test").beta.threads.create()
    assert len(json.loads(path.read_text(encoding="utf-8"))["interactions"]) == 1


def test_async_record_and_replay(tmp_path: Path) -> None:
    import asyncio

    path = tmp_path / "async.json"

    async def go() -> tuple[Any, Any]:
        with FakeAssistants(timeline=SLOW), use_cassette(path, record_mode="once"):
            recorded = await aflow(openai.AsyncOpenAI(api_key="sk-test"))
        with use_cassette(path):
            replayed = await aflow(openai.AsyncOpenAI(api_key="sk-test"))
        return recorded, replayed

    recorded, replayed = asyncio.run(go())
    assert recorded == replayed and recorded[1] == "completed"


def test_decorator_form(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    recorded = record(path)

    @use_cassette(path)
    def replay() -> tuple[str, str, list[str]]:
        return flow(openai.OpenAI(api_key="sk-test"))

    assert replay() == recorded
    assert replay() == recorded  # each call starts the cassette afresh


def test_a_secret_left_by_a_hook_refuses_the_write_and_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    record(path)
    before = path.read_text(encoding="utf-8")

    def leak(interaction: Any) -> Any:
        interaction.response_headers["x-debug"] = "sk-proj-" + "a" * 40
        return interaction

    with (
        pytest.raises(SecretInCassetteError, match=r"response\.headers\.x-debug: an OpenAI API key"),
        FakeAssistants(),
        use_cassette(path, record_mode="all", redact=(leak,)),
    ):
        openai.OpenAI(api_key="sk-test").beta.threads.create()
    assert path.read_text(encoding="utf-8") == before


def test_api_key_from_a_dotenv_file_when_recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    fake_key = "sk-proj-" + "fromdotenv" + "0" * 16  # built, so no key-like literal sits in the source
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={fake_key}\n", encoding="utf-8")
    with FakeAssistants(), use_cassette(tmp_path / "c.json", record_mode="once"):
        openai.OpenAI().beta.threads.create()  # the key came from .env, as in the tutorials
    text = (tmp_path / "c.json").read_text(encoding="utf-8")
    assert "fromdotenv" not in text and "Bearer REDACTED" in text


def test_bad_options() -> None:
    with pytest.raises(ConfigurationError, match="record_mode 'sometimes'"):
        use_cassette("x.json", record_mode="sometimes")
    with pytest.raises(ConfigurationError, match="unknown matcher"):
        use_cassette("x.json", match_on=("method", "colour"))


def test_streams_are_recorded_as_events_with_offsets_and_replayed_chunk_by_chunk(tmp_path: Path) -> None:
    path = tmp_path / "stream.json"

    def stream(client: openai.OpenAI) -> list[str]:
        assistant = client.beta.assistants.create(model="m")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as events:
            return [event.event for event in events]

    with FakeAssistants("happy_path"), use_cassette(path, record_mode="once"):
        recorded = stream(openai.OpenAI(api_key="sk-test"))
    stored = json.loads(path.read_text(encoding="utf-8"))["interactions"][-1]["response"]["body"]
    assert stored["kind"] == "sse"
    assert [e["event"] for e in stored["value"]] == [*recorded, "done"]
    assert not any("offset" in e for e in stored["value"])  # no wall-clock time: re-records are identical
    with use_cassette(path):
        assert stream(openai.OpenAI(api_key="sk-test")) == recorded


def test_new_episodes_polls_reach_the_upstream_after_the_recorded_answers(tmp_path: Path) -> None:
    path = tmp_path / "poll.json"
    slow = Timeline.of(("queued", 1), ("in_progress", 3), "completed")
    with FakeAssistants(timeline=slow) as fake, use_cassette(path, record_mode="new_episodes"):
        client = openai.OpenAI(api_key="sk-test")
        run = client.beta.threads.create_and_run(assistant_id=client.beta.assistants.create(model="m").id)
        seen = []
        for _ in range(6):
            fake.advance(1)
            seen.append(client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status)
    assert seen[-1] == "completed" and "in_progress" in seen  # every poll went to the upstream


def test_redacted_values_still_match_on_replay(tmp_path: Path) -> None:
    path = tmp_path / "redacted.json"
    secret = "sk-proj-" + "s" * 40

    def go(client: openai.OpenAI) -> str:
        thread = client.beta.threads.create(
            metadata={"token": "abc", "note": f"key {secret}"}, extra_query={"api_key": secret}
        )
        return thread.id

    with FakeAssistants(), use_cassette(path, record_mode="once"):
        recorded = go(openai.OpenAI(api_key="sk-test"))
    assert secret not in path.read_text(encoding="utf-8")
    with use_cassette(path):
        assert go(openai.OpenAI(api_key="sk-test")) == recorded


def test_mismatch_messages_never_show_a_key(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    record(path)
    secret = "sk-proj-" + "m" * 40
    with use_cassette(path), pytest.raises(CassetteMismatch) as caught:
        httpx.get(f"https://api.openai.com/v1/models?api_key={secret}")
    assert secret not in str(caught.value) and "api_key=REDACTED" in str(caught.value)


def test_a_recording_cut_short_by_an_error_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"

    def failing_test() -> None:
        with FakeAssistants(), use_cassette(path, record_mode="once"):
            openai.OpenAI(api_key="sk-test").beta.threads.create()
            raise RuntimeError("the test failed half-way")

    with pytest.raises(RuntimeError):
        failing_test()
    assert not path.exists()


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_the_same_test_recorded_twice_gives_the_same_bytes(tmp_path: Path, suffix: str) -> None:
    import io

    def flow(path: Path, mode: str) -> list[str]:
        with FakeAssistants("tool_call", seed=3), use_cassette(path, record_mode=mode):
            client = openai.OpenAI(api_key="sk-test")
            upload = io.BytesIO(b"hello")
            client.files.create(file=("notes.txt", upload, "text/plain"), purpose="assistants")
            assistant = client.beta.assistants.create(model="m")
            thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
            with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as events:
                return [event.event for event in events]

    first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
    recorded = flow(first, "all")
    flow(second, "all")
    assert first.read_bytes() == second.read_bytes()  # no wall-clock offsets, no random boundary
    assert b"boundary=assistant-harness-" in first.read_bytes()
    assert flow(first, "none") == recorded  # the normalised upload still matches on replay


def test_redaction_hooks_run_on_live_requests_so_a_redacted_recording_replays(tmp_path: Path) -> None:
    from dataclasses import replace

    from assistant_harness.cassettes.format import Body, Interaction

    path = tmp_path / "hooked.json"

    def hidden(body: Body) -> Body:
        if (
            body.kind == "json"
            and isinstance(body.value, dict)
            and "customer" in body.value.get("metadata", {})
        ):
            return Body("json", {**body.value, "metadata": {**body.value["metadata"], "customer": "someone"}})
        return body

    def hide_customer(interaction: Interaction) -> Interaction:
        return replace(
            interaction,
            request_body=hidden(interaction.request_body),
            response_body=hidden(interaction.response_body),
        )

    def go(customer: str) -> str:
        client = openai.OpenAI(api_key="sk-test")
        return client.beta.threads.create(metadata={"customer": customer}).id

    with FakeAssistants(), use_cassette(path, record_mode="once", redact=(hide_customer,)):
        recorded = go("Alice Example")
    assert "Alice Example" not in path.read_text(encoding="utf-8")
    with use_cassette(path, redact=(hide_customer,)):
        assert go("Bob Example") == recorded  # the live request is redacted the same way, then matched
    with use_cassette(path, redact=(hide_customer,)), pytest.raises(CassetteMismatch) as caught:
        openai.OpenAI(api_key="sk-test").beta.threads.create(metadata={"customer": "Carol", "x": "y"})
    assert "Carol" not in str(caught.value)  # the mismatch shows the redacted request
    assert "body.metadata.x: not recorded, got 'y'" in str(caught.value)


def test_custom_matchers_are_plain_functions(tmp_path: Path) -> None:
    from assistant_harness.cassettes.matching import RequestKey, register_matcher

    path = tmp_path / "flow.json"
    record(path)

    def same_model(recorded: RequestKey, live: RequestKey) -> str | None:
        model = json.loads(recorded.body or "{}").get("model")
        return None if model == json.loads(live.body or "{}").get("model") else "the model differs"

    register_matcher("model", same_model)
    with use_cassette(path, match_on=("method", "path", "model")):  # the name is ignored: only the model
        openai.OpenAI(api_key="sk-test").beta.assistants.create(model="gpt-4o", name="Other name")
    with (
        use_cassette(path, match_on=("method", "path", same_model)),
        pytest.raises(CassetteMismatch) as caught,
    ):
        openai.OpenAI(api_key="sk-test").beta.assistants.create(model="gpt-5", name="Tutor")
    assert "the model differs" in str(caught.value)
