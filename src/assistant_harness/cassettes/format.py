"""Cassettes: recorded HTTP interactions, in a readable versioned format, with vcrpy v1 in and out.

The native format is JSON (fast to load: a 10,000-interaction cassette in a fraction of a second)
written with sorted keys and two-space indents, so a re-recording gives a clean diff. Bodies are
stored decoded: JSON as structure, event streams as a list of events (with time offsets), other
text as text, anything else as base64. Gzip is undone on the way in.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gc
import gzip
import json
import os
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from ..errors import CassetteError
from ..secrets import safe
from ..textfiles import TextFileError, decode, load_yaml, one_line, too_deep

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


@dataclass
class Cassette:
    interactions: list[Interaction] = field(default_factory=list)
    path: Path | None = None

    # -- reading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """A cassette from a native (.json) or vcrpy v1 (.yaml/.yml) file. Anything malformed is a
        one-line :class:`CassetteError` naming the file and the place (line:column or key path)."""
        from .vcr import from_vcr

        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise CassetteError(f"{path}: no such cassette") from None
        except IsADirectoryError:
            raise CassetteError(f"{path}: is a folder, not a cassette file") from None
        try:
            text = decode(raw)
            if not text.strip():
                raise TextFileError(
                    "the file is empty; record it again (record_mode='once') or delete it", 1, 1
                )
            if path.suffix in (".yaml", ".yml"):
                data = load_yaml(text)
                if data is None:
                    raise TextFileError("the file holds no data (only comments); record it again", 1, 1)
                return cls(from_vcr(data), path)
            return cls(_from_json(text), path)
        except TextFileError as error:
            raise CassetteError(safe(error.render(str(path)))) from None
        except PlaceError as error:
            problem = safe(one_line(str(error)))  # the message quotes the bad value: never a key
            raise CassetteError(f"{path}: {problem}; fix the file or record it again") from None

    # -- writing ----------------------------------------------------------------------------
    def to_text(self, path: Path) -> str:
        if path.suffix in (".yaml", ".yml"):
            from .vcr import to_vcr

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
    """Write through a temporary file in the same folder, renamed over ``path`` when complete.
    Temporary files left by a writer that was killed are removed by the next write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
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


def _from_json(text: str) -> list[Interaction]:
    try:
        with _no_gc():
            data = json.loads(text)
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError):
            raise TextFileError(f"not valid JSON: {error.msg}", error.lineno, error.colno) from None
        raise TextFileError(f"not valid JSON: {one_line(str(error))}") from None
    except RecursionError:
        line, column = too_deep(text) or (None, None)
        raise TextFileError("nested too deeply to be a cassette", line, column) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlaceError(
            "format",
            f'not an assistant-harness cassette (no "format": "{FORMAT}"); vcrpy cassettes end in .yaml',
        )
    if data.get("version") != VERSION:
        raise PlaceError(
            "version",
            f"cassette version {one_line(repr(data.get('version')), 40)} is not supported "
            f"(this is {VERSION})",
        )
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        raise PlaceError("interactions", f"must be a list, not {kind_of(interactions)}")
    with _no_gc():
        return [Interaction.from_data(item, f"interactions[{i}]") for i, item in enumerate(interactions)]


def _remove_stale(path: Path) -> None:
    """Remove ``.<name>.<pid>.XXXX.tmp`` files of ours whose writer is gone (and older unnamed ones)."""
    prefix = f".{path.name}."
    for stale in path.parent.glob(f"{glob_escape(prefix)}*.tmp"):
        writer = stale.name[len(prefix) :].split(".", 1)[0]
        if writer.isdigit() and _alive(int(writer)):
            continue  # another process is writing it right now
        stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process writes one file at a time per path: anything of ours is stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
