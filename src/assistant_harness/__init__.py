"""assistant-harness: test OpenAI Assistants API code offline, deterministically and for free."""

from .clock import VirtualClock
from .errors import (
    CassetteError,
    CassetteMismatch,
    SecretInCassetteError,
    ConfigurationError,
    HangDetected,
    HarnessError,
    HarnessInterrupt,
    ScenarioError,
    TimelineError,
    UnservedEndpointError,
)
from .fake import FakeAssistants
from .recording import RecordMode, use_cassette
from .faults import Fault
from .hangs import HangLimits
from .lifecycle import Step, Timeline
from .scenario import RunScript, Scenario
from .store import RunRequest

__all__ = [
    "CassetteError",
    "CassetteMismatch",
    "SecretInCassetteError",
    "ConfigurationError",
    "FakeAssistants",
    "Fault",
    "HangDetected",
    "HangLimits",
    "HarnessError",
    "HarnessInterrupt",
    "RunRequest",
    "RecordMode",
    "RunScript",
    "Scenario",
    "ScenarioError",
    "Step",
    "Timeline",
    "TimelineError",
    "UnservedEndpointError",
    "VirtualClock",
    "use_cassette",
]

__version__ = "0.1.0"
