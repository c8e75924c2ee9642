"""Adding an API is one folder and one line: the backend names no API, and everything it does per
API (handler state, polled kinds, webhook sources, stream errors) comes from the registrations."""

from __future__ import annotations

import inspect

import pytest

from assistant_harness import FakeOpenAI
from assistant_harness.apis.batches.store import BatchStore
from assistant_harness.apis.fine_tuning.store import FineTuningJobs
from assistant_harness.apis.registry import ApiStates, WebhookSource
from assistant_harness.apis.responses.store import ResponseStore
from assistant_harness.apis.served import APIS, BY_NAME, INDEX
from assistant_harness.backend import Backend


def test_the_backend_names_no_api() -> None:
    source = inspect.getsource(inspect.getmodule(Backend))  # type: ignore[arg-type]
    for api in APIS:
        assert f".{api.name}" not in source.replace(".apis.", "."), api.name
    assert not {api.name for api in APIS} & set(vars(Backend()))


def test_every_api_is_built_once_in_order_and_every_endpoint_knows_its_api() -> None:
    backend = Backend()
    assert list(backend.apis) == [api.name for api in APIS]
    assert {e.api for e in INDEX} <= set(BY_NAME)
    assert all(e.api for e in INDEX)
    # Each handler gets its own API's state: the Responses store for a response.
    assert isinstance(backend.apis[INDEX.by_name["responses.create"].api], ResponseStore)


def test_polled_kinds_come_from_the_apis_and_name_real_endpoints() -> None:
    kinds = {kind for api in APIS for kind in api.polled}
    assert kinds == {
        "run",
        "response",
        "vector_store.file",
        "vector_store.file_batch",
        "batch",
        "fine_tuning.job",
    }
    returned = {e.returns for e in INDEX if e.method == "GET"}
    assert kinds <= returned  # each kind is what some GET answers


def test_webhooks_listen_to_every_source() -> None:
    backend = Backend()
    sources = [name for name, state in backend.apis.items() if isinstance(state, WebhookSource)]
    assert sources == ["responses", "batches", "fine_tuning"]
    with FakeOpenAI() as fake:
        assert fake.webhooks.known_events == (
            ResponseStore.webhook_events | BatchStore.webhook_events | FineTuningJobs.webhook_events
        )
        assert "response.completed" in fake.webhooks.known_events


def test_a_missing_state_names_what_is_served() -> None:
    with pytest.raises(LookupError, match=r"no API state of type int .*served: files"):
        Backend().apis.of(int)
    assert len(ApiStates()) == 0
