"""Azure OpenAI's URLs and authentication, turned into the plain OpenAI requests the backend serves.

``AzureOpenAI`` sends ``{endpoint}/openai/{path}?api-version=...`` (assistants, threads, files,
vector stores, responses, batches...), ``{endpoint}/openai/deployments/{deployment}/{path}`` (chat
completions, embeddings, completions: the deployment stands for the model) and, for the v1 API,
``{endpoint}/openai/v1/{path}`` with no api-version. It authenticates with an ``api-key`` header or
an Entra ID token as ``Authorization: Bearer``. Azure answers a missing api-version with 404, a
malformed one with 400 and a missing key with 401, in its own error bodies (``code`` a string).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .messages import ApiRequest, ApiResponse, json_response

#: The hosts of Azure OpenAI resources (AI Services and AI Foundry resources included).
HOST_SUFFIXES = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")
#: Where Azure puts the OpenAI API on those hosts.
BASE_PATH = "/openai"
#: What an api-version looks like (``2024-10-21``, ``2025-04-01-preview``); the v1 API also takes
#: ``preview`` and ``latest``. A later dated version than the fake knows is accepted, not refused.
_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?|preview|latest|v1")

_NOT_FOUND = {"error": {"code": "404", "message": "Resource not found"}}
_BAD_VERSION = {"error": {"code": "BadRequest", "message": "API version not supported"}}
_NO_KEY = {
    "error": {
        "code": "401",
        "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
        "provide a valid key for an active subscription and use a correct regional API endpoint for "
        "your resource.",
    }
}
#: Azure's content filter verdict on a harmless text (what the fake's replies all are).
_SAFE = {"filtered": False, "severity": "safe"}
_CATEGORIES = ("hate", "self_harm", "sexual", "violence")

Handle = Callable[[ApiRequest], ApiResponse]


def is_azure_host(host: str) -> bool:
    return host.endswith(HOST_SUFFIXES)


def is_azure_url(url: str) -> bool:
    return is_azure_host(urlsplit(url).hostname or "")


def openai_path(path: str) -> tuple[str, str | None, bool]:
    """A path under ``/openai`` as (the OpenAI path, the deployment or ``None``, whether it is v1).

    ``/deployments/d/chat/completions`` -> (``/chat/completions``, ``d``, False);
    ``/v1/responses`` -> (``/responses``, None, True); ``/threads`` -> (``/threads``, None, False).
    """
    if path == "/v1" or path.startswith("/v1/"):
        return path[3:] or "/", None, True
    if path.startswith("/deployments/"):
        deployment, _, rest = path[len("/deployments/") :].partition("/")
        return "/" + rest, deployment, False
    return path, None, False


def adapter(handle: Handle) -> Handle:
    """``handle`` (the backend's) answering requests whose path is relative to ``/openai``."""

    def answer(request: ApiRequest) -> ApiResponse:
        path, deployment, v1 = openai_path(request.path)
        query = dict(request.query)
        version = query.pop("api-version", None)
        if not v1 and version is None:
            return json_response(404, _NOT_FOUND)
        if version is not None and not _VERSION.fullmatch(version):
            return json_response(400, _BAD_VERSION)
        headers = _openai_headers(request.headers)
        if headers is None:
            return json_response(401, _NO_KEY, {"www-authenticate": 'Bearer realm="azure"'})
        if deployment == "" or path == "/":
            return json_response(404, _NOT_FOUND)
        body = request.body
        if deployment is not None and request.method == "POST":
            body = _with_model(body, deployment)
        elif path == "/batches" and request.method == "POST":
            body = _v1_endpoint(body)
        plain = ApiRequest(
            request.method, path, query, headers, body, url=request.url, read_timeout=request.read_timeout
        )
        response = handle(plain)
        if path == "/chat/completions" and response.status == 200:
            return _with_filter_results(response)
        return response

    return answer


def _openai_headers(headers: Mapping[str, str]) -> dict[str, str] | None:
    """The headers with Azure's credential as OpenAI's ``Authorization``; ``None`` if there is none."""
    out = dict(headers)
    key = out.pop("api-key", "").strip()
    if key:
        out["authorization"] = f"Bearer {key}"
        return out
    auth = out.get("authorization", "")
    return out if auth.startswith("Bearer ") and auth[7:].strip() else None


def _with_model(body: bytes, deployment: str) -> bytes:
    """A deployment path's JSON body with ``model`` set to the deployment when the client left it out."""
    if not body:
        return body
    try:
        value: Any = json.loads(body)
    except ValueError:
        return body  # the backend answers malformed bodies with the API's own 400
    if not isinstance(value, dict) or "model" in value:
        return body
    return json.dumps({**value, "model": deployment}).encode("utf-8")


def _v1_endpoint(body: bytes) -> bytes:
    """A batch's ``endpoint`` as OpenAI names it: Azure's documents write ``/chat/completions``."""
    try:
        value: Any = json.loads(body)
    except ValueError:
        return body
    endpoint = value.get("endpoint") if isinstance(value, dict) else None
    if not isinstance(endpoint, str) or not endpoint.startswith("/") or endpoint.startswith("/v1/"):
        return body
    return json.dumps({**value, "endpoint": "/v1" + endpoint}).encode("utf-8")


def _with_filter_results(response: ApiResponse) -> ApiResponse:
    """A chat completion as Azure returns it: ``prompt_filter_results`` and each choice's
    ``content_filter_results`` (every category ``safe``, nothing filtered); a stream opens with a
    chunk of no choices that carries ``prompt_filter_results``, as Azure's do."""
    verdict = {category: dict(_SAFE) for category in _CATEGORIES}
    prompt = [{"prompt_index": 0, "content_filter_results": verdict}]
    if response.chunks is not None:
        first = {
            "choices": [],
            "created": 0,
            "id": "",
            "model": "",
            "object": "",
            "prompt_filter_results": prompt,
        }
        response.chunks = [f"data: {json.dumps(first, separators=(',', ':'))}\n\n".encode(), *response.chunks]
        if response.broken_after is not None:
            response.broken_after += 1  # a fault's count is of the API's own chunks
        return response
    obj = json.loads(response.content)
    obj["prompt_filter_results"] = prompt
    for choice in obj.get("choices", []):
        choice["content_filter_results"] = verdict
    return json_response(response.status, obj, response.headers)
