"""Builders for vector stores, their files and file batches, with the real API's keys in its order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Obj = dict[str, Any]

#: The chunking the API reports when a request names none (``auto`` resolves to this).
DEFAULT_CHUNKING = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}

#: The ``last_error`` message a failed file gets for each code when its script gives none.
FILE_ERROR_MESSAGES = {
    "server_error": "An internal error occurred while processing the file.",
    "unsupported_file": "The file type is not supported.",
    "invalid_file": "The file could not be parsed.",
}


def vector_store(object_id: str, created_at: int, body: Mapping[str, Any]) -> Obj:
    obj: Obj = {
        "id": object_id,
        "object": "vector_store",
        "created_at": created_at,
        "name": body.get("name") or "",
        "usage_bytes": 0,
        "file_counts": file_counts([]),
        "status": "completed",
        "expires_at": None,
        "last_active_at": created_at,
        "metadata": dict(body.get("metadata") or {}),
    }
    if body.get("expires_after") is not None:
        obj["expires_after"] = dict(body["expires_after"])
        obj["expires_at"] = created_at + int(body["expires_after"].get("days", 0)) * 86400
    return obj


def vector_store_file(
    file_obj: Mapping[str, Any], created_at: int, store_id: str, body: Mapping[str, Any]
) -> Obj:
    chunking = body.get("chunking_strategy")
    return {
        "id": file_obj["id"],
        "object": "vector_store.file",
        "usage_bytes": file_obj["bytes"],
        "created_at": created_at,
        "vector_store_id": store_id,
        "status": "in_progress",
        "last_error": None,
        "chunking_strategy": DEFAULT_CHUNKING
        if chunking is None or chunking.get("type") == "auto"
        else chunking,
        "attributes": dict(body.get("attributes") or {}),
    }


def file_batch(object_id: str, created_at: int, store_id: str) -> Obj:
    return {
        "id": object_id,
        "object": "vector_store.files_batch",
        "created_at": created_at,
        "vector_store_id": store_id,
        "status": "in_progress",
        "file_counts": file_counts([]),
    }


def file_counts(statuses: list[str]) -> Obj:
    """``file_counts`` for files in these statuses."""
    counts = {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0}
    for status in statuses:
        counts[status] += 1
    return {**counts, "total": len(statuses)}


def file_error(payload: Mapping[str, Any]) -> Obj:
    """A failed file's ``last_error`` from its script's step payload."""
    given = payload.get("last_error") or {}
    code = given.get("code") or "server_error"
    return {"code": code, "message": given.get("message") or FILE_ERROR_MESSAGES.get(code, "")}
