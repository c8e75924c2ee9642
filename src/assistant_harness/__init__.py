"""assistant-harness: test OpenAI Assistants API code offline, deterministically and for free.

Names are imported on first use (PEP 562): the pytest plugin loads this package in every pytest
process of a project that installs it, and most of those processes never start a fake.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING

from .errors import (
    CassetteError,
    CassetteMismatch,
    ConfigurationError,
    FakeBackendError,
    HangDetected,
    HarnessError,
    HarnessInterrupt,
    ScenarioError,
    SecretInCassetteError,
    TimelineError,
    UnservedEndpointError,
)
from .record_modes import RecordMode

if TYPE_CHECKING:
    from .clock import VirtualClock
    from .fake import FakeAssistants
    from .faults import Fault
    from .hangs import HangLimits
    from .lifecycle import Step, Timeline
    from .recording import use_cassette
    from .scenario import RunScript, Scenario
    from .store import RunRequest

#: Public name -> the module that defines it, imported when the name is first read.
_LAZY = {
    "VirtualClock": "clock",
    "FakeAssistants": "fake",
    "Fault": "faults",
    "HangLimits": "hangs",
    "Step": "lifecycle",
    "Timeline": "lifecycle",
    "use_cassette": "recording",
    "RunScript": "scenario",
    "Scenario": "scenario",
    "RunRequest": "store",
}


if not TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name stays an error

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is not None:
            value = getattr(_importlib.import_module(f".{module}", __name__), name)
            globals()[name] = value  # later reads skip this function
            return value
        if name.isidentifier() and not name.startswith("__"):
            # A submodule (``assistant_harness.fake``) reads as an attribute once imported, as it
            # did when this package imported everything eagerly.
            try:
                return _importlib.import_module(f".{name}", __name__)
            except ModuleNotFoundError as missing:
                if missing.name != f"{__name__}.{name}":
                    raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*__all__, *_LAZY, *(name for name in globals() if name.startswith("__"))})


__all__ = [
    "CassetteError",
    "CassetteMismatch",
    "ConfigurationError",
    "FakeAssistants",
    "FakeBackendError",
    "Fault",
    "HangDetected",
    "HangLimits",
    "HarnessError",
    "HarnessInterrupt",
    "RecordMode",
    "RunRequest",
    "RunScript",
    "Scenario",
    "ScenarioError",
    "SecretInCassetteError",
    "Step",
    "Timeline",
    "TimelineError",
    "UnservedEndpointError",
    "VirtualClock",
    "use_cassette",
]

__version__ = "0.1.0"
