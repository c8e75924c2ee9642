"""FakeOpenAI (FakeAssistants by its old name): the public entry point tying clock, backend,
interception and virtual time, for the Assistants and the Responses APIs together."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .apis.assistants.statuses import RUN_MODEL
from .apis.assistants.store import DEFAULT_TIMELINE, RunRequest, Store, TimelineSource
from .apis.responses.state import ResponseScript, ResponseState
from .apis.responses.statuses import RESPONSE_MODEL
from .apis.responses.store import CANCEL_FINISHED, ResponseStore, ScriptSource, _default_scripts
from .apis.served import SERVED_ROOTS
from .apis.vector_stores.store import default_file_timelines
from .apis.webhooks.delivery import Target, Webhooks
from .backend import DEFAULT_POLL_AFTER_MS, Backend
from .engine.clock import VirtualClock
from .engine.faults import Fault, FaultRules
from .engine.hangs import HangLimits
from .engine.lifecycle import Timeline
from .engine.timepatch import TimePatch
from .errors import ConfigurationError
from .http.answers import mock_transport
from .http.azure import adapter as azure_adapter
from .http.transports import (
    BaseUrl,
    FakeRouter,
    httpx_module_for_openai,
    start_interception,
    stop_interception,
)
from .scenario.batches import ScenarioBatches, ScenarioChat, ScenarioJobs
from .scenario.model import Scenario, ScenarioResponses, ScenarioTimelines
from .scenario.model import load as load_scenario
from .scenario.tools import ScenarioFileTimelines
from .settings import FakeSettings

if TYPE_CHECKING:
    import openai
    from typing_extensions import TypedDict, Unpack

    from .apis.assistants.runs import RunState

#: The key ``fake.client()`` sends: obviously fake, so no scan ever mistakes it for a real one.
TEST_API_KEY = "sk-test"
#: What ``fake.azure_client()`` talks to unless told otherwise (any ``*.openai.azure.com`` is served).
TEST_AZURE_ENDPOINT = "https://fake-resource.openai.azure.com"
#: An api-version that has every API the fake serves (responses, batches, assistants).
TEST_AZURE_API_VERSION = "2025-04-01-preview"


if TYPE_CHECKING:

    class SettingsOptions(TypedDict, total=False):
        """FakeSettings' fields as keyword arguments (type checkers check them)."""

        base_url: str
        also_serve: Iterable[str]
        pass_through: Iterable[str]
        seed: int | None
        timeline: Timeline | None
        timelines: TimelineSource | None
        faults: Iterable[Fault]
        clock: VirtualClock | None
        virtual_time: bool
        poll_after_ms: int | None
        hang_limits: HangLimits | None
        response_timeline: Timeline | None
        response_timelines: ScriptSource | None
        response_retention: float | None
        cancel_finished: str | None
        webhooks: Target | None
        webhook_secret: str | None
        webhook_timeout: float


def _always(timeline: Timeline) -> TimelineSource:
    def source(_: RunRequest) -> Timeline:
        return timeline

    return source


def _job_options(scenario: Scenario | None) -> dict[str, Any]:
    """What a scenario scripts for batches, chat completions and fine-tuning jobs (as backend options)."""
    if scenario is None:
        return {}
    return {
        "batch_scripts": ScenarioBatches(scenario.batches) if scenario.batches else None,
        "chat_scripts": ScenarioChat(scenario.chat) if scenario.chat else None,
        "job_scripts": ScenarioJobs(scenario.fine_tuning_jobs) if scenario.fine_tuning_jobs else None,
    }


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


