"""Interception: what the fake answers, what it passes on, and how it names what it does not serve."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import respx

from assistant_harness import FakeAssistants, Fault, UnservedEndpointError
from assistant_harness.http.transports import HAS_HTTPX2, BaseUrl, HTTPCore2Mocker

from .conftest import MODULE_LEVEL_ASYNC_CLIENT, MODULE_LEVEL_CLIENT


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"real server"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_other_hosts_pass_through(fake: FakeAssistants, local_server: str) -> None:
    assert httpx.get(local_server).text == "real server"


@pytest.mark.skipif(not HAS_HTTPX2, reason="httpx2 comes with openai 3.x only (this run has openai 2.x)")
def test_other_hosts_pass_through_httpx2(fake: FakeAssistants, local_server: str) -> None:
    import httpx2

    assert httpx2.get(local_server).text == "real server"


def test_the_sdks_requests_are_answered_at_its_transport(
    fake: FakeAssistants, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above httpcore: httpx's conversion of each request to httpcore and back is not paid."""
    from assistant_harness.http.transports import FakeRouter

    def at_httpcore(*args: object) -> None:
        raise AssertionError("answered at the httpcore layer")

    monkeypatch.setattr(FakeRouter, "handle", at_httpcore)
    assistant = MODULE_LEVEL_CLIENT.beta.assistants.create(model="gpt-4o")
    assert fake.store.assistants[assistant.id]["model"] == "gpt-4o"


