"""The fake's responses: created, moved along their timelines, cancelled, listed, forgotten.

One :class:`ResponseStore` per fake, on the fake's clock and id generator; it raises
:class:`ApiError` as the API would (the wording of real error bodies, see docs/fidelity.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...engine import lifecycle as lc
from ...engine.announcer import EndListener
from ...engine.clock import VirtualClock
from ...engine.events import EventLog
from ...engine.retention import Retention, check_max_objects
from ..common.errors import ApiError, missing
from ..common.ids import IdGenerator
from ..common.pagination import page
from ..common.validation import SCHEMAS
from . import effects, objects
from .state import ResponseRequest, ResponseScript, ResponseState
from .statuses import CANCELLED, RESPONSE_MODEL, WEBHOOK_EVENT_OF

if TYPE_CHECKING:
    from ..conversations.store import ConversationState, ConversationStore

Obj = dict[str, Any]

#: What a response follows unless a scenario says otherwise: queued 1 s, in progress 2 s, completed.
DEFAULT_TIMELINE = lc.Timeline.of(("queued", 1.0), ("in_progress", 2.0), "completed", model=RESPONSE_MODEL)

ScriptSource = Callable[[ResponseRequest], "ResponseScript | lc.Timeline"]

#: What cancelling a finished response does: return it unchanged (OpenAI) or answer 409 (some
#: compatible servers).
CANCEL_FINISHED = ("return", "conflict")


def _default_scripts(_: ResponseRequest) -> ResponseScript:
    return ResponseScript(DEFAULT_TIMELINE)


def _known_parameters() -> frozenset[str]:
    """Every top-level parameter of a create request (the spec's schema is an allOf of parts)."""
    names: set[str] = set()
    todo: list[Mapping[str, Any]] = [SCHEMAS["CreateResponse"]]
    while todo:
        schema = todo.pop()
        if "$ref" in schema:
            todo.append(SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]])
            continue
        names.update(schema.get("properties", {}))
        todo.extend(schema.get("allOf", ()))
    # Sent by the SDK's create (stream=True); newer SDKs send parameters the vendored spec predates.
    return frozenset(names | {"stream", "stream_options"})


KNOWN_PARAMETERS = _known_parameters()


