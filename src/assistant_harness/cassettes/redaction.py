"""Keep secrets off disk: redact interactions before they are written, and scan what would be written.

Redaction is by name (headers such as ``authorization`` or ``openai-project``; query and JSON keys
such as ``api_key`` or ``token``) and by shape (anything that looks like an OpenAI key, a bearer
token, a project or organisation id, wherever it appears). The scan looks for the same shapes plus
identifying headers left unredacted; a write is refused while it finds anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .format import Body, Interaction

REDACTED = "REDACTED"

#: Headers that carry credentials or identify an account (request and response).
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "cookie",
        "set-cookie",
        "openai-organization",
        "openai-project",
        "ocp-apim-subscription-key",
        "x-goog-api-key",
    }
)

#: Query-string and JSON keys whose values are secrets (compared without case, dashes or underscores).
SENSITIVE_KEYS = frozenset(
    {
        "apikey",
        "key",
        "token",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "secret",
        "clientsecret",
        "password",
        "authorization",
        "sessionkey",
        "privatekey",
    }
)

#: What a secret or an account id looks like.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an OpenAI API key", re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}")),
    ("a bearer token", re.compile(r"Bearer\s+(?!REDACTED)[A-Za-z0-9._~+/\-]{16,}=*")),
    ("an OpenAI project id", re.compile(r"proj_[A-Za-z0-9]{8,}")),
    ("an OpenAI organization id", re.compile(r"org-[A-Za-z0-9]{8,}")),
    ("a session key", re.compile(r"sess-[A-Za-z0-9]{16,}")),
)

Redactor = Callable[[Interaction], Interaction]


def _normal(key: str) -> str:
    return key.lower().replace("-", "").replace("_", "")


def scrub_text(text: str) -> str:
    """``text`` with every key-like substring replaced."""
    for _, pattern in PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def scrub_value(value: Any) -> Any:
    """A JSON value with secret-named *string* fields and key-like text replaced (objects under such
    names, like a tool's ``token`` parameter schema, are walked, not replaced)."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, list):
        return [scrub_value(item) for item in value]
    if isinstance(value, dict):
        return {
            k: REDACTED if _normal(str(k)) in SENSITIVE_KEYS and isinstance(v, str) else scrub_value(v)
            for k, v in value.items()
        }
    return value


_scrub = scrub_value


def _headers(headers: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        if name in SENSITIVE_HEADERS:
            out[name] = "Bearer REDACTED" if value.lower().startswith("bearer ") else REDACTED
        else:
            out[name] = scrub_text(value)
    return out


def redact_url(url: str) -> str:
    """``url`` with secret query values and key-like text replaced."""
    return _url(url)


def _url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return scrub_text(url)
    query = [
        (k, REDACTED if _normal(k) in SENSITIVE_KEYS else scrub_text(v))
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query), path=scrub_text(parts.path)))


def _body(body: Body) -> Body:
    if body.kind in ("json", "sse", "text"):
        return Body(body.kind, _scrub(body.value))
    return body


def redact(interaction: Interaction) -> Interaction:
    """The default redaction: sensitive headers, query keys and JSON keys, and key-like text anywhere."""
    return replace(
        interaction,
        url=_url(interaction.url),
        request_headers=_headers(interaction.request_headers),
        request_body=_body(interaction.request_body),
        response_headers=_headers(interaction.response_headers),
        response_body=_body(interaction.response_body),
    )


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


# -- scanning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    location: str
    what: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.location}: {self.what} ({self.excerpt})"


def _excerpt(text: str) -> str:
    return text[:6] + "…" if len(text) > 8 else "…"


def _walk(value: Any, location: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield location, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{location}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{location}.{key}")


def scan_text(text: str, location: str) -> list[Finding]:
    found = []
    for what, pattern in PATTERNS:
        for match in pattern.finditer(text):
            found.append(Finding(location, what, _excerpt(match.group(0))))
    return found


def scan(interactions: Iterable[Interaction]) -> list[Finding]:
    """Everything key-like or identifying in ``interactions``, with where it is."""
    found: list[Finding] = []
    for index, interaction in enumerate(interactions):
        where = f"interactions[{index}]"
        found += scan_text(interaction.url, f"{where}.request.url")
        for side, headers in (
            ("request", interaction.request_headers),
            ("response", interaction.response_headers),
        ):
            for name, value in headers.items():
                location = f"{where}.{side}.headers.{name}"
                if name in SENSITIVE_HEADERS and value not in (REDACTED, "Bearer REDACTED"):
                    found.append(Finding(location, "an identifying or secret header", _excerpt(value)))
                else:
                    found += scan_text(value, location)
        for side, body in (("request", interaction.request_body), ("response", interaction.response_body)):
            for location, text in _walk(body.value, f"{where}.{side}.body"):
                found += scan_text(text, location)
    return found
