"""assistant-harness: test code built on OpenAI's asynchronous APIs offline, deterministically and for free.

Names are imported on first use (PEP 562): the pytest plugin loads this package in every pytest
process of a project that installs it, and most of those processes never start a fake.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING

from .cassettes.record_modes import RecordMode
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
    WebhookDeliveryError,
)

if TYPE_CHECKING:
    from .apis.assistants.store import RunRequest
    from .apis.responses.state import ResponseRequest, ResponseScript
    from .apis.webhooks import WebhookDelivery, WebhookFault
    from .cassettes.recorder import use_cassette
    from .engine.clock import VirtualClock
    from .engine.faults import Fault
    from .engine.hangs import HangLimits
    from .engine.lifecycle import Step, Timeline
    from .fake import FakeAssistants, FakeOpenAI
    from .scenario.model import RunScript, Scenario
    from .settings import FakeSettings

#: Public name -> the module that defines it, imported when the name is first read.
_LAZY = {
    "VirtualClock": "engine.clock",
    "FakeAssistants": "fake",
    "FakeOpenAI": "fake",
    "ResponseRequest": "apis.responses.state",
    "ResponseScript": "apis.responses.state",
    "FakeSettings": "settings",
    "Fault": "engine.faults",
    "HangLimits": "engine.hangs",
    "Step": "engine.lifecycle",
    "Timeline": "engine.lifecycle",
    "use_cassette": "cassettes.recorder",
    "RunScript": "scenario.model",
    "Scenario": "scenario.model",
    "RunRequest": "apis.assistants.store",
    "WebhookDelivery": "apis.webhooks",
    "WebhookFault": "apis.webhooks",
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
    "FakeOpenAI",
    "FakeSettings",
    "Fault",
    "HangDetected",
    "HangLimits",
    "HarnessError",
    "HarnessInterrupt",
    "RecordMode",
    "ResponseRequest",
    "ResponseScript",
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
    "WebhookDelivery",
    "WebhookDeliveryError",
    "WebhookFault",
    "use_cassette",
]

__version__ = "0.1.0"
