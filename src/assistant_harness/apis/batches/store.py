"""Every batch of one fake: created from an input file, its requests answered one by one on the
virtual clock while it is ``in_progress``, its output and error files written when it ends."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine import lifecycle as lc
from ...engine.announcer import Announcer, EndListener
from ...engine.clock import VirtualClock
from ...engine.hangs import Pollable, PollRecord
from ..common.errors import ApiError, not_found
from ..common.ids import IdGenerator
from ..common.pagination import page
from ..files.store import Files
from . import input as batch_input
from . import lines as batch_lines
from . import objects
from .statuses import (
    BATCH_MODEL,
    COMPLETED,
    FAILED,
    FINALIZING,
    IN_PROGRESS,
    TIMESTAMP_OF,
    UNFINISHED_CODE,
    UNFINISHED_MESSAGE,
    VALIDATING,
    WEBHOOK_EVENT_OF,
)

Obj = dict[str, Any]

#: The only completion window, in virtual seconds (``expires_at`` = created + 24 h).
WINDOW = 86_400.0
#: With no script: a second of validation, a minute of requests, five seconds of finalizing.
DEFAULT_TIMELINE = lc.Timeline.of(
    (VALIDATING, 1.0), (IN_PROGRESS, 60.0), (FINALIZING, 5.0), COMPLETED, model=BATCH_MODEL
)
#: What a batch whose input file is bad follows (whatever its script): a second, then failed.
FAILED_VALIDATION = lc.Timeline.of((VALIDATING, 1.0), FAILED, model=BATCH_MODEL)
#: Spreads requests over this long when the in_progress step holds and the batch never expires.
HELD_SPAN = 60.0


@dataclass(frozen=True, slots=True)
class BatchScript:
    """What one batch follows: its timeline, and how its requests end (first matching rule wins)."""

    timeline: lc.Timeline
    lines: tuple[batch_lines.LineRule, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """What a script source sees: 0 for the first batch the fake creates, 1 for the next..."""

    index: int
    body: Mapping[str, Any]


BatchScriptSource = Callable[[BatchRequest], "BatchScript | lc.Timeline"]


def _default_scripts(_: BatchRequest) -> BatchScript:
    return BatchScript(DEFAULT_TIMELINE)


@dataclass(eq=False, slots=True)
class BatchState(Pollable):
    """A batch, its requests and how far it got."""

    obj: Obj
    progress: lc.Progress
    requests: list[batch_input.Request]
    rules: tuple[batch_lines.LineRule, ...]
    answer: batch_lines.Answerer
    #: What failed validation (``errors.data``), empty for a good file.
    errors: list[Obj] = field(default_factory=list)
    #: (virtual time, request index) of each request that will finish, in order; and how many did.
    schedule: list[tuple[float, int]] = field(default_factory=list)
    finished: int = 0
    #: The lines written so far: output (2xx answers) and errors (the rest).
    output: list[bytes] = field(default_factory=list)
    error_lines: list[bytes] = field(default_factory=list)
    done: set[int] = field(default_factory=set)
    #: Requests that failed: answered with an error, or never run by a batch that completed anyway.
    failures: int = 0
    tokens: list[int] = field(default_factory=lambda: [0, 0])
    #: Every status the batch entered, with the virtual time it entered it.
    history: list[tuple[str, float]] = field(default_factory=list)
    polling: PollRecord = field(default_factory=PollRecord)


class BatchStore(Announcer):
    """All batches of one fake; raises :class:`ApiError` as the API would."""

    #: What a batch's end announces (see :meth:`watch`).
    webhook_events = frozenset(WEBHOOK_EVENT_OF.values())

    def __init__(
        self,
        clock: VirtualClock,
        ids: IdGenerator,
        files: Files,
        answerers: Mapping[str, batch_lines.Answerer],
        scripts: BatchScriptSource = _default_scripts,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.files = files
        #: How each endpoint a batch may name answers a request (``/v1/chat/completions``...).
        self.answerers = answerers
        self.scripts = scripts
        self.batches: dict[str, BatchState] = {}
        self.created = 0
        self.end_listeners: list[EndListener] = []

    # -- create ----------------------------------------------------------------------------
    def create(self, body: Mapping[str, Any]) -> BatchState:
        endpoint = str(body["endpoint"])
        answer = self.answerers.get(endpoint)
        if answer is None:
            served = ", ".join(sorted(self.answerers))
            raise ApiError(
                400,
                f"The fake does not run batches for '{endpoint}' yet; it runs them for {served}.",
                param="endpoint",
                code="invalid_value",
            )
        stored = self.files.retrieve(str(body["input_file_id"]))
        if stored.obj["purpose"] != "batch":
            raise ApiError(
                400,
                f"The input file {stored.obj['id']} has purpose '{stored.obj['purpose']}'; upload it with "
                "purpose 'batch'.",
                param="input_file_id",
                code="invalid_value",
            )
        requests, errors = batch_input.read(stored.content, endpoint)
        script = self.scripts(BatchRequest(self.created, body))
        if isinstance(script, lc.Timeline):
            script = BatchScript(script)
        timeline = FAILED_VALIDATION if errors else script.timeline
        now = self.clock.elapsed()
        model = next((str(r.body["model"]) for r in requests if "model" in r.body), None)
        obj = objects.batch(
            self.ids.new("batch"),
            self._stamp(now),
            self._stamp(now + WINDOW),
            body,
            None if errors else model,
        )
        progress = lc.Progress(timeline, now, model=BATCH_MODEL, expires_at=now + WINDOW)
        state = BatchState(obj, progress, [] if errors else requests, script.lines, answer, errors)
        state.history.append((progress.status, now))
        self.created += 1
        self.batches[obj["id"]] = state
        self.sync(state)
        self._arm(state)
        return state

    # -- read ------------------------------------------------------------------------------
    def get(self, batch_id: str) -> BatchState:
        state = self.batches.get(batch_id)
        if state is None:
            raise not_found("batch", batch_id)
        self.sync(state)
        return state

    def list_page(self, query: Mapping[str, str]) -> Obj:
        return page([self.get(batch_id).obj for batch_id in self.batches], query)

    # -- change ----------------------------------------------------------------------------
    def cancel(self, batch_id: str) -> BatchState:
        state = self.get(batch_id)
        if state.progress.status not in (VALIDATING, IN_PROGRESS):
            raise ApiError(
                409,
                f"Cannot cancel a batch with status '{state.progress.status}'.",
                code="batch_not_cancellable",
            )
        now = self.clock.elapsed()
        transition = state.progress.cancel(now)
        self._enter(state, transition.status, now, {})
        self.sync(state)
        self._arm(state)
        return state

    # -- time ------------------------------------------------------------------------------
    def sync(self, state: BatchState) -> None:
        """Bring ``state`` (status, finished requests, counts) to the current virtual time."""
        now = self.clock.elapsed()
        for transition in state.progress.advance(now):
            self._finish_due(state, transition.at)
            step = state.progress.steps[transition.index]
            self._enter(state, transition.status, transition.at, step.payload, step.duration)
        self._finish_due(state, now)

    def _finish_due(self, state: BatchState, until: float) -> None:
        if state.obj["status"] != IN_PROGRESS:
            return
        while state.finished < len(state.schedule) and state.schedule[state.finished][0] <= until:
            self._finish(state, state.schedule[state.finished][1])
            state.finished += 1
        self._count(state)

    def _finish(self, state: BatchState, index: int) -> None:
        request = state.requests[index]
        rule = batch_lines.rule_for(state.rules, request.custom_id, index)
        status, body = batch_lines.answer(state.answer, request.body, rule)
        line = batch_lines.output_line(self.ids, request.custom_id, status, body, self.ids.new_hex("req", 32))
        (state.output if 200 <= status < 300 else state.error_lines).append(line)
        state.done.add(index)
        if not 200 <= status < 300:
            state.failures += 1
        else:
            taken, given = batch_lines.usage_of(body)
            state.tokens[0] += taken
            state.tokens[1] += given

    def _count(self, state: BatchState) -> None:
        state.obj["request_counts"] = {
            "total": len(state.requests) if state.obj["in_progress_at"] is not None else 0,
            "completed": len(state.output),
            "failed": state.failures,
        }
        state.obj["usage"] = objects.usage(*state.tokens)

    def _enter(
        self,
        state: BatchState,
        status: str,
        at: float,
        payload: Mapping[str, Any],
        duration: float | None = None,
    ) -> None:
        obj = state.obj
        obj["status"] = status
        state.history.append((status, at))
        stamp = TIMESTAMP_OF.get(status)
        if stamp is not None:
            obj[stamp] = self._stamp(at)
        if status == IN_PROGRESS:
            self._plan(state, at, payload, duration)
        elif status == FINALIZING:  # what is left is answered while the results are written
            for _, index in state.schedule[state.finished :]:
                self._finish(state, index)
            state.finished = len(state.schedule)
        elif status == FAILED:
            data = state.errors or [
                batch_input.error(
                    **dict(payload.get("error") or {"code": "server_error", "message": "The batch failed."})
                )
            ]
            obj["errors"] = {"object": "list", "data": data}
        if status in BATCH_MODEL.final:
            # A batch that fails while validating writes nothing; one scripted to fail while
            # in_progress keeps what finished, as an expired one does.
            if status != FAILED or obj["in_progress_at"] is not None:
                self._close(state, status)
            self._count(state)
            for listener in self.end_listeners:
                listener(WEBHOOK_EVENT_OF[status], state.id, at)

    def _plan(
        self, state: BatchState, start: float, payload: Mapping[str, Any], duration: float | None
    ) -> None:
        """When each request finishes: the ``done`` share of those that can, evenly over the step
        (or ``lines_per_second``); a step held until expiry spreads them over the window."""
        rules = state.rules
        able = [
            i
            for i, r in enumerate(state.requests)
            if not batch_lines.rule_for(rules, r.custom_id, i).unfinished
        ]
        chosen = able[: math.ceil(float(payload.get("done", 1.0)) * len(able))]
        rate = payload.get("lines_per_second")
        if rate:
            times = [start + (j + 1) / float(rate) for j in range(len(chosen))]
        else:
            if duration is not None and math.isfinite(duration):
                span = duration
            elif state.progress.expires_at is not None:
                span = state.progress.expires_at - start
            else:
                span = HELD_SPAN
            times = [start + span * (j + 1) / (len(chosen) + 1) for j in range(len(chosen))]
        state.schedule = list(zip(times, chosen, strict=True))

    def _close(self, state: BatchState, status: str) -> None:
        """Write the output and error files: what finished, and (ended early) what never ran."""
        code = UNFINISHED_CODE.get(status, "server_error")
        message = UNFINISHED_MESSAGE.get(status, "The request could not be completed.")
        for index, request in enumerate(state.requests):
            if index not in state.done:
                state.error_lines.append(
                    batch_lines.unfinished_line(self.ids, request.custom_id, code, message)
                )
                # Expired or cancelled: never run, in neither count. Completed anyway: it failed.
                state.failures += status == COMPLETED
        batch_id = state.id
        if state.output:
            made = self.files.add(
                f"{batch_id}_output.jsonl", b"\n".join(state.output) + b"\n", "batch_output"
            )
            state.obj["output_file_id"] = made["id"]
        if state.error_lines:
            made = self.files.add(
                f"{batch_id}_error.jsonl", b"\n".join(state.error_lines) + b"\n", "batch_output"
            )
            state.obj["error_file_id"] = made["id"]

    def _stamp(self, elapsed: float) -> int:
        return int(self.clock.epoch + elapsed)

    # -- webhooks (Announcer) ----------------------------------------------------------------
    def tracked(self) -> list[Any]:
        return list(self.batches.values())
