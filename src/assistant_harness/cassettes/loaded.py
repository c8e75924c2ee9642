"""Cassettes parsed and indexed once per process while their file is unchanged.

A suite replays the same cassettes hundreds of times; parsing and indexing one again on every
``use_cassette`` was most of what entering it cost. The cache is keyed on the resolved path and the
matchers, and checked against the file's size, modification time (ns) and inode on every use: a
re-recorded cassette is written by rename, so it is a new inode and is read again, never served
stale. Each use gets its own cursor over the shared, never-changed interactions and index.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from .format import Cassette
from .matching import Matcher, ReplayIndex

#: How many cassettes (per matcher set) stay parsed; the least recently used go first.
KEPT = 256

_Stamp = tuple[int, int, int]
_CACHE: OrderedDict[tuple[str, tuple[object, ...]], tuple[_Stamp, Cassette, ReplayIndex]] = OrderedDict()


def load_indexed(path: str | Path, match_on: Iterable[str | Matcher]) -> tuple[Cassette, ReplayIndex]:
    """The cassette at ``path`` and a fresh replay index over it (its own cursor)."""
    matchers = tuple(match_on)
    try:
        status = os.stat(path)
    except OSError:
        return _parse(path, matchers)  # Cassette.load says what is wrong, in one line
    key = (os.path.realpath(path), tuple(m if isinstance(m, str) else id(m) for m in matchers))
    stamp = (status.st_size, status.st_mtime_ns, status.st_ino)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == stamp:
        _CACHE.move_to_end(key)
        return hit[1], hit[2].fresh()
    cassette, index = _parse(path, matchers)
    _CACHE[key] = (stamp, cassette, index)
    if len(_CACHE) > KEPT:
        _CACHE.popitem(last=False)
    return cassette, index.fresh()


def _parse(path: str | Path, matchers: tuple[str | Matcher, ...]) -> tuple[Cassette, ReplayIndex]:
    cassette = Cassette.load(path)
    return cassette, ReplayIndex(cassette.interactions, matchers)


def forget() -> None:
    """Drop every parsed cassette (tests that change files within one mtime tick call it)."""
    _CACHE.clear()
