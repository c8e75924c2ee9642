"""Helpers for tests that read OpenAI's OpenAPI spec from ../shared (skipped, saying why, without it)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SPEC_PATH = SHARED / "openapi" / "openapi.json"
REAL_CASSETTES = SHARED / "real-cassettes"


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (it lives in the project's shared/ folder beside the checkout)")
    return path


@functools.lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    with require(SPEC_PATH).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def translate_nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` (used inside this 3.1 document) as JSON Schema's null type."""
    if isinstance(node, list):
        return [translate_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: translate_nullable(value) for key, value in node.items() if key != "nullable"}
    if not node.get("nullable"):
        return out
    if "type" in out and "$ref" not in out and "anyOf" not in out and "oneOf" not in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [out, {"type": "null"}]}


#: Request bodies the spec declares inline on an operation, named as tools/vendor_schemas.py names them.
INLINE_BODIES = {"CreateConversationItemsBody": ("/conversations/{conversation_id}/items", "post")}


@functools.lru_cache(maxsize=1)
def components() -> dict[str, Any]:
    schemas = dict(spec()["components"]["schemas"])
    for name, (path, method) in INLINE_BODIES.items():
        body = spec()["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        schemas[name] = {"type": "object", **body}
    translated: dict[str, Any] = translate_nullable(schemas)
    return translated


def validator(schema_name: str) -> Any:
    from jsonschema import Draft202012Validator

    root = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": components()}}
    return Draft202012Validator(root)
