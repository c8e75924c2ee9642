"""P1 contenders beyond the fake itself: our cassettes, plain respx, vcrpy and openai-responses.

Each builder returns a :class:`flow.Contender` (the same 15-request flow, checked the same way) or an
:class:`Unavailable` with the reason it cannot run under the installed openai SDK. Everything that
replays is recorded once from a fake standing in for api.openai.com, so every contender answers with
the same bytes the floor replays.

* ``cassette, opened per flow``: ``with use_cassette(path):`` around every flow (load + index + virtual
  time patch each time), a plain ``openai.OpenAI`` client made once.
* ``cassette, opened once``: one ``use_cassette`` per batch of flows. A cassette replays identical
  requests in recorded order and then repeats the last answer, so a reusable cassette holds the flow
  once per flow of the batch (the same interactions, repeated); dispatch is by index, so its size
  costs nothing per request.
* ``respx routes``: a ``respx.mock`` router with one route per endpoint answering precomputed bytes in
  order. respx patches httpcore only, so it serves openai 2.x; openai 3.x (httpx2/httpcore2) is n/a.
* ``vcrpy, opened per flow`` / ``vcrpy, opened once + rewind``: vcrpy records the flow against the
  fake (it patches the httpx/httpx2 transports, above the fake's httpcore interception), then replays
  with ``record_mode="none"``; the reused cassette is rewound before each flow.
* ``openai-responses``: its ``OpenAIMock`` (respx routes over a state store), the run's status driven
  by hand as its docs show, the assistant's reply added to its store on completion. openai 2.x only.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
from flow import (
    API_KEY,
    FLOOR_NEW_IDS,
    REQUESTS_PER_FLOW,
    RETRIEVES,
    TIMELINE,
    Contender,
    FlowResult,
    Recorded,
    check,
    no_advance,
    run_flow,
)

from assistant_harness import FakeAssistants, use_cassette
from assistant_harness.cassettes.format import Cassette

BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class Unavailable:
    """A contender that cannot run here, and why."""

    name: str
    reason: str


Entry = Contender | Unavailable


def openai_major() -> int:
    return int(openai.__version__.split(".")[0])


def plain_client() -> openai.OpenAI:
    """What the code under test would make: no base_url, no http_client."""
    return openai.OpenAI(api_key=API_KEY)


def recording_fake() -> FakeAssistants:
    return FakeAssistants(timeline=TIMELINE, virtual_time=False)


# -- our cassettes ------------------------------------------------------------------------------


def record_cassette(path: Path) -> Cassette:
    """Record the flow through ``use_cassette(record_mode="all")`` with a fake as the upstream."""
    with recording_fake() as fake, use_cassette(path, record_mode="all"):
        check(run_flow(plain_client(), fake.advance), "cassette recording")
    cassette = Cassette.load(path)
    if len(cassette.interactions) != REQUESTS_PER_FLOW:
        raise AssertionError(
            f"recorded {len(cassette.interactions)} interactions, expected {REQUESTS_PER_FLOW}"
        )
    return cassette


def repeated_cassette(flow_cassette: Cassette, copies: int, path: Path) -> Path:
    """The recorded flow ``copies`` times over, so one opened cassette serves ``copies`` flows."""
    Cassette(flow_cassette.interactions * copies).save(path)
    return path


def cassette_per_flow_contender(path: Path) -> Contender:
    client = plain_client()

    def flow() -> FlowResult:
        with use_cassette(path):
            return run_flow(client, no_advance)

    return Contender("cassette, opened per flow", flow)


def cassette_once_contender(flow_cassette: Cassette, flows: int, directory: Path) -> Contender:
    path = repeated_cassette(flow_cassette, flows, directory / f"flow_x{flows}.json")
    client = plain_client()
    return Contender(
        "cassette, opened once",
        lambda: run_flow(client, no_advance),
        session=lambda: use_cassette(path),
    )


# -- plain respx ----------------------------------------------------------------------------------


def _json(recorded: Recorded) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(recorded.content)
    return data


def respx_contender(responses: list[Recorded]) -> Entry:
    name = "respx routes"
    if openai_major() >= 3:
        return Unavailable(
            name,
            "respx patches httpcore and its MockTransport is an httpx transport; openai 3.x sends through "
            "httpx2/httpcore2, so respx.mock never sees its requests (they reach the network) and "
            "httpx2.Client(transport=respx MockTransport) fails an isinstance assertion",
        )
    import httpx
    import respx

    assistant, thread, _, run = (_json(r) for r in responses[:4])
    thread_path = f"/threads/{thread['id']}"
    ordered: dict[tuple[str, str], list[Recorded]] = {
        ("POST", "/assistants"): [responses[0]],
        ("POST", "/threads"): [responses[1]],
        ("POST", f"{thread_path}/messages"): [responses[2]],
        ("POST", f"{thread_path}/runs"): [responses[3]],
        ("GET", f"{thread_path}/runs/{run['id']}"): responses[4 : 4 + RETRIEVES],
        ("GET", f"{thread_path}/messages"): [responses[4 + RETRIEVES]],
    }
    assert assistant["object"] == "assistant"
    router = respx.mock(base_url=BASE_URL, assert_all_called=False, assert_all_mocked=True)

    def replies(answers: list[Recorded]) -> Callable[[Any], Any]:
        cycle = itertools.cycle(answers)

        def side_effect(_: Any) -> Any:
            answer = next(cycle)
            return httpx.Response(answer.status, headers=answer.headers, content=answer.content)

        return side_effect

    for (method, path), answers in ordered.items():
        router.route(method=method, path=path).mock(side_effect=replies(answers))
    client = plain_client()
    return Contender(name, lambda: run_flow(client, no_advance), session=lambda: router)


# -- vcrpy ----------------------------------------------------------------------------------------


def record_vcr_cassette(path: Path) -> Path:
    """Record the flow with vcrpy itself, a fake standing in for the upstream."""
    import vcr

    with recording_fake() as fake, vcr.use_cassette(str(path), record_mode="all"):
        check(run_flow(plain_client(), fake.advance), "vcrpy recording")
    return path


class VcrReplay:
    """vcrpy replay of the recorded flow: per flow, or one cassette rewound before each flow."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.client = plain_client()
        self.cassette: Any = None

    def open(self) -> AbstractContextManager[Any]:
        import vcr

        opened: AbstractContextManager[Any] = vcr.use_cassette(str(self.path), record_mode="none")
        return opened

    def flow_per_open(self) -> FlowResult:
        with self.open():
            return run_flow(self.client, no_advance)

    @contextmanager
    def session(self) -> Iterator[Any]:
        with self.open() as cassette:
            self.cassette = cassette
            yield cassette
        self.cassette = None

    def flow_rewound(self) -> FlowResult:
        self.cassette.rewind()
        return run_flow(self.client, no_advance)


