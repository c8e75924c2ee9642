"""One scenario file, one test suite, both sides of the migration (weather_migration.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant_harness import FakeOpenAI, Scenario

from .weather_migration import Answer, AssistantsWeather, ResponsesWeather, WeatherError

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "weather_migration.yaml"
SIDES = [AssistantsWeather, ResponsesWeather]
FAILED = Scenario.from_yaml(
    """
runs:
  - steps:
      - {status: queued, duration: 1}
      - {status: failed, error: {code: rate_limit_exceeded}}
responses:
  - steps:
      - {status: queued, duration: 1}
      - {status: failed, error: {code: rate_limit_exceeded}}
"""
)


@pytest.fixture(params=SIDES, ids=["assistants", "responses"])
def side(request: pytest.FixtureRequest) -> type[AssistantsWeather] | type[ResponsesWeather]:
    return request.param  # type: ignore[no-any-return]


def test_the_feature_answers_with_the_tool_output(side: type) -> None:
    with FakeOpenAI(SCENARIO) as fake:
        answer: Answer = side(fake.client()).ask("What is the weather in Paris?")
    assert answer == Answer(
        "The weather in Paris: 18C and sunny in Paris.", [("get_weather", {"city": "Paris"})]
    )


def test_both_sides_take_the_same_virtual_time(side: type) -> None:
    with FakeOpenAI(SCENARIO) as fake:
        side(fake.client()).ask("What is the weather in Paris?")
        assert fake.clock.elapsed() == 6.0  # 3 s to the tool call, 3 s to the answer, polled each second


def test_the_tool_output_reaches_the_server(side: type) -> None:
    with FakeOpenAI(SCENARIO) as fake:
        side(fake.client()).ask("What is the weather in Paris?")
        if side is AssistantsWeather:
            (run,) = fake.store.runs.values()
            sent = [o["output"] for round_ in run.tool_outputs for o in round_]
        else:
            first, second = fake.responses
            assert second.obj["previous_response_id"] == first.id
            sent = [o["output"] for o in second.tool_outputs]
    assert sent == ["18C and sunny in Paris"]


def test_a_failure_is_reported_the_same_way(side: type) -> None:
    with FakeOpenAI(FAILED) as fake, pytest.raises(WeatherError, match=r"failed: rate_limit_exceeded"):
        side(fake.client()).ask("What is the weather in Paris?")


def test_the_how_to_shows_this_scenario_file() -> None:
    doc = (HERE.parent / "docs" / "howto-migrate-to-responses.md").read_text(encoding="utf-8")
    (shown,) = re.findall(r'SCENARIO = """\n(.*?)"""', doc, re.S)
    assert shown == SCENARIO.read_text(encoding="utf-8")
