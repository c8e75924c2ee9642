"""``use_cassette``: record real traffic from any upstream, replay it offline, on virtual time.

Record modes are those pytest-recording users know: ``none`` (replay only; the default), ``once``
(record if the cassette does not exist yet, else replay), ``new_episodes`` (replay what matches,
record what does not), ``all`` (alias ``rewrite``: record everything afresh). Recording sends each
request on to the real upstream and passes each chunk of the answer to the client as it arrives.
Replay answers from the cassette with the network blocked: identical requests (polling) replay in
recorded order and then stay on the last answer; poll waits and retry backoff run on a virtual clock.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ContextDecorator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlunsplit

from ..engine.clock import VirtualClock
from ..engine.timepatch import TimePatch
from ..errors import CassetteError, CassetteMismatch, SecretInCassetteError
from ..http import fastlane
from ..http.bodies import complete_response
from ..http.faults import Chunks, stream_class
from ..secrets import safe
from .format import WIRE_HEADERS, Body, Cassette, Interaction
from .live_keys import live_key
from .loaded import load_indexed
from .matching import (
    DEFAULT_MATCH_ON,
    Matcher,
    ReplayIndex,
    RequestKey,
    interaction_key,
    register_matcher,
    resolve,
)
from .network import block_network, network_allowed
from .record_modes import RecordMode
from .redaction import Redactor, redact_all, scan

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["CassetteLane", "register_matcher", "use_cassette"]

# -- the lane ------------------------------------------------------------------------------


def _live_parts(request: Any) -> tuple[str, dict[str, str]]:
    """A live httpcore request's URL as it would be recorded, and its headers (lower-case names,
    without the wire-only ones)."""
    wire = request.url
    url = urlunsplit((wire.scheme.decode(), fastlane.netloc(wire), wire.target.decode(), "", ""))
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers}
    for name in WIRE_HEADERS.intersection(headers):
        del headers[name]
    return url, headers


def _live_interaction(request: Any, body: bytes) -> Interaction:
    """The live request as an (answerless) interaction, the way it would be recorded."""
    url, headers = _live_parts(request)
    return Interaction(
        method=request.method.decode("ascii"),
        url=url,
        request_headers=headers,
        request_body=Body.decode(body, headers.get("content-type", "")),
        status=0,
        response_headers={},
        response_body=Body("empty"),
    )


def _request_key(request: Any, body: bytes, hooks: tuple[Redactor, ...] = ()) -> RequestKey:
    """The live request's key, after the same redaction the recorded ones went through (the default
    one and the user's hooks): a redacted query value, JSON field or header must still match."""
    if hooks:
        return interaction_key(redact_all([_live_interaction(request, body)], hooks)[0])
    # Only what the key reads, the URL and the body, redacted (cached: they repeat).
    url, headers = _live_parts(request)
    return live_key(request.method.decode("ascii"), url, headers, body)


