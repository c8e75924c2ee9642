"""The fake's files: uploads, and the files a code interpreter call creates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...engine.clock import VirtualClock
from ..common.errors import invalid_value, missing, not_found
from ..common.ids import IdGenerator
from ..common.pagination import page

Obj = dict[str, Any]

#: What an upload may be for (``assistants_output`` is only made by the API itself).
FILE_PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]


@dataclass(eq=False, slots=True)
class StoredFile:
    obj: Obj
    content: bytes

    @property
    def text(self) -> str:
        """The content as text (what file search reads)."""
        return self.content.decode("utf-8", errors="replace")


def file_object(object_id: str, created_at: int, *, filename: str, purpose: str, size: int) -> Obj:
    # expires_at and status_details are optional and not nullable in the spec: left out when unset.
    return {
        "id": object_id,
        "object": "file",
        "bytes": size,
        "created_at": created_at,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
    }


class Files(Mapping[str, StoredFile]):
    """Every file of one fake, by id (``file_id in fake.store.files`` reads naturally in tests)."""

    def __init__(self, clock: VirtualClock, ids: IdGenerator) -> None:
        self._clock = clock
        self._ids = ids
        self._items: dict[str, StoredFile] = {}

    def __getitem__(self, file_id: str) -> StoredFile:
        return self._items[file_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def create(self, filename: str | None, content: bytes | None, purpose: str | None) -> Obj:
        """An upload (``files.create``), checked as the API checks it."""
        if content is None:
            raise missing("file")
        if purpose is None:
            raise missing("purpose")
        if purpose not in FILE_PURPOSES:
            raise invalid_value("purpose", purpose, FILE_PURPOSES)
        return self.add(filename or "upload", content, purpose)

    def add(self, filename: str, content: bytes, purpose: str) -> Obj:
        """A file the fake itself makes (a code interpreter's image or output file)."""
        obj = file_object(
            self._ids.new("file"),
            int(self._clock.time()),
            filename=filename,
            purpose=purpose,
            size=len(content),
        )
        self._items[obj["id"]] = StoredFile(obj, content)
        return obj

    def get(self, file_id: str, default: Any = None) -> Any:  # Mapping.get, unchanged semantics
        return self._items.get(file_id, default)

    def retrieve(self, file_id: str) -> StoredFile:
        """The file, or the API's 404."""
        try:
            return self._items[file_id]
        except KeyError:
            raise not_found("file", file_id) from None

    def delete(self, file_id: str) -> Obj:
        self.retrieve(file_id)
        del self._items[file_id]
        return {"id": file_id, "object": "file", "deleted": True}

    def list_page(self, query: Mapping[str, str]) -> Obj:
        files = [f.obj for f in self._items.values()]
        if "purpose" in query:
            files = [f for f in files if f["purpose"] == query["purpose"]]
        return page(files, query, default_limit=10_000, max_limit=10_000)  # the spec's limits for files
