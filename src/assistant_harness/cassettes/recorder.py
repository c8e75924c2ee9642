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
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import ContextDecorator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from ..engine.clock import VirtualClock
from ..engine.timepatch import TimePatch
from ..errors import CassetteError, CassetteMismatch, ConfigurationError, SecretInCassetteError
from ..http import fastlane, multipart
from ..http.faults import Chunks
from .format import WIRE_HEADERS, Body, Cassette, Interaction
from .record_modes import RecordMode
from .redaction import Redactor, redact_all, scan

F = TypeVar("F", bound=Callable[..., Any])

MATCHERS = ("method", "host", "path", "query", "body")
DEFAULT_MATCH_ON = ("method", "path", "query", "body")
_REAL_PERF_COUNTER = time.perf_counter


# -- matching ------------------------------------------------------------------------------


def canonical_body(body: bytes, content_type: str) -> str:
    """A body as compared on replay: JSON with sorted keys (explicit nulls and ``"stream": false``
    dropped, as the API reads them as absent), multipart by its fields, else the text."""
    if not body:
        return ""
    if content_type.startswith("multipart/form-data"):
        parts = multipart.parse(content_type, body)
        return json.dumps(
            sorted((p.name, p.filename or "", p.content.decode("latin-1")) for p in parts.values())
        )
    try:
        value = json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        # Explicit defaults match their absence: older SDKs sent "stream": false and nulls.
        value = {k: v for k, v in value.items() if v is not None and not (k == "stream" and v is False)}
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class RequestKey:
    method: str
    host: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: str

    def select(self, match_on: tuple[str, ...]) -> tuple[Any, ...]:
        return tuple(getattr(self, part) for part in match_on)


def interaction_key(interaction: Interaction) -> RequestKey:
    from urllib.parse import urlsplit

    return RequestKey(
        interaction.method,
        urlsplit(interaction.url).hostname or "",
        interaction.path,
        tuple(interaction.query),
        canonical_body(
            interaction.request_body.encode(), interaction.request_headers.get("content-type", "")
        ),
    )


class ReplayIndex:
    """Recorded interactions by request key: O(1) per request, whatever the cassette's size."""

    def __init__(self, interactions: Iterable[Interaction], match_on: tuple[str, ...]) -> None:
        self.match_on = match_on
        self.entries: list[tuple[RequestKey, Interaction]] = []
        self._by_key: dict[tuple[Any, ...], list[Interaction]] = {}
        self._used: dict[tuple[Any, ...], int] = {}
        for interaction in interactions:
            self.add(interaction)

    def add(self, interaction: Interaction) -> None:
        key = interaction_key(interaction)
        self.entries.append((key, interaction))
        self._by_key.setdefault(key.select(self.match_on), []).append(interaction)

    def next(self, key: RequestKey, *, repeat_last: bool = True) -> Interaction | None:
        """The next recorded answer to ``key``; once they are used up, the last one again (or
        ``None`` with ``repeat_last=False``, so that new_episodes asks the upstream)."""
        selected = key.select(self.match_on)
        answers = self._by_key.get(selected)
        if not answers:
            return None
        used = self._used.get(selected, 0)
        if used >= len(answers) and not repeat_last:
            return None
        self._used[selected] = used + 1
        return answers[min(used, len(answers) - 1)]

    def explain(self, key: RequestKey, limit: int = 3) -> str:
        """The closest recorded requests, and which matchers each one failed."""
        scored = []
        for index, (recorded, interaction) in enumerate(self.entries):
            failed = [part for part in self.match_on if getattr(recorded, part) != getattr(key, part)]
            scored.append((len(failed), "path" in failed, index, failed, recorded, interaction))
        scored.sort(key=lambda item: (item[0], item[1], item[2]))
        lines = []
        for _, _, index, failed, recorded, interaction in scored[:limit]:
            reasons = "; ".join(
                _difference(part, getattr(recorded, part), getattr(key, part)) for part in failed
            )
            lines.append(f"  #{index} {interaction.method} {interaction.url}: {reasons}")
        return "\n".join(lines) if lines else "  (the cassette is empty)"


def _difference(part: str, recorded: Any, got: Any) -> str:
    def short(value: Any) -> str:
        text = value if isinstance(value, str) else repr(value)
        return text if len(text) <= 120 else text[:117] + "..."

    return f"{part} differs (recorded {short(recorded)}, got {short(got)})"