class ResponseStore:
    """All responses of one fake."""

    #: What a background response's end announces (see :meth:`watch`).
    webhook_events = frozenset(WEBHOOK_EVENT_OF.values())

    def __init__(
        self,
        clock: VirtualClock,
        ids: IdGenerator,
        scripts: ScriptSource = _default_scripts,
        *,
        cancel_finished: str = "return",
        retention: float | None = None,
        max_objects: int | None = None,
    ) -> None:
        if cancel_finished not in CANCEL_FINISHED:
            raise ValueError(f"cancel_finished={cancel_finished!r}: use one of {', '.join(CANCEL_FINISHED)}")
        self.clock = clock
        self.ids = ids
        self.scripts = scripts
        self.cancel_finished = cancel_finished
        self.retention = retention
        #: At most this many responses are kept (the oldest go first, then a 404); None: no cap.
        self.max_objects = check_max_objects(max_objects)
        #: Keep a finished response's event history compressed (``serve`` turns it on: a server that
        #: runs for hours must not grow by every payload; a test's fake skips the cost).
        self.compact_finished = False
        self._deadlines = Retention()
        self.responses: dict[str, ResponseState] = {}
        self.created = 0
        #: The fake's conversations (``conversation`` on create); attached by the backend.
        self.conversations: ConversationStore | None = None
        #: Told when a background response ends (webhooks); see :meth:`watch`.
        self.end_listeners: list[EndListener] = []

    def watch(self, listener: EndListener) -> None:
        """Tell ``listener`` when each background response ends, at the virtual moment it ends even if
        nobody polls it: from now on every in-flight background response sets a clock alarm."""
        self.end_listeners.append(listener)
        if len(self.end_listeners) == 1:
            for state in list(self.responses.values()):
                self._arm(state)

    def stuck(self) -> list[str]:
        """Background responses that can no longer end by themselves (held for ever; a cancel would)."""
        return [
            f"response {state.id} ('{state.progress.status}')"
            for state in self.responses.values()
            if state.obj["background"]
            and not state.progress.is_final
            and state.progress.next_change() is None
        ]

    def _arm(self, state: ResponseState) -> None:
        if not state.obj["background"] or state.progress.is_final:
            return
        due = state.progress.next_change()
        if due is not None:  # None: held for ever (nothing ends it but a cancel)
            self.clock.call_at(due, lambda: self._wake(state))

    def _wake(self, state: ResponseState) -> None:
        if self.responses.get(state.id) is not state or self._gone(state):
            return  # deleted or expired meanwhile: nothing to announce
        self.sync(state)
        self._arm(state)

    def ended(self, state: ResponseState, status: str, at: float) -> None:
        """Called by effects when a response enters a final status."""
        if state.obj["background"]:
            for listener in self.end_listeners:
                listener(WEBHOOK_EVENT_OF[status], state.id, at)

    def attach(self, conversations: ConversationStore) -> None:
        """Serve ``conversation`` on create from ``conversations``; reading a conversation first
        brings its responses up to date, so their items are there once they completed."""
        self.conversations = conversations
        conversations.settle = self._settle

    def timestamp(self, elapsed: float) -> int:
        """The API timestamp (whole Unix seconds) of virtual time ``elapsed``."""
        return int(self.clock.epoch + elapsed)

    def new_id(self, prefix: str) -> str:
        return self.ids.new_hex(prefix)

    # -- create ----------------------------------------------------------------------------
    def create(self, body: Obj, script: ResponseScript | lc.Timeline | None = None) -> ResponseState:
        """A new response for a validated create request; 400/404 as the API words them. ``script``
        (a batch line's) replaces the next scripted one."""
        for key in body:
            if key not in KNOWN_PARAMETERS:
                raise ApiError(400, f"Unknown parameter: '{key}'.", param=key, code="unknown_parameter")
        if not body.get("model") and not body.get("prompt"):
            raise missing("model")
        if body.get("background") is True and body.get("store") is False:
            # A background response is polled and streamed again later: it must be stored.
            raise ApiError(
                400, "Background mode requires 'store' to be true.", param="store", code="invalid_value"
            )
        conversation = self._conversation(body)
        if conversation is not None:
            context = list(conversation.items)
        else:
            context = self._context(body.get("previous_response_id"))
        items = objects.input_items(body.get("input"), self._item_id)
        self._check_references(items)
        _check_tool_outputs(context, items)
        if script is None:
            script = self.scripts(ResponseRequest(self.created, body))
        if isinstance(script, lc.Timeline):
            script = ResponseScript(script)
        now = self.clock.elapsed()
        obj = objects.response(
            self.new_id("resp"), self.timestamp(now), body, status=script.timeline.steps[0].status
        )
        retention = script.retention if script.retention is not None else self.retention
        state = ResponseState(
            obj,
            lc.Progress(script.timeline, now, model=RESPONSE_MODEL),
            items,
            context,
            EventLog(),
            gone_at=None if retention is None else now + retention,
            tool_outputs=[
                {"call_id": i["call_id"], "output": i["output"]}
                for i in items
                if i["type"] == "function_call_output"
            ],
            conversation_id=None if conversation is None else conversation.id,
        )
        self.created += 1
        self.forget_expired()
        self.responses[obj["id"]] = state
        self._deadlines.add(state.id, state.gone_at)
        if self.max_objects is not None:
            while len(self.responses) > self.max_objects:
                del self.responses[next(iter(self.responses))]  # the oldest (dicts keep creation order)
        if conversation is not None:
            conversation.pending.append(state.id)
        effects.start(self, state, now)
        self.sync(state)
        if self.end_listeners:
            self._arm(state)
        return state

    def _conversation(self, body: Obj) -> ConversationState | None:
        """The conversation a create request names (an id or ``{"id": ...}``), or None."""
        given = body.get("conversation")
        if given is None:
            return None
        if body.get("previous_response_id") is not None:
            raise ApiError(
                400,
                "Mutually exclusive parameters: Ensure you are only providing one of: "
                "'previous_response_id' or 'conversation'.",
                param="previous_response_id",
                code="mutually_exclusive_parameters",
            )
        conversation_id = given if isinstance(given, str) else str(given["id"])
        if self.conversations is None or conversation_id not in self.conversations.conversations:
            raise ApiError(404, f"Conversation with id '{conversation_id}' not found.", param="conversation")
        return self.conversations.get(conversation_id)

    def _settle(self, conversation: ConversationState) -> None:
        for response_id in list(conversation.pending):
            state = self.responses.get(response_id)
            if state is None or self._gone(state):
                conversation.pending.remove(response_id)
            else:
                self.sync(state)  # a finished response adds its items (effects.apply) and leaves pending

    def conversation_ended(self, state: ResponseState, add_items: bool) -> None:
        """``state`` finished: it adds its input and output to its conversation when ``add_items``."""
        if self.conversations is None or state.conversation_id is None:
            return
        conversation = self.conversations.conversations.get(state.conversation_id)
        if conversation is None:  # deleted meanwhile
            return
        if state.id in conversation.pending:
            conversation.pending.remove(state.id)
        if add_items:
            conversation.items.extend([*state.input, *state.obj["output"]])

    def _check_references(self, items: list[Obj]) -> None:
        """An ``item_reference`` names an item the API stored (an input or output item of a stored
        response, or a conversation's item); an unknown one is a 404, as the API answers."""
        wanted = {str(i.get("id")) for i in items if i.get("type") == "item_reference"}
        if not wanted:
            return
        known: set[str] = set()
        for state in self.responses.values():
            if state.obj.get("store", True):
                known.update(str(i.get("id")) for i in (*state.input, *state.obj["output"]))
        for conversation in self.conversations.conversations.values() if self.conversations else ():
            known.update(str(i.get("id")) for i in conversation.items)
        for item_id in sorted(wanted - known):
            raise ApiError(404, f"Item with id '{item_id}' not found.", param="input")

    def _item_id(self, kind: str) -> str:
        return self.new_id({"message": "msg", "function_call": "fc", "function_call_output": "fco"}[kind])

    def _context(self, previous_id: str | None) -> list[Obj]:
        if previous_id is None:
            return []
        previous = self.responses.get(previous_id)
        if previous is None or self._gone(previous):
            raise ApiError(
                404,
                f"Previous response with id '{previous_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        self.sync(previous)
        return [*previous.context, *previous.input, *previous.obj["output"]]

    # -- read ------------------------------------------------------------------------------
    def forget_expired(self) -> None:
        """Free every response past its retention now, whether or not anyone reads it again."""
        for response_id in self._deadlines.due(self.clock.elapsed()):
            state = self.responses.get(response_id)
            if state is not None:
                self._gone(state)

    def get(self, response_id: str) -> ResponseState:
        """The response brought up to now; 404 for an unknown id, or one past its retention."""
        self.forget_expired()
        state = self.responses.get(response_id)
        if state is None or self._gone(state):
            raise ApiError(404, f"Response with id '{response_id}' not found.")
        self.sync(state)
        return state

    def _gone(self, state: ResponseState) -> bool:
        if state.gone_at is not None and self.clock.elapsed() >= state.gone_at:
            self.responses.pop(state.id, None)
            return True
        return False

    def sync(self, state: ResponseState) -> None:
        """Bring ``state`` to where its timeline says it is now."""
        for transition in state.progress.advance(self.clock.elapsed()):
            effects.apply(self, state, transition)
        if self.compact_finished and state.progress.is_final and not state.events.compacted:
            state.events.compact()  # it can no longer change: keep its history small

    def play(self, state: ResponseState) -> bool:
        """Move virtual time until the response ends; False if it never will (stuck for ever)."""
        self.sync(state)
        while not state.progress.is_final:
            due = state.progress.next_change()
            if due is None:
                return False
            self.clock.advance_to(due)
            self.sync(state)
        return True

    def input_items(self, response_id: str, query: Mapping[str, str]) -> Obj:
        return page(self.get(response_id).input, query)

    def input_tokens(self, body: Obj) -> Obj:
        context = self._context(body.get("previous_response_id"))
        items = objects.input_items(body.get("input"), self._item_id)
        text = objects.text_of([*context, *items])
        if body.get("instructions"):
            text += " " + str(body["instructions"])
        return objects.input_tokens(objects.count_tokens(text))

    # -- change ----------------------------------------------------------------------------
    def cancel(self, response_id: str) -> ResponseState:
        """Cancel a background response: in flight it ends ``cancelled``; a cancelled one is returned
        as it is; a finished one is returned as it is or answered 409 (``cancel_finished``)."""
        state = self.get(response_id)
        if not state.obj["background"]:
            raise ApiError(400, "Cannot cancel a synchronous response.")
        if state.progress.can_cancel:
            effects.cancel(self, state)
        elif state.status != CANCELLED and self.cancel_finished == "conflict":
            raise ApiError(
                409,
                f"Cannot cancel a response with status '{state.status}'.",
                code="response_already_finished",
            )
        return state

    def delete(self, response_id: str) -> Obj:
        self.get(response_id)
        del self.responses[response_id]
        return objects.deleted(response_id)


def _check_tool_outputs(context: list[Obj], items: list[Obj]) -> None:
    """Every function call of the conversation needs its output, and every output its call, as the API
    checks them (400, ``param: input``)."""
    calls: list[str] = []
    answered: set[str] = set()
    for item in [*context, *items]:
        if item.get("type") == "function_call":
            calls.append(str(item["call_id"]))
        elif item.get("type") == "function_call_output":
            call_id = item.get("call_id")
            if call_id not in calls:
                raise ApiError(
                    400, f"No tool call found for function call output with call_id {call_id}.", param="input"
                )
            answered.add(str(call_id))
    for call_id in calls:
        if call_id not in answered:
            raise ApiError(400, f"No tool output found for function call {call_id}.", param="input")
