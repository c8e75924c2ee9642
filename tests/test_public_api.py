"""The public API, pinned: a change here is a change for every user (say so in the changelog).

Names exported by the package, the settings a fake takes, the Hypothesis strategies, and the pytest
plugin's fixtures, markers and command-line options.
"""

from __future__ import annotations

import dataclasses

import pytest

import assistant_harness
from assistant_harness import FakeSettings
from assistant_harness.testing import plugin, strategies

PACKAGE = [
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

SETTINGS = [
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
]

STRATEGIES = [
    "ENDPOINT_NAMES",
    "OUTCOMES",
    "GeneratedTimeline",
    "compact",
    "faults",
    "from_json_schema",
    "scenarios",
    "timelines",
    "tool_calls",
]

FIXTURES = {
    "assistant_harness_config",
    "fake_assistants",
    "fake_openai",
    "webhook_receiver",
    "openai_client",
    "async_openai_client",
    "assistant_cassette",
    "harness_server",
    "harness_server_session",
}
MARKERS = {"assistant_scenario", "assistant_cassette"}
OPTIONS = {
    "--record-mode",
    "--cassette-dir",
    "--scenario-dir",
    "--block-network",
    "--allowed-hosts",
    "--harness-server",
    "--harness-server-dir",
}


def test_the_package_exports_exactly_these_names() -> None:
    assert sorted(assistant_harness.__all__) == sorted(PACKAGE)
    for name in PACKAGE:
        assert getattr(assistant_harness, name) is not None


def test_fake_settings_fields_and_the_plugin_s_copy_of_them() -> None:
    assert [f.name for f in dataclasses.fields(FakeSettings)] == SETTINGS
    assert set(SETTINGS) == plugin.FAKE_KEYS  # the plugin keeps its own list (it must import little)


def test_the_strategies_module_exports_exactly_these_names() -> None:
    assert sorted(strategies.__all__) == sorted(STRATEGIES)
    from assistant_harness import strategies as older_path  # kept for code that used it

    assert older_path.timelines is strategies.timelines


def test_the_plugin_s_fixtures_markers_and_options(pytestconfig: pytest.Config) -> None:
    fixtures = {name for name in dir(plugin) if name in FIXTURES}
    assert fixtures == FIXTURES
    manager = pytestconfig.pluginmanager
    assert manager.get_plugin("assistant_harness") is plugin  # the pytest11 entry point
    markers = {line.split("(")[0].split(":")[0] for line in pytestconfig.getini("markers")}
    assert markers >= MARKERS
    parser_options = {
        name
        for group in pytestconfig._parser._groups
        if group.name == "assistant-harness"
        for option in group.options
        for name in option.names()
    }
    assert parser_options == OPTIONS
