"""The real openai SDK answered in-process by a :class:`Namespaces` (no socket, no patching)."""

from __future__ import annotations

from typing import Any

import openai

from assistant_harness.http.answers import mock_transport
from assistant_harness.http.transports import BaseUrl, httpx_module_for_openai
from assistant_harness.remote.worlds import Namespaces

URL = "http://harness.test/v1"


def client(namespaces: Namespaces, api_key: str = "sk-test", **kwargs: Any) -> openai.OpenAI:
    module = httpx_module_for_openai()
    transport = mock_transport(namespaces.handle, BaseUrl(URL), module)
    return openai.OpenAI(
        api_key=api_key, base_url=URL, http_client=module.Client(transport=transport), **kwargs
    )
