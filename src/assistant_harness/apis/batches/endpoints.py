"""The Batch API's endpoints: create, retrieve, list, cancel; fault rules name them
``batches.create``, ``batches.retrieve``, ``batches.list``, ``batches.cancel``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...engine import lifecycle as lc
from ...engine.hangs import Polled
from ...http.messages import ApiRequest
from ...http.routing import Endpoint
from ..chat.store import ChatCompletions, ChatScript
from ..common.validation import validate
from ..embeddings.endpoints import Embeddings
from ..files.store import Files
from ..registry import Api, ApiStates, Context
from ..responses.endpoints import _lenient
from ..responses.statuses import COMPLETED, RESPONSE_MODEL
from ..responses.store import ResponseStore
from .lines import Answerer
from .store import BatchStore, _default_scripts

Obj = dict[str, Any]


def create(batches: BatchStore, request: ApiRequest, *, body: Obj) -> Obj:
    return batches.create(body).obj


def retrieve(batches: BatchStore, request: ApiRequest, *, batch_id: str) -> Obj:
    return batches.get(batch_id).obj


def list_batches(batches: BatchStore, request: ApiRequest) -> Obj:
    return batches.list_page(request.query)


def cancel(batches: BatchStore, request: ApiRequest, *, batch_id: str) -> Obj:
    return batches.cancel(batch_id).obj


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "batches.create", "POST", "/batches", create, returns="batch", schema="CreateBatchRequest", beta=False
    ),
    Endpoint("batches.list", "GET", "/batches", list_batches, lists=True, beta=False),
    Endpoint("batches.retrieve", "GET", "/batches/{batch_id}", retrieve, returns="batch", beta=False),
    Endpoint("batches.cancel", "POST", "/batches/{batch_id}/cancel", cancel, returns="batch", beta=False),
)


def answerers(states: ApiStates) -> dict[str, Answerer]:
    """How a batch request to each endpoint is answered: as the fake answers that endpoint directly
    (the body validated against its schema), at the moment the request finishes."""
    chat = states.of(ChatCompletions)
    embeddings = states.of(Embeddings)
    responses = states.of(ResponseStore)

    def chat_answer(body: Mapping[str, Any], reply: str | None) -> tuple[int, Obj]:
        validate("CreateChatCompletionRequest", body)
        return 200, chat.create({**body, "stream": False}, ChatScript(reply) if reply is not None else None)

    def embeddings_answer(body: Mapping[str, Any], reply: str | None) -> tuple[int, Obj]:
        validate("CreateEmbeddingRequest", body)
        return 200, embeddings.create(body)

    def responses_answer(body: Mapping[str, Any], reply: str | None) -> tuple[int, Obj]:
        plain = {**body, "background": False, "stream": False}
        validate("CreateResponse", _lenient(plain))
        # Answered at once: the batch's own timeline is the time it takes.
        step = lc.Step(COMPLETED, payload={"reply": reply} if reply is not None else {})
        state = responses.create(plain, lc.Timeline([step], model=RESPONSE_MODEL))
        return 200, state.obj

    return {
        "/v1/chat/completions": chat_answer,
        "/v1/embeddings": embeddings_answer,
        "/v1/responses": responses_answer,
    }


def _build(context: Context) -> BatchStore:
    return BatchStore(
        context.clock,
        context.ids,
        context.states.of(Files),
        answerers(context.states),
        context.option("batch_scripts", _default_scripts),
    )


def _batch(batches: BatchStore, params: Mapping[str, str]) -> Polled | None:
    return batches.batches.get(params["batch_id"])


API = Api("batches", ENDPOINTS, _build, polled={"batch": _batch})
