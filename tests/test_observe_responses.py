"""Cassettes of background traffic: read (native and pydantic-ai's vcrpy ``parsed_body``), replayed
(polls in recorded order, streams and resumed streams event by event, on virtual time), shown as
status timelines with tool rounds, and turned into ``responses:`` scenarios the fake replays.

The real recordings are pydantic-ai's (vendored in tests/data/real-cassettes/responses, MIT); three
of them (reasoning, streaming_continuation, streaming_without_starting_after) are ones the Responses
work did not use, fetched for this check with ``tools/vendor_cassettes.py --pydantic-ai DIR``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import openai
import pytest

from assistant_harness import FakeOpenAI
from assistant_harness.cassettes.format import Cassette
from assistant_harness.cassettes.observe import to_scenario
from assistant_harness.cassettes.observe_responses import observe_responses
from assistant_harness.cassettes.recorder import use_cassette
from assistant_harness.cli.main import main
from assistant_harness.engine.faults import Fault
from assistant_harness.scenario.model import Scenario

REAL = Path(__file__).resolve().parent / "data" / "real-cassettes" / "responses"
PLAIN = REAL / "pydantic-ai-test_background_mode_vcr.yaml"
TOOL = REAL / "pydantic-ai-test_background_mode_with_tool_vcr.yaml"
RESUMED = REAL / "pydantic-ai-test_background_mode_streaming_starting_after_vcr.yaml"
# Not used by the Responses work: fetched from pydantic-ai's repository for this check.
REASONING = REAL / "pydantic-ai-test_background_mode_reasoning_vcr.yaml"
CONTINUATION = REAL / "pydantic-ai-test_background_mode_streaming_continuation_vcr.yaml"
UNFINISHED = REAL / "pydantic-ai-test_background_mode_streaming_without_starting_after_vcr.yaml"
QUESTION = [{"role": "user", "content": "What is 2 + 2?"}]
FINAL = ("completed", "failed", "cancelled", "incomplete")
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def poll(client: openai.OpenAI, response: Any) -> tuple[Any, list[str]]:
    """pydantic-ai's loop: every 2 s until the response is final."""
    seen = [response.status]
    while response.status not in FINAL:
        time.sleep(2)
        response = client.responses.retrieve(response.id, stream=False)
        seen.append(response.status)
    return response, seen


def tool_round_trip(client: openai.OpenAI) -> list[Any]:
    """A background response that calls get_weather, answered by a chained one."""
    first, _ = poll(
        client,
        client.responses.create(
            model="gpt-4o", input="Weather in Paris?", tools=[WEATHER_TOOL], background=True
        ),
    )
    outputs = [
        {"type": "function_call_output", "call_id": item.call_id, "output": "Sunny and 72F in Paris"}
        for item in first.output
        if item.type == "function_call"
    ]
    second, _ = poll(
        client,
        client.responses.create(
            model="gpt-4o",
            input=outputs,
            previous_response_id=first.id,
            tools=[WEATHER_TOOL],
            background=True,
        ),
    )
    return [first, second]


def history(fake: FakeOpenAI) -> list[list[str]]:
    return [[status for status, _ in state.history] for state in fake.responses]


def scripted(scenario: Scenario) -> list[list[str]]:
    return [[step.status for step in script.timeline.steps] for script in scenario.responses]


# -- reading and showing real recordings -------------------------------------------------------


def test_pydantic_ai_parsed_bodies_are_read_as_json() -> None:
    interactions = Cassette.load(TOOL).interactions
    assert interactions[0].request_body.kind == "json"
    assert interactions[0].request_body.value["tools"][0]["name"] == "get_weather"
    assert interactions[0].response_body.kind == "json"
    assert interactions[0].response_body.value["status"] == "queued"
    assert Cassette.load(RESUMED).interactions[0].response_body.kind == "sse"


@pytest.mark.parametrize(
    ("path", "statuses", "reply"),
    [
        (PLAIN, ["queued", "in_progress", "completed"], "2 + 2 equals 4."),
        (REASONING, ["queued", "completed"], "2 + 2 = 4."),
        (CONTINUATION, ["queued", "in_progress", "completed"], "2 + 2 equals 4."),
        (RESUMED, ["queued", "in_progress", "completed"], "2 + 2 equals 4."),
        (UNFINISHED, ["queued"], None),
    ],
    ids=lambda value: value.stem if isinstance(value, Path) else None,
)
def test_real_recordings_observed(path: Path, statuses: list[str], reply: str | None) -> None:
    (response,) = observe_responses(Cassette.load(path).interactions)
    assert [status for _, status in response.transitions] == statuses
    assert response.reply == reply
    assert response.background is True


