"""The SDK's generic page classes, built again after garbage collections: counted per contender.

A list call of the openai SDK names its page class by parametrising a pydantic generic model
(``SyncCursorPage[Message]``). pydantic keeps a parametrised class only weakly (a ``WeakValueDictionary``),
and a class sits in reference cycles, so a collection of the generation it is in, once the list call is
over, frees it, and the next list call builds it again: about 0.7 ms in P1's flow, where a whole request
costs about 0.5 ms. Whether that happens in a flow depends on where the collector's passes fall (a
young pass after every 700 net allocations) against the list call, which every object anything
allocates moves: on openai 2.54, removing two objects a request from the fake (a change tried and
reverted) moved ``fake.client()`` from 0.2 builds a flow to 0.7, and its ratio to the floor from
1.04-1.08 to 1.17-1.19, while the floor stayed at 0.6; on 3.63 the same change moved it from 0.3 to
0.2. So P1 holds every page class for every contender alike while it times them (:func:`held`): what
is left is each one's own work and the SDK's, not the phase of the collector. In a test suite both
sides pay such builds about equally (pytest's and the test's objects move the collector too), which
adds the same time to both sides of a ratio: a held ratio is larger than that, never smaller. P1 also
times the reused fakes and their floor without holding, with the builds counted (:func:`counted`), as
info. Uses pydantic's private ``_generics``; where it is gone, nothing is counted or held
(:func:`available`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_generics: Any
try:
    from pydantic._internal import _generics
except ImportError:  # pragma: no cover - a pydantic without it
    _generics = None


def available() -> bool:
    """Whether this pydantic builds generic classes through the function counted here."""
    return callable(getattr(_generics, "set_cached_generic_type", None))


class Builds:
    """How many generic classes were built so far, and (while held) each one, kept alive."""

    def __init__(self) -> None:
        self.count = 0
        self.holding = False
        self.kept: list[Any] = []


@contextmanager
def counted() -> Iterator[Builds]:
    """Count every generic class pydantic builds inside the block."""
    builds = Builds()
    if not available():
        yield builds
        return
    original = _generics.set_cached_generic_type

    def counting(*args: Any, **kwargs: Any) -> Any:
        # (parent, typevar_values, type_, origin=None, args=None): type_ is the class built
        builds.count += 1
        if builds.holding:
            builds.kept.append(kwargs["type_"] if "type_" in kwargs else args[2])
        return original(*args, **kwargs)

    _generics.set_cached_generic_type = counting
    try:
        yield builds
    finally:
        _generics.set_cached_generic_type = original


@contextmanager
def held(builds: Builds) -> Iterator[None]:
    """Inside the block (within :func:`counted`'s), every generic class alive now or built from now on
    stays alive; they are let go after it."""
    if available():
        builds.kept.extend(getattr(_generics, "_GENERIC_TYPES_CACHE", {}).values())
    builds.holding = True
    try:
        yield
    finally:
        builds.holding = False
        builds.kept.clear()