# -- the lane ------------------------------------------------------------------------------


def _request_key(request: Any, body: bytes) -> RequestKey:
    """The live request's key, after the same default redaction the recorded ones went through
    (a redacted query value or JSON field must still match)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    from .redaction import redact_url, scrub_value

    target = request.url.target.decode("ascii")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers}
    content_type = headers.get("content-type", "")
    parts = urlsplit(redact_url("http://h" + target))
    if "json" in content_type and body:
        with contextlib.suppress(ValueError):  # not JSON after all: compared as sent
            body = json.dumps(scrub_value(json.loads(body))).encode()
    return RequestKey(
        request.method.decode("ascii"),
        request.url.host.decode("ascii"),
        unquote(parts.path),
        tuple(sorted(parse_qsl(parts.query, keep_blank_values=True))),
        canonical_body(body, content_type),
    )


class _Recorder:
    """Collects one streamed response while passing every chunk on to the client."""

    def __init__(self, lane: CassetteLane, interaction: Interaction, stream: Any, encoding: str) -> None:
        self.lane = lane
        self.interaction = interaction
        self.stream = stream
        self.encoding = encoding
        self.chunks: list[bytes] = []
        self.arrived: list[float] = []
        self.done = False

    def _finish(self) -> None:
        if not self.done:
            self.done = True
            body = Body.decode(
                b"".join(self.chunks),
                self.interaction.response_headers.get("content-type", ""),
                self.encoding,
            )
            if body.kind == "sse" and not self.encoding:
                _stamp_events(body.value, self.chunks, self.arrived)
            self.interaction.response_body = body
            self.lane.recorded(self.interaction)

    def _keep(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.arrived.append(round(_REAL_PERF_COUNTER() - self.lane.started, 3))

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


def _stamp_events(events: list[dict[str, Any]], chunks: list[bytes], arrived: list[float]) -> None:
    """Give each recorded event the time (seconds into the recording) its last byte arrived."""
    import bisect

    ends, total = [], 0
    for chunk in chunks:
        total += len(chunk)
        ends.append(total)
    text = b"".join(chunks)
    position = 0
    for event in events:
        boundary = text.find(b"\n\n", position)
        position = len(text) if boundary < 0 else boundary + 2
        index = min(bisect.bisect_left(ends, position), len(arrived) - 1)
        event["offset"] = arrived[index]


class CassetteLane:
    """The fast-lane handler of one active cassette."""

    def __init__(self, cassette: use_cassette, mode: RecordMode, index: ReplayIndex | None) -> None:
        self.cassette = cassette
        self.mode = mode
        self.index = index
        self.started = _REAL_PERF_COUNTER()
        self.new: list[Interaction] = []
        self.lock = threading.Lock()

    def claims(self, scheme: str, host: str, port: int, path: str) -> bool:
        return host not in self.cassette.ignore_hosts

    def _replay(self, core: Any, request: Any, body: bytes) -> Any:
        key = _request_key(request, body)
        repeat = self.mode == RecordMode.NONE
        found = self.index.next(key, repeat_last=repeat) if self.index is not None else None
        if found is not None:
            headers = {k: v for k, v in found.response_headers.items() if k not in WIRE_HEADERS}
            chunks = found.response_body.chunks()
            raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            return core.Response(found.status, headers=raw, content=Chunks(chunks))
        if self.mode == RecordMode.NONE:
            from .redaction import redact_url

            url = redact_url(f"{request.url.scheme.decode()}://{key.host}{request.url.target.decode()}")
            raise CassetteMismatch(
                f"{self.cassette.path}: no recorded interaction matches {key.method} {url} "
                f"(matching on {', '.join(self.cassette.match_on)}). "
                f"Closest recorded requests:\n{self.index.explain(key) if self.index else '  (none)'}\n"
                "Re-record with record_mode='new_episodes' (or 'all'), or change match_on."
            )
        return None

    def _prepare(self, request: Any) -> Any:
        """Ask the upstream only for encodings a cassette can store decoded (not brotli or zstd)."""
        request.headers = [
            (k, b"gzip, deflate" if k.lower() == b"accept-encoding" else v) for k, v in request.headers
        ]
        return request

    def _start_recording(self, request: Any, body: bytes, response: Any) -> Any:
        from urllib.parse import urlunsplit

        request_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers}
        response_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers}
        url = urlunsplit((request.url.scheme.decode(), _netloc(request), request.url.target.decode(), "", ""))
        interaction = Interaction(
            method=request.method.decode("ascii"),
            url=url,
            request_headers={k: v for k, v in request_headers.items() if k not in WIRE_HEADERS},
            request_body=Body.decode(body, request_headers.get("content-type", "")),
            status=response.status,
            response_headers={k: v for k, v in response_headers.items() if k not in WIRE_HEADERS},
            response_body=Body("empty"),
            offset=_REAL_PERF_COUNTER() - self.started,
        )
        recorder = _Recorder(self, interaction, response.stream, response_headers.get("content-encoding", ""))
        response.stream = recorder
        return response

    def recorded(self, interaction: Interaction) -> None:
        # Not added to the replay index: in new_episodes the next identical request (a poll)
        # must reach the upstream again, not get this answer back for ever.
        with self.lock:
            self.new.append(interaction)

    def handle(self, core: Any, request: Any, body: bytes, send: fastlane.Send) -> Any:
        if self.mode != RecordMode.ALL:
            replayed = self._replay(core, request, body)
            if replayed is not None:
                return replayed
        return self._start_recording(request, body, send(self._prepare(request)))

    async def handle_async(self, core: Any, request: Any, body: bytes, send: fastlane.AsyncSend) -> Any:
        if self.mode != RecordMode.ALL:
            replayed = self._replay(core, request, body)
            if replayed is not None:
                return replayed
        return self._start_recording(request, body, await send(self._prepare(request)))


def _netloc(request: Any) -> str:
    host = request.url.host.decode("ascii")
    port = request.url.port
    scheme = request.url.scheme.decode("ascii")
    default = 443 if scheme == "https" else 80
    return host if port in (None, default) else f"{host}:{port}"


# -- the public context manager --------------------------------------------------------------


@dataclass
class use_cassette(ContextDecorator):
    """Record to / replay from the cassette at ``path`` (``.json`` native, ``.yaml`` vcrpy v1).

    ``match_on`` picks what must be equal for a recorded answer to be replayed (from method, host,
    path, query, body). ``redact`` adds hooks (``Interaction -> Interaction``) after the default
    redaction. ``ignore_hosts`` are left alone (not recorded, not blocked). ``virtual_time`` makes
    waits instant while replaying.
    """

    path: str | Path
    record_mode: str | RecordMode = RecordMode.NONE
    match_on: tuple[str, ...] = DEFAULT_MATCH_ON
    redact: tuple[Redactor, ...] = ()
    ignore_hosts: tuple[str, ...] = ()
    virtual_time: bool = True
    _lane: CassetteLane | None = field(default=None, init=False, repr=False)
    _time: TimePatch | None = field(default=None, init=False, repr=False)
    _existing: Cassette | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.record_mode = RecordMode.parse(self.record_mode)
        self.match_on = tuple(self.match_on)
        unknown = [m for m in self.match_on if m not in MATCHERS]
        if unknown:
            raise ConfigurationError(f"unknown matcher(s) {unknown}; choose from {', '.join(MATCHERS)}")
        self.redact = tuple(self.redact)
        self.ignore_hosts = tuple(self.ignore_hosts)

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
            self._existing = Cassette.load(self.path)
            index = ReplayIndex(self._existing.interactions, self.match_on)
        else:
            _load_dotenv()
        self._lane = CassetteLane(self, mode, index)
        fastlane.open_lane(self._lane)
        if mode == RecordMode.NONE and self.virtual_time:
            self._time = TimePatch(VirtualClock())
            try:
                self._time.start()
            except BaseException:
                fastlane.close_lane(self._lane)
                self._lane = self._time = None
                raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        lane = self._lane
        if self._time is not None:
            self._time.stop()
            self._time = None
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
                f"{self.path}: refusing to write a cassette that still holds secrets or identifying data:\n"
                f"{listed}\nAdd a redact= hook that removes them; nothing was written."
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
            self.path, self.record_mode, self.match_on, self.redact, self.ignore_hosts, self.virtual_time
        )


def _load_dotenv() -> None:
    """When recording, read OPENAI_API_KEY and friends from a .env file, as the tutorials do."""
    from dotenv import find_dotenv, load_dotenv

    load_dotenv(find_dotenv(usecwd=True), override=False)
