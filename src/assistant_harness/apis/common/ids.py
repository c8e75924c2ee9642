"""Deterministic ids with the API's real prefixes."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_letters + string.digits

#: Each resource's prefix, as the real API writes it.
PREFIXES = {
    "assistant": "asst_",
    "thread": "thread_",
    "message": "msg_",
    "run": "run_",
    "step": "step_",
    "call": "call_",
    "file": "file-",
    "vector_store": "vs_",
    "vector_store_file_batch": "vsfb_",
    "request": "req_",
    "chat": "chatcmpl-",
    "batch": "batch_",
    "batch_request": "batch_req_",
    "fine_tuning_job": "ftjob-",
    "fine_tuning_event": "ftevent-",
    "fine_tuning_checkpoint": "ftckpt_",
}


class IdGenerator:
    """Seeded ids: the same seed and the same sequence of calls give the same ids."""

    __slots__ = ("_choices", "_random")

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self._choices = self._random.choices

    def new(self, kind: str) -> str:
        """A new id for ``kind`` (a key of :data:`PREFIXES`), e.g. ``run_AbC...`` (24 random chars)."""
        return PREFIXES[kind] + "".join(self._choices(_ALPHABET, k=24))

    def new_hex(self, prefix: str, length: int = 50) -> str:
        """A Responses-style id: ``prefix_`` and ``length`` hex digits (``resp_06a5...``)."""
        return f"{prefix}_{self._random.getrandbits(length * 4):0{length}x}"
