"""Tool resources as the API manages them: the vector stores it makes for threads and assistants.

A message attachment for ``file_search`` puts its file into the thread's vector store, creating
that store first when the thread has none ("this will create another vector store associated with
the thread"); a ``code_interpreter`` attachment adds its file to the thread's
``code_interpreter.file_ids``. The ``vector_stores`` helper in ``tool_resources.file_search`` (on
threads and assistants) creates a store from file ids. Stores made for threads expire seven days
after they were last active, as the API's do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from ..common.errors import ApiError, missing
from ..files.store import Files
from ..vector_stores.store import THREAD_STORE_EXPIRY, VectorStores


class Store(Protocol):
    """The rooms these helpers reach (the Assistants store; a protocol, so store and this module do
    not import each other)."""

    @property
    def files(self) -> Files: ...

    @property
    def vector_stores(self) -> VectorStores: ...


Obj = dict[str, Any]


def check_attachments(files: Files, attachments: Iterable[Mapping[str, Any]]) -> None:
    """400 for an attachment naming a file the fake does not have (before anything changes)."""
    for index, attachment in enumerate(attachments):
        if "file_id" not in attachment:
            raise missing(f"attachments[{index}].file_id")
        if attachment["file_id"] not in files:
            raise ApiError(
                400,
                f"Invalid 'attachments[{index}].file_id': no file found with id '{attachment['file_id']}'.",
                param=f"attachments[{index}].file_id",
                code="invalid_value",
            )


def create_helper_stores(
    store: Store, given: Mapping[str, Any] | None, *, for_thread: bool = False
) -> Obj | None:
    """``given`` with each ``file_search.vector_stores`` helper replaced by the id of a new store."""
    if not given:
        return None if given is None else {}
    file_search = given.get("file_search") or {}
    helpers = list(file_search.get("vector_stores") or ())
    if not helpers:
        return dict(given)
    for index, helper in enumerate(helpers):  # all checked before any store is made
        for file_id in helper.get("file_ids") or ():
            if file_id not in store.files:
                raise ApiError(
                    400,
                    f"Invalid 'tool_resources.file_search.vector_stores[{index}].file_ids': "
                    f"no file found with id '{file_id}'.",
                    param=f"tool_resources.file_search.vector_stores[{index}].file_ids",
                    code="invalid_value",
                )
    ids = list(file_search.get("vector_store_ids") or ())
    for helper in helpers:
        body: Obj = {k: helper[k] for k in ("file_ids", "chunking_strategy", "metadata") if k in helper}
        if for_thread:
            body["expires_after"] = THREAD_STORE_EXPIRY
        ids.append(store.vector_stores.create(body)["id"])
    return {**given, "file_search": {"vector_store_ids": ids}}


def attach(store: Store, thread: Obj, attachments: Iterable[Mapping[str, Any]]) -> None:
    """Put a message's attached files where its tools will read them (see the module docstring)."""
    for attachment in attachments:
        file_id = attachment["file_id"]
        kinds = {tool.get("type") for tool in attachment.get("tools") or ()}
        resources = thread["tool_resources"]
        if "code_interpreter" in kinds:
            file_ids = resources.setdefault("code_interpreter", {"file_ids": []})["file_ids"]
            if file_id not in file_ids:
                file_ids.append(file_id)
        if "file_search" in kinds:
            store_ids = resources.setdefault("file_search", {"vector_store_ids": []})["vector_store_ids"]
            if not store_ids:
                store_ids.append(store.vector_stores.create({"expires_after": THREAD_STORE_EXPIRY})["id"])
            if store_ids[0] in store.vector_stores:
                store.vector_stores.add_file(store_ids[0], {"file_id": file_id})
