"""The files endpoints (shared by every API): uploads, listing, content."""

from __future__ import annotations

from typing import Any

from ...http import multipart
from ...http.messages import ApiRequest, ApiResponse
from ...http.routing import Endpoint
from ..registry import Api, Context
from .store import Files

Obj = dict[str, Any]


def upload_file(files: Files, request: ApiRequest) -> Obj:
    form = multipart.parse(request.headers.get("content-type", ""), request.body)
    file_part, purpose = form.get("file"), form.get("purpose")
    return files.create(
        file_part.filename if file_part else None,
        file_part.content if file_part else None,
        multipart.text(purpose, "purpose") if purpose else None,
    )


def list_files(files: Files, request: ApiRequest) -> Obj:
    return files.list_page(request.query)


def retrieve_file(files: Files, request: ApiRequest, *, file_id: str) -> Obj:
    return files.retrieve(file_id).obj


def delete_file(files: Files, request: ApiRequest, *, file_id: str) -> Obj:
    return files.delete(file_id)


def file_content(files: Files, request: ApiRequest, *, file_id: str) -> ApiResponse:
    content = files.retrieve(file_id).content
    return ApiResponse(200, content, {"content-type": "application/octet-stream"})


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("files.create", "POST", "/files", upload_file, raw_body=True, beta=False),
    Endpoint("files.list", "GET", "/files", list_files, lists=True, beta=False),
    Endpoint("files.retrieve", "GET", "/files/{file_id}", retrieve_file, beta=False),
    Endpoint("files.delete", "DELETE", "/files/{file_id}", delete_file, beta=False),
    Endpoint("files.content", "GET", "/files/{file_id}/content", file_content, beta=False),
)


def _build(context: Context) -> Files:
    return Files(context.clock, context.ids)


API = Api("files", ENDPOINTS, _build)
