"""The control API of ``serve``, under ``/__harness/``: health, and per namespace a scenario to
load, a clock to move, the journal of requests (secrets redacted), the objects' status histories,
and a reset. Answers are JSON; a bad request gets a 4xx naming what is wrong and changes nothing.

Who may call it: with a control token, whoever sends it (``Authorization: Bearer T`` or
``X-Harness-Token: T``); without one, loopback callers only (the socket's peer address: no header
such as X-Forwarded-For decides it).
"""

from __future__ import annotations

import gc
import hmac
import ipaddress
import json
from collections.abc import Callable
from typing import Any

import yaml

from .. import __version__
from ..apis.assistants.store import Store
from ..apis.batches.store import BatchStore
from ..apis.fine_tuning.store import FineTuningJobs
from ..apis.responses.store import ResponseStore
from ..engine.clock import RealClock
from ..errors import HarnessError
from ..fake import FakeOpenAI
from ..http.messages import ApiRequest, ApiResponse, json_response
from ..scenario.model import Scenario, load, parse
from ..secrets import scrub_bytes, scrub_headers, scrub_json
from .worlds import Namespaces

PREFIX = "/__harness"


class ControlError(Exception):
    """A control request refused: its HTTP status and the reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host == "localhost"


class Control:
    """Answers ``/__harness/...`` (paths relative to it) for ``namespaces``."""

    def __init__(self, namespaces: Namespaces | None, token: str | None = None) -> None:
        #: None for a recording/replaying proxy: it has no worlds of its own, only ``health``.
        self._namespaces = namespaces
        self._token = token

    @property
    def namespaces(self) -> Namespaces:
        if self._namespaces is None:
            raise ControlError(
                404,
                "this server is a recording/replaying proxy (--cassette): it has no namespaces; "
                "load scenarios through the upstream's control API",
            )
        return self._namespaces

    def __repr__(self) -> str:  # never the token
        worlds = len(self._namespaces) if self._namespaces is not None else "no"
        return f"Control({worlds} namespaces, token={'set' if self._token else 'none'})"

    def __call__(self, request: ApiRequest, client: str | None) -> ApiResponse:
        try:
            self._allow(request, client)
            return json_response(200, self._answer(request))
        except ControlError as error:
            return _error(error.status, str(error))

    def _allow(self, request: ApiRequest, client: str | None) -> None:
        if self._token is None:
            if not is_loopback(client):
                raise ControlError(
                    401, "the control API answers loopback callers only (serve has no --control-token)"
                )
            return
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        given = request.headers.get("x-harness-token") or (
            bearer.strip() if scheme.lower() == "bearer" else ""
        )
        if not hmac.compare_digest(given.encode(), self._token.encode()):
            raise ControlError(
                401,
                "the control API needs the server's token (Authorization: Bearer T or X-Harness-Token: T)",
            )

    def _answer(self, request: ApiRequest) -> Any:
        parts = [p for p in request.path.split("/") if p]
        method = request.method
        if parts == ["health"] and method == "GET":
            # live_objects: what a long-running server holds (it returns to its level once namespaces go).
            return {
                "status": "ok",
                "version": __version__,
                "namespaces": len(self._namespaces) if self._namespaces is not None else 0,
                "live_objects": len(gc.get_objects()),
            }
        if len(parts) >= 2 and parts[0] == "namespaces":
            name, rest = parts[1], parts[2:]
            routes: dict[tuple[str, tuple[str, ...]], Callable[[str, ApiRequest], Any]] = {
                ("DELETE", ()): self._reset,
                ("PUT", ("scenario",)): self._scenario,
                ("POST", ("clock",)): self._clock,
                ("GET", ("requests",)): self._requests,
                ("GET", ("objects",)): self._objects,
            }
            route = routes.get((method, tuple(rest)))
            if route is not None:
                return route(name, request)
        raise ControlError(
            404,
            f"no control endpoint {method} {PREFIX}{request.path}: GET /health; per namespace "
            "PUT .../scenario, POST .../clock, GET .../requests, GET .../objects, DELETE /namespaces/{ns}",
        )

    # -- verbs ------------------------------------------------------------------------------
    def _reset(self, name: str, _: ApiRequest) -> Any:
        return {"namespace": name, "reset": self.namespaces.reset(name)}

    def _scenario(self, name: str, request: ApiRequest) -> Any:
        scenario = _scenario_of(request)
        try:
            fake = self.namespaces.spec.build(scenario)  # built before anything changes
        except HarnessError as error:
            raise ControlError(400, f"scenario refused: {error}") from None
        self.namespaces.replace(name, fake)
        return {"namespace": name, "scenario": scenario.name, "time": fake.clock.time()}

    def _clock(self, name: str, request: ApiRequest) -> Any:
        body = _json_object(request)
        fake = self.namespaces.world(name)
        clock = fake.clock
        if isinstance(clock, RealClock):
            raise ControlError(
                409, "this server runs on a real clock (serve --clock real): it cannot be moved"
            )
        if set(body) == {"advance"} and _seconds(body["advance"]):
            clock.advance(float(body["advance"]))
        elif set(body) == {"to"} and _seconds(body["to"]) and float(body["to"]) >= clock.time():
            clock.advance(float(body["to"]) - clock.time())
        else:
            raise ControlError(
                400,
                'clock body: {"advance": seconds >= 0} or {"to": a virtual Unix time not before '
                f"now ({clock.time():.3f})}}; got {json.dumps(body)[:200]}",
            )
        clock.fire_due()
        return {"namespace": name, "time": clock.time(), "elapsed": clock.elapsed()}

    def _requests(self, name: str, _: ApiRequest) -> Any:
        fake = self.namespaces.world(name)
        return {"namespace": name, "requests": [_journal_entry(r) for r in fake.backend.requests]}

    def _objects(self, name: str, _: ApiRequest) -> Any:
        return {"namespace": name, **objects_of(self.namespaces.world(name))}


def objects_of(fake: FakeOpenAI) -> dict[str, list[dict[str, Any]]]:
    """Runs', responses', batches' and fine-tuning jobs' status histories, oldest first (virtual seconds
    since the namespace began)."""
    store = fake.backend.apis.of(Store)
    responses = fake.backend.apis.of(ResponseStore)
    batches = fake.backend.apis.of(BatchStore)
    jobs = fake.backend.apis.of(FineTuningJobs)
    for run in store.runs.values():
        store.sync(run)
    for response in responses.responses.values():
        responses.sync(response)
    for batch in batches.batches.values():
        batches.sync(batch)
    for job in jobs.jobs.values():
        jobs.sync(job)
    return {
        "runs": [_history(r.id, r.history) for r in store.runs.values()],
        "responses": [_history(r.id, r.history) for r in responses.responses.values()],
        "batches": [_history(b.id, b.history) for b in batches.batches.values()],
        "fine_tuning_jobs": [_history(j.id, j.history) for j in jobs.jobs.values()],
    }


def _history(object_id: str, history: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "id": object_id,
        "status": history[-1][0] if history else None,
        "history": [{"status": status, "at": at} for status, at in history],
    }


def _journal_entry(request: ApiRequest) -> dict[str, Any]:
    body: Any
    try:
        body = scrub_json(json.loads(request.body)) if request.body else None
    except ValueError:  # not JSON (multipart, bytes): as redacted text
        body = scrub_bytes(request.body).decode("utf-8", "replace")
    return {
        "method": request.method,
        "path": request.path,
        "query": dict(request.query),
        "headers": scrub_headers(request.headers),
        "body": body,
    }


def _scenario_of(request: ApiRequest) -> Scenario:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind in ("application/yaml", "application/x-yaml", "text/yaml"):
            return parse(request.body.decode("utf-8"), "<PUT scenario body>")
        body = _json_object(request)
        if set(body) == {"name"} and isinstance(body["name"], str):
            if "/" in body["name"] or body["name"].endswith((".yaml", ".yml")):
                raise ControlError(400, f"name {body['name']!r}: a shipped scenario's name, not a path")
            return load(body["name"])
        if set(body) == {"scenario"} and isinstance(body["scenario"], dict):
            return parse(yaml.safe_dump(body["scenario"]), "<PUT scenario body>.scenario")
    except HarnessError as error:
        raise ControlError(400, f"scenario refused: {error}") from None
    except UnicodeDecodeError:
        raise ControlError(400, "scenario refused: the YAML body is not UTF-8") from None
    raise ControlError(
        400,
        'scenario body: YAML with Content-Type: application/yaml, or JSON {"name": "tool_call"} '
        'or {"scenario": {...}}',
    )


def _json_object(request: ApiRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise ControlError(400, f"{request.method} {PREFIX}{request.path}: the body is not JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, f"{request.method} {PREFIX}{request.path}: the body must be a JSON object")
    return body


def _seconds(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 10**10


def _error(status: int, message: str) -> ApiResponse:
    return json_response(
        status, {"error": {"message": f"assistant-harness: {message}", "type": "harness_error", "code": None}}
    )
