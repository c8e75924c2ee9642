"""Every malformed cassette and scenario in tests/corpus/ gets one line naming the file, the place
(line:column or key path) and the problem: no traceback, no hang, no memory blow-up.

The corpus is written by tests/corpus/make_corpus.py; expected.json holds, per file, a pattern for
the place its message must name right after the file name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant_harness.cassettes.format import Cassette
from assistant_harness.errors import CassetteError, ScenarioError
from assistant_harness.scenario.model import load

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED: dict[str, str] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def _error(path: Path) -> str:
    if path.parent.name == "cassettes" or path.suffix == ".json":
        with pytest.raises(CassetteError) as caught:
            Cassette.load(path)
    else:
        with pytest.raises(ScenarioError) as caught:
            load(path)
    return str(caught.value)


def test_the_corpus_is_big_and_complete() -> None:
    on_disk = {f"{p.parent.name}/{p.name}" for p in CORPUS.glob("*/*") if p.is_file()}
    assert on_disk == set(EXPECTED)
    assert len(EXPECTED) >= 80
    assert sum(name.startswith("cassettes/") for name in EXPECTED) >= 40
    assert sum(name.startswith("scenarios/") for name in EXPECTED) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_malformed_file_gets_one_line_naming_the_file_and_the_place(name: str) -> None:
    path = CORPUS / name
    message = _error(path)
    assert "\n" not in message and len(message) < 600, message
    assert message.startswith(str(path)), message  # the file first
    assert re.match(EXPECTED[name], message[len(str(path)) :]), message  # then the place
    assert "Traceback" not in message and "<unicode string>" not in message


def test_json_nested_100000_deep_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"format": "assistant-harness-cassette", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    message = _error(path)
    assert re.match(rf"{re.escape(str(path))}:1:\d+: nested too deeply", message), message


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="is a folder"):
        Cassette.load(tmp_path)
    folder = tmp_path / "s.yaml"
    folder.mkdir()
    with pytest.raises(ScenarioError, match="is a folder"):
        load(folder)
