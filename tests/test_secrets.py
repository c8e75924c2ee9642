"""The one secret detector: generated secrets planted everywhere traffic can carry them never reach
a written cassette (either format, streamed or not) nor any error message, and ``scan`` flags every
kind that is planted straight into a file.

The property test plants about 20 secrets per example. CI runs a bounded number of examples; set
ASSISTANT_HARNESS_SECRETS_EXAMPLES=120 (or more) for the big run (at least 2,000 secrets).
"""

from __future__ import annotations

import base64
import io
import json
import os
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant_harness import FakeAssistants, use_cassette
from assistant_harness.cassettes.format import Body, Cassette, Interaction
from assistant_harness.cassettes.redaction import scan
from assistant_harness.cli.main import main
from assistant_harness.engine.lifecycle import Timeline
from assistant_harness.errors import CassetteMismatch, SecretInCassetteError
from assistant_harness.secrets import Finding, is_placeholder, scrub_headers, scrub_text, spans

EXAMPLES = int(os.environ.get("ASSISTANT_HARNESS_SECRETS_EXAMPLES", "12"))
ALNUM = string.ascii_letters + string.digits
TOKEN = st.text(ALNUM, min_size=24, max_size=40)


def _jwt(t: str) -> str:
    return "eyJ" + t[:10] + ".eyJ" + t[10:20] + "." + t[20:]


#: Secrets recognised by their shape (prefixes built at run time: no key-like literal in this file).
SHAPED = st.one_of(
    TOKEN.map(lambda t: "sk-" + t),
    TOKEN.map(lambda t: "sk-" + "proj-" + t),
    TOKEN.map(lambda t: "sk-" + "svcacct-" + t),
    TOKEN.map(_jwt),
    TOKEN.map(lambda t: "gh" + "p_" + t + "x" * 8),
    st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=16).map(lambda t: "AK" + "IA" + t),
    TOKEN.map(lambda t: "AI" + "za" + t + "y" * 8),
    TOKEN.map(lambda t: "xo" + "xb-" + t),
    TOKEN.map(lambda t: "sk" + "_live_" + t),
    TOKEN.map(lambda t: "se" + "ss-" + t),
)
#: Secrets recognised only by the name they are under: random, with a marker no id can contain.
NAMED = TOKEN.map(lambda t: "pw" + t)
SECRET_KEYS = (
    "openai_api_key",
    "aws_secret_access_key",
    "db_password",
    "auth_token",
    "api_secret",
    "password",
)
QUERY_NAMES = ("sig", "code", "subscription-key", "x-api-key", "auth", "api_key")
PROXY = "https://llm-proxy.example/v1"
ECHO = Timeline.of(("queued", 1), ("in_progress", 1), "completed")

found_total: list[int] = []


def _sse(deltas: list[str]) -> str:
    events = [{"type": "response.output_text.delta", "delta": d} for d in deltas]
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)


