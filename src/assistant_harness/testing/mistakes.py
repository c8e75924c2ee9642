"""What the pytest plugin tells a user who made a mistake: a scenario, cassette or setting error as
its one line (the harness's frames say nothing the message does not), and a test that forgot the fake.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..errors import CassetteError, ConfigurationError, ScenarioError

#: Mistakes in the user's files and settings: the message names the file, key or setting.
USER_MISTAKES = (ScenarioError, CassetteError, ConfigurationError)
_PACKAGE = Path(__file__).resolve().parents[1]

FORGOT_THE_FAKE = (
    "a request to api.openai.com outside any fake or cassette, with the fake OPENAI_API_KEY the "
    "assistant-harness plugin set: mark the test @pytest.mark.assistant_scenario(...) (or use the "
    "fake_openai / openai_client fixture, or `with FakeOpenAI():`), or replay a recording with "
    "@pytest.mark.assistant_cassette; to call the real API, set a real OPENAI_API_KEY"
)
RECORDING_NEEDS_A_KEY = (
    "recording api.openai.com needs a real OPENAI_API_KEY (none was set, so the assistant-harness "
    "plugin set a fake one): export OPENAI_API_KEY and run again, or record the fake by adding "
    "@pytest.mark.assistant_scenario(...) beside the cassette marker"
)


def shorten(report: pytest.TestReport | pytest.CollectReport, call: Any, config: pytest.Config) -> None:
    """Replace a failed report's traceback by :func:`one_line` when the error is a user's mistake."""
    excinfo = getattr(call, "excinfo", None)
    if report.failed and excinfo is not None and not config.getoption("fulltrace"):
        line = one_line(excinfo, config.rootpath)
        if line is not None:
            report.longrepr = line


def one_line(excinfo: pytest.ExceptionInfo[BaseException], root: Path) -> str | None:
    """``path:line: ScenarioError: message`` for a user's mistake (the innermost frame in the user's
    project, if any), or ``None`` for any other error."""
    error = excinfo.value
    if not isinstance(error, USER_MISTAKES):
        return None
    return f"{_user_frame(excinfo, root)}{type(error).__name__}: {error}"


def _user_frame(excinfo: pytest.ExceptionInfo[BaseException], root: Path) -> str:
    for entry in reversed(excinfo.traceback):
        path = Path(entry.path)
        if _PACKAGE in path.parents or "site-packages" in path.parts or root not in path.parents:
            continue
        return f"{path.relative_to(root)}:{entry.lineno + 1}: "
    return ""
