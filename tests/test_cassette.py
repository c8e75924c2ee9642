"""The cassette format: native JSON and vcrpy v1 YAML, decoded bodies, atomic writes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml

from assistant_harness import CassetteError
from assistant_harness.cassettes.format import Body, Cassette, Interaction, parse_sse, render_event

from . import spec as spec_helpers


def _interaction(status: int = 200, body: Body | None = None) -> Interaction:
    return Interaction(
        method="POST",
        url="https://api.openai.com/v1/threads",
        request_headers={"content-type": "application/json"},
        request_body=Body("json", {"metadata": {"b": "2", "a": "1"}}),
        status=status,
        response_headers={"content-type": "application/json"},
        response_body=body or Body("json", {"id": "thread_1", "object": "thread"}),
        offset=0.25,
    )


def test_native_round_trip_is_stable(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    cassette = Cassette([_interaction(), _interaction(404, Body("json", {"error": {"message": "x"}}))])
    cassette.save(path)
    first = path.read_text(encoding="utf-8")
    loaded = Cassette.load(path)
    assert loaded.interactions == cassette.interactions
    loaded.save(path)
    assert path.read_text(encoding="utf-8") == first  # re-saving changes nothing: clean diffs
    data = json.loads(first)
    assert data["format"] == "assistant-harness-cassette" and data["version"] == 1
    assert data["interactions"][0]["response"]["body"] == {
        "kind": "json",
        "value": {"id": "thread_1", "object": "thread"},
    }


def test_bodies_are_stored_decoded() -> None:
    raw = gzip.compress(b'{"id": "run_1"}')
    assert Body.decode(raw, "application/json", "gzip") == Body("json", {"id": "run_1"})
    assert Body.decode(b"plain words", "text/plain") == Body("text", "plain words")
    assert Body.decode(b"\xff\xfe\x00", "application/octet-stream").kind == "base64"
    assert Body.decode(b"", "application/json").kind == "empty"


def test_event_streams_are_lists_of_events() -> None:
    text = 'event: thread.run.created\ndata: {"id":"run_1"}\n\nevent: done\ndata: [DONE]\n\n'
    events = parse_sse(text)
    assert events == [
        {"event": "thread.run.created", "data": {"id": "run_1"}},
        {"event": "done", "data": "[DONE]"},
    ]
    assert "".join(render_event(e) for e in events) == text
    body = Body.decode(text.encode(), "text/event-stream; charset=utf-8")
    assert body.kind == "sse" and len(body.chunks()) == 2


def test_vcr_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    Cassette([_interaction()]).save(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["interactions"][0]["response"]["status"] == {
        "code": 200,
        "message": None,
    }
    assert Cassette.load(path).interactions[0].response_body == Body(
        "json", {"id": "thread_1", "object": "thread"}
    )


def test_real_vcr_cassettes_load_with_gzip_bodies_and_mixed_case_headers() -> None:
    path = spec_helpers.REAL_CASSETTES / "openllmetry-test_new_assistant_with_polling.yaml"
    cassette = Cassette.load(path)
    assert len(cassette.interactions) == 25
    first = cassette.interactions[0]
    assert first.response_body.value["object"] == "assistant"  # gzip undone
    assert "content-encoding" not in first.response_headers  # the body is stored decoded
    assert "openai-beta" in first.request_headers  # header names folded to lower case


def test_a_failed_write_leaves_the_old_cassette(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.json"
    Cassette([_interaction()]).save(path)
    before = path.read_text(encoding="utf-8")

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        Cassette([_interaction(), _interaction()]).save(path)
    assert path.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", r"bad.json:1:1: not valid JSON"),
        ('{"interactions": []}', "not an assistant-harness cassette"),
        (
            '{"format": "assistant-harness-cassette", "version": 9, "interactions": []}',
            "version 9 is not supported",
        ),
        (
            '{"format": "assistant-harness-cassette", "version": 1, "interactions": [{"request": {}}]}',
            r"interactions\[0\]\.response: must be a mapping",
        ),
    ],
)
def test_bad_cassettes_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CassetteError, match=message) as caught:
        Cassette.load(path)
    assert str(path) in str(caught.value)


def test_missing_cassette(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="no such cassette"):
        Cassette.load(tmp_path / "nope.json")


def test_written_cassettes_are_readable_like_any_file(tmp_path: Path) -> None:
    import os
    import stat

    path = tmp_path / "c.json"
    Cassette([_interaction()]).save(path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not mkstemp's private 0600


WRITER = """
import os, sys
from pathlib import Path
from assistant_harness.cassettes.format import atomic_write

def stuck(fd):  # the temporary file is written: say so, and wait to be killed
    print("writing", flush=True)
    sys.stdin.readline()

os.fsync = stuck
atomic_write(Path(sys.argv[1]), "new " * 10_000)
"""


def test_a_writer_killed_mid_write_leaves_the_old_file_and_the_next_write_cleans_up(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from assistant_harness.cassettes.format import atomic_write

    target = tmp_path / "flow.json"
    target.write_text("old", encoding="utf-8")
    for _ in range(3):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == "writing\n"
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=30)
    assert target.read_text(encoding="utf-8") == "old"
    # Each writer removed what the previous kill left: only the last one's is there.
    assert len(list(tmp_path.glob(".flow.json.*.tmp"))) == 1
    atomic_write(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.json"]  # stale files of dead writers gone


def test_a_temporary_file_of_a_live_writer_is_left_alone(tmp_path: Path) -> None:
    import os

    from assistant_harness.cassettes.format import atomic_write

    live = tmp_path / f".flow.json.{os.getppid()}.abcd.tmp"  # our parent is alive
    live.write_text("in progress", encoding="utf-8")
    atomic_write(tmp_path / "flow.json", "x")
    assert live.exists()
