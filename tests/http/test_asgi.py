"""http/asgi (`serve`): every fault kind over a real socket, and no 500 for what a client sends."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import openai
import pytest
import uvicorn

from assistant_harness import FakeAssistants, Fault, Step, Timeline
from assistant_harness.engine.clock import RealClock
from assistant_harness.engine.hangs import HangLimits
from assistant_harness.http.asgi import ServeApp

#: Virtual seconds per real second: a 10 s latency waits 10 ms of real time.
SPEED = 1000.0
QUICK = Timeline(
    [Step("queued", 0.001), Step("in_progress", 0.001), Step("completed", payload={"reply": "hi"})]
)
HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}


@dataclass
class Served:
    fake: FakeAssistants
    url: str

    def client(self, **kwargs: object) -> openai.OpenAI:
        return openai.OpenAI(api_key="sk-test", base_url=self.url, **kwargs)  # type: ignore[arg-type]


def _serve(fake: FakeAssistants, **options: float) -> Iterator[Served]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(
        ServeApp(fake.backend, **options), host="127.0.0.1", port=port, log_level="critical"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.01)
    try:
        yield Served(fake, f"http://127.0.0.1:{port}/v1")
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def module_server() -> Iterator[Served]:
    fake = FakeAssistants(timeline=QUICK, clock=RealClock(speed=SPEED), virtual_time=False, hang_limits=None)
    yield from _serve(fake, hold_limit=5.0)


@pytest.fixture
def served(module_server: Served) -> Iterator[Served]:
    yield module_server
    module_server.fake.faults.clear()


def _streamed_run(served: Served) -> tuple[str, str]:
    """(thread id, assistant id) ready for a streamed runs.create."""
    client = served.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    return client.beta.threads.create().id, assistant.id


def _events(lines: list[str]) -> list[str]:
    return [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]


def test_a_dropped_stream_breaks_the_connection_mid_body(served: Served) -> None:
    thread_id, assistant_id = _streamed_run(served)
    served.fake.faults.append(Fault(endpoint="runs.create", stream="drop", after_events=2))
    lines: list[str] = []
    with (  # noqa: PT012
        pytest.raises(httpx.RemoteProtocolError),
        httpx.stream(
            "POST",
            f"{served.url}/threads/{thread_id}/runs",
            json={"assistant_id": assistant_id, "stream": True},
            headers=HEADERS,
        ) as response,
    ):
        assert response.status_code == 200
        lines.extend(response.iter_lines())
    assert _events(lines) == ["thread.run.created", "thread.run.queued"]  # then the connection broke
    assert served.fake.faults[0].fired == 1


def test_a_dropped_stream_is_an_error_for_the_sdk(served: Served) -> None:
    thread_id, assistant_id = _streamed_run(served)
    served.fake.faults.append(Fault(endpoint="runs.create", stream="drop", after_events=1))
    seen = []
    # openai 3.x wraps the broken read into APIConnectionError; 2.x lets httpx's error through.
    with pytest.raises((openai.APIConnectionError, httpx.RemoteProtocolError)):  # noqa: PT012
        for event in served.client().beta.threads.runs.create(
            thread_id, assistant_id=assistant_id, stream=True
        ):
            seen.append(event.event)
    assert seen == ["thread.run.created"]


def test_an_error_event_ends_the_stream(served: Served) -> None:
    thread_id, assistant_id = _streamed_run(served)
    served.fake.faults.append(Fault(endpoint="runs.create", stream="error", after_events=1, message="Boom."))
    with pytest.raises(openai.APIError, match=r"Boom\."):
        for _ in served.client().beta.threads.runs.create(thread_id, assistant_id=assistant_id, stream=True):
            pass


def test_a_slow_stream_waits_before_every_event(served: Served) -> None:
    thread_id, assistant_id = _streamed_run(served)
    served.fake.faults.append(Fault(endpoint="runs.create", stream="slow", latency=20))
    clock = served.fake.clock
    before = clock.elapsed()
    events = list(served.client().beta.threads.runs.create(thread_id, assistant_id=assistant_id, stream=True))
    assert len(events) > 3
    assert clock.elapsed() - before >= 20 * len(events)  # the clock follows real time: it really waited


def test_a_connect_fault_is_a_connection_error(served: Served) -> None:
    served.fake.faults.append(Fault(endpoint="threads.create", error="connect"))
    with pytest.raises(openai.APIConnectionError):
        served.client(max_retries=0).beta.threads.create()
    served.fake.faults[0:1] = [Fault(endpoint="threads.create", error="connect", times=2)]
    assert served.client(max_retries=2).beta.threads.create().object == "thread"  # retried through it
    assert served.fake.faults[0].seen == 3


def test_a_read_timeout_fault_holds_until_the_client_gives_up(served: Served) -> None:
    served.fake.faults.append(Fault(endpoint="threads.create", error="read_timeout"))
    with pytest.raises(openai.APITimeoutError):
        served.client(max_retries=0, timeout=0.3).beta.threads.create()


def test_http_error_and_latency_faults(served: Served) -> None:
    served.fake.faults.extend(
        [
            Fault(endpoint="threads.create", nth=1, status=429, retry_after=0),
            Fault(endpoint="threads.create", latency=30),
        ]
    )
    before = served.fake.clock.elapsed()
    with pytest.raises(openai.RateLimitError):
        served.client(max_retries=0).beta.threads.create()
    assert served.client(max_retries=0).beta.threads.create().object == "thread"
    assert served.fake.clock.elapsed() - before >= 60  # both requests waited 30 virtual seconds


def test_listing_many_times_is_no_error_by_default(served: Served) -> None:
    with httpx.Client(base_url=served.url, headers=HEADERS) as http:
        answers = {http.get("/assistants").status_code for _ in range(110)}
    assert answers == {200}


def test_hang_detection_when_asked_for_is_a_labelled_4xx() -> None:
    fake = FakeAssistants(
        timeline=QUICK, clock=RealClock(speed=SPEED), virtual_time=False, hang_limits=HangLimits()
    )
    for served in _serve(fake):
        with httpx.Client(base_url=served.url, headers=HEADERS) as http:
            answers = [http.get("/assistants") for _ in range(110)]
        statuses = [a.status_code for a in answers]
        assert 500 not in statuses and statuses[0] == 200
        hang = next(a for a in answers if a.status_code != 200)
        assert hang.status_code == 422 and hang.headers["x-should-retry"] == "false"
        assert hang.json()["error"]["code"] == "hang_detected"
        assert hang.json()["error"]["message"].startswith("assistant-harness: ")


def test_serve_turns_hang_detection_on_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant_harness.cli.main import main as cli_main

    made: list[FakeAssistants] = []
    monkeypatch.setattr("assistant_harness.http.asgi.run_server", lambda app, host, port: made.append(app))
    for argv, on in ((["serve"], False), (["serve", "--detect-hangs"], True)):
        made.clear()
        assert cli_main([*argv, "--port", "1"]) == 0
        world = made[0].backend.world("sk-any")  # type: ignore[attr-defined]  (serve's Namespaces)
        assert (world.backend.hangs.limits is not None) is on
