"""pytest plugin: fixtures, markers and options that put the fake Assistants backend in a test.

Precedence, wherever a setting can come from several places: **command line > the
``assistant_harness_config`` fixture > the test's marker** (a project-wide choice beats a single
test's wish, and a one-off command line beats both). Applied in :func:`_settings`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..cassettes.record_modes import RecordMode

if TYPE_CHECKING:
    import openai

    from ..cassettes.recorder import use_cassette
    from ..fake import FakeAssistants, FakeOpenAI
    from .receiver import WebhookReceiver

# The fake and the recorder are imported inside the fixtures: this module loads in every pytest
# process of a project that installs the harness (the xdist controller too), most of which never
# start a fake.

#: The SDK's warnings on Assistants calls: ``deprecated`` (typing_extensions.deprecated on each
#: method) and the resource-level notice.
ASSISTANTS_DEPRECATION_FILTERS = (
    "ignore:deprecated$:DeprecationWarning",
    "ignore:The Assistants API is deprecated in favor of the Responses API:DeprecationWarning",
)

_FAKE_OPTIONS = (
    "seed",
    "poll_after_ms",
    "hang_limits",
    "virtual_time",
    "base_url",
    "faults",
    "response_timeline",
    "response_retention",
    "cancel_finished",
    "webhook_secret",
)
_CASSETTE_OPTIONS = ("match_on", "redact", "ignore_hosts")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("assistant-harness", "fake OpenAI Assistants API, cassettes and scenarios")
    group.addoption(
        "--record-mode",
        choices=[m.value for m in RecordMode] + ["rewrite"],
        default=None,
        help="cassette record mode for @pytest.mark.assistant_cassette tests (default: none)",
    )
    group.addoption(
        "--cassette-dir",
        default=None,
        help="where cassettes live (default: a 'cassettes' folder beside each test module)",
    )
    _add_network_options(group)
    group.addoption(
        "--scenario-dir",
        default=None,
        help="where scenario files named by @pytest.mark.assistant_scenario live (default: scenarios)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "assistant_scenario(scenario=None, **options): run the test against a FakeAssistants playing the "
        "scenario (a shipped name, or a file in --scenario-dir); options go to FakeAssistants.",
    )
    config.addinivalue_line(
        "markers",
        "assistant_cassette(path=None, record_mode=None, **options): record to / replay from a cassette "
        "(default path: cassettes/<module>/<test>.json beside the test module).",
    )
    # Calling deprecated Assistants methods is the whole point of the code under test, so exactly
    # those two warnings are ignored, and nothing else.
    for line in ASSISTANTS_DEPRECATION_FILTERS:
        config.addinivalue_line("filterwarnings", line)


@pytest.fixture
def assistant_harness_config() -> dict[str, Any]:
    """Project-wide settings for the fixtures; override this fixture in conftest.py."""
    return {}


def _settings(request: pytest.FixtureRequest, marker_name: str) -> dict[str, Any]:
    """Command line > assistant_harness_config fixture > marker, key by key."""
    marker = request.node.get_closest_marker(marker_name)
    merged: dict[str, Any] = dict(marker.kwargs) if marker else {}
    if marker and marker.args:
        merged["scenario" if marker_name == "assistant_scenario" else "path"] = marker.args[0]
    merged.update(request.getfixturevalue("assistant_harness_config"))
    options = request.config.option
    for key in ("record_mode", "cassette_dir", "scenario_dir"):
        value = getattr(options, key, None)
        if value is not None:
            merged[key] = value
    return merged


def _scenario_source(settings: dict[str, Any], request: pytest.FixtureRequest) -> Any:
    scenario = settings.get("scenario")
    if not isinstance(scenario, str) or not scenario.endswith((".yaml", ".yml")):
        return scenario  # None, a Scenario, or a shipped scenario's name
    folder = Path(settings.get("scenario_dir") or request.config.rootpath / "scenarios")
    for candidate in (folder / scenario, Path(request.node.path).parent / scenario, Path(scenario)):
        if candidate.exists():
            return candidate
    return scenario


@pytest.fixture
def fake_assistants(request: pytest.FixtureRequest) -> Iterator[FakeAssistants]:
    """A started FakeAssistants, playing the scenario of @pytest.mark.assistant_scenario if any."""
    settings = _settings(request, "assistant_scenario")
    options = {k: v for k, v in settings.items() if k in _FAKE_OPTIONS}
    from ..fake import FakeAssistants

    with FakeAssistants(_scenario_source(settings, request), **options) as fake:
        yield fake


@pytest.fixture
def fake_openai(fake_assistants: FakeAssistants) -> FakeOpenAI:
    """The same started fake as ``fake_assistants``, by its new name (it serves every API)."""
    return fake_assistants


@pytest.fixture
def openai_client(fake_assistants: FakeAssistants) -> openai.OpenAI:
    """An openai.OpenAI client answered by the fake (Assistants, Responses, Conversations; no network,
    no key needed); its ``webhook_secret`` is the fake's, so ``client.webhooks.unwrap`` verifies
    the fake's webhooks."""
    return fake_assistants.client(webhook_secret=fake_assistants.webhooks.secret)


