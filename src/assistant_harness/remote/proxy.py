"""``serve --cassette PATH --record-mode MODE --upstream URL``: a recording and replaying proxy.

Every request under ``/v1`` is sent on to the upstream by an httpx client inside one
:class:`~..cassettes.recorder.use_cassette` held open while the server runs, so a client in any
language is recorded and replayed exactly as in-process code is: redacted and refused as there,
matched as there (an unmatched request gets a 4xx naming the closest recordings), streams kept event
by event, and in ``none`` mode every socket but the server's own blocked. The cassette is written
(atomically) when the server stops.
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from ..cassettes.interaction import WIRE_HEADERS
from ..cassettes.recorder import use_cassette
from ..http.messages import ApiRequest, ApiResponse

#: Request headers the proxy sets itself (or that describe one hop only).
_HOP = frozenset({"host", "content-length", "connection", "transfer-encoding", "accept-encoding"})


class CassetteProxy:
    """``handle(request)`` forwards to ``upstream`` (``http://host:port/v1``) through the cassette."""

    def __init__(self, path: str, record_mode: str, upstream: str | None) -> None:
        self.upstream = (upstream or "http://upstream.invalid/v1").rstrip("/")
        # Real time: this process also runs the server's event loop, whose clock must stay real.
        self.cassette = use_cassette(path, record_mode=record_mode, virtual_time=False)
        self._client: httpx.Client | None = None

    def __repr__(self) -> str:
        return f"CassetteProxy({str(self.cassette.path)!r} -> {self.upstream!r})"

    def start(self) -> None:
        self.cassette.__enter__()
        self._client = httpx.Client(timeout=httpx.Timeout(600.0, connect=10.0))

    def stop(self) -> None:
        """Close the cassette: written now if anything was recorded (raises if it would hold a secret)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        self.cassette.__exit__(None, None, None)

    def handle(self, request: ApiRequest) -> ApiResponse:
        assert self._client is not None, "CassetteProxy.start() first"
        url = self.upstream + request.path
        if request.query:
            url += "?" + urlencode(request.query)
        headers = {k: v for k, v in request.headers.items() if k not in _HOP}
        sent = self._client.build_request(request.method, url, headers=headers, content=request.body)
        answer = self._client.send(sent, stream=True)
        try:
            chunks = [chunk for chunk in answer.iter_bytes() if chunk]
        finally:
            answer.close()
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in WIRE_HEADERS}
        streamed = answer.headers.get("content-type", "").startswith("text/event-stream")
        return ApiResponse(answer.status_code, b"".join(chunks), kept, chunks if streamed else None)
