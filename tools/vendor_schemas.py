"""Copy the request and response schemas the fake needs out of OpenAI's OpenAPI spec.

The package must never read ../shared at run time, so the request schemas it validates against
are vendored into src/assistant_harness/apis/common/schemas/requests.json, trimmed of prose; the
response and stream-event schemas the tests check payloads against go to tests/schemas/responses.json
(tests must not need ../shared either). Run from the repository root after the spec changes;
tests/test_validation.py checks both vendored copies are exactly what this script produces from
../shared/openapi/openapi.json.

    python tools/vendor_schemas.py [path/to/openapi.json]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT.parent / "shared" / "openapi" / "openapi.json"
TARGET = ROOT / "src" / "assistant_harness" / "apis" / "common" / "schemas" / "requests.json"
RESPONSES_TARGET = ROOT / "tests" / "schemas" / "responses.json"

#: The request bodies the fake validates.
REQUEST_SCHEMAS = (
    "CreateAssistantRequest",
    "ModifyAssistantRequest",
    "CreateThreadRequest",
    "ModifyThreadRequest",
    "CreateMessageRequest",
    "ModifyMessageRequest",
    "CreateRunRequest",
    "ModifyRunRequest",
    "SubmitToolOutputsRunRequest",
    "CreateThreadAndRunRequest",
    "CreateVectorStoreRequest",
    "UpdateVectorStoreRequest",
    "CreateVectorStoreFileRequest",
    "CreateVectorStoreFileBatchRequest",
    "UpdateVectorStoreFileAttributesRequest",
    "VectorStoreSearchRequest",
)

#: The objects and stream events the tests validate the fake's payloads against.
RESPONSE_SCHEMAS = (
    "AssistantObject",
    "ThreadObject",
    "MessageObject",
    "MessageDeltaObject",
    "RunObject",
    "RunStepObject",
    "RunStepDeltaObject",
    "ListRunStepsResponse",
    "OpenAIFile",
    "VectorStoreObject",
    "VectorStoreFileObject",
    "VectorStoreFileBatchObject",
    "ListVectorStoreFilesResponse",
)

#: Keys that only document; the validator never reads them.
PROSE = {
    "description",
    "example",
    "examples",
    "title",
    "x-oaiTypeLabel",
    "x-oaiExpandable",
    "x-oaiMeta",
    "deprecated",
    "x-stainless-const",
    "default",
    "discriminator",
    "format",
    "x-oaiSupportedSince",
}


def _strip(node: Any, refs: set[str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in PROSE:
                continue
            if key == "properties":
                out[key] = {name: _strip(sub, refs) for name, sub in value.items()}
                continue
            if key == "$ref":
                refs.add(value.rsplit("/", 1)[-1])
            out[key] = _strip(value, refs)
        return out
    if isinstance(node, list):
        return [_strip(item, refs) for item in node]
    return node


def extract(spec: dict[str, Any], roots: tuple[str, ...] = REQUEST_SCHEMAS) -> dict[str, Any]:
    """The named schemas and everything they reference, prose removed, keys sorted."""
    components = spec["components"]["schemas"]
    todo = list(roots)
    out: dict[str, Any] = {}
    while todo:
        name = todo.pop()
        if name in out:
            continue
        refs: set[str] = set()
        out[name] = _strip(components[name], refs)
        todo.extend(sorted(refs - out.keys()))
    return {"source": "openai/openai-openapi openapi.json (MIT)", "schemas": dict(sorted(out.items()))}


def render(spec_path: Path, roots: tuple[str, ...] = REQUEST_SCHEMAS) -> str:
    with spec_path.open(encoding="utf-8") as handle:
        spec = json.load(handle)
    return json.dumps(extract(spec, roots), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _write(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".vendored-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, target)


def main(argv: list[str]) -> int:
    spec_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    for target, roots in ((TARGET, REQUEST_SCHEMAS), (RESPONSES_TARGET, RESPONSE_SCHEMAS)):
        text = render(spec_path, roots)
        _write(target, text)
        print(f"wrote {target.relative_to(ROOT)} ({len(text)} bytes) from {spec_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
