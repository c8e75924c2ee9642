"""Chat completions as the fake answers them: a scripted reply or tool calls, else a default reply
(JSON that fits a ``json_schema`` response format, a sentence naming tool outputs, or an echo)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...engine.clock import VirtualClock
from ...errors import call_user
from ..common.errors import ApiError
from ..common.ids import IdGenerator
from ..responses.state import example_for
from . import objects

Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChatReplyContext:
    """What a computed reply can see (the same attributes as the other APIs' reply contexts, so
    scenario reply templates work here too)."""

    messages: Sequence[Mapping[str, Any]]
    #: The tool messages at the end of the conversation, as one round: ``[[{"output": ...}]]``.
    tool_outputs: list[list[Obj]]

    @property
    def last_user_text(self) -> str:
        for msg in reversed(self.messages):
            if msg.get("role") == "user":
                return _text(msg.get("content"))
        return ""


ChatReplyFn = Callable[[ChatReplyContext], str]


@dataclass(frozen=True, slots=True)
class ChatScript:
    """What one completion answers: tool calls (``{"name", "arguments"}`` each) or a reply (text or
    a function of the :class:`ChatReplyContext`; ``None``: the default reply)."""

    reply: str | ChatReplyFn | None = None
    tool_calls: tuple[Mapping[str, Any], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """What a script source sees: 0 for the first completion the fake answers, 1 for the next..."""

    index: int
    body: Mapping[str, Any]


ChatScriptSource = Callable[[ChatRequest], "ChatScript | None"]


def _no_scripts(_: ChatRequest) -> ChatScript | None:
    return None


class ChatCompletions:
    """The fake's chat completions (none are stored: ``store: true`` is not served)."""

    def __init__(
        self, clock: VirtualClock, ids: IdGenerator, scripts: ChatScriptSource = _no_scripts
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.scripts = scripts
        #: How many completions were answered (the next script index).
        self.created = 0
        #: The ``ft:`` models fine-tuning jobs made (any other ``ft:`` model is a 404).
        self.fine_tuned: set[str] = set()

    def create(self, body: Mapping[str, Any], script: ChatScript | None = None) -> Obj:
        """A completion for a validated body: ``script`` (a batch line's), else the next scripted one."""
        model = str(body["model"])
        if model.startswith("ft:") and model not in self.fine_tuned:
            raise ApiError(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                code="model_not_found",
            )
        messages: list[Mapping[str, Any]] = list(body["messages"])
        if script is None:  # a batch request's own reply does not use up a scripted one
            script = self.scripts(ChatRequest(self.created, body)) or ChatScript()
            self.created += 1
        context = ChatReplyContext(messages, _tool_round(messages))
        if script.tool_calls:
            calls = [
                objects.tool_call(
                    str(c.get("id") or self.ids.new("call")), str(c["name"]), c.get("arguments", {})
                )
                for c in script.tool_calls
            ]
            msg, reply = objects.message(None, calls), json.dumps([c["function"] for c in calls])
        else:
            reply = _reply(script.reply, context, body)
            msg = objects.message(reply)
        n = int(body.get("n") or 1)
        choices = [objects.choice(i, dict(msg)) for i in range(n)]
        prompt = " ".join(_text(m.get("content")) for m in messages)
        return objects.completion(
            self.ids.new("chat"),
            int(self.clock.time()),
            str(body["model"]),
            choices,
            objects.usage(prompt, [reply] * n),
        )


def default_reply(context: ChatReplyContext, body: Mapping[str, Any]) -> str:
    """JSON that fits a ``json_schema`` response format (``{}`` for ``json_object``), a sentence
    naming the tool outputs just sent, or one echoing the user."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return json.dumps(
            example_for((fmt.get("json_schema") or {}).get("schema") or {}), separators=(",", ":")
        )
    if fmt.get("type") == "json_object":
        return "{}"
    if context.tool_outputs:
        return "Tool outputs received: " + ", ".join(str(o["output"]) for o in context.tool_outputs[-1])
    return f"This is the fake's reply to your message: {context.last_user_text}"


def _reply(given: str | ChatReplyFn | None, context: ChatReplyContext, body: Mapping[str, Any]) -> str:
    if given is None:
        return default_reply(context, body)
    if isinstance(given, str):
        return given
    return call_user("the chat completion's reply", given, context)


def _tool_round(messages: Sequence[Mapping[str, Any]]) -> list[list[Obj]]:
    """The tool messages that end the conversation (the answers to the last tool calls)."""
    tail: list[Obj] = []
    for msg in reversed(messages):
        if msg.get("role") != "tool":
            break
        tail.insert(0, {"call_id": msg.get("tool_call_id"), "output": _text(msg.get("content"))})
    return [tail] if tail else []


def _text(content: Any) -> str:
    """A message's content as text: a string, or the text of its parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""
