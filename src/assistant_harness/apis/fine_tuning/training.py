"""A training file read as the API reads it: JSONL, one chat example a line (``messages`` with an
assistant reply), at least 10 examples. A bad file fails the job after ``validating_files`` with the
API's ``invalid_training_file`` error, naming the problem."""

from __future__ import annotations

import json
from typing import Any

from ..responses.objects import count_tokens

#: The fewest examples a training file may hold.
MIN_EXAMPLES = 10
ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})

Obj = dict[str, Any]


def check(content: bytes) -> tuple[int, Obj | None]:
    """(the file's tokens, or the job's ``error`` when the file is not a valid training file)."""
    try:
        # Lines end at "\n" only (not at U+2028, U+0085...: a JSON string may hold those raw).
        lines = [line for line in content.decode("utf-8").split("\n") if line.strip()]
    except UnicodeDecodeError:
        return 0, _invalid("The file is not UTF-8 encoded JSONL.")
    tokens = 0
    for number, line in enumerate(lines, 1):
        try:
            example = json.loads(line)
        except ValueError:
            return 0, _invalid(f"Line {number} is not valid JSON.")
        problem = _problem(example)
        if problem is not None:
            return 0, _invalid(f"Example {number}: {problem}")
        tokens += sum(count_tokens(str(m.get("content") or "")) for m in example["messages"])
    if len(lines) < MIN_EXAMPLES:
        return 0, _invalid(
            f"Training file has {len(lines)} example(s), but must have at least {MIN_EXAMPLES} examples."
        )
    return tokens, None


def _problem(example: Any) -> str | None:
    if (
        not isinstance(example, dict)
        or not isinstance(example.get("messages"), list)
        or not example["messages"]
    ):
        return "each line must be an object with a non-empty 'messages' list (chat format)."
    for message in example["messages"]:
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            return f"a message's role must be one of {', '.join(sorted(ROLES))}."
    if not any(m["role"] == "assistant" for m in example["messages"]):
        return "each example must contain at least one assistant message."
    return None


def _invalid(detail: str) -> Obj:
    return {
        "code": "invalid_training_file",
        "message": f"The job failed due to an invalid training file. {detail}",
        "param": "training_file",
    }