def vcr_contenders(directory: Path) -> list[Entry]:
    names = ("vcrpy, opened per flow", "vcrpy, opened once + rewind")
    try:
        import vcr  # noqa: F401
    except ImportError:
        return [Unavailable(name, "vcrpy is not installed (pip install vcrpy)") for name in names]
    replay = VcrReplay(record_vcr_cassette(directory / "flow_vcr.yaml"))
    return [
        Contender(names[0], replay.flow_per_open),
        Contender(names[1], replay.flow_rewound, session=replay.session),
    ]


# -- openai-responses -----------------------------------------------------------------------------


class OpenAIResponsesFlow:
    """The flow against openai-responses' ``OpenAIMock``, the run's status driven by hand."""

    def __init__(self) -> None:
        from openai_responses import OpenAIMock

        self.mock = OpenAIMock()
        self.client = plain_client()

    def drive(self, run_id: str, thread_id: str, retrieve: int) -> None:
        """Before each retrieve: in_progress, then completed with the assistant's reply added."""
        from openai_responses.helpers.builders.messages import build_message

        state = self.mock.state.beta.threads
        run = state.runs.get(run_id)
        assert run is not None
        if retrieve < RETRIEVES - 1:
            run.status = "in_progress"
            return
        run.status = "completed"
        reply = {"type": "text", "text": {"value": "You said: hi", "annotations": []}}
        state.messages.put(
            build_message(
                {"thread_id": thread_id, "role": "assistant", "content": [reply], "status": "completed"}
            )
        )

    def flow(self) -> FlowResult:
        client = self.client
        assistant = client.beta.assistants.create(model="gpt-4o")
        thread = client.beta.threads.create()
        client.beta.threads.messages.create(thread.id, role="user", content="hi")
        run = client.beta.threads.runs.create(thread.id, assistant_id=assistant.id)
        statuses = []
        for retrieve in range(RETRIEVES):
            self.drive(run.id, thread.id, retrieve)
            statuses.append(client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status)
        messages = client.beta.threads.messages.list(thread.id)
        return FlowResult(tuple(statuses), len(messages.data))


def openai_responses_contender() -> Entry:
    name = "openai-responses"
    if openai_major() >= 3:
        return Unavailable(
            name,
            "openai-responses 0.13.1 requires openai<3 and respx<0.23, and mocks httpx routes only "
            "(openai 3.x sends through httpx2)",
        )
    try:
        replay = OpenAIResponsesFlow()
    except ImportError:
        return Unavailable(name, "openai-responses is not installed (pip install openai-responses)")
    # Its store makes new ids every flow, as the reused fakes do: compared with the same floor.
    return Contender(name, replay.flow, session=lambda: replay.mock.router, floor=FLOOR_NEW_IDS)


# -- all of them ----------------------------------------------------------------------------------


def extra_contenders(responses: list[Recorded], flows: int, directory: Path) -> list[Entry]:
    """Every P1 contender beyond the fake's own; ``flows`` is the most flows a batch (or warm-up) runs
    in one opened cassette; recordings go to ``directory``."""
    flow_cassette = record_cassette(directory / "flow.json")
    return [
        cassette_per_flow_contender(directory / "flow.json"),
        cassette_once_contender(flow_cassette, flows, directory),
        respx_contender(responses),
        *vcr_contenders(directory),
        openai_responses_contender(),
    ]
