"""Scenarios: declarative files (YAML) that script runs, faults and seed data for a fake.

This module is the model (what a scenario is, how one is read and written, and how a fake plays its
runs). The pieces live below it: :mod:`.scripts` (run scripts, template replies), :mod:`.load`
(reading a file's keys, every mistake reported with the file and the key path, or line and column)
and :mod:`.write` (the data a file holds); neither of those knows ``Scenario``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..apis.batches.store import BatchScript
from ..apis.chat.store import ChatScript
from ..apis.responses.state import ResponseRequest, ResponseScript
from ..engine import lifecycle as lc
from ..engine.faults import Fault
from ..errors import ScenarioError
from . import load as reading
from . import write as writing
from .load import shipped
from .scripts import (
    ERROR_CODES,
    INCOMPLETE_REASONS,
    REPLY_FIELDS,
    RESPONSE_STEPS,
    RUN_STEPS,
    RunScript,
    StepRules,
    TemplateReply,
)
from .tools import FileScript

__all__ = [
    "ERROR_CODES",
    "INCOMPLETE_REASONS",
    "REPLY_FIELDS",
    "RESPONSE_STEPS",
    "RUN_STEPS",
    "RunScript",
    "Scenario",
    "ScenarioResponses",
    "ScenarioTimelines",
    "StepRules",
    "TemplateReply",
    "load",
    "parse",
    "shipped",
]


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
    #: Fine-tuning jobs' timelines, in creation order (the last one repeats).
    fine_tuning_jobs: tuple[lc.Timeline, ...] = ()

    def __post_init__(self) -> None:
        # Rules given as keyword mappings (as older code built them) become Fault rules.
        if any(not isinstance(rule, Fault) for rule in self.faults):
            rules = tuple(r if isinstance(r, Fault) else Fault(**r) for r in self.faults)
            object.__setattr__(self, "faults", rules)

    def make_faults(self) -> list[Fault]:
        return list(self.faults)

    def to_yaml(self) -> str:
        """The scenario as a file that :func:`load` reads back (computed replies cannot be written)."""
        return writing.to_yaml(self)

    @classmethod
    def from_yaml(cls, text: str, source: str = "<scenario>") -> Scenario:
        """The inverse of :meth:`to_yaml`."""
        return cls(**reading.fields(text, source))

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


# -- reading -----------------------------------------------------------------------------------


def load(source: str | Path | Scenario | lc.Timeline) -> Scenario:
    """A Scenario from a path, a shipped scenario's name (``"tool_call"``), a Scenario as is, or a
    Timeline (every run follows it)."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, lc.Timeline):
        return Scenario(name="timeline", runs=(RunScript(source),))
    path = Path(source)
    if path.suffix not in (".yaml", ".yml") and len(path.parts) == 1:
        return _load_shipped(str(source))
    return parse(reading.read(path), str(path))


@functools.cache
def _load_shipped(name: str) -> Scenario:
    """A shipped scenario (parsed once per process: a Scenario is immutable)."""
    text, source = reading.shipped_text(name)
    return parse(text, source, name=name)


def parse(text: str, source: str = "<scenario>", *, name: str | None = None) -> Scenario:
    """A Scenario from YAML text; ``source`` names the file in error messages."""
    return Scenario(**reading.fields(text, source, name=name))
