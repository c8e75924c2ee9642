"""A response and everything the fake tracks about it beyond its API object; the default replies."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine import lifecycle as lc
from ...engine.events import EventLog
from ...engine.hangs import Pollable, PollRecord
from ...errors import ScenarioError

Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a computed reply can see: the response, the conversation so far, the tool outputs sent.

    The same attributes as the Assistants layer's, so scenario reply templates work for both.
    """

    response: Obj
    #: Every item of the conversation: earlier responses' input and output, then this input.
    items: list[Obj]
    #: One list per response of the conversation that sent tool outputs: ``{"call_id", "output"}``.
    tool_outputs: list[list[Obj]]

    @property
    def last_user_text(self) -> str:
        for item in reversed(self.items):
            if item.get("type") == "message" and item.get("role") == "user":
                return "".join(str(p.get("text", "")) for p in item["content"])
        return ""


ReplyFn = Callable[[ReplyContext], str]


def default_reply(context: ReplyContext) -> str:
    """The reply when a timeline gives none.

    With a JSON-schema ``text.format`` (``responses.parse``), a minimal JSON value that fits the
    schema; with tool outputs just sent, a sentence naming them; otherwise one echoing the user (long
    enough to stream in more than ten deltas).
    """
    fmt = context.response["text"]["format"]
    if fmt.get("type") == "json_schema":
        return json.dumps(example_for(fmt.get("schema") or {}), separators=(",", ":"))
    if fmt.get("type") == "json_object":
        return "{}"
    if context.tool_outputs and context.tool_outputs[-1]:
        outputs = ", ".join(str(o["output"]) for o in context.tool_outputs[-1])
        return f"Tool outputs received: {outputs}"
    return f"This is the fake's reply to your message: {context.last_user_text}"


def example_for(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """The smallest JSON value that fits ``schema`` (a JSON Schema as ``text_format`` sends it).

    Covers what the SDK's ``to_strict_json_schema`` emits (objects, arrays, scalars, enums, consts,
    ``anyOf``, ``$ref`` into ``$defs``); anything else raises :class:`ScenarioError` saying to script
    a reply.
    """
    root = schema if root is None else root
    if "default" in schema:
        return schema["default"]
    if depth > 32:
        raise ScenarioError("the text_format schema nests too deeply for a default reply; script a reply")
    if "$ref" in schema:
        ref = str(schema["$ref"])
        target: Any = root
        for part in ref.removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        return example_for(target, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return example_for(options[0], root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None and "properties" not in schema and not {"not", "if"} & set(schema):
        # No type (``{}``, a bare description): other types' keywords do not apply to an object, so
        # an object with the keys it requires fits.
        required = schema.get("required")
        return {str(name): {} for name in required} if isinstance(required, list) else {}
    if kind == "object" or (kind is None and "properties" in schema):
        props: Mapping[str, Any] = schema.get("properties", {})
        return {name: example_for(props[name], root, depth + 1) for name in schema.get("required", props)}
    if kind == "array":
        count = int(schema.get("minItems", 0))
        return [example_for(schema.get("items", {}), root, depth + 1) for _ in range(count)]
    scalars: dict[Any, Any] = {"string": "example", "integer": 0, "number": 0, "boolean": False, "null": None}
    if isinstance(kind, str) and kind in scalars:
        minimum = schema.get("minimum")
        if kind in ("integer", "number") and minimum is not None:
            return minimum
        return scalars[kind]
    raise ScenarioError(
        f"no default reply fits the text_format schema (cannot build a value for {dict(schema)!r}); "
        "give the response's completed step a reply (a JSON string that fits the schema)"
    )


@dataclass(frozen=True, slots=True)
class ResponseScript:
    """What one response follows: its timeline and, optionally, how long it is kept."""

    timeline: lc.Timeline
    #: Virtual seconds after creation when the response is gone (404); ``None``: kept.
    retention: float | None = None


@dataclass(frozen=True, slots=True)
class ResponseRequest:
    """What a timeline source sees when it picks the script of a new response."""

    #: 0 for the first response the fake creates, 1 for the next...
    index: int
    body: Mapping[str, Any]


@dataclass(eq=False, slots=True)
class ResponseState(Pollable):
    """A response, its input, its event log, and what polling it looked like."""

    obj: Obj
    progress: lc.Progress
    #: The input items as the API lists them back (``/input_items``).
    input: list[Obj]
    #: The conversation before this response (previous responses' input and output), oldest first.
    context: list[Obj]
    events: EventLog
    #: Virtual time after which the response is gone (404); ``None``: kept.
    gone_at: float | None = None
    #: The tool outputs this response's input sent back: ``{"call_id", "output"}`` each.
    tool_outputs: list[Obj] = field(default_factory=list)
    #: The conversation this response reads and extends (``conversation`` on create), if any.
    conversation_id: str | None = None
    #: Every status the response entered, with the virtual time it entered it.
    history: list[tuple[str, float]] = field(default_factory=list)
    #: How the response was fetched (hang detection keeps it).
    polling: PollRecord = field(default_factory=PollRecord)

    @property
    def status(self) -> str:
        return str(self.obj["status"])

    @property
    def function_calls(self) -> list[Obj]:
        """The ``function_call`` items among the output (what the client must answer)."""
        return [item for item in self.obj["output"] if item["type"] == "function_call"]
