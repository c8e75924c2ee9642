"""Copy the request and response schemas the fake and its tests need out of OpenAI's OpenAPI spec.

Neither the package nor its tests may need ../shared, so this script writes two trimmed copies:

- src/assistant_harness/apis/common/schemas/requests.json: the request schemas the fake validates
  bodies against (REQUEST_SCHEMAS and what they reference);
- tests/schemas/openapi.json: a smaller spec with the same layout (``paths`` and
  ``components.schemas``) for the conformance tests: the 200 answers of every path under
  RESPONSE_PATHS, the schemas in TEST_SCHEMAS, and what they reference.

Request bodies the spec declares inline on an operation (INLINE_BODIES) get a name of their own in
both. Prose is removed and keys sorted. To cover a new API, add its path prefix to RESPONSE_PATHS (and
its stream event schema to TEST_SCHEMAS), then run from the repository root:

    python tools/vendor_schemas.py [path/to/openapi.json]

tests/test_validation.py checks both copies are exactly what this script produces from
../shared/openapi/openapi.json when that file is there.
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
TEST_TARGET = ROOT / "tests" / "schemas" / "openapi.json"
SOURCE = "openai/openai-openapi openapi.json (MIT)"

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
    # What batch lines call, the Batch API and fine-tuning jobs
    "CreateChatCompletionRequest",
    "CreateEmbeddingRequest",
    "CreateBatchRequest",
    "CreateFineTuningJobRequest",
)

#: Request bodies the spec declares inline on an operation, vendored under a name of their own.
INLINE_BODIES = {"CreateConversationItemsBody": ("/conversations/{conversation_id}/items", "post")}

#: The URL prefixes whose 200 answers the conformance tests check (a path's first segment).
RESPONSE_PATHS = (
    "/assistants",
    "/threads",
    "/files",
    "/vector_stores",
    "/responses",
    "/conversations",
    "/chat",
    "/embeddings",
    "/batches",
    "/fine_tuning",
)

#: Schemas tests validate against by name (besides REQUEST_SCHEMAS and the paths' answers).
TEST_SCHEMAS = (
    "ErrorResponse",
    "AssistantStreamEvent",
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
    # The Responses API (its answers come from /responses; these are checked by name too)
    "ResponseStreamEvent",
    "Response",
    "ResponseItemList",
    "TokenCountsResource",
    # The Conversations API (answers from /conversations) and the webhook events the fake sends
    "ConversationResource",
    "DeletedConversationResource",
    "ConversationItemList",
    "ConversationItem",
    "WebhookResponseCompleted",
    "WebhookResponseFailed",
    "WebhookResponseCancelled",
    "WebhookResponseIncomplete",
    # Chat completions, embeddings, batches and fine-tuning jobs
    "CreateChatCompletionStreamResponse",
    "Batch",
    "WebhookBatchCompleted",
    "WebhookBatchFailed",
    "WebhookBatchExpired",
    "WebhookBatchCancelled",
    "FineTuningJob",
    "FineTuningJobEvent",
    "FineTuningJobCheckpoint",
    "WebhookFineTuningJobSucceeded",
    "WebhookFineTuningJobFailed",
    "WebhookFineTuningJobCancelled",
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


def _closure(components: dict[str, Any], roots: list[str]) -> dict[str, Any]:
    """The named schemas and everything they reference, prose removed, sorted by name."""
    todo = list(roots)
    out: dict[str, Any] = {}
    while todo:
        name = todo.pop()
        if name in out:
            continue
        refs: set[str] = set()
        out[name] = _strip(components[name], refs)
        todo.extend(sorted(refs - out.keys()))
    return dict(sorted(out.items()))


def _components(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec's schemas, with the request bodies it declares inline (INLINE_BODIES) named."""
    components = dict(spec["components"]["schemas"])
    for name, (path, method) in INLINE_BODIES.items():
        body = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        components[name] = {"type": "object", **body}
    return components


def extract(spec: dict[str, Any], roots: tuple[str, ...] = REQUEST_SCHEMAS) -> dict[str, Any]:
    """The named request schemas and everything they reference, prose removed, keys sorted."""
    return {"source": SOURCE, "schemas": _closure(_components(spec), list(roots))}


def extract_for_tests(spec: dict[str, Any]) -> dict[str, Any]:
    """A spec cut down to the JSON answers of RESPONSE_PATHS and the schemas tests name."""
    paths: dict[str, Any] = {}
    roots = [*REQUEST_SCHEMAS, *TEST_SCHEMAS]
    for path, operations in spec["paths"].items():
        if "/" + path.split("/")[1] not in RESPONSE_PATHS:
            continue
        for method, operation in operations.items():
            content = operation.get("responses", {}).get("200", {}).get("content", {})
            if "application/json" not in content:
                continue
            refs: set[str] = set()
            schema = _strip(content["application/json"]["schema"], refs)
            roots += sorted(refs)
            answer = {"content": {"application/json": {"schema": schema}}}
            paths.setdefault(path, {})[method] = {"responses": {"200": answer}}
    return {
        "source": SOURCE,
        "paths": paths,
        "components": {"schemas": _closure(_components(spec), roots)},
    }


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def render(spec_path: Path, roots: tuple[str, ...] = REQUEST_SCHEMAS) -> str:
    with spec_path.open(encoding="utf-8") as handle:
        return _dump(extract(json.load(handle), roots))


def render_for_tests(spec_path: Path) -> str:
    with spec_path.open(encoding="utf-8") as handle:
        return _dump(extract_for_tests(json.load(handle)))


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a vendored file is for everyone
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


# -- the operations the request fuzz drives (tests/test_fuzz.py) --------------------------------
OPERATIONS_TARGET = ROOT / "tests" / "data" / "operations.json"
#: Paths under these roots are the fake's to serve; the fuzz sends every operation the spec has there.
SERVED_ROOTS = (
    "assistants",
    "threads",
    "files",
    "vector_stores",
    "responses",
    "conversations",
    "chat",
    "embeddings",
    "batches",
    "fine_tuning",
)
#: Operations under those roots the fake does not serve (yet): stored chat completions among them.
UNSERVED = {
    ("post", "/responses/compact"),
    ("get", "/chat/completions"),
    ("get", "/chat/completions/{completion_id}"),
    ("post", "/chat/completions/{completion_id}"),
    ("delete", "/chat/completions/{completion_id}"),
    ("get", "/chat/completions/{completion_id}/messages"),
    ("post", "/fine_tuning/alpha/graders/run"),
    ("post", "/fine_tuning/alpha/graders/validate"),
    ("get", "/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions"),
    ("post", "/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions"),
    ("delete", "/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions/{permission_id}"),
}


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


def main(argv: list[str]) -> int:
    spec_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    for target, text in (
        (TARGET, render(spec_path)),
        (TEST_TARGET, render_for_tests(spec_path)),
        (OPERATIONS_TARGET, render_operations(spec_path)),
    ):
        _write(target, text)
        print(f"wrote {target.relative_to(ROOT)} ({len(text)} bytes) from {spec_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
