"""Validators for answer payloads from the schemas vendored into tests/data/schemas/answers.json
(by tools/vendor_schemas.py), so payload checks run without ../shared."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .spec import translate_nullable

ANSWERS = Path(__file__).resolve().parent / "data" / "schemas" / "answers.json"


@functools.lru_cache(maxsize=1)
def _schemas() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(ANSWERS.read_text(encoding="utf-8"))["schemas"]
    translated: dict[str, Any] = translate_nullable(loaded)
    return translated


def errors(schema_name: str, payload: Any) -> list[str]:
    """What the vendored schema ``schema_name`` finds wrong with ``payload`` (empty: valid)."""
    from jsonschema import Draft202012Validator

    root = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": _schemas()}}
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in Draft202012Validator(root).iter_errors(payload)
    ]
