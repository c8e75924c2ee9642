"""http/routing: endpoints with named path parameters, the index, and the call into handlers."""

from __future__ import annotations

import pytest

from assistant_harness.apis.served import INDEX
from assistant_harness.http.messages import ApiRequest
from assistant_harness.http.routing import Endpoint, EndpointIndex, UnservedEndpoint


def _request(method: str = "GET", path: str = "/") -> ApiRequest:
    return ApiRequest(method, path, {}, {}, b"")


def retrieve(state: list[str], request: ApiRequest, *, thread_id: str, run_id: str) -> str:
    state.append(f"{thread_id}/{run_id}")
    return run_id


def create(state: object, request: ApiRequest, *, thread_id: str, body: dict[str, str]) -> str:
    return f"{thread_id}:{body['x']}"


def listing(state: object, request: ApiRequest) -> str:
    return "list"


def test_path_parameters_are_passed_by_name() -> None:
    endpoint = Endpoint("runs.retrieve", "GET", "/threads/{thread_id}/runs/{run_id}", retrieve, returns="run")
    index = EndpointIndex([endpoint])
    found, params = index.find("GET", "/threads/thread_1/runs/run_2")
    assert found is endpoint and params == {"thread_id": "thread_1", "run_id": "run_2"}
    seen: list[str] = []
    assert found.call(seen, _request(), params) == "run_2"
    assert seen == ["thread_1/run_2"]  # never swapped
    assert endpoint.params == ("thread_id", "run_id") and not endpoint.takes_body


def test_the_body_is_passed_only_to_handlers_that_take_it() -> None:
    endpoint = Endpoint("messages.create", "POST", "/threads/{thread_id}/messages", create)
    assert endpoint.takes_body
    assert endpoint.call(None, _request("POST"), {"thread_id": "t"}, {"x": "y"}) == "t:y"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/threads/{thread_id}/runs/{id}",
            r"keyword arguments \['run_id', 'thread_id'\].*name them the same",
        ),
        ("/threads/{thread_id}", r"has parameters \['thread_id'\]"),
    ],
)
def test_a_handler_must_name_the_path_parameters(path: str, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Endpoint("runs.retrieve", "GET", path, retrieve)


def test_positional_handlers_are_refused() -> None:
    def positional(state: object, request: ApiRequest, thread_id: str) -> str:
        return thread_id

    with pytest.raises(TypeError, match="name them the same"):
        Endpoint("threads.retrieve", "GET", "/threads/{thread_id}", positional)


@pytest.mark.parametrize("path", ["/threads/{}", "/threads/{thread_id", "/a/{x}/b/{x}", "/threads//runs"])
def test_malformed_paths_are_refused(path: str) -> None:
    with pytest.raises((ValueError, TypeError)):
        Endpoint("x", "GET", path, listing)


def test_literal_segments_win_over_parameters() -> None:
    assert INDEX.find("POST", "/threads/runs")[0].name == "threads.create_and_run"
    endpoint, params = INDEX.find("POST", "/threads/thread_1/runs/run_2/cancel")
    assert endpoint.name == "runs.cancel" and params == {"thread_id": "thread_1", "run_id": "run_2"}
    assert INDEX.find("POST", "/threads/thread_1")[0].name == "threads.update"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/chat/completions"),
        ("PUT", "/assistants"),
        ("GET", "/threads/t/runs/r/steps/s/x"),
        ("GET", "/"),
    ],
)
def test_unknown_paths_raise_unserved(method: str, path: str) -> None:
    with pytest.raises(UnservedEndpoint, match=f"{method} {path}"):
        INDEX.find(method, path)


def test_duplicate_names_and_routes_are_refused() -> None:
    one = Endpoint("a.list", "GET", "/a", listing, lists=True)
    with pytest.raises(ValueError, match=r"two endpoints are named 'a.list'"):
        EndpointIndex([one, Endpoint("a.list", "GET", "/b", listing)])
    with pytest.raises(ValueError, match=r"a.list and a.other both serve GET"):
        EndpointIndex([one, Endpoint("a.other", "GET", "/a", listing)])


def test_list_endpoints_are_declared_not_inferred_from_names() -> None:
    lists = {e.name for e in INDEX if e.lists}
    assert lists == {
        "assistants.list",
        "messages.list",
        "runs.list",
        "steps.list",
        "files.list",
        "vector_stores.list",
        "vector_stores.files.list",
        "vector_stores.file_batches.list_files",
        "responses.input_items",
        "conversations.items.list",
        "batches.list",
        "fine_tuning.jobs.list",
        "fine_tuning.jobs.list_events",
        "fine_tuning.jobs.checkpoints.list",
    }
    assert Endpoint("x.list", "GET", "/x", listing).lists is False  # the name says nothing


def test_run_answers_are_declared() -> None:
    assert {e.name for e in INDEX if e.returns == "run"} == {
        "threads.create_and_run",
        "runs.create",
        "runs.retrieve",
        "runs.update",
        "runs.cancel",
        "runs.submit_tool_outputs",
    }


def test_roots_are_every_first_segment() -> None:
    assert INDEX.roots == {
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
    }
    assert INDEX.by_name["runs.retrieve"].path == "/threads/{thread_id}/runs/{run_id}"
