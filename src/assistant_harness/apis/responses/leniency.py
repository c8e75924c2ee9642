"""What the API takes that its spec refuses (see docs/fidelity.md): request bodies are filled in
where the real API is lenient, for validation only, before they are checked against the spec.

- A function tool without ``strict`` or ``parameters`` (agno, hand-written clients).
- An earlier answer sent back as an input item, ``{"type": "message", "role": "assistant",
  "content": [{"type": "output_text", ...}]}``, without ``status`` or ``id``, its text parts without
  ``logprobs`` (LangChain's ``ChatOpenAI`` replays its history so; the Agents SDK's
  ``OpenAIConversationsSession`` posts such items to a conversation). The spec's ``OutputMessage``
  and ``OutputTextContent`` require them.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

#: Content parts only an answer holds: a message carrying them is an OutputMessage.
_OUTPUT_PARTS = frozenset({"output_text", "refusal"})


def create_body(body: Any) -> Any:
    """A ``POST /responses`` body as the spec's ``CreateResponse`` reads it."""
    if not isinstance(body, dict):  # not an object: the schema check says so (a 400)
        return body
    filled = dict(body)
    tools = body.get("tools")
    if isinstance(tools, list):
        filled["tools"] = [
            {"strict": None, "parameters": None, **t}
            if isinstance(t, dict) and t.get("type") == "function"
            else t
            for t in tools
        ]
    if isinstance(body.get("input"), list):
        filled["input"] = items(body["input"])
    return filled


def items_body(body: Any) -> Any:
    """A ``POST /conversations/{id}/items`` body as ``CreateConversationItemsBody`` reads it."""
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        return body
    return {**body, "items": items(body["items"])}


def items(given: list[Any]) -> list[Any]:
    """Input items, replayed answers given the ``id`` and ``status`` the spec requires."""
    return [_output_message(item) if _is_replayed_answer(item) else item for item in given]


def _is_replayed_answer(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("role") == "assistant"
        and item.get("type", "message") == "message"
        and isinstance(item.get("content"), list)
        and any(isinstance(p, dict) and p.get("type") in _OUTPUT_PARTS for p in item["content"])
    )


def _output_message(item: Obj) -> Obj:
    parts = [
        {"logprobs": [], **p} if isinstance(p, dict) and p.get("type") == "output_text" else p
        for p in item["content"]
    ]
    return {"type": "message", "id": "msg_replayed", "status": "completed", **item, "content": parts}
