"""The pieces a scenario is made of: a run's script, a reply written as a template, and what a
step may say in each API. :mod:`.load` builds them from files, :mod:`.write` writes them back and
:mod:`.model` puts them together into a ``Scenario``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..apis.assistants.runs import ReplyContext
from ..apis.assistants.statuses import RUN_MODEL, STEP_KEYS
from ..apis.responses import statuses as responses
from ..engine import lifecycle as lc

ERROR_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt")
INCOMPLETE_REASONS = ("max_completion_tokens", "max_prompt_tokens")
REPLY_FIELDS = ("tool_output", "tool_outputs", "user_message")


@dataclass(frozen=True)
class StepRules:
    """What a step may say in one API: its statuses, per-status keys, error codes, incomplete reasons."""

    model: lc.StatusModel
    step_keys: Mapping[str, tuple[str, ...]]
    error_codes: tuple[str, ...]
    reasons: tuple[str, ...]


RUN_STEPS = StepRules(RUN_MODEL, STEP_KEYS, ERROR_CODES, INCOMPLETE_REASONS)
RESPONSE_STEPS = StepRules(
    responses.RESPONSE_MODEL, responses.STEP_KEYS, responses.ERROR_CODES, responses.INCOMPLETE_REASONS
)


class TemplateReply:
    """A reply written as text with ``{tool_output}``, ``{tool_outputs}`` or ``{user_message}`` in it."""

    def __init__(self, template: str) -> None:
        self.template = template

    def __call__(self, context: ReplyContext) -> str:
        last = context.tool_outputs[-1] if context.tool_outputs else []
        return self.template.format(
            tool_output=last[0]["output"] if last else "",
            tool_outputs=", ".join(o["output"] for o in last),
            user_message=context.last_user_text,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TemplateReply) and other.template == self.template

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TemplateReply({self.template!r})"


@dataclass(frozen=True)
class RunScript:
    """The timeline for a run; with ``assistant``, only for runs of the assistant of that name."""

    timeline: lc.Timeline
    assistant: str | None = None
