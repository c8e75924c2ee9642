"""pytest plugin: fixtures that put the fake Assistants backend in a test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .fake import FakeAssistants

#: The SDK's warnings on Assistants calls: ``deprecated`` (typing_extensions.deprecated on each
#: method) and the resource-level notice.
ASSISTANTS_DEPRECATION_FILTERS = (
    "ignore:deprecated$:DeprecationWarning",
    "ignore:The Assistants API is deprecated in favor of the Responses API:DeprecationWarning",
)

if TYPE_CHECKING:
    import openai


def pytest_configure(config: pytest.Config) -> None:
    # The SDK marks every Assistants call deprecated; calling them is the whole point of the code
    # under test, so exactly those two warnings are ignored, and nothing else.
    for line in ASSISTANTS_DEPRECATION_FILTERS:
        config.addinivalue_line("filterwarnings", line)


@pytest.fixture
def fake_assistants() -> Iterator[FakeAssistants]:
    """A started FakeAssistants: every OpenAI request in the test is answered by it."""
    with FakeAssistants() as fake:
        yield fake


@pytest.fixture
def openai_client(fake_assistants: FakeAssistants) -> openai.OpenAI:
    """An openai.OpenAI client answered by the fake_assistants backend."""
    return fake_assistants.client()


@pytest.fixture
def async_openai_client(fake_assistants: FakeAssistants) -> openai.AsyncOpenAI:
    """An openai.AsyncOpenAI client answered by the fake_assistants backend."""
    return fake_assistants.async_client()