@pytest.fixture
def async_openai_client(fake_assistants: FakeAssistants) -> openai.AsyncOpenAI:
    """An openai.AsyncOpenAI client answered by the fake, as ``openai_client``."""
    return fake_assistants.async_client(webhook_secret=fake_assistants.webhooks.secret)


@pytest.fixture
def webhook_receiver(fake_assistants: FakeAssistants) -> WebhookReceiver:
    """A webhook endpoint subscribed to the fake's Responses webhooks: it verifies each delivery with
    the SDK's ``client.webhooks.unwrap`` and records ``events`` (typed), ``webhook_ids`` and
    ``rejected``. (Over HTTP instead: ``WebhookReceiver(secret).serve()`` yields a URL on 127.0.0.1.)"""
    from .receiver import WebhookReceiver

    receiver = WebhookReceiver(fake_assistants.webhooks.secret)
    fake_assistants.webhooks.add(receiver)
    return receiver


def _cassette_path(settings: dict[str, Any], request: pytest.FixtureRequest) -> Path:
    module = Path(request.node.path)
    folder = Path(settings["cassette_dir"]) if settings.get("cassette_dir") else module.parent / "cassettes"
    given = settings.get("path")
    if given:
        path = Path(given)
        return path if path.is_absolute() else folder / path
    # One file per test, in a folder per module: parallel workers never write the same file.
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    return folder / module.stem / f"{name}.json"


@pytest.fixture
def assistant_cassette(request: pytest.FixtureRequest) -> Iterator[use_cassette]:
    """The active cassette (path and mode from @pytest.mark.assistant_cassette, --record-mode, the config)."""
    settings = _settings(request, "assistant_cassette")
    options = {k: v for k, v in settings.items() if k in _CASSETTE_OPTIONS}
    from ..cassettes.recorder import use_cassette

    cassette = use_cassette(
        _cassette_path(settings, request), settings.get("record_mode") or "none", **options
    )
    with cassette:
        yield cassette


@pytest.fixture(autouse=True)
def _assistant_harness_markers(request: pytest.FixtureRequest) -> None:
    """One marker is enough: it starts the fake (or the cassette) even if the test asks for no fixture."""
    # The fake first, then the cassette in front of it: with both, the cassette records the fake.
    if request.node.get_closest_marker("assistant_scenario") is not None:
        request.getfixturevalue("fake_assistants")
    if request.node.get_closest_marker("assistant_cassette") is not None:
        request.getfixturevalue("assistant_cassette")


# -- --block-network (as pytest-recording's) ---------------------------------------------------


def _add_network_options(group: Any) -> None:
    group.addoption(
        "--block-network",
        action="store_true",
        default=False,
        help="refuse every socket connection during tests, except to --allowed-hosts "
        "(a cassette that is recording still reaches its upstream)",
    )
    group.addoption(
        "--allowed-hosts",
        default="",
        help="comma-separated hosts (names or addresses) that --block-network lets through",
    )


@pytest.fixture(autouse=True)
def _assistant_harness_block_network(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --block-network, each test runs with every socket connection refused but the allowed ones."""
    if not request.config.getoption("block_network", default=False):
        yield
        return
    from ..cassettes.network import block_network

    allowed = [h for h in str(request.config.getoption("allowed_hosts") or "").split(",") if h.strip()]
    with block_network(allowed):
        yield