def test_a_resumed_stream_is_seen_as_a_resumption_not_a_second_timeline() -> None:
    (response,) = observe_responses(Cassette.load(RESUMED).interactions)
    assert response.streams == [None, 0]
    assert response.last_sequence == 16
    assert response.dropped == []


def test_show_prints_the_status_timeline_and_the_tool_round(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(TOOL), str(RESUMED), str(UNFINISHED)]) == 0
    out = capsys.readouterr().out
    headers = [line for line in out.splitlines() if line.startswith("Response ")]
    assert len(headers) == 4  # two in the tool recording, one in each other
    assert "background" in headers[0] and "(polled 1 time)" in headers[0]
    assert 'completed       get_weather({"city":"Paris"})  -> outputs ["Sunny and 72F in Paris"]' in out
    assert 'sent tool outputs ["Sunny and 72F in Paris"]' in out
    assert "reply: The weather in Paris is currently sunny" in out
    assert "streamed, stream resumed after #0" in out
    unfinished = out.split(str(UNFINISHED))[1]
    assert [line.split()[1] for line in unfinished.splitlines()[2:]] == ["queued"]


# -- replaying recordings --------------------------------------------------------------------


def test_polls_replay_in_recorded_order_on_virtual_time() -> None:
    client = openai.OpenAI(api_key="sk-test")
    with use_cassette(PLAIN):
        started = time.monotonic()
        response, seen = poll(
            client, client.responses.create(model="gpt-4o", input=QUESTION, background=True, stream=False)
        )
        waited = time.monotonic() - started
    assert seen == ["queued", "in_progress", "completed"]
    assert response.output_text == "2 + 2 equals 4."
    assert waited == 4.0  # two virtual 2-second waits: the clock moved by exactly the sleeps


def test_streams_and_resumed_streams_replay_event_by_event() -> None:
    client = openai.OpenAI(api_key="sk-test")
    with use_cassette(RESUMED):
        stream = client.responses.create(model="gpt-4o", input=QUESTION, background=True, stream=True)
        first = [(event.sequence_number, event.type) for event in stream]
        resumed = client.responses.retrieve(first[0][1] and _id(RESUMED), stream=True, starting_after=0)
        again = [event.sequence_number for event in resumed]
    assert [n for n, _ in first] == list(range(17))
    assert first[-1][1] == "response.completed"
    assert again == list(range(1, 17))


def _id(path: Path) -> str:
    return observe_responses(Cassette.load(path).interactions)[0].id


def test_the_tool_recording_replays_with_its_whole_input() -> None:
    """pydantic-ai continues by sending the whole conversation again: replayed as recorded."""
    interactions = Cassette.load(TOOL).interactions
    client = openai.OpenAI(api_key="sk-test")
    with use_cassette(TOOL):
        first, _ = poll(client, client.responses.create(**interactions[0].request_body.value))
        call = first.output[0]
        second_body = dict(interactions[2].request_body.value)
        assert second_body["input"][1]["call_id"] == call.call_id  # the recorded continuation answers it
        second, seen = poll(client, client.responses.create(**second_body))
    assert (call.name, json.loads(call.arguments)) == ("get_weather", {"city": "Paris"})
    assert seen == ["queued", "in_progress", "completed"]
    assert "sunny" in second.output_text


# -- to-scenario: recorded background responses, replayed by the fake ---------------------------


@pytest.mark.parametrize("path", [PLAIN, TOOL, REASONING, CONTINUATION, UNFINISHED], ids=lambda p: p.stem)
def test_real_recordings_become_scenarios_the_fake_replays(path: Path) -> None:
    scenario = Scenario.from_yaml(to_scenario(Cassette.load(path).interactions, name=path.stem).to_yaml())
    observed = observe_responses(Cassette.load(path).interactions)
    with FakeOpenAI(scenario, hang_limits=None) as fake:
        client = fake.client()
        if path == TOOL:
            first, second = tool_round_trip(client)
            assert [c.name for c in first.output] == ["get_weather"]
            assert json.loads(first.output[0].arguments) == {"city": "Paris"}
            assert second.output_text == observed[1].reply
        else:
            response = client.responses.create(model="gpt-4o", input=QUESTION, background=True)
            for _ in range(5):  # the unfinished one stays queued: poll a while, then stop
                if response.status in FINAL:
                    break
                time.sleep(2)
                response = client.responses.retrieve(response.id)
            assert response.status == observed[0].status
            if observed[0].reply is not None:
                assert response.output_text == observed[0].reply
        assert history(fake) == scripted(scenario)
    assert [s[-1] for s in scripted(scenario)] == [r.status for r in observed]