async def test_the_async_sdks_requests_are_answered_at_its_transport(
    fake: FakeAssistants, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant_harness.http.transports import FakeRouter

    async def at_httpcore(*args: object) -> None:
        raise AssertionError("answered at the httpcore layer")

    monkeypatch.setattr(FakeRouter, "handle_async", at_httpcore)
    assistant = await MODULE_LEVEL_ASYNC_CLIENT.beta.assistants.create(model="gpt-4o")
    assert assistant.id in fake.store.assistants


def test_client_made_before_the_fake_is_intercepted(fake: FakeAssistants) -> None:
    assistant = MODULE_LEVEL_CLIENT.beta.assistants.create(model="gpt-4o")
    assert fake.store.assistants[assistant.id]["model"] == "gpt-4o"


async def test_async_client_made_before_the_fake_is_intercepted(fake: FakeAssistants) -> None:
    assistant = await MODULE_LEVEL_ASYNC_CLIENT.beta.assistants.create(model="gpt-4o")
    assert assistant.id in fake.store.assistants


def test_unserved_openai_endpoint_is_named_not_retried(fake: FakeAssistants) -> None:
    with pytest.raises(UnservedEndpointError, match=r"does not serve POST /v1/moderations"):
        MODULE_LEVEL_CLIENT.moderations.create(input="x")
    assert list(fake.backend.requests) == []


def test_unserved_endpoint_through_fake_client(fake: FakeAssistants) -> None:
    with pytest.raises(UnservedEndpointError, match=r"GET /v1/models") as caught:
        fake.client().models.list()
    # The hint is the request's own method and URL, ready to paste.
    assert "fake.router.get('https://api.openai.com/v1/models').respond(json=...)" in str(caught.value)
    assert "chat/completions" not in str(caught.value)


def test_user_routes_on_the_fake_router_answer_other_endpoints(fake: FakeAssistants) -> None:
    fake.router.get("https://api.openai.com/v1/models").respond(json={"object": "list", "data": []})
    assert MODULE_LEVEL_CLIENT.models.list().data == []


def test_users_own_respx_mock_keeps_working(fake: FakeAssistants) -> None:
    with respx.mock(assert_all_called=True) as mine:
        mine.get("https://example.org/ping").respond(text="pong")
        assert httpx.get("https://example.org/ping").text == "pong"
        assert MODULE_LEVEL_CLIENT.beta.threads.create().id.startswith("thread_")


def test_custom_base_url(local_server: str) -> None:
    with FakeAssistants(base_url="http://localhost:8900/v1", also_serve=["https://my-proxy.example/openai"]):
        client = openai.OpenAI(api_key="sk-test", base_url="http://localhost:8900/v1")
        assert client.beta.assistants.create(model="m").object == "assistant"
        proxied = openai.OpenAI(api_key="sk-test", base_url="https://my-proxy.example/openai")
        assert proxied.beta.threads.create().object == "thread"


def test_interception_ends_with_the_block(local_server: str) -> None:
    served = local_server + "v1"
    with FakeAssistants(base_url=served):
        assert openai.OpenAI(api_key="sk-test", base_url=served).files.list().data == []
    # The fake's own base URL reaches the real server again, through httpx and (on 3.x) httpx2.
    assert httpx.get(served + "/assistants").text == "real server"
    if HAS_HTTPX2:
        import httpx2

        assert httpx2.get(served + "/assistants").text == "real server"
    from respx.mocks import HTTPCoreMocker

    assert HTTPCoreMocker.routers == [] and HTTPCoreMocker._patches == []
    if HTTPCore2Mocker is not None:
        assert HTTPCore2Mocker.routers == [] and HTTPCore2Mocker._patches == []


def test_two_fakes_in_turn_share_nothing() -> None:
    with FakeAssistants() as first:
        MODULE_LEVEL_CLIENT.beta.assistants.create(model="a")
    with FakeAssistants() as second:
        assert MODULE_LEVEL_CLIENT.beta.assistants.list().data == []
    assert len(first.store.assistants) == 1 and second.store.assistants == {}


def test_base_url_needs_scheme_and_host() -> None:
    with pytest.raises(ValueError, match="needs a scheme and a host"):
        BaseUrl("api.openai.com/v1")


def test_stopping_a_fake_under_an_open_cassette_keeps_the_cassette_working(
    tmp_path: Path, local_server: str
) -> None:
    from assistant_harness import use_cassette

    path = tmp_path / "c.json"
    with FakeAssistants(), use_cassette(path, record_mode="once"):
        openai.OpenAI(api_key="sk-test").beta.threads.create()
    fake = FakeAssistants().start()
    cassette = use_cassette(path).__enter__()
    fake.stop()  # out of order: the cassette is still open
    assert openai.OpenAI(api_key="sk-test").beta.threads.create().object == "thread"  # replayed, offline
    cassette.__exit__(None, None, None)
    assert httpx.get(local_server).text == "real server"  # nothing stale is left patched


def test_a_fake_started_and_stopped_inside_an_open_cassette_leaves_nothing_patched(
    tmp_path: Path, local_server: str
) -> None:
    """The cassette's lane is under the fake's respx wrapper and the fake's lane over it; stopping
    the fake brings the cassette's lane back on top, and closing the cassette must not then put
    respx's wrapper (with no router left) back: every later request would fail inside respx."""
    from assistant_harness import use_cassette

    path = tmp_path / "c.json"
    with FakeAssistants(), use_cassette(path, record_mode="once"):
        openai.OpenAI(api_key="sk-test").beta.threads.create()
    with use_cassette(path):
        with FakeAssistants():
            openai.OpenAI(api_key="sk-test").beta.assistants.create(model="gpt-4o")
        assert openai.OpenAI(api_key="sk-test").beta.threads.create().object == "thread"  # replayed
    assert httpx.get(local_server).text == "real server"
    if HAS_HTTPX2:
        import httpx2

        assert httpx2.get(local_server).text == "real server"


def _sdk_mocker() -> type:
    """The respx mocker that sees the installed SDK's default client (httpcore2 for openai 3.x)."""
    from respx.mocks import HTTPCoreMocker

    return HTTPCore2Mocker if HTTPCore2Mocker is not None else HTTPCoreMocker


@pytest.fixture
def respx_in_front(fake: FakeAssistants) -> FakeAssistants:
    """A fake whose endpoints reach it through respx: respx's restart (run e.g. by
    ``Mocker.add_targets``) puts its own wrappers back over the fast lane."""
    _sdk_mocker().restart()  # type: ignore[attr-defined]
    return fake


def test_served_requests_are_answered_through_respx(respx_in_front: FakeAssistants) -> None:
    assistant = MODULE_LEVEL_CLIENT.beta.assistants.create(model="gpt-4o")
    assert respx_in_front.store.assistants[assistant.id]["model"] == "gpt-4o"
    assert [r.path for r in respx_in_front.backend.requests] == ["/assistants"]


async def test_served_requests_are_answered_async_through_respx(respx_in_front: FakeAssistants) -> None:
    assistant = await MODULE_LEVEL_ASYNC_CLIENT.beta.assistants.create(model="gpt-4o")
    assert assistant.id in respx_in_front.store.assistants


def test_streams_faults_and_unserved_paths_through_respx(respx_in_front: FakeAssistants) -> None:
    client = MODULE_LEVEL_CLIENT.with_options(max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")
    with client.beta.threads.create_and_run_stream(assistant_id=assistant.id) as stream:
        stream.until_done()
    assert stream.get_final_run().status == "completed"
    respx_in_front.faults.append(Fault(endpoint="threads.create", error="connect"))
    with pytest.raises(openai.APIConnectionError):
        client.beta.threads.create()
    with pytest.raises(UnservedEndpointError, match=r"GET /v1/assistants/asst_x/nothing"):
        client.get("/assistants/asst_x/nothing", cast_to=object)


def _pool_method(name: str) -> object:
    def method(self: object, request: object) -> object: ...

    method.__name__ = name  # respx wraps only its target methods, by name
    return method


def test_respx_wrappers_are_built_once_per_pool_method_and_the_cache_is_bounded() -> None:
    from assistant_harness.http.transports import _cached_wrapper, _wrapper

    mocker = _sdk_mocker()
    original = _pool_method("handle_request")
    assert _wrapper(mocker, original) is _wrapper(mocker, original)
    for _ in range(300):  # methods replaced by others again and again
        _wrapper(mocker, _pool_method("handle_request"))
    assert _cached_wrapper.cache_info().currsize <= 128


def test_a_fast_lane_wrapper_underneath_is_wrapped_afresh_not_cached() -> None:
    from assistant_harness.http.transports import _cached_wrapper, _wrapper

    lane = _pool_method("handle_request")
    lane._assistant_harness_lane = True  # type: ignore[attr-defined]
    before = _cached_wrapper.cache_info().currsize
    assert _wrapper(_sdk_mocker(), lane) is not _wrapper(_sdk_mocker(), lane)
    assert _cached_wrapper.cache_info().currsize == before


def test_through_respx_the_innermost_of_nested_fakes_answers_as_on_the_fast_lane() -> None:
    with FakeAssistants() as outer, FakeAssistants() as inner:
        _sdk_mocker().restart()  # type: ignore[attr-defined]
        assistant = MODULE_LEVEL_CLIENT.beta.assistants.create(model="gpt-4o")
        assert assistant.id in inner.store.assistants
        assert assistant.id not in outer.store.assistants
    with FakeAssistants() as outer:  # the inner one gone, the outer one answers again
        _sdk_mocker().restart()  # type: ignore[attr-defined]
        assert MODULE_LEVEL_CLIENT.beta.assistants.create(model="gpt-4o").id in outer.store.assistants


async def test_through_respx_the_innermost_fake_answers_async() -> None:
    async with FakeAssistants() as outer, FakeAssistants() as inner:
        _sdk_mocker().restart()  # type: ignore[attr-defined]
        assistant = await MODULE_LEVEL_ASYNC_CLIENT.beta.assistants.create(model="gpt-4o")
        assert assistant.id in inner.store.assistants and assistant.id not in outer.store.assistants


#: respx releases whose private Mocker internals `_start_mocker` was checked against.
RESPX_VERIFIED = ("0.22.0", "0.23.0", "0.23.1")


def test_respx_is_a_release_whose_internals_were_checked() -> None:
    """`http/transports._start_mocker` does what respx's `Mocker.start` does without
    `unittest.mock.patch` (1.7 ms per fake start, against 0.05 ms): it appends to the private
    `Mocker._patches` and relies on `targets`, `target_methods` and `mock()`. pyproject pins
    respx below 0.24; on a new release, check those internals (the test below), then add it here."""
    import respx

    assert respx.__version__ in RESPX_VERIFIED, (
        f"respx {respx.__version__} is not a release _start_mocker was checked against: see this test's "
        "docstring, then add the version to RESPX_VERIFIED (and raise the bound in pyproject.toml)"
    )


def test_the_respx_internals_start_mocker_uses_are_there() -> None:
    from respx.mocks import HTTPCoreMocker

    assert isinstance(HTTPCoreMocker._patches, list)
    assert HTTPCoreMocker.target_methods == ["handle_request", "handle_async_request"]
    assert all(isinstance(target, str) for target in HTTPCoreMocker.targets)
    assert callable(HTTPCoreMocker.mock) and callable(HTTPCoreMocker.stop)


def test_request_headers_are_read_with_names_lowered_as_httpx_lowers_them() -> None:
    from assistant_harness.http.answers import header_names

    class PublicOnly:
        """A Headers that keeps its pairs some other way: only ``raw`` is asked."""

        raw = [(b"X-\xc9t\xc9", b"V\xe9"), (b"Authorization", b"Bearer k")]

    expected = {"x-\xc9t\xc9": "V\xe9", "authorization": "Bearer k"}  # bytes.lower(): ASCII letters only
    assert header_names(PublicOnly()) == expected
    kept = httpx.Headers(PublicOnly.raw)
    assert header_names(kept) == expected
