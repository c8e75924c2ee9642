"""What a secret looks like to the one detector (:mod:`.secrets`): the names whose values are secrets,
the shapes of keys and tokens, and the placeholders the harness writes itself (never findings)."""

from __future__ import annotations

import re

REDACTED = "REDACTED"
DONE = frozenset({REDACTED, "Bearer " + REDACTED, ""})
#: The placeholders tools/vendor_cassettes.py writes into the real recordings it vendors: what the
#: harness writes is never a finding.
PLACEHOLDER_ORGANIZATION = "example-org"
PLACEHOLDER_PROJECT = "proj_" + "0" * 24
PLACEHOLDER_COOKIE = "scrubbed-by-vendor-cassettes"
PLACEHOLDERS = DONE | {PLACEHOLDER_ORGANIZATION, PLACEHOLDER_PROJECT, PLACEHOLDER_COOKIE}
#: Set-Cookie attributes: ``name=value`` pairs that are not cookies.
COOKIE_ATTRIBUTES = frozenset({"path", "domain", "expires", "max-age", "samesite"})

#: Headers that carry credentials or identify an account (request and response), beyond the names
#: :func:`is_secret_name` recognises.
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

#: Names (compared without case, dashes, dots or underscores) whose value is a secret.
SECRET_NAMES = frozenset(
    {
        "key",
        "apikey",
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "cookie",
        "sessionkey",
        "sessionid",
        "privatekey",
        "clientsecret",
        "subscriptionkey",
        "signature",
    }
)
#: Endings that make a name secret: ``openai_api_key``, ``aws_secret_access_key``, ``db_password``.
SECRET_SUFFIXES = (
    "apikey",
    "secret",
    "password",
    "passwd",
    "token",
    "secretkey",
    "accesskey",
    "privatekey",
    "subscriptionkey",
    "credentials",
    "sessionkey",
    "authorization",
)
#: Query parameters that are secrets in a URL but ordinary words elsewhere (an error's ``code``).
QUERY_NAMES = frozenset({"sig", "code"})

#: What a secret looks like: (what it is, pattern, a prefix safe to print in a finding).
SHAPES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("an OpenAI API key", re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}"), "sk-"),
    ("a Stripe-style key", re.compile(r"\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}"), "sk_"),
    ("a bearer token", re.compile(r"Bearer\s+(?!REDACTED)[A-Za-z0-9._~+/\-]{16,}=*"), "Bearer "),
    ("a JWT", re.compile(r"eyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}"), "eyJ"),
    # (not the placeholder a vendored recording carries: proj_ and 24 zeros)
    ("an OpenAI project id", re.compile(r"proj_(?!0{24}(?![A-Za-z0-9]))[A-Za-z0-9]{8,}"), "proj_"),
    ("an OpenAI organization id", re.compile(r"org-[A-Za-z0-9]{8,}"), "org-"),
    ("a session key", re.compile(r"sess-[A-Za-z0-9]{16,}"), "sess-"),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "AKIA"),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), "gh"),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}"), "AIza"),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"), "xox"),
    (
        "a private key",
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"),
        "-----BEGIN",
    ),
    ("a password in a URL", re.compile(r"(?<=://)[^/\s:@]{1,64}:(?!REDACTED@)[^/\s@]{1,128}(?=@)"), ""),
)

#: ``name=value`` / ``name: value`` / ``"name": "value"`` in free text (uploaded files, form bodies,
#: logs, JSON text): the value is a secret when the name is.
ASSIGNMENT = re.compile(
    r"""(?P<name>[A-Za-z_][\w.\-]{0,63})["']?[ \t]*[:=][ \t]*["']?"""
    r"""(?:(?:Bearer|Basic|Token)[ \t]+)?(?P<value>[^\s"'&,;<>{}()\[\]\\]+)"""
)
#: A multipart part: the value of a part whose field name is a secret's.
PART = re.compile(
    r"""Content-Disposition:[^\r\n]*?\bname="(?P<name>[^"\r\n]*)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*?\r?\n"""
    r"""(?P<value>[^\r\n]+)""",
    re.IGNORECASE,
)
NAMED = "a secret-named value"
