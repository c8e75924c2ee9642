"""Hypothesis strategies for requests to every operation the spec has under the served roots.

Operations come from tests/data/operations.json and body schemas from the package's vendored
requests.json (both written by tools/vendor_schemas.py), so no ../shared is needed. Values follow
the schemas most of the time, so requests reach deep into the handlers, and are junk the rest of
the time (wrong types, lone surrogates, NaN, huge numbers, deep nesting, bad bytes); ids come from
the objects the fake has answered so far, or are junk.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

from assistant_harness.apis.common.validation import SCHEMAS

DATA = json.loads((Path(__file__).parent / "data" / "operations.json").read_text(encoding="utf-8"))
OPERATIONS: list[dict[str, Any]] = DATA["operations"]
ALL_SCHEMAS: dict[str, Any] = {**SCHEMAS, **DATA["form_schemas"]}

#: Which answered objects fill which path parameter (and the parameters the object also names).
POOLS = {
    "assistant_id": "assistant",
    "thread_id": "thread",
    "message_id": "thread.message",
    "run_id": "thread.run",
    "step_id": "thread.run.step",
    "file_id": "file",
    "vector_store_id": "vector_store",
    "batch_id": "vector_store.file_batch",
    "response_id": "response",
    "conversation_id": "conversation",
    "fine_tuning_job_id": "fine_tuning.job",
    # Conversation items carry no `object`: their ids are never pooled, so the fuzz sends made-up ones.
    "item_id": "conversation.item",
}

TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(["", " ", "x" * 300, "None"])
SURROGATE = st.sampled_from(["\ud800", "a\udfffb", "\udc00\ud800"])
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 2**63, 10**400]),
)
ID_JUNK = (TEXT | SURROGATE).map(lambda text: text.replace("/", "_").strip(".") or "x")
JUNK: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT | SURROGATE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT | SURROGATE, inner, max_size=3),
    max_leaves=6,
)


@dataclass
class Pools:
    """The objects the fake has answered so far, by ``object`` type."""

    objects: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)

    def add(self, payload: Any) -> None:
        items = (
            payload.get("data")
            if isinstance(payload, dict) and payload.get("object") == "list"
            else [payload]
        )
        for item in items or ():
            if (
                isinstance(item, dict)
                and isinstance(item.get("id"), str)
                and isinstance(item.get("object"), str)
            ):
                pool = self.objects.setdefault(item["object"], [])
                if len(pool) < 50:
                    pool.append(item)


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = {
            **ALL_SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]],
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    return schema


#: Body properties that name objects: filled from the pools most of the time.
BODY_IDS = {
    "assistant_id": "assistant",
    "file_id": "file",
    "file_ids": "file",
    "vector_store_ids": "vector_store",
    "tool_call_id": "tool_call",
    "previous_response_id": "response",
}


def value(
    draw: st.DrawFn, schema: Mapping[str, Any], depth: int = 0, pools: Pools | None = None, junk: int = 4
) -> Any:
    """A value for ``schema``: usually fitting it, junk ``junk`` percent of the time (and deep down)."""
    if depth > 6 or draw(st.integers(0, 99)) < junk:
        return draw(JUNK)
    schema = _resolve(schema)
    if schema.get("nullable") and draw(st.integers(0, 9)) == 0:
        return None
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return value(draw, draw(st.sampled_from(options)), depth + 1, pools, junk)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part_value = value(draw, part, depth + 1, pools, junk)
            if isinstance(part_value, dict):
                merged.update(part_value)
        return merged
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = draw(st.sampled_from(kind))
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        out = {}
        for name, sub in properties.items():
            if name in required or draw(st.integers(0, 3)) == 0:
                out[name] = value(draw, sub, depth + 1, pools, junk)
                if name in BODY_IDS and pools is not None:
                    out[name] = _known_id(draw, pools, BODY_IDS[name], out[name])
        if not properties and draw(st.booleans()):
            out.update(draw(st.dictionaries(st.text(string.ascii_letters, max_size=8), TEXT, max_size=3)))
        return out
    if kind == "array":
        items = schema.get("items", {})
        return [value(draw, items, depth + 1, pools, junk) for _ in range(draw(st.integers(0, 3)))]
    if kind == "integer":
        fitting = st.integers(schema.get("minimum", -5), schema.get("maximum", 200_000))
        return draw(fitting | NUMBERS if junk else fitting)
    if kind == "number":
        low, high = schema.get("minimum", -5), schema.get("maximum", 5)
        return draw(st.floats(low, high) | NUMBERS if junk else st.floats(low, high))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "null":
        return None
    if junk:
        return draw(TEXT | SURROGATE)
    return draw(
        st.text(string.ascii_letters + string.digits + " -_", max_size=min(schema.get("maxLength", 12), 12))
    )


def _known_id(draw: st.DrawFn, pools: Pools, kind: str, drawn: Any) -> Any:
    """An id the fake knows in place of ``drawn`` (a list of them for a list), most of the time."""
    use_pool, index = draw(st.integers(0, 9)) < 8, draw(st.integers(0, 10**6))
    pool = pools.objects.get(kind, [])
    if not use_pool or not pool:
        return drawn
    known = pool[index % len(pool)]["id"]
    return [known] if isinstance(drawn, list) else known


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query, percent-encoded, relative to /v1
    headers: dict[str, str]
    body: bytes

    def __str__(self) -> str:
        return f"{self.method} {self.target} {self.body[:300]!r}"


def _path(draw: st.DrawFn, template: str, pools: Pools) -> str:
    """The path with ids the fake knows (mostly) or junk. Every draw is made whatever the pools hold,
    so Hypothesis sees the same shape of choices from run to run (the pools are outside state)."""
    names = [s[1:-1] for s in template.split("/") if s.startswith("{")]
    chosen: dict[str, str] = {}
    for name in reversed(names):  # the deepest first: its object names the others
        use_pool, index = draw(st.integers(0, 9)) < 8, draw(st.integers(0, 10**6))
        # No "/" or dot segments: those leave the route (an UnservedEndpointError in-process).
        junk = draw(ID_JUNK)
        if name in chosen:
            continue
        pool = pools.objects.get(POOLS[name], [])
        if use_pool and pool:
            obj = pool[index % len(pool)]
            chosen[name] = obj["id"]
            for other in names:
                if other not in chosen and isinstance(obj.get(other), str):
                    chosen[other] = obj[other]
        else:
            chosen[name] = junk
    path = template
    for name, raw in chosen.items():
        path = path.replace("{" + name + "}", quote(raw.encode("utf-8", "surrogatepass"), safe="") or "x")
    return path


def _query(draw: st.DrawFn, parameters: list[dict[str, Any]]) -> str:
    pairs = []
    for parameter in parameters:
        if parameter["required"] or draw(st.integers(0, 2)) == 0:
            raw = value(draw, parameter["schema"])
            text = (
                raw
                if isinstance(raw, str)
                else json.dumps(raw)
                if not isinstance(raw, (int, float))
                else repr(raw)
            )
            pairs.append((parameter["name"], text.encode("utf-8", "surrogatepass")))
    return urlencode(pairs)


def _json_body(draw: st.DrawFn, schema: str, pools: Pools) -> bytes:
    shape = draw(st.integers(0, 19))
    if shape == 0:
        return draw(st.binary(max_size=40))
    if shape == 1:
        return b"[" * draw(st.integers(60, 3000)) + b"]" * draw(st.integers(0, 3000))
    # Half the bodies fit the schema throughout (they reach the handlers); the rest hold some junk.
    body = value(draw, {"$ref": schema}, pools=pools, junk=draw(st.sampled_from([0, 0, 1, 3, 10])))
    return json.dumps(body, allow_nan=True).encode("utf-8")


def _form_body(draw: st.DrawFn, schema: str) -> tuple[bytes, str]:
    boundary = "fuzzb0und"
    fields = value(draw, {"$ref": schema})
    parts = b""
    for name, raw in fields.items() if isinstance(fields, dict) else []:
        content = raw if isinstance(raw, str) else json.dumps(raw, allow_nan=True)
        data = (
            content.encode("utf-8", "surrogatepass") if draw(st.booleans()) else draw(st.binary(max_size=20))
        )
        filename = (
            b'; filename="' + draw(st.binary(max_size=10)).replace(b'"', b"") + b'"'
            if name == "file"
            else b""
        )
        parts += (
            b"--"
            + boundary.encode()
            + b'\r\nContent-Disposition: form-data; name="'
            + name.encode("utf-8", "surrogatepass")  # a drawn field name may hold a lone surrogate
            + b'"'
            + filename
            + b"\r\n\r\n"
            + data
            + b"\r\n"
        )
    return parts + b"--" + boundary.encode() + b"--\r\n", f"multipart/form-data; boundary={boundary}"


@st.composite
def requests(draw: st.DrawFn, pools: Pools) -> Request:
    operation = draw(st.sampled_from(OPERATIONS))
    target = _path(draw, operation["path"], pools)
    query = _query(draw, operation["query"])
    headers = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}
    body = b""
    if operation["body"] is not None:
        if operation["body"]["content_type"] == "application/json":
            body = _json_body(draw, operation["body"]["schema"], pools)
            headers["content-type"] = "application/json"
        else:
            body, headers["content-type"] = _form_body(draw, operation["body"]["schema"])
    return Request(operation["method"], target + ("?" + query if query else ""), headers, body)
