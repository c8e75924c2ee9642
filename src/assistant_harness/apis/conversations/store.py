"""The fake's conversations: created, updated, deleted, and their items added, listed and removed.

A response created with ``conversation`` reads the conversation's items as its context and, when it
completes (or ends ``incomplete``), adds its input and output items (see
apis/responses/store.py). Items a response will add appear when the response is brought up to
date, so every read here first settles the conversation's responses (``settle``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine.clock import VirtualClock
from ..common.errors import ApiError, invalid_value
from ..common.ids import IdGenerator
from ..common.pagination import page
from ..common.validation import SCHEMAS
from ..responses import objects as items

Obj = dict[str, Any]

#: What ``include`` may name (the spec's IncludeEnum); the fake's items already carry what they name.
INCLUDABLE = tuple(SCHEMAS["IncludeEnum"]["enum"])
#: Item prefixes by type, as the API writes them.
_ITEM_PREFIXES = {"message": "msg", "function_call": "fc", "function_call_output": "fco"}


@dataclass(eq=False, slots=True)
class ConversationState:
    """A conversation: its API object and its items, oldest first."""

    obj: Obj
    items: list[Obj] = field(default_factory=list)
    #: Ids of responses created in this conversation that have not added their items yet.
    pending: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.obj["id"])


class ConversationStore:
    """All conversations of one fake, on its clock and ids."""

    def __init__(self, clock: VirtualClock, ids: IdGenerator) -> None:
        self.clock = clock
        self.ids = ids
        self.conversations: dict[str, ConversationState] = {}
        #: Brings a conversation's pending responses up to date (set by the response store).
        self.settle: Callable[[ConversationState], None] = lambda conversation: None

    def new_item_id(self, kind: str) -> str:
        return self.ids.new_hex(_ITEM_PREFIXES.get(kind, "msg"))

    # -- conversations ---------------------------------------------------------------------
    def create(self, body: Obj) -> Obj:
        now = self.clock.time()
        obj = {
            "id": self.ids.new_hex("conv"),
            "object": "conversation",
            "created_at": int(now),
            "metadata": dict(body.get("metadata") or {}),
        }
        conversation = ConversationState(obj, items.input_items(body.get("items") or [], self.new_item_id))
        self.conversations[conversation.id] = conversation
        return obj

    def get(self, conversation_id: str) -> ConversationState:
        """The conversation with its responses settled; 404 naming it when there is none."""
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            raise ApiError(404, f"Conversation with id '{conversation_id}' not found.")
        if conversation.pending:
            self.settle(conversation)
        return conversation

    def update(self, conversation_id: str, body: Obj) -> Obj:
        conversation = self.get(conversation_id)
        conversation.obj["metadata"] = dict(body["metadata"] or {})
        return conversation.obj

    def delete(self, conversation_id: str) -> Obj:
        self.get(conversation_id)
        del self.conversations[conversation_id]
        return {"id": conversation_id, "object": "conversation.deleted", "deleted": True}

    # -- items -----------------------------------------------------------------------------
    def add_items(self, conversation_id: str, body: Obj, query: Mapping[str, str]) -> Obj:
        _check_include(query)
        conversation = self.get(conversation_id)
        added = items.input_items(body["items"], self.new_item_id)
        conversation.items.extend(added)
        return {
            "object": "list",
            "data": added,
            "first_id": added[0]["id"] if added else None,
            "last_id": added[-1]["id"] if added else None,
            "has_more": False,
        }

    def list_items(self, conversation_id: str, query: Mapping[str, str]) -> Obj:
        _check_include(query)
        return page(self.get(conversation_id).items, query)

    def get_item(self, conversation_id: str, item_id: str, query: Mapping[str, str]) -> Obj:
        _check_include(query)
        conversation = self.get(conversation_id)
        return conversation.items[_index(conversation, item_id)]

    def delete_item(self, conversation_id: str, item_id: str) -> Obj:
        """Remove an item; the API answers with the conversation."""
        conversation = self.get(conversation_id)
        del conversation.items[_index(conversation, item_id)]
        return conversation.obj


def _index(conversation: ConversationState, item_id: str) -> int:
    for index, item in enumerate(conversation.items):
        if item["id"] == item_id:
            return index
    raise ApiError(404, f"Item with id '{item_id}' not found in conversation '{conversation.id}'.")


def _check_include(query: Mapping[str, str]) -> None:
    # The SDK sends a list as ``include[]=...``; the fake's query keeps the last value of a key.
    for key in ("include[]", "include"):
        value = query.get(key)
        if value is not None and value not in INCLUDABLE:
            raise invalid_value("include", value, list(INCLUDABLE))
