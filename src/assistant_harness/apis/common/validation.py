"""Request-body validation against the OpenAPI request schemas, with the API's own error messages.

The schemas are vendored from OpenAI's spec (see tools/vendor_schemas.py); this walker covers the
JSON Schema keywords they use and reports the first problem the way the API does:
``Missing required parameter: 'tools[0].type'.``, ``Unknown parameter: 'foo'.``,
``Invalid type for 'temperature': expected a decimal, but got a string instead.``
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from .errors import ApiError, invalid_value, missing

Schema = Mapping[str, Any]

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a decimal",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _load() -> dict[str, Schema]:
    text = resources.files(__package__).joinpath("schemas/requests.json").read_text(encoding="utf-8")
    schemas: dict[str, Schema] = json.loads(text)["schemas"]
    for name, schema in schemas.items():
        _recursive_refs(schema, name)
    return schemas


def _recursive_refs(node: Any, name: str) -> None:
    """``$recursiveRef: "#"`` (a compound filter's filters may be compound filters) points back at the
    schema that holds it: made a plain ``$ref`` to it, so the walk checks nested levels too."""
    if isinstance(node, dict):
        if node.get("$recursiveRef") == "#":
            del node["$recursiveRef"]
            node["$ref"] = f"#/components/schemas/{name}"
        for value in node.values():
            _recursive_refs(value, name)
    elif isinstance(node, list):
        for value in node:
            _recursive_refs(value, name)


SCHEMAS: dict[str, Schema] = _load()

# The spec says ``format: uri`` here (prose, dropped when vendoring); the API refuses an empty url.
SCHEMAS["MessageContentImageUrlObject"]["properties"]["image_url"]["properties"]["url"]["minLength"] = 1
# The limits the spec states in prose only ("Set of 16 key-value pairs ... keys ... 64 characters ...
# values ... 512 characters"), which the API enforces with its usual wording (see docs/fidelity.md).
SCHEMAS["Metadata"]["anyOf"][0].update(
    maxProperties=16,
    propertyNames={"type": "string", "maxLength": 64},
    additionalProperties={"type": "string", "maxLength": 512},
)
# An empty id is a malformed request (400), not an unknown id (404).
for _schema, _name in (
    ("ResponseProperties", "previous_response_id"),
    ("TokenCountsBody", "previous_response_id"),
):
    SCHEMAS[_schema]["properties"][_name]["anyOf"][0]["minLength"] = 1
SCHEMAS["ConversationParam"]["oneOf"][0]["minLength"] = 1


def validate(schema_name: str, body: Any) -> None:
    """Raise :class:`ApiError` (400) if ``body`` does not fit the named request schema."""
    _check(SCHEMAS[schema_name], body, "")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _fits_type(expected: str | list[str], actual: str) -> bool:
    options = expected if isinstance(expected, list) else (expected,)
    return actual in options or (actual == "integer" and "number" in options)


def _resolve(schema: Schema) -> Schema:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _nullable(schema: Schema) -> bool:
    # ``nullable`` may sit beside a ``$ref`` ({"$ref": ..., "nullable": true}): read it before resolving.
    if schema.get("nullable"):
        return True
    schema = _resolve(schema)
    if schema.get("nullable") or schema.get("type") == "null":
        return True
    return any(_nullable(option) for option in schema.get("anyOf", ()) or schema.get("oneOf", ()))


def _check(schema: Schema, value: Any, path: str) -> None:
    if value is None and _nullable(schema):
        return
    schema = _resolve(schema)
    for sub in schema.get("allOf", ()):
        _check(sub, value, path)
    options = schema.get("oneOf") or schema.get("anyOf")
    if options:
        _check_options(options, value, path)
    expected = schema.get("type")
    actual = _json_type(value)
    if expected is not None and not _fits_type(expected, actual):
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES[n] for n in names)
        raise ApiError(
            400,
            f"Invalid type for '{path}': expected {wanted}, but got {_TYPE_NAMES[actual]} instead.",
            param=path,
            code="invalid_type",
        )
    if "enum" in schema and value not in schema["enum"]:
        raise invalid_value(path, value, [v for v in schema["enum"] if v is not None])
    # Keywords apply to values of their type, whether or not the schema names a type (anyOf options
    # such as {"required": ["file_ids"]} carry only the keyword).
    if actual == "object":
        _check_object(schema, value, path)
    elif actual == "array":
        _check_array(schema, value, path)
    elif actual in ("integer", "number"):
        _check_number(schema, value, path)
    elif actual == "string" and "minLength" in schema and len(value) < schema["minLength"]:
        raise ApiError(
            400,
            f"Invalid '{path}': empty string. Expected a string with minimum length "
            f"{schema['minLength']}, but got an empty string instead."
            if not value
            else f"Invalid '{path}': string too short. Expected a string with minimum length "
            f"{schema['minLength']}, but got a string with length {len(value)} instead.",
            param=path,
            code="empty_string" if not value else "string_below_min_length",
        )
    elif actual == "string" and "maxLength" in schema and len(value) > schema["maxLength"]:
        raise ApiError(
            400,
            f"Invalid '{path}': string too long. Expected a string with maximum length "
            f"{schema['maxLength']}, but got a string with length {len(value)} instead.",
            param=path,
            code="string_above_max_length",
        )
    elif actual == "string" and "pattern" in schema and not _matches(schema["pattern"], value):
        raise ApiError(
            400,
            f"Invalid '{path}': string does not match pattern. Expected a string that matches the "
            f"pattern '{schema['pattern']}'.",
            param=path,
            code="invalid_value",
        )


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _matches(pattern: str, value: str) -> bool:
    """JSON Schema's ``pattern``: a search, not a full match (the spec's patterns anchor themselves).
    A final ``$`` is ECMA's (the very end), not Python's (also before a final newline)."""
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        ecma = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
        compiled = _PATTERNS[pattern] = re.compile(ecma)
    return compiled.search(value) is not None


_DISCRIMINATORS: dict[int, tuple[str, dict[str, Schema]] | None] = {}
#: The properties whose one-value enum tells options apart: tools and items by ``type``, chat
#: messages by ``role`` (each option then checked alone, not tried in turn).
_TAGS = ("type", "role")


def _discriminator(options: list[Schema]) -> tuple[str, dict[str, Schema]] | None:
    """Cached per options list of the loaded schemas (loaded once, never changed, so ids are stable)."""
    key = id(options)
    if key not in _DISCRIMINATORS:
        non_null = [o for o in options if _resolve(o).get("type") != "null"]
        _DISCRIMINATORS[key] = next(
            ((tag, found) for tag in _TAGS if (found := _find_discriminator(non_null, tag)) is not None), None
        )
    return _DISCRIMINATORS[key]


def _find_discriminator(options: list[Schema], tag: str = "type") -> dict[str, Schema] | None:
    """Options told apart by a one-value ``tag`` property (as tools are by ``type``), keyed by that value."""
    found: dict[str, Schema] = {}
    for option in options:
        option = _resolve(option)
        tag_schema = option.get("properties", {}).get(tag)
        if tag_schema is None:
            return None
        tag_schema = _resolve(tag_schema)
        enum = tag_schema.get("enum")
        if option.get("type") != "object" or not enum or len(enum) != 1 or enum[0] in found:
            return None
        found[enum[0]] = option
    return found


_NON_NULL: dict[int, list[Schema]] = {}


def _non_null(options: list[Schema]) -> list[Schema]:
    """The options that are not ``type: null`` (cached per options list, as :func:`_typed_options`)."""
    found = _NON_NULL.get(id(options))
    if found is None:
        found = _NON_NULL[id(options)] = [o for o in options if _resolve(o).get("type") != "null"]
    return found


def _check_options(options: list[Schema], value: Any, path: str) -> None:
    non_null = _non_null(options)
    tagged = _discriminator(options) if isinstance(value, dict) else None
    if tagged is not None:
        tag, by_tag = tagged
        kind = value.get(tag)
        if kind is None:
            raise missing(_join(path, tag))
        if not isinstance(kind, str) or kind not in by_tag:
            raise invalid_value(_join(path, tag), kind, list(by_tag))
        _check(by_tag[kind], value, path)
        return
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        # Options whose own ``type`` enum rules the value out would fail anyway: skip them, so a
        # function_call_output item is not tried against two dozen other item kinds first.
        non_null = _non_null(_typed_options(options, value["type"])) or non_null
    errors: list[tuple[bool, ApiError]] = []
    for option in non_null:
        try:
            _check(option, value, path)
        except ApiError as error:
            declared = _resolve(option).get("type")
            errors.append((declared is not None and _fits_type(declared, _json_type(value)), error))
        else:
            return
    if errors:
        # Report the problem inside the option whose type fits the value, as the API does.
        raise next((e for fits, e in errors if fits), errors[0][1])


_TYPED: dict[tuple[int, str], list[Schema]] = {}


def _typed_options(options: list[Schema], kind: str) -> list[Schema]:
    """The options that allow ``type: kind`` (cached per options list of the loaded schemas, which are
    never changed, so their ids are stable; a value's ``type`` is one of few names)."""
    key = (id(options), kind)
    found = _TYPED.get(key)
    if found is None:
        found = [o for o in options if _allows_type(o, kind)]
        _TYPED[key] = found
    return found


def _allows_type(option: Schema, kind: str) -> bool:
    option = _resolve(option)
    if "oneOf" in option or "anyOf" in option or "allOf" in option:
        return True  # nested choices: let the walk decide
    type_schema = option.get("properties", {}).get("type")
    if type_schema is None:
        return True
    enum = _resolve(type_schema).get("enum")
    return enum is None or kind in enum


def _check_object(schema: Schema, value: dict[str, Any], path: str) -> None:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            raise missing(_join(path, name))
    extra = schema.get("additionalProperties", True)
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        raise ApiError(
            400,
            f"Invalid '{path}': too many properties. Expected an object with at most "
            f"{schema['maxProperties']} properties, but got an object with {len(value)} properties instead.",
            param=path,
            code="object_above_max_properties",
        )
    names = schema.get("propertyNames")
    for name, item in value.items():
        sub = properties.get(name)
        if names is not None:
            _check(names, name, _join(path, name))
        if sub is not None:
            _check(sub, item, _join(path, name))
        elif extra is False:
            raise ApiError(
                400,
                f"Unknown parameter: '{_join(path, name)}'.",
                param=_join(path, name),
                code="unknown_parameter",
            )
        elif isinstance(extra, dict):
            _check(extra, item, _join(path, name))


def _check_array(schema: Schema, value: list[Any], path: str) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        raise ApiError(
            400,
            f"Invalid '{path}': empty array. Expected an array with minimum length {schema['minItems']}, "
            f"but got an array with length {len(value)} instead.",
            param=path,
            code="empty_array" if not value else "array_below_min_length",
        )
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise ApiError(
            400,
            f"Invalid '{path}': array too long. Expected an array with maximum length {schema['maxItems']}, "
            f"but got an array with length {len(value)} instead.",
            param=path,
            code="array_above_max_length",
        )
    items = schema.get("items")
    if items is not None:
        for index, item in enumerate(value):
            _check(items, item, f"{path}[{index}]")


def _check_number(schema: Schema, value: float, path: str) -> None:
    word = "integer" if isinstance(value, int) and schema.get("type") == "integer" else "decimal"
    if "minimum" in schema and value < schema["minimum"]:
        raise ApiError(
            400,
            f"Invalid '{path}': {word} below minimum value. Expected a value >= {schema['minimum']}, "
            f"but got {value} instead.",
            param=path,
            code=f"{word}_below_min_value",
        )
    if "maximum" in schema and value > schema["maximum"]:
        raise ApiError(
            400,
            f"Invalid '{path}': {word} above maximum value. Expected a value <= {schema['maximum']}, "
            f"but got {value} instead.",
            param=path,
            code=f"{word}_above_max_value",
        )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
