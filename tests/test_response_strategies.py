"""The Responses strategies: valid timelines the fake plays, shortest cases, scenario-file printing,
tool rounds, dropped streams and webhook faults."""

from __future__ import annotations

import time
from typing import Any

import openai
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from assistant_harness import FakeOpenAI, Scenario, WebhookFault
from assistant_harness.apis.responses.statuses import FINAL, RESPONSE_MODEL
from assistant_harness.engine.faults import Fault
from assistant_harness.engine.lifecycle import Timeline
from assistant_harness.testing.response_strategies import (
    BAD_SIGNATURES,
    GeneratedResponseTimeline,
    dropped_streams,
    response_scenarios,
    response_timelines,
    webhook_faults,
)

QUICK = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(timeline=response_timelines(max_duration=20, tool_call=None, stuck=True))
def test_drawn_timelines_are_valid_and_the_fake_plays_them(timeline: GeneratedResponseTimeline) -> None:
    RESPONSE_MODEL.check(timeline)
    with FakeOpenAI(response_timeline=timeline, hang_limits=None) as fake:
        client = fake.client()
        response = client.responses.create(model="gpt-4o", input="Hi", background=True)
        for _ in range(30):
            if response.status in FINAL:
                break
            time.sleep(2)
            response = client.responses.retrieve(response.id)
        last = timeline.steps[-1]
        assert response.status == last.status
        if last.status == "completed" and "tool_calls" in last.payload:
            assert [item.type for item in response.output] == ["function_call"] * len(
                last.payload["tool_calls"]
            )


def test_each_outcome_shrinks_to_its_shortest_timeline() -> None:
    def shortest(status: str) -> list[tuple[str, float | None]]:
        found = find(response_timelines(stuck=True), lambda t: t.steps[-1].status == status)
        return [(step.status, step.duration) for step in found.steps]

    assert shortest("completed") == [("queued", 0), ("in_progress", 0), ("completed", None)]
    assert shortest("failed") == [("queued", 0), ("failed", None)]
    assert shortest("incomplete") == [("queued", 0), ("in_progress", 0), ("incomplete", None)]
    assert shortest("cancelled") == [("queued", 0), ("cancelled", None)]
    stuck = find(response_timelines(stuck=True), lambda t: t.steps[-1].duration is None and len(t.steps) == 1)
    assert [(s.status, s.duration) for s in stuck.steps] == [("queued", None)]


def test_a_drawn_timeline_prints_as_a_scenario_file_that_loads_back() -> None:
    timeline = find(response_timelines(), lambda t: t.steps[-1].status == "failed")
    text = repr(timeline)
    assert text.startswith("Scenario.from_yaml('''\n# Save as scenarios/generated.yaml")
    loaded = eval(text, {"Scenario": Scenario})  # the printed form is the code that rebuilds it
    assert [s.status for s in loaded.responses[0].timeline.steps] == ["queued", "failed"]
    assert loaded.responses[0].timeline.steps[-1].payload == {"last_error": {"code": "server_error"}}


@QUICK
@given(scenario=response_scenarios(max_tool_rounds=2, max_faults=1, stream_faults=True))
def test_scenarios_chain_tool_rounds_and_round_trip_through_yaml(scenario: Scenario) -> None:
    *rounds, last = scenario.responses
    for script in rounds:
        assert script.timeline.steps[-1].status == "completed"
        assert script.timeline.steps[-1].payload["tool_calls"]
    assert isinstance(last.timeline, Timeline)
    assert all(isinstance(rule, Fault) for rule in scenario.faults)
    assert Scenario.from_yaml(scenario.to_yaml()).to_yaml() == scenario.to_yaml()


def test_dropped_streams_shrink_to_an_early_clean_end() -> None:
    assert find(dropped_streams(), lambda rule: True) == {
        "endpoint": "responses.create",
        "stream": "end",
        "after_events": 1,
        "times": 1,
    }
    assert find(dropped_streams(kinds=("drop",)), lambda rule: True)["stream"] == "drop"


def test_webhook_faults_draw_every_kind_and_shrink_to_the_simplest() -> None:
    assert find(webhook_faults(), lambda rule: True) == {
        "event": "response.completed",
        "nth": 1,
        "out_of_order": True,
    }
    assert find(webhook_faults(), lambda rule: "late" in rule) == {
        "event": "response.completed",
        "nth": 1,
        "late": 1,
    }
    kinds: set[str] = set()

    @settings(max_examples=80, database=None)
    @given(rule=webhook_faults())
    def collect(rule: dict[str, object]) -> None:
        (kind,) = set(rule) - {"event", "nth"}  # exactly one thing goes wrong per rule
        kinds.add(kind)
        assert rule["event"] in (
            "response.completed",
            "response.failed",
            "response.cancelled",
            "response.incomplete",
        )
        if kind == "signature":
            assert rule["signature"] in BAD_SIGNATURES
        WebhookFault(**rule)  # the webhook delivery's own rule accepts it

    collect()
    assert kinds == {"out_of_order", "signature", "late", "duplicates"}


SECRET = "whsec_" + "bXktdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZy0xMjM0"


def _handled_ends(rules: list[dict[str, Any]], *, dedupe: bool) -> tuple[list[str], list[str]]:
    """Two background responses end while a webhook handler listens under the given faults: the
    response ids it acted on, and the ids that ended."""
    handled: list[str] = []
    seen: set[str] = set()
    with FakeOpenAI(webhook_secret=SECRET) as fake:
        client = fake.client(webhook_secret=SECRET)

        def handler(delivery: Any) -> int:
            try:
                event = client.webhooks.unwrap(delivery.body, delivery.headers)
            # The SDK raises ValueError, not InvalidWebhookSignatureError, when the signature header is
            # missing (this property found it): a handler must refuse both.
            except (openai.InvalidWebhookSignatureError, ValueError):
                return 400  # refused: the fake tries again, cleanly signed
            if dedupe and delivery.headers["webhook-id"] in seen:
                return 200
            seen.add(delivery.headers["webhook-id"])
            handled.append(event.data.id)
            return 200

        fake.webhooks.add(handler)
        fake.webhooks.faults += [WebhookFault(**rule) for rule in rules]
        ids = [client.responses.create(model="gpt-4o", input=x, background=True).id for x in "ab"]
        time.sleep(3600)  # past every late delivery and the first retries
        fake.webhooks.check()
    return handled, ids


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=st.lists(webhook_faults(events=("response.completed",)), max_size=2))
def test_an_idempotent_verifying_handler_acts_once_per_response_whatever_the_faults(rules: list[Any]) -> None:
    handled, ids = _handled_ends(rules, dedupe=True)
    assert sorted(handled) == sorted(ids)


def test_webhook_faults_find_a_handler_that_is_not_idempotent() -> None:
    def acts_twice(rules: list[dict[str, Any]]) -> bool:
        handled, ids = _handled_ends(rules, dedupe=False)
        return sorted(handled) != sorted(ids)

    failing = find(
        st.lists(webhook_faults(events=("response.completed",)), max_size=2),
        acts_twice,
        # No deadline: each example runs a fake, and the first one pays the imports (1.2 s alone).
        settings=settings(max_examples=50, database=None, deadline=None),
    )
    assert failing == [{"event": "response.completed", "nth": 1, "duplicates": 1}]
