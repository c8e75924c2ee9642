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
from .lifecycle import Step, Timeline
from .store import RunRequest

__all__ = [
    "ConfigurationError",
    "FakeAssistants",
    "HangDetected",
    "HarnessError",
    "HarnessInterrupt",
    "RunRequest",
    "ScenarioError",
    "Step",
    "Timeline",
    "TimelineError",
    "UnservedEndpointError",
    "VirtualClock",
]

__version__ = "0.1.0"
