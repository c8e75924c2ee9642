"""The one secret detector: redaction, the refusal before every write, ``scan`` and error messages use it.

A secret is found by its *name* (a header, query parameter, JSON key, form field or ``name=value``
line called ``api_key``, ``password``, ``aws_secret_access_key``...) or by its *shape* (an OpenAI key,
a bearer token, a JWT, a cloud provider's key...), wherever it is: headers, the URL, JSON keys and
values at any depth (JSON inside a JSON string too), text and binary bodies (the bytes are
scanned), multipart parts, and the text a stream's deltas add up to (a key split across deltas).
Every function here both *replaces* what it finds and *reports* it, so a scan can never be weaker
than the redaction: ``scan`` is the list of what redaction would change.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from .secret_shapes import (
    ASSIGNMENT,
    COOKIE_ATTRIBUTES,
    DONE,
    NAMED,
    PART,
    PLACEHOLDERS,
)
from .secret_shapes import (
    PLACEHOLDER_COOKIE as PLACEHOLDER_COOKIE,
)
from .secret_shapes import (
    PLACEHOLDER_ORGANIZATION as PLACEHOLDER_ORGANIZATION,
)
from .secret_shapes import (
    PLACEHOLDER_PROJECT as PLACEHOLDER_PROJECT,
)
from .secret_shapes import (
    QUERY_NAMES as QUERY_NAMES,
)
from .secret_shapes import (
    REDACTED as REDACTED,
)
from .secret_shapes import (
    SECRET_NAMES as SECRET_NAMES,
)
from .secret_shapes import (
    SECRET_SUFFIXES as SECRET_SUFFIXES,
)
from .secret_shapes import (
    SENSITIVE_HEADERS as SENSITIVE_HEADERS,
)
from .secret_shapes import (
    SHAPES as SHAPES,
)


@dataclass(frozen=True)
class Finding:
    """One secret: where it is, what kind it is, and a prefix that is safe to print."""

    location: str
    what: str
    excerpt: str
    #: The secret itself: kept in memory to tell findings apart, never printed.
    value: str = field(default="", repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.location}: {self.what} ({self.excerpt})"


Findings = list[Finding]


def _normal(name: str) -> str:
    return re.sub(r"[\s_.\-]", "", name.lower())


def is_secret_name(name: str, *, query: bool = False) -> bool:
    """Whether a field called ``name`` holds a secret (``query``: a URL parameter, where ``sig`` and
    ``code`` are secrets too)."""
    normal = _normal(name)
    return normal in SECRET_NAMES or normal.endswith(SECRET_SUFFIXES) or (query and normal in QUERY_NAMES)


def is_secret_header(name: str) -> bool:
    return name.lower() in SENSITIVE_HEADERS or is_secret_name(name)


def _excerpt(prefix: str, text: str) -> str:
    return f"{prefix}… {len(text)} chars" if prefix else f"{len(text)} chars"


# -- text --------------------------------------------------------------------------------------


def spans(text: str) -> list[tuple[int, int, str, str]]:
    """Every secret in ``text`` as ``(start, end, what, safe prefix)``, without overlaps."""
    found: list[tuple[int, int, str, str]] = []
    for what, pattern, prefix in SHAPES:
        for shaped in pattern.finditer(text):
            found.append((shaped.start(), shaped.end(), what, prefix))
    for pattern, what in ((ASSIGNMENT, "a secret in a name=value line"), (PART, "a secret form field")):
        position = 0
        while (match := pattern.search(text, position)) is not None:
            value = match.group("value")
            if not is_placeholder(value) and is_secret_name(match.group("name")):
                found.append((match.start("value"), match.end("value"), what, ""))
                position = match.end()
            else:  # go on from the value: ``https://h/?api_key=x`` holds a name inside the first value
                position = max(match.start("value"), match.start() + 1)
    if len(found) < 2:
        return found
    found.sort()
    merged = [found[0]]
    for item in found[1:]:
        last = merged[-1]
        if item[0] < last[1]:
            merged[-1] = (last[0], max(last[1], item[1]), last[2], last[3])
        else:
            merged.append(item)
    return merged


def scrub_text(text: str, found: Findings | None = None, location: str = "text") -> str:
    """``text`` with every secret replaced by ``REDACTED`` (reported into ``found`` if given)."""
    hits = spans(text)
    if not hits:
        return text
    out, last = [], 0
    for start, end, what, prefix in hits:
        out.append(text[last:start])
        out.append(REDACTED)
        last = end
        if found is not None:
            found.append(Finding(location, what, _excerpt(prefix, text[start:end]), text[start:end]))
    out.append(text[last:])
    return "".join(out)


def safe(message: str) -> str:
    """An error message with every secret in it replaced: used by every message that quotes traffic."""
    return scrub_text(message)


def scrub_bytes(raw: bytes, found: Findings | None = None, location: str = "body") -> bytes:
    """Binary content with secrets replaced in its bytes (read as latin-1: one character per byte)."""
    text = raw.decode("latin-1")
    new = scrub_text(text, found, location)
    return raw if new is text else new.encode("latin-1")


# -- JSON ---------------------------------------------------------------------------------------


def scrub_json(value: Any, found: Findings | None = None, location: str = "body", depth: int = 0) -> Any:
    """A JSON value with secrets replaced: secret-named string fields, secret-shaped keys and values,
    and the same inside JSON held in a string. Objects under secret names are walked, not replaced
    (a tool's ``token`` parameter schema is not a secret)."""
    if isinstance(value, str):
        return _scrub_string(value, found, location, depth)
    if depth > 200:  # deeper than any real payload: replace rather than recurse for ever
        return REDACTED
    if isinstance(value, list):
        return [scrub_json(item, found, f"{location}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            name = key
            if isinstance(key, str):
                name = scrub_text(key, found, f"{location}.<key>")
                if name in out:  # two redacted keys: keep both
                    name = f"{name}-{len(out)}"
            where = f"{location}.{name}"
            if isinstance(item, str) and item not in DONE and isinstance(key, str) and is_secret_name(key):
                if found is not None:
                    found.append(Finding(where, NAMED, _excerpt("", item), item))
                out[name] = REDACTED
            else:
                out[name] = scrub_json(item, found, where, depth + 1)
        return out
    return value


def _scrub_string(text: str, found: Findings | None, location: str, depth: int) -> str:
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[") and len(text) < 5_000_000:
        try:
            inner = json.loads(text)
        except (ValueError, RecursionError):
            inner = None
        if isinstance(inner, (dict, list)):
            mine: Findings = []
            new = scrub_json(inner, mine, f"{location}<json>", depth + 1)
            if not mine:
                return text
            if found is not None:
                found.extend(mine)
            return json.dumps(new, ensure_ascii=False, separators=(",", ":"))
    return scrub_text(text, found, location)


# -- headers and URLs ----------------------------------------------------------------------------


def scrub_headers(
    headers: Mapping[str, str], found: Findings | None = None, location: str = "headers"
) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        where = f"{location}.{name}"
        if is_secret_header(name) and not is_placeholder(value):
            if found is not None:
                found.append(Finding(where, "an identifying or secret header", _excerpt("", value), value))
            out[name] = "Bearer " + REDACTED if value.lower().startswith("bearer ") else REDACTED
        else:
            out[name] = scrub_text(value, found, where)
    return out


def is_placeholder(value: str) -> bool:
    """Whether a secret header's value is one the harness wrote: ``REDACTED``, a vendored recording's
    organization or project placeholder, or cookies whose every value is a placeholder."""
    if value in PLACEHOLDERS:
        return True
    pairs = [p.strip().partition("=") for p in value.split(";") if "=" in p]
    cookies = [v.strip() for n, _, v in pairs if n.strip().lower() not in COOKIE_ATTRIBUTES]
    return bool(cookies) and all(v in (PLACEHOLDER_COOKIE, REDACTED) for v in cookies)


def scrub_url(url: str, found: Findings | None = None, location: str = "url") -> str:
    """``url`` with secret query values, a password in it and key-like text replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return scrub_text(url, found, location)
    query, changed = [], False
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if is_secret_name(key, query=True) and value not in DONE:
            if found is not None:
                found.append(
                    Finding(f"{location}?{key}", "a secret query parameter", _excerpt("", value), value)
                )
            query.append((key, REDACTED))
            changed = True
        else:
            new = scrub_text(value, found, f"{location}?{key}")
            changed |= new is not value
            query.append((key, new))
    head = scrub_text(urlunsplit(parts._replace(query="", fragment="")), found, location)
    if not changed:
        return head + "?" + parts.query + (f"#{parts.fragment}" if parts.fragment else "")
    encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    return head + "?" + encoded + (f"#{parts.fragment}" if parts.fragment else "")


# -- streams -------------------------------------------------------------------------------------

#: The fields whose text a stream hands out in pieces (Assistants message and tool-call deltas,
#: Responses output-text and argument deltas).
STREAM_TEXT_KEYS = frozenset({"value", "delta", "text", "arguments", "partial_json", "output"})


def scrub_stream(events: list[Any], found: Findings | None = None, location: str = "body") -> list[Any]:
    """Events with secrets replaced one by one, then in the text their deltas add up to: a key split
    across deltas is replaced where its pieces are (the first piece says REDACTED, the rest go)."""
    events = copy.deepcopy(events)  # pieces are edited in place, before each event is scrubbed
    channels: dict[str, list[tuple[Any, Any, int]]] = {}
    for index, event in enumerate(events):
        if isinstance(event, dict) and _event_type(event).endswith(".delta"):
            _fragments(event.get("data"), channels, index)
    for channel, pieces in channels.items():
        if len(pieces) < 2:
            continue
        texts = [container[key] for container, key, _ in pieces]
        joined = "".join(texts)
        hits = spans(joined)
        if not hits:
            continue
        starts, total = [], 0
        for text in texts:
            starts.append(total)
            total += len(text)
        edits: dict[int, list[tuple[int, int, str]]] = {}
        for start, end, what, prefix in hits:
            first = True
            for number, text in enumerate(texts):
                lo, hi = max(start, starts[number]), min(end, starts[number] + len(text))
                if lo < hi:
                    edits.setdefault(number, []).append(
                        (lo - starts[number], hi - starts[number], REDACTED if first else "")
                    )
                    first = False
            if found is not None:
                event_index = pieces[max(bisect.bisect_right(starts, start) - 1, 0)][2]
                found.append(
                    Finding(
                        f"{location}[{event_index}] (stream text {channel!r}, pieced together)",
                        what,
                        _excerpt(prefix, joined[start:end]),
                        joined[start:end],
                    )
                )
        for number, changes in edits.items():
            container, key, _ = pieces[number]
            text = texts[number]
            for lo, hi, replacement in sorted(changes, reverse=True):
                text = text[:lo] + replacement + text[hi:]
            container[key] = text
    return [scrub_json(event, found, f"{location}[{i}]") for i, event in enumerate(events)]


def _event_type(event: dict[str, Any]) -> str:
    """An event's type: its ``event:`` line, else the ``type`` (Responses) or ``object`` (Assistants)
    inside its JSON ``data:``, which is all the Responses API and many proxies send."""
    name = event.get("event")
    if name:
        return str(name)
    data = event.get("data")
    if isinstance(data, dict):
        return str(data.get("type") or data.get("object") or "")
    return ""


def _fragments(value: Any, channels: dict[str, list[tuple[Any, Any, int]]], index: int) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and key in STREAM_TEXT_KEYS:
                channels.setdefault(key, []).append((value, key, index))
            else:
                _fragments(item, channels, index)
    elif isinstance(value, list):
        for item in value:
            _fragments(item, channels, index)


# -- bodies ---------------------------------------------------------------------------------------


def scrub_body(kind: str, value: Any, found: Findings | None = None, location: str = "body") -> Any:
    """A stored body's value (see :class:`~assistant_harness.cassettes.format.Body`) with secrets replaced."""
    if kind == "json":
        return scrub_json(value, found, location)
    if kind == "sse" and isinstance(value, list):
        return scrub_stream(value, found, location)
    if kind == "text" and isinstance(value, str):
        return scrub_text(value, found, location)
    if kind == "base64" and isinstance(value, str):
        try:
            raw = base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            return scrub_text(value, found, location)
        new = scrub_bytes(raw, found, f"{location}<bytes>")
        return value if new is raw else base64.b64encode(new).decode("ascii")
    return value
