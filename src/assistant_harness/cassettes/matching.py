"""Matching a live request to recorded ones: matchers are plain functions, and users can add their own.

A matcher takes the recorded request and the live one (both :class:`RequestKey`) and, as in vcrpy,
either raises ``AssertionError`` or returns ``False`` or a reason (a string) when they differ;
``None`` or ``True`` means they match. The built-in ones (method, host, path, query, body) are also
used as an index, so replay stays O(1) per request whatever the cassette's size; added matchers
filter the candidates the index gives. Mismatch reports name the keys that differ, with their values
redacted by the one secret detector.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import ConfigurationError
from ..http import multipart
from ..secrets import safe
from .format import WIRE_HEADERS, Interaction

Matcher = Callable[["RequestKey", "RequestKey"], object]


@dataclass(frozen=True)
class RequestKey:
    """A request as matchers compare it: the body canonical (see :func:`canonical_body`)."""

    method: str
    host: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: str
    #: The whole URL, port included (for messages and for matchers of your own).
    url: str = field(default="", compare=False)
    headers: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def select(self, match_on: tuple[str, ...]) -> tuple[Any, ...]:
        return tuple(getattr(self, part) for part in match_on)


def canonical_body(body: bytes, content_type: str) -> str:
    """A body as compared on replay: JSON with sorted keys (explicit nulls and ``"stream": false``
    dropped, as the API reads them as absent), multipart by its fields, else the text."""
    if not body:
        return ""
    if content_type.startswith("multipart/form-data"):
        parts = multipart.parse(content_type, body)
        fields = {p.name: [p.filename or "", p.content.decode("latin-1")] for p in parts.values()}
        return json.dumps(fields, sort_keys=True)
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return body.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        # Explicit defaults match their absence: older SDKs sent "stream": false and nulls.
        value = {k: v for k, v in value.items() if v is not None and not (k == "stream" and v is False)}
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def url_parts(url: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """A URL's host, path and query (sorted pairs), as the matchers compare them."""
    parts = urlsplit(url)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.hostname or "", parts.path, query


def interaction_key(interaction: Interaction) -> RequestKey:
    host, path, query = url_parts(interaction.url)
    return RequestKey(
        interaction.method,
        host,
        path,
        query,
        canonical_body(
            interaction.request_body.encode(), interaction.request_headers.get("content-type", "")
        ),
        interaction.url,
        interaction.request_headers,
    )


# -- the matchers ---------------------------------------------------------------------------------


