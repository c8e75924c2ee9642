"""Hand httpx/httpx2 an answer whose whole body is already in memory, read in one step.

``Response(stream=ByteStream(body))`` makes the client read the body back through httpx's streaming
pass (two generators, a decoder, a chunker, three context managers) when the SDK calls ``read()``:
measured inside the SDK's flow, 20-45 µs a request, a quarter of what the fake adds. The fake
already holds the bytes, so ``read()``/``aread()`` take them as they are and end in the state that
pass leaves (consumed, closed, ``elapsed`` set by the client's stream on close). Everything else
(``iter_bytes``, ``iter_raw``, ``.content`` before a read, respx turning it into an httpcore
response) goes through the unchanged stream, as before.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

#: The class's name here for each HTTP library: pickle finds the class by it (``__getattr__`` below).
_NAMES = {"httpx": "KnownBodyResponse", "httpx2": "KnownBodyResponse2"}


@functools.cache
def known_body_class(module: Any) -> Any:
    """``module``'s (httpx or httpx2) ``Response`` whose ``read()`` takes a body given up front."""

    class KnownBodyResponse(module.Response):  # type: ignore[misc]
        _known_body: bytes

        def read(self) -> bytes:
            if "_content" in self.__dict__ or self.is_stream_consumed or self.is_closed:
                content: bytes = super().read()  # read already, or httpx's error (streamed, closed)
                return content
            self._take_known_body()
            self.close()
            return self._known_body

        async def aread(self) -> bytes:
            if "_content" in self.__dict__ or self.is_stream_consumed or self.is_closed:
                acontent: bytes = await super().aread()
                return acontent
            self._take_known_body()
            await self.aclose()
            return self._known_body

        def _take_known_body(self) -> None:
            # What a full read through the stream sets (its close() sets the rest).
            self._content = self._known_body
            self.is_stream_consumed = True
            self._num_bytes_downloaded = len(self._known_body)

    KnownBodyResponse.__qualname__ = KnownBodyResponse.__name__ = _NAMES[module.__name__]
    return KnownBodyResponse


def __getattr__(name: str) -> Any:
    """The class of each library by its name, made on first use (a pickled response finds it so)."""
    for module_name, class_name in _NAMES.items():
        if name == class_name:
            return known_body_class(importlib.import_module(module_name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def complete_response(module: Any, status: int, headers: Any, body: bytes) -> Any:
    """A ``module.Response`` of ``body`` as a stream, which a ``read()`` takes in one step."""
    response = known_body_class(module)(status, headers=headers, stream=module.ByteStream(body))
    response._known_body = body
    return response
