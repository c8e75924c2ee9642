"""``POST /embeddings``: one deterministic unit vector per input (the same text always gives the
same vector), of the model's dimension or ``dimensions``, as floats or base64 (little-endian float32,
what the SDK asks for by default and decodes); fault rules name it ``embeddings.create``."""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections.abc import Mapping
from typing import Any

from ...http.messages import ApiRequest
from ...http.routing import Endpoint
from ..common.errors import ApiError
from ..registry import Api
from ..responses.objects import count_tokens

Obj = dict[str, Any]

#: Each model's dimension (any other model name gets the small model's).
DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
DEFAULT_DIMENSION = 1536


class Embeddings:
    """No state: the same input always gives the same vector."""

    def create(self, body: Mapping[str, Any]) -> Obj:
        model = str(body["model"])
        size = DIMENSIONS.get(model, DEFAULT_DIMENSION)
        if body.get("dimensions") is not None:
            if model == "text-embedding-ada-002":
                raise ApiError(
                    400,
                    "This model does not support specifying dimensions.",
                    param="dimensions",
                    code="invalid_value",
                )
            size = int(body["dimensions"])
            if size > DIMENSIONS.get(model, DEFAULT_DIMENSION):
                raise ApiError(400, f"Invalid value for 'dimensions' = {size}.", param="dimensions")
        inputs = _inputs(body["input"])
        encode = _base64 if body.get("encoding_format") == "base64" else list
        data = [
            {"object": "embedding", "index": i, "embedding": encode(vector(text, size))}
            for i, text in enumerate(inputs)
        ]
        tokens = _tokens(body["input"], inputs)
        return {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }


def _tokens(given: Any, texts: list[str]) -> int:
    """Prompt tokens: a token array's length, a text's estimate (about four characters a token)."""
    if isinstance(given, list) and given and all(isinstance(t, int) for t in given):
        return len(given)
    if isinstance(given, list) and given and all(isinstance(t, list) for t in given):
        return sum(len(t) for t in given)
    return sum(count_tokens(t) for t in texts)


def vector(text: str, size: int) -> list[float]:
    """A unit vector drawn from the text's hash: deterministic, and different texts point apart."""
    raw = b""
    counter = 0
    seed = text.encode("utf-8")
    while len(raw) < size * 2:
        raw += hashlib.blake2b(seed, digest_size=64, salt=counter.to_bytes(8, "little")).digest()
        counter += 1
    values = [(v - 32767.5) / 32767.5 for v in struct.unpack(f"<{size}H", raw[: size * 2])]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 6) for v in values]


def _base64(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")


def _inputs(given: Any) -> list[str]:
    """The texts to embed: a string, strings, one token array or several (embedded by their numbers)."""
    if isinstance(given, str) or (given and all(isinstance(t, int) for t in given)):
        given = [given]  # one input: a text, or one array of tokens (not one input per token)
    texts = [
        item if isinstance(item, str) else " ".join(map(str, item if isinstance(item, list) else [item]))
        for item in given
    ]
    if any(t == "" for t in texts):
        raise ApiError(
            400,
            "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
        )
    return texts


def create(embeddings: Embeddings, request: ApiRequest, *, body: Obj) -> Obj:
    return embeddings.create(body)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("embeddings.create", "POST", "/embeddings", create, schema="CreateEmbeddingRequest", beta=False),
)

API = Api("embeddings", ENDPOINTS, lambda context: Embeddings())
