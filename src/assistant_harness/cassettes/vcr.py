"""vcrpy v1 cassettes in and out: gzip ``!!binary`` bodies, mixed-case headers, null reasons and
pydantic-ai's ``parsed_body`` read;
binary bodies written as ``!!binary`` (never as lossy text). Every field is checked: a malformed
file gets a :class:`~.format.PlaceError` naming the key path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .interaction import WIRE_HEADERS, Body, Interaction, PlaceError, kind_of

#: The vcrpy cassette format versions this reads.
VERSIONS = (1,)


def _headers(raw: Any, path: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PlaceError(path, f"must be a mapping of header names to values, not {kind_of(raw)}")
    out = {}
    for name, values in raw.items():
        items = values if isinstance(values, list) else [values]
        for item in items:
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise PlaceError(f"{path}.{name}", f"a header value must be text, not {kind_of(item)}")
        out[str(name).lower()] = ", ".join(str(v) for v in items)
    return out


def _body(raw: Any, path: str) -> bytes:
    if isinstance(raw, Mapping):
        raw = raw.get("string", "")
        path = f"{path}.string"
    if raw is None:
        return b""
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogatepass")
    raise PlaceError(path, f"a body must be text or !!binary, not {kind_of(raw)}")


def _status(raw: Any, path: str) -> int:
    code = raw.get("code", 200) if isinstance(raw, Mapping) else raw
    if raw is None:
        code = 200
    if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
        raise PlaceError(
            f"{path}.code" if isinstance(raw, Mapping) else path, f"must be an HTTP status, not {code!r}"
        )
    return code


def _parsed(side: Mapping[str, Any]) -> Body | None:
    """A JSON body as pydantic-ai's vcrpy serializer stores it: decoded, under ``parsed_body`` (its
    ``deserialize`` turns it back into ``body``; reading it directly keeps the structure)."""
    if side.get("parsed_body") is None:
        return None
    return Body("json", side["parsed_body"])


def from_vcr(data: Any) -> list[Interaction]:
    """Interactions from a vcrpy v1 cassette (pydantic-ai's ``parsed_body`` JSON bodies included)."""
    if not isinstance(data, Mapping) or "interactions" not in data:
        raise PlaceError(
            "interactions", "not a vcrpy cassette (no interactions); native cassettes end in .json"
        )
    version = data.get("version", 1)
    if version not in VERSIONS:
        raise PlaceError(
            "version", f"vcrpy cassette version {version!r} is not supported (this reads version 1)"
        )
    items = data["interactions"]
    if not isinstance(items, list):
        raise PlaceError("interactions", f"must be a list, not {kind_of(items)}")
    return [_interaction(item, f"interactions[{i}]") for i, item in enumerate(items)]


def _interaction(item: Any, where: str) -> Interaction:
    if not isinstance(item, Mapping):
        raise PlaceError(where, f"must be a mapping, not {kind_of(item)}")
    request, response = item.get("request"), item.get("response")
    for name, part in (("request", request), ("response", response)):
        if not isinstance(part, Mapping):
            raise PlaceError(f"{where}.{name}", f"must be a mapping, not {kind_of(part)}")
    assert isinstance(request, Mapping) and isinstance(response, Mapping)
    for key in ("method", "uri"):
        if not isinstance(request.get(key), str) or not request[key]:
            raise PlaceError(f"{where}.request.{key}", f"must be text, not {kind_of(request.get(key))}")
    request_headers = _headers(request.get("headers"), f"{where}.request.headers")
    response_headers = _headers(response.get("headers"), f"{where}.response.headers")
    return Interaction(
        method=str(request["method"]).upper(),
        url=str(request["uri"]),
        request_headers={k: v for k, v in request_headers.items() if k not in WIRE_HEADERS},
        request_body=_parsed(request)
        or Body.decode(
            _body(request.get("body"), f"{where}.request.body"), request_headers.get("content-type", "")
        ),
        status=_status(response.get("status"), f"{where}.response.status"),
        response_headers={k: v for k, v in response_headers.items() if k not in WIRE_HEADERS},
        response_body=_parsed(response)
        or Body.decode(
            _body(response.get("body"), f"{where}.response.body"),
            response_headers.get("content-type", ""),
            response_headers.get("content-encoding", ""),
        ),
    )


def _out(body: Body) -> str | bytes | None:
    """A body for YAML: text as text, binary as bytes (``!!binary``)."""
    raw = body.encode()
    if not raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def to_vcr(interactions: Iterable[Interaction]) -> dict[str, Any]:
    """A vcrpy v1 cassette (bodies as plain strings or bytes, so vcrpy replays them without gzip)."""
    out = []
    for interaction in interactions:
        out.append(
            {
                "request": {
                    "body": _out(interaction.request_body),
                    "headers": {k: [v] for k, v in sorted(interaction.request_headers.items())},
                    "method": interaction.method,
                    "uri": interaction.url,
                },
                "response": {
                    "body": {"string": _out(interaction.response_body) or ""},
                    "headers": {k: [v] for k, v in sorted(interaction.response_headers.items())},
                    "status": {"code": interaction.status, "message": None},
                },
            }
        )
    return {"interactions": out, "version": 1}
