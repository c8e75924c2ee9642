"""pytest plugin: fixtures, markers and options that put the fake Assistants backend in a test.

Precedence, wherever a setting can come from several places, as in pytest-recording: **the
``assistant_harness_config`` fixture < the test's marker < the command line** (a project default,
which one test can override, and a one-off command line over both). Applied in :func:`_settings`;
an unknown setting is refused with a suggestion. The fake's part is one :class:`FakeSettings`.

With no ``OPENAI_API_KEY`` in the environment, the session gets an obviously fake one (``sk-test``),
so module-level ``OpenAI()`` clients can be made at collection; a key that is set is never touched.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..cassettes.record_modes import RecordMode
from ..errors import ConfigurationError, ScenarioError
from . import mistakes
from .shared_server import add_options as add_server_options
from .shared_server import harness_server, harness_server_session  # noqa: F401  (fixtures)

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

#: FakeSettings' fields (kept here, not imported: this module loads in every pytest process).
FAKE_KEYS = frozenset(
    {
        "base_url",
        "also_serve",
        "pass_through",
        "seed",
        "timeline",
        "timelines",
        "faults",
        "clock",
        "virtual_time",
        "poll_after_ms",
        "hang_limits",
        "response_timeline",
        "response_timelines",
        "response_retention",
        "cancel_finished",
        "webhooks",
        "webhook_secret",
        "webhook_timeout",
    }
)
CASSETTE_OPTIONS = frozenset({"match_on", "redact", "ignore_hosts"})
#: What each place may set.
SCENARIO_MARKER_KEYS = FAKE_KEYS | {"scenario"}
CASSETTE_MARKER_KEYS = CASSETTE_OPTIONS | {"path", "record_mode"}
CONFIG_KEYS = FAKE_KEYS | CASSETTE_OPTIONS | {"scenario", "scenario_dir", "cassette_dir", "record_mode"}
COMMAND_LINE_KEYS = ("record_mode", "cassette_dir", "scenario_dir")

#: The session's OPENAI_API_KEY when none is set: obviously fake, so nothing real is ever sent.
FAKE_API_KEY = "sk-test"


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
    add_server_options(group)
    group.addoption(
        "--scenario-dir",
        default=None,
        help="where scenario files named by @pytest.mark.assistant_scenario live (default: scenarios)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Module-level clients (OpenAI() at import) are made at collection: without a key they raise.
    if not os.environ.get("OPENAI_API_KEY"):
        os.environ["OPENAI_API_KEY"] = FAKE_API_KEY
        config.stash[_SET_KEY] = True
    config.addinivalue_line(
        "markers",
        "assistant_scenario(scenario=None, **options): run the test against a FakeAssistants playing the "
        "scenario (a shipped name, or a file in --scenario-dir); options go to FakeAssistants "
        "(also_serve=[...] for a gateway's base URL, pass_through=[...] for hosts to let through).",
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


_SET_KEY = pytest.StashKey[bool]()


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_SET_KEY, False) and os.environ.get("OPENAI_API_KEY") == FAKE_API_KEY:
        del os.environ["OPENAI_API_KEY"]


@pytest.fixture
def assistant_harness_config() -> dict[str, Any]:
    """Project-wide settings for the fixtures; override this fixture in conftest.py
    (e.g. ``{"also_serve": ["https://gw.example.com/openai/v1"]}`` for a gateway).

    A marker overrides these for one test, and the command line overrides both.
    """
    return {}


def _check(given: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigurationError(
                f"{where}: unknown setting {name!r}; {hint}known: {', '.join(sorted(known))}"
            )


def _settings(request: pytest.FixtureRequest, marker_name: str) -> dict[str, Any]:
    """assistant_harness_config fixture < marker < command line, key by key (as pytest-recording)."""
    config = request.getfixturevalue("assistant_harness_config")
    _check(config, CONFIG_KEYS, "assistant_harness_config")
    merged: dict[str, Any] = dict(config)
    marker = request.node.get_closest_marker(marker_name)
    if marker is not None:
        first = "scenario" if marker_name == "assistant_scenario" else "path"
        if len(marker.args) > 1:
            raise ConfigurationError(f"@pytest.mark.{marker_name}: give one {first}, then keyword arguments")
        known = SCENARIO_MARKER_KEYS if marker_name == "assistant_scenario" else CASSETTE_MARKER_KEYS
        _check(marker.kwargs, known, f"@pytest.mark.{marker_name}")
        merged.update(marker.kwargs)
        if marker.args:
            merged[first] = marker.args[0]
    options = request.config.option
    for key in COMMAND_LINE_KEYS:
        value = getattr(options, key, None)
        if value is not None:
            merged[key] = value
    return merged


def resolve_scenario(scenario: Any, scenario_dir: str | Path | None, test_path: Path, rootdir: Path) -> Any:
    """A scenario name (with or without ``.yaml``) as a file: in ``scenario_dir``, the test's folder,
    the rootdir's ``scenarios/``, then the shipped library; an error lists where it looked."""
    if not isinstance(scenario, (str, Path)):
        return scenario  # None, a Scenario, or a Timeline
    given = Path(scenario)
    if given.is_absolute():
        if given.is_file():
            return given
        raise ScenarioError(f"{given}: no such scenario file")
    names = (
        [given]
        if given.suffix in (".yaml", ".yml")
        else [given.with_name(given.name + s) for s in (".yaml", ".yml")]
    )
    folders = [Path(scenario_dir)] if scenario_dir else []
    folders += [test_path.parent, rootdir / "scenarios"]
    for folder in folders:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    from ..scenario.load import shipped

    library = shipped()
    stem = given.stem if given.suffix in (".yaml", ".yml") else given.name
    if len(given.parts) == 1 and stem in library:
        return stem
    close = difflib.get_close_matches(stem, library, n=3)
    raise ScenarioError(
        f"no scenario {str(scenario)!r}: looked for {' or '.join(str(n) for n in names)} in "
        + ", ".join(str(folder) for folder in dict.fromkeys(folders))
        + " and the shipped library"
        + (f" (did you mean {', '.join(close)}?)" if close else f" ({', '.join(library)})")
    )


