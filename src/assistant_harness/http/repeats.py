"""A polled object's JSON body, encoded again only when the object changed.

A poller asks for the same object over and over, and between its changes every answer is the same
text. JSON-encoding a run or a response is the largest single cost of such an answer (a run of ~850
bytes: about a third of the fake's own instructions for a poll). Its :func:`~.messages.exact_bytes`
(pickled) are a third of that cost and exact where equality is not (``1``, ``1.0`` and ``True``
differ, key order counts), so equal bytes mean equal JSON text. Any change, the fake's or a test's
own (``fake.run(id).obj[...] = ...``), is seen on the next poll. A payload that cannot be pickled
(an instance of a local class...) is encoded every time.
"""

from __future__ import annotations

from typing import Any

from .messages import exact_bytes, json_body

#: How many polled paths are remembered; past it they are all forgotten (a poller polls a few at once).
KEPT = 256


class RepeatedBodies:
    """The last body answered for each polled path, with the pickled bytes of the object it encoded."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: dict[str, tuple[bytes, bytes]] = {}

    def body(self, path: str, payload: Any) -> bytes:
        """``payload`` as compact UTF-8 JSON, reusing the body last answered for ``path`` when equal."""
        fingerprint = exact_bytes(payload)
        if fingerprint is None:  # cannot be pickled: encoded every time
            return json_body(payload)
        last = self._last.get(path)
        if last is not None and last[0] == fingerprint:
            return last[1]
        content = json_body(payload)
        if len(self._last) >= KEPT and path not in self._last:
            self._last.clear()
        self._last[path] = (fingerprint, content)
        return content

    def __len__(self) -> int:
        return len(self._last)
