"""Built-in tool calls a timeline scripts: code interpreter and file search.

An ``in_progress`` step whose payload has ``tool_calls`` runs them while it lasts: on entering it
the run gets a ``tool_calls`` run step (code input streamed in pieces), and on leaving it the calls
finish: code outputs appear (logs; images and files the fake creates), file search results are
drawn from the run's vector stores with their scores, and the step completes. What the calls
produced (search results, files, images) is what the reply cites, links and shows.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ...errors import TimelineError
from . import content, objects

Obj = dict[str, Any]

if TYPE_CHECKING:
    from ..files.store import Files
    from ..vector_stores.store import VectorStores
    from .run_state import ToolRun  # run_state imports nothing from here


class Ids(Protocol):
    def new(self, kind: str) -> str: ...


class _Thread(Protocol):
    @property
    def obj(self) -> Obj: ...

    @property
    def messages(self) -> dict[str, Obj]: ...


class RunState(Protocol):
    """What built-in tool calls read and change of a run (run_state.RunState; a protocol, so the two
    modules do not import each other)."""

    @property
    def obj(self) -> Obj: ...

    @property
    def thread(self) -> _Thread: ...

    @property
    def tools(self) -> ToolRun: ...


class ToolHost(Protocol):
    """What built-in tool calls need of the store: new ids, the files, the vector stores."""

    @property
    def ids(self) -> Ids: ...

    @property
    def files(self) -> Files: ...

    @property
    def vector_stores(self) -> VectorStores: ...


Emit = Callable[[str, Obj], None]
NewStep = Callable[[Obj, int], Obj]

#: The include value that asks for file search results' text (runs.steps.list/retrieve).
RESULT_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"

#: The API's default ``max_num_results`` for file search (gpt-4* models).
MAX_RESULTS = 20
#: How much of a file a search result quotes.
RESULT_CHARS = 2000
#: Code input arrives in deltas of about this many characters.
INPUT_DELTA = 8

#: The image a code interpreter call "draws": a valid 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def begin(
    store: ToolHost, run: RunState, specs: list[Mapping[str, Any]], at: int, new_step: NewStep, emit: Emit
) -> None:
    """The calls start: their step appears, with code input streamed in pieces."""
    check(specs)
    calls: list[Obj] = []
    for spec in specs:
        call_id = spec.get("id") or store.ids.new("call")
        if spec["type"] == "code_interpreter":
            calls.append(
                {
                    "id": call_id,
                    "type": "code_interpreter",
                    "code_interpreter": {"input": spec["input"], "outputs": []},
                }
            )
        else:
            calls.append({"id": call_id, "type": "file_search", "file_search": {}})
    step = new_step({"type": "tool_calls", "tool_calls": calls}, at)
    run.tools.step, run.tools.specs = step, list(specs)
    for index, call in enumerate(calls):
        if call["type"] == "file_search":
            _delta(emit, step, [{"index": index, "id": call["id"], "type": "file_search", "file_search": {}}])
            continue
        opening = {"input": "", "outputs": []}
        _delta(
            emit,
            step,
            [{"index": index, "id": call["id"], "type": "code_interpreter", "code_interpreter": opening}],
        )
        for piece in content.pieces(call["code_interpreter"]["input"], INPUT_DELTA):
            _delta(
                emit,
                step,
                [{"index": index, "type": "code_interpreter", "code_interpreter": {"input": piece}}],
            )


def check(specs: list[Mapping[str, Any]]) -> None:
    """Refuse, naming the call, what a timeline written in Python got wrong (files are checked on load)."""
    for index, spec in enumerate(specs):
        kind = spec.get("type")
        if kind not in ("code_interpreter", "file_search"):
            raise TimelineError(
                f"in_progress tool_calls[{index}]: type must be code_interpreter or file_search, "
                f"not {kind!r} (function calls go on a requires_action step)"
            )
        if kind == "code_interpreter" and not isinstance(spec.get("input"), str):
            raise TimelineError(
                f"in_progress tool_calls[{index}]: a code_interpreter call needs its input (text)"
            )


def finish(store: ToolHost, run: RunState, at: int, emit: Emit) -> None:
    """The calls end: outputs and results fill in, the step completes."""
    step = run.tools.step
    assert step is not None
    calls = step["step_details"]["tool_calls"]
    for index, (call, spec) in enumerate(zip(calls, run.tools.specs, strict=True)):
        if call["type"] == "code_interpreter":
            outputs = _run_code(store, run, spec)
            call["code_interpreter"]["outputs"] = outputs
            if outputs:
                numbered = [{"index": i, **output} for i, output in enumerate(outputs)]
                delta = {
                    "index": index,
                    "type": "code_interpreter",
                    "code_interpreter": {"outputs": numbered},
                }
                _delta(emit, step, [delta])
        else:
            call["file_search"] = _search(store, run, spec)
            run.tools.results += call["file_search"]["results"]
    step["status"] = "completed"
    step["completed_at"] = at
    code = sum(len(s.get("input", "")) for s in run.tools.specs)
    step["usage"] = objects.usage(code // 4 + 50, code // 4 + 1)
    emit("thread.run.step.completed", step if run.tools.include_content else without_result_content(step))
    run.tools.step, run.tools.specs = None, []


def _delta(emit: Emit, step: Obj, tool_calls: list[Obj]) -> None:
    emit(
        "thread.run.step.delta",
        {
            "id": step["id"],
            "object": "thread.run.step.delta",
            "delta": {"step_details": {"type": "tool_calls", "tool_calls": tool_calls}},
        },
    )


def _run_code(store: ToolHost, run: RunState, spec: Mapping[str, Any]) -> list[Obj]:
    outputs: list[Obj] = []
    for item in spec.get("files") or ():
        name, body = (item, b"") if isinstance(item, str) else (item["name"], _bytes(item.get("content", "")))
        run.tools.files[name] = store.files.add(name, body, "assistants_output")["id"]
    for output in spec.get("outputs") or ():
        if "logs" in output:
            outputs.append({"type": "logs", "logs": str(output["logs"])})
        else:
            name = output["image"] if isinstance(output.get("image"), str) else "image.png"
            file_id = store.files.add(name, PNG, "assistants_output")["id"]
            run.tools.images.append(file_id)
            run.tools.files[name] = file_id
            outputs.append({"type": "image", "image": {"file_id": file_id}})
    return outputs


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def _search(store: ToolHost, run: RunState, spec: Mapping[str, Any]) -> Obj:
    tool = next((t for t in run.obj["tools"] if t.get("type") == "file_search"), None)
    options = (tool or objects.tool({"type": "file_search"}))["file_search"]
    ranking = {**objects.DEFAULT_RANKING, **options.get("ranking_options", {})}
    if ranking.get("ranker") == "auto":
        ranking["ranker"] = objects.DEFAULT_RANKING["ranker"]
    store_ids = [
        *run.obj["tool_resources"].get("file_search", {}).get("vector_store_ids", []),
        *run.thread.obj["tool_resources"].get("file_search", {}).get("vector_store_ids", []),
    ]
    query = spec.get("query") or _last_user_text(run)
    hits = store.vector_stores.hits(store_ids, query)
    if spec.get("results") is not None:
        by_key = {key: hit for hit in hits for key in (hit.file.obj["id"], hit.file.obj["filename"])}
        chosen = [(by_key[r["file"]], r.get("score")) for r in spec["results"] if r["file"] in by_key]
    else:
        limit = int(options.get("max_num_results") or MAX_RESULTS)
        chosen = [(hit, None) for hit in hits if hit.score >= ranking["score_threshold"]][:limit]
    results = [
        {
            "file_id": hit.file.obj["id"],
            "file_name": hit.file.obj["filename"],
            "score": hit.score if score is None else float(score),
            "content": [{"type": "text", "text": hit.file.text[:RESULT_CHARS]}],
        }
        for hit, score in chosen
    ]
    return {"ranking_options": ranking, "results": results}


def _last_user_text(run: RunState) -> str:
    for message in reversed(list(run.thread.messages.values())):
        if message["role"] == "user":
            return " ".join(p["text"]["value"] for p in message["content"] if p.get("type") == "text")
    return ""


def reply_content(run: RunState, text: str) -> list[Obj]:
    """The reply's content parts: the code interpreter's images, then the annotated text."""
    cited = [result["file_id"] for result in run.tools.results]
    notes = content.annotate(text, cited, run.tools.files)
    return [*(content.image_part(file_id) for file_id in run.tools.images), content.text_part(text, notes)]


def default_reply(run: RunState) -> str | None:
    """A cited reply when the run searched files; ``None`` when it did not."""
    if not run.tools.results:
        return None
    names = [result["file_name"] for result in run.tools.results]
    return content.cited_reply(names, turn=len(run.thread.messages))


def without_result_content(step: Obj) -> Obj:
    """``step`` as answered when the request did not include the results' content (a copy if
    anything is left out; the stored step keeps the content)."""
    details = step["step_details"]
    if details["type"] != "tool_calls" or not any(
        c["type"] == "file_search" and c["file_search"].get("results") for c in details["tool_calls"]
    ):
        return step
    calls = [
        {
            **c,
            "file_search": {
                **c["file_search"],
                "results": [
                    {k: v for k, v in r.items() if k != "content"} for r in c["file_search"]["results"]
                ],
            },
        }
        if c["type"] == "file_search" and "results" in c["file_search"]
        else c
        for c in details["tool_calls"]
    ]
    return {**step, "step_details": {**details, "tool_calls": calls}}


def wants_content(query: Mapping[str, str]) -> bool:
    """Whether a request's ``include`` asks for file search results' content."""
    return RESULT_CONTENT in (query.get("include"), query.get("include[]"))


def step_view(step: Obj, query: Mapping[str, str]) -> Obj:
    """A run step as ``runs.steps.list/retrieve`` answer it, given the request's ``include``."""
    return step if wants_content(query) else without_result_content(step)
