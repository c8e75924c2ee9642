"""No secret reaches disk: a property test with generated secrets, and the scan on real cassettes."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from pathlib import Path

import openai
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant_harness import FakeAssistants, use_cassette
from assistant_harness.cassettes.format import Cassette
from assistant_harness.cassettes.redaction import scan
from assistant_harness.secrets import PLACEHOLDER_COOKIE, PLACEHOLDER_ORGANIZATION, PLACEHOLDER_PROJECT

from . import spec as spec_helpers

TOKEN = st.text(string.ascii_letters + string.digits + "_-", min_size=20, max_size=48)
SECRETS = st.one_of(
    TOKEN.map(lambda t: "sk-" + t),
    TOKEN.map(lambda t: "sk-proj-" + t),
    TOKEN.map(lambda t: "sk-svcacct-" + t),
    st.text(string.ascii_letters + string.digits, min_size=10, max_size=30).map(lambda t: "proj_" + t),
    st.text(string.ascii_letters + string.digits, min_size=10, max_size=30).map(lambda t: "org-" + t),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(key=SECRETS, header=SECRETS, query=SECRETS, body=SECRETS, where=st.sampled_from(["api_key", "note"]))
def test_generated_secrets_never_reach_a_written_cassette(
    tmp_path_factory: object, key: str, header: str, query: str, body: str, where: str
) -> None:
    path = Path(tmp_path_factory.mktemp("c")) / "secrets.json"  # type: ignore[attr-defined]
    with FakeAssistants(), use_cassette(path, record_mode="all"):
        client = openai.OpenAI(
            api_key=key,
            organization="org-" + header[-12:].replace("-", "x"),
            project="proj_" + query[-12:].replace("-", "x"),
        )
        client.beta.threads.create(
            metadata={"owner": "me", where: f"token {body}"},
            extra_headers={"x-custom-auth": header, "api-key": key},
            extra_query={"api_key": query, "page": "1"},
        )
    text = path.read_text(encoding="utf-8")
    for secret in {key, header, query, body}:
        assert secret not in text
    assert scan(Cassette.load(path).interactions) == []


def _scan(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant_harness.cli.main", "scan", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_scan_passes_the_vendored_real_cassettes_placeholders() -> None:
    """tools/vendor_cassettes.py scrubs them with the detector's own placeholders: never findings."""
    done = _scan(spec_helpers.REAL_CASSETTES)
    assert done.returncode == 0, done.stdout
    assert "scanned 8 cassette(s): 0 with findings" in done.stderr


def test_scan_flags_real_identifying_headers_grouped(tmp_path: Path) -> None:
    """The same recording with values like the ones it was scrubbed of (not placeholders) is flagged."""
    real = spec_helpers.REAL_CASSETTES / "openllmetry-test_new_assistant_with_polling.yaml"
    text = real.read_text(encoding="utf-8")
    for placeholder, value in (
        (PLACEHOLDER_ORGANIZATION, "acme-research-lab"),
        (PLACEHOLDER_PROJECT, "proj_" + "Ab3" * 8),
        (PLACEHOLDER_COOKIE, "x9Fq2" * 8),
    ):
        text = text.replace(placeholder, value)
    (tmp_path / "raw.yaml").write_text(text, encoding="utf-8")
    done = _scan(tmp_path)
    assert done.returncode == 1
    # Grouped: one line per kind of finding per file, with where (not one line per header per interaction).
    assert "an identifying or secret header x75: response.headers.openai-organization x25" in done.stdout
    assert "response.headers.openai-project x25" in done.stdout
    assert "request.headers.cookie" in done.stdout and "response.headers.set-cookie" in done.stdout
    assert len(done.stdout.splitlines()) < 20
    assert "assistant-harness redact" in done.stderr


def test_scan_passes_every_cassette_the_harness_writes(tmp_path: Path) -> None:
    for name in ("tool_call", "failed_server_error"):
        with FakeAssistants(name), use_cassette(tmp_path / f"{name}.json", record_mode="once"):
            client = openai.OpenAI(api_key="sk-proj-" + "k" * 40)
            client.beta.threads.create_and_run_poll(assistant_id=client.beta.assistants.create(model="m").id)
    real = spec_helpers.REAL_CASSETTES / "openllmetry-test_new_assistant_with_polling.yaml"
    converted = tmp_path / "converted.json"
    use_cassette(converted).write(Cassette.load(real).interactions)  # the real one, redacted on write
    done = subprocess.run(
        [sys.executable, "-m", "assistant_harness.cli.main", "scan", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout
    assert "scanned 3 cassette(s): 0 with findings" in done.stderr
    headers = json.loads(converted.read_text(encoding="utf-8"))["interactions"][0]["response"]["headers"]
    assert headers["openai-project"] == PLACEHOLDER_PROJECT  # a placeholder is no secret: kept as it is
