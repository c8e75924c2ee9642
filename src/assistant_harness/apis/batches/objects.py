"""The batch object as the API shapes it: every ``*_at``, ``output_file_id``, ``error_file_id`` and
``errors`` is ``null`` until set, as the real API sends them (the spec types them as never null)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .statuses import TIMESTAMP_OF, VALIDATING

Obj = dict[str, Any]


def batch(batch_id: str, created_at: int, expires_at: int, body: Mapping[str, Any], model: str | None) -> Obj:
    obj: Obj = {
        "id": batch_id,
        "object": "batch",
        "endpoint": body["endpoint"],
        "model": model,
        "errors": None,
        "input_file_id": body["input_file_id"],
        "completion_window": body["completion_window"],
        "status": VALIDATING,
        "output_file_id": None,
        "error_file_id": None,
        "created_at": created_at,
        "expires_at": expires_at,
    }
    obj.update(dict.fromkeys(TIMESTAMP_OF.values()))
    obj["request_counts"] = {"total": 0, "completed": 0, "failed": 0}
    obj["usage"] = usage(0, 0)
    obj["metadata"] = body.get("metadata")
    return obj


def usage(input_tokens: int, output_tokens: int) -> Obj:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }
