"""OpenAI's OpenAPI spec for tests: the vendored cut (tests/schemas/openapi.json), never ../shared.

``tools/vendor_schemas.py`` writes that cut from ../shared/openapi/openapi.json; tests compare the two
only when ../shared is there (``ASSISTANT_HARNESS_SHARED`` points elsewhere, e.g. from a worktree).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ASSISTANT_HARNESS_SHARED") or ROOT.parent / "shared")
SHARED_SPEC = SHARED / "openapi" / "openapi.json"
SHARED_CASSETTES = SHARED / "real-cassettes"
#: The cut of the spec the conformance tests read (paths' 200 answers, named schemas).
SPEC_PATH = ROOT / "tests" / "schemas" / "openapi.json"
#: Real recordings, vendored with their licence and scrubbed (tools/vendor_cassettes.py).
REAL_CASSETTES = ROOT / "tests" / "data" / "real-cassettes"


def require_shared(path: Path) -> Path:
    """For the tests that compare a vendored copy with its source: skipped, saying why, without it."""
    if not path.exists():
        pytest.skip(
            f"{path} is not here: only the check that the vendored copy matches it needs the project's "
            "shared/ folder (beside the checkout, or set ASSISTANT_HARNESS_SHARED)"
        )
    return path


@functools.lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
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


@functools.lru_cache(maxsize=1)
def components() -> dict[str, Any]:
    # Inline request bodies (CreateConversationItemsBody) are named by tools/vendor_schemas.py.
    translated: dict[str, Any] = translate_nullable(spec()["components"]["schemas"])
    return translated


def validator(schema_name: str) -> Any:
    from jsonschema import Draft202012Validator

    root = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": components()}}
    return Draft202012Validator(root)


def vendored_errors(schema_name: str, payload: Any) -> list[str]:
    """Why ``payload`` is not a valid ``schema_name`` by the vendored cut of the spec (empty: it is valid)."""
    from jsonschema import Draft202012Validator

    root = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": components()}}
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(root).iter_errors(payload)
    ]
