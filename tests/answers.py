"""Validators for answer payloads (conversations, webhook events) from the vendored test spec,
tests/schemas/openapi.json (written by tools/vendor_schemas.py), so payload checks run without
../shared."""

from __future__ import annotations

from typing import Any

from .spec import validator


def errors(schema_name: str, payload: Any) -> list[str]:
    """What the vendored schema ``schema_name`` finds wrong with ``payload`` (empty: valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator(schema_name).iter_errors(payload)
    ]
