"""A run's state, and the narrow views of the store and thread it needs (no import of the store).

:class:`RunState` is the run object plus what the fake tracks beyond it (its timeline progress,
steps, tool outputs, event log, poll record, and its built-in tool calls' :class:`ToolRun`, kept
here so that tools.py, which acts on a run, imports this module and not the other way round). A
run needs little of what is around it: a clock, ids and timestamps (:class:`RunHost`) and its
thread's messages and lock (:class:`RunThread`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...engine import lifecycle as lc
from ...engine.events import EventLog
from ...engine.hangs import Pollable, PollRecord
from ..files.store import Files
from ..vector_stores.store import VectorStores

Obj = dict[str, Any]


class Clock(Protocol):
    def elapsed(self) -> float: ...


class Ids(Protocol):
    def new(self, kind: str) -> str: ...


class RunHost(Protocol):
    """What a run's side effects need of the store: the clock, new ids and API timestamps."""

    @property
    def clock(self) -> Clock: ...

    @property
    def ids(self) -> Ids: ...

    def timestamp(self, elapsed: float) -> int: ...

    @property
    def files(self) -> Files: ...

    @property
    def vector_stores(self) -> VectorStores: ...


class RunThread(Protocol):
    """What a run needs of its thread: the thread object, its messages and its active-run lock."""

    obj: Obj
    messages: dict[str, Obj]
    active: RunState | None


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a computed reply can see: the run, its thread's messages, the tool outputs submitted."""

    run: Obj
    messages: list[Obj]
    tool_outputs: list[list[Obj]]

    @property
    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message["role"] == "user":
                return "".join(p["text"]["value"] for p in message["content"] if p.get("type") == "text")
        return ""


ReplyFn = Callable[[ReplyContext], str]


def default_reply(context: ReplyContext) -> str:
    """The reply when a timeline gives none: it names the tool outputs, else echoes the user."""
    if context.tool_outputs:
        outputs = ", ".join(o["output"] for o in context.tool_outputs[-1])
        return f"Tool outputs received: {outputs}"
    return f"You said: {context.last_user_text}"


@dataclass(eq=False, slots=True)
class ToolRun:
    """What a run's built-in tool calls did so far."""

    #: The ``tool_calls`` step of the calls running now, and their specs.
    step: Obj | None = None
    specs: list[Mapping[str, Any]] = field(default_factory=list)
    #: Every file search result of the run, in order (a citation marker's index picks one).
    results: list[Obj] = field(default_factory=list)
    #: Files the code interpreter wrote, by name (sandbox links resolve to them), and its images.
    files: dict[str, str] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    #: The run was created with ``include[]=`` the results' content (its stream events carry it).
    include_content: bool = False


@dataclass(eq=False, slots=True)
class RunState(Pollable):
    """A run and everything the fake tracks about it beyond its API object."""

    obj: Obj
    thread: RunThread
    progress: lc.Progress
    steps: dict[str, Obj] = field(default_factory=dict)
    tool_step: Obj | None = None
    pending_calls: list[Obj] = field(default_factory=list)
    #: Every tool-output submission, in order (tests read what the code under test sent).
    tool_outputs: list[list[Obj]] = field(default_factory=list)
    #: Every status the run entered, with the virtual time it entered it (for timelines and ``show``).
    history: list[tuple[str, float]] = field(default_factory=list)
    #: How the run was fetched (hang detection keeps it).
    polling: PollRecord = field(default_factory=PollRecord)
    #: Every event the run's changes emitted, numbered from 0 (streams read it from a position).
    log: EventLog = field(default_factory=EventLog)
    #: The virtual moment of the change being applied (the time its events are logged at).
    moment: float = 0.0
    #: What the run's built-in tool calls (code interpreter, file search) did.
    tools: ToolRun = field(default_factory=lambda: ToolRun())
    #: A stream sends the events of the change being applied as they are logged (kept as text at once).
    streamed: bool = False
