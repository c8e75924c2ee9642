"""The Conversations API's endpoints. Handlers take the fake's
:class:`ConversationStore`, the request and the path parameters by name; fault
rules name them ``conversations.create``, ``.retrieve``, ``.update``, ``.delete`` and
``conversations.items.create``, ``.list``, ``.retrieve``, ``.delete``."""

from __future__ import annotations

from typing import Any

from ...http.messages import ApiRequest
from ...http.routing import Endpoint
from ..registry import Api, Context
from .store import ConversationStore

Obj = dict[str, Any]


def create(store: ConversationStore, request: ApiRequest, *, body: Obj) -> Obj:
    return store.create(body)


def retrieve(store: ConversationStore, request: ApiRequest, *, conversation_id: str) -> Obj:
    return store.get(conversation_id).obj


def update(store: ConversationStore, request: ApiRequest, *, conversation_id: str, body: Obj) -> Obj:
    return store.update(conversation_id, body)


def delete(store: ConversationStore, request: ApiRequest, *, conversation_id: str) -> Obj:
    return store.delete(conversation_id)


def create_items(store: ConversationStore, request: ApiRequest, *, conversation_id: str, body: Obj) -> Obj:
    return store.add_items(conversation_id, body, request.query)


def list_items(store: ConversationStore, request: ApiRequest, *, conversation_id: str) -> Obj:
    return store.list_items(conversation_id, request.query)


def retrieve_item(
    store: ConversationStore, request: ApiRequest, *, conversation_id: str, item_id: str
) -> Obj:
    return store.get_item(conversation_id, item_id, request.query)


def delete_item(store: ConversationStore, request: ApiRequest, *, conversation_id: str, item_id: str) -> Obj:
    return store.delete_item(conversation_id, item_id)


_ONE = "/conversations/{conversation_id}"
_ITEMS = _ONE + "/items"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "conversations.create", "POST", "/conversations", create, schema="CreateConversationBody", beta=False
    ),
    Endpoint("conversations.retrieve", "GET", _ONE, retrieve, beta=False),
    Endpoint("conversations.update", "POST", _ONE, update, schema="UpdateConversationBody", beta=False),
    Endpoint("conversations.delete", "DELETE", _ONE, delete, beta=False),
    Endpoint(
        "conversations.items.create",
        "POST",
        _ITEMS,
        create_items,
        schema="CreateConversationItemsBody",
        beta=False,
    ),
    Endpoint("conversations.items.list", "GET", _ITEMS, list_items, lists=True, beta=False),
    Endpoint("conversations.items.retrieve", "GET", _ITEMS + "/{item_id}", retrieve_item, beta=False),
    Endpoint("conversations.items.delete", "DELETE", _ITEMS + "/{item_id}", delete_item, beta=False),
)


def _build(context: Context) -> ConversationStore:
    return ConversationStore(context.clock, context.ids)


API = Api("conversations", ENDPOINTS, _build)
