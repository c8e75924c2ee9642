"""Keep secrets off disk: redact interactions before they are written, and scan what would be written.

Both are the same walk with the one detector of :mod:`..secrets` (names and shapes, in headers, the
URL, JSON keys and values, text and binary bodies, multipart parts and reassembled streams):
redaction keeps what the walk replaced, the scan reports it. A write is refused while the scan
finds anything, so the scan can never be weaker than the redaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from ..secrets import (
    REDACTED,
    SENSITIVE_HEADERS,
    SHAPES,
    Finding,
    Findings,
    scrub_body,
    scrub_headers,
    scrub_json,
    scrub_text,
    scrub_url,
)
from .format import Body, Interaction

__all__ = [
    "REDACTED",
    "SENSITIVE_HEADERS",
    "SHAPES",
    "Finding",
    "Redactor",
    "redact",
    "redact_all",
    "redact_url",
    "scan",
    "scan_text",
    "scrub_text",
    "scrub_value",
]

Redactor = Callable[[Interaction], Interaction]


def scrub_value(value: object) -> object:
    """A JSON value with secrets replaced (see :func:`..secrets.scrub_json`)."""
    return scrub_json(value)


def redact_url(url: str) -> str:
    """``url`` with secret query values and key-like text replaced."""
    return scrub_url(url)


def _redact(interaction: Interaction, found: Findings | None, where: str) -> Interaction:
    request, response = interaction.request_body, interaction.response_body
    return replace(
        interaction,
        url=scrub_url(interaction.url, found, f"{where}.request.url"),
        request_headers=scrub_headers(interaction.request_headers, found, f"{where}.request.headers"),
        request_body=Body(
            request.kind, scrub_body(request.kind, request.value, found, f"{where}.request.body")
        ),
        response_headers=scrub_headers(interaction.response_headers, found, f"{where}.response.headers"),
        response_body=Body(
            response.kind, scrub_body(response.kind, response.value, found, f"{where}.response.body")
        ),
    )


def redact(interaction: Interaction) -> Interaction:
    """The default redaction: every secret the detector finds, by name or by shape, replaced."""
    return _redact(interaction, None, "")


def redact_all(interactions: Iterable[Interaction], hooks: Iterable[Redactor] = ()) -> list[Interaction]:
    """Default redaction, then the user's hooks in order."""
    hooks = list(hooks)
    out = []
    for interaction in interactions:
        interaction = redact(interaction)
        for hook in hooks:
            interaction = hook(interaction)
        out.append(interaction)
    return out


def scan_text(text: str, location: str) -> list[Finding]:
    found: Findings = []
    scrub_text(text, found, location)
    return found


def scan(interactions: Iterable[Interaction]) -> list[Finding]:
    """Everything redaction would replace in ``interactions``, with where it is."""
    found: Findings = []
    for index, interaction in enumerate(interactions):
        _redact(interaction, found, f"interactions[{index}]")
    return found
