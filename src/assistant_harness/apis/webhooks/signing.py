"""Signing webhooks the way OpenAI does (the Standard Webhooks scheme), so the SDK's
``client.webhooks.unwrap`` / ``verify_signature`` accept them.

Headers: ``webhook-id`` (the same for every attempt of one event), ``webhook-timestamp`` (whole Unix
seconds of the attempt) and ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256, keyed with the
secret (base64-decoded after its ``whsec_`` prefix; used as UTF-8 bytes without it), of
``{webhook-id}.{webhook-timestamp}.{body}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import random

from ...errors import ConfigurationError

SECRET_PREFIX = "whsec_"


def check_secret(secret: object, name: str = "webhook_secret") -> str:
    """A webhook secret the SDK can use: a non-empty string, base64 after a ``whsec_`` prefix. The
    message never shows the value (it is a secret)."""
    if not isinstance(secret, str):
        raise ConfigurationError(f"{name}: expected a string (whsec_...), not {type(secret).__name__}")
    if not secret or secret == SECRET_PREFIX:
        raise ConfigurationError(f"{name}: empty; give whsec_ followed by base64 (or leave it unset)")
    if secret.startswith(SECRET_PREFIX):
        try:
            base64.b64decode(secret[len(SECRET_PREFIX) :])  # as the SDK decodes it
        except (binascii.Error, ValueError):
            raise ConfigurationError(
                f"{name}: the part after whsec_ is not valid base64 ({len(secret)} characters given); "
                "copy the whole secret, or leave it unset for one made from the seed"
            ) from None
    return secret


def key_of(secret: str) -> bytes:
    """The HMAC key of a webhook secret, as the SDK derives it."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX) :])
    return secret.encode()


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value of one attempt."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one signed attempt."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, webhook_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)",
    }


def make_secret(seed: int) -> str:
    """A deterministic ``whsec_`` secret (for a fake whose test sets none)."""
    key = random.Random(f"webhook-secret:{seed}").randbytes(32)
    return SECRET_PREFIX + base64.b64encode(key).decode()


def other_secret(secret: str) -> str:
    """A valid secret that is not ``secret`` (what a ``wrong_secret`` fault signs with)."""
    return SECRET_PREFIX + base64.b64encode(hashlib.sha256(secret.encode()).digest()).decode()
