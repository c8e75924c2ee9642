"""Cassettes: recorded HTTP interactions, in a readable versioned format, with vcrpy v1 in and out.

The native format is JSON (fast to load: a 10,000-interaction cassette in a fraction of a second)
written with sorted keys and two-space indents, so a re-recording gives a clean diff. Bodies are
stored decoded: JSON as structure, event streams as a list of events (with time offsets), other
text as text, anything else as base64. Gzip is undone on the way in.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import gzip
import json
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from ..errors import CassetteError

FORMAT = "assistant-harness-cassette"
VERSION = 1

#: Response headers that describe the wire encoding, not the content: dropped since bodies are stored decoded.
WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection"})


@dataclass
class Body:
    """A decoded body: ``kind`` is json, sse, text, base64 or empty."""

    kind: str
    value: Any = None

    @classmethod
    def decode(cls, raw: bytes, content_type: str = "", content_encoding: str = "") -> Body:
        if content_encoding.lower() in ("gzip", "deflate") and raw:
            raw = _decompress(raw, content_encoding.lower())
        if not raw:
            return cls("empty")
        if "text/event-stream" in content_type:
            return cls("sse", parse_sse(raw.decode("utf-8")))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return cls("base64", base64.b64encode(raw).decode("ascii"))
        if "json" in content_type or text[:1] in "{[":
            try:
                return cls("json", json.loads(text))
            except ValueError:
                pass
        return cls("text", text)

    def encode(self) -> bytes:
        return b"".join(self.chunks())

    def chunks(self) -> list[bytes]:
        """The body as the chunks a client receives (one per event for event streams)."""
        if self.kind == "empty":
            return [b""]
        if self.kind == "json":
            return [json.dumps(self.value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")]
        if self.kind == "sse":
            return [render_event(event).encode("utf-8") for event in self.value]
        if self.kind == "base64":
            return [base64.b64decode(self.value)]
        return [str(self.value).encode("utf-8")]

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind} if self.kind == "empty" else {"kind": self.kind, "value": self.value}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Body:
        return cls(str(data.get("kind", "empty")), data.get("value"))


def _decompress(raw: bytes, encoding: str) -> bytes:
    try:
        return gzip.decompress(raw) if encoding == "gzip" else zlib.decompress(raw)
    except (OSError, zlib.error):
        return raw  # already decoded (some recorders store the decoded body with the header kept)


def parse_sse(text: str) -> list[dict[str, Any]]:
    """Server-sent events as ``[{"event": ..., "data": <JSON or text>}, ...]``."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        event: dict[str, Any] = {}
        data_lines = []
        for line in block.split("\n"):
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data_lines.append(value)
            elif name in ("event", "id", "retry"):
                event[name] = value
        data = "\n".join(data_lines)
        try:
            event["data"] = json.loads(data) if data and data[0] in "{[" else data
        except ValueError:
            event["data"] = data
        events.append(event)
    return events


def render_event(event: Mapping[str, Any]) -> str:
    lines = [f"{key}: {event[key]}" for key in ("id", "event", "retry") if key in event]
    data = event.get("data", "")
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    lines += [f"data: {line}" for line in text.split("\n")]
    return "\n".join(lines) + "\n\n"


@dataclass
class Interaction:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Body
    status: int
    response_headers: dict[str, str]
    response_body: Body
    #: Seconds from the start of the recording to the response (absent in vcrpy cassettes).
    offset: float | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return sorted(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))

    def to_data(self) -> dict[str, Any]:
        response: dict[str, Any] = {
            "status": self.status,
            "headers": dict(sorted(self.response_headers.items())),
            "body": self.response_body.to_data(),
        }
        if self.offset is not None:
            response["offset"] = round(self.offset, 3)
        return {
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": dict(sorted(self.request_headers.items())),
                "body": self.request_body.to_data(),
            },
            "response": response,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Interaction:
        request, response = data["request"], data["response"]
        return cls(
            method=request["method"],
            url=request["url"],
            request_headers=dict(request.get("headers", {})),
            request_body=Body.from_data(request.get("body", {})),
            status=int(response["status"]),
            response_headers=dict(response.get("headers", {})),
            response_body=Body.from_data(response.get("body", {})),
            offset=response.get("offset"),
        )


