"""An object as it was when an event logged it, kept as its JSON text.

Every change of a run logs the run (and its steps and messages) as they are at that moment, for streams
and for ``show``; most of those events are never read in a test that polls. Keeping the moment as one
JSON text costs one pass of the C encoder, where a deep copy built every nested dict and list again in
Python (measured inside an SDK flow: about 2.5 times the encoder's cost per object). A stream sends the
text as it is; anything that reads the event as a mapping gets it decoded, once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ...http.messages import encode_json


class Logged(Mapping[str, Any]):
    """A read-only JSON object as it was when logged (``text``), decoded on first access."""

    __slots__ = ("_value", "text")

    def __init__(self, value: Mapping[str, Any]) -> None:
        #: The object's JSON text, as the API would send it then.
        self.text = encode_json(value)
        self._value: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._value is None:
            self._value = json.loads(self.text)
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return f"Logged({self.text[:60]}{'...' if len(self.text) > 60 else ''})"


def json_text(data: Mapping[str, Any]) -> str:
    """An event's data as compact JSON (a logged object's own text)."""
    if isinstance(data, Logged):
        return data.text
    return encode_json(data)