class _Recorder:
    """Collects one streamed response while passing every chunk on to the client."""

    def __init__(self, lane: CassetteLane, interaction: Interaction, stream: Any, encoding: str) -> None:
        self.lane = lane
        self.interaction = interaction
        self.stream = stream
        self.encoding = encoding
        self.chunks: list[bytes] = []
        self.done = False

    def _finish(self) -> None:
        if not self.done:
            self.done = True
            body = Body.decode(
                b"".join(self.chunks),
                self.interaction.response_headers.get("content-type", ""),
                self.encoding,
            )
            self.interaction.response_body = body
            self.lane.recorded(self.interaction)

    def _keep(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.stream:
            self._keep(chunk)
            yield chunk
        self._finish()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.stream:
            self._keep(chunk)
            yield chunk
        self._finish()

    def close(self) -> None:
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()
        self._finish()

    async def aclose(self) -> None:
        aclose = getattr(self.stream, "aclose", None)
        if aclose is not None:
            await aclose()
        self._finish()


class CassetteLane:
    """The fast-lane handler of one active cassette."""

    def __init__(self, cassette: use_cassette, mode: RecordMode, index: ReplayIndex | None) -> None:
        self.cassette = cassette
        self.mode = mode
        self.index = index
        self.new: list[Interaction] = []
        self.lock = threading.Lock()

    def claims(self, scheme: str, host: str, port: int, path: str) -> bool:
        return host not in self.cassette.ignore_hosts

    def answer(self, module: Any, request: Any, spot: tuple[str, str, int, str]) -> Any:
        """The replayed answer at httpx's transport (fastlane.py); None: record it, at httpcore."""
        if self.mode == RecordMode.ALL:
            return None
        found = self._found(fastlane.CoreView(request), request.content)
        if found is None:
            return None
        status, raw, chunks = found
        if len(chunks) == 1:  # one chunk (a body, or a lone event): a read() takes it in one step
            return complete_response(module, status, raw, chunks[0])
        return module.Response(status, headers=raw, stream=stream_class(module)(chunks))

    def _found(self, request: Any, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], list[bytes]] | None:
        """The next recorded answer to an httpcore-shaped ``request``: status, raw headers, chunks."""
        key = _request_key(request, body, self.cassette.redact)
        repeat = self.mode == RecordMode.NONE
        index = self.index
        found = index.next(key, repeat_last=repeat) if index is not None else None
        if found is not None and index is not None:
            raw, chunks = index.answer(found)
            return found.status, list(raw), chunks
        if self.mode == RecordMode.NONE:
            names = [m if isinstance(m, str) else getattr(m, "__name__", "?") for m in self.cassette.match_on]
            raise CassetteMismatch(
                safe(
                    f"{self.cassette.path}: no recorded interaction matches {key.method} {key.url} "
                    f"(matching on {', '.join(names)}). "
                    f"Closest recorded requests:\n{self.index.explain(key) if self.index else '  (none)'}\n"
                    "Re-record with record_mode='new_episodes' (or 'all'), or change match_on."
                )
            )
        return None

    def _prepare(self, request: Any) -> Any:
        """Ask the upstream only for encodings a cassette can store decoded (not brotli or zstd)."""
        request.headers = [
            (k, b"gzip, deflate" if k.lower() == b"accept-encoding" else v) for k, v in request.headers
        ]
        return request

    def _start_recording(self, request: Any, body: bytes, response: Any) -> Any:
        interaction = _live_interaction(request, _same_boundary(request, body))
        interaction.status = response.status
        response_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers}
        interaction.response_headers = {k: v for k, v in response_headers.items() if k not in WIRE_HEADERS}
        recorder = _Recorder(self, interaction, response.stream, response_headers.get("content-encoding", ""))
        response.stream = recorder
        return response

    def recorded(self, interaction: Interaction) -> None:
        # Not added to the replay index: in new_episodes the next identical request (a poll)
        # must reach the upstream again, not get this answer back for ever.
        with self.lock:
            self.new.append(interaction)

    def _replay(self, core: Any, request: Any, body: bytes) -> Any:
        """The replayed answer as ``core``'s (httpcore or httpcore2) response; None: record it."""
        found = self._found(request, body) if self.mode != RecordMode.ALL else None
        return None if found is None else core.Response(found[0], headers=found[1], content=Chunks(found[2]))

    def handle(self, core: Any, request: Any, body: bytes, send: fastlane.Send) -> Any:
        replayed = self._replay(core, request, body)
        if replayed is not None:
            return replayed
        return self._start_recording(request, body, send(self._prepare(request)))

    async def handle_async(self, core: Any, request: Any, body: bytes, send: fastlane.AsyncSend) -> Any:
        replayed = self._replay(core, request, body)
        if replayed is not None:
            return replayed
        return self._start_recording(request, body, await send(self._prepare(request)))


def _same_boundary(request: Any, body: bytes) -> bytes:
    """A multipart body and its content-type with the SDK's random boundary replaced by one derived
    from the content, so that recording the same upload twice writes the same bytes."""
    for index, (name, value) in enumerate(request.headers):
        if name.lower() == b"content-type" and value.lower().startswith(b"multipart/"):
            found = re.search(rb'boundary="?([^";]+)"?', value)
            if found is None:
                return body
            old = found.group(1)
            digest = hashlib.sha256(body.replace(old, b"")).hexdigest()[:24]
            new = b"assistant-harness-" + digest.encode("ascii")
            headers = list(request.headers)
            headers[index] = (name, value.replace(old, new))
            request.headers = headers
            return body.replace(b"--" + old, b"--" + new)
    return body


# -- the public context manager --------------------------------------------------------------


