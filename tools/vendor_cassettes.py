"""Copy the real recordings tests replay out of ../shared/real-cassettes, scrubbed.

The Assistants recordings are openllmetry's (Apache-2.0; LICENSE-openllmetry beside the copies,
NOTICE says what changed); the Responses ones under responses/ are pydantic-ai's (MIT;
responses/LICENSE-pydantic-ai and responses/NOTICE.md). They keep every header *name*, so
``assistant-harness scan`` still has real identifying headers to flag, but the values that identify
someone (the openai-project id, the organization name, Cloudflare's cookies) are replaced with
obvious placeholders. Run from the
repository root; tests/test_real_cassettes.py checks the copies are exactly what this script makes
from ../shared when that folder is there.

    python tools/vendor_cassettes.py [path/to/shared/real-cassettes]
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

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

#: (what, pattern, placeholder): every identifying value the recordings hold.
SCRUB = (
    ("project id", re.compile(r"proj_[A-Za-z0-9]{16,}"), "proj_" + "0" * 24),
    ("organization", re.compile(r"(openai-organization:\n\s+- )\S+"), r"\1example-org"),
    ("cookie", re.compile(r"(__cf_bm|_cfuvid)=[^;\s]+"), r"\1=scrubbed-by-vendor-cassettes"),
)


def scrub(text: str) -> str:
    for _, pattern, placeholder in SCRUB:
        text = pattern.sub(placeholder, text)
    return text


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in CASSETTES:
        text = scrub((source / name).read_text(encoding="utf-8"))
        fd, tmp = tempfile.mkstemp(dir=TARGET, prefix=".vendor-", suffix=".yaml")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, TARGET / name)
        print(f"wrote {(TARGET / name).relative_to(ROOT)} ({len(text)} bytes) from {source / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
