"""http/bases: a gateway's base URL (path prefix included) in also_serve, and the error naming the
host and the setting when an openai client's base URL is neither served nor let through."""

from __future__ import annotations

import socket

import openai
import pytest

from assistant_harness import FakeOpenAI, FakeSettings
from assistant_harness.errors import ConfigurationError, UnservedEndpointError
from assistant_harness.http.transports import httpx_module_for_openai


def test_a_gateway_with_a_path_prefix_is_served_through_also_serve() -> None:
    with FakeOpenAI(also_serve=["https://gw.example.com/openai/v1"]) as fake:
        client = openai.OpenAI(base_url="https://gw.example.com/openai/v1", api_key="gw-key")
        response = client.responses.create(model="gpt-4o", input="hi")
        assert response.status == "completed" and fake.backend.requests[-1].path == "/responses"


def test_an_unserved_gateway_names_the_host_and_the_setting() -> None:
    with FakeOpenAI():
        client = openai.OpenAI(base_url="https://gw.example.com/openai/v1", api_key="gw-key", max_retries=0)
        with pytest.raises(UnservedEndpointError) as caught:
            client.responses.create(model="gpt-4o", input="hi")
    message = str(caught.value)
    assert "gw.example.com" in message
    assert "also_serve=['https://gw.example.com/openai/v1']" in message
    assert "pass_through=['https://gw.example.com']" in message


class ReachedTheNetwork(BaseException):
    """Raised by a name lookup: the request got past the fake (a BaseException: the SDK passes it on)."""


def test_pass_through_lets_an_sdk_request_reach_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def lookup(host: object, *args: object, **kwargs: object) -> None:
        raise ReachedTheNetwork(host)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    with FakeOpenAI(pass_through=["https://gw.example.com"]):
        client = openai.OpenAI(base_url="https://gw.example.com/v1", api_key="k", max_retries=0)
        with pytest.raises(ReachedTheNetwork, match=r"gw\.example\.com"):
            client.embeddings.create(model="m", input="x")


def test_requests_not_from_the_sdk_and_to_this_machine_still_pass_through() -> None:
    module = httpx_module_for_openai()
    with FakeOpenAI(), module.Client(transport=module.MockTransport(lambda r: module.Response(204))) as c:
        # A MockTransport never reaches the interception: what is checked is that nothing else is refused.
        assert c.get("https://elsewhere.example.com/x").status_code == 204


@pytest.mark.parametrize("name", ["also_serve", "pass_through"])
def test_a_setting_that_is_not_a_base_url_is_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{name}: 'gw.example.com/v1' is not a base URL"):
        FakeSettings(**{name: ["gw.example.com/v1"]})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "listed", ["https://myres.openai.azure.com/openai", "https://myres.openai.azure.com/openai/v1"]
)
def test_an_azure_url_in_also_serve_is_still_answered_as_azure(listed: str) -> None:
    with FakeOpenAI(also_serve=[listed]):
        v1 = openai.OpenAI(base_url="https://myres.openai.azure.com/openai/v1", api_key="unused")
        v1 = v1.with_options(default_headers={"api-key": "azure-key", "authorization": ""})
        assert v1.responses.create(model="d", input="hi").status == "completed"
