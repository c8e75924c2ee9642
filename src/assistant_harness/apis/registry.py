"""What an API registers with the fake: its endpoints, how its state is built, what clients poll.

Each API folder declares one :class:`Api` (``API`` in its ``endpoints`` module); ``apis/served.py``
lists them in the order their states are built (an API reads the states of those before it). The
backend holds the built states by name in an :class:`ApiStates` and knows no API by name: a
request's handler gets its own API's state, hang detection finds polled objects through
``Api.polled``, and webhooks collect every state that is a :class:`WebhookSource`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from ..engine.announcer import EndListener
from ..engine.clock import VirtualClock
from ..engine.hangs import Polled
from ..http.routing import Endpoint
from .common.ids import IdGenerator

T = TypeVar("T")

#: Finds the polled object a GET names, from the request's path parameters (``None``: no such object).
Finder = Callable[[Any, Mapping[str, str]], "Polled | None"]


@runtime_checkable
class WebhookSource(Protocol):
    """A state whose objects end on the clock and announce it (the webhook events it can send)."""

    webhook_events: frozenset[str]

    def watch(self, listener: EndListener) -> None:
        """Call ``listener`` when each object ends, at the virtual moment it ends."""


class ApiStates(Mapping[str, Any]):
    """Every API's state of one backend, by API name, in the order they were built."""

    def __init__(self) -> None:
        self._states: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        return self._states[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._states)

    def __len__(self) -> int:
        return len(self._states)

    def add(self, name: str, state: object) -> None:
        self._states[name] = state

    def of(self, kind: type[T]) -> T:
        """The one state of type ``kind`` (typed access for code that knows which API it wants)."""
        for state in self._states.values():
            if isinstance(state, kind):
                return state
        raise LookupError(f"no API state of type {kind.__name__} (served: {', '.join(self._states)})")


@dataclass(frozen=True, slots=True)
class Context:
    """What building an API's state can use: the fake's clock and ids, its seed, the options the
    fake was given (each API reads its own keys), and the states built before it."""

    clock: VirtualClock
    ids: IdGenerator
    seed: int
    options: Mapping[str, Any]
    states: ApiStates

    def option(self, key: str, default: T) -> T:
        """The option ``key`` when given and not None, else ``default``."""
        value = self.options.get(key)
        return default if value is None else value


@dataclass(frozen=True)
class Api:
    """One API as the fake serves it."""

    #: The key of its state in the backend's :class:`ApiStates` (and its folder's name).
    name: str
    #: Its endpoints; each handler receives this API's state.
    endpoints: tuple[Endpoint, ...]
    #: Builds its state for one backend.
    build: Callable[[Context], object]
    #: The kinds of objects clients poll (an endpoint's ``returns``) and how to find one.
    polled: Mapping[str, Finder] = field(default_factory=dict)
    #: The error event that ends a broken stream of this API, given the chunks sent before it
    #: (``None``: the API streams nothing).
    stream_error: Callable[[list[bytes]], Callable[[str], bytes]] | None = None

    def __post_init__(self) -> None:
        # Each endpoint learns its API, so the backend hands its handler the right state.
        tagged = tuple(dataclasses.replace(e, api=self.name) for e in self.endpoints)
        object.__setattr__(self, "endpoints", tagged)
