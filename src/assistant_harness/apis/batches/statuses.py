"""A batch's statuses and its state machine (:data:`BATCH_MODEL`), the one table the engine reads."""

from __future__ import annotations

from types import MappingProxyType

from ...engine.lifecycle import StatusModel

VALIDATING = "validating"
FAILED = "failed"
IN_PROGRESS = "in_progress"
FINALIZING = "finalizing"
COMPLETED = "completed"
EXPIRED = "expired"
CANCELLING = "cancelling"
CANCELLED = "cancelled"

#: validating -> in_progress -> finalizing -> completed, or failed (a bad input file), expired (24 h
#: after creation, whatever the script says), cancelling -> cancelled.
BATCH_MODEL = StatusModel(
    noun="batch",
    moves=MappingProxyType(
        {
            VALIDATING: frozenset({IN_PROGRESS, FAILED, CANCELLING}),
            IN_PROGRESS: frozenset({FINALIZING, CANCELLING, FAILED}),
            FINALIZING: frozenset({COMPLETED}),
            CANCELLING: frozenset({CANCELLED}),
        }
    ),
    final=frozenset({FAILED, COMPLETED, EXPIRED, CANCELLED}),
    initial=VALIDATING,
    cancelling=CANCELLING,
    cancelled=CANCELLED,
    expired=EXPIRED,
    expire_in=frozenset({VALIDATING, IN_PROGRESS}),
)

#: The ``*_at`` field each status sets when the batch enters it.
TIMESTAMP_OF = MappingProxyType(
    {
        IN_PROGRESS: "in_progress_at",
        FINALIZING: "finalizing_at",
        COMPLETED: "completed_at",
        FAILED: "failed_at",
        EXPIRED: "expired_at",
        CANCELLING: "cancelling_at",
        CANCELLED: "cancelled_at",
    }
)

#: The webhook event each final status sends.
WEBHOOK_EVENT_OF = MappingProxyType(
    {
        COMPLETED: "batch.completed",
        FAILED: "batch.failed",
        EXPIRED: "batch.expired",
        CANCELLED: "batch.cancelled",
    }
)

#: What a scenario step of each status may say beyond ``status`` and ``duration``.
STEP_KEYS = MappingProxyType({IN_PROGRESS: ("done", "lines_per_second"), FAILED: ("error",)})

#: The error code of a request the batch never ran, by how the batch ended.
UNFINISHED_CODE = MappingProxyType({EXPIRED: "batch_expired", CANCELLED: "batch_cancelled"})
UNFINISHED_MESSAGE = MappingProxyType(
    {
        EXPIRED: "This request could not be executed before the completion window expired.",
        CANCELLED: "This request was not executed because the batch was cancelled.",
    }
)
