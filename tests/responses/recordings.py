"""The vendored real Responses recordings (tests/data/real-cassettes/responses), read as exchanges."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parents[1] / "data" / "real-cassettes" / "responses"
PLAIN = "pydantic-ai-test_background_mode_vcr.yaml"
TOOL = "pydantic-ai-test_background_mode_with_tool_vcr.yaml"
STREAMING = "pydantic-ai-test_background_mode_streaming_starting_after_vcr.yaml"


@dataclass
class Exchange:
    method: str
    uri: str
    request: Any
    #: The JSON body, or for a stream the events' payloads in order.
    body: Any
    streamed: bool


def events(text: str) -> list[dict[str, Any]]:
    """The JSON payloads of an SSE body, in order."""
    out = []
    for block in text.split("\n\n"):
        for line in block.splitlines():
            if line.startswith("data: "):
                out.append(json.loads(line[len("data: ") :]))
    return out


def load(name: str) -> list[Exchange]:
    data = yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
    exchanges = []
    for interaction in data["interactions"]:
        request, response = interaction["request"], interaction["response"]
        if "parsed_body" in response:
            body, streamed = response["parsed_body"], False
        else:
            body, streamed = events(response["body"]["string"]), True
        exchanges.append(
            Exchange(request["method"], request["uri"], request.get("parsed_body"), body, streamed)
        )
    return exchanges


def shape(value: Any) -> Any:
    """The key structure of a JSON value: dict keys (recursively), one list item's shape, or the
    JSON type of a scalar (null kept apart, since ``usage: null`` and ``usage: {...}`` differ)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if value is None:
        return None
    return (
        "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__
    )
