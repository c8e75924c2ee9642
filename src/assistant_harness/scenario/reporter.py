"""How the scenario loader reports a mistake: one line naming the file and the key path
(``scenarios/x.yaml: runs[0].steps[2].duration: must be a number ...``), with the value checks."""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from typing import Any, NoReturn

from ..engine import lifecycle as lc
from ..errors import ScenarioError, TimelineError
from ..secrets import safe
from ..textfiles import one_line

#: The longest duration a file may give (about 31 years of virtual time).
MAX_SECONDS = 1e9


class Reporter:
    """Error reporting with the file and the key path, and the checks of values it reports on."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> NoReturn:
        problem = safe(one_line(problem, 300))  # messages quote values: never a key
        raise ScenarioError(f"{self.source}: {path}: {problem}" if path else f"{self.source}: {problem}")

    def mapping(self, value: Any, path: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping of keys, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.fail(_join(path, str(key)), f"unknown key{hint}; allowed here: {', '.join(allowed)}")
        return value

    def sequence(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {type(value).__name__}")
        return value

    def number(self, value: Any, path: str) -> float:
        """Seconds: finite, >= 0 and at most :data:`MAX_SECONDS`."""
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (0 <= value <= MAX_SECONDS)  # also false for NaN
            or not math.isfinite(float(value))
        ):
            shown = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge number"
            self.fail(path, f"must be a number of seconds from 0 to {MAX_SECONDS:g}, not {shown}")
        return float(value)

    def duration(self, value: Any, path: str) -> float:
        """A step's seconds, or ``.inf``: held until an event moves it on (a cancel, expiry)."""
        if isinstance(value, float) and value == math.inf:
            return value
        return self.number(value, path)

    def timeline(
        self,
        steps: list[lc.Step],
        path: str,
        model: lc.StatusModel,
        options: dict[str, Any] | None = None,
    ) -> lc.Timeline:
        """``steps`` as a timeline of ``model``, checked; ``options`` (an entry's mapping) may give
        ``cancel_delay`` and ``expires``. Every API's scripts are read through this one place."""
        if (
            steps and steps[-1].duration == math.inf
        ):  # .inf holds a step until an event; the last holds anyway
            self.fail(
                f"{path}.steps[{len(steps) - 1}].duration",
                "the last step holds for ever already: leave .inf out",
            )
        given = options or {}
        cancel_delay = self.number(given.get("cancel_delay", 1.0), f"{path}.cancel_delay")
        expires = given.get("expires", True)
        if not isinstance(expires, bool):
            self.fail(f"{path}.expires", f"must be true or false, not {expires!r}")
        try:
            return lc.Timeline(steps, cancel_delay=cancel_delay, model=model, expires=expires)
        except TimelineError as error:
            raise ScenarioError(f"{self.source}: {path}.{error}") from None

    def count(self, value: Any, path: str, *, minimum: int = 0, maximum: int = 10**9) -> int:
        """A whole number in ``[minimum, maximum]``."""
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            shown = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge number"
            self.fail(path, f"must be a whole number from {minimum} to {maximum}, not {shown}")
        return value

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            self.fail(path, f"must be text, not {type(value).__name__} {value!r}")
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
