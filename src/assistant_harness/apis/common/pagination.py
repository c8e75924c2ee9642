"""Cursor pagination exactly as the API does it: limit, order, after, before, has_more."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ApiError, invalid_value

Obj = dict[str, Any]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def page(
    items: Sequence[Obj],
    query: Mapping[str, str],
    *,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
) -> Obj:
    """One page of ``items`` (oldest first) as a list object.

    ``first_id``/``last_id`` are null on an empty page, as the real API sends them (the spec says
    string; see docs/fidelity.md). ``has_more`` is false on the last page, so the SDK's
    auto-pagination stops without an extra request. Limits are 1-100 (default 20) except where an
    endpoint says otherwise (``files.list``: 1-10,000, default 10,000).
    """
    limit = _limit(query.get("limit"), default_limit, max_limit)
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid_value("order", order, ["asc", "desc"])
    ordered = list(reversed(items)) if order == "desc" else list(items)
    after, before = query.get("after"), query.get("before")
    if after is not None:
        # An unknown cursor (a deleted object, say) gives an empty page, not an error.
        position = _position(ordered, after)
        rest = ordered[position + 1 :] if position >= 0 else []
        data, has_more = rest[:limit], len(rest) > limit
    elif before is not None:
        head = ordered[: max(_position(ordered, before), 0)]
        data, has_more = head[-limit:], len(head) > limit
    else:
        data, has_more = ordered[:limit], len(ordered) > limit
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def _position(ordered: Sequence[Obj], object_id: str) -> int:
    for index, item in enumerate(ordered):
        if item["id"] == object_id:
            return index
    return -1


def _limit(raw: str | None, default: int, most: int) -> int:
    if raw is None:
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise ApiError(
            400,
            "Invalid type for 'limit': expected an integer, but got a string instead.",
            param="limit",
            code="invalid_type",
        ) from None
    if limit < 1:
        raise ApiError(
            400,
            f"Invalid 'limit': integer below minimum value. Expected a value >= 1, but got {limit} instead.",
            param="limit",
            code="integer_below_min_value",
        )
    if limit > most:
        raise ApiError(
            400,
            f"Invalid 'limit': integer above maximum value. Expected a value <= {most}, "
            f"but got {limit} instead.",
            param="limit",
            code="integer_above_max_value",
        )
    return limit