@dataclass
class use_cassette(ContextDecorator):
    """Record to / replay from the cassette at ``path`` (``.json`` native, ``.yaml`` vcrpy v1).

    ``match_on`` picks what must be equal for a recorded answer to be replayed: built-in matchers
    by name (method, host, path, query, body), names given to :func:`register_matcher`, or functions
    ``(recorded, live) -> None | reason`` (see :mod:`.matching`). ``redact`` adds hooks
    (``Interaction -> Interaction``) after the default redaction; they run on recordings before they
    are written and on live requests before they are matched, so a redacted recording replays.
    ``ignore_hosts`` are left alone (not recorded, not blocked). Replay blocks every other socket
    connection, except to ``allowed_hosts``. ``virtual_time`` makes waits instant while replaying.
    """

    path: str | Path
    record_mode: str | RecordMode = RecordMode.NONE
    match_on: tuple[str | Matcher, ...] = DEFAULT_MATCH_ON
    redact: tuple[Redactor, ...] = ()
    ignore_hosts: tuple[str, ...] = ()
    virtual_time: bool = True
    allowed_hosts: tuple[str, ...] = ()
    _lane: CassetteLane | None = field(default=None, init=False, repr=False)
    _time: TimePatch | None = field(default=None, init=False, repr=False)
    _existing: Cassette | None = field(default=None, init=False, repr=False)
    _network: contextlib.ExitStack | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.record_mode = RecordMode.parse(self.record_mode)
        self.match_on = tuple(self.match_on)
        resolve(self.match_on)  # unknown names fail here, not at the first request
        self.redact = tuple(self.redact)
        self.ignore_hosts = tuple(self.ignore_hosts)
        self.allowed_hosts = tuple(self.allowed_hosts)

    @property
    def recorded(self) -> list[Interaction]:
        """What this use of the cassette recorded (before redaction)."""
        return list(self._lane.new) if self._lane is not None else []

    def _effective_mode(self) -> RecordMode:
        exists = Path(self.path).exists()
        mode = RecordMode.parse(self.record_mode)
        if mode == RecordMode.ONCE:
            return RecordMode.NONE if exists else RecordMode.ALL
        if mode == RecordMode.NEW_EPISODES and not exists:
            return RecordMode.ALL
        if mode == RecordMode.NONE and not exists:
            raise CassetteError(
                f"{self.path}: no such cassette, and record_mode is 'none' (replay only). "
                "Record it first with record_mode='once'."
            )
        return mode

    def __enter__(self) -> use_cassette:
        mode = self._effective_mode()
        index = None
        if mode != RecordMode.ALL:
            self._existing, index = load_indexed(self.path, self.match_on)
        else:
            _load_dotenv()
        self._lane = CassetteLane(self, mode, index)
        fastlane.open_lane(self._lane)
        self._network = contextlib.ExitStack()
        try:
            if mode == RecordMode.NONE:  # replay: nothing but the allowed hosts is reachable
                self._network.enter_context(block_network((*self.ignore_hosts, *self.allowed_hosts)))
            else:  # a recording reaches its upstream, even under --block-network
                self._network.enter_context(network_allowed())
            if mode == RecordMode.NONE and self.virtual_time:
                self._time = TimePatch(VirtualClock())
                self._time.start()
        except BaseException:
            fastlane.close_lane(self._lane)
            self._network.close()
            self._lane = self._time = self._network = None
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        lane = self._lane
        if self._time is not None:
            self._time.stop()
            self._time = None
        if self._network is not None:
            self._network.close()
            self._network = None
        if lane is None:
            return
        fastlane.close_lane(lane)
        self._lane = None
        if exc_type is not None and not issubclass(exc_type, CassetteMismatch):
            return  # a recording cut short by an error would replay as a stub: keep the old cassette
        if lane.new:
            kept = self._existing.interactions if (self._existing and lane.mode != RecordMode.ALL) else []
            self.write([*kept, *lane.new])

    def write(self, interactions: list[Interaction]) -> Path:
        """Redact, scan, and write atomically; refuse (and keep the old file) if anything key-like is left."""
        redacted = redact_all(interactions, self.redact)
        findings = scan(redacted)
        if findings:
            listed = "\n".join(f"  {finding}" for finding in findings[:10])
            raise SecretInCassetteError(
                f"{self.path}: refusing to write a cassette that still holds secrets or identifying data "
                f"({len(findings)} found):\n{listed}\n"
                "A redact= hook put them back: fix the hook; nothing was written."
            )
        return Cassette(redacted, Path(self.path)).save()

    def __call__(self, func: F) -> F:
        import inspect

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self._recreate():
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._recreate():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _recreate(self) -> use_cassette:
        return use_cassette(
            self.path,
            self.record_mode,
            self.match_on,
            self.redact,
            self.ignore_hosts,
            self.virtual_time,
            self.allowed_hosts,
        )


def _load_dotenv() -> None:
    """When recording, read OPENAI_API_KEY and friends from a .env file, as the tutorials do."""
    from dotenv import find_dotenv, load_dotenv

    load_dotenv(find_dotenv(usecwd=True), override=False)
