"""Just enough multipart/form-data parsing for ``files.create`` (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP

from .messages import MalformedRequest


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    filename: str | None
    content: bytes


def parse(content_type: str, body: bytes) -> dict[str, Part]:
    """The form's parts by field name; an empty dict if the body is not multipart."""
    if not content_type.lower().startswith("multipart/form-data"):
        return {}
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    parts: dict[str, Part] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        parts[name] = Part(name, filename, payload if isinstance(payload, bytes) else b"")
    return parts


def text(part: Part, field: str) -> str:
    """A text field's value; :class:`MalformedRequest` (a 400) when it is not UTF-8."""
    try:
        return part.content.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest(f"The '{field}' field of your form is not valid UTF-8 text.", field) from None
