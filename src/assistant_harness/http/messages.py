"""Transport-neutral request and response values, so one backend serves httpx, httpx2 and ASGI."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..apis.common.errors import ApiError


@dataclass(slots=True)
class ApiRequest:
    """One request to the fake, with ``path`` relative to the API's base (``/threads/...``)."""

    method: str
    path: str
    query: Mapping[str, str]
    #: Header names in lower case.
    headers: Mapping[str, str]
    body: bytes
    #: The full URL, for messages.
    url: str = ""
    #: The client's read timeout in seconds, when the transport says (a read-timeout fault waits it out).
    read_timeout: float | None = None

    def json(self) -> Any:
        """The body as JSON (``{}`` when empty); 400 as the API words it when it is not JSON."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            raise ApiError(
                400,
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent "
                "was not valid JSON. If you have trouble figuring out how to fix this, please contact us "
                "through our "
                "help center at help.openai.com.)",
            ) from None


@dataclass(slots=True)
class ApiResponse:
    """What the fake answers: a status, headers and the encoded body."""

    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    #: A streamed body as the chunks the client receives (one per event); ``None``: one chunk.
    chunks: list[bytes] | None = None
    #: A fault: the connection breaks after this many chunks (``None``: it does not).
    broken_after: int | None = None
    #: A fault: called before each chunk reaches the client (a slow stream moves the clock).
    before_chunk: Callable[[], None] | None = None

    def parts(self) -> list[bytes]:
        return self.chunks if self.chunks is not None else [self.content]


#: One encoder for every response (``json.dumps`` with options builds a new one per call).
_encode_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> ApiResponse:
    """A JSON response; compact, UTF-8, key order as built (so bytes are stable run to run)."""
    content = _encode_json(payload).encode("utf-8")
    out = {"content-type": "application/json"}
    if headers:
        out.update(headers)
    return ApiResponse(status, content, out)
