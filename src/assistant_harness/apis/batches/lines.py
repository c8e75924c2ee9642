"""What happens to each request of a batch: its scripted outcome, its answer (what the fake answers
the endpoint directly), and the output and error file lines, shaped as the API writes them."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...http.messages import encode_json
from ..common.errors import ApiError
from ..common.ids import IdGenerator

Obj = dict[str, Any]

#: Answers one request body (with a scripted reply, or ``None``): ``(status code, answer body)``.
Answerer = Callable[[Mapping[str, Any], "str | None"], tuple[int, Obj]]


@dataclass(frozen=True, slots=True)
class LineRule:
    """How the requests whose ``custom_id`` matches ``custom_id`` (a glob) and, with ``every``, that
    are every n-th of the file (1-based) end: with ``reply`` (or the endpoint's default answer), with
    an HTTP error ``status`` and ``message``, or never (``unfinished``: still pending when the batch
    ends; a batch that completes anyway fails them)."""

    custom_id: str = "*"
    every: int | None = None
    reply: str | None = None
    status: int | None = None
    message: str | None = None
    code: str | None = None
    unfinished: bool = False

    def matches(self, custom_id: str, index: int) -> bool:
        if self.every is not None and (index + 1) % self.every:
            return False
        return self.custom_id == "*" or fnmatch.fnmatchcase(custom_id, self.custom_id)


def rule_for(rules: Sequence[LineRule], custom_id: str, index: int) -> LineRule:
    """The first rule matching request ``index`` of the file (every request answered by default)."""
    return next((rule for rule in rules if rule.matches(custom_id, index)), _ANSWERED)


_ANSWERED = LineRule()


def answer(answerer: Answerer, body: Mapping[str, Any], rule: LineRule) -> tuple[int, Obj]:
    """The request's answer: the rule's error, else the endpoint's (its own 4xx for a bad body)."""
    if rule.status is not None:
        kind = "server_error" if rule.status >= 500 else "invalid_request_error"
        message = rule.message or (
            "The server had an error processing your request."
            if rule.status >= 500
            else "The request was invalid."
        )
        return rule.status, ApiError(rule.status, message, type=kind, code=rule.code).body()
    try:
        return answerer(body, rule.reply)
    except ApiError as error:
        return error.status, error.body()


def output_line(ids: IdGenerator, custom_id: str, status: int, body: Obj, request_id: str) -> bytes:
    """A line of the output file (2xx) or the error file (the rest), as the API writes it."""
    line = {
        "id": ids.new("batch_request"),
        "custom_id": custom_id,
        "response": {"status_code": status, "request_id": request_id, "body": body},
        "error": None,
    }
    return _encode(line)


def unfinished_line(ids: IdGenerator, custom_id: str, code: str, message: str) -> bytes:
    """An error-file line for a request the batch never ran (expired, cancelled)."""
    line = {
        "id": ids.new("batch_request"),
        "custom_id": custom_id,
        "response": None,
        "error": {"code": code, "message": message},
    }
    return _encode(line)


def usage_of(body: Obj) -> tuple[int, int]:
    """(input tokens, output tokens) of an answer: chat's ``prompt``/``completion`` tokens, the
    Responses API's ``input``/``output`` tokens, embeddings' prompt tokens."""
    use = body.get("usage") or {}
    taken = int(use.get("input_tokens", use.get("prompt_tokens", 0)) or 0)
    given = int(use.get("output_tokens", use.get("completion_tokens", 0)) or 0)
    return taken, given


#: Line separators JSON allows raw in strings but ``str.splitlines()`` splits at: written escaped, so
#: a reader that splits the file into lines that way gets whole lines (as Go's encoder writes them).
_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def _encode(line: Obj) -> bytes:
    return encode_json(line).translate(_SEPARATORS).encode("utf-8")
