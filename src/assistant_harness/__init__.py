"""assistant-harness: test OpenAI Assistants API code offline, deterministically and for free."""

from .clock import VirtualClock
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
from .fake import FakeAssistants
from .faults import Fault
from .hangs import HangLimits
from .lifecycle import Step, Timeline
from .recording import RecordMode, use_cassette
from .scenario import RunScript, Scenario
from .store import RunRequest

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
