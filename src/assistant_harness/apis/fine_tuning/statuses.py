"""A fine-tuning job's statuses and its state machine (:data:`JOB_MODEL`), the one table the engine reads."""

from __future__ import annotations

from types import MappingProxyType

from ...engine.lifecycle import StatusModel

VALIDATING_FILES = "validating_files"
QUEUED = "queued"
RUNNING = "running"
PAUSED = "paused"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"

#: validating_files -> queued -> running -> succeeded, or failed, or cancelled (at once: no
#: cancelling status). ``paused`` is entered by a pause request and left by a resume.
JOB_MODEL = StatusModel(
    noun="fine-tuning job",
    moves=MappingProxyType(
        {
            VALIDATING_FILES: frozenset({QUEUED, FAILED, CANCELLED}),
            QUEUED: frozenset({RUNNING, FAILED, CANCELLED}),
            RUNNING: frozenset({SUCCEEDED, FAILED, CANCELLED, PAUSED}),
            PAUSED: frozenset({RUNNING, CANCELLED}),
        }
    ),
    final=frozenset({SUCCEEDED, FAILED, CANCELLED}),
    initial=VALIDATING_FILES,
    cancelled=CANCELLED,
)

#: The webhook event each final status sends.
WEBHOOK_EVENT_OF = MappingProxyType(
    {
        SUCCEEDED: "fine_tuning.job.succeeded",
        FAILED: "fine_tuning.job.failed",
        CANCELLED: "fine_tuning.job.cancelled",
    }
)

#: What a scenario step of each status may say beyond ``status`` and ``duration``.
STEP_KEYS = MappingProxyType(
    {
        RUNNING: ("training_steps", "checkpoints", "events"),
        FAILED: ("error", "events"),
        VALIDATING_FILES: ("events",),
        QUEUED: ("events",),
        SUCCEEDED: ("events",),
        CANCELLED: ("events",),
    }
)

#: The event each status logs when the job enters it (``{id}``, ``{file}``, ``{model}`` filled in).
ENTERED = MappingProxyType(
    {
        VALIDATING_FILES: "Validating training file: {file}",
        QUEUED: "Files validated, moving job to queued state",
        RUNNING: "Fine-tuning job started",
        PAUSED: "Fine-tuning job paused",
        SUCCEEDED: "The job has successfully completed",
        CANCELLED: "Fine-tuning job cancelled",
    }
)
