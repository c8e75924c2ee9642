"""A Hypothesis state machine over the fake: random interleavings of API calls and clock moves."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule

from assistant_harness import FakeAssistants, Step, Timeline
from assistant_harness.apis.assistants.statuses import ACTIVE
from assistant_harness.apis.assistants.statuses import FINAL as TERMINAL
from assistant_harness.apis.served import INDEX
from assistant_harness.http.messages import ApiRequest, ApiResponse

from .test_conformance import _allow_null_list_cursors, _response_schema, _validate

#: Slow (Hypothesis drives the whole backend): run by `pytest -m slow` and CI.
pytestmark = pytest.mark.slow

TIMESTAMPS = ("created_at", "started_at", "completed_at", "failed_at", "cancelled_at")

TIMELINES = [
    Timeline.of(("queued", 1), ("in_progress", 3), "completed"),
    Timeline(
        [
            Step("queued", 2),
            Step("in_progress", 1),
            Step("requires_action", payload={"tool_calls": [{"name": "f"}, {"name": "g"}]}),
            Step("queued", 1),
            Step("in_progress", 2),
            Step("completed"),
        ]
    ),
    Timeline(
        [
            Step("queued", 1),
            Step("in_progress", 2),
            Step("failed", payload={"last_error": {"code": "server_error"}}),
        ]
    ),
    Timeline([Step("queued", 1), Step("in_progress", 5), Step("incomplete")]),
    Timeline([Step("queued", 1), Step("in_progress")]),
]


class FakeBackendMachine(RuleBasedStateMachine):
    threads = Bundle("threads")
    runs = Bundle("runs")

    @initialize(picks=st.lists(st.integers(0, len(TIMELINES) - 1), min_size=8, max_size=8))
    def start(self, picks: list[int]) -> None:
        # Random calls are not a polling loop: no hang detection here (tests/test_hangs.py has it).
        self.fake = FakeAssistants(
            timelines=lambda r: TIMELINES[picks[r.index % len(picks)]], virtual_time=False, hang_limits=None
        )
        self.exchanges: list[tuple[ApiRequest, ApiResponse]] = []
        self.fake.backend.listeners.append(lambda q, a: self.exchanges.append((q, a)))
        self.client = self.fake.client(max_retries=0)
        self.assistant = self.client.beta.assistants.create(model="gpt-4o")
        self.seen_status: dict[str, str] = {}
        self.seen_times: dict[str, dict[str, int]] = {}

    def teardown(self) -> None:
        if hasattr(self, "fake"):
            self.fake.stop()

    @rule(target=threads)
    def create_thread(self) -> str:
        return self.client.beta.threads.create(messages=[{"role": "user", "content": "hi"}]).id

    @rule(target=runs, thread_id=threads)
    def create_run(self, thread_id: str) -> tuple[str, str]:
        try:
            run = self.client.beta.threads.runs.create(thread_id=thread_id, assistant_id=self.assistant.id)
        except openai.BadRequestError as error:
            assert "already has an active run" in error.message
            return thread_id, ""
        return thread_id, run.id

    @rule(ref=runs)
    def poll(self, ref: tuple[str, str]) -> None:
        if ref[1]:
            self._observe(self.client.beta.threads.runs.retrieve(ref[1], thread_id=ref[0]))

    @rule(ref=runs)
    def submit(self, ref: tuple[str, str]) -> None:
        if not ref[1]:
            return
        run = self.client.beta.threads.runs.retrieve(ref[1], thread_id=ref[0])
        if run.status != "requires_action":
            return
        outputs = [
            {"tool_call_id": c.id, "output": "ok"} for c in run.required_action.submit_tool_outputs.tool_calls
        ]  # type: ignore[union-attr]
        self._observe(
            self.client.beta.threads.runs.submit_tool_outputs(ref[1], thread_id=ref[0], tool_outputs=outputs)
        )

    @rule(ref=runs)
    def cancel(self, ref: tuple[str, str]) -> None:
        if not ref[1]:
            return
        try:
            self._observe(self.client.beta.threads.runs.cancel(ref[1], thread_id=ref[0]))
        except openai.BadRequestError as error:
            assert "Cannot cancel run with status" in error.message

    @rule(thread_id=threads)
    def add_message(self, thread_id: str) -> None:
        try:
            self.client.beta.threads.messages.create(thread_id=thread_id, role="user", content="more")
        except openai.BadRequestError as error:
            assert "while a run" in error.message

    @rule(thread_id=threads)
    def list_messages(self, thread_id: str) -> None:
        self.client.beta.threads.messages.list(thread_id, order="asc")

    @precondition(lambda self: hasattr(self, "fake"))
    @rule(seconds=st.sampled_from([0.5, 1, 2, 5, 30, 700]))
    def advance(self, seconds: float) -> None:
        self.fake.advance(seconds)

    def _observe(self, run: Any) -> None:
        before = self.seen_status.get(run.id)
        assert not (before in TERMINAL and run.status != before), f"{run.id} left {before} for {run.status}"
        self.seen_status[run.id] = run.status
        times = {k: getattr(run, k) for k in TIMESTAMPS if getattr(run, k) is not None}
        for key, value in self.seen_times.get(run.id, {}).items():
            assert times.get(key) == value, f"{run.id}.{key} changed from {value} to {times.get(key)}"
        self.seen_times[run.id] = times
        stamps = [times[k] for k in ("created_at", "started_at") if k in times]
        assert stamps == sorted(stamps)

    @invariant()
    def at_most_one_active_run_per_thread(self) -> None:
        if not hasattr(self, "fake"):
            return
        for state in self.fake.store.threads.values():
            for run in state.runs.values():
                self.fake.store.sync(run)
            active = [r for r in state.runs.values() if r.obj["status"] in ACTIVE]
            assert len(active) <= 1
            assert (state.active is None) == (not active)

    @invariant()
    def every_response_validates(self) -> None:
        while getattr(self, "exchanges", None):
            request, response = self.exchanges.pop()
            endpoint, _ = INDEX.find(request.method, request.path)
            schema = _response_schema(request.method, endpoint.path, response.status)
            assert schema is not None
            problems = _validate(schema, _allow_null_list_cursors(json.loads(response.content)))
            assert problems == [], problems


TestFakeBackend = FakeBackendMachine.TestCase
TestFakeBackend.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
