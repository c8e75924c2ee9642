"""One recorded HTTP interaction: its request, its response and their bodies (stored decoded: JSON
as structure, event streams as a list of events with time offsets, other text as text, anything else
as base64; gzip undone on the way in). :mod:`.format` reads and writes whole cassettes of them,
:mod:`.vcr` converts them to and from vcrpy's format.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import gzip
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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

    def sent_at(self) -> float | None:
        """When the response was sent, from its Date header (whole seconds), if it has one."""
        value = self.response_headers.get("date")
        if not value:
            return None
        try:
            return email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return None

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
    def from_data(cls, data: Mapping[str, Any], where: str = "interaction") -> Interaction:
        """An interaction from its stored form, every field checked (:class:`PlaceError` names it)."""
        data = _mapping(data, where)
        request = _mapping(data.get("request"), f"{where}.request")
        response = _mapping(data.get("response"), f"{where}.response")
        status = response.get("status")
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise PlaceError(f"{where}.response.status", f"must be an HTTP status (100-599), not {status!r}")
        offset = response.get("offset")
        if offset is not None and (
            isinstance(offset, bool) or not isinstance(offset, (int, float)) or not 0 <= offset < 1e9
        ):
            raise PlaceError(f"{where}.response.offset", f"must be seconds >= 0, not {offset!r}")
        return cls(
            method=_text(request.get("method"), f"{where}.request.method"),
            url=_text(request.get("url"), f"{where}.request.url"),
            request_headers=_header_map(request.get("headers", {}), f"{where}.request.headers"),
            request_body=_body(request.get("body", {}), f"{where}.request.body"),
            status=status,
            response_headers=_header_map(response.get("headers", {}), f"{where}.response.headers"),
            response_body=_body(response.get("body", {}), f"{where}.response.body"),
            offset=offset,
        )


class PlaceError(Exception):
    """A stored field with the wrong shape, at a key path."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PlaceError(path, f"must be a mapping, not {kind_of(value)}")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise PlaceError(path, f"must be non-empty text, not {kind_of(value) if value != '' else 'empty'}")
    return value


def kind_of(value: Any) -> str:
    return "missing" if value is None else type(value).__name__


def _header_map(value: Any, path: str) -> dict[str, str]:
    headers = _mapping(value, path)
    for name, item in headers.items():
        if not isinstance(item, str):
            raise PlaceError(f"{path}.{name}", f"a header value must be text, not {kind_of(item)}")
    return dict(headers)


_BODY_TYPES: dict[str, tuple[type, ...]] = {
    "empty": (type(None),),
    "json": (dict, list, str, int, float, bool, type(None)),
    "sse": (list,),
    "text": (str,),
    "base64": (str,),
}


def _body(value: Any, path: str) -> Body:
    data = _mapping(value, path)
    kind = data.get("kind", "empty")
    if kind not in _BODY_TYPES:
        raise PlaceError(f"{path}.kind", f"must be one of {', '.join(_BODY_TYPES)}, not {kind!r}")
    body: Any = data.get("value")
    if not isinstance(body, _BODY_TYPES[kind]):
        raise PlaceError(f"{path}.value", f"a {kind} body cannot be {kind_of(body)}")
    if kind == "base64":
        try:
            base64.b64decode(str(body), validate=True)
        except (ValueError, binascii.Error):
            raise PlaceError(f"{path}.value", "is not base64") from None
    if kind == "sse":
        for index, event in enumerate(list(body)):  # type: ignore[call-overload]
            if not isinstance(event, Mapping):
                raise PlaceError(
                    f"{path}.value[{index}]", f"an event must be a mapping, not {kind_of(event)}"
                )
    return Body(kind, body)