class FakeOpenAI:
    """A stateful, offline OpenAI API (Assistants, Responses, files, vector stores) on a virtual clock.

    ``with FakeAssistants() as fake:`` intercepts every request the openai SDK (2.x or 3.x, sync or
    async) sends to ``base_url``, for clients created before or inside the block, and makes
    ``time.sleep`` and friends virtual. ``fake.client()`` gives a client wired to the fake with no
    global patching at all.

    ``scenario`` (a path, a shipped scenario's name, or a :class:`Scenario`) scripts runs, faults
    and seed data. Everything else is a :class:`FakeSettings` field, given as ``settings=`` or as
    keyword arguments (on top of ``settings``): ``timeline`` (a :class:`Timeline`) is what every run
    follows; ``timelines`` (a callable taking a :class:`RunRequest`) picks one per run; either
    overrides the scenario's runs. ``faults`` adds fault rules. ``hang_limits`` says when polling a
    run that can no longer change (or a list with the same cursor) fails the test with
    :class:`HangDetected`; ``None`` switches that off. ``virtual_time=False`` leaves the time
    functions alone: runs then move only when the test calls :meth:`advance`.

    Responses: ``response_timeline`` (a :class:`Timeline`) is what every response follows;
    ``response_timelines`` (a callable taking a :class:`ResponseRequest`, giving a Timeline or a
    :class:`ResponseScript`) picks one per response; either overrides the scenario's ``responses:``.
    ``response_retention`` makes every response disappear (404) that many virtual seconds after it
    was created. ``cancel_finished`` says what cancelling a finished response does: ``"return"``
    it unchanged (OpenAI) or answer 409 (``"conflict"``, as some compatible servers do).

    Webhooks: ``webhooks`` (a callable taking a :class:`WebhookDelivery`, or an ``http://`` URL on
    this machine) gets ``response.completed`` / ``.failed`` / ``.cancelled`` / ``.incomplete`` at the
    virtual moment each background response ends, signed with ``webhook_secret`` (a ``whsec_...``
    secret; one is made when not given); ``fake.webhooks`` adds endpoints and fault rules and keeps
    the delivery log.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario | Timeline | None = None,
        *,
        settings: FakeSettings | None = None,
        **options: Unpack[SettingsOptions],
    ) -> None:
        #: What this fake was told, as one frozen value (``settings=`` with the keyword arguments on top).
        self.settings = settings = (settings or FakeSettings()).replace(options)
        self.scenario = load_scenario(scenario) if scenario is not None else None
        source = settings.timelines
        if settings.timeline is not None:
            # An impossible timeline fails here, not mid-test.
            source = _always(settings.timeline.bind(RUN_MODEL))
        elif source is None and self.scenario is not None and self.scenario.runs:
            source = ScenarioTimelines(self.scenario, DEFAULT_TIMELINE)
        scripts = settings.response_timelines
        if settings.response_timeline is not None:
            script = ResponseScript(settings.response_timeline.bind(RESPONSE_MODEL))
            scripts = lambda _: script  # noqa: E731
        elif scripts is None and self.scenario is not None and self.scenario.responses:
            scripts = ScenarioResponses(self.scenario)
        finished = _first(settings.cancel_finished, self.scenario and self.scenario.cancel_finished, "return")
        if finished not in CANCEL_FINISHED:
            raise ConfigurationError(
                f"cancel_finished={finished!r}: use 'return' (OpenAI's behaviour) or 'conflict' (a 409)"
            )

        scripted_faults = self.scenario.make_faults() if self.scenario is not None else []
        self.base_url = BaseUrl(settings.base_url)
        self._bases = (self.base_url, *(BaseUrl(u) for u in settings.also_serve))
        self.backend = Backend(
            clock=settings.clock,
            seed=_first(settings.seed, self.scenario and self.scenario.seed, 0),
            # What each API reads when it builds its state (see the APIs' ``_build``).
            options={
                "timelines": source or _always(DEFAULT_TIMELINE),
                "file_timelines": (
                    ScenarioFileTimelines(self.scenario.file_processing)
                    if self.scenario is not None and self.scenario.file_processing
                    else default_file_timelines
                ),
                "response_scripts": scripts or _default_scripts,
                "cancel_finished": finished,
                "response_retention": settings.response_retention,
                **_job_options(self.scenario),
            },
            poll_after_ms=_first(
                settings.poll_after_ms, self.scenario and self.scenario.poll_after_ms, DEFAULT_POLL_AFTER_MS
            ),
            # Rules are frozen; the backend keeps its own counters, so a list reused across tests
            # starts from zero.
            faults=[*scripted_faults, *settings.faults],
            hang_limits=settings.hang_limits,
            busy_poll_step=settings.virtual_time,
        )
        if settings.webhook_secret is not None:
            self.webhooks.secret = settings.webhook_secret
        self.webhooks.timeout = settings.webhook_timeout
        if settings.webhooks is not None:
            self.webhooks.add(settings.webhooks)
        if self.scenario is not None:
            self._seed_resources(self.scenario)
        self.router = FakeRouter(self.backend.handle, self._bases, SERVED_ROOTS, settings.pass_through)
        self._time = TimePatch(self.backend.clock) if settings.virtual_time else None
        self._started = False

    def _seed_resources(self, scenario: Scenario) -> None:
        store = self.store
        for body in scenario.assistants:
            store.create_assistant({k: v for k, v in body.items() if k != "id"}, body.get("id"))
        for body in scenario.threads:
            store.create_thread({k: v for k, v in body.items() if k != "id"}, body.get("id"))

    @property
    def webhooks(self) -> Webhooks:
        """Webhook endpoints (``fake.webhooks.add(target, secret=...)``), fault rules
        (``fake.webhooks.faults``) and every delivery attempt (``fake.webhooks.deliveries``)."""
        return self.backend.apis.of(Webhooks)

    @property
    def faults(self) -> FaultRules:
        """The active fault rules (``append(Fault(...))`` at any time), each with this fake's counts
        (``fake.faults[0].fired``, ``.seen``)."""
        return self.backend.faults

    # -- state ------------------------------------------------------------------------------
    @property
    def clock(self) -> VirtualClock:
        """The fake's virtual clock (``fake.clock.time()``, ``fake.clock.elapsed()``)."""
        return self.backend.clock

    @property
    def store(self) -> Store:
        """Every resource the fake holds (assistants, threads, runs, files, vector stores)."""
        return self.backend.apis.of(Store)

    def advance(self, seconds: float) -> None:
        """Move virtual time forward, as if the test had slept ``seconds``."""
        self.backend.clock.advance(seconds)

    def run(self, run_id: str) -> RunState:
        """A run's full state, brought up to the current virtual time (tests read ``tool_outputs``)."""
        run = self.store.runs[run_id]
        self.store.sync(run)
        return run

    def response(self, response_id: str) -> ResponseState:
        """A response's full state, brought up to the current virtual time: ``obj`` (what the API
        answers), ``input`` (its input items), ``tool_outputs`` (the function-call outputs its input
        sent back), ``history`` (statuses with virtual times), ``events`` (its stream's event log)."""
        store = self.backend.apis.of(ResponseStore)
        state = store.responses[response_id]
        store.sync(state)
        return state

    @property
    def responses(self) -> list[ResponseState]:
        """Every response the fake holds, oldest first (deleted and expired ones are gone)."""
        store = self.backend.apis.of(ResponseStore)
        for state in store.responses.values():
            store.sync(state)
        return list(store.responses.values())

    # -- clients ----------------------------------------------------------------------------
    def client(self, **kwargs: Any) -> openai.OpenAI:
        """An ``openai.OpenAI`` answered by this fake through a MockTransport: no patching needed."""
        import openai

        module = httpx_module_for_openai()
        http_client = module.Client(transport=mock_transport(self.backend.handle, self.base_url, module))
        kwargs.setdefault("api_key", TEST_API_KEY)
        kwargs.setdefault("base_url", self.base_url.url)
        return openai.OpenAI(http_client=http_client, **kwargs)

    def async_client(self, **kwargs: Any) -> openai.AsyncOpenAI:
        """An ``openai.AsyncOpenAI`` answered by this fake through a MockTransport."""
        import openai

        module = httpx_module_for_openai()
        http_client = module.AsyncClient(transport=mock_transport(self.backend.handle, self.base_url, module))
        kwargs.setdefault("api_key", TEST_API_KEY)
        kwargs.setdefault("base_url", self.base_url.url)
        return openai.AsyncOpenAI(http_client=http_client, **kwargs)

    def azure_client(self, **kwargs: Any) -> openai.AzureOpenAI:
        """An ``openai.AzureOpenAI`` answered by this fake through a MockTransport (``api-key`` auth
        unless ``azure_ad_token`` / ``azure_ad_token_provider`` is given)."""
        import openai

        module = httpx_module_for_openai()
        http_client = module.Client(transport=self._azure_transport(module, kwargs))
        return openai.AzureOpenAI(http_client=http_client, **kwargs)

    def async_azure_client(self, **kwargs: Any) -> openai.AsyncAzureOpenAI:
        """An ``openai.AsyncAzureOpenAI`` answered by this fake through a MockTransport."""
        import openai

        module = httpx_module_for_openai()
        http_client = module.AsyncClient(transport=self._azure_transport(module, kwargs))
        return openai.AsyncAzureOpenAI(http_client=http_client, **kwargs)

    def _azure_transport(self, module: Any, kwargs: dict[str, Any]) -> Any:
        """The MockTransport for an Azure client, filling in ``kwargs``' endpoint, version and key."""
        if "base_url" not in kwargs:
            kwargs.setdefault("azure_endpoint", TEST_AZURE_ENDPOINT)
        kwargs.setdefault("api_version", TEST_AZURE_API_VERSION)
        if not {"azure_ad_token", "azure_ad_token_provider"} & kwargs.keys():
            kwargs.setdefault("api_key", TEST_API_KEY)
        parts = urlsplit(kwargs.get("base_url") or kwargs["azure_endpoint"])
        base = BaseUrl(f"{parts.scheme}://{parts.netloc}/openai")
        return mock_transport(azure_adapter(self.backend.handle), base, module)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        """Start intercepting and (unless ``virtual_time=False``) virtual time."""
        if not self._started:
            start_interception(self.router)
            try:
                if self._time is not None:
                    self._time.start()
            except BaseException:
                stop_interception(self.router)  # nothing half-started stays behind
                raise
            self._started = True
        return self

    def stop(self) -> None:
        """Stop intercepting and give the real time functions back."""
        if self._started:
            self._started = False
            try:
                if self._time is not None:
                    self._time.stop()
            finally:
                stop_interception(self.router)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FakeOpenAI:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


#: The same class under its first name (from when it served the Assistants API only).
FakeAssistants = FakeOpenAI
