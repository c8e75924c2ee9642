"""Copy the request and response schemas the fake needs out of OpenAI's OpenAPI spec.

The package must never read ../shared at run time, so the request schemas it validates against
are vendored into src/assistant_harness/apis/common/schemas/requests.json, trimmed of prose; the
answer schemas tests check payloads against (Conversations, webhook events) into
tests/data/schemas/answers.json, so those tests run without ../shared too. Run from the
repository root after the spec changes; tests/test_validation.py checks both vendored copies are
exactly what this script produces from ../shared/openapi/openapi.json.

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
ANSWERS_TARGET = ROOT / "tests" / "data" / "schemas" / "answers.json"

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
    # The Responses API
    "CreateResponse",
    "TokenCountsBody",
    # The Conversations API
    "CreateConversationBody",
    "UpdateConversationBody",
    "CreateConversationItemsBody",
)

#: Request bodies the spec declares inline on an operation, vendored under a name of their own.
INLINE_BODIES = {"CreateConversationItemsBody": ("/conversations/{conversation_id}/items", "post")}

#: The answers tests validate payloads against (vendored for tests only, not shipped).
ANSWER_SCHEMAS = (
    "ConversationResource",
    "DeletedConversationResource",
    "ConversationItemList",
    "ConversationItem",
    "WebhookResponseCompleted",
    "WebhookResponseFailed",
    "WebhookResponseCancelled",
    "WebhookResponseIncomplete",
    "ErrorResponse",
    "Response",
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
    components = dict(spec["components"]["schemas"])
    for name, (path, method) in INLINE_BODIES.items():
        body = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        components[name] = {"type": "object", **body}
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


# -- the operations the request fuzz drives (tests/test_fuzz.py) --------------------------------
OPERATIONS_TARGET = ROOT / "tests" / "data" / "operations.json"
#: Paths under these roots are the fake's to serve; the fuzz sends every operation the spec has there.
SERVED_ROOTS = ("assistants", "threads", "files", "vector_stores", "responses", "conversations")
#: Operations under those roots the fake does not serve (yet).
UNSERVED = {("post", "/responses/compact")}


def operations(spec: dict[str, Any]) -> dict[str, Any]:
    """Every spec operation under the served roots: method, path, query parameters, request body
    (content type and schema name); with the multipart body schemas requests.json does not hold."""
    out, refs = [], set()
    for path, item in sorted(spec["paths"].items()):
        if path.split("/")[1] not in SERVED_ROOTS or "?" in path:  # ?beta=true: the same operations
            continue
        for method, op in sorted(item.items()):
            if method not in ("get", "post", "delete") or (method, path) in UNSERVED:
                continue
            query = [
                {"name": p["name"], "required": p.get("required", False), "schema": _strip(p["schema"], refs)}
                for p in op.get("parameters", [])
                if p.get("in") == "query"
            ]
            body = None
            for content_type, media in op.get("requestBody", {}).get("content", {}).items():
                ref = media["schema"].get("$ref")
                name = ref.rsplit("/", 1)[-1] if ref else _inline_name(path, method)
                body = {"content_type": content_type, "schema": name}
            out.append({"method": method.upper(), "path": path, "query": query, "body": body})
    todo = [o["body"]["schema"] for o in out if o["body"] and o["body"]["content_type"] != "application/json"]
    components, extra = spec["components"]["schemas"], {}
    while todo:  # the form schemas and what they reference
        name = todo.pop()
        if name not in extra:
            found: set[str] = set()
            extra[name] = _strip(components[name], found)
            todo.extend(sorted(found))
    return {"source": "openai/openai-openapi openapi.json (MIT)", "operations": out, "form_schemas": extra}


def _inline_name(path: str, method: str) -> str:
    """The name INLINE_BODIES gives the inline request body of ``method path``."""
    for name, where in INLINE_BODIES.items():
        if where == (path, method):
            return name
    raise KeyError(f"{method} {path}: an inline request body; name it in INLINE_BODIES")


def render_operations(spec_path: Path) -> str:
    with spec_path.open(encoding="utf-8") as handle:
        spec = json.load(handle)
    return json.dumps(operations(spec), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _write(target: Path, text: str, source: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 is not what a checked-in file should have
    os.replace(tmp, target)
    print(f"wrote {target.relative_to(ROOT)} ({len(text)} bytes) from {source}")


def main(argv: list[str]) -> int:
    spec_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    _write(TARGET, render(spec_path), spec_path)
    _write(OPERATIONS_TARGET, render_operations(spec_path), spec_path)
    _write(ANSWERS_TARGET, render(spec_path, ANSWER_SCHEMAS), spec_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
