"""Playing a scenario: which script each new run, or each new response, follows."""

from __future__ import annotations

from typing import Any

from ..apis.responses.state import ResponseRequest, ResponseScript
from ..engine import lifecycle as lc
from .model import Scenario


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
