"""What a long-lived fake forgets: responses past their retention on the clock (not only when read
again) and, past ``max_objects``, the oldest; ``serve`` takes both on its command line."""

from __future__ import annotations

import openai
import pytest

from assistant_harness import ConfigurationError, FakeOpenAI
from assistant_harness.apis.responses.store import ResponseStore
from assistant_harness.cli.main import main
from assistant_harness.engine.retention import Retention, check_max_objects


def test_deadlines_come_due_in_order_once() -> None:
    deadlines = Retention()
    for key, at in (("b", 20.0), ("a", 10.0), ("c", 30.0)):
        deadlines.add(key, at)
    deadlines.add("kept", None)
    assert list(deadlines.due(5)) == [] and list(deadlines.due(20)) == ["a", "b"]
    assert list(deadlines.due(20)) == [] and len(deadlines) == 1


def test_a_response_past_its_retention_is_freed_without_being_read_again() -> None:
    with FakeOpenAI(response_retention=30) as fake:
        client = fake.client()
        old = client.responses.create(model="gpt-4o", input="x", background=True)
        fake.advance(31)
        client.responses.create(model="gpt-4o", input="y", background=True)  # any request frees it
        assert old.id not in fake.backend.apis.of(ResponseStore).responses  # before it is read again
        with pytest.raises(openai.NotFoundError):
            client.responses.retrieve(old.id)


def test_max_objects_keeps_the_newest() -> None:
    with FakeOpenAI() as fake:
        fake.backend.apis.of(ResponseStore).max_objects = 2
        client = fake.client()
        ids = [client.responses.create(model="gpt-4o", input=str(i)).id for i in range(3)]
        assert list(fake.backend.apis.of(ResponseStore).responses) == ids[1:]
        with pytest.raises(openai.NotFoundError, match=f"Response with id '{ids[0]}' not found"):
            client.responses.retrieve(ids[0])
        assert client.responses.retrieve(ids[2]).status == "completed"


@pytest.mark.parametrize("value", [0, -3, 1.5, True, "10"])
def test_max_objects_is_a_whole_number_from_one(value: object) -> None:
    with pytest.raises(ConfigurationError, match=f"max_objects={value!r}: give a whole number"):
        check_max_objects(value)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--max-objects", "-1"], "--max-objects=-1: give a whole number of objects from 1"),
        (["--retention", "-5"], "response_retention=-5.0: give a number of virtual seconds above 0"),
        (["--retention", "nan"], "response_retention=nan"),
    ],
)
def test_serve_refuses_bad_limits_before_listening(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "9", *argv]) == 2
    assert words in capsys.readouterr().err
