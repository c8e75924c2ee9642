"""A batch's input file read as the API reads it: one JSON request a line, each checked.

Problems do not refuse the create request: the batch is created and ends ``failed`` after
validating, its ``errors.data`` naming each bad line and the code the API uses
(``invalid_json_line``, ``duplicate_custom_id``, ``url_mismatch``, ``model_mismatch``,
``empty_file``, ``too_many_tasks``...).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]

#: The API's limits on one input file.
MAX_LINES = 50_000
MAX_BYTES = 200 * 1024 * 1024
#: How many line errors a failed batch lists (the rest are not read further).
MAX_ERRORS = 100


@dataclass(frozen=True, slots=True)
class Request:
    """One line of the input file: its 1-based line number, ``custom_id`` and request body."""

    line: int
    custom_id: str
    body: Mapping[str, Any]


def error(code: str, message: str, line: int | None = None, param: str | None = None) -> Obj:
    return {"code": code, "message": message, "param": param, "line": line}


def read(content: bytes, endpoint: str) -> tuple[list[Request], list[Obj]]:
    """The requests of ``content`` for a batch on ``endpoint``, or the errors that fail it."""
    if len(content) > MAX_BYTES:
        return [], [error("file_too_large", f"The input file is larger than the {MAX_BYTES} byte maximum.")]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return [], [error("invalid_file_format", "The input file must be UTF-8 encoded JSONL.")]
    # JSONL lines end at "\n" only: str.splitlines() would also cut at U+2028, U+0085..., which a
    # JSON string may hold raw (json.dumps(..., ensure_ascii=False) writes them so).
    lines = [(n, raw) for n, raw in enumerate(text.split("\n"), 1) if raw.strip()]
    if not lines:
        return [], [error("empty_file", "The input file is empty. Please provide at least one request.")]
    if len(lines) > MAX_LINES:
        return [], [
            error(
                "too_many_tasks",
                f"The input file has {len(lines)} requests, more than the {MAX_LINES} maximum per batch.",
            )
        ]
    requests: list[Request] = []
    errors: list[Obj] = []
    seen: set[str] = set()
    model: str | None = None
    for number, raw in lines:
        found = _check(raw, number, endpoint, seen)
        if isinstance(found, dict):
            errors.append(found)
        else:
            line_model = found.body.get("model")
            if model is None:
                model = line_model if isinstance(line_model, str) else None
            elif line_model != model:
                errors.append(
                    error(
                        "model_mismatch",
                        f"The model '{line_model}' does not match the model '{model}' of the other requests: "
                        "a batch uses one model.",
                        number,
                        "body.model",
                    )
                )
            requests.append(found)
        if len(errors) >= MAX_ERRORS:
            break
    return requests, errors


def _check(raw: str, number: int, endpoint: str, seen: set[str]) -> Request | Obj:
    try:
        data = json.loads(raw)
    except ValueError:
        return error("invalid_json_line", "This line is not parseable as valid JSON.", number)
    if not isinstance(data, dict):
        return error("invalid_json_line", "This line is not a JSON object.", number)
    for key in ("custom_id", "method", "url", "body"):
        if key not in data:
            return error("missing_required_parameter", f"Missing required parameter: '{key}'.", number, key)
    custom_id = data["custom_id"]
    if not isinstance(custom_id, str) or not custom_id:
        return error("invalid_custom_id", "The custom_id must be a non-empty string.", number, "custom_id")
    if custom_id in seen:
        return error(
            "duplicate_custom_id",
            "The custom_id for this request is a duplicate of another request. The custom_id parameter "
            "must be unique for each request in a batch.",
            number,
            "custom_id",
        )
    seen.add(custom_id)
    if data["method"] != "POST":
        return error("invalid_method", "The method must be POST.", number, "method")
    if data["url"] != endpoint and data["url"] != endpoint.removeprefix("/v1"):
        return error(
            "url_mismatch",
            f"The URL '{data['url']}' of this request does not match the batch's endpoint '{endpoint}'.",
            number,
            "url",
        )
    if not isinstance(data["body"], dict):
        return error("invalid_request", "The body must be a JSON object.", number, "body")
    return Request(number, custom_id, data["body"])