@dataclass
class Cassette:
    interactions: list[Interaction] = field(default_factory=list)
    path: Path | None = None

    # -- reading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """A cassette from a native (.json) or vcrpy v1 (.yaml/.yml) file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CassetteError(f"{path}: no such cassette") from None
        if path.suffix in (".yaml", ".yml"):
            return cls(from_vcr(_load_yaml(text, path), path), path)
        try:
            with _no_gc():
                data = json.loads(text)
        except ValueError as error:
            raise CassetteError(f"{path}: not a JSON cassette ({error})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CassetteError(f'{path}: not an assistant-harness cassette (no "format": "{FORMAT}")')
        if data.get("version") != VERSION:
            raise CassetteError(
                f"{path}: cassette version {data.get('version')} is not supported (this is {VERSION})"
            )
        try:
            with _no_gc():
                return cls([Interaction.from_data(i) for i in data["interactions"]], path)
        except (KeyError, TypeError, ValueError) as error:
            raise CassetteError(f"{path}: malformed interaction ({error!r})") from None

    # -- writing ----------------------------------------------------------------------------
    def to_text(self, path: Path) -> str:
        if path.suffix in (".yaml", ".yml"):
            return yaml.safe_dump(to_vcr(self.interactions), sort_keys=False, allow_unicode=True, width=120)
        data = {
            "format": FORMAT,
            "version": VERSION,
            "interactions": [i.to_data() for i in self.interactions],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically: a crash mid-write leaves the previous file as it was."""
        target = Path(path or self.path or "")
        if not target.name:
            raise CassetteError("a cassette needs a path to be saved to")
        atomic_write(target, self.to_text(target))
        return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Building many small objects at once triggers collections that find nothing: pause them
    (half of a 10,000-interaction load otherwise)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600): give it the old file's mode, or the usual one.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_yaml(text: str, path: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as error:
        raise CassetteError(f"{path}: not valid YAML ({error})") from None


# -- vcrpy v1 ---------------------------------------------------------------------------------


def _first(values: Any) -> str:
    if isinstance(values, list):
        return ", ".join(str(v) for v in values)
    return str(values)


def _headers(raw: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k).lower(): _first(v) for k, v in (raw or {}).items()}


def _vcr_body(raw: Any) -> bytes:
    if isinstance(raw, dict):
        raw = raw.get("string", "")
    if raw is None:
        return b""
    return raw if isinstance(raw, bytes) else str(raw).encode("utf-8")


def from_vcr(data: Any, path: Path | None = None) -> list[Interaction]:
    """Interactions from a vcrpy v1 cassette (gzip ``!!binary`` bodies, mixed-case headers, null reasons)."""
    if not isinstance(data, dict) or "interactions" not in data:
        raise CassetteError(f"{path}: not a vcrpy cassette (no interactions)")
    out = []
    for item in data["interactions"]:
        request, response = item["request"], item["response"]
        request_headers = _headers(request.get("headers"))
        response_headers = _headers(response.get("headers"))
        status = response.get("status") or {}
        out.append(
            Interaction(
                method=str(request["method"]).upper(),
                url=str(request["uri"]),
                request_headers={k: v for k, v in request_headers.items() if k not in WIRE_HEADERS},
                request_body=Body.decode(
                    _vcr_body(request.get("body")), request_headers.get("content-type", "")
                ),
                status=int(status.get("code", 200) if isinstance(status, dict) else status),
                response_headers={k: v for k, v in response_headers.items() if k not in WIRE_HEADERS},
                response_body=Body.decode(
                    _vcr_body(response.get("body")),
                    response_headers.get("content-type", ""),
                    response_headers.get("content-encoding", ""),
                ),
            )
        )
    return out


def to_vcr(interactions: Iterable[Interaction]) -> dict[str, Any]:
    """A vcrpy v1 cassette (bodies as plain strings, so vcrpy replays them without gzip)."""
    out = []
    for interaction in interactions:
        out.append(
            {
                "request": {
                    "body": interaction.request_body.encode().decode("utf-8", errors="replace") or None,
                    "headers": {k: [v] for k, v in sorted(interaction.request_headers.items())},
                    "method": interaction.method,
                    "uri": interaction.url,
                },
                "response": {
                    "body": {"string": interaction.response_body.encode().decode("utf-8", errors="replace")},
                    "headers": {k: [v] for k, v in sorted(interaction.response_headers.items())},
                    "status": {"code": interaction.status, "message": None},
                },
            }
        )
    return {"interactions": out, "version": 1}
