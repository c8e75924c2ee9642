"""A webhook receiver for tests: it verifies every delivery with the SDK's own
``client.webhooks.unwrap`` (signature and timestamp tolerance), answers as an app should (200 once
verified, 400 when not) and records what it got; in process, or over HTTP on 127.0.0.1."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import openai

    from ..apis.webhooks.delivery import WebhookDelivery


@dataclass(frozen=True, slots=True)
class Rejected:
    """A delivery the receiver refused, and what the SDK said about it."""

    headers: Mapping[str, str]
    body: bytes
    reason: str


class WebhookReceiver:
    """Verify, answer and record webhooks (``fake.webhooks.add(receiver)``, or ``receiver.serve()``
    for a URL). ``status`` is what it answers once an event is verified (a 500 makes the fake retry)."""

    def __init__(self, secret: str, *, status: int = 200) -> None:
        import openai

        self.secret = secret
        self.status = status
        self._client = openai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9", webhook_secret=secret)
        #: Every verified event (the SDK's typed objects), in arrival order, duplicates included.
        self.events: list[Any] = []
        #: The ``webhook-id`` of each verified event, in the same order.
        self.webhook_ids: list[str] = []
        #: Deliveries that failed verification.
        self.rejected: list[Rejected] = []
        self._lock = threading.Lock()

    @property
    def client(self) -> openai.OpenAI:
        """The client whose ``webhooks.unwrap`` verifies (its ``webhook_secret`` is :attr:`secret`)."""
        return self._client

    @property
    def unique_events(self) -> list[Any]:
        """Verified events without redeliveries (first copy of each event id)."""
        seen: dict[str, Any] = {}
        for event in self.events:
            seen.setdefault(event.id, event)
        return list(seen.values())

    def __call__(self, delivery: WebhookDelivery) -> int:
        return self.receive(delivery.body, delivery.headers)

    def receive(self, body: bytes, headers: Mapping[str, str]) -> int:
        """Verify one delivery; the HTTP status an app should answer."""
        import openai

        try:
            event = self._client.webhooks.unwrap(body, dict(headers))
        except (openai.InvalidWebhookSignatureError, ValueError, KeyError) as error:
            with self._lock:
                self.rejected.append(Rejected(dict(headers), body, str(error)))
            return 400
        with self._lock:
            self.events.append(event)
            self.webhook_ids.append(headers["webhook-id"])
        return self.status

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Listen on 127.0.0.1 (a free port) and yield the URL to give ``fake.webhooks.add``."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = receiver.receive(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/webhooks"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
