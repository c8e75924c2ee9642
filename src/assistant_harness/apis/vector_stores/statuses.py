"""A vector-store file's processing statuses: the state machine the engine plays (:data:`FILE_MODEL`)."""

from __future__ import annotations

from types import MappingProxyType

from ...engine.lifecycle import StatusModel

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"

#: A file is processed, then ready or failed; a batch cancel stops it at once (no cancelling).
FILE_MODEL = StatusModel(
    noun="vector store file",
    moves=MappingProxyType({IN_PROGRESS: frozenset({COMPLETED, FAILED, CANCELLED})}),
    final=frozenset({COMPLETED, FAILED, CANCELLED}),
    initial=IN_PROGRESS,
    cancelled=CANCELLED,
)

#: What a scenario's file-processing step of each status may say beyond ``status`` and ``duration``.
STEP_KEYS = MappingProxyType({FAILED: ("error",)})

#: The ``last_error.code`` values a failed file may have.
ERROR_CODES = ("server_error", "unsupported_file", "invalid_file")
