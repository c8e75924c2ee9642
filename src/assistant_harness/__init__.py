"""assistant-harness: test OpenAI Assistants API code offline, deterministically and for free.

Names are imported on first use (PEP 562): the pytest plugin loads this package in every pytest
process of a project that installs it, and most of those processes never start a fake.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant_harness' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later reads skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
