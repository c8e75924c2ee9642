"""assistant-harness: test OpenAI Assistants API code offline, deterministically and for free."""

from .clock import VirtualClock
from .errors import (
    ConfigurationError,
    HangDetected,
    HarnessError,
    HarnessInterrupt,
    ScenarioError,
    TimelineError,
    UnservedEndpointError,
)
from .fake import FakeAssistants
from .faults import Fault
from .hangs import HangLimits
from .lifecycle import Step, Timeline
from .scenario import RunScript, Scenario
from .store import RunRequest

__all__ = [
    "ConfigurationError",
    "FakeAssistants",
    "Fault",
    "HangDetected",
    "HangLimits",
    "HarnessError",
    "HarnessInterrupt",
    "RunRequest",
    "RunScript",
    "Scenario",
    "ScenarioError",
    "Step",
    "Timeline",
    "TimelineError",
    "UnservedEndpointError",
    "VirtualClock",
]

__version__ = "0.1.0"
