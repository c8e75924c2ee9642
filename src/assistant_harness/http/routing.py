"""Routing: endpoints with named path parameters, an index over them, and the call into a handler.

Generic over APIs: each API module declares its own ``ENDPOINTS`` tuple of :class:`Endpoint` and
the fake builds one :class:`EndpointIndex` over all of them. A handler is a plain function taking
the API's state and the request, then the path parameters as keyword arguments named as in the
path (and ``body``, the parsed JSON body, if it asks for it)::

    def retrieve_run(store: Store, request: ApiRequest, *, thread_id: str, run_id: str) -> Obj: ...
    Endpoint("runs.retrieve", "GET", "/threads/{thread_id}/runs/{run_id}", retrieve_run, returns="run")

The parameter names are checked against the path when the endpoint is declared, so a handler
cannot silently read the wrong segment; mypy checks the handler's body.

Every request is a hot path: the index finds an endpoint with one dict lookup on (method, number of
segments) and, per candidate, one C-level ``itemgetter`` comparison of the literal segments.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .messages import ApiRequest

#: A handler: ``(state, request, *, <path parameters>, [body]) -> object to answer``.
Handler = Callable[..., object]


class UnservedEndpoint(LookupError):
    """No endpoint of the fake matches ``method path``."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One served operation: method, path template, handler and what the answer is."""

    #: The name fault rules and messages use, after the SDK's resource path (``runs.retrieve``).
    name: str
    method: str
    #: The path relative to the API base, parameters in braces: ``/threads/{thread_id}/runs``.
    path: str
    handler: Handler
    #: The answer is a paginated list (hang detection watches its cursor).
    lists: bool = False
    #: The kind of object answered (``"run"``, ``"response"``...), when callers care.
    returns: str | None = None
    #: The request schema the JSON body is validated against before the handler runs.
    schema: str | None = None
    #: Assistants and threads need ``OpenAI-Beta: assistants=v2``; files and vector stores do not.
    beta: bool = True
    #: The handler reads the raw body itself (multipart uploads); otherwise a POST body is JSON.
    raw_body: bool = False
    #: The API it belongs to (set when the API registers it; its handler gets that API's state).
    api: str = ""
    #: The path parameters' names, in order (derived from ``path``).
    params: tuple[str, ...] = field(init=False)
    #: Whether the handler takes ``body=`` (derived from its signature).
    takes_body: bool = field(init=False)

    def __post_init__(self) -> None:
        params = tuple(s[1:-1] for s in self.segments if s.startswith("{"))
        for segment in self.segments:
            if segment.startswith("{") != segment.endswith("}") or segment in ("", "{}"):
                raise ValueError(f"endpoint {self.name}: bad path segment {segment!r} in {self.path!r}")
        if len(set(params)) != len(params):
            raise ValueError(f"endpoint {self.name}: a path parameter repeats in {self.path!r}")
        keywords = {
            p.name
            for p in inspect.signature(self.handler).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        takes_body = "body" in keywords
        if keywords - {"body"} != set(params):
            raise TypeError(
                f"endpoint {self.name}: handler {getattr(self.handler, '__name__', self.handler)!r} "
                f"takes keyword arguments {sorted(keywords - {'body'})}, but the path {self.path!r} "
                f"has parameters {sorted(params)}: name them the same"
            )
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "takes_body", takes_body)

    @property
    def segments(self) -> list[str]:
        return self.path.strip("/").split("/")

    def call(self, state: Any, request: ApiRequest, params: Mapping[str, str], body: Any = None) -> object:
        """Run the handler with the path parameters (and the body, if it takes one)."""
        if self.takes_body:
            return self.handler(state, request, body=body, **params)
        return self.handler(state, request, **params)


# (literal picker, expected literals, parameter picker, parameter names, endpoint)
_Entry = tuple[
    Callable[[list[str]], Any], Any, "Callable[[list[str]], Any] | None", tuple[str, ...], Endpoint
]


class EndpointIndex:
    """Endpoints indexed by (method, number of segments); literal segments are compared per candidate."""

    def __init__(self, endpoints: Iterable[Endpoint]) -> None:
        self.endpoints: tuple[Endpoint, ...] = tuple(endpoints)
        self.by_name: dict[str, Endpoint] = {}
        self._index: dict[tuple[str, int], list[_Entry]] = {}
        routes: dict[tuple[str, tuple[str, ...]], str] = {}
        for endpoint in self.endpoints:
            if endpoint.name in self.by_name:
                raise ValueError(f"two endpoints are named {endpoint.name!r}")
            self.by_name[endpoint.name] = endpoint
            segments = endpoint.segments
            shape = tuple("{}" if s.startswith("{") else s for s in segments)
            clash = routes.setdefault((endpoint.method, shape), endpoint.name)
            if clash != endpoint.name:
                raise ValueError(
                    f"endpoints {clash} and {endpoint.name} both serve {endpoint.method} {shape}"
                )
            literals = [i for i, s in enumerate(segments) if not s.startswith("{")]
            places = [i for i, s in enumerate(segments) if s.startswith("{")]
            # itemgetter picks the literal segments (one value, or a tuple of several) in one C call.
            pick = operator.itemgetter(*literals)
            take = operator.itemgetter(*places) if places else None
            key = (endpoint.method, len(segments))
            self._index.setdefault(key, []).append((pick, pick(segments), take, endpoint.params, endpoint))
        for entries in self._index.values():
            # Literal-heavy templates first, so /threads/runs wins over /threads/{thread_id}.
            entries.sort(key=lambda entry: len(entry[3]))
        #: The first path segment of every endpoint (what interception claims for the fake).
        self.roots = frozenset(e.segments[0] for e in self.endpoints)

    def __iter__(self) -> Iterator[Endpoint]:
        return iter(self.endpoints)

    def find(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]]:
        """The endpoint serving ``method path`` and its path parameters by name."""
        segments = path.strip("/").split("/")
        for pick, expected, take, names, endpoint in self._index.get((method, len(segments)), ()):
            if pick(segments) == expected:
                if take is None:
                    return endpoint, {}
                found = take(segments)
                # Dict displays: several times cheaper than dict(zip(...)) on this hot path.
                if len(names) == 1:
                    return endpoint, {names[0]: found}
                if len(names) == 2:
                    return endpoint, {names[0]: found[0], names[1]: found[1]}
                return endpoint, {name: found[i] for i, name in enumerate(names)}
        raise UnservedEndpoint(f"{method} {path}")