def _show(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = safe(text)
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _differences(recorded: Any, got: Any, path: str, out: list[str], limit: int = 5) -> None:
    if len(out) >= limit:
        return
    if isinstance(recorded, dict) and isinstance(got, dict):
        for key in sorted(set(recorded) | set(got), key=str):
            where = f"{path}.{key}"
            if key not in recorded:
                out.append(f"{where}: not recorded, got {_show(got[key])}")
            elif key not in got:
                out.append(f"{where}: recorded {_show(recorded[key])}, missing now")
            elif recorded[key] != got[key]:
                _differences(recorded[key], got[key], where, out, limit)
            if len(out) >= limit:
                return
    elif isinstance(recorded, list) and isinstance(got, list) and len(recorded) == len(got):
        for index, (a, b) in enumerate(zip(recorded, got, strict=True)):
            if a != b:
                _differences(a, b, f"{path}[{index}]", out, limit)
    elif recorded != got:
        out.append(f"{path}: recorded {_show(recorded)}, got {_show(got)}")


def describe_difference(part: str, recorded: Any, got: Any) -> str:
    """Which keys differ and their values (redacted), not two cut-off prefixes."""
    if part == "body":
        if not recorded or not got:
            return f"body: recorded {_show(recorded or '(none)')}, got {_show(got or '(none)')}"
        with contextlib.suppress(ValueError):
            recorded, got = json.loads(recorded), json.loads(got)
    elif part == "query":
        recorded, got = dict(recorded), dict(got)
    out: list[str] = []
    _differences(recorded, got, part, out)
    return "; ".join(out) if out else f"{part} differs"


def _builtin(part: str) -> Matcher:
    def matcher(recorded: RequestKey, live: RequestKey) -> str | None:
        a, b = getattr(recorded, part), getattr(live, part)
        return None if a == b else describe_difference(part, a, b)

    matcher.__name__ = part
    matcher.__doc__ = f"The requests' {part} are equal."
    return matcher


BUILTIN = ("method", "host", "path", "query", "body")
_REGISTRY: dict[str, Matcher] = {name: _builtin(name) for name in BUILTIN}
DEFAULT_MATCH_ON = ("method", "path", "query", "body")


def register_matcher(name: str, matcher: Matcher) -> None:
    """Make ``matcher`` usable by name in ``match_on`` (as vcrpy's ``register_matcher``)."""
    if not callable(matcher):
        raise ConfigurationError(f"matcher {name!r} must be a function (recorded, live) -> None | reason")
    _REGISTRY[name] = matcher


def verdict(matcher: Matcher, recorded: RequestKey, live: RequestKey) -> str | None:
    """``None`` if ``matcher`` accepts the pair, else the reason it gives."""
    name = getattr(matcher, "__name__", "matcher")
    try:
        result = matcher(recorded, live)
    except AssertionError as error:
        return safe(str(error)) or f"{name} differs"
    if result is None or result is True:
        return None
    if isinstance(result, str) and result:
        return safe(result)
    return f"{name} differs"


def resolve(match_on: Iterable[str | Matcher]) -> tuple[tuple[str, ...], tuple[Matcher, ...]]:
    """``match_on`` split into built-in names (indexed) and other matchers (checked one by one)."""
    names: list[str] = []
    others: list[Matcher] = []
    for item in match_on:
        if isinstance(item, str):
            if item in BUILTIN:
                names.append(item)
            elif item in _REGISTRY:
                others.append(_REGISTRY[item])
            else:
                raise ConfigurationError(
                    f"unknown matcher {item!r}; choose from {', '.join(sorted(_REGISTRY))}, "
                    "or pass a function (recorded, live) -> None | reason"
                )
        elif callable(item):
            others.append(item)
        else:
            raise ConfigurationError(f"match_on takes matcher names or functions, not {item!r}")
    return tuple(names), tuple(others)


class ReplayIndex:
    """Recorded interactions by request key: O(1) per request, whatever the cassette's size."""

    def __init__(self, interactions: Iterable[Interaction], match_on: Iterable[str | Matcher]) -> None:
        self.match_on, self.extra = resolve(match_on)
        self.entries: list[tuple[RequestKey, Interaction]] = []
        self._by_key: dict[tuple[Any, ...], list[Interaction]] = {}
        self._keys: dict[int, RequestKey] = {}
        self._used: dict[Any, int] = {}
        self._answers: dict[int, tuple[tuple[tuple[bytes, bytes], ...], list[bytes]]] = {}
        for interaction in interactions:
            self.add(interaction)

    def fresh(self) -> ReplayIndex:
        """This index's tables, shared, with a cursor of its own (nothing has been answered yet)."""
        twin = object.__new__(ReplayIndex)
        twin.match_on, twin.extra, twin.entries = self.match_on, self.extra, self.entries
        twin._by_key, twin._keys, twin._used = self._by_key, self._keys, {}
        twin._answers = self._answers
        return twin

    def answer(self, interaction: Interaction) -> tuple[tuple[tuple[bytes, bytes], ...], list[bytes]]:
        """A recorded answer as the wire sends it (headers, body chunks), encoded once per index:
        the recorded interactions never change, and a replayed poll sends the same answer often."""
        found = self._answers.get(id(interaction))
        if found is None:
            headers = tuple(
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in interaction.response_headers.items()
                if k not in WIRE_HEADERS
            )
            found = self._answers[id(interaction)] = (headers, interaction.response_body.chunks())
        return found

    def add(self, interaction: Interaction) -> None:
        key = interaction_key(interaction)
        self.entries.append((key, interaction))
        self._keys[id(interaction)] = key
        self._by_key.setdefault(key.select(self.match_on), []).append(interaction)

    def next(self, key: RequestKey, *, repeat_last: bool = True) -> Interaction | None:
        """The next recorded answer to ``key``; once they are used up, the last one again (or
        ``None`` with ``repeat_last=False``, so that new_episodes asks the upstream)."""
        selected = key.select(self.match_on)
        answers = self._by_key.get(selected)
        if not answers:
            return None
        if self.extra:
            answers = [
                a for a in answers if all(verdict(m, self._keys[id(a)], key) is None for m in self.extra)
            ]
            if not answers:
                return None
            selected = (selected, tuple(id(a) for a in answers))
        used = self._used.get(selected, 0)
        if used >= len(answers) and not repeat_last:
            return None
        self._used[selected] = used + 1
        return answers[min(used, len(answers) - 1)]

    def explain(self, key: RequestKey, limit: int = 3) -> str:
        """The closest recorded requests, and what differs in each (values redacted)."""
        matchers = [_REGISTRY[name] for name in self.match_on] + list(self.extra)
        scored = []
        for index, (recorded, interaction) in enumerate(self.entries):
            reasons = [r for m in matchers if (r := verdict(m, recorded, key)) is not None]
            path_differs = recorded.path != key.path
            scored.append((len(reasons), path_differs, index, reasons, interaction))
        scored.sort(key=lambda item: (item[0], item[1], item[2]))
        lines = [
            f"  #{index} {interaction.method} {safe(interaction.url)}: {'; '.join(reasons) or 'matches'}"
            for _, _, index, reasons, interaction in scored[:limit]
        ]
        return "\n".join(lines) if lines else "  (the cassette is empty)"
