"""Issue 13, section 3: a property-based fuzz of every operation the spec has under the served
roots finds no 5xx, through `serve`'s ASGI app and through the in-process MockTransport adapter.

CI runs a bounded fuzz (ASSISTANT_HARNESS_FUZZ_REQUESTS, default 400 requests: seconds). The full
run the issue asks for: ``ASSISTANT_HARNESS_FUZZ_REQUESTS=20000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assistant_harness import FakeAssistants, Step, Timeline
from assistant_harness.http.answers import mock_transport
from assistant_harness.http.asgi import ServeApp

from . import asgi_client
from .fuzz import OPERATIONS, Pools, Request, requests

#: Slow (a fuzzed corpus through every transport): run by `pytest -m slow` and CI.
pytestmark = pytest.mark.slow

REQUESTS = int(os.environ.get("ASSISTANT_HARNESS_FUZZ_REQUESTS", "400"))
BATCH = 20
TOOL_THEN_DONE = Timeline(
    [
        Step("queued", 1),
        Step("in_progress", 1),
        Step("requires_action", payload={"tool_calls": [{"name": "f", "arguments": "{}"}]}),
        Step("in_progress", 1),
        Step("completed", payload={"reply": "done"}),
    ]
)


def _strict_json(content: bytes) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(content, parse_constant=refuse)


def test_the_vendored_operations_are_what_the_spec_gives() -> None:
    import importlib.util
    from pathlib import Path

    from . import spec as spec_helpers

    source = spec_helpers.require_shared(spec_helpers.SHARED_SPEC)
    root = Path(__file__).resolve().parents[1]
    loader = importlib.util.spec_from_file_location("vendor_schemas", root / "tools" / "vendor_schemas.py")
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    vendored = (root / "tests" / "data" / "operations.json").read_text(encoding="utf-8")
    assert vendored == module.render_operations(source), "run: python tools/vendor_schemas.py"


def test_the_spec_operations_are_the_served_ones() -> None:
    from assistant_harness.apis.served import INDEX

    served = {(e.method, e.path.replace("{", "").replace("}", "")) for e in INDEX}
    spec = {(o["method"], _plain(o["path"])) for o in OPERATIONS}
    assert len(OPERATIONS) == 72 and {(m, _plain(p)) for m, p in served} == spec


def _plain(path: str) -> str:
    return "/".join(
        "{}" if part.startswith("{") or part.endswith("_id") else part for part in path.split("/")
    )


def test_no_request_gets_a_5xx() -> None:
    # Hang detection off, as under `serve` by default: the fuzz lists the same pages again and again.
    fake = FakeAssistants(timeline=TOOL_THEN_DONE, hang_limits=None)
    app = ServeApp(fake.backend)
    http = httpx.Client(transport=mock_transport(fake.backend.handle, fake.base_url, httpx))
    pools = Pools()
    failures: list[str] = []
    sent = {"serve": 0, "in-process": 0}
    statuses: dict[int, int] = {}

    def send(request: Request, adapter: str) -> tuple[int, bytes, str]:
        if adapter == "serve":
            status, headers, content = asgi_client.exchange(
                app, request.method, "/v1" + request.target, request.headers, request.body
            )
            return status, content, headers.get("content-type", "")
        response = http.request(
            request.method, fake.base_url.url + request.target, headers=request.headers, content=request.body
        )
        return response.status_code, response.content, response.headers.get("content-type", "")

    @settings(
        max_examples=max(REQUESTS // BATCH, 1),
        deadline=None,
        database=None,
        phases=(Phase.generate,),  # the fake's state carries over: a shrunk replay would not mean much
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def batch(data: st.DataObject) -> None:
        for _ in range(BATCH):
            request = data.draw(requests(pools))
            adapter = data.draw(st.sampled_from(["serve", "in-process"]))
            sent[adapter] += 1
            try:
                status, content, content_type = send(request, adapter)
            except Exception as error:  # an in-process adapter raising is a crash too
                failures.append(f"{adapter}: {request} raised {type(error).__name__}: {error}")
                continue
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 500:
                failures.append(f"{adapter}: {request} -> {status} {content[:300]!r}")
            elif content_type == "application/json":
                try:
                    payload = _strict_json(content)
                except ValueError as error:
                    failures.append(f"{adapter}: {request} -> not JSON ({error}): {content[:300]!r}")
                    continue
                if status == 200:
                    pools.add(payload)
        fake.advance(data.draw(st.integers(0, 4)))

    batch()
    total = sum(sent.values())
    objects = {kind: len(pool) for kind, pool in pools.objects.items()}
    print(f"fuzz: {total} requests {sent}, statuses {dict(sorted(statuses.items()))}, objects {objects}")
    assert failures == [], f"{len(failures)} of {total} requests failed:\n" + "\n".join(failures[:40])
    assert total >= REQUESTS and min(sent.values()) > 0