def test_record_against_the_fake_then_to_scenario_replays_the_same_statuses(tmp_path: Path) -> None:
    cassette = tmp_path / "tool.json"
    with FakeOpenAI("background_tool_call") as fake, use_cassette(cassette, record_mode="once"):
        tool_round_trip(openai.OpenAI(api_key="sk-test"))  # intercepted: fake.client() bypasses cassettes
        recorded = history(fake)
    assert main(["to-scenario", str(cassette), "-o", str(tmp_path / "tool.yaml")]) == 0
    scenario = Scenario.from_yaml((tmp_path / "tool.yaml").read_text(encoding="utf-8"))
    with FakeOpenAI(tmp_path / "tool.yaml") as replay:
        _, second = tool_round_trip(replay.client())
        assert history(replay) == recorded == [["queued", "in_progress", "completed"]] * 2
    steps = [script.timeline.steps for script in scenario.responses]
    # Seen by 2-second polls (in_progress first seen at 2 s), ended at completed_at: 5 virtual seconds.
    assert [s.duration for s in steps[0]] == [2, 3, None]
    assert steps[0][-1].payload["tool_calls"] == [{"name": "get_weather", "arguments": {"city": "Paris"}}]
    assert second.output_text == "The weather in Paris: Sunny and 72F in Paris."


def test_a_dropped_and_resumed_stream_becomes_the_same_drop(tmp_path: Path) -> None:
    cassette = tmp_path / "dropped.json"

    def read_resuming(client: openai.OpenAI) -> list[int]:
        numbers: list[int] = []
        stream: Any = client.responses.create(model="gpt-4o", input="Hi", background=True, stream=True)
        response_id = None
        while True:
            for event in stream:
                numbers.append(event.sequence_number)
                response_id = response_id or event.response.id
            if event.type == "response.completed":
                return numbers
            stream = client.responses.retrieve(response_id, stream=True, starting_after=numbers[-1])

    with FakeOpenAI("background_stream_dropped"), use_cassette(cassette, record_mode="once"):
        recorded_numbers = read_resuming(openai.OpenAI(api_key="sk-test"))
    (observed,) = observe_responses(Cassette.load(cassette).interactions)
    assert observed.streams == [None, 7] and observed.dropped == [8]
    scenario = to_scenario(Cassette.load(cassette).interactions)
    assert Fault(endpoint="responses.create", stream="end", after_events=8, times=1) in scenario.faults
    with FakeOpenAI(scenario) as replay:
        assert read_resuming(replay.client()) == recorded_numbers == list(range(len(recorded_numbers)))


@pytest.mark.parametrize(
    ("shipped", "line", "payload"),
    [
        (
            "background_failed",
            "failed          server_error: An error occurred while processing your request.",
            {
                "last_error": {
                    "code": "server_error",
                    "message": "An error occurred while processing your request.",
                }
            },
        ),
        ("background_incomplete", "incomplete      max_output_tokens", {"reason": "max_output_tokens"}),
    ],
)
def test_failures_and_incomplete_reasons_are_shown_and_kept(
    shipped: str, line: str, payload: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / f"{shipped}.json"
    with FakeOpenAI(shipped), use_cassette(cassette, record_mode="once"):
        client = openai.OpenAI(api_key="sk-test")
        recorded, _ = poll(client, client.responses.create(model="gpt-4o", input="Hi", background=True))
    assert main(["show", str(cassette)]) == 0
    assert line in capsys.readouterr().out
    last = to_scenario(Cassette.load(cassette).interactions).responses[0].timeline.steps[-1]
    assert {k: v for k, v in last.payload.items() if k != "reply"} == payload
    with FakeOpenAI(to_scenario(Cassette.load(cassette).interactions)) as fake:
        client = fake.client()
        replayed, _ = poll(client, client.responses.create(model="gpt-4o", input="Hi", background=True))
    assert (replayed.status, replayed.error, replayed.incomplete_details) == (
        recorded.status,
        recorded.error,
        recorded.incomplete_details,
    )
