"""Scenarios: declarative files (YAML) that script runs, faults and seed data for a fake.

This module is the model (what a scenario is, and how a fake plays its runs); :mod:`.load` reads
files (every mistake reported with the file and the key path, or line and column) and :mod:`.write`
turns a scenario back into a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..apis.assistants.runs import ReplyContext
from ..apis.assistants.statuses import RUN_MODEL, STEP_KEYS
from ..apis.batches.store import BatchScript
from ..apis.chat.store import ChatScript
from ..apis.responses import statuses as responses
from ..apis.responses.state import ResponseRequest, ResponseScript
from ..engine import lifecycle as lc
from ..engine.faults import Fault
from ..errors import ScenarioError
from .tools import FileScript

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


@dataclass(frozen=True, repr=False)
class Scenario:
    """Everything a fake needs to play a scenario. Build one in Python or load it with :func:`load`."""

    name: str = "scenario"
    description: str = ""
    runs: tuple[RunScript, ...] = ()
    #: The Responses API's scripts, picked in creation order (the last one repeats).
    responses: tuple[ResponseScript, ...] = ()
    #: Cancelling a finished response: ``return`` it unchanged (OpenAI) or answer ``conflict`` (409).
    cancel_finished: str | None = None
    #: Fault rules (frozen: each fake counts requests against them in its own counters).
    faults: tuple[Fault, ...] = ()
    assistants: tuple[Mapping[str, Any], ...] = ()
    threads: tuple[Mapping[str, Any], ...] = ()
    seed: int | None = None
    poll_after_ms: int | None = None
    #: The final status the scenario's first run reaches (documentation, checked by our tests).
    outcome: str | None = None
    source: str | None = field(default=None, compare=False)
    #: How vector-store files are processed (the first script matching a file's name wins).
    file_processing: tuple[FileScript, ...] = ()
    #: The Batch API's scripts, picked in creation order (the last one repeats).
    batches: tuple[BatchScript, ...] = ()
    #: Chat completions' replies or tool calls, in order (the last one repeats).
    chat: tuple[ChatScript, ...] = ()

    def __post_init__(self) -> None:
        # Rules given as keyword mappings (as older code built them) become Fault rules.
        if any(not isinstance(rule, Fault) for rule in self.faults):
            rules = tuple(r if isinstance(r, Fault) else Fault(**r) for r in self.faults)
            object.__setattr__(self, "faults", rules)

    def make_faults(self) -> list[Fault]:
        return list(self.faults)

    def to_yaml(self) -> str:
        """The scenario as a file that :func:`load` reads back (computed replies cannot be written)."""
        from .write import to_yaml

        return to_yaml(self)

    @classmethod
    def from_yaml(cls, text: str, source: str = "<scenario>") -> Scenario:
        """The inverse of :meth:`to_yaml`."""
        from .load import parse

        return parse(text, source)

    def __repr__(self) -> str:
        # Printed in full, as a file: a failing Hypothesis example can be saved into scenarios/.
        try:
            text = self.to_yaml()
        except ScenarioError:
            return f"Scenario(name={self.name!r}, runs={len(self.runs)}, faults={len(self.faults)})"
        return f"Scenario.from_yaml('''\n# Save as scenarios/{self.name}.yaml to replay it.\n{text}''')"


# -- playing ---------------------------------------------------------------------------------


class ScenarioTimelines:
    """Picks each new run's timeline: the scripts for its assistant in order, else the general
    scripts in order; the last one of a list repeats; with no script, the default timeline."""

    def __init__(self, scenario: Scenario, default: lc.Timeline) -> None:
        self._general = [r.timeline for r in scenario.runs if r.assistant is None]
        self._by_assistant: dict[str, list[lc.Timeline]] = {}
        for run in scenario.runs:
            if run.assistant is not None:
                self._by_assistant.setdefault(run.assistant, []).append(run.timeline)
        self._used: dict[str | None, int] = {}
        self._default = default

    def __call__(self, request: Any) -> lc.Timeline:
        name = request.assistant_name
        own = self._by_assistant.get(name) if name is not None else None
        scripts, key = (own, name) if own else (self._general, None)
        if not scripts:
            return self._default
        used = self._used.get(key, 0)
        self._used[key] = used + 1
        return scripts[min(used, len(scripts) - 1)]


class ScenarioResponses:
    """Picks each new response's script from the scenario's ``responses:`` in creation order; once
    they are used up, the last one repeats (so a final reply answers every later request)."""

    def __init__(self, scenario: Scenario) -> None:
        if not scenario.responses:
            raise ValueError("the scenario has no responses: list")
        self._scripts = scenario.responses

    def __call__(self, request: ResponseRequest) -> ResponseScript:
        return self._scripts[min(request.index, len(self._scripts) - 1)]


# The loading functions under their old import path (``fake`` and users import them from here).


def load(source: str | Path | Scenario | lc.Timeline) -> Scenario:
    """See :func:`.load.load`."""
    from .load import load as load_

    return load_(source)


def parse(text: str, source: str = "<scenario>", *, name: str | None = None) -> Scenario:
    """See :func:`.load.parse`."""
    from .load import parse as parse_

    return parse_(text, source, name=name)
