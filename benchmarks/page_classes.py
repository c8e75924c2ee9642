"""The SDK's generic page classes, built again after garbage collections: counted per contender.

A list call of the openai SDK names its page class by parametrising a pydantic generic model
(``SyncCursorPage[Message]``). pydantic keeps a parametrised class only weakly (a ``WeakValueDictionary``),
and a class sits in reference cycles, so the first collection of the young generation after a list
call frees it and the next list call builds it again: about 0.7 ms in P1's flow, where a whole request
costs about 0.5 ms. How often that happens depends on how many objects everything between two list
calls keeps alive (a young collection runs after every 700 net allocations), not on what answers the
requests: a fake keeps every object it serves, as the real API would (runs, messages, events, its
request log), and the floor keeps almost nothing. P1 collects before each batch (one build a batch for
every contender) and counts each contender's builds; a contender with more builds than its floor pays
about 0.7 ms of the SDK's work for each. Uses pydantic's private ``_generics.set_cached_generic_type``;
where that is gone, nothing is counted (:func:`available`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:
    from pydantic._internal import _generics
except ImportError:  # pragma: no cover - a pydantic without it
    _generics = None


def available() -> bool:
    """Whether this pydantic builds generic classes through the function counted here."""
    return callable(getattr(_generics, "set_cached_generic_type", None))


class Builds:
    """How many generic classes were built so far."""

    def __init__(self) -> None:
        self.count = 0


@contextmanager
def counted() -> Iterator[Builds]:
    """Count every generic class pydantic builds inside the block."""
    builds = Builds()
    if not available():
        yield builds
        return
    original = _generics.set_cached_generic_type

    def counting(parent: Any, typevar_values: Any, type_: Any, *rest: Any) -> Any:
        builds.count += 1
        return original(parent, typevar_values, type_, *rest)

    _generics.set_cached_generic_type = counting
    try:
        yield builds
    finally:
        _generics.set_cached_generic_type = original
