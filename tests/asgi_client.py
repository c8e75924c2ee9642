"""Call an ASGI app (``serve``'s) in-process: one request, its status and whole body."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote


def call(app: Any, method: str, target: str, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
    """``method target`` (path and query, percent-encoded, as on the wire) answered by ``app``."""
    status, _, content = exchange(app, method, target, headers, body)
    return status, content


def exchange(
    app: Any, method: str, target: str, headers: Mapping[str, str], body: bytes, *, client: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """As :func:`call`, with the response headers (names in lower case); ``client``: the caller's address."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path, errors="replace"),
        "raw_path": path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        **({"client": (client, 50000)} if client else {}),
    }
    sent: list[dict[str, Any]] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    answer_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], answer_headers, content
