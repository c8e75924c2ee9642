"""http/multipart: the form parts of an upload, and text fields that must be UTF-8."""

from __future__ import annotations

import httpx
import pytest

from assistant_harness.http import multipart
from assistant_harness.http.messages import MalformedRequest


def _encoded(files: dict[str, tuple[str, bytes]], data: dict[str, str]) -> tuple[str, bytes]:
    request = httpx.Request("POST", "https://x/files", files=files, data=data)
    return request.headers["content-type"], request.read()


def test_parts_by_field_name_as_httpx_encodes_them() -> None:
    content_type, body = _encoded({"file": ("notes.txt", b"\x00\xffbinary")}, {"purpose": "assistants"})
    form = multipart.parse(content_type, body)
    assert form["file"].filename == "notes.txt" and form["file"].content == b"\x00\xffbinary"
    assert multipart.text(form["purpose"], "purpose") == "assistants" and form["purpose"].filename is None


def test_a_body_that_is_not_multipart_has_no_parts() -> None:
    assert multipart.parse("application/json", b'{"purpose":"assistants"}') == {}
    assert multipart.parse("", b"") == {}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"--x\r\n",
        b"garbage",
        bytes(range(256)),
        b"--b0und--\r\n",
        b"--b0und\r\n\r\nno headers\r\n--b0und--",
    ],
)
def test_broken_forms_give_no_parts_rather_than_errors(body: bytes) -> None:
    assert multipart.parse("multipart/form-data; boundary=b0und", body) == {}


def test_a_non_utf8_text_field_is_malformed_naming_it() -> None:
    part = multipart.Part("purpose", None, b"\xff\xfe")
    with pytest.raises(MalformedRequest, match="The 'purpose' field of your form is not valid UTF-8"):
        multipart.text(part, "purpose")


def test_a_non_utf8_filename_is_text_without_reprs() -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="\xff.txt"\r\n\r\nx\r\n--b--\r\n'
    part = multipart.parse("multipart/form-data; boundary=b", body)["file"]
    assert isinstance(part.filename, str) and part.filename.endswith(".txt") and "b'" not in part.filename
    part.filename.encode("utf-8")
