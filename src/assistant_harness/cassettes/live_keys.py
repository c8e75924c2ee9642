"""The match key of a live request on replay, with the default redaction applied, computed once per
distinct URL and body.

Replay redacts each live request as its recording was redacted (so a redacted query value or JSON
field still matches), then canonicalises its body. Both are pure functions of the URL and of the body
and its content type, and a test sends the same ones again and again (a poll is one URL; a suite
replays the same cassettes hundreds of times), so their results are cached. Large bodies (uploads)
are not kept: they are rarely sent twice, and the cache must stay small.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from ..secrets import scrub_body, scrub_url
from .interaction import Body
from .matching import RequestKey, canonical_body, url_parts

#: Bodies up to this size have their canonical form cached (chat and run bodies are a few KB).
CACHED_BODY_BYTES = 64 * 1024
_URLS_KEPT = 4096
_BODIES_KEPT = 1024

_UrlKey = tuple[str, str, str, tuple[tuple[str, str], ...]]


def live_key(method: str, url: str, headers: Mapping[str, str], body: bytes) -> RequestKey:
    """The key of a live request (``headers`` without the wire-only ones), redacted as recorded."""
    scrubbed, host, path, query = _url_key(url)
    content_type = headers.get("content-type", "")
    if len(body) <= CACHED_BODY_BYTES:
        canonical = _cached_body_key(body, content_type)
    else:
        canonical = _body_key(body, content_type)
    return RequestKey(method, host, path, query, canonical, scrubbed, headers)


@functools.lru_cache(maxsize=_URLS_KEPT)
def _url_key(url: str) -> _UrlKey:
    """(the URL redacted, its host, path and sorted query), as ``interaction_key`` reads a recording."""
    scrubbed = scrub_url(url)
    return (scrubbed, *url_parts(scrubbed))


def _body_key(body: bytes, content_type: str) -> str:
    decoded = Body.decode(body, content_type)
    redacted = Body(decoded.kind, scrub_body(decoded.kind, decoded.value))
    return canonical_body(redacted.encode(), content_type)


_cached_body_key = functools.lru_cache(maxsize=_BODIES_KEPT)(_body_key)
