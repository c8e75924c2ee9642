from __future__ import annotations

import os

# Tutorial code builds OpenAI() from the environment, at import time. The key is an obvious fake.
os.environ["OPENAI_API_KEY"] = "sk-test"
os.environ.pop("OPENAI_BASE_URL", None)

from collections.abc import Iterator

import openai
import pytest
from hypothesis import settings

from assistant_harness import FakeAssistants

pytest_plugins = ["pytester"]

# No example may fail for taking long: most run a fake, and the first one of a test alone pays the
# imports (issue 21: 1.2 s against the 200 ms default). Loaded everywhere, not only in CI.
settings.register_profile("harness", deadline=None)
# CI explores the same examples every run (a red CI must mean a change broke something); locally,
# Hypothesis keeps exploring new ones.
settings.register_profile("ci", parent=settings.get_profile("harness"), derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "harness")

# Made at import, before any fake starts: the module-level client of every tutorial.
MODULE_LEVEL_CLIENT = openai.OpenAI()
MODULE_LEVEL_ASYNC_CLIENT = openai.AsyncOpenAI()


@pytest.fixture
def fake() -> Iterator[FakeAssistants]:
    with FakeAssistants() as started:
        yield started


@pytest.fixture(params=["intercepted", "mock_transport"])
def client(request: pytest.FixtureRequest, fake: FakeAssistants) -> openai.OpenAI:
    """The same tests through global interception (a client made before the fake) and fake.client()."""
    return MODULE_LEVEL_CLIENT if request.param == "intercepted" else fake.client()


@pytest.fixture(params=["intercepted", "mock_transport"])
def async_client(request: pytest.FixtureRequest, fake: FakeAssistants) -> openai.AsyncOpenAI:
    return MODULE_LEVEL_ASYNC_CLIENT if request.param == "intercepted" else fake.async_client()


@pytest.fixture
def no_real_sleep() -> Iterator[None]:
    """The test must run on virtual time: a real sleep in it fails (tests/realtime.py)."""
    from .realtime import forbid_real_sleep

    with forbid_real_sleep():
        yield
