"""An object as it was when an event logged it, kept pickled (or as its JSON text).

Every change of a run logs the run (and its steps and messages) as they are at that moment, for streams
and for ``show``; most of those events are never read in a test that polls. Pickling
(:func:`~...http.messages.exact_bytes`) copies the moment in one C pass at a third of the JSON encoder's
cost, exactly (types, values and key order as they were), where a deep copy built every nested dict and
list again in Python (about 2.5 times the encoder's cost). Its ``text`` (what a stream sends) is encoded
from the unpickled copy, once; read as a mapping, it is that text decoded, once, as before (lists, plain
floats). An event a stream is about to send is kept as text at once (``as_text``): the stream reads it
straight away, and the pickling would be extra work.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator, Mapping
from typing import Any

from ...http.messages import encode_json, exact_bytes


class Logged(Mapping[str, Any]):
    """A read-only JSON object as it was when logged, decoded (and its ``text`` made) on first use."""

    __slots__ = ("_packed", "_text", "_value")

    def __init__(self, value: Mapping[str, Any], *, as_text: bool = False) -> None:
        """``as_text``: a stream is about to send it, so keep its text at once."""
        self._value: dict[str, Any] | None = None
        self._text: str | None = None
        # Kept once made (never cleared): a reader in another thread may be using it.
        self._packed: bytes | None = None if as_text else exact_bytes(value)
        if self._packed is None:  # a stream's, or it cannot be pickled (a local class...)
            self._text = encode_json(value)

    def again(self) -> Logged:
        """The same moment, for another event sent straight after it with the object unchanged: the
        kept bytes or text are shared (immutable), the mapping a reader gets is its own."""
        twin = Logged.__new__(Logged)
        twin._value, twin._text, twin._packed = None, self._text, self._packed
        return twin

    @property
    def text(self) -> str:
        """The object's JSON text, as the API would have sent it then."""
        if self._text is None:
            assert self._packed is not None  # one of the two is always kept
            self._text = encode_json(pickle.loads(self._packed))
        return self._text

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
        text = self.text
        return f"Logged({text[:60]}{'...' if len(text) > 60 else ''})"


def json_text(data: Mapping[str, Any]) -> str:
    """An event's data as compact JSON (a logged object's own text)."""
    if isinstance(data, Logged):
        return data.text
    return encode_json(data)