def _split(secret: str, cuts: int) -> list[str]:
    size = max(len(secret) // (cuts + 1), 1)
    return [secret[i : i + size] for i in range(0, len(secret), size)]


def _everything_on_disk(path: Path) -> str:
    """The file's text and every body's decoded bytes (a base64 or !!binary body hides nothing)."""
    parts = [path.read_text(encoding="utf-8")]
    for interaction in Cassette.load(path).interactions:
        for body in (interaction.request_body, interaction.response_body):
            parts.append(body.encode().decode("latin-1"))
    return "\n".join(parts)


@st.composite
def plantings(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "api_key": draw(SHAPED),
        "org": "org-" + draw(st.text(ALNUM, min_size=12, max_size=20)),
        "header_named": draw(NAMED),
        "header_shaped": draw(SHAPED),
        "query_name": draw(st.sampled_from(QUERY_NAMES)),
        "query_named": draw(NAMED),
        "query_shaped": draw(SHAPED),
        "json_key": draw(SHAPED),
        "secret_key": draw(st.sampled_from(SECRET_KEYS)),
        "json_named": draw(NAMED),
        "json_in_string": draw(NAMED),
        "json_text": draw(SHAPED),
        "message_line": draw(NAMED),
        "message_shaped": draw(SHAPED),
        "upload_line": draw(NAMED),
        "upload_shaped": draw(SHAPED),
        "stream_split": draw(SHAPED),
        "cuts": draw(st.integers(1, 5)),
        "suffix": draw(st.sampled_from([".json", ".yaml"])),
        "streamed": draw(st.booleans()),
        "mismatch_secret": draw(SHAPED),
    }


def _record(path: Path, p: dict[str, Any], mode: str) -> str:
    """Record (or replay) the planted traffic; answer what went over the wire, as text."""
    with FakeAssistants(timeline=ECHO) as fake, use_cassette(path, record_mode=mode):
        stream_body = _sse(["said: ", *_split(p["stream_split"], p["cuts"]), " (end)"])
        # A proxy the fake does not serve (it serves api.openai.com's /responses itself), answered by a
        # route of the test's own: the stream is exactly the one planted.
        fake.router.post(f"{PROXY}/responses").respond(
            200, text=stream_body, headers={"content-type": "text/event-stream"}
        )
        client = openai.OpenAI(api_key=p["api_key"], organization=p["org"], max_retries=0)
        options: dict[str, Any] = {
            "extra_headers": {"x-api-key": p["header_named"], "x-trace": p["header_shaped"]},
            "extra_query": {p["query_name"]: p["query_named"], "q": p["query_shaped"]},
        }
        assistant = client.beta.assistants.create(
            model="m",
            metadata={
                p["json_key"]: "x",
                p["secret_key"]: p["json_named"],
                "config": json.dumps({"nested": {"password": p["json_in_string"]}}),
                "note": f"token {p['json_text']}",
            },
            **options,
        )
        upload = b"\xff\xfe\x00 binary\n" + f"password={p['upload_line']}\n{p['upload_shaped']}\n".encode()
        file = client.files.create(
            file=("notes.bin", io.BytesIO(upload), "application/octet-stream"), purpose="assistants"
        )
        client.files.content(file.id).read()
        text = f"password={p['message_line']}\nmy key is {p['message_shaped']} thanks"
        thread = client.beta.threads.create(messages=[{"role": "user", "content": text}])
        if p["streamed"]:
            with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as events:
                list(events)
        else:
            client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        proxied = openai.OpenAI(api_key=p["api_key"], base_url=PROXY, max_retries=0)
        with proxied.responses.create(model="m", input="hi", stream=True) as events:
            # The split secret arrives in pieces: what the client read is their concatenation.
            received = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    sent = [f"{q.url}\n{q.headers}\n{q.body.decode('latin-1')}" for q in fake.backend.requests]
    return "\n".join([*sent, *(str(call.request.url) for call in fake.router.calls), received])


#: The places a secret is planted in, each example (the mismatch one is only sent on replay).
PLACES = (
    "api_key", "org", "header_named", "header_shaped", "query_named", "query_shaped", "json_key",
    "json_named", "json_in_string", "json_text", "message_line", "message_shaped", "upload_line",
    "upload_shaped", "stream_split", "mismatch_secret",
)  # fmt: skip


def _secrets(p: dict[str, Any]) -> set[str]:
    return {p[place] for place in PLACES}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(p=plantings())
def check_secrets_never_reach_disk_or_errors(
    tmp_path_factory: pytest.TempPathFactory, p: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("c") / f"planted{p['suffix']}"
    wire = _record(path, p, "all")
    secrets = _secrets(p)
    # Every planted secret really travelled (the mismatch one is sent on replay only): a secret that
    # was never sent could not leak, and counting it would claim a check that did not happen.
    recorded = [place for place in PLACES if place != "mismatch_secret"]
    assert [place for place in recorded if p[place] not in wire] == [], "planted but never sent"
    # ... and was recorded: the streamed one too (a stream left out of the file would hide nothing).
    assert any(i.url == f"{PROXY}/responses" for i in Cassette.load(path).interactions)
    on_disk = _everything_on_disk(path)
    leaked = [s for s in secrets if s in on_disk]
    assert not leaked, f"{len(leaked)} secret(s) written to {path.name}"
    found_total.append(len(recorded))
    assert scan(Cassette.load(path).interactions) == []
    # The recording replays: the live requests are redacted the same way before matching.
    _record(path, p, "none")
    # A mismatch message quotes the request: no secret in it.
    with use_cassette(path), pytest.raises(CassetteMismatch) as caught:
        openai.OpenAI(api_key=p["api_key"], max_retries=0).beta.assistants.create(
            model="other",
            metadata={"k": f"token {p['mismatch_secret']}", p["secret_key"]: p["json_named"]},
            extra_query={p["query_name"]: p["query_named"]},
        )
    message = str(caught.value)
    assert not [s for s in secrets if s in message], "a secret in the mismatch message"
    # A refused write names what is left, without the secret.
    leak: Callable[[Interaction], Interaction] = lambda i: Interaction(  # noqa: E731
        i.method,
        i.url,
        {**i.request_headers, "x-leak": p["header_shaped"]},
        i.request_body,
        i.status,
        i.response_headers,
        i.response_body,
    )
    with pytest.raises(SecretInCassetteError) as refused:
        use_cassette(path, redact=(leak,)).write(Cassette.load(path).interactions)
    assert p["header_shaped"] not in str(refused.value)


@pytest.mark.slow  # Hypothesis: `pytest -m slow` and CI
def test_generated_secrets_never_reach_a_cassette_or_an_error_message(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    found_total.clear()
    check_secrets_never_reach_disk_or_errors(tmp_path_factory)
    planted = sum(found_total)
    assert len(found_total) >= EXAMPLES  # every example ran (none was filtered out)
    assert planted == len(found_total) * (len(PLACES) - 1)  # all but the replay-only one, each time
    print(f"\n{planted} secrets sent and none on disk, in {len(found_total)} recordings")


# -- scan flags every kind planted straight into a file ---------------------------------------------

_T = "Q" * 30


def _interaction(**changes: Any) -> Interaction:
    base = Interaction(
        "POST",
        "https://api.openai.com/v1/threads",
        {"content-type": "application/json"},
        Body("json", {"metadata": {}}),
        200,
        {"content-type": "application/json"},
        Body("json", {"id": "thread_1"}),
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def _pem(t: str) -> str:
    return "-----BEGIN RSA " + "PRIVATE KEY-----\n" + t + "\n" + t + "\n-----END RSA " + "PRIVATE KEY-----"


#: Shapes of secret that only their shape gives away (no secret-like name beside them), each as
#: (what the finding says, the text it is in): built at run time, no key-like literal in this file.
ONLY_SHAPED = {
    "Stripe secret key": ("a Stripe-style key", "charge with " + "sk" + "_live_" + _T),
    "Stripe restricted key": ("a Stripe-style key", "charge with " + "rk" + "_test_" + _T),
    "session key": ("a session key", "browser " + "se" + "ss-" + _T + " here"),
    "PEM private key": ("a private key", "key:\n" + _pem(_T) + "\nend"),
    "PEM key cut short": ("a private key", "key:\n" + _pem(_T).rsplit("-----END", 1)[0]),
    "password in a URL": ("a password in a URL", "db at postgres://app:" + _T + "@db.example:5432/x"),
}


@pytest.mark.parametrize("name", ONLY_SHAPED)
def test_each_secret_shape_is_found_and_redacted(name: str) -> None:
    what, text = ONLY_SHAPED[name]
    found: list[Finding] = []
    redacted = scrub_text(text, found)
    assert _T not in redacted and "REDACTED" in redacted
    assert [f.what for f in found] == [what]
    assert _T not in str(found)  # a finding prints a safe prefix and a length, never the secret


KINDS: dict[str, Interaction] = {
    "authorization header": _interaction(request_headers={"authorization": "Bearer " + "sk-" + _T}),
    "secret-named header": _interaction(request_headers={"x-auth-token": "pw" + _T}),
    "query sig": _interaction(url="https://h.example/v1/x?sig=pw" + _T),
    "query subscription-key": _interaction(url="https://h.example/v1/x?subscription-key=pw" + _T),
    "JSON key": _interaction(request_body=Body("json", {"metadata": {"sk-" + "proj-" + _T: "x"}})),
    "secret-named JSON key": _interaction(
        request_body=Body("json", {"a": {"aws_secret_access_key": "pw" + _T}})
    ),
    "JSON in a JSON string": _interaction(
        response_body=Body("json", {"arguments": json.dumps({"db_password": "pw" + _T})})
    ),
    "JWT in text": _interaction(response_body=Body("text", "token " + _jwt(_T))),
    **{name: _interaction(response_body=Body("text", text)) for name, (_, text) in ONLY_SHAPED.items()},
    "password= line": _interaction(request_body=Body("text", "user=me\npassword=pw" + _T + "\n")),
    "form field": _interaction(
        request_headers={"content-type": "multipart/form-data; boundary=b"},
        request_body=Body(
            "text", '--b\r\nContent-Disposition: form-data; name="api_key"\r\n\r\npw' + _T + "\r\n--b--\r\n"
        ),
    ),
    "binary body": _interaction(
        response_body=Body("base64", base64.b64encode(b"\xff\x00" + ("sk-" + _T).encode()).decode())
    ),
    "split stream": _interaction(
        response_headers={"content-type": "text/event-stream"},
        response_body=Body(
            "sse",
            [
                {"event": "thread.message.delta", "data": {"delta": {"content": [{"text": {"value": v}}]}}}
                for v in ("key sk-", "proj-" + _T[:15], _T[15:], " done")
            ],
        ),
    ),
    # The Responses API (and many proxies) send no ``event:`` line: the type is only in the JSON.
    "split stream, type only in data": _interaction(
        response_headers={"content-type": "text/event-stream"},
        response_body=Body(
            "sse",
            [
                {"data": {"type": "response.output_text.delta", "sequence_number": n, "delta": v}}
                for n, v in enumerate(("key sk-", "proj-" + _T[:15], _T[15:], " done"))
            ],
        ),
    ),
}


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_scan_flags_every_planted_kind(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, interaction in KINDS.items():
        path = tmp_path / f"{name.replace(' ', '_')}{suffix}"
        Cassette([interaction], path).save()  # written as is: no redaction
        assert main(["scan", str(path)]) == 1, name
    out = capsys.readouterr()
    assert out.out.count(" finding(s)") == len(KINDS)
    assert "assistant-harness redact" in out.err
    assert main(["redact", str(tmp_path)]) == 0
    assert main(["scan", str(tmp_path)]) == 0
    for path in tmp_path.iterdir():
        assert _T not in _everything_on_disk(path)


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("example-org", True),
        ("proj_" + "0" * 24, True),
        ("REDACTED", True),
        ("__cf_bm=scrubbed-by-vendor-cassettes; _cfuvid=scrubbed-by-vendor-cassettes", True),
        ("__cf_bm=scrubbed-by-vendor-cassettes; HttpOnly; Secure; Path=/; Expires=Tue, 31 Mar 2026", True),
        ("__cf_bm=scrubbed-by-vendor-cassettes; _cfuvid=a1b2c3d4e5", False),  # one real cookie
        ("__cf_bm=a1b2c3d4e5; Path=/", False),
        ("HttpOnly", False),
        ("acme-org", False),
    ],
)
def test_the_harness_placeholders_are_never_secrets(value: str, placeholder: bool) -> None:
    assert is_placeholder(value) is placeholder
    assert (scrub_headers({"cookie": value}) == {"cookie": value}) is placeholder


def test_the_project_placeholder_is_not_a_project_id_but_its_neighbours_are() -> None:
    assert spans("proj_" + "0" * 24) == []
    assert len(spans("proj_" + "0" * 25)) == 1
    assert len(spans("proj_" + "0" * 20 + "abcd")) == 1
