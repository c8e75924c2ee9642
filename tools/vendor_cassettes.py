"""Copy the real recordings tests replay out of ../shared/real-cassettes, scrubbed.

The Assistants recordings are openllmetry's (Apache-2.0; LICENSE-openllmetry beside the copies,
NOTICE says what changed); the Responses ones under responses/ are pydantic-ai's (MIT;
responses/LICENSE-pydantic-ai and responses/NOTICE.md). They keep every header *name*, but the
values that identify someone (the openai-project id, the organization name, Cloudflare's cookies)
are replaced with obvious placeholders, the secret detector's own (``assistant-harness scan`` passes
them). Run from the repository root; tests/test_real_cassettes.py checks the copies are exactly
what this script makes from ../shared when that folder is there.

    python tools/vendor_cassettes.py [path/to/shared/real-cassettes] [--pydantic-ai DIR]

Three more pydantic-ai recordings (UPSTREAM_ONLY) are not in ../shared: with ``--pydantic-ai DIR``
(pydantic-ai's tests/models/cassettes/test_openai_responses/) they are vendored too, scrubbed alike.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from assistant_harness.secrets import PLACEHOLDER_COOKIE, PLACEHOLDER_ORGANIZATION, PLACEHOLDER_PROJECT

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "real-cassettes"
TARGET = ROOT / "tests" / "data" / "real-cassettes"

#: The recordings tests read (add a name to vendor another; its licence must allow it).
CASSETTES = (
    "openllmetry-test_new_assistant_with_polling.yaml",
    "openllmetry-test_streaming_new_assistant.yaml",
    # The Responses API's background mode (tests/responses/test_recordings.py)
    "responses/pydantic-ai-test_background_mode_vcr.yaml",
    "responses/pydantic-ai-test_background_mode_with_tool_vcr.yaml",
    "responses/pydantic-ai-test_background_mode_streaming_starting_after_vcr.yaml",
)

#: Read from pydantic-ai's repository (commit 4fda38988), not ../shared (tests/test_observe_responses.py).
UPSTREAM_ONLY = (
    "test_background_mode_reasoning_vcr.yaml",
    "test_background_mode_streaming_continuation_vcr.yaml",
    "test_background_mode_streaming_without_starting_after_vcr.yaml",
)

#: (what, pattern, placeholder): every identifying value the recordings hold. The placeholders are the
#: secret detector's own, so `assistant-harness scan` knows them for what they are.
SCRUB = (
    ("project id", re.compile(r"proj_[A-Za-z0-9]{16,}"), PLACEHOLDER_PROJECT),
    ("organization", re.compile(r"(openai-organization:\n\s+- )\S+"), r"\1" + PLACEHOLDER_ORGANIZATION),
    ("cookie", re.compile(r"(__cf_bm|_cfuvid)=[^;\s]+"), r"\1=" + PLACEHOLDER_COOKIE),
)


def scrub(text: str) -> str:
    for _, pattern, placeholder in SCRUB:
        text = pattern.sub(placeholder, text)
    return text


def vendor(origin: Path, name: str) -> None:
    text = scrub(origin.read_text(encoding="utf-8"))
    fd, tmp = tempfile.mkstemp(dir=TARGET, prefix=".vendor-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, TARGET / name)
    print(f"wrote {(TARGET / name).relative_to(ROOT)} ({len(text)} bytes) from {origin}")


def main(argv: list[str]) -> int:
    args = argv[1:]
    upstream: Path | None = None
    if "--pydantic-ai" in args:
        at = args.index("--pydantic-ai")
        upstream = Path(args[at + 1])
        del args[at : at + 2]
    source = Path(args[0]) if args else DEFAULT_SOURCE
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in CASSETTES:
        vendor(source / name, name)
    for name in UPSTREAM_ONLY if upstream else ():
        vendor(upstream / name, f"responses/pydantic-ai-{name}")  # type: ignore[operator]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
