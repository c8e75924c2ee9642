"""Which URLs a fake answers: its base URLs (``https://api.openai.com/v1``, a gateway's given in
``also_serve``, an Azure resource's ``/openai``), and the errors naming what it does not answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from ..errors import UnservedEndpointError
from . import azure

#: Hosts an openai client may reach past a fake without being named in ``pass_through`` (a local
#: server, such as ``assistant-harness serve``).
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class BaseUrl:
    """One API base URL the fake answers for, e.g. ``https://api.openai.com/v1``.

    An Azure OpenAI resource's base (``https://res.openai.azure.com/openai``) is ``azure``: its
    requests go through :func:`azure.adapter` (deployment paths, api-version, ``api-key``).
    """

    __slots__ = ("azure", "host", "origin", "path", "port", "scheme", "url")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url.rstrip("/"))
        if not parts.scheme or not parts.hostname:
            raise ValueError(f"base_url {url!r} needs a scheme and a host, like 'https://api.openai.com/v1'")
        self.url = url.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.path = parts.path
        #: ``scheme://host[:port]``, never a user or password (request URLs for messages start so).
        self.origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        under = parts.path == azure.BASE_PATH or parts.path.startswith(azure.BASE_PATH + "/")
        #: An Azure resource's base: answered from ``/openai`` whatever was given (``/openai/v1``
        #: listed in also_serve too), with Azure's paths, api-version and api-key.
        self.azure = azure.is_azure_host(self.host) and under
        if self.azure:
            self.path = azure.BASE_PATH

    @classmethod
    def for_azure(cls, scheme: str, host: str, port: int | None) -> BaseUrl:
        netloc = host if port is None or port == (443 if scheme == "https" else 80) else f"{host}:{port}"
        return cls(f"{scheme}://{netloc}{azure.BASE_PATH}")

    def root(self, path: str) -> str:
        """The first segment of ``path`` (under this base) as the OpenAI API names it."""
        rest = path[len(self.path) :]
        if self.azure:
            rest = azure.openai_path(rest)[0]
        return rest[1:].partition("/")[0]

    def owns(self, scheme: str, host: str, port: int | None, path: str) -> bool:
        return (
            host == self.host
            and scheme == self.scheme
            and (port or (443 if scheme == "https" else 80)) == self.port
            and (path == self.path or path.startswith(self.path + "/"))
        )


def unserved_message(method: str, url: str) -> str:
    parts = urlsplit(url)
    route = f"{parts.scheme}://{parts.netloc}{parts.path}"  # the request's own, so the hint can be pasted
    return (
        f"The fake Assistants backend does not serve {method} {parts.path} "
        f"(requested as {url}). It serves assistants, threads, messages, runs, run steps, files "
        "and vector stores. To answer other OpenAI endpoints in the same test, add a respx route to "
        f"fake.router: fake.router.{method.lower()}({route!r}).respond(json=...)."
    )


def unserved_error(request: Any) -> UnservedEndpointError:
    return UnservedEndpointError(unserved_message(request.method, str(request.url)))


def passes_through(allowed: Iterable[str], request: Any) -> bool:
    """Whether ``request`` (httpx/httpx2) may reach the network past a fake: any request not made by
    the openai SDK, one to this machine, or one under a URL of ``allowed`` (``pass_through``)."""
    if "x-stainless-lang" not in request.headers:
        return True  # not the openai SDK: another service the test talks to
    url = request.url
    if url.host in LOOPBACK:
        return True
    return any(BaseUrl(prefix).owns(url.scheme, url.host, url.port, url.path) for prefix in allowed)


def unserved_host_error(request: Any, roots: frozenset[str]) -> UnservedEndpointError:
    """An openai client's request to a host the fake neither serves nor lets through, naming the
    base URL to give ``also_serve`` (a gateway, a proxy) and the way to let it through instead."""
    url = request.url
    segments = url.path.split("/")
    at = next((i for i, segment in enumerate(segments) if segment in roots), len(segments))
    base = f"{url.scheme}://{url.netloc.decode('ascii')}{'/'.join(segments[:at])}".rstrip("/")
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    return UnservedEndpointError(
        f"An openai client sent {request.method} {url} to {url.host}, which this fake neither serves "
        f"nor lets through to the network. If it is a gateway or proxy for OpenAI, have the fake answer "
        f"it with also_serve=[{base!r}] (FakeOpenAI(also_serve=...), FakeSettings, or the "
        f"assistant_scenario marker / assistant_harness_config fixture); to let it reach the network, "
        f"pass_through=[{origin!r}]."
    )