@pytest.fixture
def fake_assistants(request: pytest.FixtureRequest) -> Iterator[FakeAssistants]:
    """A started FakeAssistants, playing the scenario of @pytest.mark.assistant_scenario if any.

    A scenario name, with or without ``.yaml``, is looked for in --scenario-dir, the test's folder,
    the rootdir's scenarios/ and then the shipped library."""
    settings = _settings(request, "assistant_scenario")
    from ..fake import FakeAssistants
    from ..settings import FakeSettings

    fake_settings = FakeSettings(**{k: v for k, v in settings.items() if k in FAKE_KEYS})
    scenario = resolve_scenario(
        settings.get("scenario"),
        settings.get("scenario_dir"),
        Path(request.node.path),
        request.config.rootpath,
    )
    with FakeAssistants(scenario, settings=fake_settings) as fake:
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
        if path.is_absolute():
            return path
        if len(path.parts) > 1 and path.parts[0] == folder.name:  # names the folder already: not doubled
            return folder.joinpath(*path.parts[1:])
        return folder / path
    # One file per test, in a folder per module: parallel workers never write the same file.
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    return folder / module.stem / f"{name}.json"


@pytest.fixture
def assistant_cassette(request: pytest.FixtureRequest) -> Iterator[use_cassette]:
    """The active cassette (path and mode from @pytest.mark.assistant_cassette, --record-mode, the config)."""
    if "fake_assistants" in request.fixturenames:
        # The fake first, whatever the order of the test's arguments: the cassette must be in front.
        request.getfixturevalue("fake_assistants")
    settings = _settings(request, "assistant_cassette")
    options = {k: v for k, v in settings.items() if k in CASSETTE_OPTIONS}
    from ..cassettes.recorder import use_cassette
    from ..fake import FakeAssistants

    cassette = use_cassette(
        _cassette_path(settings, request), settings.get("record_mode") or "none", **options
    )
    # A FakeAssistants started inside the test answers before the cassette sees anything: noted, so a
    # recording that would silently stay empty is refused.
    inner: list[FakeAssistants] = []
    start = FakeAssistants.start

    def noting(fake: FakeAssistants) -> FakeAssistants:
        if not fake._started:
            inner.append(fake)
        return start(fake)

    mode = cassette.record_mode
    recording = mode != RecordMode.NONE and not (mode == RecordMode.ONCE and Path(cassette.path).exists())
    with cassette, pytest.MonkeyPatch.context() as patch:
        patch.setattr(FakeAssistants, "start", noting)
        yield cassette
        if recording and not cassette.recorded and any(fake.backend.requests for fake in inner):
            raise ConfigurationError(
                f"{cassette.path}: nothing recorded: a FakeAssistants started inside the test answered "
                "every request before the cassette saw it. To record the fake, use "
                "@pytest.mark.assistant_scenario(...) (or the fake_assistants fixture) with the cassette "
                "marker instead; to record the real API, remove the FakeAssistants."
            )


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


# -- a test that forgot the fake ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _assistant_harness_real_api_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """With the fake key the plugin set, a request to the real API fails at once, saying why."""
    if not request.config.stash.get(_SET_KEY, False) or os.environ.get("OPENAI_API_KEY") != FAKE_API_KEY:
        yield
        return
    from ..cassettes.network import guard_hosts

    with guard_hosts(("api.openai.com",), mistakes.FORGOT_THE_FAKE, mistakes.RECORDING_NEEDS_A_KEY):
        yield


# -- the user's own mistakes, in one line -----------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A scenario, cassette or setting error fails the test with its one line (``--full-trace``
    shows every frame), after the place in the user's code that led to it."""
    report = yield
    mistakes.shorten(report, call, item.config)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """The same for a module that fails while it is imported (a scenario loaded at module level)."""
    report = yield
    mistakes.shorten(report, report.__dict__.get("call"), collector.config)  # pytest keeps its CallInfo there
    return report
