"""A run's statuses and its state machine: the one table the engine reads (:data:`RUN_MODEL`), and
the per-status tables of the Assistants layer beside it (timestamps, scenario keys, outcomes)."""

from __future__ import annotations

from types import MappingProxyType

from ...engine.lifecycle import StatusModel

QUEUED = "queued"
IN_PROGRESS = "in_progress"
REQUIRES_ACTION = "requires_action"
CANCELLING = "cancelling"
CANCELLED = "cancelled"
FAILED = "failed"
COMPLETED = "completed"
INCOMPLETE = "incomplete"
EXPIRED = "expired"

RUN_MODEL = StatusModel(
    noun="run",
    # Which status a scripted timeline may move to next. Cancelling and expiry are also events (a
    # cancel request, the deadline), reachable from any active status at run time. in_progress may
    # follow itself: one step per round of built-in tool calls, the run's status unchanged.
    moves=MappingProxyType(
        {
            QUEUED: frozenset({IN_PROGRESS, FAILED, EXPIRED, CANCELLING, CANCELLED}),
            IN_PROGRESS: frozenset(
                {IN_PROGRESS, REQUIRES_ACTION, COMPLETED, FAILED, INCOMPLETE, CANCELLING, CANCELLED, EXPIRED}
            ),
            REQUIRES_ACTION: frozenset({QUEUED, IN_PROGRESS, EXPIRED, FAILED, CANCELLING, CANCELLED}),
            CANCELLING: frozenset({CANCELLED, COMPLETED, FAILED}),
        }
    ),
    final=frozenset({CANCELLED, FAILED, COMPLETED, INCOMPLETE, EXPIRED}),
    initial=QUEUED,
    waiting=REQUIRES_ACTION,
    after_submit=COMPLETED,
    cancelling=CANCELLING,
    cancelled=CANCELLED,
    expired=EXPIRED,
    # As the API does: a run not finished by its expires_at expires, whatever its status.
    expire_in=frozenset({QUEUED, IN_PROGRESS, REQUIRES_ACTION, CANCELLING}),
)

#: The statuses a run never leaves, and the ones it is still moving in.
FINAL = RUN_MODEL.final
ACTIVE = RUN_MODEL.statuses - FINAL

#: The run field stamped when a run first enters each status (``observe`` reads the times back).
TIMESTAMP_OF = MappingProxyType(
    {
        QUEUED: "created_at",
        IN_PROGRESS: "started_at",
        COMPLETED: "completed_at",
        FAILED: "failed_at",
        CANCELLED: "cancelled_at",
    }
)

#: What a scenario step of each status may say beyond ``status`` and ``duration``.
STEP_KEYS = MappingProxyType(
    {
        IN_PROGRESS: ("tool_calls",),
        REQUIRES_ACTION: ("tool_calls",),
        FAILED: ("error",),
        INCOMPLETE: ("reason", "reply"),
        COMPLETED: ("reply",),
    }
)

#: The statuses whose side effects write the assistant's reply.
REPLIES = frozenset({COMPLETED, INCOMPLETE})

#: Every way a run can end, in the order shrinking prefers them (Hypothesis strategies).
OUTCOMES = (COMPLETED, FAILED, INCOMPLETE, CANCELLED, EXPIRED)

#: How ``show`` colours each status (a status left out prints plain).
STYLE = MappingProxyType(
    {
        COMPLETED: "green",
        FAILED: "red",
        EXPIRED: "red",
        CANCELLED: "yellow",
        INCOMPLETE: "yellow",
        REQUIRES_ACTION: "magenta",
        CANCELLING: "yellow",
    }
)
