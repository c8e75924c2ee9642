"""A response's statuses and its state machine (:data:`RESPONSE_MODEL`), the one table the engine
reads, and the per-status tables of the Responses layer beside it."""

from __future__ import annotations

from types import MappingProxyType

from ...engine.lifecycle import StatusModel

QUEUED = "queued"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"
INCOMPLETE = "incomplete"

RESPONSE_MODEL = StatusModel(
    noun="response",
    # No waiting status (tool calls end a response `completed`; the client answers in a new one),
    # no `cancelling` (a cancel ends a background response at once) and no expiry (a response is
    # kept, or disappears after its retention time: see store.py).
    moves=MappingProxyType(
        {
            QUEUED: frozenset({IN_PROGRESS, FAILED, CANCELLED}),
            IN_PROGRESS: frozenset({COMPLETED, FAILED, INCOMPLETE, CANCELLED}),
        }
    ),
    final=frozenset({COMPLETED, FAILED, CANCELLED, INCOMPLETE}),
    initial=QUEUED,
    cancelled=CANCELLED,
)

FINAL = RESPONSE_MODEL.final

#: What a scenario step of each status may say beyond ``status`` and ``duration``.
STEP_KEYS = MappingProxyType(
    {
        COMPLETED: ("reply", "tool_calls"),
        FAILED: ("error",),
        INCOMPLETE: ("reason", "reply"),
    }
)

#: The stream event each status sends (queued and in_progress while live; the final ones once).
#: A cancel sends none: the API has no ``response.cancelled`` stream event (only a webhook).
EVENT_OF = MappingProxyType(
    {
        QUEUED: "response.queued",
        IN_PROGRESS: "response.in_progress",
        COMPLETED: "response.completed",
        FAILED: "response.failed",
        INCOMPLETE: "response.incomplete",
    }
)

#: The error codes a ``failed`` step may name (the spec's ResponseErrorCode, the common ones).
ERROR_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt", "vector_store_timeout")
#: The messages a ``failed`` step gets when it names a code but no message.
ERROR_MESSAGES = MappingProxyType(
    {
        "server_error": "An error occurred while processing your request.",
        "rate_limit_exceeded": "You exceeded your current quota, please check your plan and billing details.",
        "invalid_prompt": (
            "Invalid prompt: your prompt was flagged as potentially violating our usage policy."
        ),
        "vector_store_timeout": "The vector store search timed out.",
    }
)
#: Why an ``incomplete`` response stopped (the spec's two reasons).
INCOMPLETE_REASONS = ("max_output_tokens", "content_filter")

#: The webhook event each final status of a background response sends.
WEBHOOK_EVENT_OF = MappingProxyType(
    {
        COMPLETED: "response.completed",
        FAILED: "response.failed",
        CANCELLED: "response.cancelled",
        INCOMPLETE: "response.incomplete",
    }
)
