"""A cassette is parsed and indexed once per process while its file is unchanged; every use replays
from its own start; a re-recorded file is read again, never served stale."""

from __future__ import annotations

from pathlib import Path

import openai

from assistant_harness import FakeOpenAI, use_cassette
from assistant_harness.cassettes.format import Cassette
from assistant_harness.cassettes.loaded import load_indexed


def _record(path: Path, name: str) -> None:
    with FakeOpenAI(), use_cassette(path, record_mode="all"):
        openai.OpenAI(api_key="sk-test").beta.assistants.create(model="gpt-4o", name=name)


def test_an_unchanged_cassette_is_parsed_once_and_each_use_has_its_own_cursor(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(path, "first")
    first, index = load_indexed(path, ("method", "path"))
    again, other = load_indexed(path, ("method", "path"))
    assert again is first  # not parsed again
    assert other is not index and other.entries is index.entries  # the tables are shared...
    key = index.entries[0][0]
    assert index.next(key) is other.next(key) is first.interactions[0]  # ...the cursors are not
    for _ in range(2):  # a cassette entered twice replays from its start each time
        with use_cassette(path):
            made = openai.OpenAI(api_key="sk-test").beta.assistants.create(model="gpt-4o", name="first")
        assert made.name == "first"


def test_a_re_recorded_cassette_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(path, "first")
    before, _ = load_indexed(path, ("method", "path"))
    _record(path, "second")  # written atomically: a new file in the old one's place
    after, _ = load_indexed(path, ("method", "path"))
    assert after is not before
    assert after.interactions[0].response_body.value["name"] == "second"
    with use_cassette(path):
        made = openai.OpenAI(api_key="sk-test").beta.assistants.create(model="gpt-4o", name="second")
    assert made.name == "second"


def test_other_matchers_get_their_own_index(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(path, "first")
    by_path, _ = load_indexed(path, ("method", "path"))
    by_body, index = load_indexed(path, ("method", "path", "body"))
    assert by_body is not by_path and index.match_on == ("method", "path", "body")
    assert Cassette.load(path).interactions == by_body.interactions
