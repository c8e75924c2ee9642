"""Vendor real Responses recordings (pydantic-ai's vcrpy cassettes, MIT) into tests/data.

    python tools/vendor_recordings.py SOURCE.yaml [...]

Each file is copied to tests/data/real-cassettes/responses/pydantic-ai-<name> with what identifies an
account scrubbed line by line (Cloudflare cookies, the project id, the organization); bodies are kept
byte for byte, so a test replays exactly what the API sent. LICENSE-pydantic-ai stays beside them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "tests" / "data" / "real-cassettes" / "responses"
SCRUB = (
    (re.compile(r"(__cf_bm=)[^\s;']+"), r"\1SCRUBBED"),
    (re.compile(r"(_cfuvid=)[^\s;']+"), r"\1SCRUBBED"),
    (re.compile(r"\bproj_[A-Za-z0-9]+"), "proj_SCRUBBED"),
)
ORGANIZATION = re.compile(r"^(\s*openai-organization:\n\s*- ).*$", re.M)


def scrub(text: str) -> str:
    for pattern, replacement in SCRUB:
        text = pattern.sub(replacement, text)
    return ORGANIZATION.sub(r"\1XXXXXX", text)


def main(paths: list[str]) -> int:
    for source in map(Path, paths):
        name = source.name if source.name.startswith("pydantic-ai-") else f"pydantic-ai-{source.name}"
        (TARGET / name).write_text(scrub(source.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"vendored {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
